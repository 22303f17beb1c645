// Deleting executions through the in-process driver: a finished execution
// with sub-workflows, retried actions, a pending delegate (token) and an
// armed timer leaves no byte of its ids in any database while another
// execution made at the same time keeps all of its records; the refusals
// (running without force, paused, a sub-workflow, unknown); force on a
// running execution; late worker messages for what was deleted.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sim_test_util.h"

// --- byte patterns that must be gone -------------------------------------

typedef struct {
    uint8_t b[32];
    size_t len;
} s_needle_t;

typedef struct {
    s_needle_t items[512];
    size_t n;
    sr_id_t execs[64]; // the tree's executions, root first
    size_t nexecs;
} s_needles_t;

static void
s_needle(s_needles_t *nd, const void *bytes, size_t len)
{
    assert_true(nd->n < sizeof nd->items / sizeof *nd->items);
    memcpy(nd->items[nd->n].b, bytes, len);
    nd->items[nd->n++].len = len;
}

// Every id of execution `id` and its sub-workflows (through the units of
// its tasks), its action ids and delegate token hashes.
static void
s_collect(t_sim_t *t, const sr_id_t *id, s_needles_t *nd)
{
    assert_true(nd->nexecs < sizeof nd->execs / sizeof *nd->execs);
    nd->execs[nd->nexecs++] = *id;
    s_needle(nd, id->b, 16);
    t_tasks_t ts = t_tasks(t, id);
    for (size_t i = 0; i < ts.n; i++) {
        s_needle(nd, ts.items[i]->id.b, 16);
        for (size_t k = 0; k < sr_value_len(ts.items[i]->unit_ids); k++) {
            sr_id_t u;
            core_exec_t *child = NULL;
            sr_error_t e;
            if (!sr_id_from_value(sr_value_array_at(ts.items[i]->unit_ids, k),
                                  &u) &&
                sim_exec(t->sim, &u, &child, &e) == SR_OK) {
                core_exec_destroy(&child);
                s_collect(t, &u, nd);
            }
        }
    }
    t_tasks_free(&ts);
    t_actions_t as = t_actions(t, id, UINT32_MAX);
    for (size_t i = 0; i < as.n; i++) {
        s_needle(nd, as.items[i]->id.b, 16);
        if (as.items[i]->has_token)
            s_needle(nd, as.items[i]->token_hash, 32);
    }
    t_actions_free(&as);
}

typedef struct {
    const s_needles_t *nd;
    size_t hits;
} s_scan_t;

static bool
s_contains(const uint8_t *hay, size_t n, const s_needle_t *x)
{
    for (size_t i = 0; i + x->len <= n; i++)
        if (!memcmp(hay + i, x->b, x->len))
            return true;
    return false;
}

static sr_err_t
s_scan_visit(void *arg, const store_change_t *c)
{
    s_scan_t *sc = arg;
    if (!strcmp(c->name, "meta")) // the partition's own: the clock
        return SR_OK;
    for (size_t i = 0; i < sc->nd->n; i++)
        if (s_contains(c->key, c->klen, &sc->nd->items[i]) ||
            s_contains(c->val, c->vlen, &sc->nd->items[i])) {
            sc->hits++;
            break;
        }
    return SR_OK;
}

// Records of every database (but the meta one) holding any needle.
static size_t
s_hits(t_sim_t *t, const s_needles_t *nd)
{
    store_txn_t *txn = NULL;
    sr_error_t err;
    assert_int_equal(store_txn_begin(sim_store(t->sim), false, &txn, &err),
                     SR_OK);
    s_scan_t sc = {nd, 0};
    assert_int_equal(store_records(txn, s_scan_visit, &sc, &err), SR_OK);
    store_txn_abort(&txn);
    return sc.hits;
}

static store_counts_t
s_counts(t_sim_t *t)
{
    store_counts_t c;
    sr_error_t err;
    assert_int_equal(store_part_counts(sim_store(t->sim), &c, &err), SR_OK);
    return c;
}

static sr_err_t
s_delete(t_sim_t *t, const sr_id_t *id, bool force)
{
    return t_apply(
        t,
        (core_event_t){.kind = CORE_EV_DELETE, .exec_id = *id, .force = force});
}

static bool
s_exists(t_sim_t *t, const sr_id_t *id)
{
    core_exec_t *e = NULL;
    sr_error_t err;
    sr_err_t rc = sim_exec(t->sim, id, &e, &err);
    core_exec_destroy(&e);
    assert_true(rc == SR_OK || rc == SR_ENOTFOUND);
    return rc == SR_OK;
}

