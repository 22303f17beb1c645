// with-items through the in-process driver: one failing item among others,
// the concurrency limit, iteration over strings, maps and zipped lists, an
// empty list, bad input that force-fails, and cancelling an execution
// while items run.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sim_test_util.h"

// One with-items task `task1` over `items` running `body` (more lines of
// the task), then `after` on success.
static void
s_items(t_sim_t *t, const char *items, const char *body, const char *input)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "version: '2.0'\n"
             "wf:\n"
             "  input:\n"
             "    - xs: []\n"
             "  tasks:\n"
             "    task1:\n"
             "      with-items: %s\n"
             "%s"
             "      on-success: after\n"
             "      on-error: handler\n"
             "    after:\n"
             "      action: std.noop\n"
             "    handler:\n"
             "      action: std.noop\n",
             items, body);
    t_define(t, yaml);
    t_start(t, "wf", input, NULL);
}

static void
test_one_failing_item_fails_the_task_after_every_item_ran(void **state)
{
    t_sim_t *t = *state;
    s_items(t, "x in <% $.xs %>",
            "      action: <% $.x.a %>\n"
            "      input: <% $.x.in %>\n"
            "      publish-on-error:\n"
            "        all: <% task().result %>\n",
            "{\"xs\": [{\"a\": \"std.echo\", \"in\": {\"output\": 1}},"
            "         {\"a\": \"std.fail\", \"in\": {\"error_data\": \"bad\"}},"
            "         {\"a\": \"std.echo\", \"in\": {\"output\": 3}}]}");
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS); // on-error handled it
    const core_task_t *t1 = t_task(&ts, "task1");
    assert_int_equal(t1->state, CORE_T_ERROR);
    assert_string_equal(t1->state_info, "One or more actions had failed.");
    T_JSON(t1->result, "[1, \"bad\", 3]");
    T_JSON(t1->published, "{\"all\": [1, \"bad\", 3]}");
    assert_int_equal(t_units(t1, CORE_U_SUCCESS), 2);
    assert_int_equal(t_units(t1, CORE_U_ERROR), 1);
    assert_int_equal(t_count(&ts, "handler"), 1);
    assert_int_equal(t_count(&ts, "after"), 0);
    t_actions_t as = t_actions(t, &t->id, t1->seq);
    assert_int_equal(as.n, 3);
    for (size_t i = 0; i < as.n; i++) {
        assert_int_equal(as.items[i]->item, (int32_t)i);
        assert_int_equal(as.items[i]->state,
                         i == 1 ? CORE_A_ERROR : CORE_A_SUCCESS);
    }
    t_actions_free(&as);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_an_unhandled_failing_item_names_its_action_in_the_failure(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    task1:\n"
                "      with-items: x in [1, 2]\n"
                "      action: std.fail error_data=<% $.x %>\n");
    t_start(t, "wf", NULL, NULL);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    assert_int_equal(e->state, CORE_EX_ERROR);
    T_CONTAINS(e->state_info, "task1 [task_ex_id=");
    T_CONTAINS(e->state_info, "] -> One or more actions had failed.\n");
    T_CONTAINS(e->state_info, ", idx=0]: 1\n    [action_ex_id=");
    T_CONTAINS(e->state_info, ", idx=1]: 2\n");
    core_exec_destroy(&e);
}

