// What a loop sends one peer during one turn, gathered and sent at the
// turn's end: one message as itself, several as BATCH messages (one frame
// each, sr_msg.def) to a peer that understands BATCH, else one by one.
// Fewer frames, fewer system calls, the same messages in the same order.
//
// Thread rule: a batch, like the socket it is sent on, belongs to one
// thread.
#ifndef SR_WIRE_BATCH_H
#define SR_WIRE_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "sr_err.h"
#include "sr_limits.h"
#include "sr_msg.h"
#include "sr_wire.h"

#define SR_WIRE_BATCH_MINOR 7    // the protocol minor version of BATCH
#define SR_WIRE_BATCH_MAX   4096 // most items of a BATCH (sr_msg.def)

typedef struct sr_wire_batch sr_wire_batch_t;

// An empty batch. Caller owns it; free with sr_wire_batch_destroy. NULL
// when out of memory.
sr_wire_batch_t *sr_wire_batch_new(void);
// NULL-safe; sets *self_p to NULL. What was not flushed is dropped.
void sr_wire_batch_destroy(sr_wire_batch_t **self_p);

// Encode `m` and keep it for the next flush, after those added before.
// `m` stays the caller's. Errors: those of sr_msg_encode, SR_ENOMEM.
sr_err_t sr_wire_batch_add(sr_wire_batch_t *self, const sr_msg_t *m,
                           sr_error_t *err);
// Messages added since the last flush.
size_t sr_wire_batch_count(const sr_wire_batch_t *self);
// Forget what was added (e.g. the socket it was for is gone).
void sr_wire_batch_clear(sr_wire_batch_t *self);

// Does a peer that sent messages of protocol minor version `minor`
// understand BATCH?
bool sr_wire_batch_understood(uint32_t minor);

// Send what was added, in order, to `peer` on `sock` (see sr_wire_send)
// and forget it. With `use_batch`, several messages go as BATCH messages
// of at most SR_WIRE_BATCH_MAX items whose payload stays within the
// limit of `limits` (NULL: the default; a message too large to share a
// frame goes alone); without, one by one. Every frame is tried; *frames
// (may be NULL) counts those that left. Returns the first error, as
// sr_wire_send (the messages of that frame are lost, as a frame lost on
// the way would be).
sr_err_t sr_wire_batch_flush(sr_wire_batch_t *self, zsock_t *sock,
                             const sr_wire_peer_t *peer, bool use_batch,
                             const sr_limits_t *limits, size_t *frames,
                             sr_error_t *err);

#endif
