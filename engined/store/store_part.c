// LMDB partition environments. Owns the MDB_env and its named databases,
// maps LMDB codes to sr_err_t with mdb_strerror's text, and decodes values
// through proto. Knows nothing about what the records mean.
#include "store_part.h"

#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sr_value_msgpack.h"
#include "store_db.h"
#include "store_key.h"
#include "store_rec.h"
#include "store_ws.h"

#define S_FORMAT      2 // 2: the queue database indexes open actions
#define S_DEFAULT_MAP ((size_t)16 << 30)
#define S_META_KEY                                                             \
    "meta" // the per-copy record: partition, epoch, format, applied
#define S_CLOCK_KEY "sim.now" // the clock (store_clock_put)

static const char *const s_db_names[STORE_DB_COUNT] = {
    "meta",  "exec",  "task", "action", "timer",
    "queue", "token", "def",  "defname"};

struct store_part {
    MDB_env *env;
    bool writing;     // a write transaction is open (LMDB has one writer)
    uint64_t commits; // write transactions committed through this handle
    MDB_dbi dbi[STORE_DB_COUNT];
    uint16_t number;
    uint64_t epoch;
    uint64_t applied; // index of the last replicated entry applied; 0: none
    int format;
    bool is_new; // this open created it (no meta record was there)
    char *dir;
    store_ws_schema_t schema; // what its write sets are of
};

struct store_txn {
    store_part_t *part;
    MDB_txn *txn;
    bool write;
    store_ws_t *ws; // owned: its changes (a write txn's, unless applying)
};

static sr_err_t
s_mdb_fail(sr_error_t *err, int rc, const char *what)
{
    sr_err_t code = rc == MDB_NOTFOUND ? SR_ENOTFOUND
                    : rc == ENOMEM     ? SR_ENOMEM
                                       : SR_ESTORE;
    return sr_error_set(err, code, "lmdb: %s: %s", what, mdb_strerror(rc));
}

static sr_err_t
s_meta_write(store_part_t *p, MDB_txn *txn, sr_error_t *err)
{
    sr_value_t *m = sr_value_new_map(4);
    sr_err_t rc = sr_value_map_put(m, "partition", sr_value_new_int(p->number));
    if (!rc)
        rc = sr_value_map_put(m, "epoch", sr_value_new_int((int64_t)p->epoch));
    if (!rc)
        rc = sr_value_map_put(m, "format", sr_value_new_int(S_FORMAT));
    if (!rc && p->applied)
        rc = sr_value_map_put(m, "applied",
                              sr_value_new_int((int64_t)p->applied));
    char *buf = NULL;
    size_t len = 0;
    if (!rc)
        rc = sr_value_encode(m, &buf, &len);
    sr_value_destroy(&m);
    if (rc)
        return sr_error_set(err, rc, "out of memory");
    MDB_val k = {strlen(S_META_KEY), S_META_KEY}, v = {len, buf};
    int mrc = mdb_put(txn, p->dbi[STORE_DB_META], &k, &v, 0);
    free(buf);
    return mrc ? s_mdb_fail(err, mrc, "write meta") : SR_OK;
}

// Read or create the meta record; refuse a folder of another partition.
static sr_err_t
s_meta_load(store_part_t *p, MDB_txn *txn, sr_error_t *err)
{
    MDB_val k = {strlen(S_META_KEY), S_META_KEY}, v;
    int mrc = mdb_get(txn, p->dbi[STORE_DB_META], &k, &v);
    p->format = S_FORMAT;
    if (mrc == MDB_NOTFOUND) {
        p->is_new = true;
        return s_meta_write(p, txn, err);
    }
    if (mrc)
        return s_mdb_fail(err, mrc, "read meta");
    sr_value_t *m = NULL;
    sr_err_t rc = sr_value_decode(v.mv_data, v.mv_size, NULL, &m, err);
    if (rc)
        return sr_error_set(err, SR_ESTORE, "partition meta unreadable: %s",
                            err ? err->msg : "");
    int64_t number = -1, epoch = 0, format = 0, applied = 0;
    sr_value_map_int(m, "partition", &number);
    sr_value_map_int(m, "epoch", &epoch);
    sr_value_map_int(m, "applied", &applied);
    sr_value_map_int(m, "format", &format);
    sr_value_destroy(&m);
    if (number != p->number)
        return sr_error_set(err, SR_EINVAL,
                            "folder %s holds partition %lld, not %u", p->dir,
                            (long long)number, p->number);
    if (format != S_FORMAT)
        return sr_error_set(err, SR_ESTORE,
                            "partition %u has storage format %lld; this "
                            "build reads format %d",
                            p->number, (long long)format, S_FORMAT);
    p->epoch = (uint64_t)epoch;
    p->applied = applied > 0 ? (uint64_t)applied : 0;
    return SR_OK;
}

