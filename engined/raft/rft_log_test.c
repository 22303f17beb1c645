// The raft log: terms and votes written at once, appends, truncations and
// snapshots written together at a flush and their callbacks run after it,
// groups kept apart, queued writes cancelled, a failed flush told to every
// callback, and everything read back after a reopen.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rft_log.h"
#include "store_test_util.h"

typedef struct {
    char dir[64];
    rft_log_t *log;
} fix_t;

static rft_log_t *
s_open(const char *dir, size_t map)
{
    char path[96];
    snprintf(path, sizeof path, "%s/raft", dir);
    rft_log_opts_t opts = {.nosync = true, .map_bytes = map};
    rft_log_t *log = NULL;
    sr_error_t err;
    if (rft_log_open(path, &opts, &log, &err))
        fail_msg("rft_log_open: %s", err.msg);
    return log;
}

static int
s_setup(void **state)
{
    fix_t *f = calloc(1, sizeof *f);
    st_mkdir(f->dir);
    f->log = s_open(f->dir, 0);
    *state = f;
    return 0;
}

static int
s_teardown(void **state)
{
    fix_t *f = *state;
    rft_log_close(&f->log);
    st_rmdir(f->dir);
    free(f);
    return 0;
}

// Callbacks record their order and status.
typedef struct {
    int calls[16];
    int status[16];
    int n;
} s_seen_t;

typedef struct {
    s_seen_t *seen;
    int tag;
} s_cb_t;

static void
s_done(void *arg, int status)
{
    s_cb_t *c = arg;
    c->seen->calls[c->seen->n] = c->tag;
    c->seen->status[c->seen->n++] = status;
}

static struct raft_entry
s_entry(raft_term term, const char *text)
{
    return (struct raft_entry){.term = term,
                               .type = RAFT_COMMAND,
                               .buf = {(void *)text, strlen(text)}};
}

static void
s_load(rft_log_t *log, uint32_t group, rft_stored_t *st)
{
    sr_error_t err;
    if (rft_log_load(log, group, st, &err))
        fail_msg("rft_log_load: %s", err.msg);
}

// Entries `texts` (NULL-ended) from `start`.
static void
s_expect_entries(rft_log_t *log, uint32_t group, raft_index start,
                 const char *const *texts)
{
    rft_stored_t st;
    s_load(log, group, &st);
    size_t n = 0;
    while (texts[n])
        n++;
    assert_int_equal(st.n_entries, n);
    assert_int_equal(st.start_index, start);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(st.entries[i].buf.len, strlen(texts[i]));
        assert_memory_equal(st.entries[i].buf.base, texts[i], strlen(texts[i]));
        assert_ptr_equal(st.entries[i].batch, st.entries[0].batch);
    }
    rft_stored_release(&st);
}

static void
s_flush(rft_log_t *log)
{
    sr_error_t err;
    if (rft_log_flush(log, &err))
        fail_msg("rft_log_flush: %s", err.msg);
}

static void
test_empty_then_bootstrap(void **state)
{
    fix_t *f = *state;
    rft_stored_t st;
    s_load(f->log, 3, &st);
    assert_int_equal(st.term, 0);
    assert_int_equal(st.vote, 0);
    assert_null(st.snapshot);
    assert_null(st.entries);
    assert_int_equal(st.start_index, 1);

    struct raft_configuration conf;
    raft_configuration_init(&conf);
    assert_int_equal(raft_configuration_add(&conf, 1, "e1", RAFT_VOTER), 0);
    assert_int_equal(raft_configuration_add(&conf, 2, "e2", RAFT_VOTER), 0);
    sr_error_t err;
    assert_int_equal(rft_log_bootstrap(f->log, 3, &conf, &err), SR_OK);
    assert_int_equal(rft_log_bootstrap(f->log, 3, &conf, &err), SR_EEXIST);
    raft_configuration_close(&conf);

    s_load(f->log, 3, &st);
    assert_int_equal(st.term, 1);
    assert_int_equal(st.n_entries, 1);
    assert_int_equal(st.start_index, 1);
    assert_int_equal(st.entries[0].type, RAFT_CHANGE);
    assert_int_equal(st.entries[0].term, 1);
    rft_stored_release(&st);
    // Another group is untouched.
    s_load(f->log, 4, &st);
    assert_int_equal(st.term, 0);
    assert_null(st.entries);
    rft_stored_release(&st);
}

static void
test_term_and_vote(void **state)
{
    fix_t *f = *state;
    sr_error_t err;
    rft_stored_t st;
    assert_int_equal(rft_log_set_term(f->log, 1, 5, &err), SR_OK);
    assert_int_equal(rft_log_set_vote(f->log, 1, 2, &err), SR_OK);
    s_load(f->log, 1, &st);
    assert_int_equal(st.term, 5);
    assert_int_equal(st.vote, 2);
    rft_stored_release(&st);
    assert_int_equal(rft_log_set_term(f->log, 1, 6, &err), SR_OK);
    s_load(f->log, 1, &st);
    assert_int_equal(st.term, 6);
    assert_int_equal(st.vote, 0); // a new term has no vote yet
    rft_stored_release(&st);
}

