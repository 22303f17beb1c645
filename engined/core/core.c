// The state machine's entry point: owns the configuration and the command
// list helpers, and dispatches each event to the room that handles it. A
// child execution that finishes queues a follow-up that is applied in the
// same step, so a parent never misses its child.
#include "core.h"

#include <stdlib.h>
#include <string.h>

#include "core_exec.h"
#include "core_run.h"
#include "core_task.h"
#include "core_unit.h"

core_t *
core_new(const core_config_t *cfg)
{
    core_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (cfg && cfg->callback_url &&
        !(c->callback_url = strdup(cfg->callback_url))) {
        free(c);
        return NULL;
    }
    c->max_expr_steps = cfg ? cfg->max_expr_steps : 0;
    c->max_value_bytes = cfg ? cfg->max_value_bytes : 0;
    c->max_depth = cfg && cfg->max_depth > 0 ? cfg->max_depth : 32;
    return c;
}

void
core_destroy(core_t **core_p)
{
    core_t *c = core_p ? *core_p : NULL;
    if (!c)
        return;
    free(c->callback_url);
    free(c);
    *core_p = NULL;
}

void
core_cmds_init(core_cmds_t *cmds)
{
    memset(cmds, 0, sizeof *cmds);
}

static void
s_cmd_fini(core_cmd_t *c)
{
    free(c->action);
    free(c->target);
    free(c->task_name);
    free(c->worker);
    free(c->text);
    free(c->token);
    sr_value_destroy(&c->input);
    sr_value_destroy(&c->context);
}

void
core_cmds_clear(core_cmds_t *cmds)
{
    for (size_t i = 0; i < cmds->count; i++)
        s_cmd_fini(&cmds->items[i]);
    cmds->count = 0;
}

void
core_cmds_truncate(core_cmds_t *cmds, size_t count)
{
    while (cmds->count > count)
        s_cmd_fini(&cmds->items[--cmds->count]);
}

void
core_cmds_fini(core_cmds_t *cmds)
{
    core_cmds_clear(cmds);
    free(cmds->items);
    memset(cmds, 0, sizeof *cmds);
}

sr_err_t
core_cmd_push(core_run_t *r, core_cmd_t *cmd)
{
    core_cmds_t *cmds = r->cmds;
    if (cmds->count == cmds->cap) {
        size_t cap = cmds->cap ? cmds->cap * 2 : 16;
        core_cmd_t *items = realloc(cmds->items, cap * sizeof *items);
        if (!items) {
            s_cmd_fini(cmd);
            return sr_error_set(r->err, SR_ENOMEM, "out of memory");
        }
        cmds->items = items;
        cmds->cap = cap;
    }
    cmds->items[cmds->count++] = *cmd;
    memset(cmd, 0, sizeof *cmd);
    return SR_OK;
}

sr_err_t
core_notify_exec(core_run_t *r, const core_exec_t *exec)
{
    core_cmd_t c = {.kind = CORE_CMD_NOTIFY,
                    .exec_id = exec->id,
                    .state = core_ex_state_name(exec->state),
                    .is_final = core_ex_state_is_final(exec->state)};
    if (exec->state_info && !(c.text = strdup(exec->state_info)))
        return SR_ENOMEM;
    return core_cmd_push(r, &c);
}

sr_err_t
core_notify_task(core_run_t *r, const core_exec_t *exec,
                 const core_task_t *task)
{
    core_cmd_t c = {.kind = CORE_CMD_NOTIFY,
                    .exec_id = exec->id,
                    .is_task = true,
                    .state = core_task_state_name(task->state)};
    if (!(c.task_name = strdup(task->name)) ||
        (task->state_info && !(c.text = strdup(task->state_info)))) {
        free(c.task_name);
        return SR_ENOMEM;
    }
    return core_cmd_push(r, &c);
}

