// Workflow executions in the state machine: start (top-level and child),
// completion and output, the fail/succeed/pause commands, pause, resume,
// cancel, rerun and delete.
#ifndef CORE_EXEC_H
#define CORE_EXEC_H

#include "core_run.h"

// Start a top-level execution (CORE_EV_START).
sr_err_t core_exec_start(core_run_t *r, const core_event_t *ev);

// Start a child execution for unit `item` of `ptask` (a workflow task).
// On success *child_id names it. A workflow-level problem (unknown
// workflow, bad input) returns SR_EEXPR with r->err saying why; the caller
// fails the unit.
sr_err_t core_exec_start_child(core_run_t *r, core_exec_t *parent,
                               core_task_t *ptask, uint32_t item,
                               const char *wf_name, sr_value_t *input,
                               sr_id_t *child_id);

// Decide whether a RUNNING execution is done (no active task left) and
// finish it. Safe to call after any change.
sr_err_t core_exec_check(core_run_t *r, core_exec_t *exec);

// Finish now with SUCCESS or ERROR (engine commands, fatal task errors).
// `info` may be NULL.
sr_err_t core_exec_finish(core_run_t *r, core_exec_t *exec,
                          core_ex_state_t state, const char *info);

sr_err_t core_exec_pause(core_run_t *r, core_exec_t *exec, const char *msg);
sr_err_t core_exec_resume(core_run_t *r, core_exec_t *exec);
sr_err_t core_exec_cancel(core_run_t *r, core_exec_t *exec, const char *msg);
sr_err_t core_exec_rerun(core_run_t *r, core_exec_t *exec,
                         const char *task_name, bool reset);

// Delete a finished top-level execution and everything of its tree
// (core_exec_del.c). SR_ESTATE for a sub-workflow execution, and for one
// that has not finished unless `force` (which cancels it first).
sr_err_t core_exec_delete(core_run_t *r, core_exec_t *exec, bool force);

// A child execution reached a final state: tell its parent task.
sr_err_t core_exec_child_done(core_run_t *r, const sr_id_t *child_id);

// "Failure caused by error in tasks: ..." for the execution's unhandled
// task errors; caller frees. NULL when there is none.
char *core_exec_error_summary(core_run_t *r, core_exec_t *exec);

#endif
