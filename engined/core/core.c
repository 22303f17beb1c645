// The state machine's entry point and the top of the core: owns the
// configuration, hands each event to the room that handles it, then runs
// the follow-ups (core_run.h) until none is left. It is the one room that
// knows them all, and the one loop that runs the work they leave behind.
// Every other room calls only the floors below it (docs/engine.md):
//
//   core_exec      start, resume, rerun, a sub-workflow's start and end
//   core_flow      transitions, engine commands, reverse workflows
//   core_join      joins: arrivals, induced states, decisions
//   core_task      a task's run, its policies  (core_unit_ev: workers)
//   core_unit      a task's units              (core_exec_del: delete)
//   core_tree      cancel, pause down the tree (core_exec_end: the end)
//   core_ctx, core_env, core_adhoc, core_timer   expressions, timers
//   core_run       the step: commands, notifications, follow-ups
//   core_rec, core_cmd, core_event, core_state    records, vocabulary
//
// Calls that used to run back up (a unit ends its task, a task ends into
// the flow, a unit starts a sub-workflow, the check forces the joins) are
// follow-ups, as is whatever a room had left to do after them.
#include "core.h"

#include <stdlib.h>
#include <string.h>

#include "core_exec.h"
#include "core_exec_del.h"
#include "core_exec_end.h"
#include "core_flow.h"
#include "core_join.h"
#include "core_run.h"
#include "core_task.h"
#include "core_tree.h"
#include "core_unit.h"
#include "core_unit_ev.h"

typedef sr_err_t (*s_run_fn)(core_run_t *r, const core_followup_t *fu);
typedef sr_err_t (*s_caught_fn)(core_run_t *r, const core_followup_t *fu,
                                sr_err_t rc);

// What a follow-up names, for core.c to find before its room runs.
typedef enum { S_NONE, S_EXEC, S_TASK } s_names_t;

// The room that runs each kind of follow-up, the kinds that catch an
// error of the follow-ups pushed before them (core_run.h), and what each
// names.
static const struct {
    s_run_fn run;
    s_caught_fn caught;
    s_names_t names;
} s_rooms[] = {
    [CORE_FU_RESTORE] = {NULL, NULL, S_NONE},
    [CORE_FU_TOP_UP] = {core_unit_followup, NULL, S_TASK},
    [CORE_FU_UNITS_DONE] = {core_task_followup, NULL, S_TASK},
    [CORE_FU_TASK_FAIL] = {core_task_followup, NULL, S_TASK},
    [CORE_FU_RETRY] = {core_task_followup, core_task_caught, S_TASK},
    [CORE_FU_CHECK] = {core_exec_end_followup, NULL, S_EXEC},
    [CORE_FU_TASK_ENDED] = {core_flow_followup, NULL, S_TASK},
    [CORE_FU_TRIGGERS] = {core_flow_followup, NULL, S_TASK},
    [CORE_FU_FLOW_DONE] = {core_flow_followup, core_flow_caught, S_TASK},
    [CORE_FU_START] = {core_flow_followup, NULL, S_EXEC},
    [CORE_FU_REVERSE] = {core_flow_followup, NULL, S_EXEC},
    [CORE_FU_JOINS] = {core_join_followup, NULL, S_EXEC},
    [CORE_FU_CHILD_START] = {core_exec_followup, NULL, S_TASK},
    [CORE_FU_CHILD_STARTED] = {core_exec_followup, core_exec_caught, S_TASK},
    [CORE_FU_RESUME] = {core_exec_followup, NULL, S_EXEC},
    [CORE_FU_RESUME_UNITS] = {core_exec_followup, NULL, S_TASK},
    [CORE_FU_CHILD_DONE] = {core_exec_followup, NULL, S_NONE},
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

// Find the records a follow-up names.
static sr_err_t
s_find(core_run_t *r, core_followup_t *fu, s_names_t names)
{
    sr_err_t rc = SR_OK;
    if (names != S_NONE)
        rc = CORE_OPS(r)->exec_get(r->st, &fu->exec_id, &fu->exec);
    if (!rc && names == S_TASK)
        rc = CORE_OPS(r)->task_get(r->st, &fu->exec_id, fu->seq, &fu->task);
    return rc;
}

// Run one follow-up; after a failure (`rc`) only one that catches it runs
// (with the error), and the modes go back.
static sr_err_t
s_run(core_run_t *r, core_followup_t *fu, sr_err_t rc)
{
    size_t kind = (size_t)fu->kind;
    if (kind >= sizeof s_rooms / sizeof *s_rooms ||
        (kind != CORE_FU_RESTORE && !s_rooms[kind].run))
        return rc ? rc
                  : sr_error_set(r->err, SR_EINTERNAL, "unknown follow-up %d",
                                 (int)fu->kind);
    if (kind == CORE_FU_RESTORE) {
        r->modes.starting = fu->id;
        r->modes.resuming = fu->flag;
        return rc;
    }
    if (rc && !s_rooms[kind].caught)
        return rc; // what the failed work left behind is dropped
    sr_err_t found = s_find(r, fu, s_rooms[kind].names);
    if (found)
        return rc ? rc : found;
    return rc ? s_rooms[kind].caught(r, fu, rc) : s_rooms[kind].run(r, fu);
}

// Run the follow-ups until none is left. A failure drops what the failed
// work left behind, as an error return skipped the rest of its callers,
// up to a follow-up that catches it; nothing deferred is taken after it.
static sr_err_t
s_drain(core_run_t *r, sr_err_t rc)
{
    core_followup_t fu;
    while (core_followup_next(r, rc == SR_OK, &fu)) {
        rc = s_run(r, &fu, rc);
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
    core_run_t r;
    core_run_init(&r, core, st, cmds, ev->now_ms, err ? err : &local);
    sr_error_clear(r.err);
    sr_err_t rc = s_drain(&r, s_event(&r, ev));
    core_run_fini(&r);
    return rc;
}
