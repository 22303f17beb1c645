// One replicated partition on this engine: its Raft group (C-Raft's
// struct raft over rft_io, with rft_fsm applying committed entries to the
// engine's copy of the partition). C-Raft elects, replicates, commits and
// changes membership; this object starts and stops it, tells the host
// whether this replica may write (leading), and turns a write
// transaction of the host's batch into a Raft entry (propose).
//
// Leading: this replica is the leader, is not handing the leadership
// over, and the barrier it appends on becoming leader has been applied, so its
// copy holds every entry committed before its term. Only then may the host read
// the copy to build a batch and propose it. One proposal at a time: while one
// is in flight (proposing) its write transaction stays open, uncommitted, and
// the host must not begin another write transaction on the copy; readers
// see the copy as of the last committed entry.
//
// A proposal's callback runs once: SR_OK when the entry is committed (a
// majority stored it) and applied to the copy (its transaction committed
// at the entry's index); SR_EUNAVAIL when this replica stopped leading
// first (its transaction is aborted; the entry may still be committed by
// the next leader, and then it reaches the copy through the log like any
// other entry); SR_ESTORE when the copy could not apply it.
//
// Thread rule: the engine loop's thread.
#ifndef RFT_GROUP_H
#define RFT_GROUP_H

#include <raft.h>
#include <stdbool.h>
#include <stdint.h>

#include "rft_log.h"
#include "sr_err.h"
#include "store_part.h"

typedef struct {
    rft_log_t *log;      // borrowed; shared by the engine's groups
    store_part_t *part;  // borrowed: this engine's copy
    uint32_t group;      // the partition's number
    raft_id id;          // this replica's id in the group
    const char *address; // this replica's name (copied by C-Raft)
    // Transport and clock, as rft_io_cfg_t says.
    sr_err_t (*send)(void *arg, uint32_t group, raft_id to, const char *address,
                     const void *buf, size_t len);
    void *send_arg;
    uint64_t (*now_ms)(void *arg);
    void *clock_arg;
    uint64_t seed;
    unsigned election_ms;        // 0: 1000
    unsigned heartbeat_ms;       // 0: 100
    unsigned snapshot_threshold; // entries between snapshots; 0: 1024
    unsigned snapshot_trailing;  // entries kept before one; 0: 128
} rft_group_cfg_t;

typedef struct rft_group rft_group_t;

// Start the group. `boot`: the group's first configuration, written when
// this replica has no state yet (every first member boots with the same
// one; a replica that has state keeps it); NULL to start empty and wait
// for the leader to send the log (a replica added later, or one whose
// disk was wiped when its group was not booted with it). Caller owns
// *out.
sr_err_t rft_group_start(const rft_group_cfg_t *cfg,
                         const struct raft_configuration *boot,
                         rft_group_t **out, sr_error_t *err);
// Stop: proposals in flight are told SR_EUNAVAIL, the held transaction
// is aborted. NULL-safe.
void rft_group_stop(rft_group_t **g_p);

// Run what is due (C-Raft's timers, completed sends) and the barrier of
// a new leader. Call every turn, then rft_log_flush.
void rft_group_run(rft_group_t *g);
// Milliseconds until rft_group_run has something to do.
uint64_t rft_group_due_ms(const rft_group_t *g);
// A RAFT message from replica `from` (rft_io_deliver).
sr_err_t rft_group_deliver(rft_group_t *g, raft_id from, const char *address,
                           const void *buf, size_t len, sr_error_t *err);

bool rft_group_leading(const rft_group_t *g);
bool rft_group_proposing(const rft_group_t *g);
raft_term rft_group_term(const rft_group_t *g);
// The leader this replica knows of (itself included); false when none.
bool rft_group_leader(const rft_group_t *g, raft_id *id, const char **address);
// C-Raft's state: RAFT_FOLLOWER, RAFT_CANDIDATE, RAFT_LEADER or
// RAFT_UNAVAILABLE (stopped: its copy could not follow, say).
int rft_group_state(const rft_group_t *g);
raft_index rft_group_last_index(const rft_group_t *g);
raft_index rft_group_applied(const rft_group_t *g);
// Why the group is unavailable, when it is ("" otherwise).
const char *rft_group_error(const rft_group_t *g);

