// The durable state of an engine's Raft groups, one per replicated
// partition: each group's term and vote, its log entries and its last
// snapshot, in one LMDB environment (folder `raft/` of the engine's data
// folder) shared by all the groups of the engine.
//
// Writes that C-Raft asks for asynchronously (appending entries,
// truncating, storing a snapshot) are queued and done together by
// rft_log_flush: one write transaction and one fsync for every group's
// writes of a turn of the engine loop (group commit), after which each
// write's callback runs, in the order queued. The term and the vote are
// written at once, each in its own durable transaction, since C-Raft
// needs them stored before it goes on.
//
// Layout (private to this file): database "entries", key group (4 bytes,
// big-endian) then index (8 bytes, big-endian), value term (8 bytes,
// big-endian), type (1 byte), data; database "meta", key group then 't'
// for [term, vote] and group then 's' for the snapshot [index, term,
// conf_index, configuration (rft_msg.h), data], msgpack.
//
// Thread rule: the log and all its groups belong to one thread (the
// engine loop); callbacks run on it, from rft_log_flush and
// rft_log_cancel only.
#ifndef RFT_LOG_H
#define RFT_LOG_H

#include <raft.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"

typedef struct rft_log rft_log_t;

typedef struct {
    bool nosync;      // leave flushing to the OS (tests, benchmarks)
    size_t map_bytes; // LMDB map size; 0 = 16 GiB (sparse)
} rft_log_opts_t;

// Open (creating it if needed) the environment in folder `dir`, which is
// created when missing. Caller owns *out.
sr_err_t rft_log_open(const char *dir, const rft_log_opts_t *opts,
                      rft_log_t **out, sr_error_t *err);
// Close; writes still queued are cancelled first (rft_log_cancel).
void rft_log_close(rft_log_t **log_p);

// What a group has stored, as C-Raft's load() hands it over: `snapshot`
// (NULL when none) and `entries` (NULL when none; one raft_malloc'ed
// batch, every entry's `batch` pointing at it) are the caller's.
typedef struct {
    raft_term term;
    raft_id vote;
    struct raft_snapshot *snapshot;
    raft_index start_index; // index of entries[0]
    struct raft_entry *entries;
    size_t n_entries;
} rft_stored_t;

sr_err_t rft_log_load(rft_log_t *log, uint32_t group, rft_stored_t *out,
                      sr_error_t *err);
// The group's last snapshot alone, raft_malloc'ed as load hands it out
// (NULL when none).
sr_err_t rft_log_snapshot(rft_log_t *log, uint32_t group,
                          struct raft_snapshot **out, sr_error_t *err);
// Free a snapshot as load and rft_log_snapshot hand it out.
void rft_snapshot_free(struct raft_snapshot *s);
// Free what a load handed out (when it is not given to C-Raft).
void rft_stored_release(rft_stored_t *s);

// Write the term and the vote at once, durably (the vote is reset when
// the term changes: set_term writes vote 0).
sr_err_t rft_log_set_term(rft_log_t *log, uint32_t group, raft_term term,
                          sr_error_t *err);
sr_err_t rft_log_set_vote(rft_log_t *log, uint32_t group, raft_id vote,
                          sr_error_t *err);
// A new group's first entry: its configuration at index 1, term 1.
// SR_EEXIST when the group has a term or entries already.
sr_err_t rft_log_bootstrap(rft_log_t *log, uint32_t group,
                           const struct raft_configuration *conf,
                           sr_error_t *err);

// Called when a queued write is done: 0, or a RAFT_* error code (the
// flush's transaction failed: RAFT_IOERR; cancelled: RAFT_CANCELED).
typedef void (*rft_log_done_fn)(void *arg, int status);

// Queue entries `entries[0..n)` (borrowed until `done` runs) at indexes
// from `first`. SR_ENOMEM.
sr_err_t rft_log_queue_append(rft_log_t *log, uint32_t group, raft_index first,
                              const struct raft_entry *entries, unsigned n,
                              rft_log_done_fn done, void *arg);
// Queue the deletion of the entries from `index` on. SR_ENOMEM.
sr_err_t rft_log_queue_truncate(rft_log_t *log, uint32_t group,
                                raft_index index);
// Queue storing `snapshot` (borrowed until `done` runs) and dropping the
// entries it covers but the last `trailing`; all of them when `trailing`
// is 0. SR_ENOMEM.
sr_err_t rft_log_queue_snapshot(rft_log_t *log, uint32_t group,
                                const struct raft_snapshot *snapshot,
                                unsigned trailing, rft_log_done_fn done,
                                void *arg);
// Whether writes are queued.
bool rft_log_pending(const rft_log_t *log);
// Do every queued write in one durable transaction, then run their
// callbacks in order. Returns the transaction's outcome (the callbacks
// have been told either way).
sr_err_t rft_log_flush(rft_log_t *log, sr_error_t *err);
// Drop the queued writes of `group` (every group when `all`), running
// their callbacks with RAFT_CANCELED.
void rft_log_cancel(rft_log_t *log, uint32_t group, bool all);

// Forget everything of `group` (its queued writes cancelled first), at
// once and durably: its replica on this engine was removed and may come
// back only as a new, empty one. The group must be stopped.
sr_err_t rft_log_forget(rft_log_t *log, uint32_t group, sr_error_t *err);

// Figures for STATUS and metrics.
typedef struct {
    uint64_t flushes;   // transactions committed by rft_log_flush
    uint64_t appended;  // entries written
    uint64_t snapshots; // snapshots stored
} rft_log_stats_t;
void rft_log_stats(const rft_log_t *log, rft_log_stats_t *out);

#endif
