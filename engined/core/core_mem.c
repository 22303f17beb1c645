// The core's state in memory (core_mem.h). Owns sorted tables of encoded
// records (a binary value of the msgpack of core_*_to_value, or a token's
// action id), keyed so that they sort as the store's do: ids by the time
// in them, task executions by execution then seq, timers by due time. A
// batch works on a copy of the tables (rows share their values), with a
// cache of the records it decoded that the commit encodes back. Like the
// store, a scan writes the changed records first so that it sees them, and
// a deleted record stays readable by its pointer until the batch ends.
#include "core_mem.h"

#include <stdlib.h>
#include <string.h>

#include "core_rows.h"
#include "sr_value_msgpack.h"

// A record the batch decoded: the core changes it in place.
typedef struct {
    core_mem_table_t table;
    uint8_t key[CORE_ROWS_KEYMAX];
    uint8_t klen;
    bool dirty; // to encode at the commit
    bool gone;  // deleted: reads find nothing, the commit skips it
    void *rec;  // owned: core_exec_t, core_task_t or core_action_t
} s_cached_t;

typedef struct {
    char hash[65];
    lang_doc_t *doc; // owned
} s_def_t;

struct core_mem {
    core_state_t core; // first: core_mem_t * <-> core_state_t *
    core_rows_t tables[CORE_MEM_NTABLES]; // committed
    core_rows_t work[CORE_MEM_NTABLES];   // the open batch's copy
    bool open;
    s_cached_t *cache;
    size_t ncache, capcache;
    sr_error_t err; // the first failure an op could not return
    bool failed;
    s_def_t *defs; // the newest last
    size_t ndefs, capdefs;
};

static core_mem_t *
s_self(core_state_t *st)
{
    return (core_mem_t *)st;
}

// Grow `*items` (of `size` bytes each) to hold one more than `n`.
static sr_err_t
s_grow(void **items, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return SR_OK;
    size_t grown = *cap ? *cap * 2 : 16;
    void *p = realloc(*items, grown * size);
    if (!p)
        return SR_ENOMEM;
    *items = p;
    *cap = grown;
    return SR_OK;
}

// --- records -----------------------------------------------------------------

static void
s_free_rec(core_mem_table_t table, void *rec)
{
    if (table == CORE_MEM_EXECS) {
        core_exec_t *e = rec;
        core_exec_destroy(&e);
    } else if (table == CORE_MEM_TASKS) {
        core_task_t *t = rec;
        core_task_destroy(&t);
    } else {
        core_action_t *a = rec;
        core_action_destroy(&a);
    }
}

// The encoded value of a record or a timer.
static sr_value_t *
s_encode(core_mem_table_t table, const void *rec)
{
    sr_value_t *v = table == CORE_MEM_EXECS    ? core_exec_to_value(rec)
                    : table == CORE_MEM_TASKS  ? core_task_to_value(rec)
                    : table == CORE_MEM_TIMERS ? core_timer_to_value(rec)
                                               : core_action_to_value(rec);
    char *buf = NULL;
    size_t len = 0;
    sr_value_t *bin = NULL;
    if (v && sr_value_encode(v, &buf, &len) == SR_OK)
        bin = sr_value_new_bin(buf, len);
    free(buf);
    sr_value_destroy(&v);
    return bin;
}

static sr_err_t
s_decode(core_mem_table_t table, const sr_value_t *bin, void *out,
         sr_error_t *err)
{
    size_t len = 0;
    const void *data = sr_value_bin(bin, &len);
    sr_limits_t lim = {.max_bytes = (size_t)1 << 31, .max_depth = 256};
    sr_value_t *v = NULL;
    sr_err_t rc = sr_value_decode(data, len, &lim, &v, err);
    if (rc)
        return sr_error_set(err, SR_ESTORE, "kept record unreadable");
    if (table == CORE_MEM_EXECS)
        rc = core_exec_from_value(v, out, err);
    else if (table == CORE_MEM_TASKS)
        rc = core_task_from_value(v, out, err);
    else if (table == CORE_MEM_TIMERS)
        rc = core_timer_from_value(v, out, err);
    else
        rc = core_action_from_value(v, out, err);
    sr_value_destroy(&v);
    return rc;
}

