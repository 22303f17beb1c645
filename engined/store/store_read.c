// Typed reads over the raw databases: each walk is a cursor scan whose
// keys are built and taken apart by store_key.c, and whose values are
// decoded into records by store_rec.c before a visitor sees them. Reads
// only; owns nothing beyond one call. Entries whose key has not the
// database's layout are not records of this build: walks skip them,
// except in the timer and queue databases, whose keys carry data
// (SR_ESTORE there).
#include "store_read.h"

#include <stdio.h>
#include <string.h>

#include "store_db.h"
#include "store_key.h"
#include "store_rec.h"

// One walk over executions, task executions or action executions.
typedef struct {
    store_rec_t kind;
    size_t klen; // the layout's key length
    store_exec_fn exec_fn;
    store_task_fn task_fn;
    store_action_fn action_fn;
    void *arg;
    store_txn_t *txn; // the open actions' walk reads each action
    sr_error_t *err;
} s_walk_t;

static const char *const s_names[] = {
    [STORE_REC_EXEC] = "execution",
    [STORE_REC_TASK] = "task execution",
    [STORE_REC_ACTION] = "action execution",
};

// Hand record `rec` of the walk's kind to its visitor; free what it left.
static sr_err_t
s_visit(s_walk_t *w, void *rec)
{
    sr_err_t rc;
    if (w->kind == STORE_REC_EXEC)
        rc = w->exec_fn(w->arg, (core_exec_t **)&rec);
    else if (w->kind == STORE_REC_TASK)
        rc = w->task_fn(w->arg, (core_task_t **)&rec);
    else
        rc = w->action_fn(w->arg, (core_action_t **)&rec);
    store_rec_free(w->kind, rec);
    return rc;
}

static sr_err_t
s_walk_one(void *arg, const void *key, size_t klen, const void *val,
           size_t vlen)
{
    (void)key;
    s_walk_t *w = arg;
    if (klen != w->klen)
        return SR_OK;
    void *rec = NULL;
    sr_err_t rc = store_rec_decode(w->kind, val, vlen, &rec, w->err);
    return rc ? rc : s_visit(w, rec);
}

// A record by key; the key's text for the message when it is absent.
static sr_err_t
s_get(store_txn_t *txn, store_db_t db, store_rec_t kind, const void *key,
      size_t klen, const char *name, void **out, sr_error_t *err)
{
    const void *data = NULL;
    size_t len = 0;
    sr_err_t rc = store_get_raw(txn, db, key, klen, &data, &len, err);
    if (rc == SR_ENOTFOUND)
        return sr_error_set(err, rc, "%s %s not found", s_names[kind], name);
    return rc ? rc : store_rec_decode(kind, data, len, out, err);
}

// A record by id.
static sr_err_t
s_get_id(store_txn_t *txn, store_db_t db, store_rec_t kind, const sr_id_t *id,
         void **out, sr_error_t *err)
{
    char text[SR_ID_TEXT_SIZE];
    return s_get(txn, db, kind, id->b, STORE_KEY_ID, sr_id_format(id, text),
                 out, err);
}

sr_err_t
store_exec_get(store_txn_t *txn, const sr_id_t *id, core_exec_t **out,
               sr_error_t *err)
{
    return s_get_id(txn, STORE_DB_EXEC, STORE_REC_EXEC, id, (void **)out, err);
}

sr_err_t
store_execs(store_txn_t *txn, const sr_id_t *from, store_exec_fn fn, void *arg,
            sr_error_t *err)
{
    s_walk_t w = {.kind = STORE_REC_EXEC,
                  .klen = STORE_KEY_ID,
                  .exec_fn = fn,
                  .arg = arg,
                  .err = err};
    return store_scan(txn, STORE_DB_EXEC, NULL, 0, from ? from->b : NULL,
                      from ? STORE_KEY_ID : 0, s_walk_one, &w, err);
}

sr_err_t
store_task_get(store_txn_t *txn, const sr_id_t *exec_id, uint32_t seq,
               core_task_t **out, sr_error_t *err)
{
    uint8_t key[STORE_KEY_TASK];
    store_key_task(key, exec_id, seq);
    char id[SR_ID_TEXT_SIZE], text[SR_ID_TEXT_SIZE + 16];
    snprintf(text, sizeof text, "%s/%u", sr_id_format(exec_id, id), seq);
    return s_get(txn, STORE_DB_TASK, STORE_REC_TASK, key, sizeof key, text,
                 (void **)out, err);
}

sr_err_t
store_tasks(store_txn_t *txn, const sr_id_t *exec_id, store_task_fn fn,
            void *arg, sr_error_t *err)
{
    s_walk_t w = {.kind = STORE_REC_TASK,
                  .klen = STORE_KEY_TASK,
                  .task_fn = fn,
                  .arg = arg,
                  .err = err};
    return store_scan(txn, STORE_DB_TASK, exec_id ? exec_id->b : NULL,
                      exec_id ? STORE_KEY_ID : 0, NULL, 0, s_walk_one, &w, err);
}

sr_err_t
store_action_get(store_txn_t *txn, const sr_id_t *id, core_action_t **out,
                 sr_error_t *err)
{
    return s_get_id(txn, STORE_DB_ACTION, STORE_REC_ACTION, id, (void **)out,
                    err);
}

