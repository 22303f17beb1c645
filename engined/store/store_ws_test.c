// Write sets: what a transaction records is what it changed, in order;
// encoded and applied to an empty copy it gives the same records; and
// malformed encodings (truncated, wrong types, huge counts, unknown
// databases, keys LMDB cannot take, another partition, version or format,
// the per-copy record) are refused with a reason, change nothing and make
// the decoder allocate nothing.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sr_pack.h"
#include "store_docs.h"
#include "store_read.h"
#include "store_test_util.h"

// --- allocations, counted while `s_counting` (the test links with
// --wrap=malloc,calloc,realloc) -----------------------------------------------

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static bool s_counting;
static size_t s_allocs;

void *
__wrap_malloc(size_t n)
{
    s_allocs += s_counting;
    return __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
    s_allocs += s_counting;
    return __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t n)
{
    s_allocs += s_counting;
    return __real_realloc(p, n);
}

// --- a schema of two databases
// -------------------------------------------------

static const char *const s_dbs[] = {"one", "two"};
static const store_ws_schema_t s_schema = {
    .partition = 7, .format = 3, .dbs = s_dbs, .ndbs = 2, .max_key = 511};

typedef struct {
    char text[512]; // "db:key=value;" or "db:key-;" per change
    size_t n;
} s_seen_t;

static sr_err_t
s_seen(void *arg, const store_change_t *c)
{
    s_seen_t *s = arg;
    size_t used = strlen(s->text);
    snprintf(s->text + used, sizeof s->text - used, "%s:%.*s%s%.*s;", c->name,
             (int)c->klen, (const char *)c->key, c->val ? "=" : "-",
             c->val ? (int)c->vlen : 0, c->val ? (const char *)c->val : "");
    s->n++;
    return SR_OK;
}

static void
changes_read_back_per_database_in_the_order_they_were_made(void **state)
{
    (void)state;
    store_ws_t *ws = store_ws_new(&s_schema);
    assert_non_null(ws);
    assert_int_equal(store_ws_put(ws, 1, "b", 1, "2", 1), SR_OK);
    assert_int_equal(store_ws_put(ws, 0, "a", 1, "1", 1), SR_OK);
    assert_int_equal(store_ws_del(ws, 1, "b", 1), SR_OK);
    assert_int_equal(store_ws_put(ws, 1, "c", 1, NULL, 0), SR_OK); // empty
    assert_int_equal(store_ws_put(ws, 2, "x", 1, "", 0), SR_EINVAL);
    assert_int_equal(store_ws_count(ws), 4);
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(store_ws_encode(ws, &buf, &len), SR_OK);
    store_ws_destroy(&ws);
    assert_null(ws);

    s_seen_t seen = {0};
    sr_error_t err;
    s_counting = true;
    s_allocs = 0;
    assert_int_equal(store_ws_decode(&s_schema, buf, len, s_seen, &seen, &err),
                     SR_OK);
    s_counting = false;
    assert_int_equal(s_allocs, 0);
    assert_string_equal(seen.text, "one:a=1;two:b=2;two:b-;two:c=;");

    store_ws_schema_t other = s_schema;
    other.partition = 8;
    assert_int_equal(store_ws_decode(&other, buf, len, s_seen, &seen, &err),
                     SR_EINVAL);
    assert_non_null(strstr(err.msg, "of partition 7, not 8"));
    other = s_schema;
    other.format = 4;
    assert_int_equal(store_ws_decode(&other, buf, len, s_seen, &seen, &err),
                     SR_EVERSION);
    assert_non_null(strstr(err.msg, "storage format 3"));
    free(buf);
}

// --- a partition and its copy
// -------------------------------------------------

typedef struct {
    sr_id_t exec, action, timer;
    uint8_t hash[32];
} s_ids_t;

static s_ids_t
s_ids(void)
{
    s_ids_t ids;
    sr_id_make(0, 1000, &ids.exec);
    sr_id_make(0, 2000, &ids.action);
    sr_id_make(0, 3000, &ids.timer);
    memset(ids.hash, 9, sizeof ids.hash);
    return ids;
}

static void
s_make(core_state_t *st, void *arg)
{
    const s_ids_t *ids = arg;
    core_exec_t *e = core_exec_new();
    e->id = ids->exec;
    assert_int_equal(st->ops->exec_add(st, &e), SR_OK);
    core_task_t *t = core_task_new();
    t->exec_id = ids->exec;
    assert_int_equal(st->ops->task_add(st, &t), SR_OK);
    core_action_t *a = core_action_new();
    a->id = ids->action;
    a->exec_id = ids->exec;
    assert_int_equal(st->ops->action_add(st, &a), SR_OK); // SCHEDULED
    core_timer_t timer = {.due_ms = 5, .id = ids->timer};
    assert_int_equal(st->ops->timer_add(st, &timer), SR_OK);
    assert_int_equal(st->ops->token_add(st, ids->hash, &ids->action), SR_OK);
}

