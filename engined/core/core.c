// The state machine's entry point and the top of the core: owns the
// configuration, hands each event to the room that handles it, then runs
// the follow-ups until none is left. The rooms below depend only downward
// (docs/engine.md draws the floors); this is the one room that knows them
// all, and the one loop that runs the work they leave behind.
#include "core.h"

#include <stdlib.h>
#include <string.h>

#include "core_exec.h"
#include "core_exec_del.h"
#include "core_run.h"
#include "core_task.h"
#include "core_tree.h"
#include "core_unit_ev.h"

typedef sr_err_t (*s_run_fn)(core_run_t *r, const core_followup_t *fu);

// The room that runs each kind of follow-up.
static const s_run_fn s_rooms[] = {
    [CORE_FU_CHILD_DONE] = core_exec_followup,
};

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

// Run the follow-ups until none is left. After a failure (`rc`) nothing
// more runs and nothing deferred is taken.
static sr_err_t
s_drain(core_run_t *r, sr_err_t rc)
{
    core_followup_t fu;
    while (core_followup_next(r, rc == SR_OK, &fu)) {
        size_t kind = (size_t)fu.kind;
        if (rc)
            ; // what the failed work left behind is dropped
        else if (kind < sizeof s_rooms / sizeof *s_rooms && s_rooms[kind])
            rc = s_rooms[kind](r, &fu);
        else
            rc = sr_error_set(r->err, SR_EINTERNAL, "unknown follow-up %d",
                              (int)fu.kind);
        core_followup_fini(&fu);
    }
    return rc;
}

// A forced delete cancels first, and the follow-ups of the sub-workflows
// it cancelled reach their parents before the records they need are gone.
static sr_err_t
s_delete(core_run_t *r, core_exec_t *exec, bool force)
{
    sr_err_t rc = core_exec_delete_begin(r, exec, force);
    if (!rc)
        rc = s_drain(r, SR_OK);
    return rc ? rc : core_exec_delete(r, &exec->id);
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
        return s_delete(r, exec, ev->force);
    default:
        return sr_error_set(r->err, SR_EINTERNAL, "not an execution event");
    }
}

static sr_err_t
s_event(core_run_t *r, const core_event_t *ev)
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
    sr_err_t rc = s_drain(&r, s_event(&r, ev));
    core_run_fini(&r);
    return rc;
}