// Commit what a follower has applied since the last settle (rft_fsm.h):
// once per turn, and before the copy is written by anything else.
sr_err_t rft_group_settle(rft_group_t *g);

// Stop waiting for the proposal in flight: its write transaction is
// aborted now (the copy can take another); should its entry still be
// committed, it reaches the copy from its bytes, and its callback still
// runs once.
void rft_group_abandon(rft_group_t *g);

// Hand the leadership to replica `id`, a voter of the group: C-Raft
// sends it TimeoutNow once it holds every entry, and it stands for
// election at once; meanwhile (up to an election timeout) this replica
// does not lead. SR_ESTATE when this replica does not lead or a transfer
// is under way; SR_EINVAL for an id that is not another voter.
sr_err_t rft_group_transfer(rft_group_t *g, raft_id id, sr_error_t *err);
bool rft_group_transferring(const rft_group_t *g);

// --- membership ---------------------------------------------------------
//
// The replicas a group should have come from the cluster file; C-Raft
// changes the group's configuration, one change at a time, each committed
// before the next. rft_group_converge decides the next change on the
// leader, so that at every step a majority of the old voters and of the
// new ones hold every committed entry:
//
//   1. a wanted replica missing: added (a spare: nothing sent to it yet);
//   2. a wanted replica not voting: made a voter, which C-Raft does once
//      it has caught up with the log (snapshot and entries);
//   3. when every wanted replica votes, an unwanted one: if it is this
//      leader, the leadership goes to a wanted voter (the next leader goes
//      on); a voter becomes a standby (it is still sent the log, so it
//      learns it no longer votes); a standby that has that entry, or a
//      spare, is removed.
//
// A replica whose engine no longer lists the partition drops its copy
// once it does not vote (rft_group_voting false) and the configuration
// it knows is not empty.

typedef struct {
    raft_id id;
    const char *address;
} rft_member_t;

// One step toward the voters `want` (`n` of them, at least one). Does
// nothing but report when this replica does not lead, or a change is
// under way. *done: the configuration is exactly `want`, all voters,
// committed. SR_EINVAL for an empty `want`; C-Raft's refusals are logged
// and tried again at a later call.
sr_err_t rft_group_converge(rft_group_t *g, const rft_member_t *want, size_t n,
                            bool *done, sr_error_t *err);
// This replica votes in the configuration it knows (the last one in its
// log, committed or not).
bool rft_group_voting(const rft_group_t *g);
// The configuration it knows has no server: a replica started empty that
// no leader has reached yet.
bool rft_group_unconfigured(const rft_group_t *g);

typedef void (*rft_done_fn)(void *arg, sr_err_t rc);
// Propose the write set of `*txn_p` (a write transaction of the copy,
// taken over and set to NULL) as one entry; `done` runs once, as said
// above. SR_EUNAVAIL (not leading, or a proposal in flight), SR_ENOMEM:
// then the transaction is aborted and `done` does not run.
sr_err_t rft_group_propose(rft_group_t *g, store_txn_t **txn_p,
                           rft_done_fn done, void *arg, sr_error_t *err);

// --- figures for STATUS (read only) ---------------------------------------

// The highest index this replica knows to be committed.
raft_index rft_group_commit_index(const rft_group_t *g);

// A server of the group's current configuration (the latest one in the
// log, committed or not), and, when this replica leads, how far its log
// is known to match the leader's.
typedef struct {
    raft_id id;
    const char *address;    // borrowed: until the configuration changes
    int role;               // RAFT_VOTER, RAFT_STANDBY or RAFT_SPARE
    bool has_match;         // this replica leads: match_index is known
    raft_index match_index; // the highest entry known stored there (for
                            // this replica itself: stored on its disk)
} rft_group_server_t;
// How many servers the current configuration has (0 before a replica
// that started empty got one).
size_t rft_group_servers(const rft_group_t *g);
// Server `i` (< rft_group_servers) of the current configuration.
void rft_group_server(const rft_group_t *g, size_t i, rft_group_server_t *out);
// "voter", "standby" or "spare" (C-Raft's role), "unknown" otherwise.
const char *rft_group_role_name(int role);
// Snapshots sent to replicas too far behind for the log (each
// InstallSnapshot message handed to the link, a retry included).
uint64_t rft_group_snapshots_sent(const rft_group_t *g);

#endif