sr_err_t
core_followup_push(core_run_t *r, const sr_id_t *child_id)
{
    if (r->nfollowups == r->capfollowups) {
        size_t cap = r->capfollowups ? r->capfollowups * 2 : 4;
        core_followup_t *f = realloc(r->followups, cap * sizeof *f);
        if (!f)
            return SR_ENOMEM;
        r->followups = f;
        r->capfollowups = cap;
    }
    r->followups[r->nfollowups++].child_id = *child_id;
    return SR_OK;
}

sr_err_t
core_exec_workflow(core_run_t *r, const core_exec_t *exec,
                   const lang_doc_t **doc, const lang_workflow_t **wf)
{
    sr_err_t rc = CORE_OPS(r)->doc_get(r->st, exec->def_hash, doc);
    if (rc)
        return sr_error_set(r->err, rc,
                            "definition %s of execution "
                            "unavailable",
                            exec->def_hash);
    *wf = lang_doc_workflow(*doc, exec->wf_name);
    if (!*wf)
        return sr_error_set(r->err, SR_ESTORE,
                            "workflow '%s' missing from its definition",
                            exec->wf_name);
    return SR_OK;
}

static sr_err_t
s_exec_event(core_run_t *r, const core_event_t *ev)
{
    core_exec_t *exec = NULL;
    sr_err_t rc = CORE_OPS(r)->exec_get(r->st, &ev->exec_id, &exec);
    if (rc == SR_ENOTFOUND) {
        char id[SR_ID_TEXT_SIZE];
        return sr_error_set(r->err, SR_ENOTFOUND, "execution %s not found",
                            sr_id_format(&ev->exec_id, id));
    }
    if (rc)
        return rc;
    switch (ev->kind) {
    case CORE_EV_PAUSE:
        return core_exec_pause(r, exec, ev->msg);
    case CORE_EV_RESUME:
        return core_exec_resume(r, exec);
    case CORE_EV_CANCEL:
        return core_exec_cancel(r, exec, ev->msg);
    case CORE_EV_RERUN:
        return core_exec_rerun(r, exec, ev->task_name, ev->reset);
    case CORE_EV_DELETE:
        return core_exec_delete(r, exec, ev->force);
    default:
        return sr_error_set(r->err, SR_EINTERNAL, "not an execution event");
    }
}

static sr_err_t
s_dispatch(core_run_t *r, const core_event_t *ev)
{
    switch (ev->kind) {
    case CORE_EV_START:
        return core_exec_start(r, ev);
    case CORE_EV_RESULT:
    case CORE_EV_COMPLETE:
        return core_unit_on_result(r, ev);
    case CORE_EV_CONFIRM:
        return core_unit_on_confirm(r, ev);
    case CORE_EV_WORKER_LOST:
        return core_unit_on_worker_lost(r, ev);
    case CORE_EV_REOFFER:
        return core_unit_on_reoffer(r, ev);
    case CORE_EV_TIMER:
        return core_task_timer(r, ev->timer);
    case CORE_EV_PAUSE:
    case CORE_EV_RESUME:
    case CORE_EV_CANCEL:
    case CORE_EV_RERUN:
    case CORE_EV_DELETE:
        return s_exec_event(r, ev);
    }
    return sr_error_set(r->err, SR_EINVAL, "unknown event kind %d",
                        (int)ev->kind);
}

sr_err_t
core_step(core_t *core, core_state_t *st, const core_event_t *ev,
          core_cmds_t *cmds, sr_error_t *err)
{
    sr_error_t local;
    core_run_t r = {.core = core,
                    .st = st,
                    .cmds = cmds,
                    .now = ev->now_ms,
                    .err = err ? err : &local};
    sr_error_clear(r.err);
    sr_err_t rc = s_dispatch(&r, ev);
    // Children that finished tell their parents, which may finish too.
    for (size_t i = 0; rc == SR_OK && i < r.nfollowups; i++)
        rc = core_exec_child_done(&r, &r.followups[i].child_id);
    free(r.followups);
    return rc;
}