// --- the batch's cache -------------------------------------------------------

static s_cached_t *
s_cached(core_mem_t *m, core_mem_table_t table, const uint8_t *key, size_t klen)
{
    for (size_t i = 0; i < m->ncache; i++) {
        s_cached_t *c = &m->cache[i];
        if (c->table == table && c->klen == klen && !memcmp(c->key, key, klen))
            return c;
    }
    return NULL;
}

// Cache `rec` (taken) under `key`, in place of one deleted before.
static sr_err_t
s_cache_add(core_mem_t *m, core_mem_table_t table, const uint8_t *key,
            size_t klen, void *rec, bool dirty, void **out)
{
    s_cached_t *c = s_cached(m, table, key, klen);
    if (c) { // deleted earlier in the batch, made again
        s_free_rec(table, c->rec);
    } else if (!s_grow((void **)&m->cache, m->ncache, &m->capcache,
                       sizeof *m->cache)) {
        c = &m->cache[m->ncache++];
        c->table = table;
        memcpy(c->key, key, klen);
        c->klen = (uint8_t)klen;
    } else {
        s_free_rec(table, rec);
        return SR_ENOMEM;
    }
    c->rec = rec;
    c->gone = false;
    c->dirty = dirty;
    if (out)
        *out = rec;
    return SR_OK;
}

static sr_err_t
s_get(core_mem_t *m, core_mem_table_t table, const uint8_t *key, size_t klen,
      void **out)
{
    s_cached_t *c = s_cached(m, table, key, klen);
    if (c && c->gone)
        return SR_ENOTFOUND;
    if (c) {
        *out = c->rec;
        return SR_OK;
    }
    const sr_value_t *bin = core_rows_get(&m->work[table], key, klen);
    if (!bin)
        return SR_ENOTFOUND;
    void *rec = NULL;
    sr_err_t rc = s_decode(table, bin, &rec, &m->err);
    return rc ? rc : s_cache_add(m, table, key, klen, rec, false, out);
}

static void
s_dirty(core_mem_t *m, core_mem_table_t table, const uint8_t *key, size_t klen)
{
    s_cached_t *c = s_cached(m, table, key, klen);
    if (c && !c->gone)
        c->dirty = true;
    else if (!c && !m->failed) {
        m->failed = true;
        sr_error_set(&m->err, SR_EINTERNAL,
                     "dirty record that was not read through the cache");
    }
}

static sr_err_t
s_del(core_mem_t *m, core_mem_table_t table, const uint8_t *key, size_t klen)
{
    s_cached_t *c = s_cached(m, table, key, klen);
    if (c) {
        c->gone = true;
        c->dirty = false;
    }
    core_rows_del(&m->work[table], key, klen);
    return SR_OK;
}

// Encode the changed records into the batch's tables.
static sr_err_t
s_flush(core_mem_t *m)
{
    for (size_t i = 0; i < m->ncache; i++) {
        s_cached_t *c = &m->cache[i];
        if (!c->dirty)
            continue;
        sr_value_t *bin = s_encode(c->table, c->rec);
        sr_err_t rc =
            bin ? core_rows_put(&m->work[c->table], c->key, c->klen, bin)
                : SR_ENOMEM;
        if (rc)
            return sr_error_set(&m->err, rc, "out of memory");
        c->dirty = false;
    }
    return SR_OK;
}

static void
s_cache_clear(core_mem_t *m)
{
    for (size_t i = 0; i < m->ncache; i++)
        s_free_rec(m->cache[i].table, m->cache[i].rec);
    m->ncache = 0;
}

// --- core_state_ops_t --------------------------------------------------------

static sr_err_t
s_exec_get(core_state_t *st, const sr_id_t *id, core_exec_t **out)
{
    return s_get(s_self(st), CORE_MEM_EXECS, id->b, 16, (void **)out);
}

static sr_err_t
s_exec_add(core_state_t *st, core_exec_t **exec_p)
{
    core_exec_t *e = *exec_p;
    *exec_p = NULL;
    return s_cache_add(s_self(st), CORE_MEM_EXECS, e->id.b, 16, e, true, NULL);
}

