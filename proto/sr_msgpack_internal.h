// Private to proto/: msgpack-c glue shared by sr_value_msgpack.c and
// sr_msg.c. Never installed, never included outside proto/.
#ifndef SR_MSGPACK_INTERNAL_H
#define SR_MSGPACK_INTERNAL_H

#include <msgpack.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_limits.h"
#include "sr_value.h"

// Pack `v` with `pk`; SR_ENOMEM when the buffer cannot grow.
sr_err_t sr_msgpack_pack(msgpack_packer *pk, const sr_value_t *v);

// Check that buf[0..len) holds exactly one well-formed msgpack object within
// `limits` (every length fits the remaining bytes, depth bounded, no ext).
sr_err_t sr_msgpack_check(const void *buf, size_t len,
                          const sr_limits_t *limits, sr_error_t *err);

// A big-endian number of `width` bytes (a msgpack length or integer).
uint64_t sr_msgpack_be(const uint8_t *p, int width);

// Convert an unpacked object into a value. Caller owns *out.
sr_err_t sr_msgpack_to_value(const msgpack_object *o, sr_value_t **out,
                             sr_error_t *err);

#endif
