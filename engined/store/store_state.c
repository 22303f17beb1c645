// Cache-backed core state over an LMDB transaction. Owns the decoded
// records of one batch (an array indexed by sr_hash on record kind + key
// bytes) and writes the dirty ones at flush; a list of the dirty records
// keeps a flush proportional to what changed, not to the batch (a task
// scan flushes first). Timers, tokens and deletes are written through; a
// deleted record stays in the cache, marked gone, until the batch ends (the
// core may hold a pointer to it), and reads no longer find it. An action record
// that waits for a worker or runs (SCHEDULED, RUNNING) also has its entry in
// the dispatch queue database (created ms + id), removed when it moves on,
// so that recovery reads the open actions, not every action ever run.
#include "store_state.h"

#include <stdlib.h>
#include <string.h>

#include "sr_hash.h"
#include "store_db.h"
#include "store_key.h"
#include "store_rec.h"

typedef enum {
    S_EXEC = STORE_REC_EXEC,
    S_TASK = STORE_REC_TASK,
    S_ACTION = STORE_REC_ACTION
} s_kind_t;

#define S_KEYMAX 20

typedef struct {
    uint8_t kind;
    uint8_t klen;
    uint8_t key[S_KEYMAX];
    bool dirty;
    bool gone;     // deleted: reads find nothing, flush skips it
    uint32_t hash; // sr_hash_bytes of the key
    void *rec;
} s_entry_t;

// What a lookup seeks (the key's length is passed beside it).
typedef struct {
    uint8_t kind;
    const uint8_t *key;
} s_want_t;

struct store_state {
    core_state_t core; // first: store_state_t * <-> core_state_t *
    store_txn_t *txn;
    store_docs_t *docs;
    s_entry_t *ent; // the batch's records, in the order first read
    size_t count, cap;
    sr_hash_t index; // kind + key -> position in ent
    size_t *dirty;   // positions in ent of records to write at the flush
    size_t ndirty, capdirty;
    sr_error_t err; // first deferred error
    bool failed;
};

static store_state_t *
s_self(core_state_t *st)
{
    return (store_state_t *)st;
}

static void
s_free_rec(uint8_t kind, void *rec)
{
    store_rec_free((store_rec_t)kind, rec);
}

static bool
s_entry_is(const void *arg, size_t pos, const void *want, size_t klen)
{
    const s_entry_t *e = (const s_entry_t *)arg + pos;
    const s_want_t *w = want;
    return e->kind == w->kind && e->klen == klen &&
           memcmp(e->key, w->key, klen) == 0;
}

// The cached entry of a record, or NULL; *hash gets its key's hash.
static s_entry_t *
s_lookup(store_state_t *s, uint8_t kind, const uint8_t *key, size_t klen,
         uint32_t *hash)
{
    *hash = sr_hash_bytes(key, klen);
    s_want_t want = {kind, key};
    size_t pos =
        sr_hash_find(&s->index, *hash, s_entry_is, s->ent, &want, klen);
    return pos == SR_HASH_NONE ? NULL : &s->ent[pos];
}

// Mark an entry for the next flush.
static sr_err_t
s_mark(store_state_t *s, s_entry_t *e)
{
    if (e->dirty)
        return SR_OK;
    if (s->ndirty == s->capdirty) {
        size_t cap = s->capdirty ? s->capdirty * 2 : 64;
        size_t *d = realloc(s->dirty, cap * sizeof *d);
        if (!d)
            return SR_ENOMEM;
        s->dirty = d;
        s->capdirty = cap;
    }
    s->dirty[s->ndirty++] = (size_t)(e - s->ent);
    e->dirty = true;
    return SR_OK;
}

// Cache a record that is not cached yet, under its key's `hash`
// (ownership moves in, and the record is freed on failure).
static sr_err_t
s_append(store_state_t *s, uint32_t hash, uint8_t kind, const uint8_t *key,
         size_t klen, void *rec, bool dirty, s_entry_t **out)
{
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        s_entry_t *ent = realloc(s->ent, cap * sizeof *ent);
        if (!ent) {
            s_free_rec(kind, rec);
            return SR_ENOMEM;
        }
        s->ent = ent;
        s->cap = cap;
    }
    if (sr_hash_add(&s->index, hash, s->count) != SR_OK) {
        s_free_rec(kind, rec);
        return SR_ENOMEM;
    }
    s_entry_t *e = &s->ent[s->count++];
    e->kind = kind;
    e->klen = (uint8_t)klen;
    memcpy(e->key, key, klen);
    e->dirty = false;
    e->gone = false;
    e->hash = hash;
    e->rec = rec;
    if (out)
        *out = e;
    return dirty ? s_mark(s, e) : SR_OK;
}

