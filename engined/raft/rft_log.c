// The durable state of an engine's Raft groups in LMDB (see rft_log.h).
#include "rft_log.h"

#include <errno.h>
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rft_msg.h"
#include "sr_pack.h"
#include "sr_unpack.h"

#define S_KEY_LEN     12 // group (4) + index (8)
#define S_HDR_LEN     9  // term (8) + type (1)
#define S_MAP_DEFAULT ((size_t)16 << 30)

typedef enum { S_APPEND, S_TRUNCATE, S_SNAPSHOT } s_kind_t;

typedef struct {
    s_kind_t kind;
    uint32_t group;
    raft_index index; // first entry appended / first entry dropped
    const struct raft_entry *entries;
    unsigned n;
    const struct raft_snapshot *snapshot;
    unsigned trailing;
    rft_log_done_fn done;
    void *arg;
} s_op_t;

struct rft_log {
    MDB_env *env;
    MDB_dbi entries, meta;
    s_op_t *ops; // queued writes, in order
    size_t nops, cap;
    rft_log_stats_t stats;
};

static sr_err_t
s_mdb(sr_error_t *err, int rc, const char *what)
{
    return sr_error_set(err, SR_ESTORE, "raft log: %s: %s", what,
                        mdb_strerror(rc));
}

static void
s_be(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint64_t
s_get_be(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = v << 8 | p[i];
    return v;
}

static void
s_entry_key(uint8_t *k, uint32_t group, raft_index index)
{
    s_be(k, group, 4);
    s_be(k + 4, index, 8);
}

static void
s_meta_key(uint8_t *k, uint32_t group, char tag)
{
    s_be(k, group, 4);
    k[4] = (uint8_t)tag;
}

sr_err_t
rft_log_open(const char *dir, const rft_log_opts_t *opts, rft_log_t **out,
             sr_error_t *err)
{
    if (mkdir(dir, 0700) && errno != EEXIST)
        return sr_error_set(err, SR_EIO, "raft log: cannot create %s: %s", dir,
                            strerror(errno));
    rft_log_t *log = calloc(1, sizeof *log);
    if (!log)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    size_t map = opts && opts->map_bytes ? opts->map_bytes : S_MAP_DEFAULT;
    unsigned flags = MDB_NOTLS | (opts && opts->nosync ? MDB_NOSYNC : 0);
    MDB_txn *txn = NULL;
    int rc;
    const char *what = "create the environment";
    if ((rc = mdb_env_create(&log->env)))
        goto fail;
    what = "open the environment";
    if ((rc = mdb_env_set_maxdbs(log->env, 2)) ||
        (rc = mdb_env_set_mapsize(log->env, map)) ||
        (rc = mdb_env_open(log->env, dir, flags, 0600)))
        goto fail;
    what = "open its databases";
    if ((rc = mdb_txn_begin(log->env, NULL, 0, &txn)) ||
        (rc = mdb_dbi_open(txn, "entries", MDB_CREATE, &log->entries)) ||
        (rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &log->meta)))
        goto fail;
    rc = mdb_txn_commit(txn);
    txn = NULL;
    if (rc)
        goto fail;
    *out = log;
    return SR_OK;
fail:
    if (txn)
        mdb_txn_abort(txn);
    if (log->env)
        mdb_env_close(log->env);
    free(log);
    return sr_error_set(err, SR_ESTORE, "raft log %s: %s: %s", dir, what,
                        mdb_strerror(rc));
}

void
rft_log_close(rft_log_t **log_p)
{
    rft_log_t *log = *log_p;
    if (!log)
        return;
    rft_log_cancel(log, 0, true);
    mdb_env_close(log->env);
    free(log->ops);
    free(log);
    *log_p = NULL;
}

// ---- reading ----

