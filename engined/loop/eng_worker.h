// One worker session as the engine sees it (one DEALER of one worker
// process): who it is (name, pid, target group, the actions it offers,
// the protocol minor version it speaks), its slots, the actions it holds:
// offered (TASK sent) or told GO, each holding a slot, and the messages
// for it waiting for the end of the loop's turn. Pure bookkeeping: it
// sends nothing, reads no clock and makes no operation (eng_workers.c
// does, for every session).
//
// Thread rule: the engine loop's thread.
#ifndef ENG_WORKER_H
#define ENG_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_id.h"
#include "sr_msg.h"
#include "sr_wire.h"
#include "sr_wire_batch.h"

typedef struct eng_worker eng_worker_t;

// An action at a worker: offered (TASK sent) or running (told GO). The
// session's owner may change is_go and missing_ms.
typedef struct {
    sr_id_t id;
    uint32_t attempt;
    int64_t ready_ms;   // when the engine decided to run it (for latency)
    int64_t offered_ms; // when its TASK left
    bool is_go;         // confirmed and told GO
    int64_t missing_ms; // first heartbeat whose `holding` lacked it while
                        // told GO; 0 = listed (or no list heard)
} eng_run_t;

// The session of the worker at `peer`, before its READY (no name, no
// slot). NULL when out of memory.
eng_worker_t *eng_worker_new(const sr_wire_peer_t *peer);
// NULL-safe; sets *self_p to NULL.
void eng_worker_destroy(eng_worker_t **self_p);

// What READY `m` says: name, target group, the actions offered (taken
// from `m`), slots, pid. The actions held stay, each in its slot.
// SR_ENOMEM when the name could not be kept (the session has none).
sr_err_t eng_worker_ready(eng_worker_t *self, sr_msg_t *m);

// The connection; the same worker may come back on another.
const sr_wire_peer_t *eng_worker_peer(const eng_worker_t *self);
void eng_worker_set_peer(eng_worker_t *self, const sr_wire_peer_t *peer);
// The protocol minor version of the worker's latest message (0 before
// any): whether it understands BATCH (sr_wire_batch_understood).
uint32_t eng_worker_minor(const eng_worker_t *self);
void eng_worker_set_minor(eng_worker_t *self, uint32_t minor);
// The messages for the worker that wait for the end of the loop's turn.
// Borrowed: the session owns it.
sr_wire_batch_t *eng_worker_outbox(eng_worker_t *self);
// NULL before READY. Borrowed: valid until the next READY.
const char *eng_worker_name(const eng_worker_t *self);
int64_t eng_worker_pid(const eng_worker_t *self); // 0: not said
// Slots (CREDIT changes them; -1 marks a session whose heartbeats
// expired), and those the actions held take.
int64_t eng_worker_slots(const eng_worker_t *self);
void eng_worker_set_slots(eng_worker_t *self, int64_t slots);
int64_t eng_worker_used(const eng_worker_t *self);
// A free slot, and `action` offered in group `target` (NULL: none).
bool eng_worker_can_take(const eng_worker_t *self, const char *action,
                         const char *target);

// The actions held, in no particular order: entry i (< count) and the one
// of an attempt of action `id` (attempt 0: any), or NULL. Borrowed: valid
// until the next hold or drop.
size_t eng_worker_nruns(const eng_worker_t *self);
eng_run_t *eng_worker_run(eng_worker_t *self, size_t i);
eng_run_t *eng_worker_find(eng_worker_t *self, const sr_id_t *id,
                           uint32_t attempt);
// Hold an attempt of action `id` in a slot: its new entry (borrowed like
// the others), or NULL when out of memory.
eng_run_t *eng_worker_hold(eng_worker_t *self, const sr_id_t *id,
                           uint32_t attempt, int64_t ready_ms,
                           int64_t offered_ms);
// Forget entry `r`, freeing its slot (the last entry takes its place).
void eng_worker_drop(eng_worker_t *self, eng_run_t *r);
// Forget the entry of an attempt of action `id` (attempt 0: whichever);
// the attempt freed, 0 if none.
uint32_t eng_worker_release(eng_worker_t *self, const sr_id_t *id,
                            uint32_t attempt);

// An action the worker no longer holds (eng_worker_check_holding): its
// entry, valid during the call only.
typedef void(eng_worker_lost_fn)(const eng_run_t *r, void *arg);

// Check the actions told GO against `holding`, the action ids a heartbeat
// of the worker lists at `now_ms`: one its lists have lacked for
// `interval_ms` is passed to `lost`, then forgotten (its slot is free).
// Within one connection messages keep their order, and a worker holds an
// action from its TASK to the ACK of its RESULT, so a list read after the
// GO's commit names every action still there; the interval covers a list
// from an earlier connection. Costs O(n log n) in the list's length. Out
// of memory: nothing is checked (the next heartbeat is).
void eng_worker_check_holding(eng_worker_t *self, const sr_value_t *holding,
                              int64_t now_ms, int64_t interval_ms,
                              eng_worker_lost_fn *lost, void *arg);

#endif
