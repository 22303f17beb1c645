// The body of a STATUS reply: this engine (name, endpoints, partitions
// and their epochs), the cluster as it sees it (every engine with its
// partitions, the peers up, down or unknown), its worker sessions, the
// TASKs waiting, and its counters (batches, events, TASKs offered again,
// executions expired, CurveZMQ refusals, dispatch latency) and, with
// replicated partitions, each copy's Raft group (state, term, leader,
// commit index, replicas, followers' lag) and the replication counters;
// the process's CPU time and resident memory, and the messages counted on
// each socket (for CPU and messages per task, `sirocco bench`). Each
// figure comes from the object that keeps it, through its getters.
//
// Owns nothing beyond the call; changes nothing.
//
// Thread rule: the engine loop's thread (the objects' owner).
#ifndef ENG_VIEW_STATUS_H
#define ENG_VIEW_STATUS_H

#include "eng.h"
#include "eng_batch.h"
#include "eng_dispatch.h"
#include "eng_expire.h"
#include "eng_part.h"
#include "eng_peers.h"
#include "eng_repl.h"
#include "eng_workers.h"
#include "sr_curve_auth.h"
#include "sr_value.h"
#include "sr_wire_count.h"

// What STATUS reads, borrowed for the call.
typedef struct {
    const eng_config_t *cfg; // complete: name, endpoints, the cluster
    const eng_parts_t *parts;
    const eng_workers_t *workers;
    const eng_dispatch_t *dispatch;
    const eng_peers_t *peers;
    const eng_batch_t *batch;
    const eng_expire_t *expire;
    const sr_curve_auth_t *auth; // NULL: no CurveZMQ
    const eng_repl_t *repl;      // NULL: no replicated partitions
    // The messages counted on the client and worker ROUTERs and on the
    // DEALERs to the peers (all of them, together).
    const sr_wire_count_t *client_count, *worker_count, *peers_count;
} eng_view_status_src_t;

// Caller owns *out, written only on success (SR_ENOMEM otherwise).
sr_err_t eng_view_status(const eng_view_status_src_t *src, sr_value_t **out,
                         sr_error_t *err);

#endif