static sr_err_t
s_read_term(MDB_txn *txn, rft_log_t *log, uint32_t group, raft_term *term,
            raft_id *vote, sr_error_t *err)
{
    uint8_t k[5];
    s_meta_key(k, group, 't');
    MDB_val key = {sizeof k, k}, val;
    int rc = mdb_get(txn, log->meta, &key, &val);
    *term = 0, *vote = 0;
    if (rc == MDB_NOTFOUND)
        return SR_OK;
    if (rc)
        return s_mdb(err, rc, "read the term");
    if (val.mv_size != 16)
        return sr_error_set(err, SR_ESTORE,
                            "raft log: group %u: the term record has %zu "
                            "bytes, not 16",
                            group, val.mv_size);
    *term = s_get_be(val.mv_data, 8);
    *vote = s_get_be((const uint8_t *)val.mv_data + 8, 8);
    return SR_OK;
}

static sr_err_t
s_read_snapshot(MDB_txn *txn, rft_log_t *log, uint32_t group,
                struct raft_snapshot **out, sr_error_t *err)
{
    uint8_t k[5];
    s_meta_key(k, group, 's');
    MDB_val key = {sizeof k, k}, val;
    int rc = mdb_get(txn, log->meta, &key, &val);
    *out = NULL;
    if (rc == MDB_NOTFOUND)
        return SR_OK;
    if (rc)
        return s_mdb(err, rc, "read the snapshot");
    sr_unpack_t u;
    sr_unpack_init(&u, val.mv_data, val.mv_size);
    size_t n, dlen;
    int64_t index, term, conf_index;
    const void *data;
    struct raft_snapshot *s = raft_calloc(1, sizeof *s);
    if (!s)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    sr_err_t e = sr_unpack_array(&u, &n, err);
    if (!e && n != 5)
        e = sr_error_set(err, SR_EPROTO, "%zu items, not 5", n);
    if (!e && !(e = sr_unpack_int(&u, &index, err)) &&
        !(e = sr_unpack_int(&u, &term, err)) &&
        !(e = sr_unpack_int(&u, &conf_index, err)) &&
        !(e = rft_msg_conf_unpack(&u, &s->configuration, err))) {
        e = sr_unpack_bin(&u, &data, &dlen, err);
        if (e)
            raft_configuration_close(&s->configuration);
    }
    if (!e) {
        s->index = (raft_index)index;
        s->term = (raft_term)term;
        s->configuration_index = (raft_index)conf_index;
        s->bufs = raft_malloc(sizeof *s->bufs);
        s->n_bufs = 1;
        void *copy = raft_malloc(dlen ? dlen : 1);
        if (!s->bufs || !copy) {
            raft_free(copy);
            raft_free(s->bufs);
            raft_configuration_close(&s->configuration);
            raft_free(s);
            return sr_error_set(err, SR_ENOMEM, "out of memory");
        }
        memcpy(copy, data, dlen);
        s->bufs[0] = (struct raft_buffer){copy, dlen};
        *out = s;
        return SR_OK;
    }
    raft_free(s);
    return sr_error_set(err, SR_ESTORE,
                        "raft log: group %u: the snapshot record: %s", group,
                        err ? err->msg : "malformed");
}

