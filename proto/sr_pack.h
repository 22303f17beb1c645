// MessagePack written piece by piece, for data that is a long flat run of
// byte strings rather than a value tree (a store write set: the keys and
// values of a transaction, recorded as it writes them). Items are appended
// to one growing buffer through msgpack-c's packer, so nothing else
// outside proto/ packs msgpack. A container's header comes before its
// items: a caller that learns the count only at the end packs the items
// into a writer of their own and appends its bytes (sr_pack_raw) after
// the header. sr_unpack.h reads such bytes back.
//
// Thread rule: a writer belongs to one thread.
#ifndef SR_PACK_H
#define SR_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"

typedef struct sr_pack sr_pack_t;

// An empty writer; NULL on OOM. Caller owns it.
sr_pack_t *sr_pack_new(void);
void sr_pack_destroy(sr_pack_t **pack_p);

// Append one item, or a container's header (then its `n` items, or `n`
// key and value pairs, follow). SR_ENOMEM when the buffer cannot grow,
// SR_ETOOBIG for a length or count above msgpack's 2^32 - 1.
sr_err_t sr_pack_array(sr_pack_t *pk, size_t n);
sr_err_t sr_pack_map(sr_pack_t *pk, size_t n);
sr_err_t sr_pack_nil(sr_pack_t *pk);
sr_err_t sr_pack_int(sr_pack_t *pk, int64_t v);
// The whole unsigned 64-bit range (ids and counters that are unsigned
// long long, as C-Raft's are); sr_unpack_uint reads it back.
sr_err_t sr_pack_uint(sr_pack_t *pk, uint64_t v);
sr_err_t sr_pack_str(sr_pack_t *pk, const char *s, size_t len);
sr_err_t sr_pack_bin(sr_pack_t *pk, const void *data, size_t len);
// Append bytes that are packed items already (another writer's).
sr_err_t sr_pack_raw(sr_pack_t *pk, const void *data, size_t len);
// Make room for `len` more bytes at once (an exact final size saves the
// growth steps). SR_ENOMEM.
sr_err_t sr_pack_reserve(sr_pack_t *pk, size_t len);

// The bytes so far, borrowed until the next append or the writer's end.
const void *sr_pack_data(const sr_pack_t *pk, size_t *len);
// Hand the bytes over and empty the writer. Caller owns *buf (free());
// an empty writer gives NULL and 0.
void sr_pack_take(sr_pack_t *pk, char **buf, size_t *len);

#endif
