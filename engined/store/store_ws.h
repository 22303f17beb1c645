// A write set: the changes one write transaction made to a partition, per
// named database the keys put (with their values) and deleted, in the
// order they were made, as bytes. A transaction records its own as it
// writes (store_txn_ws); encoded, it is what another copy of the partition
// applies to reach the same content (store_part_apply): the unit a
// replicated partition puts in its log.
//
// Encoding (msgpack, through proto; version 1):
//
//   [1, partition, format, {database: [key, value, key, value, ...], ...}]
//
// `partition` is the partition's number, `format` the storage format of
// its records (a copy of another format refuses it), `database` a name
// of the partition's databases, `key` binary (1 to 511 bytes), `value`
// binary for a put or nil for a delete. Databases come in the partition's
// order, changes in the order they were made; applying them in that order
// gives the same content, and applying a write set twice gives what
// applying it once gives (the last change of each key wins).
//
// This file knows no LMDB and no key layout: a write set is of a schema
// (the partition, its format, its databases' names) that its owner gives.
// Thread rule: a write set belongs to its transaction's thread.
#ifndef STORE_WS_H
#define STORE_WS_H

#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"

// What a write set is of. Names and array are borrowed and must outlive
// every write set made of the schema.
typedef struct {
    uint16_t partition;
    int format;             // storage format of the records
    const char *const *dbs; // database names, indexed by a change's `db`
    size_t ndbs;
    size_t max_key; // longest key a database takes (bytes)
} store_ws_schema_t;

// One change, as a write set and a walk over records hand it out. The
// key and value bytes are borrowed for the call and mean nothing outside
// engined/store.
typedef struct {
    size_t db;        // index in the schema's `dbs`
    const char *name; // the database's name (the schema's)
    const void *key;
    size_t klen;
    const void *val; // NULL: a delete (else vlen bytes, maybe 0)
    size_t vlen;
} store_change_t;

// A visitor of changes; a non-zero return stops and is returned.
typedef sr_err_t (*store_change_fn)(void *arg, const store_change_t *change);

typedef struct store_ws store_ws_t;

// An empty write set of `schema` (borrowed). Caller owns it; NULL on OOM.
store_ws_t *store_ws_new(const store_ws_schema_t *schema);
void store_ws_destroy(store_ws_t **ws_p);
// Record a put or a delete in database `db`, bytes copied. SR_ENOMEM;
// SR_EINVAL for a database the schema has not.
sr_err_t store_ws_put(store_ws_t *ws, size_t db, const void *key, size_t klen,
                      const void *val, size_t vlen);
sr_err_t store_ws_del(store_ws_t *ws, size_t db, const void *key, size_t klen);
// Changes recorded so far.
size_t store_ws_count(const store_ws_t *ws);

// The encoding (see above). Caller owns *buf (free()). SR_ENOMEM.
sr_err_t store_ws_encode(const store_ws_t *ws, char **buf, size_t *len);
// Read an encoded write set of `schema`, handing each change to `fn` in
// order. Input is hostile: SR_EPROTO (malformed: truncated, a wrong type,
// a count larger than the bytes, an unknown database, an empty or too
// long key, trailing bytes), SR_EVERSION (another encoding version or
// storage format), SR_EINVAL (another partition), each with a message
// saying where; the header is checked before any change is handed out.
// Allocates nothing.
sr_err_t store_ws_decode(const store_ws_schema_t *schema, const void *buf,
                         size_t len, store_change_fn fn, void *arg,
                         sr_error_t *err);

#endif