static void
s_end(core_state_t *st, void *arg)
{
    const s_ids_t *ids = arg;
    core_action_t *a = NULL;
    assert_int_equal(st->ops->action_get(st, &ids->action, &a), SR_OK);
    a->state = CORE_A_SUCCESS; // leaves the dispatch queue
    st->ops->action_dirty(st, a);
    assert_int_equal(st->ops->timer_del(st, 5, &ids->timer), SR_OK);
    assert_int_equal(st->ops->token_del(st, ids->hash), SR_OK);
    core_task_t *t = NULL;
    assert_int_equal(st->ops->task_get(st, &ids->exec, 0, &t), SR_OK);
    t->state = CORE_T_SUCCESS;
    st->ops->task_dirty(st, t);
}

// A definition, a name deleted, and the clock: the catalog's and the
// meta database's changes travel too.
static void
s_catalog(store_part_t *part, st_log_t *log)
{
    lang_doc_t *doc = st_doc("version: '2.0'\n"
                             "a:\n  tasks:\n    t: {action: std.noop}\n"
                             "b:\n  tasks:\n    t: {action: std.noop}\n");
    store_txn_t *txn = NULL;
    sr_error_t err;
    assert_int_equal(store_txn_begin(part, true, &txn, &err), SR_OK);
    assert_int_equal(store_def_put(txn, doc, 1, &err), SR_OK);
    assert_int_equal(store_def_del_name(txn, "b", &err), SR_OK);
    assert_int_equal(store_clock_put(txn, 1234, &err), SR_OK);
    st_commit(&txn, log);
    lang_doc_destroy(&doc);
}

static void
a_copy_made_from_the_write_sets_holds_the_same_records(void **state)
{
    st_fix_t *f = *state;
    s_ids_t ids = s_ids();
    sr_error_t err;
    assert_int_equal(store_part_bump_epoch(f->part, &err), SR_OK);
    st_log_t log = {0};
    st_write(f->part, s_make, &ids, &log);
    st_write(f->part, s_end, &ids, &log);
    s_catalog(f->part, &log);
    // A read transaction records nothing.
    store_txn_t *txn = NULL;
    assert_int_equal(store_txn_begin(f->part, false, &txn, &err), SR_OK);
    assert_null(store_txn_ws(txn));
    store_txn_abort(&txn);

    char dir[64];
    st_mkdir(dir);
    store_part_t *copy = st_open(dir, 0);
    st_log_apply(&log, copy);
    // exec, task, action, a definition, a name, the clock: 6 records.
    assert_int_equal(st_assert_same(f->part, copy), 6);
    // The epoch is each copy's own.
    assert_int_equal(store_part_epoch(f->part), 1);
    assert_int_equal(store_part_epoch(copy), 0);
    // Applying again changes nothing.
    st_log_apply(&log, copy);
    st_assert_same(f->part, copy);
    store_counts_t c;
    assert_int_equal(store_part_counts(copy, &c, &err), SR_OK);
    assert_int_equal(c.open_actions + c.timers + c.tokens, 0);
    assert_int_equal(c.workflows, 1);
    store_part_close(&copy);
    st_rmdir(dir);
    st_log_fini(&log);
}

// --- malformed write sets
// -------------------------------------------------------

typedef struct {
    const char *bytes;
    size_t len;
    sr_err_t code;
    const char *says;
} s_case_t;

#define S_B(lit) lit, sizeof lit - 1
#define S_HEAD   "\x94\x01\x00\x02" // version 1, partition 0, format 2
#define S_EXEC                                                                 \
    "\xa4"                                                                     \
    "exec"