// Insert a record (ownership moves in). The key must not be cached yet,
// unless as deleted earlier in the batch.
static sr_err_t
s_insert(store_state_t *s, uint8_t kind, const uint8_t *key, size_t klen,
         void *rec, bool dirty, s_entry_t **out)
{
    uint32_t hash;
    s_entry_t *old = s_lookup(s, kind, key, klen, &hash);
    if (old && old->gone) { // deleted earlier in the batch, made again
        s_free_rec(kind, old->rec);
        old->rec = rec;
        old->gone = false;
        if (out)
            *out = old;
        return dirty ? s_mark(s, old) : SR_OK;
    }
    return s_append(s, hash, kind, key, klen, rec, dirty, out);
}

static sr_err_t
s_decode(uint8_t kind, const void *data, size_t len, void **rec,
         sr_error_t *err)
{
    return store_rec_decode((store_rec_t)kind, data, len, rec, err);
}

// Get a record through the cache; SR_ENOTFOUND when absent.
static sr_err_t
s_get(store_state_t *s, uint8_t kind, store_db_t db, const uint8_t *key,
      size_t klen, void **out)
{
    uint32_t hash;
    s_entry_t *e = s_lookup(s, kind, key, klen, &hash);
    if (e && e->gone)
        return SR_ENOTFOUND;
    if (e) {
        *out = e->rec;
        return SR_OK;
    }
    const void *data;
    size_t len;
    sr_err_t rc = store_get_raw(s->txn, db, key, klen, &data, &len, &s->err);
    if (rc)
        return rc;
    void *rec = NULL;
    if ((rc = s_decode(kind, data, len, &rec, &s->err)))
        return rc;
    if ((rc = s_append(s, hash, kind, key, klen, rec, false, &e)))
        return rc;
    *out = e->rec;
    return SR_OK;
}

static void
s_dirty(store_state_t *s, uint8_t kind, const uint8_t *key, size_t klen)
{
    uint32_t hash;
    s_entry_t *e = s_lookup(s, kind, key, klen, &hash);
    if (e && e->gone)
        return; // deleted: nothing to write
    if (e && s_mark(s, e) && !s->failed) {
        s->failed = true;
        sr_error_set(&s->err, SR_ENOMEM, "out of memory");
    } else if (!e && !s->failed) {
        s->failed = true;
        sr_error_set(&s->err, SR_EINTERNAL,
                     "dirty record that was not read through the cache");
    }
}

// Delete a record from the transaction and mark its cache entry gone.
static sr_err_t
s_del(store_state_t *s, uint8_t kind, store_db_t db, const uint8_t *key,
      size_t klen)
{
    uint32_t hash;
    s_entry_t *e = s_lookup(s, kind, key, klen, &hash);
    if (e) {
        e->gone = true;
        e->dirty = false;
    }
    sr_err_t rc = store_del(s->txn, db, key, klen, &s->err);
    return rc == SR_ENOTFOUND ? SR_OK : rc;
}

// A scan of the records made in a window of time (exec_scan, action_scan).
typedef struct {
    store_state_t *s;
    uint8_t kind;
    int64_t to_ms;
    bool past; // the window's end was reached
    core_exec_visit_fn exec_fn;
    core_action_visit_fn action_fn;
    void *arg;
} s_window_t;

static sr_err_t
s_window_one(void *arg, const void *key, size_t klen, const void *val,
             size_t vlen)
{
    s_window_t *w = arg;
    if (klen != 16)
        return SR_OK;
    sr_id_t id;
    memcpy(id.b, key, 16);
    if (sr_id_time_ms(&id) > w->to_ms) {
        w->past = true;
        return SR_EEXIST; // stops the scan
    }
    // The cache is flushed: a cached record is the stored one, decoded.
    uint32_t hash;
    s_entry_t *e = s_lookup(w->s, w->kind, key, klen, &hash);
    if (e && e->gone)
        return SR_OK;
    void *rec = e ? e->rec : NULL;
    sr_err_t rc = SR_OK;
    if (!rec && (rc = s_decode(w->kind, val, vlen, &rec, &w->s->err)))
        return rc;
    if (w->kind == S_EXEC)
        rc = w->exec_fn(w->arg, rec);
    else
        rc = w->action_fn(w->arg, rec);
    if (!e)
        s_free_rec(w->kind, rec);
    return rc;
}