static void
test_concurrency_limits_the_items_running_at_once(void **state)
{
    t_sim_t *t = *state;
    int64_t t0 = sim_now(t->sim);
    s_items(t, "x in <% $.xs %>",
            "      concurrency: 2\n"
            "      action: std.echo output=<% $.x * 10 %> delay=1\n",
            "{\"xs\": [1, 2, 3, 4, 5]}");
    size_t most = 0, steps = 0;
    for (bool idle = false; !idle && steps < 1000; steps++) {
        idle = t_step(t, 1);
        t_tasks_t ts = t_tasks(t, &t->id);
        const core_task_t *t1 = t_task(&ts, "task1");
        size_t running = t_units(t1, CORE_U_RUNNING);
        most = running > most ? running : most;
        t_actions_t as = t_actions(t, &t->id, t1->seq);
        size_t busy = 0;
        for (size_t i = 0; i < as.n; i++)
            busy += !core_action_state_is_final(as.items[i]->state);
        assert_true(busy <= 2);
        assert_int_equal(busy, running);
        t_actions_free(&as);
        t_tasks_free(&ts);
    }
    assert_int_equal(most, 2);
    // Five items of 1 s, two at a time: three rounds on the virtual clock.
    assert_int_equal(sim_now(t->sim) - t0, 3000);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    const core_task_t *t1 = t_task(&ts, "task1");
    assert_int_equal(t1->concurrency, 2);
    T_JSON(t1->result, "[10, 20, 30, 40, 50]");
    assert_int_equal(t_count(&ts, "after"), 1);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_a_string_iterates_over_its_characters(void **state)
{
    t_sim_t *t = *state;
    s_items(t, "c in <% $.xs %>", "      action: std.echo output=<% $.c %>\n",
            "{\"xs\": \"a\\u00f1b\"}");
    t_run(t);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(t_task(&ts, "task1")->state, CORE_T_SUCCESS);
    T_JSON(t_task(&ts, "task1")->result, "[\"a\", \"\\u00f1\", \"b\"]");
    t_tasks_free(&ts);
}

static void
test_a_map_iterates_over_its_keys(void **state)
{
    t_sim_t *t = *state;
    s_items(t, "k in <% $.xs %>", "      action: std.echo output=<% $.k %>\n",
            "{\"xs\": {\"zeta\": 1, \"alpha\": 2}}");
    t_run(t);
    t_tasks_t ts = t_tasks(t, &t->id);
    T_JSON(t_task(&ts, "task1")->result, "[\"zeta\", \"alpha\"]");
    t_tasks_free(&ts);
}

static void
test_several_lists_are_zipped(void **state)
{
    t_sim_t *t = *state;
    s_items(t, "\n        - x in <% $.xs %>\n        - y in [10, 20]",
            "      action: std.echo output=<% $.x + $.y %>\n",
            "{\"xs\": [1, 2]}");
    t_run(t);
    t_tasks_t ts = t_tasks(t, &t->id);
    T_JSON(t_task(&ts, "task1")->result, "[11, 22]");
    t_tasks_free(&ts);
}

static void
test_an_empty_list_succeeds_with_an_empty_result(void **state)
{
    t_sim_t *t = *state;
    s_items(t, "x in <% $.xs %>", "      action: std.fail\n", NULL);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    T_JSON(t_task(&ts, "task1")->result, "[]");
    assert_int_equal(t_count(&ts, "after"), 1);
    t_actions_t as = t_actions(t, &t->id, UINT32_MAX);
    assert_int_equal(as.n, 1); // only `after`
    t_actions_free(&as);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

// Bad with-items input force-fails: task and workflow ERROR with the same
// message, no action, on-error not run.
static void
s_force_failed(t_sim_t *t, const char *why)
{
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_ERROR);
    assert_int_equal(ts.n, 1);
    const core_task_t *t1 = t_task(&ts, "task1");
    assert_int_equal(t1->state, CORE_T_ERROR);
    assert_string_equal(t1->state_info, e->state_info);
    T_CONTAINS(e->state_info, "Failed to run task [error=Wrong input format "
                              "for: ");
    T_CONTAINS(e->state_info, why);
    T_CONTAINS(e->state_info, ", wf=wf, task=task1]");
    t_actions_t as = t_actions(t, &t->id, UINT32_MAX);
    assert_int_equal(as.n, 0);
    t_actions_free(&as);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_a_number_to_iterate_force_fails(void **state)
{
    t_sim_t *t = *state;
    s_items(t, "x in <% $.xs %>", "      action: std.noop\n", "{\"xs\": 5}");
    s_force_failed(t, "{'x': 5}. Iterable type is expected for each value.");
}

static void
test_lists_of_different_lengths_force_fail(void **state)
{
    t_sim_t *t = *state;
    s_items(t, "\n        - x in <% $.xs %>\n        - y in [1, 2, 3]",
            "      action: std.noop\n", "{\"xs\": [1]}");
    s_force_failed(t, "{'x': [1], 'y': [1, 2, 3]}. All arrays must have the "
                      "same length.");
}

static void
test_cancel_during_with_items_stops_everything(void **state)
{
    t_sim_t *t = *state;
    s_items(t, "x in <% $.xs %>",
            "      concurrency: 2\n"
            "      action: std.echo output=<% $.x %> delay=5\n",
            "{\"xs\": [1, 2, 3, 4]}");
    // Until both first items run on the (virtual) worker.
    for (int i = 0; i < 10; i++) {
        t_actions_t as = t_actions(t, &t->id, UINT32_MAX);
        size_t running = 0;
        for (size_t j = 0; j < as.n; j++)
            running += as.items[j]->state == CORE_A_RUNNING;
        t_actions_free(&as);
        if (running == 2)
            break;
        t_step(t, 1);
    }
    int64_t now = sim_now(t->sim);
    assert_int_equal(t_exec_event(t, CORE_EV_CANCEL, "enough"), SR_OK);
    assert_int_equal(t_cmds(t, CORE_CMD_CANCEL), 2);
    assert_int_equal(t_cmds(t, CORE_CMD_DISPATCH), 0);
    t_run(t); // nothing left: the cancelled sleeps were dropped
    assert_int_equal(sim_now(t->sim), now);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_CANCELLED);
    assert_string_equal(e->state_info, "enough");
    assert_int_equal(ts.n, 1);
    const core_task_t *t1 = t_task(&ts, "task1");
    assert_int_equal(t1->state, CORE_T_CANCELLED);
    assert_int_equal(t_units(t1, CORE_U_CANCELLED), 4);
    t_actions_t as = t_actions(t, &t->id, UINT32_MAX);
    assert_int_equal(as.n, 2);
    for (size_t i = 0; i < as.n; i++)
        assert_int_equal(as.items[i]->state, CORE_A_CANCELLED);
    t_actions_free(&as);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
    // Cancelling again is refused.
    assert_int_equal(t_exec_event(t, CORE_EV_CANCEL, NULL), SR_ESTATE);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, t_setup, t_teardown)
    const struct CMUnitTest tests[] = {
        T(test_one_failing_item_fails_the_task_after_every_item_ran),
        T(test_an_unhandled_failing_item_names_its_action_in_the_failure),
        T(test_concurrency_limits_the_items_running_at_once),
        T(test_a_string_iterates_over_its_characters),
        T(test_a_map_iterates_over_its_keys),
        T(test_several_lists_are_zipped),
        T(test_an_empty_list_succeeds_with_an_empty_result),
        T(test_a_number_to_iterate_force_fails),
        T(test_lists_of_different_lengths_force_fail),
        T(test_cancel_during_with_items_stops_everything),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
