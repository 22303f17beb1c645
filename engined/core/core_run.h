// The working context of one core_step: the core's configuration, the
// state, the command list, the event's time, and a small queue of internal
// follow-up events (a child execution finished). Every core_* room takes a
// core_run_t; nothing in it outlives the step. core_run.c implements it.
#ifndef CORE_RUN_H
#define CORE_RUN_H

#include "core.h"
#include "lang_spec.h"

struct core {
    char *callback_url;
    size_t max_expr_steps, max_value_bytes;
    int max_depth;
};

// A child execution finished; its parent task learns it in the same step.
typedef struct {
    sr_id_t child_id;
} core_followup_t;

typedef struct {
    core_t *core;
    core_state_t *st;
    core_cmds_t *cmds;
    int64_t now;
    sr_error_t *err;
    core_followup_t *followups;
    size_t nfollowups, capfollowups;
    // Resuming: transitions of tasks that completed while paused run now,
    // without their `pause` commands (Mistral drops them on resume).
    bool resuming;
    // Starting: the execution whose start tasks are being created and run.
    // Its completion check waits until all of them exist (a start task that
    // finishes at once must not end the execution, or force its joins,
    // before the next start task is there).
    const core_exec_t *starting;
} core_run_t;

// Shorthands for the state ops.
#define CORE_OPS(r) ((r)->st->ops)

// Append a command (its owned fields are taken); SR_ENOMEM on failure.
sr_err_t core_cmd_push(core_run_t *r, core_cmd_t *cmd);
// Notify watchers that an execution or a task changed state.
sr_err_t core_notify_exec(core_run_t *r, const core_exec_t *exec);
sr_err_t core_notify_task(core_run_t *r, const core_exec_t *exec,
                          const core_task_t *task);
// Change a task execution's state and state_info (NULL: none) and notify.
sr_err_t core_task_set_state(core_run_t *r, const core_exec_t *exec,
                             core_task_t *task, core_task_state_t state,
                             const char *info);
// Change an execution's state and state_info (NULL: none) and notify; a
// sub-workflow execution that reaches a final state tells its parent
// (core_followup_push).
sr_err_t core_exec_set_state(core_run_t *r, core_exec_t *exec,
                             core_ex_state_t state, const char *info);
// A task execution is over (ended, failed for good or cancelled): it no
// longer waits as a join and its execution has one active task less.
void core_task_finish(core_run_t *r, core_exec_t *exec, core_task_t *task);
// Queue "child finished" for the parent of `child`.
sr_err_t core_followup_push(core_run_t *r, const sr_id_t *child_id);

// The workflow an execution runs (borrowed from the document cache).
sr_err_t core_exec_workflow(core_run_t *r, const core_exec_t *exec,
                            const lang_doc_t **doc, const lang_workflow_t **wf);

#endif
