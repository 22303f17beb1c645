// One partition of execution state: an LMDB environment in its own folder
// with named databases for executions, task executions, action executions,
// timers, the dispatch queue, delegate tokens and the workflow catalog.
// Keys are fixed-width binary (ids, big-endian numbers); values are msgpack
// made by proto (sr_value_encode), never packed here.
//
// Thread rule: a partition and its transactions belong to one thread (the
// engine loop). One write transaction at a time per partition.
#ifndef STORE_PART_H
#define STORE_PART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_id.h"
#include "sr_value.h"

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

typedef enum {
    STORE_SYNC = 0, // fsync at every commit (default)
    STORE_NOSYNC,   // leave flushing to the OS (tests, benchmarks)
} store_durability_t;

typedef struct {
    store_durability_t durability;
    size_t map_bytes; // LMDB map size; 0 = 16 GiB (sparse)
} store_opts_t;

typedef struct store_part store_part_t;
typedef struct store_txn store_txn_t;

// Open (creating if needed) the partition in folder `dir`. A folder made
// for another partition number is refused. Caller owns *out.
sr_err_t store_part_open(const char *dir, uint16_t partition,
                         const store_opts_t *opts, store_part_t **out,
                         sr_error_t *err);
void store_part_close(store_part_t **part_p);
uint16_t store_part_number(const store_part_t *part);
// Ownership epoch: bumped each time an engine takes the partition.
uint64_t store_part_epoch(const store_part_t *part);
sr_err_t store_part_bump_epoch(store_part_t *part, sr_error_t *err);
// Storage format of the records (a partition of another is not opened).
int store_part_format(const store_part_t *part);
// True when the open created the partition: its folder held none.
bool store_part_is_new(const store_part_t *part);
const char *store_part_dir(const store_part_t *part);

sr_err_t store_txn_begin(store_part_t *part, bool write, store_txn_t **out,
                         sr_error_t *err);
// Commit (durable per the partition's mode); the txn is gone either way.
sr_err_t store_txn_commit(store_txn_t **txn_p, sr_error_t *err);
void store_txn_abort(store_txn_t **txn_p);
store_part_t *store_txn_part(const store_txn_t *txn);
bool store_txn_is_write(const store_txn_t *txn);

// Records. get: SR_ENOTFOUND when absent; caller owns *out.
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
// del: SR_ENOTFOUND when absent.
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
// The same, read in a transaction of its own.
sr_err_t store_part_count(store_part_t *part, store_db_t db, size_t *count,
                          sr_error_t *err);

// Key helpers: big-endian numbers (timestamps biased so negatives sort).
void store_key_u32(uint8_t out[4], uint32_t v);
uint32_t store_key_get_u32(const uint8_t in[4]);
void store_key_ms(uint8_t out[8], int64_t ms);
int64_t store_key_get_ms(const uint8_t in[8]);
// The dispatch queue's key of an action: created ms, then its id.
void store_queue_key(uint8_t out[24], int64_t created_ms, const sr_id_t *id);

#endif