static const s_case_t s_bad[] = {
    {S_B(""), SR_EPROTO, "header: msgpack: truncated data"},
    {S_B(S_HEAD), SR_EPROTO, "array of 4 items larger than the 3 bytes"},
    {S_B("\x93\x01\x00\x02"), SR_EPROTO, "an array of 3 items, not 4"},
    {S_B("\x81\xa1"
         "a\x01"),
     SR_EPROTO, "expected an array, found a map"},
    {S_B("\xdd\xff\xff\xff\xff\x01\x00\x02\x80"), SR_EPROTO,
     "array of 4294967295 items larger than the 4 bytes"},
    {S_B("\x94\xa1"
         "1\x00\x02\x80"),
     SR_EPROTO, "expected an integer, found a string"},
    {S_B("\x94\x02\x00\x02\x80"), SR_EVERSION, "version 2"},
    {S_B("\x94\x01\x01\x02\x80"), SR_EINVAL, "of partition 1, not 0"},
    {S_B("\x94\x01\x00\x03\x80"), SR_EVERSION, "of storage format 3"},
    {S_B(S_HEAD "\x90"), SR_EPROTO, "expected a map, found an array"},
    {S_B(S_HEAD "\xdf\xff\xff\xff\xff"), SR_EPROTO,
     "map of 4294967295 pairs larger than the 0 bytes"},
    {S_B(S_HEAD "\x81\xa3"
                "foo\x90"),
     SR_EPROTO, "database 0: unknown database 'foo'"},
    {S_B(S_HEAD "\x81\x01\x90"), SR_EPROTO,
     "expected a string, found an integer"},
    {S_B(S_HEAD "\x81" S_EXEC "\x91\xc4\x01"
                "k"),
     SR_EPROTO, "odd number of items (1)"},
    {S_B(S_HEAD "\x81" S_EXEC "\xdd\xff\xff\xff\xfe"), SR_EPROTO,
     "array of 4294967294 items larger than the 0 bytes"},
    {S_B(S_HEAD "\x81" S_EXEC "\x92\xa1"
                "k\xc0"),
     SR_EPROTO,
     "database 'exec', change 0: msgpack: expected binary, found a string"},
    {S_B(S_HEAD "\x81" S_EXEC "\x92\xc4\x00\xc0"), SR_EPROTO,
     "a key of 0 bytes"},
    {S_B(S_HEAD "\x81" S_EXEC "\x92\xc4\x01"
                "k\x01"),
     SR_EPROTO, "expected binary, found an integer"},
    {S_B(S_HEAD "\x81" S_EXEC "\x92\xc4\x01"
                "k\xc6\xff\xff\xff\xff"
                "ab"),
     SR_EPROTO, "binary of 4294967295 bytes larger than the 2 bytes"},
    {S_B(S_HEAD "\x80\x00"), SR_EPROTO, "1 bytes after its end"},
    // A good change, then a bad one: nothing of the set is applied.
    {S_B(S_HEAD "\x81" S_EXEC "\x94\xc4\x01"
                "k\xc4\x01"
                "v\xa1"
                "x\xc0"),
     SR_EPROTO, "change 1: msgpack: expected binary"},
    {S_B(S_HEAD "\x81\xa4"
                "meta\x92\xc4\x04"
                "meta\xc4\x01"
                "x"),
     SR_EPROTO, "which each copy keeps its own"},
};

// A write set changing one key of 600 bytes (LMDB takes 511).
static char *
s_long_key(size_t *len)
{
    char key[600];
    memset(key, 'k', sizeof key);
    sr_pack_t *pk = sr_pack_new();
    assert_int_equal(sr_pack_raw(pk, S_B(S_HEAD "\x81" S_EXEC "\x92")), SR_OK);
    assert_int_equal(sr_pack_bin(pk, key, sizeof key), SR_OK);
    assert_int_equal(sr_pack_nil(pk), SR_OK);
    char *buf = NULL;
    sr_pack_take(pk, &buf, len);
    sr_pack_destroy(&pk);
    return buf;
}

static sr_err_t
s_ignore(void *arg, const store_change_t *c)
{
    (void)arg;
    (void)c;
    return SR_OK;
}

// Apply `bytes` to the fixture's partition: refused with `code` saying
// `says`, the records as they were, and decoding it allocated nothing.
static void
s_refused(st_fix_t *f, const char *bytes, size_t len, sr_err_t code,
          const char *says, store_part_t *twin)
{
    sr_error_t err = {0};
    sr_err_t rc = store_part_apply(f->part, bytes, len, &err);
    if (rc != code || !strstr(err.msg, says))
        fail_msg("%s, '%s' (wanted %s, '%s')", sr_strerror(rc), err.msg,
                 sr_strerror(code), says);
    st_assert_same(f->part, twin);
    store_ws_schema_t sc = {.partition = 0,
                            .format = store_part_format(f->part),
                            .dbs = (const char *const[]){"meta", "exec"},
                            .ndbs = 2,
                            .max_key = 511};
    s_counting = true;
    s_allocs = 0;
    store_ws_decode(&sc, bytes, len, s_ignore, NULL, &err);
    s_counting = false;
    assert_int_equal(s_allocs, 0);
}

static void
malformed_write_sets_are_refused_and_change_nothing(void **state)
{
    st_fix_t *f = *state;
    s_ids_t ids = s_ids();
    st_log_t log = {0};
    st_write(f->part, s_make, &ids, &log);
    char dir[64];
    st_mkdir(dir);
    store_part_t *twin = st_open(dir, 0);
    st_log_apply(&log, twin);

    for (size_t i = 0; i < sizeof s_bad / sizeof *s_bad; i++)
        s_refused(f, s_bad[i].bytes, s_bad[i].len, s_bad[i].code, s_bad[i].says,
                  twin);
    size_t len = 0;
    char *buf = s_long_key(&len);
    s_refused(f, buf, len, SR_EPROTO, "a key of 600 bytes (1 to 511", twin);
    free(buf);
    // Every cut of a good write set is refused.
    for (size_t cut = 0; cut < log.lens[0]; cut++)
        s_refused(f, log.bufs[0], cut, SR_EPROTO, "write set: ", twin);

    store_part_close(&twin);
    st_rmdir(dir);
    st_log_fini(&log);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            changes_read_back_per_database_in_the_order_they_were_made),
        cmocka_unit_test_setup_teardown(
            a_copy_made_from_the_write_sets_holds_the_same_records, st_setup,
            st_teardown),
        cmocka_unit_test_setup_teardown(
            malformed_write_sets_are_refused_and_change_nothing, st_setup,
            st_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