static void
test_append_truncate_replace(void **state)
{
    fix_t *f = *state;
    s_seen_t seen = {0};
    s_cb_t a = {&seen, 1}, b = {&seen, 2};
    struct raft_entry e1[] = {s_entry(1, "one"), s_entry(1, ""),
                              s_entry(2, "three")};
    struct raft_entry e2[] = {s_entry(2, "four")};
    assert_int_equal(rft_log_queue_append(f->log, 0, 1, e1, 3, s_done, &a),
                     SR_OK);
    assert_int_equal(rft_log_queue_append(f->log, 0, 4, e2, 1, s_done, &b),
                     SR_OK);
    assert_true(rft_log_pending(f->log));
    assert_int_equal(seen.n, 0); // nothing is told before the flush
    s_flush(f->log);
    assert_false(rft_log_pending(f->log));
    assert_int_equal(seen.n, 2);
    assert_int_equal(seen.calls[0], 1);
    assert_int_equal(seen.calls[1], 2);
    assert_int_equal(seen.status[0], 0);
    s_expect_entries(f->log, 0, 1,
                     (const char *[]){"one", "", "three", "four", NULL});

    assert_int_equal(rft_log_queue_truncate(f->log, 0, 3), SR_OK);
    s_flush(f->log);
    s_expect_entries(f->log, 0, 1, (const char *[]){"one", "", NULL});

    // An append over an older tail replaces all of it.
    struct raft_entry e3[] = {s_entry(3, "two'")};
    assert_int_equal(rft_log_queue_append(f->log, 0, 4, e1, 3, NULL, NULL),
                     SR_OK);
    assert_int_equal(rft_log_queue_append(f->log, 0, 2, e3, 1, NULL, NULL),
                     SR_OK);
    s_flush(f->log);
    s_expect_entries(f->log, 0, 1, (const char *[]){"one", "two'", NULL});
    rft_log_stats_t stats;
    rft_log_stats(f->log, &stats);
    assert_int_equal(stats.flushes, 3);
    assert_int_equal(stats.appended, 8);
}

static void
test_snapshots(void **state)
{
    fix_t *f = *state;
    struct raft_entry e[] = {s_entry(1, "a"), s_entry(1, "b"), s_entry(1, "c"),
                             s_entry(2, "d")};
    assert_int_equal(rft_log_queue_append(f->log, 9, 1, e, 4, NULL, NULL),
                     SR_OK);
    s_flush(f->log);

    struct raft_snapshot snap = {
        .index = 3, .term = 1, .configuration_index = 1};
    raft_configuration_init(&snap.configuration);
    assert_int_equal(
        raft_configuration_add(&snap.configuration, 7, "e7", RAFT_VOTER), 0);
    assert_int_equal(
        raft_configuration_add(&snap.configuration, 8, "e8", RAFT_SPARE), 0);
    struct raft_buffer bufs[2] = {{"sta", 3}, {"te", 2}};
    snap.bufs = bufs;
    snap.n_bufs = 2;
    s_seen_t seen = {0};
    s_cb_t c = {&seen, 5};
    // Keep one entry before the snapshot's index.
    assert_int_equal(rft_log_queue_snapshot(f->log, 9, &snap, 1, s_done, &c),
                     SR_OK);
    s_flush(f->log);
    assert_int_equal(seen.n, 1);
    s_expect_entries(f->log, 9, 3, (const char *[]){"c", "d", NULL});

    rft_stored_t st;
    s_load(f->log, 9, &st);
    assert_non_null(st.snapshot);
    assert_int_equal(st.snapshot->index, 3);
    assert_int_equal(st.snapshot->term, 1);
    assert_int_equal(st.snapshot->configuration_index, 1);
    assert_int_equal(st.snapshot->configuration.n, 2);
    assert_int_equal(st.snapshot->configuration.servers[1].id, 8);
    assert_string_equal(st.snapshot->configuration.servers[1].address, "e8");
    assert_int_equal(st.snapshot->configuration.servers[1].role, RAFT_SPARE);
    assert_int_equal(st.snapshot->n_bufs, 1);
    assert_int_equal(st.snapshot->bufs[0].len, 5);
    assert_memory_equal(st.snapshot->bufs[0].base, "state", 5);
    rft_stored_release(&st);

    // An installed snapshot (trailing 0) drops the whole log.
    snap.index = 10;
    snap.term = 4;
    assert_int_equal(rft_log_queue_snapshot(f->log, 9, &snap, 0, NULL, NULL),
                     SR_OK);
    s_flush(f->log);
    s_load(f->log, 9, &st);
    assert_int_equal(st.n_entries, 0);
    assert_int_equal(st.start_index, 11);
    assert_int_equal(st.snapshot->index, 10);
    rft_stored_release(&st);
    struct raft_snapshot *alone = NULL;
    sr_error_t err;
    assert_int_equal(rft_log_snapshot(f->log, 9, &alone, &err), SR_OK);
    assert_int_equal(alone->index, 10);
    rft_snapshot_free(alone);
    raft_configuration_close(&snap.configuration);
}

