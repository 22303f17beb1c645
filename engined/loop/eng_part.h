// The partitions of the cluster as this engine sees them. Those it holds,
// each an LMDB environment in its own folder DATA/p<N>: the store, the
// ownership epoch (bumped at each open), the earliest timer, the delegate
// tokens, and what a restart must pick up again (the actions offered or
// running when it stopped). The actions waiting to be handed back to the
// core (orphans): those of a restart, and those the worker sessions or a
// failed commit give back. And the cluster map: which engine holds each
// partition this one does not.
//
// Replicated partitions (cfg->replicas > 1): every partition of the
// engine's list is a copy, opened at start; this engine *serves* the
// copies whose Raft group it leads, and only those: the index space
// below (count, find, store, timers, recovery) is that of the partitions
// served, and it changes only through eng_parts_serve / eng_parts_unserve,
// which the node calls between batches. A copy's epoch is the Raft term
// in which it is served. Without replication every partition is served
// from the start, in an epoch bumped at each open.
//
// Owns the stores and the orphans. Applies no event and answers nothing:
// the operations it makes (timers due, orphans due) go to the batch given
// at open, and the node routes their outcomes.
//
// Thread rule: the engine loop's thread.
#ifndef ENG_PART_H
#define ENG_PART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "eng.h"
#include "eng_batch.h"
#include "sr_err.h"
#include "sr_id.h"
#include "store_part.h"

typedef struct eng_parts eng_parts_t;

// An action to hand back to the core at `due`: REOFFER (its TASK was
// refused, not confirmed, or offered before a restart: offered again as a
// new attempt if it still waits in `attempt`), or WORKER_LOST (running at
// a restart and its worker did not come back with the result).
typedef struct {
    sr_id_t action_id;
    int64_t due;
    core_event_kind_t kind; // CORE_EV_REOFFER or CORE_EV_WORKER_LOST
    uint32_t attempt;       // REOFFER: the attempt offered; 0 = any
    const char *worker;     // REOFFER: static text for the event
    const char *why;        // WORKER_LOST: static text, how it was lost
} eng_orphan_t;

// Is the worker named `worker`, which confirmed action `action_id`
// (attempt `attempt`) before a restart, connected again? Then it keeps
// the action (true). Asked of the worker sessions by the node.
typedef bool(eng_parts_adopt_fn)(void *arg, const char *worker,
                                 const sr_id_t *action_id, uint32_t attempt);

// Open (or create) every partition of `cfg` under cfg->data_dir, bump
// their epochs and log what was found. `cfg` (complete: name, data
// folder, expiry time) and `batch` are borrowed and must outlive the
// partitions. Errors name the partition or folder. Caller owns *out.
sr_err_t eng_parts_open(const eng_config_t *cfg, eng_batch_t *batch,
                        eng_parts_t **out, sr_error_t *err);
// After open: note the actions partition i had offered (offered again at
// once) or running (lost unless their worker comes back within the
// expiry time) when it stopped, as orphans.
sr_err_t eng_parts_recover(eng_parts_t *self, size_t i, sr_error_t *err);
// Close every store. NULL-safe; sets *self_p to NULL.
void eng_parts_close(eng_parts_t **self_p);

// --- the partitions served: index i < eng_parts_count -------------------

size_t eng_parts_count(const eng_parts_t *self);
// The most partitions that can be served: the copies held.
size_t eng_parts_capacity(const eng_parts_t *self);
// The index of partition `number` when this engine holds it.
bool eng_parts_find(const eng_parts_t *self, uint16_t number, size_t *index);
uint16_t eng_parts_number(const eng_parts_t *self, size_t i);
uint64_t eng_parts_epoch(const eng_parts_t *self, size_t i);
// Created empty at this start (its folder held none).
bool eng_parts_is_created(const eng_parts_t *self, size_t i);
// Borrowed; valid until eng_parts_close.
store_part_t *eng_parts_store(const eng_parts_t *self, size_t i);

// The copy whose workflow catalog reads use (every partition keeps the
// catalog): the first served, else the first copy.
store_part_t *eng_parts_catalog(const eng_parts_t *self);

// --- copies: index k < eng_parts_capacity, served or not ----------------

