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
st_write(store_part_t *part, st_write_fn fn, void *arg)
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
    assert_int_equal(store_txn_commit(&txn, &err), SR_OK);
}
