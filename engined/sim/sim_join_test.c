// Joins through the in-process driver when branches fail or arrive late
// (issue 18): a join that can no longer be satisfied fails once, and the
// branches that finish afterwards create no other join execution and do not
// run its on-error again (join: all and join: N); a discriminator that ran
// ignores later branches even when its action failed; a failure handled
// into the join still counts as an arrival. A join reached again by a
// cycle, or by a rerun of the failed branch, runs anew.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "sim_test_util.h"

// The only execution of task `name`, which ended in `state`.
static const core_task_t *
s_once(const t_tasks_t *ts, const char *name, core_task_state_t state)
{
    if (t_count(ts, name) != 1)
        fail_msg("task '%s' has %zu executions, want 1", name,
                 t_count(ts, name));
    const core_task_t *task = t_task(ts, name);
    assert_int_equal(task->state, state);
    return task;
}

// The actions the latest execution of task `name` ran.
static size_t
s_actions_of(t_sim_t *t, const t_tasks_t *ts, const char *name)
{
    t_actions_t as = t_actions(t, &t->id, t_task(ts, name)->seq);
    size_t n = as.n;
    t_actions_free(&as);
    return n;
}

static void
test_a_failed_join_all_fails_once_however_many_branches_arrive_late(
    void **state)
{
    t_sim_t *t = *state;
    t_ran_t r = t_run_wf(t, "version: '2.0'\n"
                            "wf:\n"
                            "  tasks:\n"
                            "    start:\n"
                            "      action: std.noop\n"
                            "      on-success: [b0, b1, b2, b3]\n"
                            "    b0:\n"
                            "      action: std.fail\n"
                            "      on-success: join\n"
                            "    b1:\n"
                            "      action: std.sleep seconds=1\n"
                            "      on-success: join\n"
                            "    b2:\n"
                            "      action: std.sleep seconds=2\n"
                            "      on-success: join\n"
                            "    b3:\n"
                            "      action: std.sleep seconds=3\n"
                            "      on-success: join\n"
                            "    join:\n"
                            "      join: all\n"
                            "      action: std.noop\n"
                            "      on-error: handler\n"
                            "    handler:\n"
                            "      action: std.noop\n");
    assert_int_equal(r.ts.n, 7);
    const core_task_t *j = s_once(&r.ts, "join", CORE_T_ERROR);
    assert_string_equal(j->state_info, "Failed by tasks: ['b0']");
    T_JSON(j->arrived, "[\"b1\", \"b2\", \"b3\"]"); // late ones recorded
    assert_int_equal(s_actions_of(t, &r.ts, "join"), 0);
    s_once(&r.ts, "handler", CORE_T_SUCCESS);
    // The join's error is handled; b0's is not.
    assert_int_equal(r.e->state, CORE_EX_ERROR);
    T_CONTAINS(r.e->state_info, "Failure caused by error in tasks: b0\n");
    t_ran_free(&r);
}

static void
test_a_failed_join_on_n_fails_once_when_a_branch_arrives_late(void **state)
{
    t_sim_t *t = *state;
    t_ran_t r = t_run_wf(t, "version: '2.0'\n"
                            "wf:\n"
                            "  tasks:\n"
                            "    b0:\n"
                            "      action: std.fail\n"
                            "      on-success: join\n"
                            "    b1:\n"
                            "      action: std.fail\n"
                            "      on-success: join\n"
                            "    b2:\n"
                            "      action: std.sleep seconds=1\n"
                            "      on-success: join\n"
                            "    b3:\n"
                            "      action: std.sleep seconds=2\n"
                            "      on-success: join\n"
                            "    join:\n"
                            "      join: 3\n"
                            "      action: std.noop\n"
                            "      on-error: handler\n"
                            "    handler:\n"
                            "      action: std.noop\n");
    assert_int_equal(r.ts.n, 6);
    const core_task_t *j = s_once(&r.ts, "join", CORE_T_ERROR);
    assert_string_equal(j->state_info, "Failed by tasks: ['b0', 'b1']");
    assert_int_equal(s_actions_of(t, &r.ts, "join"), 0);
    s_once(&r.ts, "handler", CORE_T_SUCCESS);
    t_ran_free(&r);
}

static void
test_a_discriminator_whose_action_failed_ignores_later_branches(void **state)
{
    t_sim_t *t = *state;
    t_ran_t r = t_run_wf(t, "version: '2.0'\n"
                            "wf:\n"
                            "  tasks:\n"
                            "    fast:\n"
                            "      action: std.noop\n"
                            "      on-success: join\n"
                            "    slow:\n"
                            "      action: std.sleep seconds=1\n"
                            "      on-success: join\n"
                            "    join:\n"
                            "      join: one\n"
                            "      action: std.fail\n"
                            "      on-error: handler\n"
                            "    handler:\n"
                            "      action: std.noop\n");
    assert_int_equal(r.ts.n, 4);
    const core_task_t *j = s_once(&r.ts, "join", CORE_T_ERROR);
    T_JSON(j->arrived, "[\"fast\"]");
    assert_int_equal(s_actions_of(t, &r.ts, "join"), 1);
    s_once(&r.ts, "handler", CORE_T_SUCCESS);
    assert_int_equal(r.e->state, CORE_EX_SUCCESS);
    t_ran_free(&r);
}

