// What runs next: direct transitions (on-success / on-error / on-complete
// with conditions and engine commands), joins, and reverse workflows'
// requirements. A task's end reaches this room as CORE_FU_TASK_ENDED.
#ifndef CORE_FLOW_H
#define CORE_FLOW_H

#include "core_run.h"

// Start the first tasks of a new execution (follow-ups: the completion
// check is the caller's, after them).
sr_err_t core_flow_start(core_run_t *r, core_exec_t *exec);

// A task completed and the execution is running: evaluate its transitions
// and start what follows.
sr_err_t core_flow_after(core_run_t *r, core_exec_t *exec, core_task_t *task);

// Resuming: run what a completed task's `pause` command kept for later
// (tasks and commands after the pause in its transition list).
sr_err_t core_flow_backlog(core_run_t *r, core_exec_t *exec, core_task_t *task);

// Run a follow-up of this room: CORE_FU_TASK_ENDED, CORE_FU_TRIGGERS,
// CORE_FU_FLOW_DONE, CORE_FU_START, CORE_FU_REVERSE, CORE_FU_JOINS.
sr_err_t core_flow_followup(core_run_t *r, const core_followup_t *fu);
// A follow-up pushed before CORE_FU_FLOW_DONE failed with `rc`: an
// expression error fails the task whose transitions started it, and the
// workflow; returns what is left of the error.
sr_err_t core_flow_caught(core_run_t *r, const core_followup_t *fu,
                          sr_err_t rc);

#endif
