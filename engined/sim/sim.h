// The in-process driver: the engine's state machine over a real LMDB
// partition, an inline worker and a virtual clock, so whole workflows run
// to their end inside a test without sockets, threads or sleeping.
//
// Each event is one write transaction (core_step, flush, commit); commands
// are carried out after the commit, as the engine loop does. DISPATCH
// offers the action to the inline worker (CONFIRM, then the action on GO),
// which runs it through the runner the sim was opened with (sim_runner.h);
// a result the runner delays arrives on the virtual clock; timers are read
// back from the partition, so reopening a partition after a crash finds
// everything due.
//
// Thread rule: a sim and everything it returns belong to one thread.
#ifndef SIM_H
#define SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "lang_spec.h"
#include "sim_runner.h"
#include "sr_err.h"
#include "sr_id.h"
#include "sr_value.h"
#include "store_part.h"

typedef struct sim sim_t;

// Open (or reopen) the partition in folder `dir` (created by the caller).
// On reopen, actions that were offered and not finished are offered again,
// and actions that ran but whose result was not applied are re-delivered
// (the worker resends its result), so a crashed run can be finished.
// Actions run through `runner` (copied; its arg is borrowed). SR_EINVAL
// without one.
sr_err_t sim_open(const char *dir, store_durability_t durability,
                  const sim_runner_t *runner, sim_t **out, sr_error_t *err);
void sim_close(sim_t **sim_p);

// Parse, validate and store a workflow document (named `file` in
// messages). SR_EINVAL with `diags` filled when it is invalid.
sr_err_t sim_define(sim_t *sim, const char *file, const char *text, size_t len,
                    lang_diags_t *diags, sr_error_t *err);

// Start an execution; input, env, params may be NULL. *id names it.
sr_err_t sim_start(sim_t *sim, const char *wf_name, const sr_value_t *input,
                   const sr_value_t *env, const sr_value_t *params, sr_id_t *id,
                   sr_error_t *err);

// Apply one event at the current virtual time (its now_ms is set here).
sr_err_t sim_apply(sim_t *sim, core_event_t *ev, sr_error_t *err);

// Run until nothing is left to do (no action to run, no timer, no sleep)
// or `max_events` events were applied (then SR_ETOOBIG).
sr_err_t sim_run(sim_t *sim, size_t max_events, sr_error_t *err);

// Apply at most `n` more events (0 = as many as needed); *idle tells
// whether nothing is left. For tests that stop at chosen points.
sr_err_t sim_run_some(sim_t *sim, size_t n, bool *idle, sr_error_t *err);

int64_t sim_now(const sim_t *sim);
// The partition (borrowed), for tests that read its databases raw.
store_part_t *sim_store(sim_t *sim);
// Events applied since open.
size_t sim_events(const sim_t *sim);
// The commands of the last event applied (borrowed; valid until the next
// event). Empty when the last event was refused.
const core_cmds_t *sim_last_cmds(const sim_t *sim);

// Copies of the durable records (caller owns them).
sr_err_t sim_exec(sim_t *sim, const sr_id_t *id, core_exec_t **out,
                  sr_error_t *err);
// Task executions of an execution in the order they were created; free
// with sim_tasks_free.
sr_err_t sim_tasks(sim_t *sim, const sr_id_t *exec_id, core_task_t ***out,
                   size_t *n, sr_error_t *err);
void sim_tasks_free(core_task_t **tasks, size_t n);
// Every action execution of the partition (caller frees as above).
sr_err_t sim_actions(sim_t *sim, core_action_t ***out, size_t *n,
                     sr_error_t *err);
void sim_actions_free(core_action_t **actions, size_t n);
// Entries of the dispatch queue (actions waiting for a worker or running).
sr_err_t sim_queue_count(sim_t *sim, size_t *out, sr_error_t *err);

#endif
