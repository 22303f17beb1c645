// A partition and its copy made from write sets alone hold the same
// records. Workflows run through the core and the store as the engine
// loop runs them: events in batches of one to eight, one write
// transaction each (group commit), a batch with a refused event aborted
// and applied again without it, commands carried out after the commit by
// an inline worker (CONFIRM, then a RESULT: echo, fail, noop, or PENDING
// then COMPLETE for a delegate), timers fired from the partition on a
// virtual clock kept in it. The workflows cover with-items, retries,
// joins, sub-workflows, wait-before, wait-after, timeouts and delegates;
// then the finished executions are deleted and the catalog changed.
//
// Every committed batch's write set is applied to a copy at once and the
// copies are compared record by record, in every database; at the end a
// second copy is made from the whole log. The meta database is compared
// too, but for its per-copy record "meta" (partition, epoch, format):
// each copy keeps its own epoch. The clock travels in the write sets.
// Last, a dump of the partition restored over a copy that differs makes
// it the same, at the replicated index given.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core.h"
#include "sr_value_json.h"
#include "store_docs.h"
#include "store_read.h"
#include "store_state.h"
#include "store_test_util.h"

static const char *s_yaml =
    "version: '2.0'\n"
    "linear:\n"
    "  input: [name]\n"
    "  tasks:\n"
    "    hello:\n"
    "      action: std.echo output=\"Hello, <% $.name %>\"\n"
    "      publish: {greeting: <% task().result %>}\n"
    "      on-success: shout\n"
    "    shout:\n"
    "      action: std.echo output=\"<% $.greeting %>!\"\n"
    "items_retry:\n"
    "  input: [xs]\n"
    "  tasks:\n"
    "    each:\n"
    "      with-items: x in <% $.xs %>\n"
    "      concurrency: 2\n"
    "      action: <% $.x %>\n"
    "      retry: {count: 2, delay: 1}\n"
    "      on-error: cleanup\n"
    "    cleanup:\n"
    "      action: std.noop\n"
    "parallel_join:\n"
    "  tasks:\n"
    "    a:\n"
    "      action: std.echo output=a\n"
    "      on-success: joined\n"
    "    b:\n"
    "      wait-before: 2\n"
    "      action: std.echo output=b\n"
    "      on-success: joined\n"
    "    joined:\n"
    "      join: all\n"
    "      action: std.noop\n"
    "subflow:\n"
    "  tasks:\n"
    "    fan:\n"
    "      with-items: n in [1, 2, 3]\n"
    "      workflow: child\n"
    "      input: {n: <% $.n %>}\n"
    "child:\n"
    "  input: [n]\n"
    "  tasks:\n"
    "    square:\n"
    "      action: std.echo output=<% $.n * $.n %>\n"
    "      timeout: 10\n"
    "      wait-after: 1\n"
    "delegate:\n"
    "  tasks:\n"
    "    wait:\n"
    "      action: std.async_noop\n"
    "      on-success: after\n"
    "    after:\n"
    "      action: std.echo output=done\n";

static const struct {
    const char *wf, *input;
} s_starts[] = {
    {"linear", "{\"name\": \"copy\"}"},
    {"items_retry", "{\"xs\": [\"std.noop\", \"std.fail\", \"std.noop\"]}"},
    {"parallel_join", NULL},
    {"subflow", NULL},
    {"delegate", NULL},
    {"linear", "{\"name\": \"again\"}"},
};

#define S_NSTARTS (sizeof s_starts / sizeof *s_starts)

// One event waiting for a batch; the values are owned.
typedef struct {
    core_event_t ev;
    sr_value_t *output, *input;
    core_timer_t timer;
} s_ev_t;

typedef struct {
    store_part_t *part, *copy;
    char copy_dir[64];
    store_docs_t *docs;
    core_t *core;
    core_cmds_t cmds;
    int64_t now;
    s_ev_t *q; // FIFO: items [head, n)
    size_t head, n, cap;
    st_log_t log;
    sr_id_t execs[S_NSTARTS];
    size_t batches, refused, finished, compared;
} s_run_t;

static s_ev_t *
s_push(s_run_t *r, core_event_kind_t kind)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->q = realloc(r->q, r->cap * sizeof *r->q);
        assert_non_null(r->q);
    }
    s_ev_t *e = &r->q[r->n++];
    memset(e, 0, sizeof *e);
    e->ev.kind = kind;
    return e;
}

// An event for action `id`'s attempt, with `output` (taken; may be NULL).
static void
s_push_action(s_run_t *r, core_event_kind_t kind, const sr_id_t *id,
              uint32_t attempt, core_result_t status, sr_value_t *output)
{
    s_ev_t *e = s_push(r, kind);
    e->ev.action_id = *id;
    e->ev.attempt = attempt;
    e->ev.worker = "w1";
    e->ev.status = status;
    e->output = output;
}

