// The working context of one core_step (core_run.h): the commands, the
// notifications and the state changes that go with them, the follow-ups
// (a stack that runs depth-first and a queue deferred to the end of the
// step), and the workflow and task spec a record runs. Owns nothing
// beyond the step; calls no room of the core but the records.
#include "core_run.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

// Make room for one more follow-up in `*items` (of `*cap`); `local` (may
// be NULL) is where they are held before they need the heap.
static sr_err_t
s_room(core_followup_t **items, size_t n, size_t *cap,
       const core_followup_t *local)
{
    if (n < *cap)
        return SR_OK;
    size_t grown = *cap ? *cap * 2 : 16;
    core_followup_t *p = *items == local ? malloc(grown * sizeof *p)
                                         : realloc(*items, grown * sizeof *p);
    if (!p)
        return SR_ENOMEM;
    if (*items == local && n)
        memcpy(p, local, n * sizeof *p);
    *items = p;
    *cap = grown;
    return SR_OK;
}

void
core_run_init(core_run_t *r, const struct core *core, core_state_t *st,
              core_cmds_t *cmds, int64_t now, sr_error_t *err)
{
    memset(r, 0, offsetof(core_run_t, local));
    r->core = core;
    r->st = st;
    r->cmds = cmds;
    r->now = now;
    r->err = err;
    r->stack = r->local;
    r->capstack = CORE_RUN_LOCAL;
}

sr_err_t
core_cmd_push(core_run_t *r, core_cmd_t *cmd)
{
    sr_err_t rc = core_cmds_push(r->cmds, cmd);
    return rc ? sr_error_set(r->err, rc, "out of memory") : SR_OK;
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
core_task_set_state(core_run_t *r, const core_exec_t *exec, core_task_t *task,
                    core_task_state_t state, const char *info)
{
    sr_err_t rc = core_set_str(&task->state_info, info);
    if (rc)
        return rc;
    task->state = state;
    task->updated_ms = r->now;
    CORE_OPS(r)->task_dirty(r->st, task);
    return core_notify_task(r, exec, task);
}

sr_err_t
core_exec_set_state(core_run_t *r, core_exec_t *exec, core_ex_state_t state,
                    const char *info)
{
    sr_err_t rc = core_set_str(&exec->state_info, info);
    if (rc)
        return rc;
    exec->state = state;
    exec->updated_ms = r->now;
    CORE_OPS(r)->exec_dirty(r->st, exec);
    if ((rc = core_notify_exec(r, exec)))
        return rc;
    if (!core_ex_state_is_final(state) || sr_id_is_nil(&exec->parent_id))
        return SR_OK;
    core_followup_t done = {.kind = CORE_FU_CHILD_DONE, .id = exec->id};
    return core_followup_defer(r, &done);
}

void
core_task_finish(core_run_t *r, core_exec_t *exec, core_task_t *task)
{
    if (task->joining) {
        task->joining = false;
        exec->n_joins--;
    }
    task->finished_ms = r->now;
    exec->n_active--;
    CORE_OPS(r)->exec_dirty(r->st, exec);
}

sr_err_t
core_followup_push(core_run_t *r, core_followup_t *fu)
{
    if (s_room(&r->stack, r->nstack, &r->capstack, r->local)) {
        core_followup_fini(fu);
        return sr_error_set(r->err, SR_ENOMEM, "out of memory");
    }
    r->stack[r->nstack++] = *fu;
    r->pushed++;
    memset(fu, 0, sizeof *fu);
    return SR_OK;
}

sr_err_t
core_followup_defer(core_run_t *r, core_followup_t *fu)
{
    if (r->headlater && r->headlater == r->nlater)
        r->headlater = r->nlater = 0; // all taken: start over
    if (s_room(&r->later, r->nlater, &r->caplater, NULL)) {
        core_followup_fini(fu);
        return sr_error_set(r->err, SR_ENOMEM, "out of memory");
    }
    r->later[r->nlater++] = *fu;
    memset(fu, 0, sizeof *fu);
    return SR_OK;
}

size_t
core_followup_mark(const core_run_t *r)
{
    return r->pushed;
}

sr_err_t
core_followup_about(core_run_t *r, core_fu_kind_t kind, const core_exec_t *exec,
                    const core_task_t *task)
{
    core_followup_t fu = {
        .kind = kind, .exec_id = exec->id, .seq = task ? task->seq : 0};
    return core_followup_push(r, &fu);
}

sr_err_t
core_run_restore(core_run_t *r, const core_modes_t *saved, size_t mark)
{
    if (r->pushed == mark) {
        r->modes = *saved;
        return SR_OK;
    }
    core_followup_t fu = {.kind = CORE_FU_RESTORE,
                          .id = saved->starting,
                          .flag = saved->resuming};
    return core_followup_push(r, &fu);
}

bool
core_followup_next(core_run_t *r, bool deferred, core_followup_t *out)
{
    // What the last one pushed runs in the order it was pushed.
    for (size_t i = r->fresh, j = r->nstack; i + 1 < j; i++, j--) {
        core_followup_t t = r->stack[i];
        r->stack[i] = r->stack[j - 1];
        r->stack[j - 1] = t;
    }
    if (r->nstack)
        *out = r->stack[--r->nstack];
    else if (deferred && r->headlater < r->nlater)
        *out = r->later[r->headlater++];
    else
        return false;
    r->fresh = r->nstack;
    return true;
}

void
core_followup_fini(core_followup_t *fu)
{
    free(fu->text);
    sr_value_destroy(&fu->value);
    memset(fu, 0, sizeof *fu);
}

void
core_run_fini(core_run_t *r)
{
    for (size_t i = 0; i < r->nstack; i++)
        core_followup_fini(&r->stack[i]);
    for (size_t i = r->headlater; i < r->nlater; i++)
        core_followup_fini(&r->later[i]);
    if (r->stack != r->local)
        free(r->stack);
    free(r->later);
    r->stack = r->local;
    r->later = NULL;
    r->nstack = r->nlater = r->headlater = r->caplater = 0;
    r->capstack = CORE_RUN_LOCAL;
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

const lang_task_t *
core_task_spec(const lang_workflow_t *wf, const core_task_t *task)
{
    if (task->spec_index < 0 || (size_t)task->spec_index >= wf->ntasks)
        return NULL;
    return &wf->tasks[task->spec_index];
}

sr_err_t
core_task_latest(core_run_t *r, const core_exec_t *exec,
                 const lang_workflow_t *wf, int index, core_task_t **out)
{
    int64_t seq;
    *out = NULL;
    if (!sr_value_map_int(exec->latest, wf->tasks[index].name, &seq))
        return SR_OK;
    return CORE_OPS(r)->task_get(r->st, &exec->id, (uint32_t)seq, out);
}