static void
test_a_failure_handled_into_the_join_waits_for_the_late_branches(void **state)
{
    t_sim_t *t = *state;
    t_ran_t r = t_run_wf(t, "version: '2.0'\n"
                            "wf:\n"
                            "  tasks:\n"
                            "    b0:\n"
                            "      action: std.fail\n"
                            "      on-error: join\n"
                            "    b1:\n"
                            "      action: std.sleep seconds=1\n"
                            "      on-success: join\n"
                            "    b2:\n"
                            "      action: std.sleep seconds=2\n"
                            "      on-complete: join\n"
                            "    join:\n"
                            "      join: all\n"
                            "      action: std.noop\n");
    assert_int_equal(r.ts.n, 4);
    const core_task_t *j = s_once(&r.ts, "join", CORE_T_SUCCESS);
    T_JSON(j->arrived, "[\"b0\", \"b1\", \"b2\"]");
    assert_int_equal(s_actions_of(t, &r.ts, "join"), 1);
    assert_int_equal(r.e->state, CORE_EX_SUCCESS);
    t_ran_free(&r);
}

// `b` leads to the join only from round 6 on, so the join fails in every
// round; `a` arrives after `b` finished. Its handler starts round 2.
static void
test_a_join_that_failed_fails_again_in_the_next_round_of_a_cycle(void **state)
{
    t_sim_t *t = *state;
    t_ran_t r = t_run_wf(t, "version: '2.0'\n"
                            "wf:\n"
                            "  tasks:\n"
                            "    init:\n"
                            "      action: std.noop\n"
                            "      on-success: start\n"
                            "    start:\n"
                            "      action: std.noop\n"
                            "      publish:\n"
                            "        round: <% $.get(round, 0) + 1 %>\n"
                            "      on-success: [a, b]\n"
                            "    a:\n"
                            "      action: std.sleep seconds=1\n"
                            "      on-success: join\n"
                            "    b:\n"
                            "      action: std.noop\n"
                            "      on-success:\n"
                            "        - join: <% $.round > 5 %>\n"
                            "    join:\n"
                            "      join: all\n"
                            "      action: std.noop\n"
                            "      on-error: handler\n"
                            "    handler:\n"
                            "      action: std.noop\n"
                            "      on-success:\n"
                            "        - start: <% $.round < 2 %>\n");
    assert_int_equal(r.ts.n, 11);
    assert_int_equal(t_count(&r.ts, "join"), 2);
    assert_int_equal(t_count(&r.ts, "handler"), 2);
    for (size_t i = 0; i < r.ts.n; i++)
        if (strcmp(r.ts.items[i]->name, "join") == 0) {
            assert_int_equal(r.ts.items[i]->state, CORE_T_ERROR);
            T_JSON(r.ts.items[i]->arrived, "[\"a\"]");
        }
    assert_int_equal(r.e->state, CORE_EX_SUCCESS);
    t_ran_free(&r);
}

static void
test_a_rerun_of_the_failed_branch_runs_the_join(void **state)
{
    t_sim_t *t = *state;
    t_ran_t r = t_run_wf(t, "version: '2.0'\n"
                            "wf:\n"
                            "  tasks:\n"
                            "    a:\n"
                            "      action: std.noop\n"
                            "      on-success: join\n"
                            "    b:\n"
                            "      action: std.async_noop\n"
                            "      on-success: join\n"
                            "    join:\n"
                            "      join: all\n"
                            "      action: std.noop\n");
    assert_int_equal(r.e->state, CORE_EX_RUNNING); // b waits for COMPLETE
    t_ran_free(&r);
    sr_id_t first = t_unit_id(t, "b", 0);
    assert_int_equal(t_complete(t, &first, false, "\"boom\""), SR_OK);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    assert_int_equal(e->state, CORE_EX_ERROR);
    core_exec_destroy(&e);
    assert_int_equal(t_rerun(t, "b", false), SR_OK);
    t_run(t);
    sr_id_t second = t_unit_id(t, "b", 0);
    assert_int_equal(t_complete(t, &second, true, NULL), SR_OK);
    t_run(t);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(t_task(&ts, "join")->state, CORE_T_SUCCESS);
    assert_int_equal(s_actions_of(t, &ts, "join"), 1);
    t_tasks_free(&ts);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, t_setup, t_teardown)
    const struct CMUnitTest tests[] = {
        T(test_a_failed_join_all_fails_once_however_many_branches_arrive_late),
        T(test_a_failed_join_on_n_fails_once_when_a_branch_arrives_late),
        T(test_a_discriminator_whose_action_failed_ignores_later_branches),
        T(test_a_failure_handled_into_the_join_waits_for_the_late_branches),
        T(test_a_join_that_failed_fails_again_in_the_next_round_of_a_cycle),
        T(test_a_rerun_of_the_failed_branch_runs_the_join),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