static sr_err_t
s_window(store_state_t *s, store_db_t db, s_window_t *w, int64_t from_ms)
{
    sr_err_t rc = store_state_flush(s, &s->err);
    if (rc)
        return rc;
    sr_id_t start;
    sr_id_floor(s->core.partition, from_ms, &start);
    uint8_t prefix[2] = {start.b[0], start.b[1]};
    rc = store_scan(s->txn, db, prefix, sizeof prefix, start.b, 16,
                    s_window_one, w, &s->err);
    return rc == SR_EEXIST && w->past ? SR_OK : rc;
}

// --- core_state_ops_t -------------------------------------------------------

static sr_err_t
s_exec_get(core_state_t *st, const sr_id_t *id, core_exec_t **out)
{
    return s_get(s_self(st), S_EXEC, STORE_DB_EXEC, id->b, 16, (void **)out);
}

static sr_err_t
s_exec_add(core_state_t *st, core_exec_t **exec_p)
{
    core_exec_t *e = *exec_p;
    *exec_p = NULL;
    return s_insert(s_self(st), S_EXEC, e->id.b, 16, e, true, NULL);
}

static void
s_exec_dirty(core_state_t *st, core_exec_t *exec)
{
    s_dirty(s_self(st), S_EXEC, exec->id.b, 16);
}

static sr_err_t
s_exec_scan(core_state_t *st, int64_t from_ms, int64_t to_ms,
            core_exec_visit_fn fn, void *arg)
{
    s_window_t w = {.s = s_self(st),
                    .kind = S_EXEC,
                    .to_ms = to_ms,
                    .exec_fn = fn,
                    .arg = arg};
    return s_window(s_self(st), STORE_DB_EXEC, &w, from_ms);
}

static sr_err_t
s_exec_del(core_state_t *st, const sr_id_t *id)
{
    return s_del(s_self(st), S_EXEC, STORE_DB_EXEC, id->b, 16);
}

static sr_err_t
s_task_get(core_state_t *st, const sr_id_t *exec_id, uint32_t seq,
           core_task_t **out)
{
    uint8_t key[20];
    store_key_task(key, exec_id, seq);
    return s_get(s_self(st), S_TASK, STORE_DB_TASK, key, 20, (void **)out);
}

static sr_err_t
s_task_add(core_state_t *st, core_task_t **task_p)
{
    core_task_t *t = *task_p;
    *task_p = NULL;
    uint8_t key[20];
    store_key_task(key, &t->exec_id, t->seq);
    return s_insert(s_self(st), S_TASK, key, 20, t, true, NULL);
}

static void
s_task_dirty(core_state_t *st, core_task_t *task)
{
    uint8_t key[20];
    store_key_task(key, &task->exec_id, task->seq);
    s_dirty(s_self(st), S_TASK, key, 20);
}

static sr_err_t
s_task_del(core_state_t *st, const sr_id_t *exec_id, uint32_t seq)
{
    uint8_t key[20];
    store_key_task(key, exec_id, seq);
    return s_del(s_self(st), S_TASK, STORE_DB_TASK, key, 20);
}

typedef struct {
    store_state_t *s;
    core_task_visit_fn fn;
    void *arg;
} s_scan_t;

static sr_err_t
s_scan_one(void *arg, const void *key, size_t klen, const void *val,
           size_t vlen)
{
    s_scan_t *sc = arg;
    if (klen != 20)
        return SR_OK;
    uint32_t hash;
    s_entry_t *e = s_lookup(sc->s, S_TASK, key, klen, &hash);
    if (e && e->gone)
        return SR_OK;
    if (!e) {
        void *rec = NULL;
        sr_err_t rc = s_decode(S_TASK, val, vlen, &rec, &sc->s->err);
        if (!rc)
            rc = s_append(sc->s, hash, S_TASK, key, klen, rec, false, &e);
        if (rc)
            return rc;
    }
    return sc->fn(sc->arg, e->rec);
}

