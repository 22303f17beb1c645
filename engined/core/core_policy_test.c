// Task policies, alone, on the test's clock: retry (with its delay and
// count), wait-before, wait-after, timeout, pause-before, fail-on.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>

#include "core_test_util.h"

// Task `a` with the policy lines `policy`, then `next` after it (and `h`
// on error).
static void
s_task(ct_t *c, const char *policy)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "version: '2.0'\n"
             "wf:\n"
             "  tasks:\n"
             "    a:\n"
             "      action: std.echo\n"
             "%s"
             "      on-success: [next]\n"
             "      on-error: [h]\n"
             "    next:\n"
             "      action: std.noop\n"
             "    h:\n"
             "      action: std.noop\n",
             policy);
    ct_define(c, yaml);
    ct_start(c, "wf", NULL);
}

static void
test_retry_runs_the_action_again_after_its_delay(void **state)
{
    ct_t *c = *state;
    s_task(c, "      retry:\n"
              "        count: 2\n"
              "        delay: 5\n");
    ct_log_clear(c);
    ct_fail(c, "a", "\"once\"");
    CT_LOG(c, "go a; a DELAYED; timer +5000");
    assert_string_equal(ct_task(c, NULL, "a")->state_info,
                        "Delayed by 'retry' policy [delay=5]");
    ct_tick(c, 4999);
    CT_LOG(c, "");
    ct_tick(c, 1);
    CT_LOG(c, "a RUNNING; dispatch a");
    ct_fail(c, "a", "\"twice\"");
    ct_tick(c, 5000);
    ct_finish(c, "a", "\"at last\"");
    const core_task_t *a = ct_task(c, NULL, "a");
    assert_int_equal(a->state, CORE_T_SUCCESS);
    assert_int_equal(a->retry_no, 2);
    assert_int_equal(ct_count(c, "a"), 1); // one task execution, 3 actions
    assert_int_equal(ct_open(c, "next"), 1);
}

static void
test_retry_gives_up_after_its_count(void **state)
{
    ct_t *c = *state;
    s_task(c, "      retry:\n"
              "        count: 1\n"
              "        delay: 0\n");
    ct_fail(c, "a", "\"one\"");
    ct_log_clear(c);
    ct_fail(c, "a", "\"two\"");
    CT_LOG(c, "go a; a ERROR; h RUNNING; dispatch h");
    assert_string_equal(ct_task(c, NULL, "a")->state_info, "two");
}

static void
test_wait_before_delays_the_start(void **state)
{
    ct_t *c = *state;
    s_task(c, "      wait-before: 3\n");
    CT_LOG(c, "(wf) RUNNING; a DELAYED; timer +3000");
    assert_int_equal(ct_open(c, "a"), 0);
    ct_tick(c, 3000);
    CT_LOG(c, "a RUNNING; dispatch a");
}

static void
test_wait_after_delays_what_follows(void **state)
{
    ct_t *c = *state;
    s_task(c, "      wait-after: 2\n");
    ct_log_clear(c);
    ct_finish(c, "a", NULL);
    CT_LOG(c, "go a; a DELAYED; timer +2000");
    ct_tick(c, 2000);
    CT_LOG(c, "a SUCCESS; next RUNNING; dispatch next");
}

static void
test_timeout_cancels_the_action_and_fails_the_task(void **state)
{
    ct_t *c = *state;
    s_task(c, "      timeout: 10\n");
    const ct_offer_t *a = ct_offer(c, "a");
    assert_int_equal(ct_confirm(c, a), SR_OK);
    ct_log_clear(c);
    ct_tick(c, 10000);
    CT_LOG(c, "cancel a; a ERROR; h RUNNING; dispatch h");
    assert_string_equal(ct_task(c, NULL, "a")->state_info,
                        "Task timed out [timeout(s)=10].");
    // The worker's late result changes nothing.
    assert_int_equal(ct_result(c, a, CORE_RESULT_SUCCESS, NULL), SR_OK);
    assert_int_equal(ct_task(c, NULL, "a")->state, CORE_T_ERROR);
}

static void
test_pause_before_pauses_the_workflow_until_resumed(void **state)
{
    ct_t *c = *state;
    s_task(c, "      pause-before: true\n");
    CT_LOG(c, "(wf) RUNNING; a PAUSED; (wf) PAUSED");
    assert_int_equal(ct_exec(c, NULL)->state, CORE_EX_PAUSED);
    assert_int_equal(ct_exec_event(c, CORE_EV_RESUME, NULL), SR_OK);
    CT_LOG(c, "(wf) RUNNING; a RUNNING; dispatch a");
}

static void
test_fail_on_turns_a_success_into_an_error(void **state)
{
    ct_t *c = *state;
    s_task(c, "      fail-on: <% task().result = 'bad' %>\n");
    ct_log_clear(c);
    ct_finish(c, "a", "\"bad\"");
    CT_LOG(c, "go a; a ERROR; h RUNNING; dispatch h");
    assert_string_equal(ct_task(c, NULL, "a")->state_info,
                        "Failed by 'fail-on' policy");
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, ct_setup, ct_teardown)
    const struct CMUnitTest tests[] = {
        T(test_retry_runs_the_action_again_after_its_delay),
        T(test_retry_gives_up_after_its_count),
        T(test_wait_before_delays_the_start),
        T(test_wait_after_delays_what_follows),
        T(test_timeout_cancels_the_action_and_fails_the_task),
        T(test_pause_before_pauses_the_workflow_until_resumed),
        T(test_fail_on_turns_a_success_into_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
