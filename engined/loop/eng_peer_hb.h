// Heartbeats between the engines of a cluster: which peers are up, down
// or not heard yet, and which partitions held executions before a
// restart (see eng_peer_hb.c). Peers are numbered as in cfg->peers.
//
// Owns what each peer last said of itself (its run, its partitions now
// and in its previous run) and when it was last heard; reads the
// partitions held. Sends nothing: it makes each HEARTBEAT and says which
// peer just went down, and the peers (eng_peers.c) send and answer.
//
// Thread rule: the engine loop's thread.
#ifndef ENG_PEER_HB_H
#define ENG_PEER_HB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eng.h"
#include "eng_part.h"
#include "sr_msg.h"
#include "sr_wire.h"

typedef struct eng_peer_hb eng_peer_hb_t;

// Nothing heard yet from the peers of `cfg` (complete: name, heartbeat
// and expiry times); `cfg` and `parts` are borrowed and must outlive it.
// NULL when out of memory.
eng_peer_hb_t *eng_peer_hb_new(const eng_config_t *cfg,
                               const eng_parts_t *parts);
// NULL-safe; sets *self_p to NULL.
void eng_peer_hb_destroy(eng_peer_hb_t **self_p);

// The loop starts at `now_ms`: a peer not heard within the expiry time
// from here is down.
void eng_peer_hb_start(eng_peer_hb_t *self, int64_t now_ms);

// The HEARTBEAT due at `now_ms` (once per heartbeat interval; caller owns
// it), or NULL when none is due (or out of memory: the next interval
// tries again). Complete it for each peer with eng_peer_hb_address.
sr_msg_t *eng_peer_hb_due(eng_peer_hb_t *self, int64_t now_ms);
// Put in `heartbeat` what peer i said of its own partitions in its
// previous run. SR_ENOMEM only.
sr_err_t eng_peer_hb_address(const eng_peer_hb_t *self, size_t i,
                             sr_msg_t *heartbeat);

// Peer i is silent for more than the expiry time at `now_ms` and was
// not known down: it is now (logged), and true.
bool eng_peer_hb_check_down(eng_peer_hb_t *self, size_t i, int64_t now_ms);
// Peer i was heard from (any message) at `now_ms`: up.
void eng_peer_hb_touch(eng_peer_hb_t *self, size_t i, int64_t now_ms);
// A HEARTBEAT from another engine on the client endpoint (its identity
// "peer:NAME" names it): it is up, and what it says of partitions is kept
// (or warned about, for a partition created empty here that it saw
// holding executions before this engine restarted).
void eng_peer_hb_heard(eng_peer_hb_t *self, sr_wire_in_t *in, int64_t now_ms);

bool eng_peer_hb_is_down(const eng_peer_hb_t *self, size_t i);
// How long peer i has been silent (since the start when never heard).
int64_t eng_peer_hb_silent_ms(const eng_peer_hb_t *self, size_t i,
                              int64_t now_ms);
// "up", "down", or "unknown" (not heard yet, not silent long enough).
const char *eng_peer_hb_state(const eng_peer_hb_t *self, size_t i);

#endif
