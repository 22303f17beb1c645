// Answers to a request on a ROUTER socket of the engine (the client
// endpoint, or the worker endpoint for refusals): a REPLY with its body,
// or an ERROR. What cannot be sent is logged, never retried: the sender
// asks again. Owns nothing; knows no object of the loop.
//
// Thread rule: the thread that owns the socket (the engine loop's).
#ifndef ENG_REPLY_H
#define ENG_REPLY_H

#include <czmq.h>

#include "sr_err.h"
#include "sr_value.h"
#include "sr_wire.h"

// ERROR `e` to `peer` for request `req_id` (-1: none).
void eng_reply_error(zsock_t *sock, const sr_wire_peer_t *peer, int64_t req_id,
                     const sr_error_t *e);

// REPLY to `peer` for `req_id` with `body` (taken; NULL: nil). A body too
// large for the message limit is answered with SR_ETOOBIG instead.
void eng_reply(zsock_t *sock, const sr_wire_peer_t *peer, int64_t req_id,
               sr_value_t *body);

#endif
