// The workflow catalog of a partition: names of every length the protocol
// allows are stored, found, listed and deleted (LMDB keys stop at 511
// bytes), and an empty name is not found rather than a storage error
// (issue 18, item 9).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store_docs.h"
#include "store_test_util.h"

// A name of `len` bytes: 'w' then the digits of its length, padded.
static char *
s_name(size_t len, char fill)
{
    char *n = malloc(len + 1);
    memset(n, fill, len);
    n[len] = '\0';
    snprintf(n, len, "w%zu", len);
    n[strlen(n)] = fill;
    return n;
}

// A document defining the workflows `names` (one task each).
static lang_doc_t *
s_doc(char **names, size_t count)
{
    size_t cap = 64;
    for (size_t i = 0; i < count; i++)
        cap += strlen(names[i]) + 64;
    char *text = malloc(cap);
    strcpy(text, "version: '2.0'\n");
    for (size_t i = 0; i < count; i++)
        sprintf(text + strlen(text),
                "%s:\n  tasks:\n    t: {action: std.noop}\n", names[i]);
    lang_doc_t *doc = st_doc(text);
    free(text);
    return doc;
}

typedef struct {
    size_t count;
    size_t lens[8];
} s_seen_t;

static sr_err_t
s_seen(void *arg, const char *name, size_t len, const char *hash)
{
    (void)name;
    (void)hash;
    s_seen_t *s = arg;
    if (s->count < 8)
        s->lens[s->count] = len;
    s->count++;
    return SR_OK;
}

static void
names_up_to_the_protocol_limit_are_stored_found_and_deleted(void **state)
{
    st_fix_t *f = *state;
    // Around LMDB's 511-byte key limit and the long-key threshold, and the
    // protocol's 1,024 bytes less the room YAML needs (a plain key is at
    // most 1,024 characters with its ':').
    size_t lens[] = {1, 479, 480, 511, 600, 1000};
    size_t n = sizeof lens / sizeof *lens;
    char *names[8];
    for (size_t i = 0; i < n; i++)
        names[i] = s_name(lens[i], 'w');
    lang_doc_t *doc = s_doc(names, n);
    store_txn_t *txn = NULL;
    sr_error_t err;
    assert_int_equal(store_txn_begin(f->part, true, &txn, &err), SR_OK);
    assert_int_equal(store_def_put(txn, doc, 1, &err), SR_OK);
    assert_int_equal(store_txn_commit(&txn, &err), SR_OK);

    assert_int_equal(store_txn_begin(f->part, true, &txn, &err), SR_OK);
    for (size_t i = 0; i < n; i++) {
        char hash[65];
        assert_int_equal(store_def_for_name(txn, names[i], hash, &err), SR_OK);
        assert_string_equal(hash, lang_doc_hash(doc));
    }
    // A long name that shares the kept head of another is another name.
    char *twin = s_name(600, 'w');
    twin[599] = 'x';
    char hash[65];
    assert_int_equal(store_def_for_name(txn, twin, hash, &err), SR_ENOTFOUND);
    s_seen_t seen = {0};
    assert_int_equal(store_def_names(txn, s_seen, &seen, &err), SR_OK);
    assert_int_equal(seen.count, n);
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += seen.lens[i];
    assert_int_equal(total, 1 + 479 + 480 + 511 + 600 + 1000);
    assert_int_equal(store_def_del_name(txn, twin, &err), SR_ENOTFOUND);
    assert_int_equal(store_def_del_name(txn, names[4], &err), SR_OK);
    assert_int_equal(store_def_for_name(txn, names[4], hash, &err),
                     SR_ENOTFOUND);
    assert_int_equal(store_def_for_name(txn, names[5], hash, &err), SR_OK);
    assert_int_equal(store_txn_commit(&txn, &err), SR_OK);
    free(twin);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    lang_doc_destroy(&doc);
}

static void
an_empty_name_is_not_found_not_a_storage_error(void **state)
{
    st_fix_t *f = *state;
    store_txn_t *txn = NULL;
    sr_error_t err;
    char hash[65];
    assert_int_equal(store_txn_begin(f->part, true, &txn, &err), SR_OK);
    assert_int_equal(store_def_for_name(txn, "", hash, &err), SR_ENOTFOUND);
    assert_int_equal(store_def_del_name(txn, "", &err), SR_ENOTFOUND);
    store_txn_abort(&txn);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            names_up_to_the_protocol_limit_are_stored_found_and_deleted,
            st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(
            an_empty_name_is_not_found_not_a_storage_error, st_setup,
            st_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
