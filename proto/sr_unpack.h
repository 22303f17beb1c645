// MessagePack read piece by piece, in place: a cursor over bytes that
// hands out container counts, integers and borrowed views of strings and
// binaries, for data read item by item rather than as a value tree (a
// store write set, applied as it is read). It allocates nothing, checks
// every length against the bytes left and refuses a count larger than
// them at once (each item takes a byte at least), so hostile input costs
// neither memory nor time beyond its size. Errors are SR_EPROTO naming
// what was expected and what was found; on an error the cursor has not
// moved.
//
// The cursor is a plain struct meant for the stack (init, no fini).
// Thread rule: one cursor, one thread; the bytes outlive the views.
#ifndef SR_UNPACK_H
#define SR_UNPACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"

typedef struct {
    const uint8_t *p; // the next item; borrowed
    size_t left;      // bytes from p to the end
} sr_unpack_t;

void sr_unpack_init(sr_unpack_t *u, const void *buf, size_t len);
// Bytes not read yet.
size_t sr_unpack_left(const sr_unpack_t *u);

// A container's header: *n items (array) or *n key and value pairs (map)
// follow.
sr_err_t sr_unpack_array(sr_unpack_t *u, size_t *n, sr_error_t *err);
sr_err_t sr_unpack_map(sr_unpack_t *u, size_t *n, sr_error_t *err);
// An integer in the int64 range.
sr_err_t sr_unpack_int(sr_unpack_t *u, int64_t *v, sr_error_t *err);
// An integer in the uint64 range (a negative one is refused).
sr_err_t sr_unpack_uint(sr_unpack_t *u, uint64_t *v, sr_error_t *err);
// A string or a binary: a view into the bytes (never NULL, even when
// *len is 0).
sr_err_t sr_unpack_str(sr_unpack_t *u, const char **s, size_t *len,
                       sr_error_t *err);
sr_err_t sr_unpack_bin(sr_unpack_t *u, const void **data, size_t *len,
                       sr_error_t *err);
// Read a nil if one comes next: true, and it is consumed; else false and
// the cursor has not moved.
bool sr_unpack_nil(sr_unpack_t *u);

#endif
