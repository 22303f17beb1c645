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
#include "store_read.h"

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
    store_counts_t count = {0};
    sr_error_t e;
    if (p->is_created) {
        sr_info("partition %u: created empty in %s (epoch %llu, format %d)",
                p->number, dir, (unsigned long long)p->epoch,
                store_part_format(p->store));
        return;
    }
    if (store_part_counts(p->store, &count, &e))
        sr_warn("partition %u: cannot count its executions: %s", p->number,
                e.msg);
    sr_info("partition %u: opened %s (epoch %llu, format %d, %zu "
            "executions)",
            p->number, dir, (unsigned long long)p->epoch,
            store_part_format(p->store), count.execs);
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

sr_err_t
eng_part_next_timer(eng_t *eng, eng_part_t *part, sr_error_t *err)
{
    (void)eng;
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(part->store, false, &txn, err);
    if (rc)
        return rc;
    core_timer_t first;
    rc = store_timer_first(txn, &first, err);
    store_txn_abort(&txn);
    part->next_timer = rc ? 0 : first.due_ms;
    return rc == SR_ENOTFOUND ? SR_OK : rc;
}

// Timers due, each queued as a TIMER event (at most `max`).
typedef struct {
    eng_t *eng;
    size_t pi;
    size_t max, count;
} s_timers_t;

static sr_err_t
s_due_visit(void *arg, const core_timer_t *timer)
{
    s_timers_t *t = arg;
    if (t->count >= t->max)
        return SR_EEXIST;
    eng_op_t *op = eng_op_add(t->eng);
    if (!op)
        return SR_ENOMEM;
    op->kind = ENG_OP_EVENT;
    op->req_id = -1;
    op->part = t->pi;
    op->timer = *timer;
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
    s_timers_t t = {eng, pi, max, 0};
    rc = store_timers_due(txn, now, s_due_visit, &t, err);
    store_txn_abort(&txn);
    // The events point at their op's own timer copy.
    for (size_t i = 0; i < eng->nops; i++)
        if (eng->ops[i].ev.kind == CORE_EV_TIMER)
            eng->ops[i].ev.timer = &eng->ops[i].timer;
    part->next_timer = 0; // refreshed after the batch commits
    return rc == SR_EEXIST ? SR_OK : rc;
}

// --- recovery ------------------------------------------------------------

typedef struct {
    eng_t *eng;
    eng_part_t *part;
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

// An open action: offered again when it waits for a worker (through the
// core: a new attempt, whose TASK carries a new token), watched as an
// orphan when it was running: its worker may come back and resend the
// result within the expiry time.
static sr_err_t
s_recover_visit(void *arg, core_action_t **action_p)
{
    s_recover_t *rv = arg;
    const core_action_t *a = *action_p;
    if (a->state == CORE_A_SCHEDULED)
        return eng_orphan_add(rv->eng,
                              (eng_orphan_t){.action_id = a->id,
                                             .due = eng_now_ms(),
                                             .kind = CORE_EV_REOFFER,
                                             .attempt = a->attempt,
                                             .worker = "(offered before a "
                                                       "restart)"});
    return eng_orphan_add(
        rv->eng, (eng_orphan_t){.action_id = a->id,
                                .due = eng_now_ms() + rv->eng->cfg.expiry_ms,
                                .kind = CORE_EV_WORKER_LOST,
                                .why = "not connected again after the engine "
                                       "restarted"});
}

sr_err_t
eng_part_recover(eng_t *eng, size_t pi, sr_error_t *err)
{
    s_recover_t rv = {eng, &eng->parts[pi]};
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(rv.part->store, false, &txn, err);
    if (rc)
        return rc;
    rc = store_open_actions(txn, s_recover_visit, &rv, err);
    store_txn_abort(&txn);
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
    core_action_t *a = NULL;
    bool adopted = !store_action_get(txn, id, &a, &err) &&
                   a->state == CORE_A_RUNNING &&
                   eng_work_adopt(eng, a->worker, id, a->attempt);
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
            eng_op_t *op = eng_op_add(eng);
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
        rc = store_token_action(txn, hash, out, err);
        store_txn_abort(&txn);
        if (rc != SR_ENOTFOUND)
            return rc;
    }
    return sr_error_set(err, SR_ENOTFOUND, "no pending action for this token");
}
