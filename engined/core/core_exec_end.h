// How an execution ends (core_exec_end.c): the completion check once no
// task is active, and the finish with its state, state_info and output.
#ifndef CORE_EXEC_END_H
#define CORE_EXEC_END_H

#include "core_run.h"

// Decide whether a RUNNING execution is done (no active task left) and
// finish it. Safe to call after any change.
sr_err_t core_exec_check(core_run_t *r, core_exec_t *exec);

// Finish now with SUCCESS or ERROR (engine commands, fatal task errors).
// `info` may be NULL.
sr_err_t core_exec_finish(core_run_t *r, core_exec_t *exec,
                          core_ex_state_t state, const char *info);

// Run a follow-up of this room: CORE_FU_CHECK.
sr_err_t core_exec_end_followup(core_run_t *r, const core_followup_t *fu);

// "Failure caused by error in tasks: ..." for the execution's unhandled
// task errors; caller frees. NULL when there is none.
char *core_exec_error_summary(core_run_t *r, core_exec_t *exec);

#endif
