// Engine commands in transitions (fail, succeed, pause) and the operations
// a person applies (pause, resume, cancel, rerun), alone.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>

#include "core_test_util.h"

// Task a (std.echo) with the transition lines `on`, and b and c, which
// only a's transitions reach.
static void
s_with(ct_t *c, const char *on)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "version: '2.0'\n"
             "wf:\n"
             "  input:\n"
             "    - why: later\n"
             "  tasks:\n"
             "    a:\n"
             "      action: std.echo\n"
             "%s"
             "      on-complete:\n"
             "        - b: <%% false %%>\n"
             "        - c: <%% false %%>\n"
             "    b:\n"
             "      action: std.noop\n"
             "    c:\n"
             "      action: std.noop\n",
             on);
    ct_define(c, yaml);
    ct_start(c, "wf", NULL);
    ct_log_clear(c);
}

static void
test_fail_ends_the_workflow_and_the_list(void **state)
{
    ct_t *c = *state;
    s_with(c, "      on-success:\n"
              "        - b\n"
              "        - fail(msg='stopped at <% $.why %>')\n"
              "        - c\n");
    ct_finish(c, "a", NULL);
    // Tasks chosen before the command still start; none after it.
    CT_LOG(c, "go a; a SUCCESS; (wf) ERROR; b RUNNING; dispatch b");
    const core_exec_t *e = ct_exec(c, NULL);
    assert_string_equal(e->state_info, "stopped at later");
    CT_JSON(e->output, "{\"result\": \"stopped at later\"}");
    assert_int_equal(ct_count(c, "c"), 0);
}

static void
test_succeed_ends_a_failing_workflow_well(void **state)
{
    ct_t *c = *state;
    s_with(c, "      on-error:\n"
              "        - succeed\n");
    ct_fail(c, "a", "\"boom\"");
    CT_LOG(c, "go a; a ERROR; (wf) SUCCESS");
}

static void
test_pause_keeps_what_follows_it_for_the_resume(void **state)
{
    ct_t *c = *state;
    s_with(c, "      on-success:\n"
              "        - b\n"
              "        - pause\n"
              "        - c\n");
    ct_finish(c, "a", NULL);
    CT_LOG(c, "go a; a SUCCESS; (wf) PAUSED");
    // b is held until the resume; c is kept in a's backlog.
    assert_true(ct_task(c, NULL, "b")->held);
    assert_int_equal(ct_count(c, "c"), 0);
    assert_non_null(ct_task(c, NULL, "a")->backlog);
    assert_int_equal(ct_exec_event(c, CORE_EV_RESUME, NULL), SR_OK);
    // In task order: a's backlog first, then the held b.
    CT_LOG(c, "(wf) RUNNING; c RUNNING; dispatch c; b RUNNING; dispatch b");
}

static void
test_a_task_ending_while_paused_goes_on_at_the_resume(void **state)
{
    ct_t *c = *state;
    s_with(c, "      on-success: [b]\n");
    assert_int_equal(ct_exec_event(c, CORE_EV_PAUSE, "hold on"), SR_OK);
    CT_LOG(c, "(wf) PAUSED");
    assert_int_equal(ct_exec_event(c, CORE_EV_PAUSE, NULL), SR_ESTATE);
    // The running action may end; its transitions wait.
    ct_finish(c, "a", NULL);
    CT_LOG(c, "go a; a SUCCESS");
    assert_false(ct_task(c, NULL, "a")->processed);
    assert_int_equal(ct_exec_event(c, CORE_EV_RESUME, NULL), SR_OK);
    CT_LOG(c, "(wf) RUNNING; b RUNNING; dispatch b");
}

static void
test_cancel_stops_the_running_actions(void **state)
{
    ct_t *c = *state;
    s_with(c, "      on-success: [b]\n");
    assert_int_equal(ct_confirm(c, ct_offer(c, "a")), SR_OK);
    ct_log_clear(c);
    assert_int_equal(ct_exec_event(c, CORE_EV_CANCEL, NULL), SR_OK);
    CT_LOG(c, "cancel a; a CANCELLED; (wf) CANCELLED");
    const core_exec_t *e = ct_exec(c, NULL);
    assert_string_equal(e->state_info, "Workflow was cancelled.");
    assert_int_equal(ct_exec_event(c, CORE_EV_CANCEL, NULL), SR_ESTATE);
}

static void
test_rerun_runs_a_failed_task_again(void **state)
{
    ct_t *c = *state;
    s_with(c, "      on-success: [b]\n");
    ct_fail(c, "a", "\"boom\"");
    assert_int_equal(ct_exec(c, NULL)->state, CORE_EX_ERROR);
    ct_log_clear(c);
    assert_int_equal(ct_apply(c, (core_event_t){.kind = CORE_EV_RERUN,
                                                .exec_id = c->id,
                                                .task_name = "a"}),
                     SR_OK);
    CT_LOG(c, "(wf) RUNNING; a RUNNING; dispatch a");
    ct_finish(c, "a", NULL);
    ct_finish(c, "b", NULL);
    assert_int_equal(ct_exec(c, NULL)->state, CORE_EX_SUCCESS);
    assert_int_equal(ct_count(c, "a"), 1);
    // Only a failed or cancelled execution reruns a task.
    assert_int_equal(ct_apply(c, (core_event_t){.kind = CORE_EV_RERUN,
                                                .exec_id = c->id,
                                                .task_name = "a"}),
                     SR_ESTATE);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, ct_setup, ct_teardown)
    const struct CMUnitTest tests[] = {
        T(test_fail_ends_the_workflow_and_the_list),
        T(test_succeed_ends_a_failing_workflow_well),
        T(test_pause_keeps_what_follows_it_for_the_resume),
        T(test_a_task_ending_while_paused_goes_on_at_the_resume),
        T(test_cancel_stops_the_running_actions),
        T(test_rerun_runs_a_failed_task_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