static void
s_exec_dirty(core_state_t *st, core_exec_t *exec)
{
    s_dirty(s_self(st), CORE_MEM_EXECS, exec->id.b, 16);
}

// Visit the executions or action executions made from `from_ms` to
// `to_ms`, in id order.
static sr_err_t
s_window(core_mem_t *m, core_mem_table_t table, int64_t from_ms, int64_t to_ms,
         core_exec_visit_fn exec_fn, core_action_visit_fn action_fn, void *arg)
{
    sr_err_t rc = s_flush(m);
    sr_id_t start;
    sr_id_floor(m->core.partition, from_ms, &start);
    const core_rows_t *t = &m->work[table];
    bool found;
    for (size_t i = core_rows_seek(t, start.b, 16, &found); !rc && i < t->n;
         i++) {
        const core_row_t *row = &t->rows[i];
        sr_id_t id;
        memcpy(id.b, row->key, 16);
        if (sr_id_partition(&id) != m->core.partition ||
            sr_id_time_ms(&id) > to_ms)
            break;
        s_cached_t *c = s_cached(m, table, row->key, row->klen);
        if (c && c->gone)
            continue;
        void *rec = c ? c->rec : NULL;
        if (!rec && (rc = s_decode(table, row->val, &rec, &m->err)))
            break;
        rc = exec_fn ? exec_fn(arg, rec) : action_fn(arg, rec);
        if (!c)
            s_free_rec(table, rec);
    }
    return rc;
}

static sr_err_t
s_exec_scan(core_state_t *st, int64_t from_ms, int64_t to_ms,
            core_exec_visit_fn fn, void *arg)
{
    return s_window(s_self(st), CORE_MEM_EXECS, from_ms, to_ms, fn, NULL, arg);
}

static sr_err_t
s_exec_del(core_state_t *st, const sr_id_t *id)
{
    return s_del(s_self(st), CORE_MEM_EXECS, id->b, 16);
}

static sr_err_t
s_task_get(core_state_t *st, const sr_id_t *exec_id, uint32_t seq,
           core_task_t **out)
{
    uint8_t key[CORE_ROWS_KEYMAX];
    size_t klen = core_rows_task_key(key, exec_id, seq);
    return s_get(s_self(st), CORE_MEM_TASKS, key, klen, (void **)out);
}

static sr_err_t
s_task_add(core_state_t *st, core_task_t **task_p)
{
    core_task_t *t = *task_p;
    *task_p = NULL;
    uint8_t key[CORE_ROWS_KEYMAX];
    size_t klen = core_rows_task_key(key, &t->exec_id, t->seq);
    return s_cache_add(s_self(st), CORE_MEM_TASKS, key, klen, t, true, NULL);
}

static void
s_task_dirty(core_state_t *st, core_task_t *task)
{
    uint8_t key[CORE_ROWS_KEYMAX];
    size_t klen = core_rows_task_key(key, &task->exec_id, task->seq);
    s_dirty(s_self(st), CORE_MEM_TASKS, key, klen);
}

static sr_err_t
s_task_scan(core_state_t *st, const sr_id_t *exec_id, core_task_visit_fn fn,
            void *arg)
{
    core_mem_t *m = s_self(st);
    sr_err_t rc = s_flush(m);
    const core_rows_t *t = &m->work[CORE_MEM_TASKS];
    bool found;
    for (size_t i = core_rows_seek(t, exec_id->b, 16, &found); !rc && i < t->n;
         i++) {
        const core_row_t *row = &t->rows[i];
        if (memcmp(row->key, exec_id->b, 16))
            break;
        void *rec = NULL;
        rc = s_get(m, CORE_MEM_TASKS, row->key, row->klen, &rec);
        if (rc == SR_ENOTFOUND) { // deleted in this batch
            rc = SR_OK;
            continue;
        }
        if (!rc)
            rc = fn(arg, rec);
    }
    return rc;
}

static sr_err_t
s_task_del(core_state_t *st, const sr_id_t *exec_id, uint32_t seq)
{
    uint8_t key[CORE_ROWS_KEYMAX];
    size_t klen = core_rows_task_key(key, exec_id, seq);
    return s_del(s_self(st), CORE_MEM_TASKS, key, klen);
}