// NOTIFY commands of the last event saying DELETED.
static size_t
s_deleted_events(t_sim_t *t)
{
    const core_cmds_t *cmds = sim_last_cmds(t->sim);
    size_t n = 0;
    for (size_t i = 0; i < cmds->count; i++)
        n += cmds->items[i].kind == CORE_CMD_NOTIFY &&
             !strcmp(cmds->items[i].state, "DELETED");
    return n;
}

// Step until execution `id` is final (bounded); the timers still armed
// then stay armed (the clock only jumps when nothing else is left).
static void
s_until_final(t_sim_t *t, const sr_id_t *id)
{
    for (int i = 0; i < 500; i++) {
        core_exec_t *e = t_exec(t, id);
        bool done = core_ex_state_is_final(e->state);
        core_exec_destroy(&e);
        if (done)
            return;
        assert_false(t_step(t, 1));
    }
    fail_msg("the execution never finished");
}

static const char *s_tree_yaml = "version: '2.0'\n"
                                 "sub:\n"
                                 "  tasks:\n"
                                 "    s1:\n"
                                 "      action: std.echo output=\"in sub\"\n"
                                 "parent:\n"
                                 "  tasks:\n"
                                 "    hold:\n"
                                 "      action: std.async_noop\n"
                                 "    later:\n"
                                 "      wait-before: 1000\n"
                                 "      action: std.noop\n"
                                 "    call:\n"
                                 "      with-items: i in [1, 2]\n"
                                 "      workflow: sub\n"
                                 "      on-success: flaky\n"
                                 "    flaky:\n"
                                 "      action: std.fail\n"
                                 "      retry:\n"
                                 "        count: 1\n"
                                 "        delay: 1\n"
                                 "      on-error:\n"
                                 "        - fail(msg='stopped')\n";

static void
test_a_finished_tree_leaves_no_record_and_others_keep_theirs(void **state)
{
    t_sim_t *t = *state;
    t_define(t, s_tree_yaml);
    t_start(t, "parent", NULL, NULL);
    sr_id_t root = t->id;
    t_start(t, "sub", NULL, NULL); // made in the same window
    sr_id_t other = t->id;
    s_until_final(t, &root);
    t->id = root;
    core_exec_t *e = t_exec(t, &root);
    assert_int_equal(e->state, CORE_EX_ERROR);
    core_exec_destroy(&e);
    // What makes this tree worth deleting: two sub-workflows, a retried
    // action, a pending delegate with its token, an armed timer.
    t_tasks_t ts = t_tasks(t, &root);
    assert_int_equal(t_task(&ts, "call")->n_units, 2);
    assert_int_equal(t_task(&ts, "hold")->state, CORE_T_RUNNING);
    assert_true(t_task(&ts, "later")->timer_due > 0);
    t_actions_t as = t_actions(t, &root, t_task(&ts, "flaky")->seq);
    assert_int_equal(as.n, 2);
    t_actions_free(&as);
    t_tasks_free(&ts);
    assert_int_equal(s_counts(t).tokens, 1);
    assert_int_equal(s_counts(t).timers, 1);
    static s_needles_t nd;
    memset(&nd, 0, sizeof nd);
    s_collect(t, &root, &nd);
    assert_int_equal(nd.nexecs, 3);
    assert_true(s_hits(t, &nd) > 0);
    t_tasks_t kept_tasks = t_tasks(t, &other);
    t_actions_t kept_actions = t_actions(t, &other, UINT32_MAX);

    assert_int_equal(s_delete(t, &root, false), SR_OK);
    assert_int_equal(s_deleted_events(t), 3);
    assert_int_equal(s_hits(t, &nd), 0);
    for (size_t i = 0; i < nd.nexecs; i++)
        assert_false(s_exists(t, &nd.execs[i]));
    assert_int_equal(s_counts(t).tokens, 0);
    assert_int_equal(s_counts(t).timers, 0);
    // The other execution is whole.
    assert_true(s_exists(t, &other));
    ts = t_tasks(t, &other);
    as = t_actions(t, &other, UINT32_MAX);
    assert_int_equal(ts.n, kept_tasks.n);
    assert_int_equal(as.n, kept_actions.n);
    assert_int_equal(s_counts(t).execs, 1);
    assert_int_equal(s_counts(t).tasks, ts.n);
    assert_int_equal(s_counts(t).actions, as.n);
    t_tasks_free(&ts);
    t_actions_free(&as);
    t_tasks_free(&kept_tasks);
    t_actions_free(&kept_actions);
    // Twice is unknown.
    assert_int_equal(s_delete(t, &root, false), SR_ENOTFOUND);
    T_CONTAINS(t->err.msg, "not found");
}

