// The named databases of a partition and raw access to them: records by
// key bytes, as the store's own rooms (the state cache, the catalog, the
// typed reads) use them. Keys are built by store_key.h; values are msgpack
// made by proto. Every put and delete of a write transaction is also
// recorded in its write set (store_ws.h).
//
// Private to engined/store: tests/check_repo.sh fails any other file that
// includes it or names what it declares. Implemented by store_part.c,
// which owns the LMDB handles.
// Thread rule: the transaction's.
#ifndef STORE_DB_H
#define STORE_DB_H

#include <stddef.h>

#include "sr_err.h"
#include "sr_value.h"

typedef struct store_txn store_txn_t; // store_part.h

typedef enum {
    STORE_DB_META = 0,
    STORE_DB_EXEC,    // exec id (16)
    STORE_DB_TASK,    // exec id (16) + seq (4)
    STORE_DB_ACTION,  // action id (16)
    STORE_DB_TIMER,   // due ms (8, biased) + timer id (16)
    STORE_DB_QUEUE,   // created ms (8, biased) + action id (16): open actions
    STORE_DB_TOKEN,   // SHA-256 of a delegate token (32)
    STORE_DB_DEF,     // definition hash (64 hex chars)
    STORE_DB_DEFNAME, // workflow name
    STORE_DB_COUNT
} store_db_t;

// Records. get: SR_ENOTFOUND when absent (err untouched); caller owns *out.
sr_err_t store_get(store_txn_t *txn, store_db_t db, const void *key,
                   size_t klen, sr_value_t **out, sr_error_t *err);
sr_err_t store_put(store_txn_t *txn, store_db_t db, const void *key,
                   size_t klen, const sr_value_t *value, sr_error_t *err);
// Raw bytes (for tiny values such as a token's action id). get: the bytes
// are borrowed from the map and valid until the txn ends.
sr_err_t store_get_raw(store_txn_t *txn, store_db_t db, const void *key,
                       size_t klen, const void **data, size_t *len,
                       sr_error_t *err);
sr_err_t store_put_raw(store_txn_t *txn, store_db_t db, const void *key,
                       size_t klen, const void *data, size_t len,
                       sr_error_t *err);
// del: SR_ENOTFOUND when absent (nothing recorded then).
sr_err_t store_del(store_txn_t *txn, store_db_t db, const void *key,
                   size_t klen, sr_error_t *err);

// Visit keys starting with `prefix` (plen may be 0: all) in key order,
// optionally from `start` (a full key >= prefix; NULL = the first). `fn`
// gets borrowed key and raw value bytes; a non-zero return stops the scan
// and is returned.
typedef sr_err_t (*store_visit_fn)(void *arg, const void *key, size_t klen,
                                   const void *val, size_t vlen);
sr_err_t store_scan(store_txn_t *txn, store_db_t db, const void *prefix,
                    size_t plen, const void *start, size_t slen,
                    store_visit_fn fn, void *arg, sr_error_t *err);

// Number of entries in a database.
sr_err_t store_count(store_txn_t *txn, store_db_t db, size_t *count,
                     sr_error_t *err);

#endif
