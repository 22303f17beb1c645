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
#include <string.h>

#include "eng_internal.h"
#include "eng_view_util.h"
#include "sr_log.h"

#define S_SCAN     1000 // executions read per partition and pass
#define S_PER_PASS 100  // deletions queued per partition and pass

typedef struct {
    int64_t before_ms; // finished before this: expired
    size_t seen;
    bool stopped; // S_SCAN reached
    sr_id_t last;
    sr_id_t found[S_PER_PASS];
    size_t nfound;
    sr_error_t *err;
} s_pass_t;

static sr_err_t
s_visit(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    s_pass_t *p = arg;
    if (klen != 16)
        return SR_OK;
    if (p->seen == S_SCAN || p->nfound == S_PER_PASS) {
        p->stopped = true;
        return SR_EEXIST; // stops the scan; `last` resumes it
    }
    memcpy(p->last.b, key, 16);
    p->seen++;
    sr_value_t *v = NULL;
    core_exec_t *e = NULL;
    sr_err_t rc = eng_vdecode(val, vlen, &v, p->err);
    if (!rc)
        rc = core_exec_from_value(v, &e, p->err);
    sr_value_destroy(&v);
    if (rc)
        return rc;
    if (sr_id_is_nil(&e->parent_id) && core_ex_state_is_final(e->state) &&
        e->updated_ms < p->before_ms)
        p->found[p->nfound++] = e->id;
    core_exec_destroy(&e);
    return SR_OK;
}

// One partition: scan from its cursor, queue the deletions found.
static sr_err_t
s_pass(eng_t *eng, size_t pi, int64_t now, sr_error_t *err)
{
    eng_part_t *part = &eng->parts[pi];
    s_pass_t p = {.before_ms = now - eng->cfg.expire_after_ms, .err = err};
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(part->store, false, &txn, err);
    if (rc)
        return rc;
    bool resume = !sr_id_is_nil(&part->expire_from);
    rc = store_scan(txn, STORE_DB_EXEC, NULL, 0,
                    resume ? part->expire_from.b : NULL, resume ? 16 : 0,
                    s_visit, &p, err);
    store_txn_abort(&txn);
    if (rc && !(rc == SR_EEXIST && p.stopped))
        return rc;
    // Stopped early: go on from the last one read (read again, harmless).
    if (p.stopped)
        part->expire_from = p.last;
    else
        memset(&part->expire_from, 0, sizeof part->expire_from);
    for (size_t i = 0; i < p.nfound; i++) {
        eng_op_t *op = eng_batch_add(eng->batch);
        if (!op)
            return sr_error_set(err, SR_ENOMEM, "out of memory");
        op->kind = ENG_OP_EVENT;
        op->part = pi;
        op->ev.kind = CORE_EV_DELETE;
        op->ev.exec_id = p.found[i];
    }
    if (p.nfound)
        sr_debug("partition %u: %zu expired executions to delete", part->number,
                 p.nfound);
    return SR_OK;
}

void
eng_expire_due(eng_t *eng, int64_t now)
{
    if (eng->cfg.expire_after_ms <= 0 || now < eng->next_expire)
        return;
    eng->next_expire = now + ENG_EXPIRE_EVERY_MS;
    for (size_t pi = 0; pi < eng->nparts; pi++) {
        sr_error_t err;
        if (s_pass(eng, pi, now, &err))
            sr_errorf("partition %u: expiration pass failed: %s",
                      eng->parts[pi].number, err.msg);
    }
}