// The group's entries, contiguous, in one batch.
static sr_err_t
s_read_entries(MDB_txn *txn, rft_log_t *log, uint32_t group, rft_stored_t *out,
               sr_error_t *err)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, log->entries, &cur);
    if (rc)
        return s_mdb(err, rc, "read the entries");
    uint8_t k[S_KEY_LEN];
    s_entry_key(k, group, 0);
    size_t n = 0, bytes = 0;
    raft_index first = 0;
    sr_err_t e = SR_OK;
    // Two walks: the first counts and checks, the second copies.
    for (int pass = 0; pass < 2 && !e; pass++) {
        MDB_val key = {sizeof k, k}, val;
        uint8_t *batch = NULL;
        size_t i = 0, off = 0;
        if (pass == 1 && n) {
            out->entries = raft_calloc(n, sizeof *out->entries);
            batch = raft_malloc(bytes ? bytes : 1);
            if (!out->entries || !batch) {
                raft_free(out->entries);
                raft_free(batch);
                out->entries = NULL;
                e = sr_error_set(err, SR_ENOMEM, "out of memory");
                break;
            }
        }
        for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); !rc;
             rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
            if (key.mv_size != S_KEY_LEN || s_get_be(key.mv_data, 4) != group)
                break;
            raft_index index = s_get_be((const uint8_t *)key.mv_data + 4, 8);
            if (val.mv_size < S_HDR_LEN) {
                e = sr_error_set(err, SR_ESTORE,
                                 "raft log: group %u: entry %llu is "
                                 "truncated",
                                 group, (unsigned long long)index);
                break;
            }
            size_t dlen = val.mv_size - S_HDR_LEN;
            const uint8_t *v = val.mv_data;
            if (pass == 0) {
                if (n == 0)
                    first = index;
                else if (index != first + n) {
                    e = sr_error_set(err, SR_ESTORE,
                                     "raft log: group %u: entry %llu "
                                     "missing",
                                     group, (unsigned long long)(first + n));
                    break;
                }
                n++;
                bytes += dlen;
                continue;
            }
            if (i == n)
                break;
            struct raft_entry *en = &out->entries[i++];
            en->term = s_get_be(v, 8);
            en->type = v[8];
            memcpy(batch + off, v + S_HDR_LEN, dlen);
            en->buf = (struct raft_buffer){batch + off, dlen};
            en->batch = batch;
            off += dlen;
        }
        if (!e && rc && rc != MDB_NOTFOUND)
            e = s_mdb(err, rc, "read the entries");
        if (pass == 1 && e && batch) {
            raft_free(batch);
            raft_free(out->entries);
            out->entries = NULL;
        }
    }
    mdb_cursor_close(cur);
    if (!e) {
        out->n_entries = out->entries ? n : 0;
        out->start_index = first;
    }
    return e;
}

sr_err_t
rft_log_snapshot(rft_log_t *log, uint32_t group, struct raft_snapshot **out,
                 sr_error_t *err)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(log->env, NULL, MDB_RDONLY, &txn);
    if (rc)
        return s_mdb(err, rc, "begin a read");
    sr_err_t e = s_read_snapshot(txn, log, group, out, err);
    mdb_txn_abort(txn);
    return e;
}

sr_err_t
rft_log_load(rft_log_t *log, uint32_t group, rft_stored_t *out, sr_error_t *err)
{
    memset(out, 0, sizeof *out);
    MDB_txn *txn;
    int rc = mdb_txn_begin(log->env, NULL, MDB_RDONLY, &txn);
    if (rc)
        return s_mdb(err, rc, "begin a read");
    sr_err_t e = s_read_term(txn, log, group, &out->term, &out->vote, err);
    if (!e)
        e = s_read_snapshot(txn, log, group, &out->snapshot, err);
    if (!e)
        e = s_read_entries(txn, log, group, out, err);
    mdb_txn_abort(txn);
    if (e) {
        rft_stored_release(out);
        return e;
    }
    if (out->n_entries == 0)
        out->start_index = out->snapshot ? out->snapshot->index + 1 : 1;
    return SR_OK;
}

void
rft_snapshot_free(struct raft_snapshot *s)
{
    if (!s)
        return;
    raft_configuration_close(&s->configuration);
    for (unsigned i = 0; i < s->n_bufs; i++)
        raft_free(s->bufs[i].base);
    raft_free(s->bufs);
    raft_free(s);
}

void
rft_stored_release(rft_stored_t *s)
{
    rft_snapshot_free(s->snapshot);
    if (s->entries) {
        raft_free(s->entries[0].batch);
        raft_free(s->entries);
    }
    memset(s, 0, sizeof *s);
}

// ---- writing at once ----

