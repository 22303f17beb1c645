// Partitions of an engine node: each in its own folder DATA/p<N>, its
// ownership epoch bumped when the node opens it, its earliest timer kept
// at hand, and what a restart must pick up again (offered and running
// actions).
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eng_internal.h"
#include "sr_log.h"
#include "sr_value_msgpack.h"

static sr_err_t
s_mkdir(const char *path, sr_error_t *err)
{
    if (mkdir(path, 0700) && errno != EEXIST)
        return sr_error_set(err, SR_EIO, "cannot create folder %s: %s", path,
                            strerror(errno));
    return SR_OK;
}

// Say at start whether each partition was found or made: a data folder
// lost or replaced shows as a partition created empty.
static void
s_log_open(const eng_part_t *p, const char *dir)
{
    size_t count = 0;
    sr_error_t e;
    if (p->is_created) {
        sr_info("partition %u: created empty in %s (epoch %llu, format %d)",
                p->number, dir, (unsigned long long)p->epoch,
                store_part_format(p->store));
        return;
    }
    if (store_part_count(p->store, STORE_DB_EXEC, &count, &e))
        sr_warn("partition %u: cannot count its executions: %s", p->number,
                e.msg);
    sr_info("partition %u: opened %s (epoch %llu, format %d, %zu "
            "executions)",
            p->number, dir, (unsigned long long)p->epoch,
            store_part_format(p->store), count);
}

sr_err_t
eng_parts_open(eng_t *eng, sr_error_t *err)
{
    size_t n = eng->cfg.npartitions ? eng->cfg.npartitions : 1;
    eng->parts = calloc(n, sizeof *eng->parts);
    if (!eng->parts)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    sr_err_t rc = s_mkdir(eng->data_dir, err);
    store_opts_t opts = {.durability = eng->cfg.durability};
    for (size_t i = 0; !rc && i < n; i++) {
        eng_part_t *p = &eng->parts[i];
        p->number = eng->cfg.npartitions ? eng->cfg.partitions[i] : 0;
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/p%u", eng->data_dir, p->number);
        if (eng_part_find(eng, p->number, NULL) != p)
            rc = sr_error_set(err, SR_EINVAL, "partition %u listed twice",
                              p->number);
        if (!rc)
            rc = s_mkdir(dir, err);
        if (!rc)
            rc = store_part_open(dir, p->number, &opts, &p->store, err);
        if (!rc)
            rc = store_part_bump_epoch(p->store, err);
        if (!rc) {
            p->epoch = store_part_epoch(p->store);
            p->is_created = store_part_is_new(p->store);
            eng->nparts = i + 1;
            rc = eng_part_next_timer(eng, p, err);
        }
        if (!rc)
            s_log_open(p, dir);
    }
    return rc;
}

void
eng_parts_close(eng_t *eng)
{
    for (size_t i = 0; i < eng->nparts; i++)
        store_part_close(&eng->parts[i].store);
    free(eng->parts);
    eng->parts = NULL;
    eng->nparts = 0;
}

eng_part_t *
eng_part_find(eng_t *eng, uint16_t number, size_t *index)
{
    size_t n = eng->cfg.npartitions ? eng->cfg.npartitions : 1;
    for (size_t i = 0; i < n && eng->parts; i++)
        if (eng->parts[i].number == number) {
            if (index)
                *index = i;
            return &eng->parts[i];
        }
    return NULL;
}

typedef struct {
    eng_t *eng;
    size_t pi;
    int64_t now;
    size_t max, count;
    int64_t first;
    sr_error_t *err;
} s_timers_t;

static sr_err_t
s_first_visit(void *arg, const void *key, size_t klen, const void *val,
              size_t vlen)
{
    (void)val;
    (void)vlen;
    s_timers_t *t = arg;
    if (klen == 24)
        t->first = store_key_get_ms(key);
    return SR_EEXIST; // only the first
}

sr_err_t
eng_part_next_timer(eng_t *eng, eng_part_t *part, sr_error_t *err)
{
    (void)eng;
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(part->store, false, &txn, err);
    if (rc)
        return rc;
    s_timers_t t = {.first = 0, .err = err};
    rc = store_scan(txn, STORE_DB_TIMER, NULL, 0, NULL, 0, s_first_visit, &t,
                    err);
    store_txn_abort(&txn);
    part->next_timer = t.first;
    return rc == SR_EEXIST ? SR_OK : rc;
}

