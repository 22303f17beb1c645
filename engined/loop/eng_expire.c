// Mistral's execution expiration policy: with `expire-after-s` set,
// top-level executions that finished (SUCCESS, ERROR, CANCELLED) longer
// ago than that are deleted, sub-workflows and all, as EX_DELETE does.
//
// Every ENG_EXPIRE_EVERY_MS a pass reads at most S_SCAN executions of each
// partition from a read transaction, going on where the last pass stopped
// (ids sort by creation time: the oldest come first; at the end it starts
// over), and queues at most S_PER_PASS DELETE operations; the batch of the
// same turn applies them with group commit like any event. So a pass costs
// the loop a bounded amount of work however large a partition grows.
// Owns the cursors of the passes and the count of deletions; reads the
// partitions, gives its operations to the batch.
// Thread rule: the engine loop's thread.
#include "eng_expire.h"

#include <stdlib.h>
#include <string.h>

#include "sr_log.h"
#include "store_read.h"

#define S_SCAN     1000 // executions read per partition and pass
#define S_PER_PASS 100  // deletions queued per partition and pass

struct eng_expire {
    eng_parts_t *parts; // borrowed
    eng_batch_t *batch; // borrowed: where the deletions go
    int64_t after_ms;   // finished this long ago: deleted; 0 = never
    int64_t next_ms;    // when the next pass runs
    sr_id_t *from;      // owned, one per partition: where the next
                        // pass reads on; nil: from the start
    uint64_t deleted;   // executions deleted by the policy
};

typedef struct {
    int64_t before_ms; // finished before this: expired
    size_t seen;
    bool stopped; // S_SCAN reached
    sr_id_t last;
    sr_id_t found[S_PER_PASS];
    size_t nfound;
} s_pass_t;

static sr_err_t
s_visit(void *arg, core_exec_t **exec_p)
{
    s_pass_t *p = arg;
    const core_exec_t *e = *exec_p;
    if (p->seen == S_SCAN || p->nfound == S_PER_PASS) {
        p->stopped = true;
        return SR_EEXIST; // stops the scan; `last` resumes it
    }
    p->last = e->id;
    p->seen++;
    if (sr_id_is_nil(&e->parent_id) && core_ex_state_is_final(e->state) &&
        e->updated_ms < p->before_ms)
        p->found[p->nfound++] = e->id;
    return SR_OK;
}

// One partition: scan from its cursor, queue the deletions found.
static sr_err_t
s_pass(eng_expire_t *self, size_t pi, int64_t now, sr_error_t *err)
{
    sr_id_t *from = &self->from[pi];
    s_pass_t p = {.before_ms = now - self->after_ms};
    store_txn_t *txn = NULL;
    sr_err_t rc =
        store_txn_begin(eng_parts_store(self->parts, pi), false, &txn, err);
    if (rc)
        return rc;
    bool resume = !sr_id_is_nil(from);
    rc = store_execs(txn, resume ? from : NULL, s_visit, &p, err);
    store_txn_abort(&txn);
    if (rc && !(rc == SR_EEXIST && p.stopped))
        return rc;
    // Stopped early: go on from the last one read (read again, harmless).
    if (p.stopped)
        *from = p.last;
    else
        memset(from, 0, sizeof *from);
    for (size_t i = 0; i < p.nfound; i++) {
        eng_op_t *op = eng_batch_add(self->batch);
        if (!op)
            return sr_error_set(err, SR_ENOMEM, "out of memory");
        op->kind = ENG_OP_EVENT;
        op->part = pi;
        op->ev.kind = CORE_EV_DELETE;
        op->ev.exec_id = p.found[i];
    }
    if (p.nfound)
        sr_debug("partition %u: %zu expired executions to delete",
                 eng_parts_number(self->parts, pi), p.nfound);
    return SR_OK;
}

eng_expire_t *
eng_expire_new(eng_parts_t *parts, eng_batch_t *batch, int64_t after_ms)
{
    eng_expire_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->parts = parts;
    self->batch = batch;
    self->after_ms = after_ms;
    self->from = calloc(eng_parts_capacity(parts) + 1, sizeof *self->from);
    if (!self->from)
        eng_expire_destroy(&self);
    return self;
}

void
eng_expire_destroy(eng_expire_t **self_p)
{
    eng_expire_t *self = *self_p;
    if (!self)
        return;
    free(self->from);
    free(self);
    *self_p = NULL;
}

void
eng_expire_due(eng_expire_t *self, int64_t now)
{
    if (self->after_ms <= 0 || now < self->next_ms)
        return;
    self->next_ms = now + ENG_EXPIRE_EVERY_MS;
    for (size_t pi = 0; pi < eng_parts_count(self->parts); pi++) {
        sr_error_t err;
        if (s_pass(self, pi, now, &err))
            sr_errorf("partition %u: expiration pass failed: %s",
                      eng_parts_number(self->parts, pi), err.msg);
    }
}

void
eng_expire_deleted(eng_expire_t *self)
{
    self->deleted++;
}

uint64_t
eng_expire_count(const eng_expire_t *self)
{
    return self->deleted;
}
