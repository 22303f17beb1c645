// The raft_io one Raft group runs on: what C-Raft asks of its host. Its
// storage is the engine's rft_log (group commit: appends complete when
// the host flushes the log), its transport a callback that sends an
// encoded message (rft_msg.h) to another replica over the engines' peer
// links, its clock the host's. Nothing here runs by itself: the host
// calls rft_io_run every turn of its loop (timers of C-Raft, completions
// of sends), rft_log_flush after it, and rft_io_deliver for each RAFT
// message that arrives. Callbacks into C-Raft run from those calls only,
// never from inside a call C-Raft makes.
//
// Owns: the struct raft_io handed to raft_init, the completions waiting
// to run, the index the next append goes to. Does not: decide anything
// about elections, commits or membership (C-Raft does), touch the
// partition's store (the state machine does).
//
// Thread rule: the engine loop's thread, like the log.
#ifndef RFT_IO_H
#define RFT_IO_H

#include <raft.h>
#include <stdint.h>

#include "rft_log.h"
#include "sr_err.h"

typedef struct {
    rft_log_t *log; // borrowed; outlives the io
    uint32_t group; // the group's number in the log (its partition)
    // Send `len` bytes to replica `to` (at `address`) of group `group`.
    // Returns SR_OK when handed to the link, else an error (no link to
    // that replica: C-Raft sees RAFT_NOCONNECTION and tries again later).
    sr_err_t (*send)(void *arg, uint32_t group, raft_id to, const char *address,
                     const void *buf, size_t len);
    void *send_arg;
    // Milliseconds of a monotonic clock.
    uint64_t (*now_ms)(void *arg);
    void *clock_arg;
    uint64_t seed; // for the randomized election timeouts
    // Optional: the data of a snapshot sent to a replica too far behind,
    // made when it is sent (raft_malloc'ed) instead of the data stored
    // with it (the state machine stores a marker and dumps its copy).
    sr_err_t (*snapshot_data)(void *arg, struct raft_buffer *out,
                              sr_error_t *err);
    void *snapshot_arg;
} rft_io_cfg_t;

typedef struct rft_io rft_io_t;

// Caller owns *out; the copy of `cfg` is kept.
sr_err_t rft_io_new(const rft_io_cfg_t *cfg, rft_io_t **out, sr_error_t *err);
// After C-Raft has closed (raft_close's callback ran).
void rft_io_destroy(rft_io_t **io_p);
// The raft_io to hand to raft_init (borrowed, lives as long as the io).
struct raft_io *rft_io_raft(rft_io_t *io);

// Run what is due: C-Raft's tick when its interval has passed, and the
// callbacks of sends, snapshot reads and work done since the last run.
void rft_io_run(rft_io_t *io);
// Milliseconds until rft_io_run has something to do (0: now).
uint64_t rft_io_due_ms(const rft_io_t *io);
// An encoded message from replica `from` at `address` (kept as long as
// the io: the host's name for that replica). A message that does not
// decode is refused with its error and changes nothing; one that arrives
// before C-Raft started or after it closed is dropped.
sr_err_t rft_io_deliver(rft_io_t *io, raft_id from, const char *address,
                        const void *buf, size_t len, sr_error_t *err);

// Figures for STATUS and metrics.
typedef struct {
    uint64_t sent, send_failed, received, refused;
    uint64_t snapshots_sent; // InstallSnapshot messages among `sent`
} rft_io_stats_t;
void rft_io_stats(const rft_io_t *io, rft_io_stats_t *out);

#endif