// A group forgotten has no term, vote, entry or snapshot left, its queued
// writes are cancelled, and the other groups keep theirs.
static void
test_forget(void **state)
{
    fix_t *f = *state;
    struct raft_entry e[] = {s_entry(1, "a"), s_entry(1, "b")};
    sr_error_t err;
    assert_int_equal(rft_log_set_term(f->log, 5, 3, &err), SR_OK);
    assert_int_equal(rft_log_set_vote(f->log, 5, 2, &err), SR_OK);
    assert_int_equal(rft_log_queue_append(f->log, 5, 1, e, 2, NULL, NULL),
                     SR_OK);
    assert_int_equal(rft_log_queue_append(f->log, 6, 1, e, 2, NULL, NULL),
                     SR_OK);
    s_flush(f->log);
    struct raft_snapshot snap = {
        .index = 1, .term = 1, .configuration_index = 1};
    raft_configuration_init(&snap.configuration);
    assert_int_equal(
        raft_configuration_add(&snap.configuration, 7, "e7", RAFT_VOTER), 0);
    struct raft_buffer buf = {"s", 1};
    snap.bufs = &buf;
    snap.n_bufs = 1;
    assert_int_equal(rft_log_queue_snapshot(f->log, 5, &snap, 1, NULL, NULL),
                     SR_OK);
    s_flush(f->log);
    raft_configuration_close(&snap.configuration);
    s_seen_t seen = {0};
    s_cb_t c = {&seen, 1};
    struct raft_entry more[] = {s_entry(3, "c")};
    assert_int_equal(rft_log_queue_append(f->log, 5, 3, more, 1, s_done, &c),
                     SR_OK);

    assert_int_equal(rft_log_forget(f->log, 5, &err), SR_OK);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.status[0], RAFT_CANCELED);
    s_flush(f->log);
    rft_stored_t st;
    s_load(f->log, 5, &st);
    assert_int_equal(st.term, 0);
    assert_int_equal(st.vote, 0);
    assert_null(st.snapshot);
    assert_null(st.entries);
    rft_stored_release(&st);
    s_expect_entries(f->log, 6, 1, (const char *[]){"a", "b", NULL});
    // Forgetting what is not there is no error.
    assert_int_equal(rft_log_forget(f->log, 5, &err), SR_OK);
}

static void
test_cancel_and_reopen(void **state)
{
    fix_t *f = *state;
    s_seen_t seen = {0};
    s_cb_t a = {&seen, 1}, b = {&seen, 2};
    struct raft_entry e[] = {s_entry(1, "x")};
    assert_int_equal(rft_log_queue_append(f->log, 1, 1, e, 1, s_done, &a),
                     SR_OK);
    assert_int_equal(rft_log_queue_append(f->log, 2, 1, e, 1, s_done, &b),
                     SR_OK);
    rft_log_cancel(f->log, 1, false);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.calls[0], 1);
    assert_int_equal(seen.status[0], RAFT_CANCELED);
    s_flush(f->log);
    assert_int_equal(seen.n, 2);
    assert_int_equal(seen.calls[1], 2);
    assert_int_equal(seen.status[1], 0);

    rft_log_close(&f->log);
    f->log = s_open(f->dir, 0);
    s_expect_entries(f->log, 2, 1, (const char *[]){"x", NULL});
    s_expect_entries(f->log, 1, 1, (const char *[]){NULL});
}

// A flush whose transaction fails tells every callback, and writes
// nothing.
static void
test_failed_flush(void **state)
{
    fix_t *f = *state;
    rft_log_close(&f->log);
    f->log = s_open(f->dir, 1 << 20); // 1 MiB map
    size_t big = 2 << 20;
    char *data = malloc(big);
    memset(data, 'z', big);
    struct raft_entry small = s_entry(1, "s");
    struct raft_entry huge = {
        .term = 1, .type = RAFT_COMMAND, .buf = {data, big}};
    s_seen_t seen = {0};
    s_cb_t a = {&seen, 1}, b = {&seen, 2};
    assert_int_equal(rft_log_queue_append(f->log, 0, 1, &small, 1, s_done, &a),
                     SR_OK);
    assert_int_equal(rft_log_queue_append(f->log, 0, 2, &huge, 1, s_done, &b),
                     SR_OK);
    sr_error_t err;
    assert_int_equal(rft_log_flush(f->log, &err), SR_ESTORE);
    assert_int_equal(seen.n, 2);
    assert_int_equal(seen.status[0], RAFT_IOERR);
    assert_int_equal(seen.status[1], RAFT_IOERR);
    s_expect_entries(f->log, 0, 1, (const char *[]){NULL});
    free(data);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_empty_then_bootstrap, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_term_and_vote, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_append_truncate_replace, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_snapshots, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_forget, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_cancel_and_reopen, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_failed_flush, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
