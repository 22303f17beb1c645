// Helpers of the store's tests (see store_test_util.h).
#include "store_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store_state.h"

void
st_mkdir(char dir[64])
{
    snprintf(dir, 64, "/tmp/sr-store-XXXXXX");
    assert_non_null(mkdtemp(dir));
}

void
st_rmdir(const char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

store_part_t *
st_open(const char *dir, uint16_t partition)
{
    store_opts_t opts = {.durability = STORE_NOSYNC, .map_bytes = 1 << 26};
    store_part_t *part = NULL;
    sr_error_t err;
    if (store_part_open(dir, partition, &opts, &part, &err))
        fail_msg("open %s: %s", dir, err.msg);
    return part;
}

int
st_setup(void **state)
{
    st_fix_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    st_mkdir(f->dir);
    f->part = st_open(f->dir, 0);
    *state = f;
    return 0;
}

int
st_teardown(void **state)
{
    st_fix_t *f = *state;
    store_part_close(&f->part);
    st_rmdir(f->dir);
    free(f);
    return 0;
}

lang_doc_t *
st_doc(const char *yaml)
{
    lang_doc_t *doc = NULL;
    lang_diags_t diags = {0};
    sr_err_t rc = lang_doc_parse("t", yaml, strlen(yaml), NULL, &doc, &diags);
    if (rc)
        fail_msg("parse: %s", diags.count ? diags.items[0].msg : "?");
    lang_diags_fini(&diags);
    return doc;
}

void
st_log_fini(st_log_t *log)
{
    for (size_t i = 0; i < log->n; i++)
        free(log->bufs[i]);
    free(log->bufs);
    free(log->lens);
    *log = (st_log_t){0};
}

void
st_commit(store_txn_t **txn_p, st_log_t *log)
{
    sr_error_t err;
    if (log) {
        if (log->n == log->cap) {
            log->cap = log->cap ? log->cap * 2 : 16;
            log->bufs = realloc(log->bufs, log->cap * sizeof *log->bufs);
            log->lens = realloc(log->lens, log->cap * sizeof *log->lens);
            assert_true(log->bufs && log->lens);
        }
        assert_int_equal(store_ws_encode(store_txn_ws(*txn_p),
                                         &log->bufs[log->n],
                                         &log->lens[log->n]),
                         SR_OK);
        log->n++;
    }
    if (store_txn_commit(txn_p, &err))
        fail_msg("commit: %s", err.msg);
}

void
st_log_apply(const st_log_t *log, store_part_t *part)
{
    for (size_t i = 0; i < log->n; i++) {
        sr_error_t err;
        if (store_part_apply(part, log->bufs[i], log->lens[i], &err))
            fail_msg("write set %zu: %s", i, err.msg);
    }
}

void
st_write(store_part_t *part, st_write_fn fn, void *arg, st_log_t *log)
{
    store_txn_t *txn = NULL;
    sr_error_t err;
    assert_int_equal(store_txn_begin(part, true, &txn, &err), SR_OK);
    store_state_t *st = store_state_new(txn, NULL);
    assert_non_null(st);
    fn(store_state_core(st), arg);
    if (store_state_flush(st, &err))
        fail_msg("flush: %s", err.msg);
    store_state_destroy(&st);
    st_commit(&txn, log);
}

// The records of one copy, copied out of its transaction.
typedef struct {
    struct {
        const char *db; // the schema's: static
        char *key, *val;
        size_t klen, vlen;
    } * items;
    size_t n, cap;
} s_records_t;

static sr_err_t
s_keep(void *arg, const store_change_t *c)
{
    s_records_t *r = arg;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->items = realloc(r->items, r->cap * sizeof *r->items);
        assert_non_null(r->items);
    }
    r->items[r->n].db = c->name;
    r->items[r->n].key = malloc(c->klen + 1);
    r->items[r->n].val = malloc(c->vlen + 1);
    memcpy(r->items[r->n].key, c->key, c->klen);
    memcpy(r->items[r->n].val, c->val, c->vlen);
    r->items[r->n].klen = c->klen;
    r->items[r->n].vlen = c->vlen;
    r->n++;
    return SR_OK;
}

static s_records_t
s_records(store_part_t *part)
{
    s_records_t r = {0};
    store_txn_t *txn = NULL;
    sr_error_t err;
    assert_int_equal(store_txn_begin(part, false, &txn, &err), SR_OK);
    assert_int_equal(store_records(txn, s_keep, &r, &err), SR_OK);
    store_txn_abort(&txn);
    return r;
}

static void
s_records_fini(s_records_t *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->items[i].key);
        free(r->items[i].val);
    }
    free(r->items);
}

size_t
st_same(store_part_t *a, store_part_t *b, char why[128])
{
    s_records_t ra = s_records(a), rb = s_records(b);
    size_t n = ra.n == rb.n ? ra.n : 0;
    if (!n)
        snprintf(why, 128, "%zu records against %zu", ra.n, rb.n);
    for (size_t i = 0; n && i < ra.n; i++) {
        if (strcmp(ra.items[i].db, rb.items[i].db) ||
            ra.items[i].klen != rb.items[i].klen ||
            memcmp(ra.items[i].key, rb.items[i].key, ra.items[i].klen)) {
            snprintf(why, 128, "record %zu: a key of '%s' against one of '%s'",
                     i, ra.items[i].db, rb.items[i].db);
            n = 0;
        } else if (ra.items[i].vlen != rb.items[i].vlen ||
                   memcmp(ra.items[i].val, rb.items[i].val, ra.items[i].vlen)) {
            snprintf(why, 128, "record %zu of '%s': values differ", i,
                     ra.items[i].db);
            n = 0;
        }
    }
    s_records_fini(&ra);
    s_records_fini(&rb);
    return n;
}

size_t
st_assert_same(store_part_t *a, store_part_t *b)
{
    char why[128] = "";
    size_t n = st_same(a, b, why);
    if (!n && *why)
        fail_msg("the copies differ: %s", why);
    return n;
}
