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
#include "eng_expire.h"
#include "eng_part.h"
#include "eng_subs.h"
#include "eng_view.h"
#include "eng_view_action.h"
#include "sr_curve_auth.h"
#include "sr_heartbeat.h"
#include "sr_wire.h"
#include "store_docs.h"

// An action at a worker: offered (TASK sent) or running (told GO).
typedef struct {
    sr_id_t id;
    uint32_t attempt;
    int64_t ready_ms;   // when the engine decided to run it (for latency)
    int64_t offered_ms; // when its TASK left
    bool is_go;         // confirmed and told GO
    int64_t missing_ms; // first heartbeat whose `holding` lacked it while
                        // told GO; 0 = listed (or no list heard)
} eng_run_t;

// A worker session (one DEALER of one worker process).
typedef struct {
    sr_wire_peer_t peer;
    char *name;
    char *target;        // NULL: no group
    sr_value_t *actions; // array of names / prefixes ending in '*'; NULL = all
    int64_t slots, used;
    int64_t pid;        // READY.pid; 0 = not said
    eng_run_t *running; // actions told GO (or offered) and not finished
    size_t nrunning, caprunning;
} eng_worker_t;

// A TASK waiting for a worker that can take it.
typedef struct {
    sr_msg_t *task; // the TASK message (owned)
    char *action;
    char *target;
    sr_id_t action_id;
    uint32_t attempt;
    int64_t ready_ms;
} eng_queued_t;

// Dispatch latency samples (task ready -> GO sent), a ring.
#define ENG_LAT_SAMPLES 65536

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
    // workers
    eng_worker_t *workers;
    size_t nworkers, capworkers, next_worker;
    sr_heartbeat_t *hb_workers;
    eng_queued_t *queue;
    size_t nqueue, capqueue;
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
    uint64_t reoffered;      // TASKs refused or not confirmed, offered again
    int64_t next_confirm_check; // when to look for unconfirmed TASKs again
    eng_subs_t *subs;
    // stopping
    zactor_t *actor;
    volatile bool stop;
    float *lat;  // ENG_LAT_SAMPLES dispatch latencies, ms
    size_t nlat; // samples taken (the ring holds the latest)
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

// eng_work.c
void eng_work_recv(eng_t *eng, sr_wire_in_t *in);
// Offer a DISPATCH command (or queue it).
sr_err_t eng_work_dispatch(eng_t *eng, const core_cmd_t *cmd, uint64_t epoch);
// Queue a ready TASK message (ownership moves in).
sr_err_t eng_work_offer(eng_t *eng, sr_msg_t **task_p, const char *action,
                        const char *target);
void eng_work_send_queued(eng_t *eng);
void eng_work_answer(eng_t *eng, const eng_op_t *op);
void eng_work_heartbeats(eng_t *eng, int64_t now);
void eng_work_fini(eng_t *eng);
// An action found RUNNING at restart, confirmed by worker `worker`: when
// that worker is connected again, it holds the action (told GO) and true.
bool eng_work_adopt(eng_t *eng, const char *worker, const sr_id_t *action_id,
                    uint32_t attempt);
// Free the slot an attempt of an action held at its worker (RESULT or
// HALT; attempt 0: whichever it holds); the attempt freed, 0 if none.
uint32_t eng_work_release(eng_t *eng, const sr_wire_peer_t *peer,
                          const sr_id_t *action_id, uint32_t attempt);
// Dispatch latency percentile (0..100) over the samples; -1 when none.
double eng_work_latency(const eng_t *eng, double pct);

// eng_client.c
void eng_client_recv(eng_t *eng, sr_wire_in_t *in);
void eng_client_answer(eng_t *eng, const eng_op_t *op);

// eng_view_status.c
sr_err_t eng_view_status(eng_t *eng, sr_value_t **out, sr_error_t *err);

#endif
