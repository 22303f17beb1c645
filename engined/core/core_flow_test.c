// The flow, alone: direct transitions (on-success, on-error, on-complete,
// conditions, their order), publish into what follows and into the
// output, tasks without action, a reverse workflow, and the order in which
// one step's commands come out.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core_test_util.h"

static void
test_a_task_that_succeeds_starts_its_on_success_tasks_in_order(void **state)
{
    ct_t *c = *state;
    ct_define(c, "version: '2.0'\n"
                 "wf:\n"
                 "  tasks:\n"
                 "    a:\n"
                 "      action: std.noop\n"
                 "      on-success: [b, c]\n"
                 "    b:\n"
                 "      action: std.noop\n"
                 "    c:\n"
                 "      action: std.noop\n");
    ct_start(c, "wf", NULL);
    CT_LOG(c, "(wf) RUNNING; a RUNNING; dispatch a");
    ct_finish(c, "a", NULL);
    CT_LOG(c, "go a; a SUCCESS; b RUNNING; dispatch b; c RUNNING; dispatch c");
    ct_finish(c, "c", NULL);
    CT_LOG(c, "go c; c SUCCESS");
    ct_finish(c, "b", NULL);
    CT_LOG(c, "go b; b SUCCESS; (wf) SUCCESS");
    assert_int_equal(ct_exec(c, NULL)->state, CORE_EX_SUCCESS);
}

static void
test_a_failed_task_runs_on_error_then_on_complete(void **state)
{
    ct_t *c = *state;
    ct_define(c, "version: '2.0'\n"
                 "wf:\n"
                 "  tasks:\n"
                 "    a:\n"
                 "      action: std.fail\n"
                 "      on-success: [s]\n"
                 "      on-error: [e]\n"
                 "      on-complete: [f]\n"
                 "    s:\n"
                 "      action: std.noop\n"
                 "    e:\n"
                 "      action: std.noop\n"
                 "    f:\n"
                 "      action: std.noop\n");
    ct_start(c, "wf", NULL);
    ct_log_clear(c);
    ct_fail(c, "a", "\"boom\"");
    CT_LOG(c, "go a; a ERROR; e RUNNING; dispatch e; f RUNNING; dispatch f");
    assert_string_equal(ct_task(c, NULL, "a")->state_info, "boom");
    assert_true(ct_task(c, NULL, "a")->handled);
    ct_finish(c, "e", NULL);
    ct_finish(c, "f", NULL);
    // The error was handled: the workflow succeeds; `s` never ran.
    assert_int_equal(ct_exec(c, NULL)->state, CORE_EX_SUCCESS);
    assert_int_equal(ct_count(c, "s"), 0);
}

static void
test_conditions_choose_the_transitions_taken(void **state)
{
    ct_t *c = *state;
    ct_define(c, "version: '2.0'\n"
                 "wf:\n"
                 "  tasks:\n"
                 "    a:\n"
                 "      action: std.echo\n"
                 "      publish:\n"
                 "        x: <% task().result.x %>\n"
                 "      on-success:\n"
                 "        - big: <% $.x > 1 %>\n"
                 "        - small: <% $.x <= 1 %>\n"
                 "        - always\n"
                 "    big:\n"
                 "      action: std.noop\n"
                 "    small:\n"
                 "      action: std.noop\n"
                 "    always:\n"
                 "      action: std.noop\n");
    ct_start(c, "wf", NULL);
    ct_log_clear(c);
    ct_finish(c, "a", "{\"x\": 2}");
    CT_LOG(c, "go a; a SUCCESS; big RUNNING; dispatch big; always RUNNING; "
              "dispatch always");
    assert_int_equal(ct_count(c, "small"), 0);
    CT_JSON(ct_task(c, NULL, "a")->next, "[\"big\", \"always\"]");
}

static void
test_an_unhandled_error_fails_the_workflow_as_mistral_words_it(void **state)
{
    ct_t *c = *state;
    ct_define(c, "version: '2.0'\n"
                 "wf:\n"
                 "  tasks:\n"
                 "    a:\n"
                 "      action: std.fail\n"
                 "      on-success: [b]\n"
                 "    b: {}\n");
    ct_start(c, "wf", NULL);
    ct_fail(c, "a", "\"boom\"");
    const core_exec_t *e = ct_exec(c, NULL);
    assert_int_equal(e->state, CORE_EX_ERROR);
    assert_non_null(
        strstr(e->state_info, "Failure caused by error in tasks: a\n\n  a "));
    assert_non_null(strstr(e->state_info, "-> boom\n"));
    assert_string_equal(sr_value_map_str(e->output, "result"), e->state_info);
}

static void
test_published_values_reach_the_next_task_and_the_output(void **state)
{
    ct_t *c = *state;
    ct_define(c, "version: '2.0'\n"
                 "wf:\n"
                 "  input:\n"
                 "    - n\n"
                 "  output:\n"
                 "    total: <% $.y + $.n %>\n"
                 "  tasks:\n"
                 "    a:\n"
                 "      action: std.echo\n"
                 "      publish:\n"
                 "        y: <% task().result %>\n"
                 "      on-success: [b]\n"
                 "    b:\n"
                 "      action: std.echo\n"
                 "      input:\n"
                 "        v: <% $.y * 10 %>\n");
    ct_start(c, "wf", "{\"n\": 1}");
    ct_finish(c, "a", "4");
    CT_JSON(ct_offer(c, "b")->input, "{\"v\": 40}");
    ct_finish(c, "b", NULL);
    const core_exec_t *e = ct_exec(c, NULL);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    CT_JSON(e->output, "{\"total\": 5}");
}