static sr_err_t
s_due_visit(void *arg, const void *key, size_t klen, const void *val,
            size_t vlen)
{
    s_timers_t *t = arg;
    if (klen != 24)
        return SR_OK;
    int64_t due = store_key_get_ms(key);
    if (due > t->now || t->count >= t->max)
        return SR_EEXIST;
    sr_limits_t lim = {.max_bytes = (size_t)1 << 31, .max_depth = 64};
    sr_value_t *v = NULL;
    core_timer_t timer = {.due_ms = due};
    memcpy(timer.id.b, (const uint8_t *)key + 8, 16);
    sr_err_t rc = sr_value_decode(val, vlen, &lim, &v, t->err);
    if (!rc)
        rc = core_timer_from_value(v, &timer, t->err);
    sr_value_destroy(&v);
    if (rc)
        return rc;
    eng_op_t *op = eng_batch_add(t->eng->batch);
    if (!op)
        return SR_ENOMEM;
    op->kind = ENG_OP_EVENT;
    op->req_id = -1;
    op->part = t->pi;
    op->timer = timer;
    op->ev.kind = CORE_EV_TIMER;
    t->count++;
    return SR_OK;
}

sr_err_t
eng_part_due_timers(eng_t *eng, size_t pi, int64_t now, size_t max,
                    sr_error_t *err)
{
    eng_part_t *part = &eng->parts[pi];
    if (!part->next_timer || part->next_timer > now)
        return SR_OK;
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(part->store, false, &txn, err);
    if (rc)
        return rc;
    s_timers_t t = {eng, pi, now, max, 0, 0, err};
    rc =
        store_scan(txn, STORE_DB_TIMER, NULL, 0, NULL, 0, s_due_visit, &t, err);
    store_txn_abort(&txn);
    part->next_timer = 0; // refreshed after the batch commits
    return rc == SR_EEXIST ? SR_OK : rc;
}

// --- recovery ------------------------------------------------------------

typedef struct {
    eng_t *eng;
    eng_part_t *part;
    store_txn_t *txn;
    sr_error_t *err;
} s_recover_t;

sr_err_t
eng_orphan_add(eng_t *eng, eng_orphan_t orphan)
{
    if (eng->norphans == eng->caporphans) {
        size_t c = eng->caporphans ? eng->caporphans * 2 : 16;
        eng_orphan_t *o = realloc(eng->orphans, c * sizeof *o);
        if (!o)
            return SR_ENOMEM;
        eng->orphans = o;
        eng->caporphans = c;
    }
    eng->orphans[eng->norphans++] = orphan;
    return SR_OK;
}

// One entry of the dispatch queue: its action, offered again when it
// waits for a worker (through the core: a new attempt, whose TASK carries
// a new token), watched as an orphan when it was running: its worker may
// come back and resend the result within the expiry time. An entry whose
// action is gone or final is stale and skipped.
static sr_err_t
s_recover_visit(void *arg, const void *key, size_t klen, const void *val,
                size_t vlen)
{
    (void)val;
    (void)vlen;
    s_recover_t *rv = arg;
    if (klen != 24)
        return sr_error_set(rv->err, SR_ESTORE, "queue key of %zu bytes", klen);
    sr_value_t *v = NULL;
    core_action_t *a = NULL;
    sr_err_t rc = store_get(rv->txn, STORE_DB_ACTION, (const uint8_t *)key + 8,
                            16, &v, rv->err);
    if (rc == SR_ENOTFOUND) {
        sr_error_clear(rv->err);
        return SR_OK;
    }
    if (!rc)
        rc = core_action_from_value(v, &a, rv->err);
    sr_value_destroy(&v);
    if (rc)
        return rc;
    if (a->state == CORE_A_SCHEDULED)
        rc = eng_orphan_add(rv->eng,
                            (eng_orphan_t){.action_id = a->id,
                                           .due = eng_now_ms(),
                                           .kind = CORE_EV_REOFFER,
                                           .attempt = a->attempt,
                                           .worker = "(offered before a "
                                                     "restart)"});
    else if (a->state == CORE_A_RUNNING)
        rc = eng_orphan_add(
            rv->eng,
            (eng_orphan_t){.action_id = a->id,
                           .due = eng_now_ms() + rv->eng->cfg.expiry_ms,
                           .kind = CORE_EV_WORKER_LOST,
                           .why = "not connected again after the engine "
                                  "restarted"});
    core_action_destroy(&a);
    return rc;
}

