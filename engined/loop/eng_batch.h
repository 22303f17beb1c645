// The batch of one turn of the engine loop: the operations gathered from
// messages, timers and the engine's own checks, applied to each partition
// in ONE write transaction through the core and the store (group commit,
// docs/engine.md section 4), and their outcomes: each operation's error
// when it was refused or not committed, and the commands it produced.
//
// Owns its operations (and the messages and values they hold), the core
// and the command list. It answers, sends, dispatches and arms nothing:
// the node routes the outcomes (eng_node.c). It knows no partition but
// the store handed to eng_batch_apply.
//
// Thread rule: the engine loop's thread.
#ifndef ENG_BATCH_H
#define ENG_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "lang_doc.h"
#include "sr_msg.h"
#include "sr_wire.h"
#include "store_docs.h"
#include "store_part.h"

typedef enum {
    ENG_OP_EVENT = 1, // core_step
    ENG_OP_WF_CREATE, // store a definition (doc in `doc`)
    ENG_OP_WF_DELETE, // remove a workflow name
} eng_op_kind_t;

// One operation: an event for the core (or a catalog change) from a
// message, a timer or the engine itself, and what to answer once it is
// durable. Its maker fills the first part; eng_batch_apply the outcome.
typedef struct {
    eng_op_kind_t kind;
    sr_msg_type_t type;  // the message it came from; SR_MSG_NONE: the engine
    sr_wire_peer_t peer; // who to answer
    bool from_worker;
    int64_t req_id;        // -1: no reply wanted
    core_event_t ev;       // pointers into `msg`, `value`, `timer`, `text`
    sr_msg_t *msg;         // owned
    sr_value_t *value;     // owned: result / error value
    core_timer_t timer;    // TIMER: the timer (ev.timer is set to it)
    char *text;            // owned: a string the event points to
    const lang_doc_t *doc; // WF_CREATE (borrowed from the cache)
    size_t part;           // index of its partition (eng_part.h)
    // The outcome.
    sr_err_t rc;
    sr_error_t err;
    bool failed;             // refused (or refused by its maker already):
                             // the rest is applied without it
    bool uncommitted;        // its batch could not be committed: nothing
                             // of it happened (a RESULT is not ACKed)
    size_t cmd_from, cmd_to; // its commands in eng_batch_cmds()
} eng_op_t;

typedef struct eng_batch eng_batch_t;

// An empty batch with its own core (`cfg` is copied) over the definition
// cache `docs` (borrowed: it must outlive the batch). NULL when out of
// memory.
eng_batch_t *eng_batch_new(const core_config_t *cfg, store_docs_t *docs);
// NULL-safe; sets *self_p to NULL.
void eng_batch_destroy(eng_batch_t **self_p);

// A new operation at the end of the batch, zeroed but for req_id (-1);
// NULL when out of memory. Borrowed: valid until the next eng_batch_add
// or eng_batch_clear.
eng_op_t *eng_batch_add(eng_batch_t *self);

// A WF_CREATE operation of `doc` for each partition index below `nparts`
// (the catalog lives in every partition). Returns the first of them
// (borrowed as from eng_batch_add), or NULL when none was added (memory
// running out stops the adding there).
eng_op_t *eng_batch_add_def(eng_batch_t *self, size_t nparts,
                            const lang_doc_t *doc);

// The operations gathered, in arrival order; operation `i` (< size) is
// borrowed like one from eng_batch_add.
size_t eng_batch_size(const eng_batch_t *self);
eng_op_t *eng_batch_at(eng_batch_t *self, size_t i);

// How a partition's write transaction is committed, when not by the
// store: `commit` takes the transaction over (a replicated partition's
// goes through its Raft group, eng_repl.h). An error is a batch that
// happened not at all.
typedef sr_err_t(eng_batch_commit_fn)(void *arg, store_txn_t **txn_p,
                                      sr_error_t *err);

// Apply the operations of partition `part` (index) to `store`, in arrival
// order, in one write transaction, and commit it (`commit`, or the store
// when NULL). One the core refuses is
// marked failed and the rest applied again without it; a batch that
// cannot be committed marks every operation not refused failed and
// uncommitted, with its commands dropped (the failure is logged).
// Returns how many operations the partition had (0: nothing was done).
size_t eng_batch_apply(eng_batch_t *self, size_t part, store_part_t *store,
                       int64_t now_ms, eng_batch_commit_fn *commit,
                       void *commit_arg);

// The partition's batch, applied and handed to `commit`, was not
// committed after all (its Raft entry failed): every operation not
// refused fails with `err` as uncommitted, its commands dropped, as when
// the commit itself fails.
void eng_batch_fail(eng_batch_t *self, size_t part, const sr_error_t *err);

// The commands of the operations applied since the last clear, in order;
// an operation's own are [cmd_from, cmd_to). Borrowed.
const core_cmds_t *eng_batch_cmds(const eng_batch_t *self);

// The turn is over: forget every operation and command.
void eng_batch_clear(eng_batch_t *self);

// Partition batches applied, and the operations in them, since the start.
uint64_t eng_batch_batches(const eng_batch_t *self);
uint64_t eng_batch_events(const eng_batch_t *self);

#endif
