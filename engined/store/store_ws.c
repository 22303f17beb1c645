// Write sets: each database's changes packed as they are recorded (key,
// then value or nil) into a writer of its own, so that encoding is a
// header and the databases' bytes one after the other, never a second
// pass over the changes; decoding walks the bytes in place with proto's
// cursor and allocates nothing. Owns the writers; knows nothing of LMDB.
#include "store_ws.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_pack.h"
#include "sr_unpack.h"

#define S_VERSION 1 // of the encoding
#define S_HEADER  4 // items of the top array: version, partition, format, map

struct store_ws {
    const store_ws_schema_t *schema; // borrowed
    sr_pack_t **packs;               // per database; NULL until its first
    size_t *counts;                  // changes per database
    size_t total;
};

store_ws_t *
store_ws_new(const store_ws_schema_t *schema)
{
    store_ws_t *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    ws->schema = schema;
    ws->packs = calloc(schema->ndbs, sizeof *ws->packs);
    ws->counts = calloc(schema->ndbs, sizeof *ws->counts);
    if (!ws->packs || !ws->counts)
        store_ws_destroy(&ws);
    return ws;
}

void
store_ws_destroy(store_ws_t **ws_p)
{
    store_ws_t *ws = ws_p ? *ws_p : NULL;
    if (!ws)
        return;
    for (size_t i = 0; ws->packs && i < ws->schema->ndbs; i++)
        sr_pack_destroy(&ws->packs[i]);
    free(ws->packs);
    free(ws->counts);
    free(ws);
    *ws_p = NULL;
}

// Record one change: its key, then its value (NULL: nil, a delete).
static sr_err_t
s_record(store_ws_t *ws, size_t db, const void *key, size_t klen,
         const void *val, size_t vlen)
{
    if (db >= ws->schema->ndbs)
        return SR_EINVAL;
    if (!ws->packs[db] && !(ws->packs[db] = sr_pack_new()))
        return SR_ENOMEM;
    sr_pack_t *pk = ws->packs[db];
    // Room for both items and their headers (5 bytes each at most) first:
    // a change is recorded whole or not at all.
    sr_err_t rc = sr_pack_reserve(pk, klen + vlen + 10);
    if (!rc)
        rc = sr_pack_bin(pk, key, klen);
    if (!rc)
        rc = val ? sr_pack_bin(pk, val, vlen) : sr_pack_nil(pk);
    if (rc)
        return rc;
    ws->counts[db]++;
    ws->total++;
    return SR_OK;
}

sr_err_t
store_ws_put(store_ws_t *ws, size_t db, const void *key, size_t klen,
             const void *val, size_t vlen)
{
    return s_record(ws, db, key, klen, val ? val : "", vlen);
}

sr_err_t
store_ws_del(store_ws_t *ws, size_t db, const void *key, size_t klen)
{
    return s_record(ws, db, key, klen, NULL, 0);
}

size_t
store_ws_count(const store_ws_t *ws)
{
    return ws->total;
}

sr_err_t
store_ws_encode(const store_ws_t *ws, char **buf, size_t *len)
{
    const store_ws_schema_t *sc = ws->schema;
    size_t size = 32, ngroups = 0; // the header's items at most
    for (size_t i = 0; i < sc->ndbs; i++) {
        size_t n = 0;
        if (ws->counts[i])
            sr_pack_data(ws->packs[i], &n);
        size += ws->counts[i] ? n + strlen(sc->dbs[i]) + 10 : 0;
        ngroups += ws->counts[i] != 0;
    }
    sr_pack_t *pk = sr_pack_new();
    sr_err_t rc = pk ? sr_pack_reserve(pk, size) : SR_ENOMEM;
    if (!rc)
        rc = sr_pack_array(pk, S_HEADER);
    if (!rc)
        rc = sr_pack_int(pk, S_VERSION);
    if (!rc)
        rc = sr_pack_int(pk, sc->partition);
    if (!rc)
        rc = sr_pack_int(pk, sc->format);
    if (!rc)
        rc = sr_pack_map(pk, ngroups);
    for (size_t i = 0; !rc && i < sc->ndbs; i++) {
        if (!ws->counts[i])
            continue;
        size_t n = 0;
        const void *items = sr_pack_data(ws->packs[i], &n);
        rc = sr_pack_str(pk, sc->dbs[i], strlen(sc->dbs[i]));
        if (!rc)
            rc = sr_pack_array(pk, 2 * ws->counts[i]);
        if (!rc)
            rc = sr_pack_raw(pk, items, n);
    }
    if (!rc)
        sr_pack_take(pk, buf, len);
    sr_pack_destroy(&pk);
    return rc;
}

// --- decoding -------------------------------------------------------------

typedef struct {
    const store_ws_schema_t *schema;
    sr_unpack_t u;
    store_change_fn fn;
    void *arg;
    sr_error_t *err;
} s_reader_t;

