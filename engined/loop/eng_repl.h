// The engine's replicated partitions (cfg->replicas > 1, docs/engine.md
// section 7): a Raft group (engined/raft) over each copy this engine
// holds, all their logs in one LMDB environment (DATA/raft), their
// messages carried as RAFT messages over the peer links. It runs the
// groups every turn, says which copies this engine has come to lead or
// stopped leading (the node then serves or stops serving them), keeps
// the partitions' leaders for EUNAVAIL, hands a partition's leadership
// to the replica that should lead it, and commits the batches of the
// served partitions through their groups: each proposed as one entry,
// all waited for together until a majority has each.
//
// While the entries are waited for, the node's pump receives what arrives on
// the client endpoint: RAFT messages come back here at once, the rest waits for
// the next turn. So nothing of the batch leaves the engine before its entry is
// committed, and an engine waiting for its peers still does its part in their
// groups.
//
// Owns the log, the groups and the pieces of RAFT messages being put
// together. Uses the partitions (copies, serving, leaders) and the peers
// (links). Answers nothing.
//
// Thread rule: the engine loop's thread.
#ifndef ENG_REPL_H
#define ENG_REPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eng.h"
#include "eng_latency.h"
#include "eng_part.h"
#include "eng_peers.h"
#include "sr_limits.h"
#include "sr_msg.h"
#include "store_part.h"

typedef struct eng_repl eng_repl_t;

// Receive on the client endpoint for up to `wait_ms`, handing RAFT
// messages to eng_repl_recv and keeping the others for the next turn.
// Declared here, filled in by the node.
typedef void(eng_repl_pump_fn)(void *arg, int wait_ms);

typedef struct {
    const eng_config_t *cfg;   // complete
    eng_parts_t *parts;        // the copies
    eng_peers_t *peers;        // the links
    const sr_limits_t *limits; // the payload limit cuts large messages
    eng_repl_pump_fn *pump;
    void *pump_arg;
} eng_repl_deps_t;

// Open the log and start a group over every copy (booting a group that
// has no state with the cluster file's replicas of its partition).
// Errors name the folder or the partition. Caller owns *out.
sr_err_t eng_repl_open(const eng_repl_deps_t *deps, eng_repl_t **out,
                       sr_error_t *err);
// Stop the groups and close the log. NULL-safe.
void eng_repl_close(eng_repl_t **self_p);

// A copy whose leadership changed: lead (serve it in `term`) or not.
typedef struct {
    size_t copy; // index among the partitions' copies
    bool lead;
    uint64_t term;
} eng_repl_change_t;

// Run every group (timers, completed sends), write the log (one fsync
// for all), note the partitions' leaders, and fill `changes` (at most
// `max`) with the copies whose leadership changed against what the
// partitions serve. Returns how many.
size_t eng_repl_tick(eng_repl_t *self, eng_repl_change_t *changes, size_t max);
// A newer cluster map was taken: copy k (the next, which the node has
// just added to the partitions) starts empty, its log forgotten, and
// waits for its group's leader to send the log.
sr_err_t eng_repl_add_copy(eng_repl_t *self, size_t k, sr_error_t *err);
// A newer cluster map was taken: the groups this engine leads move their
// replicas to the map's (rft_group_converge), one committed step at a
// time, at each tick; the leaders wanted are the map's. And at each tick,
// the copies of partitions the map no longer gives this engine are
// dropped once their groups no longer count on them.
void eng_repl_map_changed(eng_repl_t *self);
// Commit the entries the copies this engine follows have applied since
// the last settle (one transaction per copy and turn, rft_fsm.h); the
// tick and the wait do it, the node before it begins a batch.
void eng_repl_settle(eng_repl_t *self);
// Milliseconds until eng_repl_tick has something to do.
int64_t eng_repl_due_ms(const eng_repl_t *self);
// A RAFT message from peer `peer` (index in cfg->peers). One that does
// not fit (no such copy here, another sender than the link's, malformed)
// changes nothing and is logged once per peer.
void eng_repl_recv(eng_repl_t *self, size_t peer, const sr_msg_t *m);

// Propose the write transaction of a batch of served partition `number`
// (taken over) as one entry of its group, and go on: the batches of all
// partitions are proposed, then waited for together (eng_repl_wait).
// Errors: not proposed (not leading: SR_EUNAVAIL; others as
// rft_group_propose), the transaction aborted.
sr_err_t eng_repl_propose(eng_repl_t *self, uint16_t number,
                          store_txn_t **txn_p, sr_error_t *err);
// Wait until every entry proposed since the last wait is committed (a
// majority stored it and the copy has it) or failed, handling RAFT
// messages meanwhile through the pump; at most ten election timeouts.
void eng_repl_wait(eng_repl_t *self);
// The outcome of partition `number`'s entry of the last wait: SR_OK, or
// SR_EUNAVAIL when this engine stopped leading it first or it was not
// committed in time (nothing of the batch happened here; the next leader
// may still commit it, so only what is safe to retry may be answered).
// SR_OK too when nothing was proposed for it.
sr_err_t eng_repl_outcome(eng_repl_t *self, uint16_t number, sr_error_t *err);

// Figures for STATUS: per copy its group's state.
typedef struct {
    uint16_t partition;
    bool leading;      // served by this engine (rft_group_leading)
    const char *state; // "leader", "follower", "candidate", "unavailable"
    uint64_t term, last_index, applied, commit;
    const char *leader; // name, NULL when none known
    const char *error;  // why unavailable; "" otherwise
    size_t nreplicas;   // the servers of its configuration
    bool settled;       // leading, and its replicas are the map's (all voters)
} eng_repl_copy_t;
size_t eng_repl_copies(const eng_repl_t *self);
void eng_repl_copy(const eng_repl_t *self, size_t k, eng_repl_copy_t *out);
// Replica `i` (< nreplicas) of copy `k`: a server of its group's current
// configuration, and, when this engine is its leader, how many entries
// that replica's log is known to miss. Strings are borrowed until the
// next turn.
typedef struct {
    const char *name;
    const char *role; // "voter", "standby" or "spare"
    bool is_self;     // this engine
    bool has_lag;     // this engine leads the group and it is another one
    uint64_t lag;     // entries: the leader's last index minus the replica's
                      // match index
} eng_repl_replica_t;
void eng_repl_replica(const eng_repl_t *self, size_t k, size_t i,
                      eng_repl_replica_t *out);
// Elections won, leadership lost, proposals committed and failed,
// RAFT messages refused, snapshots sent to replicas too far behind.
typedef struct {
    uint64_t elected, deposed, committed, failed, refused, snapshots_sent;
} eng_repl_stats_t;
void eng_repl_stats(const eng_repl_t *self, eng_repl_stats_t *out);
// Commit latency: an entry proposed (eng_repl_propose) to committed and
// applied, over the latest entries. Borrowed.
const eng_latency_t *eng_repl_commit_latency(const eng_repl_t *self);

#endif
