// The units of a task: its one action / sub-workflow / no-op, or one per
// with-items item. Starting them (with concurrency), their results, and the
// worker-facing events (RESULT, COMPLETE, CONFIRM, worker lost).
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

// Stop every running unit of a task (actions get CANCEL, children are
// cancelled); the units become CANCELLED.
sr_err_t core_unit_cancel_all(core_run_t *r, core_exec_t *exec,
                              core_task_t *task);

// Queue the DISPATCH command (TASK to a worker) for an action record,
// with a fresh delegate token whose hash the record keeps.
sr_err_t core_unit_dispatch(core_run_t *r, const core_exec_t *exec,
                            const core_task_t *task, core_action_t *a);

// Unit state accessors over task->units.
core_unit_state_t core_unit_state(const core_task_t *task, uint32_t item);
sr_err_t core_unit_set_state(core_task_t *task, uint32_t item,
                             core_unit_state_t state);

sr_err_t core_unit_on_result(core_run_t *r, const core_event_t *ev);
sr_err_t core_unit_on_confirm(core_run_t *r, const core_event_t *ev);
sr_err_t core_unit_on_worker_lost(core_run_t *r, const core_event_t *ev);
// A new delegate token (32 random bytes, URL-safe base64 without padding,
// never starting with '-') and its SHA-256, the only part the engine keeps.
#define CORE_TOKEN_SIZE 44
void core_token_new(char token[CORE_TOKEN_SIZE], uint8_t hash[32]);
// A TASK refused, not confirmed in time, or offered before a restart: the
// action is offered again as the next attempt (a new TASK and token) if it
// still waits for a worker in the attempt the event names (0: any); one
// confirmed, ended or offered again meanwhile is left alone.
sr_err_t core_unit_on_reoffer(core_run_t *r, const core_event_t *ev);

#endif