static sr_err_t
s_task_scan(core_state_t *st, const sr_id_t *exec_id, core_task_visit_fn fn,
            void *arg)
{
    store_state_t *s = s_self(st);
    // New and changed records must be in the tree for the cursor to see.
    sr_err_t rc = store_state_flush(s, &s->err);
    if (rc)
        return rc;
    s_scan_t sc = {s, fn, arg};
    return store_scan(s->txn, STORE_DB_TASK, exec_id->b, 16, NULL, 0,
                      s_scan_one, &sc, &s->err);
}

static sr_err_t
s_action_get(core_state_t *st, const sr_id_t *id, core_action_t **out)
{
    return s_get(s_self(st), S_ACTION, STORE_DB_ACTION, id->b, 16,
                 (void **)out);
}

static sr_err_t
s_action_add(core_state_t *st, core_action_t **action_p)
{
    core_action_t *a = *action_p;
    *action_p = NULL;
    return s_insert(s_self(st), S_ACTION, a->id.b, 16, a, true, NULL);
}

static void
s_action_dirty(core_state_t *st, core_action_t *action)
{
    s_dirty(s_self(st), S_ACTION, action->id.b, 16);
}

static sr_err_t
s_action_scan(core_state_t *st, int64_t from_ms, int64_t to_ms,
              core_action_visit_fn fn, void *arg)
{
    s_window_t w = {.s = s_self(st),
                    .kind = S_ACTION,
                    .to_ms = to_ms,
                    .action_fn = fn,
                    .arg = arg};
    return s_window(s_self(st), STORE_DB_ACTION, &w, from_ms);
}

static sr_err_t s_queue_drop(store_txn_t *txn, const core_action_t *a,
                             sr_error_t *err);

// Delete an action record and its dispatch queue entry (an action cancelled
// by a forced delete in this batch was never flushed as ended).
static sr_err_t
s_action_del(core_state_t *st, const sr_id_t *id)
{
    store_state_t *s = s_self(st);
    void *rec = NULL;
    sr_err_t rc = s_get(s, S_ACTION, STORE_DB_ACTION, id->b, 16, &rec);
    if (rc == SR_ENOTFOUND) {
        sr_error_clear(&s->err);
        return SR_OK;
    }
    if (rc)
        return rc;
    if ((rc = s_queue_drop(s->txn, rec, &s->err)))
        return rc;
    return s_del(s, S_ACTION, STORE_DB_ACTION, id->b, 16);
}

static sr_err_t
s_timer_add(core_state_t *st, const core_timer_t *timer)
{
    store_state_t *s = s_self(st);
    uint8_t key[STORE_KEY_TIMER];
    store_key_timer(key, timer->due_ms, &timer->id);
    sr_value_t *v = core_timer_to_value(timer);
    if (!v)
        return SR_ENOMEM;
    sr_err_t rc = store_put(s->txn, STORE_DB_TIMER, key, 24, v, &s->err);
    sr_value_destroy(&v);
    return rc;
}

static sr_err_t
s_timer_del(core_state_t *st, int64_t due_ms, const sr_id_t *id)
{
    store_state_t *s = s_self(st);
    uint8_t key[STORE_KEY_TIMER];
    store_key_timer(key, due_ms, id);
    sr_err_t rc = store_del(s->txn, STORE_DB_TIMER, key, 24, &s->err);
    return rc == SR_ENOTFOUND ? SR_OK : rc;
}

static sr_err_t
s_token_add(core_state_t *st, const uint8_t hash[32], const sr_id_t *action)
{
    store_state_t *s = s_self(st);
    return store_put_raw(s->txn, STORE_DB_TOKEN, hash, 32, action->b, 16,
                         &s->err);
}

static sr_err_t
s_token_del(core_state_t *st, const uint8_t hash[32])
{
    store_state_t *s = s_self(st);
    sr_err_t rc = store_del(s->txn, STORE_DB_TOKEN, hash, 32, &s->err);
    return rc == SR_ENOTFOUND ? SR_OK : rc;
}

static sr_err_t
s_doc_get(core_state_t *st, const char *def_hash, const lang_doc_t **out)
{
    store_state_t *s = s_self(st);
    return store_docs_get(s->docs, s->txn, def_hash, out, &s->err);
}

