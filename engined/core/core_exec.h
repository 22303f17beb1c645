// Workflow executions in the state machine: start (top-level and child),
// resume, rerun, and a child's end reported to its parent.
#ifndef CORE_EXEC_H
#define CORE_EXEC_H

#include "core_run.h"

// Start a top-level execution (CORE_EV_START).
sr_err_t core_exec_start(core_run_t *r, const core_event_t *ev);

sr_err_t core_exec_resume(core_run_t *r, core_exec_t *exec);
sr_err_t core_exec_rerun(core_run_t *r, core_exec_t *exec,
                         const char *task_name, bool reset);

// Run a follow-up of this room: CORE_FU_CHILD_START,
// CORE_FU_CHILD_STARTED, CORE_FU_RESUME, CORE_FU_RESUME_UNITS and the
// deferred CORE_FU_CHILD_DONE.
sr_err_t core_exec_followup(core_run_t *r, const core_followup_t *fu);
// A follow-up pushed before CORE_FU_CHILD_STARTED failed with `rc`: a
// sub-workflow that could not start fails its unit; returns what is left
// of the error.
sr_err_t core_exec_caught(core_run_t *r, const core_followup_t *fu,
                          sr_err_t rc);

#endif