static void
test_tasks_without_action_run_through_in_one_step(void **state)
{
    ct_t *c = *state;
    ct_define(c, "version: '2.0'\n"
                 "wf:\n"
                 "  tasks:\n"
                 "    a:\n"
                 "      publish: {x: 1}\n"
                 "      on-success: [b, c]\n"
                 "    b:\n"
                 "      on-success: [d]\n"
                 "    c:\n"
                 "      publish: {x: 2}\n"
                 "    d: {}\n");
    ct_start(c, "wf", NULL);
    // Depth first, as calls ran: b's successor runs before c.
    CT_LOG(c, "(wf) RUNNING; a RUNNING; a SUCCESS; b RUNNING; b SUCCESS; "
              "d RUNNING; d SUCCESS; c RUNNING; c SUCCESS; (wf) SUCCESS");
    CT_JSON(ct_exec(c, NULL)->output, "{\"x\": 2}");
}

static void
test_a_reverse_workflow_runs_what_its_target_requires(void **state)
{
    ct_t *c = *state;
    ct_define(c, "version: '2.0'\n"
                 "wf:\n"
                 "  type: reverse\n"
                 "  tasks:\n"
                 "    t1:\n"
                 "      action: std.noop\n"
                 "    t2:\n"
                 "      action: std.noop\n"
                 "      requires: [t1]\n"
                 "    t3:\n"
                 "      action: std.noop\n"
                 "      requires: [t2]\n");
    assert_int_equal(ct_start_with(c, "wf", NULL, "{\"task_name\": \"t2\"}"),
                     SR_OK);
    CT_LOG(c, "(wf) RUNNING; t1 RUNNING; dispatch t1");
    ct_finish(c, "t1", NULL);
    CT_LOG(c, "go t1; t1 SUCCESS; t2 RUNNING; dispatch t2");
    ct_finish(c, "t2", NULL);
    assert_int_equal(ct_exec(c, NULL)->state, CORE_EX_SUCCESS);
    assert_int_equal(ct_count(c, "t3"), 0);
    // Without a target the start is refused.
    assert_int_equal(ct_start_with(c, "wf", NULL, NULL), SR_EINVAL);
}

static void
test_a_result_for_another_attempt_is_refused(void **state)
{
    ct_t *c = *state;
    ct_define(c, "version: '2.0'\n"
                 "wf:\n"
                 "  tasks:\n"
                 "    a:\n"
                 "      action: std.noop\n");
    ct_start(c, "wf", NULL);
    ct_offer_t stale = *ct_offer(c, "a");
    stale.input = NULL;
    stale.attempt = 2;
    assert_int_equal(ct_result(c, &stale, CORE_RESULT_SUCCESS, NULL),
                     SR_ESTATE);
    assert_int_equal(ct_task(c, NULL, "a")->state, CORE_T_RUNNING);
}

static void
test_a_target_that_fails_to_evaluate_fails_the_task_that_led_there(void **state)
{
    ct_t *c = *state;
    ct_define(c, "version: '2.0'\n"
                 "sub:\n"
                 "  tasks:\n"
                 "    s:\n"
                 "      action: std.noop\n"
                 "wf:\n"
                 "  tasks:\n"
                 "    a:\n"
                 "      action: std.noop\n"
                 "      on-success: [x, b]\n"
                 "    x:\n"
                 "      workflow: sub\n"
                 "    b:\n"
                 "      action: std.noop\n"
                 "      target: <% nosuch() %>\n");
    ct_start(c, "wf", NULL);
    ct_log_clear(c);
    ct_finish(c, "a", NULL);
    // As the error of a call a's transitions made, though it comes after
    // x's sub-workflow started: b cannot start, a and the workflow fail.
    CT_LOG(c, "go a; a SUCCESS; x RUNNING; (sub) RUNNING; s RUNNING; "
              "dispatch s; b RUNNING; a ERROR; (wf) ERROR");
    assert_non_null(strstr(ct_task(c, NULL, "a")->state_info,
                           "Failed to handle action completion [error="));
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, ct_setup, ct_teardown)
    const struct CMUnitTest tests[] = {
        T(test_a_task_that_succeeds_starts_its_on_success_tasks_in_order),
        T(test_a_failed_task_runs_on_error_then_on_complete),
        T(test_conditions_choose_the_transitions_taken),
        T(test_an_unhandled_error_fails_the_workflow_as_mistral_words_it),
        T(test_published_values_reach_the_next_task_and_the_output),
        T(test_tasks_without_action_run_through_in_one_step),
        T(test_a_reverse_workflow_runs_what_its_target_requires),
        T(test_a_result_for_another_attempt_is_refused),
        T(test_a_target_that_fails_to_evaluate_fails_the_task_that_led_there),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