static sr_err_t
s_action_get(core_state_t *st, const sr_id_t *id, core_action_t **out)
{
    return s_get(s_self(st), CORE_MEM_ACTIONS, id->b, 16, (void **)out);
}

static sr_err_t
s_action_add(core_state_t *st, core_action_t **action_p)
{
    core_action_t *a = *action_p;
    *action_p = NULL;
    return s_cache_add(s_self(st), CORE_MEM_ACTIONS, a->id.b, 16, a, true,
                       NULL);
}

static void
s_action_dirty(core_state_t *st, core_action_t *action)
{
    s_dirty(s_self(st), CORE_MEM_ACTIONS, action->id.b, 16);
}

static sr_err_t
s_action_scan(core_state_t *st, int64_t from_ms, int64_t to_ms,
              core_action_visit_fn fn, void *arg)
{
    return s_window(s_self(st), CORE_MEM_ACTIONS, from_ms, to_ms, NULL, fn,
                    arg);
}

static sr_err_t
s_action_del(core_state_t *st, const sr_id_t *id)
{
    return s_del(s_self(st), CORE_MEM_ACTIONS, id->b, 16);
}

static sr_err_t
s_timer_add(core_state_t *st, const core_timer_t *timer)
{
    core_mem_t *m = s_self(st);
    uint8_t key[CORE_ROWS_KEYMAX];
    size_t klen = core_rows_timer_key(key, timer->due_ms, &timer->id);
    sr_value_t *bin = s_encode(CORE_MEM_TIMERS, timer);
    return bin ? core_rows_put(&m->work[CORE_MEM_TIMERS], key, klen, bin)
               : SR_ENOMEM;
}

static sr_err_t
s_timer_del(core_state_t *st, int64_t due_ms, const sr_id_t *id)
{
    uint8_t key[CORE_ROWS_KEYMAX];
    size_t klen = core_rows_timer_key(key, due_ms, id);
    core_rows_del(&s_self(st)->work[CORE_MEM_TIMERS], key, klen);
    return SR_OK;
}

static sr_err_t
s_token_add(core_state_t *st, const uint8_t hash[32], const sr_id_t *action)
{
    sr_value_t *bin = sr_value_new_bin(action->b, 16);
    return bin ? core_rows_put(&s_self(st)->work[CORE_MEM_TOKENS], hash, 32,
                               bin)
               : SR_ENOMEM;
}

static sr_err_t
s_token_del(core_state_t *st, const uint8_t hash[32])
{
    core_rows_del(&s_self(st)->work[CORE_MEM_TOKENS], hash, 32);
    return SR_OK;
}

static sr_err_t
s_doc_get(core_state_t *st, const char *def_hash, const lang_doc_t **out)
{
    core_mem_t *m = s_self(st);
    for (size_t i = 0; i < m->ndefs; i++)
        if (!strcmp(m->defs[i].hash, def_hash)) {
            *out = m->defs[i].doc;
            return SR_OK;
        }
    return SR_ENOTFOUND;
}

