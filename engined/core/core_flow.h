// What runs next: direct transitions (on-success / on-error / on-complete
// with conditions and engine commands), joins, and reverse workflows'
// requirements.
#ifndef CORE_FLOW_H
#define CORE_FLOW_H

#include "core_run.h"

// Start the first tasks of a new execution.
sr_err_t core_flow_start(core_run_t *r, core_exec_t *exec);

// A task completed and the execution is running: evaluate its transitions
// and start what follows.
sr_err_t core_flow_after(core_run_t *r, core_exec_t *exec, core_task_t *task);

// Resuming: run what a completed task's `pause` command kept for later
// (tasks and commands after the pause in its transition list).
sr_err_t core_flow_backlog(core_run_t *r, core_exec_t *exec, core_task_t *task);

// Re-evaluate waiting joins (after any task completion); `force` turns a
// join that can still only wait into an ERROR (nothing left can reach it).
sr_err_t core_flow_joins(core_run_t *r, core_exec_t *exec, bool force);

#endif