static sr_err_t
s_put_term(rft_log_t *log, uint32_t group, raft_term term, raft_id vote,
           bool keep_term, sr_error_t *err)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(log->env, NULL, 0, &txn);
    if (rc)
        return s_mdb(err, rc, "begin a write");
    raft_term t;
    raft_id v;
    sr_err_t e = keep_term ? s_read_term(txn, log, group, &t, &v, err) : 0;
    if (e) {
        mdb_txn_abort(txn);
        return e;
    }
    uint8_t k[5], val[16];
    s_meta_key(k, group, 't');
    s_be(val, keep_term ? t : term, 8);
    s_be(val + 8, vote, 8);
    MDB_val key = {sizeof k, k}, data = {sizeof val, val};
    if ((rc = mdb_put(txn, log->meta, &key, &data, 0))) {
        mdb_txn_abort(txn);
        return s_mdb(err, rc, "write the term");
    }
    if ((rc = mdb_txn_commit(txn)))
        return s_mdb(err, rc, "commit the term");
    return SR_OK;
}

sr_err_t
rft_log_set_term(rft_log_t *log, uint32_t group, raft_term term,
                 sr_error_t *err)
{
    return s_put_term(log, group, term, 0, false, err);
}

sr_err_t
rft_log_set_vote(rft_log_t *log, uint32_t group, raft_id vote, sr_error_t *err)
{
    return s_put_term(log, group, 0, vote, true, err);
}

static int
s_put_entry(MDB_txn *txn, rft_log_t *log, uint32_t group, raft_index index,
            const struct raft_entry *en)
{
    uint8_t k[S_KEY_LEN];
    s_entry_key(k, group, index);
    MDB_val key = {sizeof k, k}, val = {S_HDR_LEN + en->buf.len, NULL};
    int rc = mdb_put(txn, log->entries, &key, &val, MDB_RESERVE);
    if (rc)
        return rc;
    uint8_t *v = val.mv_data;
    s_be(v, en->term, 8);
    v[8] = (uint8_t)en->type;
    if (en->buf.len)
        memcpy(v + S_HDR_LEN, en->buf.base, en->buf.len);
    return 0;
}

sr_err_t
rft_log_bootstrap(rft_log_t *log, uint32_t group,
                  const struct raft_configuration *conf, sr_error_t *err)
{
    rft_stored_t s;
    sr_err_t e = rft_log_load(log, group, &s, err);
    if (e)
        return e;
    bool used = s.term || s.n_entries || s.snapshot;
    rft_stored_release(&s);
    if (used)
        return sr_error_set(err, SR_EEXIST,
                            "raft log: group %u has a state already", group);
    struct raft_buffer buf;
    int rv = raft_configuration_encode(conf, &buf);
    if (rv)
        return sr_error_set(err, rv == RAFT_NOMEM ? SR_ENOMEM : SR_EINVAL,
                            "raft log: group %u: encode the configuration: "
                            "%s",
                            group, raft_strerror(rv));
    struct raft_entry en = {.term = 1, .type = RAFT_CHANGE, .buf = buf};
    MDB_txn *txn = NULL;
    int rc = mdb_txn_begin(log->env, NULL, 0, &txn);
    if (!rc && (rc = s_put_entry(txn, log, group, 1, &en)))
        mdb_txn_abort(txn);
    else if (!rc)
        rc = mdb_txn_commit(txn);
    raft_free(buf.base);
    if (rc)
        return s_mdb(err, rc, "write the first entry");
    return rft_log_set_term(log, group, 1, err);
}

// ---- queued writes ----

static sr_err_t
s_queue(rft_log_t *log, const s_op_t *op)
{
    if (log->nops == log->cap) {
        size_t cap = log->cap ? log->cap * 2 : 16;
        s_op_t *ops = realloc(log->ops, cap * sizeof *ops);
        if (!ops)
            return SR_ENOMEM;
        log->ops = ops, log->cap = cap;
    }
    log->ops[log->nops++] = *op;
    return SR_OK;
}

sr_err_t
rft_log_queue_append(rft_log_t *log, uint32_t group, raft_index first,
                     const struct raft_entry *entries, unsigned n,
                     rft_log_done_fn done, void *arg)
{
    s_op_t op = {.kind = S_APPEND,
                 .group = group,
                 .index = first,
                 .entries = entries,
                 .n = n,
                 .done = done,
                 .arg = arg};
    return s_queue(log, &op);
}

