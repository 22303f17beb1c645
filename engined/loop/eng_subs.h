// The subscriptions of the client endpoint: which clients asked for the
// state changes of one execution or of all (with task events or not), and
// the EVENTs that tell them, sent as the committed NOTIFY commands come.
// A subscriber is a client whose messages keep it alive: one silent for
// the expiry time loses its subscriptions, and a deleted execution ends
// its own.
//
// Owns the subscriptions and the subscribers' heartbeat table; sends
// EVENTs on the client socket it is given (borrowed: the node owns it).
// Answers no request: the client side replies to SUBSCRIBE and
// UNSUBSCRIBE.
//
// Thread rule: the engine loop's thread.
#ifndef ENG_SUBS_H
#define ENG_SUBS_H

#include <czmq.h>
#include <stdint.h>

#include "core.h"
#include "sr_err.h"
#include "sr_wire.h"

typedef struct eng_subs eng_subs_t;

// No subscription yet; EVENTs leave on `sock` (borrowed: it must outlive
// the table). Subscribers silent for `expiry_ms` are forgotten. NULL when
// out of memory.
eng_subs_t *eng_subs_new(zsock_t *sock, int64_t heartbeat_ms,
                         int64_t expiry_ms);
// NULL-safe; sets *self_p to NULL.
void eng_subs_destroy(eng_subs_t **self_p);

// SUBSCRIBE `in` (its execution or all, with tasks or not), heard at
// `now_ms`. The same subscription asked again by the same client is kept
// once (a client following a partition's move subscribes again where it
// is served), its `tasks` as asked last. SR_ENOMEM only (nothing changed).
sr_err_t eng_subs_add(eng_subs_t *self, const sr_wire_in_t *in, int64_t now_ms);
// How many subscriptions `peer` holds (STATUS "subscriptions").
size_t eng_subs_count(const eng_subs_t *self, const sr_wire_peer_t *peer);
// Every subscription of `peer` ends (UNSUBSCRIBE).
void eng_subs_remove(eng_subs_t *self, const sr_wire_peer_t *peer);
// A message from `peer` at `now_ms`: a subscriber stays alive.
void eng_subs_heard(eng_subs_t *self, const sr_wire_peer_t *peer,
                    int64_t now_ms);
// A committed NOTIFY command: its EVENT to every subscription it matches.
void eng_subs_notify(eng_subs_t *self, const core_cmd_t *cmd);
// Forget the subscribers silent for the expiry time at `now_ms`.
void eng_subs_expire(eng_subs_t *self, int64_t now_ms);

#endif
