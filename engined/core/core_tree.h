// An execution's tree: its task executions, their units, and the actions
// and sub-workflow executions those run, down to any depth. Cancelling and
// pausing run down the tree in one call; nothing here runs a workflow
// forward (starting, resuming and completing are above, in core_exec.c,
// core_flow.c and core_task.c).
#ifndef CORE_TREE_H
#define CORE_TREE_H

#include "core_run.h"

// The task executions of an execution in seq order (records borrowed from
// the state's cache); free out->list.
typedef struct {
    core_task_t **list;
    size_t n, cap;
} core_tasks_t;
sr_err_t core_tree_tasks(core_run_t *r, const sr_id_t *exec_id,
                         core_tasks_t *out);

// Cancel an execution that has not finished, and everything below it
// (Mistral's forced cancel): its active tasks are cancelled, running
// actions get CANCEL, sub-workflows are cancelled the same way. A
// sub-workflow execution's parent learns it through a follow-up.
// SR_ESTATE when it has finished.
sr_err_t core_tree_cancel(core_run_t *r, core_exec_t *exec, const char *msg);

// Cancel one active task execution and what it runs (nothing when it has
// finished). The execution's completion check is the caller's.
sr_err_t core_tree_cancel_task(core_run_t *r, core_exec_t *exec,
                               core_task_t *task, const char *info);

// Stop every running or pending unit of a task: the units become
// CANCELLED, actions get CANCEL, sub-workflows are cancelled.
sr_err_t core_tree_cancel_units(core_run_t *r, core_exec_t *exec,
                                core_task_t *task);

// Pause a RUNNING execution and its running sub-workflows (SR_ESTATE in
// another state).
sr_err_t core_tree_pause(core_run_t *r, core_exec_t *exec, const char *msg);

// The sub-workflow execution that unit `item` of `task` runs (borrowed);
// SR_ENOTFOUND when the unit is not running one.
sr_err_t core_tree_child(core_run_t *r, const core_task_t *task, uint32_t item,
                         core_exec_t **out);

#endif
