// The typed reads (store_read.h) over records written through the core's
// state interface: gets and their misses, walks in id and seq order from
// any id, the open actions as the dispatch queue keeps them, timers in
// due order, the token lookup, and the partition's counts and clock.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "store_read.h"
#include "store_test_util.h"

#define S_MAX 8

// The id of record n: the first of second n, so id order is creation
// order and the same n gives the same id.
static sr_id_t
s_id(int n)
{
    sr_id_t id;
    sr_id_floor(0, 1000 * (int64_t)n, &id);
    return id;
}

// --- writes
// -------------------------------------------------------------------

typedef struct {
    sr_id_t execs[S_MAX];
    size_t nexecs;
    struct {
        int exec;
        uint32_t seq;
    } tasks[S_MAX];
    size_t ntasks;
    core_action_state_t actions[S_MAX]; // action i has id s_id(10 + i)
    size_t nactions;
    int64_t timers[S_MAX]; // due times
    size_t ntimers;
} s_recs_t;

static void
s_add(core_state_t *st, void *arg)
{
    const s_recs_t *r = arg;
    for (size_t i = 0; i < r->nexecs; i++) {
        core_exec_t *e = core_exec_new();
        e->id = r->execs[i];
        assert_int_equal(core_set_str(&e->wf_name, "wf"), SR_OK);
        assert_int_equal(st->ops->exec_add(st, &e), SR_OK);
    }
    for (size_t i = 0; i < r->ntasks; i++) {
        core_task_t *t = core_task_new();
        t->exec_id = r->execs[r->tasks[i].exec];
        t->seq = r->tasks[i].seq;
        t->id = s_id(100 + (int)i);
        char name[16];
        snprintf(name, sizeof name, "t%u", t->seq);
        assert_int_equal(core_set_str(&t->name, name), SR_OK);
        assert_int_equal(st->ops->task_add(st, &t), SR_OK);
    }
    for (size_t i = 0; i < r->nactions; i++) {
        core_action_t *a = core_action_new();
        a->id = s_id(10 + (int)i);
        a->created_ms = sr_id_time_ms(&a->id);
        a->state = r->actions[i];
        assert_int_equal(core_set_str(&a->action, "std.noop"), SR_OK);
        assert_int_equal(st->ops->action_add(st, &a), SR_OK);
    }
    for (size_t i = 0; i < r->ntimers; i++) {
        core_timer_t t = {.due_ms = r->timers[i],
                          .id = s_id(200 + (int)i),
                          .kind = CORE_TIMER_RETRY,
                          .seq = (uint32_t)i};
        assert_int_equal(st->ops->timer_add(st, &t), SR_OK);
    }
}

// --- visitors
// -------------------------------------------------------------------

typedef struct {
    sr_id_t ids[S_MAX];
    uint32_t seqs[S_MAX];
    size_t n, stop_at; // stop_at: stop (SR_EEXIST) after that many; 0 = never
    core_exec_t *kept; // the first execution, taken from the walk
} s_seen_t;

static sr_err_t
s_note(s_seen_t *s, const sr_id_t *id, uint32_t seq)
{
    assert_true(s->n < S_MAX);
    s->ids[s->n] = *id;
    s->seqs[s->n++] = seq;
    return s->stop_at && s->n == s->stop_at ? SR_EEXIST : SR_OK;
}

static sr_err_t
s_exec_seen(void *arg, core_exec_t **exec_p)
{
    s_seen_t *s = arg;
    if (!s->kept) {
        s->kept = *exec_p;
        *exec_p = NULL;
        return s_note(s, &s->kept->id, 0);
    }
    return s_note(s, &(*exec_p)->id, 0);
}

static sr_err_t
s_task_seen(void *arg, core_task_t **task_p)
{
    return s_note(arg, &(*task_p)->exec_id, (*task_p)->seq);
}

static sr_err_t
s_action_seen(void *arg, core_action_t **action_p)
{
    return s_note(arg, &(*action_p)->id, (*action_p)->state);
}

static sr_err_t
s_timer_seen(void *arg, const core_timer_t *timer)
{
    return s_note(arg, &timer->id, (uint32_t)timer->due_ms);
}

static store_txn_t *
s_reader(st_fix_t *f)
{
    store_txn_t *txn = NULL;
    sr_error_t err;
    assert_int_equal(store_txn_begin(f->part, false, &txn, &err), SR_OK);
    return txn;
}

// --- tests
// ------------------------------------------------------------------------

