// Policies that wait on the virtual clock, through the in-process driver:
// wait-before holds a task DELAYED, with no action offered, until its timer
// fires, and the action starts at that moment, not before.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim_test_util.h"

static void
test_wait_before_starts_the_task_after_the_delay_not_before(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    task1:\n"
                "      wait-before: 5\n"
                "      action: std.echo output=1\n");
    int64_t t0 = sim_now(t->sim);
    t_start(t, "wf", NULL, NULL);
    assert_int_equal(t_cmds(t, CORE_CMD_DISPATCH), 0);
    assert_int_equal(t_cmds(t, CORE_CMD_TIMER), 1);
    t_tasks_t ts = t_tasks(t, &t->id);
    const core_task_t *t1 = t_task(&ts, "task1");
    assert_int_equal(t1->state, CORE_T_DELAYED);
    assert_string_equal(t1->state_info,
                        "Delayed by 'wait-before' policy [delay=5]");
    assert_int_equal(t1->timer_due, t0 + 5000);
    t_tasks_free(&ts);
    t_actions_t as = t_actions(t, &t->id, UINT32_MAX);
    assert_int_equal(as.n, 0);
    t_actions_free(&as);
    // The next event is the timer, 5 virtual seconds later: it offers the
    // action.
    t_step(t, 1);
    assert_int_equal(sim_now(t->sim), t0 + 5000);
    assert_int_equal(t_cmds(t, CORE_CMD_DISPATCH), 1);
    as = t_actions(t, &t->id, UINT32_MAX);
    assert_int_equal(as.n, 1);
    assert_int_equal(as.items[0]->created_ms, t0 + 5000);
    t_actions_free(&as);
    t_ran_t r = t_finish(t);
    assert_int_equal(r.e->state, CORE_EX_SUCCESS);
    t1 = t_task(&r.ts, "task1");
    assert_int_equal(t1->state, CORE_T_SUCCESS);
    T_JSON(t1->result, "1");
    assert_true(t1->finished_ms >= t0 + 5000);
    t_ran_free(&r);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, t_setup, t_teardown)
    const struct CMUnitTest tests[] = {
        T(test_wait_before_starts_the_task_after_the_delay_not_before),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
