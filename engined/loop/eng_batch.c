// Group commit: the operations of one batch are applied to each partition
// in ONE write transaction, committed once (synced per the durability
// mode), and only then answered (by the node, from the outcomes kept
// here): ACKs, GO/HALT, replies, TASKs to workers, events to subscribers.
// An operation the core refuses keeps its error and the partition's batch
// is replayed without it, so a refused event never leaves half its
// changes behind. Owns the operations, the core and the commands.
// Thread rule: the engine loop's thread.
#include "eng_batch.h"

#include <stdlib.h>
#include <string.h>

#include "sr_log.h"
#include "store_state.h"

// s_try: an operation was refused; try the partition again without it.
#define S_REPLAY ((sr_err_t)1000)

struct eng_batch {
    core_t *core;        // owned
    store_docs_t *docs;  // borrowed: the node's definition cache
    core_cmds_t cmds;    // the commands of the operations applied
    eng_op_t *ops;       // owned, with what each holds
    size_t nops, capops; //
    uint64_t batches;    // partition batches applied since the start
    uint64_t events;     // operations in them
};

eng_batch_t *
eng_batch_new(const core_config_t *cfg, store_docs_t *docs)
{
    eng_batch_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->docs = docs;
    core_cmds_init(&self->cmds);
    self->core = core_new(cfg);
    if (!self->core)
        eng_batch_destroy(&self);
    return self;
}

void
eng_batch_destroy(eng_batch_t **self_p)
{
    eng_batch_t *self = *self_p;
    if (!self)
        return;
    eng_batch_clear(self);
    free(self->ops);
    core_cmds_fini(&self->cmds);
    core_destroy(&self->core);
    free(self);
    *self_p = NULL;
}

eng_op_t *
eng_batch_add(eng_batch_t *self)
{
    if (self->nops == self->capops) {
        size_t cap = self->capops ? self->capops * 2 : 64;
        eng_op_t *ops = realloc(self->ops, cap * sizeof *ops);
        if (!ops)
            return NULL;
        self->ops = ops;
        self->capops = cap;
    }
    eng_op_t *op = &self->ops[self->nops++];
    memset(op, 0, sizeof *op);
    op->req_id = -1;
    return op;
}

eng_op_t *
eng_batch_add_def(eng_batch_t *self, size_t nparts, const lang_doc_t *doc)
{
    size_t first = self->nops;
    for (size_t pi = 0; pi < nparts; pi++) {
        eng_op_t *op = eng_batch_add(self);
        if (!op)
            break;
        op->kind = ENG_OP_WF_CREATE;
        op->doc = doc;
        op->part = pi;
    }
    return self->nops > first ? &self->ops[first] : NULL;
}

size_t
eng_batch_size(const eng_batch_t *self)
{
    return self->nops;
}

eng_op_t *
eng_batch_at(eng_batch_t *self, size_t i)
{
    return &self->ops[i];
}

static sr_err_t
s_apply_op(eng_batch_t *self, store_txn_t *txn, store_state_t *st, eng_op_t *op,
           int64_t now)
{
    switch (op->kind) {
    case ENG_OP_EVENT:
        op->ev.now_ms = now;
        if (op->ev.kind == CORE_EV_TIMER) // its own copy, wherever it moved
            op->ev.timer = &op->timer;
        return core_step(self->core, store_state_core(st), &op->ev, &self->cmds,
                         &op->err);
    case ENG_OP_WF_CREATE:
        return store_def_put(txn, op->doc, now, &op->err);
    case ENG_OP_WF_DELETE: {
        sr_err_t rc = store_def_del_name(txn, op->text, &op->err);
        if (rc == SR_ENOTFOUND) // not every partition knows every name
            sr_error_clear(&op->err);
        return rc == SR_ENOTFOUND ? SR_OK : rc;
    }
    }
    return sr_error_set(&op->err, SR_EINTERNAL, "unknown operation");
}

// One try at the partition's operations. S_REPLAY: an operation was
// refused (marked failed); try again without it.
static sr_err_t
s_try(eng_batch_t *self, size_t pi, store_part_t *store, int64_t now,
      eng_batch_commit_fn *commit, void *commit_arg, sr_error_t *err)
{
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(store, true, &txn, err);
    if (rc)
        return rc;
    store_state_t *st = store_state_new(txn, self->docs);
    if (!st) {
        store_txn_abort(&txn);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    size_t base = self->cmds.count;
    for (size_t i = 0; i < self->nops; i++) {
        eng_op_t *op = &self->ops[i];
        if (op->part != pi || op->failed)
            continue;
        op->cmd_from = self->cmds.count;
        sr_err_t orc = s_apply_op(self, txn, st, op, now);
        op->cmd_to = self->cmds.count;
        if (orc) {
            op->rc = orc;
            op->failed = true;
            rc = S_REPLAY;
            break;
        }
    }
    if (!rc)
        rc = store_state_flush(st, err);
    store_state_destroy(&st);
    if (rc) {
        store_txn_abort(&txn);
        core_cmds_truncate(&self->cmds, base); // the aborted try's
        return rc;
    }
    return commit ? commit(commit_arg, &txn, err) : store_txn_commit(&txn, err);
}

// The partition's batch could not be committed: every operation not
// refused already failed with `e`, and none of its commands stays.
static void
s_fail_all(eng_batch_t *self, size_t pi, const sr_error_t *e)
{
    for (size_t i = 0; i < self->nops; i++) {
        eng_op_t *op = &self->ops[i];
        if (op->part != pi || op->failed)
            continue;
        op->failed = op->uncommitted = true;
        op->rc = e->code;
        op->err = *e;
        op->cmd_from = op->cmd_to = 0;
    }
}

size_t
eng_batch_apply(eng_batch_t *self, size_t part, store_part_t *store,
                int64_t now_ms, eng_batch_commit_fn *commit, void *commit_arg)
{
    size_t n = 0;
    for (size_t i = 0; i < self->nops; i++)
        n += self->ops[i].part == part;
    if (!n)
        return 0;
    sr_error_t err;
    sr_err_t rc;
    size_t tries = 0;
    while ((rc = s_try(self, part, store, now_ms, commit, commit_arg, &err)) ==
               S_REPLAY &&
           tries++ < n)
        ;
    if (rc) {
        sr_errorf("partition %u: batch of %zu failed: %s",
                  store_part_number(store), n, err.msg);
        s_fail_all(self, part, &err);
    }
    self->batches++;
    self->events += n;
    return n;
}

void
eng_batch_fail(eng_batch_t *self, size_t part, const sr_error_t *err)
{
    size_t n = 0;
    for (size_t i = 0; i < self->nops; i++)
        n += self->ops[i].part == part && !self->ops[i].failed;
    if (n)
        sr_errorf("batch of %zu failed: %s", n, err->msg);
    s_fail_all(self, part, err);
}

const core_cmds_t *
eng_batch_cmds(const eng_batch_t *self)
{
    return &self->cmds;
}

void
eng_batch_clear(eng_batch_t *self)
{
    for (size_t i = 0; i < self->nops; i++) {
        sr_msg_destroy(&self->ops[i].msg);
        sr_value_destroy(&self->ops[i].value);
        free(self->ops[i].text);
    }
    self->nops = 0;
    core_cmds_clear(&self->cmds);
}

uint64_t
eng_batch_batches(const eng_batch_t *self)
{
    return self->batches;
}

uint64_t
eng_batch_events(const eng_batch_t *self)
{
    return self->events;
}
