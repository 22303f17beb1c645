// Task executions: creation, the policies around running (pause-before,
// wait-before, timeout, retry, fail-on, wait-after), completion with
// publish, cancellation and the timers that fire.
#ifndef CORE_TASK_H
#define CORE_TASK_H

#include "core_run.h"

// Create a task execution of spec task `index` in WAITING state with the
// given inbound context and versions (both taken; may be NULL).
sr_err_t core_task_create(core_run_t *r, core_exec_t *exec,
                          const lang_workflow_t *wf, int index,
                          sr_value_t *in_ctx, sr_value_t *in_ver,
                          core_task_t **out);

// Run a WAITING (or PAUSED by pause-before) task: held while the
// execution is paused; then pause-before, wait-before, and its units.
sr_err_t core_task_run(core_run_t *r, core_exec_t *exec, core_task_t *task);

// Every unit of a RUNNING task is final: complete with their outcome.
sr_err_t core_task_units_done(core_run_t *r, core_exec_t *exec,
                              core_task_t *task);

// Complete an attempt with SUCCESS or ERROR (Mistral's Task.complete):
// wait-after, publish, fail-on, retry; then transitions, joins and the
// execution's completion check.
sr_err_t core_task_complete(core_run_t *r, core_exec_t *exec, core_task_t *task,
                            core_task_state_t state, const char *info);

// Force-fail (Mistral's force_fail_task): the task goes ERROR with `msg`
// without on-error or retry, and the workflow goes ERROR with the same
// message at once.
sr_err_t core_task_force_fail(core_run_t *r, core_exec_t *exec,
                              core_task_t *task, const char *msg);

// Cancel an active task and everything it runs.
sr_err_t core_task_cancel(core_run_t *r, core_exec_t *exec, core_task_t *task,
                          const char *info);

// A task timer fired (wait-before, wait-after, retry, timeout).
sr_err_t core_task_timer(core_run_t *r, const core_timer_t *timer);

// Run a follow-up of this room: CORE_FU_UNITS_DONE, CORE_FU_TASK_FAIL,
// CORE_FU_RETRY.
sr_err_t core_task_followup(core_run_t *r, const core_followup_t *fu);
// A follow-up pushed before CORE_FU_RETRY failed with `rc`: an expression
// error fails the completion; returns what is left of the error.
sr_err_t core_task_caught(core_run_t *r, const core_followup_t *fu,
                          sr_err_t rc);

#endif
