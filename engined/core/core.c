// The state machine's entry point: owns the configuration and dispatches
// each event to the room that handles it. A child execution that finishes
// queues a follow-up that is applied in the same step, so a parent never
// misses its child.
#include "core.h"

#include <stdlib.h>
#include <string.h>

#include "core_exec.h"
#include "core_exec_del.h"
#include "core_run.h"
#include "core_task.h"
#include "core_tree.h"
#include "core_unit_ev.h"

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
        return core_tree_pause(r, exec, ev->msg);
    case CORE_EV_RESUME:
        return core_exec_resume(r, exec);
    case CORE_EV_CANCEL:
        return core_tree_cancel(r, exec, ev->msg);
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
