// The units of a task: its one action / sub-workflow / no-op, or one per
// with-items item. Starting them (with concurrency), their results, and the
// DISPATCH of an action with its delegate token. What a unit's end means
// for its task is core_task.c's (CORE_FU_UNITS_DONE, CORE_FU_TASK_FAIL);
// starting a sub-workflow is core_exec.c's (CORE_FU_CHILD_START).
#ifndef CORE_UNIT_H
#define CORE_UNIT_H

#include "core_run.h"

// Set up the units of a task that starts running (with-items evaluated).
// A bad with-items or concurrency expression fails the task (fatal).
sr_err_t core_unit_setup(core_run_t *r, core_exec_t *exec, core_task_t *task);

// Start pending units while the concurrency limit allows.
sr_err_t core_unit_top_up(core_run_t *r, core_exec_t *exec, core_task_t *task);

// A unit reached a final state with `value` (result or error; borrowed).
sr_err_t core_unit_done(core_run_t *r, core_exec_t *exec, core_task_t *task,
                        uint32_t item, core_unit_state_t state,
                        const sr_value_t *value);

// Unit `item` could not start for a reason Mistral treats as the action's
// failure (bad ad-hoc action input, a sub-workflow that cannot start): it
// ends in ERROR with r->err's message, and the task's on-error may handle
// it.
sr_err_t core_unit_fail(core_run_t *r, core_exec_t *exec, core_task_t *task,
                        uint32_t item);

// Unit `item` runs sub-workflow execution `id`.
sr_err_t core_unit_started(core_run_t *r, core_task_t *task, uint32_t item,
                           const sr_id_t *id);

// Queue the DISPATCH command (TASK to a worker) for an action record,
// with a fresh delegate token whose hash the record keeps.
sr_err_t core_unit_dispatch(core_run_t *r, const core_exec_t *exec,
                            const core_task_t *task, core_action_t *a);

// A new delegate token (32 random bytes, URL-safe base64 without padding,
// never starting with '-') and its SHA-256, the only part the engine keeps.
#define CORE_TOKEN_SIZE 44
void core_token_new(char token[CORE_TOKEN_SIZE], uint8_t hash[32]);

// Run a follow-up of this room: CORE_FU_TOP_UP.
sr_err_t core_unit_followup(core_run_t *r, const core_followup_t *fu);

#endif