// The inline worker: what an offered action gives.
static void
s_work(s_run_t *r, const core_cmd_t *c)
{
    s_push_action(r, CORE_EV_CONFIRM, &c->action_id, c->attempt, 0, NULL);
    if (!strcmp(c->action, "std.fail")) {
        s_push_action(r, CORE_EV_RESULT, &c->action_id, c->attempt,
                      CORE_RESULT_ERROR, sr_value_new_str("boom"));
    } else if (!strcmp(c->action, "std.async_noop")) {
        s_push_action(r, CORE_EV_RESULT, &c->action_id, c->attempt,
                      CORE_RESULT_PENDING, NULL);
        s_push_action(r, CORE_EV_COMPLETE, &c->action_id, 0,
                      CORE_RESULT_SUCCESS, sr_value_new_str("late"));
    } else {
        const sr_value_t *out = sr_value_map_get(c->input, "output");
        s_push_action(
            r, CORE_EV_RESULT, &c->action_id, c->attempt, CORE_RESULT_SUCCESS,
            out ? sr_value_ref((sr_value_t *)out) : sr_value_new_nil());
    }
}

static bool
s_is_refusal(sr_err_t rc)
{
    return rc == SR_ENOTFOUND || rc == SR_EINVAL || rc == SR_ESTATE ||
           rc == SR_EEXIST;
}

// Apply events [head, head + take) in one transaction; refused ones are
// dropped and the rest applied again. The write set goes to the log and,
// applied, to the copy, which must then hold what the partition holds.
static void
s_batch(s_run_t *r, size_t take)
{
    bool dropped[8] = {0};
    for (bool done = false; !done;) {
        store_txn_t *txn = NULL;
        sr_error_t err;
        assert_int_equal(store_txn_begin(r->part, true, &txn, &err), SR_OK);
        store_state_t *st = store_state_new(txn, r->docs);
        core_cmds_clear(&r->cmds);
        done = true;
        for (size_t i = 0; done && i < take; i++) {
            s_ev_t *e = &r->q[r->head + i];
            if (dropped[i])
                continue;
            e->ev.now_ms = r->now;
            e->ev.output = e->output;
            e->ev.input = e->input;
            e->ev.timer = &e->timer;
            sr_err_t rc = core_step(r->core, store_state_core(st), &e->ev,
                                    &r->cmds, &err);
            if (rc && !s_is_refusal(rc))
                fail_msg("event %d: %s", e->ev.kind, err.msg);
            if (rc) {
                dropped[i] = true;
                done = false;
                r->refused++;
            }
        }
        if (done && store_state_flush(st, &err))
            fail_msg("flush: %s", err.msg);
        if (done)
            assert_int_equal(store_clock_put(txn, r->now, &err), SR_OK);
        store_state_destroy(&st);
        if (!done) {
            store_txn_abort(&txn);
            continue;
        }
        st_commit(&txn, &r->log);
    }
    for (size_t i = 0; i < take; i++) {
        sr_value_destroy(&r->q[r->head + i].output);
        sr_value_destroy(&r->q[r->head + i].input);
    }
    r->head += take;
    r->batches++;
    sr_error_t err;
    if (store_part_apply(r->copy, r->log.bufs[r->log.n - 1],
                         r->log.lens[r->log.n - 1], &err))
        fail_msg("batch %zu: %s", r->batches, err.msg);
    r->compared += st_assert_same(r->part, r->copy);
}

static void
s_commands(s_run_t *r)
{
    for (size_t i = 0; i < r->cmds.count; i++) {
        const core_cmd_t *c = &r->cmds.items[i];
        if (c->kind == CORE_CMD_DISPATCH)
            s_work(r, c);
        else if (c->kind == CORE_CMD_NOTIFY && !c->is_task && c->is_final)
            r->finished++;
    }
}

// Nothing queued: move the clock to the first timer and fire it.
static bool
s_fire_timer(s_run_t *r)
{
    store_txn_t *txn = NULL;
    sr_error_t err;
    core_timer_t first;
    assert_int_equal(store_txn_begin(r->part, false, &txn, &err), SR_OK);
    sr_err_t rc = store_timer_first(txn, &first, &err);
    store_txn_abort(&txn);
    if (rc == SR_ENOTFOUND)
        return false;
    assert_int_equal(rc, SR_OK);
    if (first.due_ms > r->now)
        r->now = first.due_ms;
    s_push(r, CORE_EV_TIMER)->timer = first;
    return true;
}

