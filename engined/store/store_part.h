// One partition of execution state: an LMDB environment in its own folder
// with named databases for executions, task executions, action executions,
// timers, the dispatch queue, delegate tokens and the workflow catalog.
// Their keys are private to engined/store (store_key.h): other components
// read records through store_read.h and change them through the core's
// state interface (store_state.h) or the catalog (store_docs.h).
//
// Thread rule: a partition and its transactions belong to one thread (the
// engine loop). One write transaction at a time per partition.
#ifndef STORE_PART_H
#define STORE_PART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"
#include "store_ws.h"

typedef enum {
    STORE_SYNC = 0, // fsync at every commit (default)
    STORE_NOSYNC,   // leave flushing to the OS (tests, benchmarks)
    // A replicated copy, which its Raft log makes durable: each commit
    // syncs the records it wrote but not the page that makes them the
    // copy's current state, which the next commit or store_part_sync
    // syncs. A machine crash may take the copy back by its last commit,
    // never leave it inconsistent; the log applies the entry again (LMDB's
    // MDB_NOMETASYNC: one sync per commit instead of two).
    STORE_REPLICA,
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

// Begin a transaction. A write transaction records every change it makes
// in its write set (store_txn_ws).
sr_err_t store_txn_begin(store_part_t *part, bool write, store_txn_t **out,
                         sr_error_t *err);
// Commit (durable per the partition's mode); the txn is gone either way.
sr_err_t store_txn_commit(store_txn_t **txn_p, sr_error_t *err);
void store_txn_abort(store_txn_t **txn_p);
store_part_t *store_txn_part(const store_txn_t *txn);
bool store_txn_is_write(const store_txn_t *txn);
// The changes a write transaction made so far, its write set (borrowed;
// gone with the transaction: encode it before the commit). NULL for a
// read transaction.
const store_ws_t *store_txn_ws(const store_txn_t *txn);

// Apply an encoded write set (store_ws_encode) to this copy of its
// partition, in one write transaction: all its changes or, on an error,
// none. Errors: those of store_ws_decode; SR_EPROTO for a change of the
// per-copy record (each copy keeps its own epoch); SR_ESTORE (LMDB).
sr_err_t store_part_apply(store_part_t *part, const void *buf, size_t len,
                          sr_error_t *err);
// A replicated copy: the index of the last entry of the partition's
// Raft log applied to it (0: none), kept in the per-copy record and
// changed in the same transaction as what the entry changed. Apply a
// write set at `index`; commit a write transaction at `index`.
uint64_t store_part_applied(const store_part_t *part);
sr_err_t store_part_apply_at(store_part_t *part, const void *buf, size_t len,
                             uint64_t index, sr_error_t *err);
sr_err_t store_txn_commit_at(store_txn_t **txn_p, uint64_t index,
                             sr_error_t *err);
// Write transactions committed through this handle since it was opened.
uint64_t store_part_commits(const store_part_t *part);
// Apply an encoded write set within the write transaction `txn`, which
// stays open (several entries of a log applied in one transaction, then
// committed at the last one's index). On an error the transaction holds
// part of it: abort it.
sr_err_t store_txn_apply(store_txn_t *txn, const void *buf, size_t len,
                         sr_error_t *err);
// Flush what was committed to disk (a copy without sync, before the
// Raft log drops the entries it holds).
sr_err_t store_part_sync(store_part_t *part, sr_error_t *err);
// Every record the copies share, as one write set of puts (a snapshot of
// the partition). Caller owns *buf (free()).
sr_err_t store_part_dump(store_part_t *part, char **buf, size_t *len,
                         sr_error_t *err);
// Make this copy hold exactly the records of a dump, at `index`: every
// record it had goes, in the same transaction. Errors as
// store_part_apply; on an error nothing changed.
sr_err_t store_part_restore(store_part_t *part, const void *buf, size_t len,
                            uint64_t index, sr_error_t *err);

// Every record that copies of the partition share, database by database
// in key order, as changes that would make them (puts): for comparing
// copies and looking for traces. Every record but the per-copy one (the
// meta record: partition, epoch, format) is there; the bytes mean nothing
// outside engined/store.
sr_err_t store_records(store_txn_t *txn, store_change_fn fn, void *arg,
                       sr_error_t *err);

// How many records of each kind the partition holds.
typedef struct {
    size_t execs;        // executions (sub-workflows included)
    size_t tasks;        // task executions
    size_t actions;      // action executions
    size_t timers;       // armed timers
    size_t open_actions; // the dispatch queue: SCHEDULED or RUNNING
    size_t tokens;       // delegates waiting for COMPLETE (PENDING)
    size_t definitions;  // workflow definitions (by content hash)
    size_t workflows;    // workflow names of the catalog
} store_counts_t;

// The counts, read in a transaction of their own.
sr_err_t store_part_counts(store_part_t *part, store_counts_t *out,
                           sr_error_t *err);

// The partition's clock: the time of the last event its driver applied,
// for a driver whose time is its own (the simulator's virtual clock),
// kept in the same transaction as the event. get: SR_ENOTFOUND when it
// was never set (err untouched).
sr_err_t store_clock_get(store_txn_t *txn, int64_t *now_ms, sr_error_t *err);
sr_err_t store_clock_put(store_txn_t *txn, int64_t now_ms, sr_error_t *err);

#endif
