// Flow through the in-process driver where tasks finish inside the step
// that starts them (tasks without action): every start task runs and is
// part of the output, a join declared before its inbound tasks waits for
// all of them, and a reverse target waits for every requirement.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim_test_util.h"

static void
test_every_start_task_runs_before_the_workflow_ends(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    a:\n"
                "      publish:\n"
                "        x: 1\n"
                "    b:\n"
                "      publish:\n"
                "        y: 2\n");
    t_start(t, "wf", NULL, NULL);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    assert_int_equal(ts.n, 2);
    T_JSON(e->output, "{\"x\": 1, \"y\": 2}");
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_a_join_declared_first_waits_for_later_start_tasks(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    join_task:\n"
                "      join: all\n"
                "    task1:\n"
                "      on-success: join_task\n"
                "    task2:\n"
                "      on-success: join_task\n");
    t_start(t, "wf", NULL, NULL);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    assert_int_equal(ts.n, 3);
    assert_int_equal(t_task(&ts, "join_task")->state, CORE_T_SUCCESS);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_a_reverse_target_waits_for_every_requirement(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  type: reverse\n"
                "  tasks:\n"
                "    a:\n"
                "      publish:\n"
                "        x: 1\n"
                "    b:\n"
                "      publish:\n"
                "        y: 2\n"
                "    c:\n"
                "      requires: [a, b]\n"
                "      publish:\n"
                "        z: <% $.x + $.y %>\n");
    t_start(t, "wf", NULL, "c");
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    assert_int_equal(ts.n, 3);
    T_JSON(t_task(&ts, "c")->published, "{\"z\": 3}");
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, t_setup, t_teardown)
    const struct CMUnitTest tests[] = {
        T(test_every_start_task_runs_before_the_workflow_ends),
        T(test_a_join_declared_first_waits_for_later_start_tasks),
        T(test_a_reverse_target_waits_for_every_requirement),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
