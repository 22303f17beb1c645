// The worker endpoint's sessions, one per DEALER of a worker process:
// READY (a new session, or the same worker on a new connection), CREDIT,
// BYE; what each worker offers (actions, target group) and its slots;
// the actions it holds, offered (TASK sent) or told GO, checked against
// the `holding` list of its heartbeats; CONFIRMs and RESULTs turned into
// operations of the batch, and their GO / HALT / ACK once durable;
// heartbeats both ways; lost workers (silent, said BYE, restarted) and
// the actions they held; the dispatch latency (task ready -> GO).
//
// Owns the sessions and their heartbeat table. Sends on the worker socket
// it is given (borrowed: the node owns it). Applies no event: its
// operations go to the batch, the TASKs it is to offer again to the
// partitions' orphans, and the node hands it the outcomes.
//
// Thread rule: the engine loop's thread.
#ifndef ENG_WORKERS_H
#define ENG_WORKERS_H

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#include "core.h"
#include "eng.h"
#include "eng_batch.h"
#include "eng_latency.h"
#include "eng_part.h"
#include "sr_id.h"
#include "sr_msg.h"
#include "sr_wire.h"

typedef struct eng_workers eng_workers_t;

// A TASK waiting for a worker that can take it (the dispatch queue keeps
// them, eng_dispatch.h): the message, what it needs of a worker, and
// when the engine decided to run it.
typedef struct {
    sr_msg_t *task; // the TASK message
    char *action;   // the action it runs
    char *target;   // the target group; NULL: none
    sr_id_t action_id;
    uint32_t attempt;
    int64_t ready_ms;
} eng_queued_t;

// What STATUS tells of one session.
typedef struct {
    const char *name; // borrowed: valid until the session changes
    int64_t slots, used;
} eng_worker_info_t;

// No session yet. `cfg` (complete: name, heartbeat and expiry times, the
// worker endpoints told to workers), `sock`, `parts` and `batch` are
// borrowed and must outlive the sessions. NULL when out of memory.
eng_workers_t *eng_workers_new(const eng_config_t *cfg, zsock_t *sock,
                               eng_parts_t *parts, eng_batch_t *batch);
// NULL-safe; sets *self_p to NULL.
void eng_workers_destroy(eng_workers_t **self_p);

// A message from the worker endpoint (decoded). A bad one is answered
// with ERROR on the socket.
void eng_workers_recv(eng_workers_t *self, sr_wire_in_t *in);

// After the commit: the answer to a CONFIRM (GO, or HALT naming why) or
// a RESULT (ACK, unless it was not durable) from `op`'s outcome; `cmds`
// holds the commands its event produced.
void eng_workers_answer(eng_workers_t *self, const eng_op_t *op,
                        const core_cmds_t *cmds);

// Send TASK `q` to a worker with a free slot that offers its action in
// its group (round robin): true when it is on its way (it leaves at the
// next eng_workers_flush) and holds a slot there. `q` stays the caller's
// either way.
bool eng_workers_offer(eng_workers_t *self, const eng_queued_t *q);

// At the end of the loop's turn: what the turn has for each session
// (TASK, GO, HALT, ACK, ERROR, HEARTBEAT, in the order made) leaves, as
// BATCH messages to a worker whose messages carry minor version 7 or
// later, one by one to an older one. TASKs of a send that failed are
// offered again.
void eng_workers_flush(eng_workers_t *self);

// Heartbeats to the workers when due, sessions silent for the expiry
// time lost, and TASKs not confirmed for 6 expiry times offered again.
void eng_workers_tick(eng_workers_t *self, int64_t now_ms);
// When the next heartbeat is due (to wake the loop).
int64_t eng_workers_next_beat(const eng_workers_t *self);

// The partitions this engine serves (eng_parts_count and the getters)
// changed: a HEARTBEAT with the new list (`partitions`) to every worker
// at once, so that workers send CONFIRMs and RESULTs of a partition to
// its new leader without waiting for the next heartbeat interval. Call
// it after the change, from the loop's thread.
void eng_workers_partitions_changed(eng_workers_t *self);

// An action found RUNNING at restart, confirmed by the worker named
// `worker`: when that worker is connected again, it holds the action
// (told GO) and true (the adoption asked by eng_parts_orphans_due).
bool eng_workers_adopt(eng_workers_t *self, const char *worker,
                       const sr_id_t *action_id, uint32_t attempt);

// --- figures for STATUS ---------------------------------------------------

size_t eng_workers_count(const eng_workers_t *self);
// Session i (< count).
eng_worker_info_t eng_workers_info(const eng_workers_t *self, size_t i);
// Dispatch latency: task ready -> GO sent. Borrowed.
const eng_latency_t *eng_workers_latency(const eng_workers_t *self);
// TASKs refused by a worker or not confirmed, offered again.
uint64_t eng_workers_reoffered(const eng_workers_t *self);

#endif