sr_err_t
store_actions(store_txn_t *txn, const sr_id_t *from, store_action_fn fn,
              void *arg, sr_error_t *err)
{
    s_walk_t w = {.kind = STORE_REC_ACTION,
                  .klen = STORE_KEY_ID,
                  .action_fn = fn,
                  .arg = arg,
                  .err = err};
    return store_scan(txn, STORE_DB_ACTION, NULL, 0, from ? from->b : NULL,
                      from ? STORE_KEY_ID : 0, s_walk_one, &w, err);
}

// One entry of the dispatch queue: its action, when it still waits or
// runs (an entry whose action is gone or final is stale: skipped).
static sr_err_t
s_open_one(void *arg, const void *key, size_t klen, const void *val,
           size_t vlen)
{
    (void)val;
    (void)vlen;
    s_walk_t *w = arg;
    sr_id_t id;
    if (!store_key_queue_parse(key, klen, &id))
        return sr_error_set(w->err, SR_ESTORE, "queue key of %zu bytes", klen);
    const void *data = NULL;
    size_t len = 0;
    sr_err_t rc = store_get_raw(w->txn, STORE_DB_ACTION, id.b, STORE_KEY_ID,
                                &data, &len, w->err);
    if (rc == SR_ENOTFOUND)
        return SR_OK;
    core_action_t *a = NULL;
    if (!rc)
        rc = store_rec_decode(STORE_REC_ACTION, data, len, (void **)&a, w->err);
    if (rc)
        return rc;
    if (a->state != CORE_A_SCHEDULED && a->state != CORE_A_RUNNING) {
        core_action_destroy(&a);
        return SR_OK;
    }
    return s_visit(w, a);
}

sr_err_t
store_open_actions(store_txn_t *txn, store_action_fn fn, void *arg,
                   sr_error_t *err)
{
    s_walk_t w = {.kind = STORE_REC_ACTION,
                  .action_fn = fn,
                  .arg = arg,
                  .txn = txn,
                  .err = err};
    return store_scan(txn, STORE_DB_QUEUE, NULL, 0, NULL, 0, s_open_one, &w,
                      err);
}

// A walk over timers, in due order.
typedef struct {
    int64_t until_ms; // stop at the first timer due later
    bool past;        // stopped there
    store_timer_fn fn;
    void *arg;
    sr_error_t *err;
} s_timers_t;

static sr_err_t
s_timer_one(void *arg, const void *key, size_t klen, const void *val,
            size_t vlen)
{
    s_timers_t *t = arg;
    core_timer_t timer = {0};
    if (!store_key_timer_parse(key, klen, &timer.due_ms, &timer.id))
        return sr_error_set(t->err, SR_ESTORE, "timer key of %zu bytes", klen);
    if (timer.due_ms > t->until_ms) {
        t->past = true;
        return SR_EEXIST; // stops the scan
    }
    // Due time and id live in the key, the rest in the value.
    sr_value_t *v = NULL;
    sr_err_t rc = store_rec_value(val, vlen, &v, t->err);
    if (!rc)
        rc = core_timer_from_value(v, &timer, t->err);
    sr_value_destroy(&v);
    return rc ? rc : t->fn(t->arg, &timer);
}

static sr_err_t
s_timers(store_txn_t *txn, s_timers_t *t, sr_error_t *err)
{
    sr_err_t rc =
        store_scan(txn, STORE_DB_TIMER, NULL, 0, NULL, 0, s_timer_one, t, err);
    return rc == SR_EEXIST && t->past ? SR_OK : rc;
}

// Keep the first timer and stop.
static sr_err_t
s_first_one(void *arg, const core_timer_t *timer)
{
    *(core_timer_t *)arg = *timer;
    return SR_EEXIST;
}

sr_err_t
store_timer_first(store_txn_t *txn, core_timer_t *out, sr_error_t *err)
{
    core_timer_t first;
    s_timers_t t = {
        .until_ms = INT64_MAX, .fn = s_first_one, .arg = &first, .err = err};
    sr_err_t rc = s_timers(txn, &t, err);
    if (rc == SR_EEXIST)
        *out = first;
    return rc == SR_EEXIST ? SR_OK : rc == SR_OK ? SR_ENOTFOUND : rc;
}

sr_err_t
store_timers_due(store_txn_t *txn, int64_t now_ms, store_timer_fn fn, void *arg,
                 sr_error_t *err)
{
    s_timers_t t = {.until_ms = now_ms, .fn = fn, .arg = arg, .err = err};
    return s_timers(txn, &t, err);
}

sr_err_t
store_token_action(store_txn_t *txn, const uint8_t hash[32], sr_id_t *action_id,
                   sr_error_t *err)
{
    const void *data = NULL;
    size_t len = 0;
    sr_err_t rc = store_get_raw(txn, STORE_DB_TOKEN, hash, STORE_KEY_TOKEN,
                                &data, &len, err);
    if (!rc && len != SR_ID_SIZE)
        rc = sr_error_set(err, SR_ESTORE, "token row of %zu bytes", len);
    if (!rc)
        memcpy(action_id->b, data, SR_ID_SIZE);
    return rc;
}
