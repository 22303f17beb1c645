// MessagePack encoding of sr_value_t. The only place (with sr_msg.c) that
// packs or unpacks msgpack; no other component includes <msgpack.h>.
//
// Decoding treats its input as hostile: it checks the structure and every
// declared length against the bytes present and the limits before msgpack-c
// allocates anything, and never asserts.
#ifndef SR_VALUE_MSGPACK_H
#define SR_VALUE_MSGPACK_H

#include <stddef.h>

#include "sr_err.h"
#include "sr_limits.h"
#include "sr_value.h"

// Encode `v`. On success *buf is a malloc'd buffer of *len bytes that the
// caller frees with free().
sr_err_t sr_value_encode(const sr_value_t *v, char **buf, size_t *len);

// Decode exactly one value filling `len` bytes. Caller owns *out.
// Errors: SR_ETOOBIG (over limits), SR_EPROTO (malformed, trailing bytes,
// non-string map key, ext type, integer out of range), SR_ENOMEM.
sr_err_t sr_value_decode(const void *buf, size_t len, const sr_limits_t *limits,
                         sr_value_t **out, sr_error_t *err);

#endif