sr_err_t
store_part_open(const char *dir, uint16_t partition, const store_opts_t *opts,
                store_part_t **out, sr_error_t *err)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return sr_error_set(err, SR_EIO, "cannot create %s: %s", dir,
                            strerror(errno));
    store_part_t *p = calloc(1, sizeof *p);
    if (!p || !(p->dir = strdup(dir))) {
        free(p);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    p->number = partition;
    sr_err_t rc = SR_OK;
    MDB_txn *txn = NULL;
    int mrc = mdb_env_create(&p->env);
    if (mrc) {
        rc = s_mdb_fail(err, mrc, "create environment");
        goto fail;
    }
    size_t map = opts && opts->map_bytes ? opts->map_bytes : S_DEFAULT_MAP;
    unsigned flags = MDB_NOTLS;
    if (opts && opts->durability == STORE_NOSYNC)
        flags |= MDB_NOSYNC;
    else if (opts && opts->durability == STORE_REPLICA)
        flags |= MDB_NOMETASYNC;
    if ((mrc = mdb_env_set_mapsize(p->env, map)) ||
        (mrc = mdb_env_set_maxdbs(p->env, STORE_DB_COUNT + 2)) ||
        (mrc = mdb_env_open(p->env, dir, flags, 0600))) {
        rc = s_mdb_fail(err, mrc, dir);
        goto fail;
    }
    p->schema =
        (store_ws_schema_t){.partition = partition,
                            .format = S_FORMAT,
                            .dbs = s_db_names,
                            .ndbs = STORE_DB_COUNT,
                            .max_key = (size_t)mdb_env_get_maxkeysize(p->env)};
    if ((mrc = mdb_txn_begin(p->env, NULL, 0, &txn))) {
        rc = s_mdb_fail(err, mrc, "begin");
        goto fail;
    }
    for (int i = 0; i < STORE_DB_COUNT; i++) {
        if ((mrc = mdb_dbi_open(txn, s_db_names[i], MDB_CREATE, &p->dbi[i]))) {
            rc = s_mdb_fail(err, mrc, s_db_names[i]);
            goto fail;
        }
    }
    if ((rc = s_meta_load(p, txn, err)))
        goto fail;
    mrc = mdb_txn_commit(txn);
    txn = NULL;
    if (mrc) {
        rc = s_mdb_fail(err, mrc, "commit");
        goto fail;
    }
    *out = p;
    return SR_OK;
fail:
    if (txn)
        mdb_txn_abort(txn);
    store_part_close(&p);
    return rc;
}

void
store_part_close(store_part_t **part_p)
{
    store_part_t *p = part_p ? *part_p : NULL;
    if (!p)
        return;
    if (p->env)
        mdb_env_close(p->env);
    free(p->dir);
    free(p);
    *part_p = NULL;
}

uint16_t
store_part_number(const store_part_t *part)
{
    return part->number;
}

uint64_t
store_part_epoch(const store_part_t *part)
{
    return part->epoch;
}

int
store_part_format(const store_part_t *part)
{
    return part->format;
}

bool
store_part_is_new(const store_part_t *part)
{
    return part->is_new;
}

const char *
store_part_dir(const store_part_t *part)
{
    return part->dir;
}

sr_err_t
store_part_bump_epoch(store_part_t *part, sr_error_t *err)
{
    MDB_txn *txn;
    int mrc = mdb_txn_begin(part->env, NULL, 0, &txn);
    if (mrc)
        return s_mdb_fail(err, mrc, "begin");
    part->epoch++;
    sr_err_t rc = s_meta_write(part, txn, err);
    if (rc) {
        mdb_txn_abort(txn);
        part->epoch--;
        return rc;
    }
    if ((mrc = mdb_txn_commit(txn))) {
        part->epoch--;
        return s_mdb_fail(err, mrc, "commit");
    }
    return SR_OK;
}

