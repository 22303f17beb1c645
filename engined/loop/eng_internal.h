// Inside the engine node: the loop's state shared by its files.
//   eng_node.c    lifecycle, sockets, the loop and its batches
//   eng_batch.c   applying a batch of operations to one partition
//   eng_work.c    the worker endpoint: sessions, credit, dispatch queue
//   eng_client.c  the client endpoint: requests, replies, subscriptions
//   eng_view.c    executions, tasks and workflows as reply bodies
//   eng_view_action.c  one task execution, action executions
//   eng_part.c    partitions: open, timers, recovery, tokens
//   eng_peer.c    the other engines: forwarding, definitions
//   eng_peer_hb.c heartbeats between engines: which peers are down
//   eng_expire.c  deleting executions finished longer ago than
//                 expire-after-s
#ifndef ENG_INTERNAL_H
#define ENG_INTERNAL_H

#include <czmq.h>

#include "core.h"
#include "eng_clock.h"
#include "eng.h"
#include "eng_batch.h"
#include "eng_dispatch.h"
#include "eng_expire.h"
#include "eng_part.h"
#include "eng_subs.h"
#include "eng_view.h"
#include "eng_view_action.h"
#include "eng_workers.h"
#include "sr_curve_auth.h"
#include "sr_heartbeat.h"
#include "sr_wire.h"
#include "store_docs.h"

// Another engine (eng_peer.c).
typedef struct {
    char *name, *worker;
    uint16_t *parts;
    size_t nparts;
    zsock_t *sock;      // DEALER to its client endpoint
    int64_t heard_ms;   // when it was last heard from; 0 = not since start
    bool is_down;       // known down: silent for the expiry time
    int64_t run;        // its HEARTBEAT.run; 0 = not heard
    sr_value_t *seen;   // owned: its partitions as its last HEARTBEAT said
    sr_value_t *before; // owned: the same, as last said in its previous run
    // Messages not yet taken by the socket (the peer is not connected),
    // in order; each with the forward it belongs to and a deadline.
    struct eng_out *out;
    size_t nout, capout;
} eng_peer_t;

typedef struct eng_out {
    sr_msg_t *msg;
    int64_t fwd_id;
    int64_t deadline;
} eng_out_t;

typedef enum {
    ENG_FWD_RELAY = 1, // a client's request at the owner: relay the answer
    ENG_FWD_ANY,       // asked of every peer: the first success is relayed
    ENG_FWD_IGNORE,    // sent to every peer, answers dropped
    ENG_FWD_SYNC_LIST, // start-up: which workflows a peer has
    ENG_FWD_SYNC_GET,  // start-up: a definition this engine lacks
} eng_fwd_kind_t;

// A request sent to peers and not answered yet.
typedef struct {
    int64_t id; // the req_id the peers see
    eng_fwd_kind_t kind;
    sr_wire_peer_t from; // the client to answer
    int64_t req_id;      // the client's req_id
    int64_t deadline;
    size_t waiting; // answers still expected
    size_t peer;    // RELAY, SYNC_*: which peer
    uint16_t part;  // RELAY: the partition asked about
} eng_fwd_t;

struct eng {
    eng_config_t cfg;
    char *name, *data_dir, *client_ep, *worker_ep, *callback_url;
    zsock_t *client, *worker;
    sr_curve_t *curve;     // NULL: no CurveZMQ
    sr_curve_auth_t *auth; // the allow list, with curve
    eng_parts_t *parts;
    eng_expire_t *expire;
    bool loss_told[ENG_MAX_PARTITIONS]; // a peer's word that a partition
                                        // held executions was logged
    size_t next_part;                   // round robin for new executions
    store_docs_t *docs;
    eng_batch_t *batch;
    sr_limits_t limits;
    eng_workers_t *workers;
    eng_dispatch_t *dispatch;
    eng_peer_t *peers;
    size_t npeers;
    eng_fwd_t *fwd;
    size_t nfwd, capfwd;
    int64_t next_fwd;
    int64_t next_sync;       // when to compare definitions with the peers again
    int64_t started_ms;      // when this engine started
    int64_t next_peer_hb;    // when the peers get the next HEARTBEAT
    int64_t run;             // drawn at start; tells the peers of a restart
    char peer_identity[300]; // "peer:NAME", how this engine calls others
    eng_subs_t *subs;
    // stopping
    zactor_t *actor;
    volatile bool stop;
};

// eng_peer.c
sr_err_t eng_peers_open(eng_t *eng, sr_error_t *err);
void eng_peers_close(eng_t *eng);
// The sender is another engine (its requests are never forwarded again).
bool eng_from_peer(const sr_wire_peer_t *peer);
// Forward a request about `part` to its owner, or answer EUNAVAIL at once
// when the owner is known down.
void eng_peer_forward(eng_t *eng, sr_wire_in_t *in, int owner, uint16_t part);
// Answer EUNAVAIL to every request waiting for peer i (known down now).
void eng_peer_fail_pending(eng_t *eng, size_t i);
// To every peer; `relay`: answer the client with the first success.
void eng_peer_broadcast(eng_t *eng, sr_wire_in_t *in, bool relay);
void eng_peers_sync(eng_t *eng);
void eng_peer_recv(eng_t *eng, size_t i);
void eng_peers_expire(eng_t *eng, int64_t now);
// Send what waits in the peers' outboxes (each turn of the loop).
void eng_peers_flush(eng_t *eng, int64_t now);

// eng_peer_hb.c: heartbeats between engines, and which peers are down.
// Send the peers their HEARTBEAT when due, and take those silent for the
// expiry time as down.
void eng_peers_heartbeat(eng_t *eng, int64_t now);
// A HEARTBEAT from another engine on the client endpoint: the peer is up,
// and what it says of partitions is kept (or warned about).
void eng_peer_heard(eng_t *eng, sr_wire_in_t *in);
// Peer i was heard from (any message).
void eng_peer_touch(eng_t *eng, size_t i, int64_t now);
// How long peer i has been silent (since start when never heard).
int64_t eng_peer_silent_ms(const eng_t *eng, size_t i, int64_t now);
// "up", "down", or "unknown" (not heard yet, not silent long enough).
const char *eng_peer_state(const eng_t *eng, size_t i);

// eng_client.c
void eng_client_recv(eng_t *eng, sr_wire_in_t *in);
void eng_client_answer(eng_t *eng, const eng_op_t *op);

// eng_view_status.c
sr_err_t eng_view_status(eng_t *eng, sr_value_t **out, sr_error_t *err);

#endif