// Run batches of 1, 2, 3, 5, 8 events in turn until nothing is left.
static void
s_run(s_run_t *r)
{
    static const size_t sizes[] = {1, 2, 3, 5, 8};
    for (size_t turn = 0;; turn++) {
        if (r->head == r->n && !s_fire_timer(r))
            return;
        size_t take = sizes[turn % 5];
        if (take > r->n - r->head)
            take = r->n - r->head;
        r->now += 7;
        s_batch(r, take);
        s_commands(r);
        assert_true(turn < 10000);
    }
}

static void
s_start(s_run_t *r)
{
    for (size_t i = 0; i < S_NSTARTS; i++) {
        s_ev_t *e = s_push(r, CORE_EV_START);
        sr_id_make(0, r->now + (int64_t)i, &r->execs[i]);
        e->ev.exec_id = r->execs[i];
        e->ev.wf_name = s_starts[i].wf;
        sr_error_t err;
        if (s_starts[i].input)
            assert_int_equal(sr_value_from_json(s_starts[i].input,
                                                strlen(s_starts[i].input), NULL,
                                                &e->input, &err),
                             SR_OK);
    }
    // Refused in its batch: the execution is still running.
    s_push(r, CORE_EV_DELETE)->ev.exec_id = r->execs[0];
}

// Delete every execution but the last; pause a finished one (refused).
static void
s_clean_up(s_run_t *r)
{
    s_push(r, CORE_EV_PAUSE)->ev.exec_id = r->execs[0];
    for (size_t i = 0; i + 1 < S_NSTARTS; i++)
        s_push(r, CORE_EV_DELETE)->ev.exec_id = r->execs[i];
}

// Store the definitions (and later drop a name) in transactions of their
// own, as the loop's WF_CREATE and WF_DELETE do.
static void
s_catalog(s_run_t *r, bool drop)
{
    store_txn_t *txn = NULL;
    sr_error_t err;
    assert_int_equal(store_txn_begin(r->part, true, &txn, &err), SR_OK);
    if (drop) {
        assert_int_equal(store_def_del_name(txn, "linear", &err), SR_OK);
    } else {
        lang_doc_t *doc = st_doc(s_yaml);
        assert_int_equal(store_def_put(txn, doc, r->now, &err), SR_OK);
        store_docs_adopt(r->docs, &doc);
    }
    st_commit(&txn, &r->log);
    assert_int_equal(store_part_apply(r->copy, r->log.bufs[r->log.n - 1],
                                      r->log.lens[r->log.n - 1], &err),
                     SR_OK);
}

static void
workflows_run_through_batches_give_a_copy_with_the_same_records(void **state)
{
    st_fix_t *f = *state;
    sr_error_t err;
    assert_int_equal(store_part_bump_epoch(f->part, &err), SR_OK);
    s_run_t r = {.part = f->part, .now = 1800000000000LL};
    core_config_t cfg = {.max_depth = 8};
    assert_non_null(r.core = core_new(&cfg));
    assert_non_null(r.docs = store_docs_new(8));
    core_cmds_init(&r.cmds);
    st_mkdir(r.copy_dir);
    r.copy = st_open(r.copy_dir, 0);

    s_catalog(&r, false);
    s_start(&r);
    s_run(&r);
    assert_int_equal(r.finished, S_NSTARTS + 3); // 3 sub-workflows
    store_counts_t before;
    assert_int_equal(store_part_counts(f->part, &before, &err), SR_OK);
    assert_true(before.actions > 20);
    s_clean_up(&r);
    s_run(&r);
    s_catalog(&r, true);
    assert_true(r.refused >= 2);
    assert_true(r.batches > 20);
    store_counts_t after;
    assert_int_equal(store_part_counts(f->part, &after, &err), SR_OK);
    assert_int_equal(after.execs, 1);
    assert_int_equal(after.timers + after.tokens + after.open_actions, 0);

    // A second copy from the whole log, applied in order.
    char dir[64];
    st_mkdir(dir);
    store_part_t *copy = st_open(dir, 0);
    st_log_apply(&r.log, copy);
    size_t records = st_assert_same(f->part, copy);
    assert_true(records > 5);
    assert_int_equal(store_part_epoch(f->part), 1);
    assert_int_equal(store_part_epoch(copy), 0);
    // The comparison sees a copy that missed one write set.
    store_part_close(&copy);
    st_rmdir(dir);
    st_mkdir(dir);
    copy = st_open(dir, 0);
    st_log_t gap = r.log;
    gap.n--;
    st_log_apply(&gap, copy);
    char why[128] = "";
    assert_int_equal(st_same(f->part, copy, why), 0);
    assert_non_null(strstr(why, "record"));

    // A dump of the partition restored over that copy makes it the same,
    // at the index given, also after a reopen; a write set applied at an
    // index moves it on.
    char *dump;
    size_t dlen;
    assert_int_equal(store_part_dump(f->part, &dump, &dlen, &err), SR_OK);
    assert_int_equal(store_part_applied(copy), 0);
    assert_int_equal(store_part_restore(copy, dump, dlen, 42, &err), SR_OK);
    assert_int_equal(st_assert_same(f->part, copy), records);
    assert_int_equal(store_part_applied(copy), 42);
    assert_int_equal(store_part_epoch(copy), 0); // its own record kept
    store_part_close(&copy);
    copy = st_open(dir, 0);
    assert_int_equal(store_part_applied(copy), 42);
    assert_int_equal(store_part_apply_at(copy, r.log.bufs[r.log.n - 1],
                                         r.log.lens[r.log.n - 1], 43, &err),
                     SR_OK);
    assert_int_equal(store_part_applied(copy), 43);
    assert_int_equal(st_assert_same(f->part, copy), records);
    // A dump that does not decode changes nothing.
    assert_int_equal(store_part_restore(copy, dump, dlen / 2, 44, &err),
                     SR_EPROTO);
    assert_int_equal(store_part_applied(copy), 43);
    assert_int_equal(st_assert_same(f->part, copy), records);
    free(dump);
    print_message("%zu batches (%zu refused events), %zu write sets, %zu "
                  "records compared, %zu at the end\n",
                  r.batches, r.refused, r.log.n, r.compared, records);

    store_part_close(&copy);
    st_rmdir(dir);
    store_part_close(&r.copy);
    st_rmdir(r.copy_dir);
    st_log_fini(&r.log);
    free(r.q);
    core_cmds_fini(&r.cmds);
    store_docs_destroy(&r.docs);
    core_destroy(&r.core);
}