static sr_err_t
s_def_for_name(core_state_t *st, const char *wf_name, char def_hash[65])
{
    store_state_t *s = s_self(st);
    return store_def_for_name(s->txn, wf_name, def_hash, &s->err);
}

static const core_state_ops_t s_ops = {
    .exec_get = s_exec_get,
    .exec_add = s_exec_add,
    .exec_dirty = s_exec_dirty,
    .exec_scan = s_exec_scan,
    .exec_del = s_exec_del,
    .task_get = s_task_get,
    .task_add = s_task_add,
    .task_dirty = s_task_dirty,
    .task_scan = s_task_scan,
    .task_del = s_task_del,
    .action_get = s_action_get,
    .action_add = s_action_add,
    .action_dirty = s_action_dirty,
    .action_scan = s_action_scan,
    .action_del = s_action_del,
    .timer_add = s_timer_add,
    .timer_del = s_timer_del,
    .token_add = s_token_add,
    .token_del = s_token_del,
    .doc_get = s_doc_get,
    .def_for_name = s_def_for_name,
};

store_state_t *
store_state_new(store_txn_t *txn, store_docs_t *docs)
{
    store_state_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->core.ops = &s_ops;
    s->core.partition = store_part_number(store_txn_part(txn));
    s->txn = txn;
    s->docs = docs;
    sr_hash_init(&s->index);
    return s;
}

core_state_t *
store_state_core(store_state_t *st)
{
    return &st->core;
}

static sr_value_t *
s_to_value(const s_entry_t *e)
{
    if (e->kind == S_EXEC)
        return core_exec_to_value(e->rec);
    if (e->kind == S_TASK)
        return core_task_to_value(e->rec);
    return core_action_to_value(e->rec);
}

// Remove the queue entry of action `a`, if it has one.
static sr_err_t
s_queue_drop(store_txn_t *txn, const core_action_t *a, sr_error_t *err)
{
    uint8_t key[24];
    store_key_queue(key, a->created_ms, &a->id);
    sr_err_t rc = store_del(txn, STORE_DB_QUEUE, key, 24, err);
    if (rc == SR_ENOTFOUND) {
        sr_error_clear(err);
        rc = SR_OK;
    }
    return rc;
}

// Keep the queue entry of action `a` in step with its state.
static sr_err_t
s_queue_sync(store_txn_t *txn, const core_action_t *a, sr_error_t *err)
{
    if (a->state != CORE_A_SCHEDULED && a->state != CORE_A_RUNNING)
        return s_queue_drop(txn, a, err);
    uint8_t key[24];
    store_key_queue(key, a->created_ms, &a->id);
    return store_put_raw(txn, STORE_DB_QUEUE, key, 24, "", 0, err);
}

sr_err_t
store_state_flush(store_state_t *st, sr_error_t *err)
{
    static const store_db_t dbs[] = {0, STORE_DB_EXEC, STORE_DB_TASK,
                                     STORE_DB_ACTION};
    if (st->failed)
        return store_state_error(st, err);
    for (size_t i = 0; i < st->ndirty; i++) {
        s_entry_t *e = &st->ent[st->dirty[i]];
        if (!e->dirty)
            continue;
        sr_value_t *v = s_to_value(e);
        if (!v)
            return sr_error_set(err, SR_ENOMEM, "out of memory");
        sr_err_t rc = store_put(st->txn, dbs[e->kind], e->key, e->klen, v, err);
        sr_value_destroy(&v);
        if (!rc && e->kind == S_ACTION)
            rc = s_queue_sync(st->txn, e->rec, err);
        if (rc)
            return rc;
        e->dirty = false;
    }
    st->ndirty = 0;
    return SR_OK;
}

sr_err_t
store_state_error(const store_state_t *st, sr_error_t *err)
{
    if (!st->failed)
        return SR_OK;
    if (err)
        *err = st->err;
    return st->err.code;
}

void
store_state_destroy(store_state_t **st_p)
{
    store_state_t *s = st_p ? *st_p : NULL;
    if (!s)
        return;
    for (size_t i = 0; i < s->count; i++)
        s_free_rec(s->ent[i].kind, s->ent[i].rec);
    free(s->ent);
    sr_hash_fini(&s->index);
    free(s->dirty);
    free(s);
    *st_p = NULL;
}