// Prefix the error just set with where it was met.
static sr_err_t s_at(s_reader_t *r, sr_err_t rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static sr_err_t
s_at(s_reader_t *r, sr_err_t rc, const char *fmt, ...)
{
    char where[128], msg[sizeof r->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(where, sizeof where, fmt, ap);
    va_end(ap);
    snprintf(msg, sizeof msg, "%s", r->err ? r->err->msg : "");
    return sr_error_set(r->err, rc, "write set: %s: %s", where, msg);
}

// Version, partition and format: this build's and the schema's?
static sr_err_t
s_header(s_reader_t *r)
{
    const store_ws_schema_t *sc = r->schema;
    size_t n = 0;
    int64_t v[S_HEADER - 1] = {0}; // version, partition, format
    sr_err_t rc = sr_unpack_array(&r->u, &n, r->err);
    if (!rc && n != S_HEADER)
        rc = sr_error_set(r->err, SR_EPROTO, "an array of %zu items, not %d", n,
                          S_HEADER);
    for (size_t i = 0; !rc && i < S_HEADER - 1; i++)
        rc = sr_unpack_int(&r->u, &v[i], r->err);
    if (rc)
        return s_at(r, rc, "header");
    if (v[0] != S_VERSION)
        return sr_error_set(r->err, SR_EVERSION,
                            "write set: version %lld; this build reads %d",
                            (long long)v[0], S_VERSION);
    if (v[1] != sc->partition)
        return sr_error_set(r->err, SR_EINVAL,
                            "write set: of partition %lld, not %u",
                            (long long)v[1], sc->partition);
    if (v[2] != sc->format)
        return sr_error_set(r->err, SR_EVERSION,
                            "write set: of storage format %lld; this build "
                            "reads %d",
                            (long long)v[2], sc->format);
    return SR_OK;
}

// The index of the database named by the next string.
static sr_err_t
s_database(s_reader_t *r, size_t *db)
{
    const char *name = NULL;
    size_t len = 0;
    sr_err_t rc = sr_unpack_str(&r->u, &name, &len, r->err);
    if (rc)
        return rc;
    for (size_t i = 0; i < r->schema->ndbs; i++)
        if (strlen(r->schema->dbs[i]) == len &&
            !memcmp(r->schema->dbs[i], name, len)) {
            *db = i;
            return SR_OK;
        }
    return sr_error_set(r->err, SR_EPROTO, "unknown database '%.*s'",
                        (int)(len > 64 ? 64 : len), name);
}

// Change `i` of database `db`: a key, then a value or nil.
static sr_err_t
s_change(s_reader_t *r, size_t db, size_t i)
{
    store_change_t c = {.db = db, .name = r->schema->dbs[db]};
    sr_err_t rc = sr_unpack_bin(&r->u, &c.key, &c.klen, r->err);
    if (!rc && (c.klen == 0 || c.klen > r->schema->max_key))
        rc = sr_error_set(r->err, SR_EPROTO,
                          "a key of %zu bytes (1 to %zu are stored)", c.klen,
                          r->schema->max_key);
    if (!rc && !sr_unpack_nil(&r->u))
        rc = sr_unpack_bin(&r->u, &c.val, &c.vlen, r->err);
    if (rc)
        return s_at(r, rc, "database '%s', change %zu", c.name, i);
    return r->fn(r->arg, &c);
}

// Group `g`: a database's name and its changes.
static sr_err_t
s_group(s_reader_t *r, size_t g)
{
    size_t db = 0, n = 0;
    sr_err_t rc = s_database(r, &db);
    if (!rc)
        rc = sr_unpack_array(&r->u, &n, r->err);
    if (!rc && n % 2)
        rc = sr_error_set(r->err, SR_EPROTO,
                          "an odd number of items (%zu): keys and values "
                          "come in pairs",
                          n);
    if (rc)
        return s_at(r, rc, "database %zu", g);
    for (size_t i = 0; !rc && i < n / 2; i++)
        rc = s_change(r, db, i);
    return rc;
}

sr_err_t
store_ws_decode(const store_ws_schema_t *schema, const void *buf, size_t len,
                store_change_fn fn, void *arg, sr_error_t *err)
{
    s_reader_t r = {.schema = schema, .fn = fn, .arg = arg, .err = err};
    sr_unpack_init(&r.u, buf, len);
    size_t ngroups = 0;
    sr_err_t rc = s_header(&r);
    if (!rc && (rc = sr_unpack_map(&r.u, &ngroups, err)))
        return s_at(&r, rc, "header");
    for (size_t g = 0; !rc && g < ngroups; g++)
        rc = s_group(&r, g);
    if (!rc && sr_unpack_left(&r.u))
        rc = sr_error_set(err, SR_EPROTO, "write set: %zu bytes after its end",
                          sr_unpack_left(&r.u));
    return rc;
}
