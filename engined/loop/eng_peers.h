// The other engines of the cluster (the peers of cfg->peers, numbered
// alike): a DEALER to each one's client endpoint, with an outbox for what
// it does not take yet; requests about their partitions forwarded to the
// owner and its answer relayed to the client; requests asked of every
// peer (definitions, tokens); the definitions this engine lacks fetched
// from them; heartbeats both ways (eng_peer_hb.h), so that a peer known
// down makes the requests for its partitions fail at once.
//
// Owns the DEALERs, the outboxes, the forwards waiting for an answer and
// the heartbeats. Answers clients on the client socket it is given
// (borrowed: the node owns it); the definitions it fetches become
// operations of the batch.
//
// Thread rule: the engine loop's thread.
#ifndef ENG_PEERS_H
#define ENG_PEERS_H

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eng.h"
#include "eng_batch.h"
#include "eng_part.h"
#include "sr_curve.h"
#include "sr_limits.h"
#include "sr_wire.h"
#include "store_docs.h"

typedef struct eng_peers eng_peers_t;

// What the peers work with, borrowed from the node: all must outlive
// them.
typedef struct {
    const eng_config_t *cfg;   // complete: name, times, the peers
    zsock_t *client;           // the client endpoint: answers to clients
    const sr_curve_t *curve;   // the engines' keys; NULL: no CurveZMQ
    const sr_limits_t *limits; // message limits of every socket
    eng_parts_t *parts;        // the partitions held
    eng_batch_t *batch;        // where fetched definitions go
    store_docs_t *docs;        // the definition cache
} eng_peers_deps_t;

// Connect to every peer (nothing is sent yet). Errors: SR_ENOMEM,
// SR_EINVAL naming a peer whose endpoint is refused, CurveZMQ's. Caller
// owns *out.
sr_err_t eng_peers_open(const eng_peers_deps_t *deps, eng_peers_t **out,
                        sr_error_t *err);
// Connect to the peers a newer cluster map added at the end of
// cfg->peers (those from eng_peers_count on). Errors as open's.
sr_err_t eng_peers_add(eng_peers_t *self, sr_error_t *err);
// Close every DEALER, dropping what waits. NULL-safe; sets *self_p to
// NULL.
void eng_peers_close(eng_peers_t **self_p);

size_t eng_peers_count(const eng_peers_t *self);
// Peer i's DEALER, to poll. Borrowed.
zsock_t *eng_peers_sock(eng_peers_t *self, size_t i);

// The loop starts at `now_ms` (peers silent from here on are down).
void eng_peers_start(eng_peers_t *self, int64_t now_ms);
// Each turn: take the peers' answers and relay them, send what waits in
// the outboxes, heartbeats (a peer silent for the expiry time is down and
// the requests waiting for it get EUNAVAIL), requests unanswered in time
// (EUNAVAIL), and every 2 s a comparison of definitions with the peers.
void eng_peers_tick(eng_peers_t *self, int64_t now_ms);

// The sender is another engine (its requests are never forwarded again).
bool eng_peers_is_peer(const sr_wire_peer_t *peer);
// Which peer (index in cfg->peers) a message on the client endpoint comes
// from; false when it is not from a peer of the cluster file.
bool eng_peers_which(const eng_peers_t *self, const sr_wire_peer_t *peer,
                     size_t *i);
// Send `m` to peer i at once, without an outbox: SR_EUNAVAIL when the
// link does not take it now (not connected, queue full). For messages
// that may be lost (Raft's: it sends them again).
sr_err_t eng_peers_send_now(eng_peers_t *self, size_t i, const sr_msg_t *m,
                            sr_error_t *err);
// Forward client request `in` about partition `part` to its owner, peer
// `owner`, or answer EUNAVAIL at once when the owner is known down.
void eng_peers_forward(eng_peers_t *self, sr_wire_in_t *in, size_t owner,
                       uint16_t part);
// Send `in` to every peer; `relay`: answer the client with the first
// success (asked only of the peers not known down), else ignore answers.
void eng_peers_broadcast(eng_peers_t *self, sr_wire_in_t *in, bool relay);
// A HEARTBEAT from another engine on the client endpoint.
void eng_peers_heard(eng_peers_t *self, sr_wire_in_t *in);

// Peer i as STATUS tells it: "up", "down" or "unknown", and how long it
// has been silent at `now_ms`.
const char *eng_peers_state(const eng_peers_t *self, size_t i);
int64_t eng_peers_silent_ms(const eng_peers_t *self, size_t i, int64_t now_ms);

#endif