static void
executions_are_read_by_id_and_walked_in_id_order_from_any_id(void **state)
{
    st_fix_t *f = *state;
    s_recs_t r = {.execs = {s_id(1), s_id(2), s_id(3)}, .nexecs = 3};
    st_write(f->part, s_add, &r, NULL);
    store_txn_t *txn = s_reader(f);
    sr_error_t err;
    core_exec_t *e = NULL;
    assert_int_equal(store_exec_get(txn, &r.execs[1], &e, &err), SR_OK);
    assert_true(sr_id_equal(&e->id, &r.execs[1]));
    assert_string_equal(e->wf_name, "wf");
    core_exec_destroy(&e);
    sr_id_t absent = s_id(9);
    assert_int_equal(store_exec_get(txn, &absent, &e, &err), SR_ENOTFOUND);
    assert_non_null(strstr(err.msg, "execution"));
    assert_non_null(strstr(err.msg, "not found"));

    s_seen_t all = {0};
    assert_int_equal(store_execs(txn, NULL, s_exec_seen, &all, &err), SR_OK);
    assert_int_equal(all.n, 3);
    for (size_t i = 0; i < 3; i++)
        assert_true(sr_id_equal(&all.ids[i], &r.execs[i]));
    // The record the visitor took is its own, alive after the walk.
    assert_true(sr_id_equal(&all.kept->id, &r.execs[0]));
    core_exec_destroy(&all.kept);

    s_seen_t page = {.stop_at = 1};
    assert_int_equal(store_execs(txn, &r.execs[1], s_exec_seen, &page, &err),
                     SR_EEXIST);
    assert_int_equal(page.n, 1);
    assert_true(sr_id_equal(&page.ids[0], &r.execs[1]));
    core_exec_destroy(&page.kept);
    store_txn_abort(&txn);
}

static void
task_executions_come_in_seq_order_per_execution_or_all(void **state)
{
    st_fix_t *f = *state;
    s_recs_t r = {.execs = {s_id(1), s_id(2)},
                  .nexecs = 2,
                  .tasks = {{0, 2}, {1, 0}, {0, 0}, {0, 1}},
                  .ntasks = 4};
    st_write(f->part, s_add, &r, NULL);
    store_txn_t *txn = s_reader(f);
    sr_error_t err;
    s_seen_t one = {0};
    assert_int_equal(store_tasks(txn, &r.execs[0], s_task_seen, &one, &err),
                     SR_OK);
    assert_int_equal(one.n, 3);
    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(one.seqs[i], i);
    s_seen_t all = {0};
    assert_int_equal(store_tasks(txn, NULL, s_task_seen, &all, &err), SR_OK);
    assert_int_equal(all.n, 4);
    assert_true(sr_id_equal(&all.ids[3], &r.execs[1]));

    core_task_t *t = NULL;
    assert_int_equal(store_task_get(txn, &r.execs[0], 1, &t, &err), SR_OK);
    assert_string_equal(t->name, "t1");
    core_task_destroy(&t);
    assert_int_equal(store_task_get(txn, &r.execs[1], 1, &t, &err),
                     SR_ENOTFOUND);
    assert_non_null(strstr(err.msg, "/1 not found"));
    store_txn_abort(&txn);
}

static void
end_action(core_state_t *st, void *arg)
{
    core_action_t *a = NULL;
    assert_int_equal(st->ops->action_get(st, arg, &a), SR_OK);
    a->state = CORE_A_SUCCESS;
    st->ops->action_dirty(st, a);
}

static void
open_actions_are_the_waiting_and_running_ones_in_creation_order(void **state)
{
    st_fix_t *f = *state;
    s_recs_t r = {.actions = {CORE_A_SCHEDULED, CORE_A_PENDING, CORE_A_RUNNING,
                              CORE_A_SUCCESS, CORE_A_SCHEDULED},
                  .nactions = 5};
    st_write(f->part, s_add, &r, NULL);
    sr_id_t first = s_id(10), third = s_id(12);
    st_write(f->part, end_action, &first, NULL);

    store_txn_t *txn = s_reader(f);
    sr_error_t err;
    s_seen_t open = {0};
    assert_int_equal(store_open_actions(txn, s_action_seen, &open, &err),
                     SR_OK);
    assert_int_equal(open.n, 2);
    assert_true(sr_id_equal(&open.ids[0], &third));
    assert_int_equal(open.seqs[0], CORE_A_RUNNING);
    assert_int_equal(open.seqs[1], CORE_A_SCHEDULED);

    s_seen_t from = {0};
    assert_int_equal(store_actions(txn, &third, s_action_seen, &from, &err),
                     SR_OK);
    assert_int_equal(from.n, 3);
    assert_true(sr_id_equal(&from.ids[0], &third));
    core_action_t *a = NULL;
    assert_int_equal(store_action_get(txn, &first, &a, &err), SR_OK);
    assert_int_equal(a->state, CORE_A_SUCCESS);
    core_action_destroy(&a);
    store_txn_abort(&txn);
}