// The newest definition holding workflow `wf_name`.
static sr_err_t
s_def_for_name(core_state_t *st, const char *wf_name, char def_hash[65])
{
    core_mem_t *m = s_self(st);
    for (size_t i = m->ndefs; i-- > 0;)
        if (lang_doc_workflow(m->defs[i].doc, wf_name)) {
            memcpy(def_hash, m->defs[i].hash, 65);
            return SR_OK;
        }
    return SR_ENOTFOUND;
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

// --- the partition -----------------------------------------------------------

core_mem_t *
core_mem_new(uint16_t partition)
{
    core_mem_t *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->core.ops = &s_ops;
    m->core.partition = partition;
    return m;
}

void
core_mem_destroy(core_mem_t **mem_p)
{
    core_mem_t *m = mem_p ? *mem_p : NULL;
    if (!m)
        return;
    core_mem_abort(m);
    free(m->cache);
    for (int i = 0; i < CORE_MEM_NTABLES; i++)
        core_rows_clear(&m->tables[i]);
    for (size_t i = 0; i < m->ndefs; i++)
        lang_doc_destroy(&m->defs[i].doc);
    free(m->defs);
    free(m);
    *mem_p = NULL;
}

sr_err_t
core_mem_define(core_mem_t *mem, lang_doc_t **doc_p)
{
    lang_doc_t *doc = *doc_p;
    *doc_p = NULL;
    const char *hash = lang_doc_hash(doc);
    size_t i = 0;
    while (i < mem->ndefs && strcmp(mem->defs[i].hash, hash))
        i++;
    if (i < mem->ndefs) { // kept once; its workflows become the newest
        s_def_t kept = mem->defs[i];
        memmove(&mem->defs[i], &mem->defs[i + 1],
                (mem->ndefs - i - 1) * sizeof *mem->defs);
        mem->defs[mem->ndefs - 1] = kept;
        lang_doc_destroy(&doc);
        return SR_OK;
    }
    if (s_grow((void **)&mem->defs, mem->ndefs, &mem->capdefs,
               sizeof *mem->defs)) {
        lang_doc_destroy(&doc);
        return SR_ENOMEM;
    }
    memcpy(mem->defs[mem->ndefs].hash, hash, 65);
    mem->defs[mem->ndefs++].doc = doc;
    return SR_OK;
}

sr_err_t
core_mem_begin(core_mem_t *mem, core_state_t **out)
{
    if (mem->open)
        return SR_ESTATE;
    for (int i = 0; i < CORE_MEM_NTABLES; i++)
        if (core_rows_copy(&mem->work[i], &mem->tables[i])) {
            while (i-- > 0)
                core_rows_clear(&mem->work[i]);
            return SR_ENOMEM;
        }
    mem->open = true;
    *out = &mem->core;
    return SR_OK;
}

sr_err_t
core_mem_commit(core_mem_t *mem, sr_error_t *err)
{
    sr_err_t rc = mem->failed ? mem->err.code : s_flush(mem);
    if (rc) {
        if (err)
            *err = mem->err;
        core_mem_abort(mem);
        return rc;
    }
    for (int i = 0; i < CORE_MEM_NTABLES; i++) {
        core_rows_clear(&mem->tables[i]);
        mem->tables[i] = mem->work[i];
        memset(&mem->work[i], 0, sizeof mem->work[i]);
    }
    s_cache_clear(mem);
    mem->open = false;
    return SR_OK;
}

void
core_mem_abort(core_mem_t *mem)
{
    for (int i = 0; i < CORE_MEM_NTABLES; i++)
        core_rows_clear(&mem->work[i]);
    s_cache_clear(mem);
    sr_error_clear(&mem->err);
    mem->failed = false;
    mem->open = false;
}

// A copy of a committed record.
static sr_err_t
s_read(const core_mem_t *mem, core_mem_table_t table, const uint8_t *key,
       size_t klen, void *out)
{
    const sr_value_t *bin = core_rows_get(&mem->tables[table], key, klen);
    return bin ? s_decode(table, bin, out, NULL) : SR_ENOTFOUND;
}

sr_err_t
core_mem_exec(core_mem_t *mem, const sr_id_t *id, core_exec_t **out)
{
    return s_read(mem, CORE_MEM_EXECS, id->b, 16, out);
}

sr_err_t
core_mem_task(core_mem_t *mem, const sr_id_t *exec_id, uint32_t seq,
              core_task_t **out)
{
    uint8_t key[CORE_ROWS_KEYMAX];
    size_t klen = core_rows_task_key(key, exec_id, seq);
    return s_read(mem, CORE_MEM_TASKS, key, klen, out);
}

sr_err_t
core_mem_action(core_mem_t *mem, const sr_id_t *id, core_action_t **out)
{
    return s_read(mem, CORE_MEM_ACTIONS, id->b, 16, out);
}

sr_err_t
core_mem_next_timer(core_mem_t *mem, core_timer_t *out)
{
    const core_rows_t *t = &mem->tables[CORE_MEM_TIMERS];
    if (!t->n)
        return SR_ENOTFOUND;
    // The key holds the due time and the id; the value the rest.
    core_rows_timer_at(t->rows[0].key, &out->due_ms, &out->id);
    return s_decode(CORE_MEM_TIMERS, t->rows[0].val, out, NULL);
}

size_t
core_mem_count(const core_mem_t *mem, core_mem_table_t table)
{
    return mem->tables[table].n;
}