sr_err_t
rft_log_queue_truncate(rft_log_t *log, uint32_t group, raft_index index)
{
    s_op_t op = {.kind = S_TRUNCATE, .group = group, .index = index};
    return s_queue(log, &op);
}

sr_err_t
rft_log_queue_snapshot(rft_log_t *log, uint32_t group,
                       const struct raft_snapshot *snapshot, unsigned trailing,
                       rft_log_done_fn done, void *arg)
{
    s_op_t op = {.kind = S_SNAPSHOT,
                 .group = group,
                 .snapshot = snapshot,
                 .trailing = trailing,
                 .done = done,
                 .arg = arg};
    return s_queue(log, &op);
}

bool
rft_log_pending(const rft_log_t *log)
{
    return log->nops > 0;
}

// Delete the group's entries with indexes in [from, to].
static int
s_delete(MDB_txn *txn, rft_log_t *log, uint32_t group, raft_index from,
         raft_index to)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, log->entries, &cur);
    if (rc)
        return rc;
    uint8_t k[S_KEY_LEN];
    s_entry_key(k, group, from);
    MDB_val key = {sizeof k, k}, val;
    // After a delete the cursor's next item is the one that followed.
    for (rc = mdb_cursor_get(cur, &key, &val, MDB_SET_RANGE); !rc;
         rc = mdb_cursor_get(cur, &key, &val, MDB_NEXT)) {
        if (key.mv_size != S_KEY_LEN || s_get_be(key.mv_data, 4) != group ||
            s_get_be((const uint8_t *)key.mv_data + 4, 8) > to)
            break;
        if ((rc = mdb_cursor_del(cur, 0)))
            break;
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

sr_err_t
rft_log_forget(rft_log_t *log, uint32_t group, sr_error_t *err)
{
    rft_log_cancel(log, group, false);
    MDB_txn *txn;
    int rc = mdb_txn_begin(log->env, NULL, 0, &txn);
    if (rc)
        return s_mdb(err, rc, "begin a write");
    rc = s_delete(txn, log, group, 0, UINT64_MAX);
    for (const char *tag = "ts"; !rc && *tag; tag++) {
        uint8_t k[5];
        s_meta_key(k, group, *tag);
        MDB_val key = {sizeof k, k};
        rc = mdb_del(txn, log->meta, &key, NULL);
        if (rc == MDB_NOTFOUND)
            rc = 0;
    }
    if (rc) {
        mdb_txn_abort(txn);
        return s_mdb(err, rc, "forget a group");
    }
    if ((rc = mdb_txn_commit(txn)))
        return s_mdb(err, rc, "commit forgetting a group");
    return SR_OK;
}

static int
s_put_snapshot(MDB_txn *txn, rft_log_t *log, uint32_t group,
               const struct raft_snapshot *s, unsigned trailing)
{
    sr_pack_t *pk = sr_pack_new();
    size_t dlen = 0;
    for (unsigned i = 0; i < s->n_bufs; i++)
        dlen += s->bufs[i].len;
    int rc = pk ? 0 : ENOMEM;
    if (!rc && (sr_pack_array(pk, 5) || sr_pack_int(pk, (int64_t)s->index) ||
                sr_pack_int(pk, (int64_t)s->term) ||
                sr_pack_int(pk, (int64_t)s->configuration_index) ||
                rft_msg_conf_pack(pk, &s->configuration)))
        rc = ENOMEM;
    // The data, packed as one binary from its buffers.
    uint8_t *whole = !rc ? malloc(dlen ? dlen : 1) : NULL;
    if (!rc && !whole)
        rc = ENOMEM;
    size_t off = 0;
    for (unsigned i = 0; !rc && i < s->n_bufs; i++) {
        memcpy(whole + off, s->bufs[i].base, s->bufs[i].len);
        off += s->bufs[i].len;
    }
    if (!rc && sr_pack_bin(pk, whole, dlen))
        rc = ENOMEM;
    free(whole);
    if (!rc) {
        size_t len;
        const void *bytes = sr_pack_data(pk, &len);
        uint8_t k[5];
        s_meta_key(k, group, 's');
        MDB_val key = {sizeof k, k}, val = {len, (void *)bytes};
        rc = mdb_put(txn, log->meta, &key, &val, 0);
    }
    sr_pack_destroy(&pk);
    if (rc)
        return rc;
    if (trailing == 0)
        return s_delete(txn, log, group, 0, UINT64_MAX);
    if (s->index > trailing)
        return s_delete(txn, log, group, 0, s->index - trailing);
    return 0;
}

static int
s_apply(MDB_txn *txn, rft_log_t *log, const s_op_t *op)
{
    switch (op->kind) {
    case S_APPEND:
        // An append replaces what follows it (an older, uncommitted tail).
        for (unsigned i = 0; i < op->n; i++) {
            int rc = s_put_entry(txn, log, op->group, op->index + i,
                                 &op->entries[i]);
            if (rc)
                return rc;
        }
        log->stats.appended += op->n;
        return s_delete(txn, log, op->group, op->index + op->n, UINT64_MAX);
    case S_TRUNCATE:
        return s_delete(txn, log, op->group, op->index, UINT64_MAX);
    case S_SNAPSHOT:
        log->stats.snapshots++;
        return s_put_snapshot(txn, log, op->group, op->snapshot, op->trailing);
    }
    return EINVAL;
}

// Run the callbacks of ops[0..n) with `status`, then free the array.
static void
s_tell(s_op_t *ops, size_t n, int status)
{
    for (size_t i = 0; i < n; i++)
        if (ops[i].done)
            ops[i].done(ops[i].arg, status);
    free(ops);
}

sr_err_t
rft_log_flush(rft_log_t *log, sr_error_t *err)
{
    if (log->nops == 0)
        return SR_OK;
    // The callbacks may queue more: they go to a new queue, for the next
    // flush.
    s_op_t *ops = log->ops;
    size_t n = log->nops;
    log->ops = NULL, log->nops = 0, log->cap = 0;
    MDB_txn *txn;
    int rc = mdb_txn_begin(log->env, NULL, 0, &txn);
    for (size_t i = 0; !rc && i < n; i++)
        if ((rc = s_apply(txn, log, &ops[i])))
            mdb_txn_abort(txn);
    if (!rc)
        rc = mdb_txn_commit(txn);
    sr_err_t e = SR_OK;
    if (rc)
        e = s_mdb(err, rc, "write the queued entries");
    else
        log->stats.flushes++;
    s_tell(ops, n, rc ? RAFT_IOERR : 0);
    return e;
}

void
rft_log_cancel(rft_log_t *log, uint32_t group, bool all)
{
    s_op_t *keep = NULL, *drop = NULL;
    size_t nkeep = 0, ndrop = 0;
    if (log->nops) {
        keep = malloc(log->nops * sizeof *keep);
        drop = malloc(log->nops * sizeof *drop);
    }
    if (log->nops && (!keep || !drop)) {
        // No memory to sort them out: cancel them all (C-Raft retries).
        free(keep), free(drop);
        s_op_t *ops = log->ops;
        size_t n = log->nops;
        log->ops = NULL, log->nops = 0, log->cap = 0;
        s_tell(ops, n, RAFT_CANCELED);
        return;
    }
    for (size_t i = 0; i < log->nops; i++) {
        if (all || log->ops[i].group == group)
            drop[ndrop++] = log->ops[i];
        else
            keep[nkeep++] = log->ops[i];
    }
    free(log->ops);
    log->ops = keep, log->nops = nkeep, log->cap = log->nops ? nkeep : 0;
    if (!nkeep) {
        free(keep);
        log->ops = NULL;
    }
    s_tell(drop, ndrop, RAFT_CANCELED);
}

void
rft_log_stats(const rft_log_t *log, rft_log_stats_t *out)
{
    *out = log->stats;
}