static void
test_a_finished_execution_with_a_timer_loses_it(void **state)
{
    t_sim_t *t = *state;
    t_define(t, s_tree_yaml);
    t_start(t, "parent", NULL, NULL);
    sr_id_t root = t->id;
    s_until_final(t, &root);
    assert_int_equal(s_counts(t).timers, 1);
    assert_int_equal(s_counts(t).tokens, 1);
    assert_int_equal(s_delete(t, &root, false), SR_OK);
    assert_int_equal(s_counts(t).timers, 0);
    assert_int_equal(s_counts(t).tokens, 0);
    assert_int_equal(s_counts(t).execs, 0);
    assert_int_equal(s_counts(t).tasks, 0);
    assert_int_equal(s_counts(t).actions, 0);
    t_run(t); // the deleted sub-workflows' actions may still report
}

static const char *s_running_yaml =
    "version: '2.0'\n"
    "sub:\n"
    "  tasks:\n"
    "    wait:\n"
    "      action: std.async_noop\n"
    "wf:\n"
    "  tasks:\n"
    "    slow:\n"
    "      action: std.echo output=\"s\" delay=5\n"
    "    hold:\n"
    "      action: std.async_noop\n"
    "    call:\n"
    "      workflow: sub\n";

static bool
s_running(t_sim_t *t, const sr_id_t *action_id)
{
    core_action_t *a = t_action(t, action_id);
    bool running = a->state == CORE_A_RUNNING;
    core_action_destroy(&a);
    return running;
}

// Start `wf` (t->id) and, with `other`, a `sub` of its own; step until the
// slow echo runs on the worker and every delegate is pending. Returns the
// slow echo's action id.
static sr_id_t
s_start_running(t_sim_t *t, sr_id_t *other)
{
    t_define(t, s_running_yaml);
    if (other) {
        t_start(t, "sub", NULL, NULL);
        *other = t->id;
    }
    t_start(t, "wf", NULL, NULL);
    size_t tokens = other ? 3 : 2;
    for (int i = 0; i < 100; i++) {
        t_tasks_t ts = t_tasks(t, &t->id);
        bool started = false;
        for (size_t k = 0; k < ts.n; k++)
            started |= !strcmp(ts.items[k]->name, "slow");
        t_tasks_free(&ts);
        sr_id_t slow = {0};
        if (started)
            slow = t_unit_id(t, "slow", 0);
        if (!sr_id_is_nil(&slow) && s_running(t, &slow) &&
            s_counts(t).tokens == tokens)
            return slow;
        t_step(t, 1);
    }
    fail_msg("the slow action never ran with every delegate pending");
    return (sr_id_t){0};
}

static void
test_a_running_execution_is_refused_without_force(void **state)
{
    t_sim_t *t = *state;
    s_start_running(t, NULL);
    size_t actions = s_counts(t).actions;
    assert_int_equal(s_delete(t, &t->id, false), SR_ESTATE);
    T_CONTAINS(t->err.msg, "is RUNNING");
    T_CONTAINS(t->err.msg, "force cancels it first");
    char id[SR_ID_TEXT_SIZE];
    T_CONTAINS(t->err.msg, sr_id_format(&t->id, id));
    assert_true(s_exists(t, &t->id));
    assert_int_equal(s_counts(t).actions, actions);
    // Paused is not finished either.
    assert_int_equal(t_exec_event(t, CORE_EV_PAUSE, NULL), SR_OK);
    assert_int_equal(s_delete(t, &t->id, false), SR_ESTATE);
    T_CONTAINS(t->err.msg, "is PAUSED");
    assert_true(s_exists(t, &t->id));
}