bool eng_parts_replicated(const eng_parts_t *self);
uint16_t eng_parts_copy_number(const eng_parts_t *self, size_t k);
store_part_t *eng_parts_copy_store(const eng_parts_t *self, size_t k);
bool eng_parts_copy_serving(const eng_parts_t *self, size_t k);
// Serve copy k from now on, in `epoch` (its Raft term; the copy must hold
// every committed entry): its earliest timer is read again; *index is
// its index among those served (indexes of others may move: call between
// batches only). Then eng_parts_recover.
sr_err_t eng_parts_serve(eng_parts_t *self, size_t k, uint64_t epoch,
                         size_t *index, sr_error_t *err);
// Replicated: open (or create) a copy of partition `number` that a newer
// cluster map gives this engine, as copy *k (the last). Between batches.
sr_err_t eng_parts_add_copy(eng_parts_t *self, uint16_t number, size_t *k,
                            sr_error_t *err);
// Replicated: close copy k, which is not served, and delete its folder
// (the map gave the partition to another engine, and its group no longer
// counts on this copy). The copies after it move down by one. Between
// batches.
sr_err_t eng_parts_drop_copy(eng_parts_t *self, size_t k, sr_error_t *err);
// Stop serving copy k (its leader is another engine now): its orphans are
// dropped (the new leader picks its actions up). Between batches only.
void eng_parts_unserve(eng_parts_t *self, size_t k);

// --- the cluster map ----------------------------------------------------

// The index in cfg->peers of the engine holding `partition`, or -1.
// Replicated: its leader as last heard of (eng_parts_set_leader), -1 when
// unknown or this engine.
int eng_parts_owner(const eng_parts_t *self, uint16_t partition);
// Replicated: the leader of `partition` is peer `peer` (index in
// cfg->peers), or unknown (-2); this engine is noted by serving it.
void eng_parts_set_leader(eng_parts_t *self, uint16_t partition, int peer);
// Replicated: peer `peer` said in its heartbeat that it serves
// `partition` in `term`. For a partition this engine holds no copy of
// (its group tells it the leader of the others), the peer of the highest
// term heard is the leader from now on.
void eng_parts_heard_serving(eng_parts_t *self, uint16_t partition, int peer,
                             uint64_t term);
// SR_EUNAVAIL for a request about `partition`, which this engine does not
// hold: the message names its owner by the cluster file (name and client
// endpoint), or says that no engine owns it. Returns SR_EUNAVAIL.
sr_err_t eng_parts_not_here(const eng_parts_t *self, uint16_t partition,
                            sr_error_t *err);

// --- timers -------------------------------------------------------------

// The due time of the earliest timer of any partition; 0 = none.
int64_t eng_parts_next_timer(const eng_parts_t *self);
// Partition i's earliest timer, read again from its store.
sr_err_t eng_parts_read_timer(eng_parts_t *self, size_t i, sr_error_t *err);
// A committed command armed a timer of partition i due at `due_ms`.
void eng_parts_timer_armed(eng_parts_t *self, size_t i, int64_t due_ms);
// Add TIMER operations to the batch for partition i's timers due at
// `now_ms` (at most `max`). Its earliest timer is read again after its
// batch commits.
sr_err_t eng_parts_due_timers(eng_parts_t *self, size_t i, int64_t now_ms,
                              size_t max, sr_error_t *err);

// --- orphans ------------------------------------------------------------

// Hand an action to the core later. SR_ENOMEM only.
sr_err_t eng_parts_orphan_add(eng_parts_t *self, eng_orphan_t orphan);
// REOFFER and WORKER_LOST operations in the batch for the orphans due at
// `now_ms`; a WORKER_LOST whose worker `adopt` says is back is dropped.
// SR_ENOMEM when the batch cannot grow (the rest wait for the next turn).
sr_err_t eng_parts_orphans_due(eng_parts_t *self, int64_t now_ms,
                               eng_parts_adopt_fn *adopt, void *arg);

// --- tokens -------------------------------------------------------------

// The action execution id a delegate token names (any partition held);
// SR_ENOTFOUND when none.
sr_err_t eng_parts_token_lookup(const eng_parts_t *self, const char *token,
                                sr_id_t *out, sr_error_t *err);

#endif