sr_err_t
eng_part_recover(eng_t *eng, size_t pi, sr_error_t *err)
{
    s_recover_t rv = {eng, &eng->parts[pi], NULL, err};
    sr_err_t rc = store_txn_begin(rv.part->store, false, &rv.txn, err);
    if (rc)
        return rc;
    rc = store_scan(rv.txn, STORE_DB_QUEUE, NULL, 0, NULL, 0, s_recover_visit,
                    &rv, err);
    store_txn_abort(&rv.txn);
    if (!rc && eng->norphans)
        sr_info("partition %u: %zu actions offered or running at restart",
                rv.part->number, eng->norphans);
    return rc;
}

// Is the worker that confirmed running action `id` (before a restart)
// connected again? Then it still runs it (a long action) and reports to
// us: it keeps the action, watched like any other.
static bool
s_adopted(eng_t *eng, size_t pi, const sr_id_t *id)
{
    sr_error_t err;
    store_txn_t *txn = NULL;
    if (store_txn_begin(eng->parts[pi].store, false, &txn, &err))
        return false;
    sr_value_t *v = NULL;
    core_action_t *a = NULL;
    bool adopted = !store_get(txn, STORE_DB_ACTION, id->b, 16, &v, &err) &&
                   !core_action_from_value(v, &a, &err) &&
                   a->state == CORE_A_RUNNING &&
                   eng_work_adopt(eng, a->worker, id, a->attempt);
    sr_value_destroy(&v);
    core_action_destroy(&a);
    store_txn_abort(&txn);
    return adopted;
}

sr_err_t
eng_orphans_due(eng_t *eng, int64_t now, sr_error_t *err)
{
    (void)err;
    for (size_t i = 0; i < eng->norphans;) {
        if (eng->orphans[i].due > now) {
            i++;
            continue;
        }
        const eng_orphan_t *o = &eng->orphans[i];
        sr_id_t id = o->action_id;
        size_t pi = 0;
        if (eng_part_find(eng, sr_id_partition(&id), &pi) &&
            !(o->kind == CORE_EV_WORKER_LOST && s_adopted(eng, pi, &id))) {
            eng_op_t *op = eng_batch_add(eng->batch);
            if (!op)
                return SR_ENOMEM;
            op->kind = ENG_OP_EVENT;
            op->req_id = -1;
            op->part = pi;
            op->ev.kind = o->kind;
            op->ev.action_id = id;
            op->ev.attempt = o->attempt;
            op->ev.worker = o->worker;
            op->ev.msg = o->why;
        }
        eng->orphans[i] = eng->orphans[--eng->norphans];
    }
    return SR_OK;
}

sr_err_t
eng_token_lookup(eng_t *eng, const char *token, sr_id_t *out, sr_error_t *err)
{
    uint8_t hash[32];
    crypto_hash_sha256(hash, (const unsigned char *)token, strlen(token));
    for (size_t i = 0; i < eng->nparts; i++) {
        store_txn_t *txn = NULL;
        sr_err_t rc = store_txn_begin(eng->parts[i].store, false, &txn, err);
        if (rc)
            return rc;
        const void *data = NULL;
        size_t len = 0;
        rc = store_get_raw(txn, STORE_DB_TOKEN, hash, 32, &data, &len, err);
        if (rc == SR_OK && len == 16)
            memcpy(out->b, data, 16);
        store_txn_abort(&txn);
        if (rc == SR_OK && len == 16)
            return SR_OK;
        if (rc && rc != SR_ENOTFOUND)
            return rc;
    }
    return sr_error_set(err, SR_ENOTFOUND, "no pending action for this token");
}