// A replicated copy (STORE_REPLICA: records synced at each commit, the
// meta page by the next) takes several write sets in one open write
// transaction, committed at the last one's index; a second write
// transaction on it is refused at once, not waited for (LMDB has one
// writer, and it would be this thread).
static void
write_sets_applied_together_commit_once_at_the_last_index(void **state)
{
    st_fix_t *f = *state;
    sr_error_t err;
    st_log_t log = {0};
    for (int i = 0; i < 3; i++) {
        char yaml[128];
        snprintf(yaml, sizeof yaml,
                 "version: '2.0'\nwf%d:\n  tasks:\n    t:\n      action: "
                 "std.noop\n",
                 i);
        store_txn_t *txn = NULL;
        assert_int_equal(store_txn_begin(f->part, true, &txn, &err), SR_OK);
        lang_doc_t *doc = st_doc(yaml);
        assert_int_equal(store_def_put(txn, doc, 1000 + i, &err), SR_OK);
        lang_doc_destroy(&doc);
        st_commit(&txn, &log);
    }
    char dir[64];
    st_mkdir(dir);
    store_opts_t opts = {.durability = STORE_REPLICA, .map_bytes = 1 << 26};
    store_part_t *copy = NULL;
    assert_int_equal(store_part_open(dir, 0, &opts, &copy, &err), SR_OK);
    uint64_t commits = store_part_commits(copy);
    store_txn_t *txn = NULL;
    assert_int_equal(store_txn_begin(copy, true, &txn, &err), SR_OK);
    for (size_t i = 0; i < log.n; i++)
        assert_int_equal(store_txn_apply(txn, log.bufs[i], log.lens[i], &err),
                         SR_OK);
    store_txn_t *other = NULL;
    assert_int_equal(store_txn_begin(copy, true, &other, &err), SR_EINTERNAL);
    assert_null(other);
    assert_non_null(strstr(err.msg, "write transaction is open"));
    assert_int_equal(store_txn_commit_at(&txn, 3, &err), SR_OK);
    assert_int_equal(store_part_commits(copy), commits + 1);
    assert_int_equal(store_part_applied(copy), 3);
    assert_int_equal(st_assert_same(f->part, copy) > 0, true);
    // Once committed, the copy takes a write transaction again; and it
    // opens again at the index it was committed at.
    assert_int_equal(store_txn_begin(copy, true, &other, &err), SR_OK);
    store_txn_abort(&other);
    assert_int_equal(store_part_sync(copy, &err), SR_OK);
    store_part_close(&copy);
    assert_int_equal(store_part_open(dir, 0, &opts, &copy, &err), SR_OK);
    assert_int_equal(store_part_applied(copy), 3);
    store_part_close(&copy);
    st_rmdir(dir);
    st_log_fini(&log);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            write_sets_applied_together_commit_once_at_the_last_index, st_setup,
            st_teardown),
        cmocka_unit_test_setup_teardown(
            workflows_run_through_batches_give_a_copy_with_the_same_records,
            st_setup, st_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
