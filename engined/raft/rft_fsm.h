// The state machine of a replicated partition: applying a committed
// entry of its Raft log (a write set, store_ws.h) to this engine's copy
// of the partition, and its snapshots.
//
// Apply: a follower applies the entries C-Raft gives it in one write
// transaction, committed at the last one's index when the host settles
// the copy (rft_fsm_settle: once per turn of its loop, and before
// anything else writes or reads the copy as a whole); a leader commits
// each at once. An entry whose index the copy has applied already (its applied
// index, store_part_applied) is skipped, so a copy ahead of what C-Raft
// replays after a restart stays as it is. On the leader, the batch that
// made the entry may still hold its write transaction (rft_fsm_hold): the
// entry's apply commits that transaction at the entry's index instead of
// applying the bytes again.
//
// Snapshots: the copy is the snapshot. Taking one syncs the copy to disk
// and stores a marker (the copy's applied index) in the Raft log, which
// may then drop the entries before it. Sending one to a replica that is
// too far behind dumps the copy as it is now (store_part_dump: every
// record, at the copy's applied index, which may be past the snapshot's;
// the entries in between are skipped when they come). Restoring a marker
// checks the copy holds what it says; restoring a dump replaces the copy
// unless the copy is as far already.
//
// Snapshot data: "SRS1", kind (1 byte: 0 marker, 1 dump), applied index
// (8 bytes, big-endian), then for a dump the write set of every record.
//
// Thread rule: the engine loop's thread.
#ifndef RFT_FSM_H
#define RFT_FSM_H

#include <raft.h>
#include <stdint.h>

#include "sr_err.h"
#include "store_part.h"

typedef struct rft_fsm rft_fsm_t;

// The state machine over `part` (borrowed) for the group run by `raft`
// (borrowed; its last applied index tells which entry an apply is).
sr_err_t rft_fsm_new(store_part_t *part, struct raft *raft, rft_fsm_t **out,
                     sr_error_t *err);
void rft_fsm_destroy(rft_fsm_t **fsm_p);
// What to hand to raft_init (borrowed).
struct raft_fsm *rft_fsm_raft(rft_fsm_t *fsm);

// The write transaction (taken over) whose write set is entry `index`:
// committed at that index when the entry applies. A transaction held
// already is aborted (its entry will apply from its bytes).
void rft_fsm_hold(rft_fsm_t *fsm, store_txn_t *txn, raft_index index);
// Abort the transaction held, if any (its entry failed or the leader
// stepped down; should the entry still commit, it applies from its
// bytes).
void rft_fsm_drop(rft_fsm_t *fsm);
// Whether a transaction is held.
bool rft_fsm_holding(const rft_fsm_t *fsm);
// Commit the entries applied since the last settle, if any. A failure
// (logged, kept as rft_fsm_error) stops the applying: the copy stays at
// its last commit, and a restart applies the rest from the log.
sr_err_t rft_fsm_settle(rft_fsm_t *fsm);
// Whether entries are applied and not committed yet.
bool rft_fsm_pending(const rft_fsm_t *fsm);

// A dump of the copy as snapshot data, for a replica too far behind
// (raft_malloc'ed buffer). SR_ENOMEM, SR_ESTORE.
sr_err_t rft_fsm_dump(rft_fsm_t *fsm, struct raft_buffer *out, sr_error_t *err);

// The last apply or restore that failed (a copy that cannot follow its
// log stops its group): empty when none.
const char *rft_fsm_error(const rft_fsm_t *fsm);

#endif
