// Workflow executions in the state machine: start (top-level and child),
// resume, rerun, and a child's end reported to its parent.
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

sr_err_t core_exec_resume(core_run_t *r, core_exec_t *exec);
sr_err_t core_exec_rerun(core_run_t *r, core_exec_t *exec,
                         const char *task_name, bool reset);

// Run a follow-up of this room: CORE_FU_CHILD_DONE.
sr_err_t core_exec_followup(core_run_t *r, const core_followup_t *fu);

#endif
