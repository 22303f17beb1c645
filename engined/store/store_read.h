// Typed reads of a partition's records, for the engine loop and the
// simulator: an execution, its task executions, action executions, the
// open actions that recovery picks up again, the timers that are due, the
// executions in id order that the expiration policy pages through, and
// the delegate token lookup. Callers name records and ids, never keys:
// the key layouts stay inside engined/store (store_key.h).
//
// Records come decoded (core_rec.h). A get hands its record to the caller
// (free it with core_*_destroy); SR_ENOTFOUND when absent, with a message
// naming the record. A walk hands each record to a visitor as `T **rec_p`:
// the visitor may take it (set *rec_p to NULL: it is then the visitor's),
// else it is freed after the call. A non-zero return from a visitor stops
// the walk and is returned. Ids of a partition sort by the time they were
// made (sr_id.h), so walks "in id order" are walks in creation order.
//
// Reads see what the transaction sees: in a write transaction, what the
// state cache has flushed (store_state_flush).
// Thread rule: the transaction's.
#ifndef STORE_READ_H
#define STORE_READ_H

#include <stdint.h>

#include "core_rec.h"
#include "sr_err.h"
#include "sr_id.h"
#include "store_part.h"

typedef sr_err_t (*store_exec_fn)(void *arg, core_exec_t **exec_p);
typedef sr_err_t (*store_task_fn)(void *arg, core_task_t **task_p);
typedef sr_err_t (*store_action_fn)(void *arg, core_action_t **action_p);
// Timers are small plain structs: borrowed for the call.
typedef sr_err_t (*store_timer_fn)(void *arg, const core_timer_t *timer);

// --- executions ------------------------------------------------------------

sr_err_t store_exec_get(store_txn_t *txn, const sr_id_t *id, core_exec_t **out,
                        sr_error_t *err);
// Every execution (sub-workflows too) in id order, from `from` on (itself
// included; NULL: from the first). A walk stopped at an execution resumes
// from its id.
sr_err_t store_execs(store_txn_t *txn, const sr_id_t *from, store_exec_fn fn,
                     void *arg, sr_error_t *err);

// --- task executions --------------------------------------------------------

sr_err_t store_task_get(store_txn_t *txn, const sr_id_t *exec_id, uint32_t seq,
                        core_task_t **out, sr_error_t *err);
// The task executions of execution `exec_id` in the order they were made
// (seq); NULL: of every execution of the partition, execution by
// execution.
sr_err_t store_tasks(store_txn_t *txn, const sr_id_t *exec_id, store_task_fn fn,
                     void *arg, sr_error_t *err);

// --- action executions ------------------------------------------------------

sr_err_t store_action_get(store_txn_t *txn, const sr_id_t *id,
                          core_action_t **out, sr_error_t *err);
// Every action execution in id order, from `from` on (itself included;
// NULL: from the first).
sr_err_t store_actions(store_txn_t *txn, const sr_id_t *from,
                       store_action_fn fn, void *arg, sr_error_t *err);
// The open actions: those waiting for a worker or running (SCHEDULED,
// RUNNING), in the order they were made, read from the dispatch queue
// rather than from every action ever run (what recovery needs).
sr_err_t store_open_actions(store_txn_t *txn, store_action_fn fn, void *arg,
                            sr_error_t *err);

// --- timers
// -------------------------------------------------------------------

// The timer due first: SR_ENOTFOUND when none is armed (err untouched).
sr_err_t store_timer_first(store_txn_t *txn, core_timer_t *out,
                           sr_error_t *err);
// The timers due at `now_ms` or before, the earliest first.
sr_err_t store_timers_due(store_txn_t *txn, int64_t now_ms, store_timer_fn fn,
                          void *arg, sr_error_t *err);

// --- delegate tokens
// ----------------------------------------------------------

// The action execution waiting for the delegate token whose SHA-256 is
// `hash`: SR_ENOTFOUND when none is (err untouched).
sr_err_t store_token_action(store_txn_t *txn, const uint8_t hash[32],
                            sr_id_t *action_id, sr_error_t *err);

#endif
