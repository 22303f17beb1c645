// Subscriptions of a fake engine (sr_fake_engine.h): who subscribed to
// which execution, the EVENTs sent to them, and scripted events a test
// sets up, played after the subscriber's next request.
//
// Thread rule: one thread at a time (the fake engine locks it).
#ifndef SR_FAKE_SUBS_H
#define SR_FAKE_SUBS_H

#include <stdbool.h>
#include <stdint.h>

#include "sr_id.h"
#include "sr_msg.h"
#include "sr_value.h"
#include "sr_wire.h"

typedef struct sr_fake_subs sr_fake_subs_t;

// Send `*m` (taken) to `peer`.
typedef void(sr_fake_send_fn)(const sr_wire_peer_t *peer, sr_msg_t **m,
                              void *arg);

// Where events go and when they happen.
typedef struct {
    sr_fake_send_fn *send;
    void *arg;
    int64_t *clock; // time_ms of the next event is ++*clock
} sr_fake_out_t;

sr_fake_subs_t *sr_fake_subs_new(void);
void sr_fake_subs_destroy(sr_fake_subs_t **subs_p);

// Subscribe `peer` to execution `id` (NULL: every execution); its
// scripted events are due after its next request. The same subscription
// asked again is kept once, as an engine does. False when full.
bool sr_fake_subs_add(sr_fake_subs_t *subs, const sr_wire_peer_t *peer,
                      const sr_id_t *id);
// How many subscriptions `peer` holds.
size_t sr_fake_subs_count(const sr_fake_subs_t *subs,
                          const sr_wire_peer_t *peer);
// End every subscription of `peer`.
void sr_fake_subs_remove(sr_fake_subs_t *subs, const sr_wire_peer_t *peer);
// A scripted event of execution `id`.
void sr_fake_subs_script(sr_fake_subs_t *subs, const sr_id_t *id,
                         const char *kind, const char *name, const char *state);

// Send an EVENT about execution `id` to each of its subscribers.
void sr_fake_subs_emit(sr_fake_subs_t *subs, const sr_id_t *id,
                       const char *kind, const char *name, const char *state,
                       const char *info, const sr_fake_out_t *out);

// Before a request from `peer`: its subscriptions with scripted events
// still to play become due.
void sr_fake_subs_arm(sr_fake_subs_t *subs, const sr_wire_peer_t *peer);
// After it: play the due events of executions found in `executions` (id
// text -> map; an `execution` event sets the map's "state").
void sr_fake_subs_play(sr_fake_subs_t *subs, sr_value_t *executions,
                       const sr_fake_out_t *out);

#endif