// Begin a transaction; a write transaction that `records` keeps its
// write set.
static sr_err_t
s_txn_begin(store_part_t *part, bool write, bool records, store_txn_t **out,
            sr_error_t *err)
{
    // A second write transaction of this thread would wait for the first
    // for ever: refused instead.
    if (write && part->writing)
        return sr_error_set(err, SR_EINTERNAL,
                            "partition %u: a write transaction is open "
                            "already",
                            part->number);
    store_txn_t *t = calloc(1, sizeof *t);
    if (!t || (write && records && !(t->ws = store_ws_new(&part->schema)))) {
        free(t);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    int mrc = mdb_txn_begin(part->env, NULL, write ? 0 : MDB_RDONLY, &t->txn);
    if (mrc) {
        store_ws_destroy(&t->ws);
        free(t);
        return s_mdb_fail(err, mrc, "begin");
    }
    t->part = part;
    t->write = write;
    part->writing = part->writing || write;
    *out = t;
    return SR_OK;
}

sr_err_t
store_txn_begin(store_part_t *part, bool write, store_txn_t **out,
                sr_error_t *err)
{
    return s_txn_begin(part, write, true, out, err);
}

static void
s_txn_free(store_txn_t *t)
{
    if (t->write)
        t->part->writing = false;
    store_ws_destroy(&t->ws);
    free(t);
}

sr_err_t
store_txn_commit(store_txn_t **txn_p, sr_error_t *err)
{
    store_txn_t *t = *txn_p;
    *txn_p = NULL;
    int mrc = mdb_txn_commit(t->txn);
    if (!mrc && t->write)
        t->part->commits++;
    s_txn_free(t);
    return mrc ? s_mdb_fail(err, mrc, "commit") : SR_OK;
}

void
store_txn_abort(store_txn_t **txn_p)
{
    store_txn_t *t = txn_p ? *txn_p : NULL;
    if (!t)
        return;
    mdb_txn_abort(t->txn);
    s_txn_free(t);
    *txn_p = NULL;
}

store_part_t *
store_txn_part(const store_txn_t *txn)
{
    return txn->part;
}

bool
store_txn_is_write(const store_txn_t *txn)
{
    return txn->write;
}

const store_ws_t *
store_txn_ws(const store_txn_t *txn)
{
    return txn->ws;
}

sr_err_t
store_get_raw(store_txn_t *txn, store_db_t db, const void *key, size_t klen,
              const void **data, size_t *len, sr_error_t *err)
{
    MDB_val k = {klen, (void *)key}, v;
    int mrc = mdb_get(txn->txn, txn->part->dbi[db], &k, &v);
    if (mrc == MDB_NOTFOUND)
        return SR_ENOTFOUND;
    if (mrc)
        return s_mdb_fail(err, mrc, s_db_names[db]);
    *data = v.mv_data;
    *len = v.mv_size;
    return SR_OK;
}

sr_err_t
store_get(store_txn_t *txn, store_db_t db, const void *key, size_t klen,
          sr_value_t **out, sr_error_t *err)
{
    const void *data = NULL;
    size_t len = 0;
    sr_err_t rc = store_get_raw(txn, db, key, klen, &data, &len, err);
    return rc ? rc : store_rec_value(data, len, out, err);
}

sr_err_t
store_put_raw(store_txn_t *txn, store_db_t db, const void *key, size_t klen,
              const void *data, size_t len, sr_error_t *err)
{
    MDB_val k = {klen, (void *)key}, v = {len, (void *)data};
    int mrc = mdb_put(txn->txn, txn->part->dbi[db], &k, &v, 0);
    if (mrc)
        return s_mdb_fail(err, mrc, s_db_names[db]);
    if (txn->ws && store_ws_put(txn->ws, db, key, klen, data, len))
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    return SR_OK;
}

sr_err_t
store_put(store_txn_t *txn, store_db_t db, const void *key, size_t klen,
          const sr_value_t *value, sr_error_t *err)
{
    char *buf;
    size_t len = 0;
    if (sr_value_encode(value, &buf, &len))
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    sr_err_t rc = store_put_raw(txn, db, key, klen, buf, len, err);
    free(buf);
    return rc;
}

sr_err_t
store_del(store_txn_t *txn, store_db_t db, const void *key, size_t klen,
          sr_error_t *err)
{
    MDB_val k = {klen, (void *)key};
    int mrc = mdb_del(txn->txn, txn->part->dbi[db], &k, NULL);
    if (mrc == MDB_NOTFOUND)
        return SR_ENOTFOUND;
    if (mrc)
        return s_mdb_fail(err, mrc, s_db_names[db]);
    if (txn->ws && store_ws_del(txn->ws, db, key, klen))
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    return SR_OK;
}

sr_err_t
store_scan(store_txn_t *txn, store_db_t db, const void *prefix, size_t plen,
           const void *start, size_t slen, store_visit_fn fn, void *arg,
           sr_error_t *err)
{
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(txn->txn, txn->part->dbi[db], &cur);
    if (mrc)
        return s_mdb_fail(err, mrc, "cursor");
    MDB_val k, v;
    if (start) {
        k = (MDB_val){slen, (void *)start};
        mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    } else if (plen) {
        k = (MDB_val){plen, (void *)prefix};
        mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    } else {
        mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    }
    sr_err_t rc = SR_OK;
    while (mrc == 0) {
        if (plen && (k.mv_size < plen || memcmp(k.mv_data, prefix, plen)))
            break;
        rc = fn(arg, k.mv_data, k.mv_size, v.mv_data, v.mv_size);
        if (rc)
            break;
        mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cur);
    if (!rc && mrc && mrc != MDB_NOTFOUND)
        rc = s_mdb_fail(err, mrc, "scan");
    return rc;
}

sr_err_t
store_count(store_txn_t *txn, store_db_t db, size_t *count, sr_error_t *err)
{
    MDB_stat st;
    int mrc = mdb_stat(txn->txn, txn->part->dbi[db], &st);
    if (mrc)
        return s_mdb_fail(err, mrc, "stat");
    *count = st.ms_entries;
    return SR_OK;
}

sr_err_t
store_part_counts(store_part_t *part, store_counts_t *out, sr_error_t *err)
{
    store_counts_t c = {0};
    const struct {
        store_db_t db;
        size_t *n;
    } fields[] = {
        {STORE_DB_EXEC, &c.execs},         {STORE_DB_TASK, &c.tasks},
        {STORE_DB_ACTION, &c.actions},     {STORE_DB_TIMER, &c.timers},
        {STORE_DB_QUEUE, &c.open_actions}, {STORE_DB_TOKEN, &c.tokens},
        {STORE_DB_DEF, &c.definitions},    {STORE_DB_DEFNAME, &c.workflows},
    };
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(part, false, &txn, err);
    for (size_t i = 0; !rc && i < sizeof fields / sizeof *fields; i++)
        rc = store_count(txn, fields[i].db, fields[i].n, err);
    store_txn_abort(&txn);
    if (!rc)
        *out = c;
    return rc;
}

sr_err_t
store_clock_get(store_txn_t *txn, int64_t *now_ms, sr_error_t *err)
{
    const void *data = NULL;
    size_t len = 0;
    sr_err_t rc = store_get_raw(txn, STORE_DB_META, S_CLOCK_KEY,
                                strlen(S_CLOCK_KEY), &data, &len, err);
    if (!rc && len != 8)
        rc = sr_error_set(err, SR_ESTORE, "clock of %zu bytes", len);
    if (!rc)
        *now_ms = store_key_get_ms(data);
    return rc;
}

sr_err_t
store_clock_put(store_txn_t *txn, int64_t now_ms, sr_error_t *err)
{
    uint8_t clock[8];
    store_key_ms(clock, now_ms);
    return store_put_raw(txn, STORE_DB_META, S_CLOCK_KEY, strlen(S_CLOCK_KEY),
                         clock, sizeof clock, err);
}

// --- copies ---------------------------------------------------------------

// The per-copy record (partition, epoch, format): in no write set.
static bool
s_per_copy(size_t db, const void *key, size_t klen)
{
    return db == STORE_DB_META && klen == strlen(S_META_KEY) &&
           !memcmp(key, S_META_KEY, klen);
}

typedef struct {
    store_txn_t *txn;
    store_db_t db;
    store_change_fn fn;
    void *arg;
} s_records_t;

static sr_err_t
s_record_one(void *arg, const void *key, size_t klen, const void *val,
             size_t vlen)
{
    s_records_t *r = arg;
    if (s_per_copy(r->db, key, klen))
        return SR_OK;
    store_change_t c = {.db = r->db,
                        .name = s_db_names[r->db],
                        .key = key,
                        .klen = klen,
                        .val = vlen ? val : "",
                        .vlen = vlen};
    return r->fn(r->arg, &c);
}

sr_err_t
store_records(store_txn_t *txn, store_change_fn fn, void *arg, sr_error_t *err)
{
    s_records_t r = {.txn = txn, .fn = fn, .arg = arg};
    sr_err_t rc = SR_OK;
    for (r.db = 0; !rc && r.db < STORE_DB_COUNT; r.db++)
        rc = store_scan(txn, r.db, NULL, 0, NULL, 0, s_record_one, &r, err);
    return rc;
}

typedef struct {
    store_txn_t *txn;
    sr_error_t *err;
} s_apply_t;

// One change of a write set applied.
static sr_err_t
s_apply_one(void *arg, const store_change_t *c)
{
    s_apply_t *a = arg;
    if (s_per_copy(c->db, c->key, c->klen))
        return sr_error_set(a->err, SR_EPROTO,
                            "write set: it changes the record '%s' of "
                            "database '%s', which each copy keeps its own",
                            S_META_KEY, c->name);
    if (!c->val) {
        sr_err_t rc = store_del(a->txn, c->db, c->key, c->klen, a->err);
        return rc == SR_ENOTFOUND ? SR_OK : rc;
    }
    return store_put_raw(a->txn, c->db, c->key, c->klen, c->val, c->vlen,
                         a->err);
}

// Commit `t` with the copy's applied index set to `index` in it.
static sr_err_t
s_commit_at(store_txn_t **txn_p, uint64_t index, sr_error_t *err)
{
    store_txn_t *t = *txn_p;
    store_part_t *p = t->part;
    uint64_t was = p->applied;
    p->applied = index;
    sr_err_t rc = s_meta_write(p, t->txn, err);
    if (rc) {
        p->applied = was;
        store_txn_abort(txn_p);
        return rc;
    }
    if ((rc = store_txn_commit(txn_p, err)))
        p->applied = was;
    return rc;
}

sr_err_t
store_txn_apply(store_txn_t *txn, const void *buf, size_t len, sr_error_t *err)
{
    s_apply_t a = {.txn = txn, .err = err};
    return store_ws_decode(&txn->part->schema, buf, len, s_apply_one, &a, err);
}

// Apply a write set in a transaction of its own and commit it, at
// `index` when `at`.
static sr_err_t
s_apply(store_part_t *part, const void *buf, size_t len, bool at,
        uint64_t index, sr_error_t *err)
{
    store_txn_t *t;
    sr_err_t rc = s_txn_begin(part, true, false, &t, err);
    if (rc)
        return rc;
    if ((rc = store_txn_apply(t, buf, len, err))) {
        store_txn_abort(&t);
        return rc;
    }
    return at ? s_commit_at(&t, index, err) : store_txn_commit(&t, err);
}

sr_err_t
store_part_apply(store_part_t *part, const void *buf, size_t len,
                 sr_error_t *err)
{
    return s_apply(part, buf, len, false, 0, err);
}

sr_err_t
store_part_apply_at(store_part_t *part, const void *buf, size_t len,
                    uint64_t index, sr_error_t *err)
{
    return s_apply(part, buf, len, true, index, err);
}

sr_err_t
store_txn_commit_at(store_txn_t **txn_p, uint64_t index, sr_error_t *err)
{
    return s_commit_at(txn_p, index, err);
}

sr_err_t
store_part_sync(store_part_t *part, sr_error_t *err)
{
    int mrc = mdb_env_sync(part->env, 1);
    return mrc ? s_mdb_fail(err, mrc, "sync") : SR_OK;
}

uint64_t
store_part_commits(const store_part_t *part)
{
    return part->commits;
}

uint64_t
store_part_applied(const store_part_t *part)
{
    return part->applied;
}

static sr_err_t
s_dump_one(void *arg, const store_change_t *c)
{
    return store_ws_put(arg, c->db, c->key, c->klen, c->val, c->vlen);
}

sr_err_t
store_part_dump(store_part_t *part, char **buf, size_t *len, sr_error_t *err)
{
    store_txn_t *t;
    sr_err_t rc = s_txn_begin(part, false, false, &t, err);
    if (rc)
        return rc;
    store_ws_t *ws = store_ws_new(&part->schema);
    if (!ws) {
        store_txn_abort(&t);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    rc = store_records(t, s_dump_one, ws, err);
    store_txn_abort(&t);
    if (!rc && (rc = store_ws_encode(ws, buf, len)))
        sr_error_set(err, rc, "out of memory");
    store_ws_destroy(&ws);
    return rc;
}

sr_err_t
store_part_restore(store_part_t *part, const void *buf, size_t len,
                   uint64_t index, sr_error_t *err)
{
    store_txn_t *t;
    sr_err_t rc = s_txn_begin(part, true, false, &t, err);
    if (rc)
        return rc;
    // Every record goes, the per-copy one too (written again at the
    // commit), then the dump's come in.
    for (int db = 0; !rc && db < STORE_DB_COUNT; db++) {
        int mrc = mdb_drop(t->txn, part->dbi[db], 0);
        if (mrc)
            rc = s_mdb_fail(err, mrc, s_db_names[db]);
    }
    s_apply_t a = {.txn = t, .err = err};
    if (!rc)
        rc = store_ws_decode(&part->schema, buf, len, s_apply_one, &a, err);
    if (rc) {
        store_txn_abort(&t);
        return rc;
    }
    return s_commit_at(&t, index, err);
}
