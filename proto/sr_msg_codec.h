// The wire codec of protocol messages: one msgpack array per message,
//   [major, minor, "TYPE", {field: value, ...}]
// walked by one generic encoder and decoder over the table of sr_msg.def.
// docs/protocol.md (printed by sr_protodoc) describes the format.
//
// Decoding treats its input as hostile: sizes and structure are checked
// before anything is allocated, and a bad message gives an error naming the
// field (err->where = "field 'input'") and what was expected.
// Stateless and reentrant.
#ifndef SR_MSG_CODEC_H
#define SR_MSG_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_limits.h"
#include "sr_msg.h"

// Check that every required field is set and every value is within its
// limit. Errors: SR_EINVAL (missing field, integer below its minimum),
// SR_ETOOBIG (string, array or value over its limit).
sr_err_t sr_msg_validate(const sr_msg_t *m, sr_error_t *err);

// Validate and encode `m`. On success *buf is a malloc'd buffer of *len
// bytes; the caller frees it with free(). The payload limit is the
// receiver's business and is not checked here. Errors: as
// sr_msg_validate, SR_ENOMEM.
sr_err_t sr_msg_encode(const sr_msg_t *m, char **buf, size_t *len,
                       sr_error_t *err);

// Decode one message filling exactly `len` bytes, within `limits` (NULL =
// defaults: 1 MiB, depth 64). Caller owns *out. Unknown fields are
// ignored; nil in an optional field counts as absent. Errors:
//   SR_ETOOBIG  payload over limits->max_bytes, nesting too deep, or a
//               field over its limit (where names the field)
//   SR_EVERSION another major version ("peer speaks protocol 2.0, ...")
//   SR_EPROTO   malformed msgpack, trailing bytes, not an envelope, an
//               unknown type (named in the message), a field missing,
//               repeated or of the wrong type (where names the field)
//   SR_ENOMEM
sr_err_t sr_msg_decode(const void *buf, size_t len, const sr_limits_t *limits,
                       sr_msg_t **out, sr_error_t *err);

// Best effort on bytes that failed to decode: the type and req_id they
// claim, so that an ERROR reply can echo the req_id and a node never
// answers an ERROR with an ERROR. *type is SR_MSG_NONE and *req_id -1
// when unreadable. Never fails; reads within `limits` like decode.
void sr_msg_peek(const void *buf, size_t len, const sr_limits_t *limits,
                 sr_msg_type_t *type, int64_t *req_id);

#endif