static void
test_force_cancels_a_running_execution_and_deletes_it(void **state)
{
    t_sim_t *t = *state;
    sr_id_t other;
    sr_id_t slow = s_start_running(t, &other);
    sr_id_t root = t->id;
    static s_needles_t nd;
    memset(&nd, 0, sizeof nd);
    s_collect(t, &root, &nd);
    assert_int_equal(nd.nexecs, 2);
    assert_int_equal(s_counts(t).tokens, 3); // hold, wait, other's

    assert_true(s_running(t, &slow));
    assert_int_equal(s_delete(t, &root, true), SR_OK);
    // The action on the worker is told to stop; subscribers hear the
    // cancel, then the deletion of both executions.
    assert_true(t_cmds(t, CORE_CMD_CANCEL) >= 1);
    assert_int_equal(s_deleted_events(t), 2);
    assert_int_equal(s_hits(t, &nd), 0);
    assert_false(s_exists(t, &root));
    assert_int_equal(s_counts(t).tokens, 1);
    assert_true(s_exists(t, &other));
    t_run(t); // nothing of the deleted tree is left to run
    core_exec_t *e = t_exec(t, &other);
    assert_int_equal(e->state, CORE_EX_RUNNING); // its delegate waits
    core_exec_destroy(&e);
}

static void
test_a_sub_workflow_execution_is_refused(void **state)
{
    t_sim_t *t = *state;
    t_define(t, s_tree_yaml);
    t_start(t, "parent", NULL, NULL);
    sr_id_t root = t->id;
    s_until_final(t, &root);
    sr_id_t child = t_unit_id(t, "call", 0);
    assert_true(s_exists(t, &child));
    assert_int_equal(s_delete(t, &child, true), SR_ESTATE);
    char id[SR_ID_TEXT_SIZE];
    T_CONTAINS(t->err.msg, "sub-workflow execution");
    T_CONTAINS(t->err.msg, "delete its root execution");
    T_CONTAINS(t->err.msg, sr_id_format(&root, id));
    assert_true(s_exists(t, &child));
    assert_true(s_exists(t, &root));
}

static void
test_an_unknown_execution_is_not_found(void **state)
{
    t_sim_t *t = *state;
    sr_id_t nobody;
    sr_id_make(0, sim_now(t->sim), &nobody);
    assert_int_equal(s_delete(t, &nobody, false), SR_ENOTFOUND);
    char id[SR_ID_TEXT_SIZE];
    T_CONTAINS(t->err.msg, sr_id_format(&nobody, id));
    T_CONTAINS(t->err.msg, "not found");
    assert_int_equal(s_delete(t, &nobody, true), SR_ENOTFOUND);
}

static void
test_late_worker_messages_for_a_deleted_action_are_harmless(void **state)
{
    t_sim_t *t = *state;
    sr_id_t slow = s_start_running(t, NULL);
    sr_id_t root = t->id;
    assert_int_equal(s_delete(t, &root, true), SR_OK);
    // The worker finishes anyway: its RESULT is acknowledged and ignored.
    sr_value_t *out = t_json("\"late\"");
    assert_int_equal(t_apply(t, (core_event_t){.kind = CORE_EV_RESULT,
                                               .action_id = slow,
                                               .attempt = 1,
                                               .worker = "w1",
                                               .status = CORE_RESULT_SUCCESS,
                                               .output = out}),
                     SR_OK);
    assert_int_equal(sim_last_cmds(t->sim)->count, 0);
    sr_value_destroy(&out);
    // A CONFIRM is answered HALT; a completion is refused as unknown.
    assert_int_equal(t_apply(t, (core_event_t){.kind = CORE_EV_CONFIRM,
                                               .action_id = slow,
                                               .attempt = 1,
                                               .worker = "w1"}),
                     SR_OK);
    assert_int_equal(t_cmds(t, CORE_CMD_HALT), 1);
    T_CONTAINS(sim_last_cmds(t->sim)->items[0].text, "unknown");
    assert_int_equal(t_complete(t, &slow, true, NULL), SR_ENOTFOUND);
    assert_int_equal(t_apply(t, (core_event_t){.kind = CORE_EV_WORKER_LOST,
                                               .action_id = slow,
                                               .worker = "w1"}),
                     SR_OK);
    assert_int_equal(s_counts(t).execs, 0);
    assert_int_equal(s_counts(t).actions, 0);
    t_run(t);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, t_setup, t_teardown)
    const struct CMUnitTest tests[] = {
        T(test_a_finished_tree_leaves_no_record_and_others_keep_theirs),
        T(test_a_finished_execution_with_a_timer_loses_it),
        T(test_a_running_execution_is_refused_without_force),
        T(test_force_cancels_a_running_execution_and_deletes_it),
        T(test_a_sub_workflow_execution_is_refused),
        T(test_an_unknown_execution_is_not_found),
        T(test_late_worker_messages_for_a_deleted_action_are_harmless),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