static void
timers_come_due_earliest_first(void **state)
{
    st_fix_t *f = *state;
    store_txn_t *txn = s_reader(f);
    core_timer_t first;
    sr_error_t err;
    assert_int_equal(store_timer_first(txn, &first, &err), SR_ENOTFOUND);
    store_txn_abort(&txn);

    s_recs_t r = {.timers = {300, -100, 200}, .ntimers = 3};
    st_write(f->part, s_add, &r, NULL);
    txn = s_reader(f);
    assert_int_equal(store_timer_first(txn, &first, &err), SR_OK);
    assert_int_equal(first.due_ms, -100);
    assert_int_equal(first.kind, CORE_TIMER_RETRY);
    assert_int_equal(first.seq, 1);
    s_seen_t due = {0};
    assert_int_equal(store_timers_due(txn, 200, s_timer_seen, &due, &err),
                     SR_OK);
    assert_int_equal(due.n, 2);
    assert_int_equal((int32_t)due.seqs[0], -100);
    assert_int_equal(due.seqs[1], 200);
    s_seen_t none = {0};
    assert_int_equal(store_timers_due(txn, -101, s_timer_seen, &none, &err),
                     SR_OK);
    assert_int_equal(none.n, 0);
    store_txn_abort(&txn);
}

static void
add_token(core_state_t *st, void *arg)
{
    sr_id_t action = s_id(10);
    assert_int_equal(st->ops->token_add(st, arg, &action), SR_OK);
}

static void
a_token_hash_names_its_waiting_action(void **state)
{
    st_fix_t *f = *state;
    uint8_t hash[32], other[32];
    memset(hash, 7, sizeof hash);
    memset(other, 8, sizeof other);
    st_write(f->part, add_token, hash, NULL);
    store_txn_t *txn = s_reader(f);
    sr_id_t id, want = s_id(10);
    sr_error_t err;
    assert_int_equal(store_token_action(txn, hash, &id, &err), SR_OK);
    assert_true(sr_id_equal(&id, &want));
    assert_int_equal(store_token_action(txn, other, &id, &err), SR_ENOTFOUND);
    store_txn_abort(&txn);
}

static void
counts_and_the_clock_are_kept(void **state)
{
    st_fix_t *f = *state;
    s_recs_t r = {.execs = {s_id(1)},
                  .nexecs = 1,
                  .tasks = {{0, 0}, {0, 1}},
                  .ntasks = 2,
                  .actions = {CORE_A_SCHEDULED, CORE_A_SUCCESS},
                  .nactions = 2,
                  .timers = {5},
                  .ntimers = 1};
    st_write(f->part, s_add, &r, NULL);
    store_counts_t c;
    sr_error_t err;
    assert_int_equal(store_part_counts(f->part, &c, &err), SR_OK);
    assert_int_equal(c.execs, 1);
    assert_int_equal(c.tasks, 2);
    assert_int_equal(c.actions, 2);
    assert_int_equal(c.open_actions, 1);
    assert_int_equal(c.timers, 1);
    assert_int_equal(c.tokens + c.definitions + c.workflows, 0);

    store_txn_t *txn = NULL;
    int64_t now = 0;
    assert_int_equal(store_txn_begin(f->part, true, &txn, &err), SR_OK);
    assert_int_equal(store_clock_get(txn, &now, &err), SR_ENOTFOUND);
    assert_int_equal(store_clock_put(txn, -42, &err), SR_OK);
    assert_int_equal(store_txn_commit(&txn, &err), SR_OK);
    txn = s_reader(f);
    assert_int_equal(store_clock_get(txn, &now, &err), SR_OK);
    assert_int_equal(now, -42);
    store_txn_abort(&txn);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            executions_are_read_by_id_and_walked_in_id_order_from_any_id,
            st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(
            task_executions_come_in_seq_order_per_execution_or_all, st_setup,
            st_teardown),
        cmocka_unit_test_setup_teardown(
            open_actions_are_the_waiting_and_running_ones_in_creation_order,
            st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(timers_come_due_earliest_first,
                                        st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(a_token_hash_names_its_waiting_action,
                                        st_setup, st_teardown),
        cmocka_unit_test_setup_teardown(counts_and_the_clock_are_kept, st_setup,
                                        st_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
