// Semantics of failure through the in-process driver: failing tasks with
// and without on-error, on-complete after an error, retry (count, delay on the
// virtual clock, break-on, continue-on), the timeout of a delegate, COMPLETE of
// a delegate, and joins with a failed branch. Each test runs a small inline
// workflow and asserts exact states.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "sim_test_util.h"

static void
test_an_unhandled_task_error_fails_the_workflow(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    task1:\n"
                "      action: std.fail error_data=\"boom\"\n"
                "      publish-on-error:\n"
                "        why: <% task().result %>\n"
                "      on-success: task2\n"
                "    task2:\n"
                "      action: std.noop\n");
    t_start(t, "wf", NULL, NULL);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_ERROR);
    assert_int_equal(ts.n, 1);
    const core_task_t *t1 = t_task(&ts, "task1");
    assert_int_equal(t1->state, CORE_T_ERROR);
    assert_string_equal(t1->state_info, "boom");
    T_JSON(t1->published, "{\"why\": \"boom\"}");
    T_CONTAINS(e->state_info, "Failure caused by error in tasks: task1\n\n"
                              "  task1 [task_ex_id=");
    T_CONTAINS(e->state_info, "] -> boom\n    [action_ex_id=");
    T_CONTAINS(e->state_info, ", idx=0]: boom\n");
    assert_string_equal(sr_value_map_str(e->output, "result"), e->state_info);
    T_JSON(sr_value_map_get(e->output, "why"), "\"boom\"");
    t_actions_t as = t_actions(t, &t->id, t1->seq);
    assert_int_equal(as.n, 1);
    assert_int_equal(as.items[0]->state, CORE_A_ERROR);
    T_JSON(as.items[0]->result, "\"boom\"");
    t_actions_free(&as);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_on_error_handles_a_task_error(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    task1:\n"
                "      action: std.fail error_data=\"boom\"\n"
                "      publish-on-error:\n"
                "        why: <% task().result %>\n"
                "      on-error:\n"
                "        - handle\n"
                "    handle:\n"
                "      action: std.echo output=<% $.why %>\n"
                "      publish:\n"
                "        seen: <% task().result %>\n");
    t_start(t, "wf", NULL, NULL);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    assert_null(e->state_info);
    assert_int_equal(ts.n, 2);
    assert_int_equal(t_task(&ts, "task1")->state, CORE_T_ERROR);
    assert_true(t_task(&ts, "task1")->handled);
    assert_int_equal(t_task(&ts, "handle")->state, CORE_T_SUCCESS);
    T_JSON(t_task(&ts, "handle")->published, "{\"seen\": \"boom\"}");
    T_JSON(e->output, "{\"why\": \"boom\", \"seen\": \"boom\"}");
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_an_on_error_whose_condition_is_false_leaves_the_error_unhandled(
    void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    task1:\n"
                "      action: std.fail\n"
                "      on-error:\n"
                "        - handle: <% false %>\n"
                "    handle:\n"
                "      action: std.noop\n");
    t_start(t, "wf", NULL, NULL);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_ERROR);
    assert_int_equal(ts.n, 1);
    assert_false(t_task(&ts, "task1")->handled);
    // Mistral names only tasks with no on-error clause at all.
    assert_string_equal(e->state_info, "Failure caused by error in tasks: \n");
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_on_complete_runs_after_on_error_when_a_task_fails(void **state)
{
    t_ran_t r = t_run_wf(*state, "version: '2.0'\n"
                                 "wf:\n"
                                 "  tasks:\n"
                                 "    task1:\n"
                                 "      action: std.fail\n"
                                 "      on-error: handle\n"
                                 "      on-complete: after\n"
                                 "    handle:\n"
                                 "      action: std.noop\n"
                                 "    after:\n"
                                 "      action: std.noop\n");
    assert_int_equal(r.e->state, CORE_EX_SUCCESS);
    assert_int_equal(r.ts.n, 3);
    const core_task_t *t1 = t_task(&r.ts, "task1");
    assert_int_equal(t1->state, CORE_T_ERROR);
    assert_true(t1->handled);
    T_JSON(t1->next, "[\"handle\", \"after\"]"); // on-error first
    assert_string_equal(r.ts.items[1]->name, "handle");
    assert_int_equal(r.ts.items[1]->state, CORE_T_SUCCESS);
    assert_string_equal(r.ts.items[2]->name, "after");
    assert_int_equal(r.ts.items[2]->state, CORE_T_SUCCESS);
    t_ran_free(&r);
}

static void
test_on_complete_alone_runs_after_an_error_without_handling_it(void **state)
{
    t_ran_t r = t_run_wf(*state, "version: '2.0'\n"
                                 "wf:\n"
                                 "  tasks:\n"
                                 "    task1:\n"
                                 "      action: std.fail\n"
                                 "      on-complete: after\n"
                                 "    after:\n"
                                 "      action: std.noop\n");
    assert_int_equal(r.ts.n, 2);
    const core_task_t *t1 = t_task(&r.ts, "task1");
    assert_int_equal(t1->state, CORE_T_ERROR);
    assert_false(t1->handled);
    T_JSON(t1->next, "[\"after\"]");
    assert_int_equal(t_task(&r.ts, "after")->state, CORE_T_SUCCESS);
    assert_int_equal(r.e->state, CORE_EX_ERROR);
    T_CONTAINS(r.e->state_info, "Failure caused by error in tasks: task1\n");
    t_ran_free(&r);
}

static void
test_retry_runs_count_more_times_with_delay_then_fails(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    task1:\n"
                "      action: std.fail error_data=\"nope\"\n"
                "      retry:\n"
                "        count: 3\n"
                "        delay: 2\n");
    int64_t t0 = sim_now(t->sim);
    t_start(t, "wf", NULL, NULL);
    // Until the first attempt failed: the task waits for its retry.
    t_tasks_t ts = {0};
    for (int i = 0; i < 10; i++) {
        t_step(t, 1);
        ts = t_tasks(t, &t->id);
        if (t_task(&ts, "task1")->state == CORE_T_DELAYED)
            break;
        t_tasks_free(&ts);
    }
    assert_int_equal(t_task(&ts, "task1")->state, CORE_T_DELAYED);
    assert_string_equal(t_task(&ts, "task1")->state_info,
                        "Delayed by 'retry' policy [delay=2]");
    assert_int_equal(t_task(&ts, "task1")->retry_no, 1);
    assert_int_equal(sim_now(t->sim), t0);
    t_tasks_free(&ts);
    t_run(t);
    // Three delays of 2 s on the virtual clock, nothing slept.
    assert_int_equal(sim_now(t->sim) - t0, 6000);
    core_exec_t *e = t_exec(t, &t->id);
    ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_ERROR);
    assert_int_equal(ts.n, 1);
    const core_task_t *t1 = t_task(&ts, "task1");
    assert_int_equal(t1->state, CORE_T_ERROR);
    assert_string_equal(t1->state_info, "nope");
    assert_int_equal(t1->retry_no, 3);
    t_actions_t as = t_actions(t, &t->id, t1->seq);
    assert_int_equal(as.n, 4);
    for (size_t i = 0; i < as.n; i++) {
        assert_int_equal(as.items[i]->state, CORE_A_ERROR);
        assert_int_equal(as.items[i]->created_ms, t0 + 2000 * (int64_t)i);
    }
    t_actions_free(&as);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

// One task `task1` with `retry` lines, on-success to `after`.
static void
s_retry_case(t_sim_t *t, const char *action, const char *retry_lines)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "version: '2.0'\n"
             "wf:\n"
             "  tasks:\n"
             "    task1:\n"
             "      action: %s\n"
             "      retry:\n"
             "%s"
             "      on-success: after\n"
             "    after:\n"
             "      action: std.noop\n",
             action, retry_lines);
    t_define(t, yaml);
    t_start(t, "wf", NULL, NULL);
    t_run(t);
}

static size_t
s_attempts(t_sim_t *t, const char *task)
{
    t_tasks_t ts = t_tasks(t, &t->id);
    t_actions_t as = t_actions(t, &t->id, t_task(&ts, task)->seq);
    size_t n = as.n;
    t_actions_free(&as);
    t_tasks_free(&ts);
    return n;
}

static void
test_break_on_stops_retrying_at_once(void **state)
{
    t_sim_t *t = *state;
    int64_t t0 = sim_now(t->sim);
    s_retry_case(t, "std.fail error_data=\"fatal\"",
                 "        count: 5\n"
                 "        delay: 1\n"
                 "        break-on: <% task().result = 'fatal' %>\n");
    assert_int_equal(s_attempts(t, "task1"), 1);
    assert_int_equal(sim_now(t->sim), t0);
    core_exec_t *e = t_exec(t, &t->id);
    assert_int_equal(e->state, CORE_EX_ERROR);
    core_exec_destroy(&e);
}

static void
test_a_false_break_on_lets_every_retry_run(void **state)
{
    t_sim_t *t = *state;
    s_retry_case(t, "std.fail error_data=\"transient\"",
                 "        count: 2\n"
                 "        delay: 1\n"
                 "        break-on: <% task().result = 'fatal' %>\n");
    assert_int_equal(s_attempts(t, "task1"), 3);
}

static void
test_continue_on_repeats_a_successful_task(void **state)
{
    t_sim_t *t = *state;
    int64_t t0 = sim_now(t->sim);
    s_retry_case(t, "std.echo output=\"again\"",
                 "        count: 2\n"
                 "        delay: 1\n"
                 "        continue-on: <% task().result = 'again' %>\n");
    assert_int_equal(s_attempts(t, "task1"), 3);
    assert_int_equal(sim_now(t->sim) - t0, 2000);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    assert_int_equal(t_task(&ts, "task1")->state, CORE_T_SUCCESS);
    assert_int_equal(t_task(&ts, "task1")->retry_no, 2);
    T_JSON(t_task(&ts, "task1")->result, "\"again\"");
    assert_int_equal(t_count(&ts, "after"), 1);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_a_false_continue_on_stops_retrying_an_error(void **state)
{
    t_sim_t *t = *state;
    s_retry_case(t, "std.fail",
                 "        count: 4\n"
                 "        delay: 1\n"
                 "        continue-on: <% false %>\n");
    assert_int_equal(s_attempts(t, "task1"), 1);
}

static void
test_a_timed_out_delegate_fails_its_task_and_on_error_runs(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    task1:\n"
                "      action: std.async_noop\n"
                "      timeout: 2\n"
                "      on-error:\n"
                "        - task2\n"
                "    task2:\n"
                "      action: std.echo output=\"handled\"\n");
    int64_t t0 = sim_now(t->sim);
    t_start(t, "wf", NULL, NULL);
    t_run(t);
    assert_int_equal(sim_now(t->sim) - t0, 2000);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    const core_task_t *t1 = t_task(&ts, "task1");
    assert_int_equal(t1->state, CORE_T_ERROR);
    assert_string_equal(t1->state_info, "Task timed out [timeout(s)=2].");
    assert_int_equal(t_task(&ts, "task2")->state, CORE_T_SUCCESS);
    t_actions_t as = t_actions(t, &t->id, t1->seq);
    assert_int_equal(as.n, 1);
    assert_int_equal(as.items[0]->state, CORE_A_CANCELLED);
    assert_int_equal(as.items[0]->deadline_ms, t0 + 2000);
    sr_id_t aid = as.items[0]->id;
    t_actions_free(&as);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
    // A late completion of the cancelled delegate is refused and changes
    // nothing.
    assert_int_equal(t_complete(t, &aid, true, "1"), SR_ESTATE);
    t_run(t);
    e = t_exec(t, &t->id);
    ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    assert_int_equal(ts.n, 2);
    assert_int_equal(t_task(&ts, "task1")->state, CORE_T_ERROR);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

// Start `task1: std.async_noop` (publishing its result, then `next`) and
// run until only the delegate is left; returns its action id.
static sr_id_t
s_delegate(t_sim_t *t)
{
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    task1:\n"
                "      action: std.async_noop\n"
                "      publish:\n"
                "        got: <% task().result %>\n"
                "      on-success: next\n"
                "    next:\n"
                "      action: std.noop\n");
    t_start(t, "wf", NULL, NULL);
    t_run(t);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(ts.n, 1);
    assert_int_equal(t_task(&ts, "task1")->state, CORE_T_RUNNING);
    t_actions_t as = t_actions(t, &t->id, UINT32_MAX);
    assert_int_equal(as.n, 1);
    assert_int_equal(as.items[0]->state, CORE_A_PENDING);
    sr_id_t id = as.items[0]->id;
    t_actions_free(&as);
    t_tasks_free(&ts);
    core_exec_t *e = t_exec(t, &t->id);
    assert_int_equal(e->state, CORE_EX_RUNNING);
    core_exec_destroy(&e);
    return id;
}

static void
test_complete_finishes_a_delegate_with_its_result(void **state)
{
    t_sim_t *t = *state;
    sr_id_t id = s_delegate(t);
    assert_int_equal(t_complete(t, &id, true, "{\"k\": 1}"), SR_OK);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    assert_int_equal(t_task(&ts, "task1")->state, CORE_T_SUCCESS);
    T_JSON(t_task(&ts, "task1")->published, "{\"got\": {\"k\": 1}}");
    assert_int_equal(t_task(&ts, "next")->state, CORE_T_SUCCESS);
    t_tasks_free(&ts);
    // A second completion is refused (ESTATE) and changes nothing.
    assert_int_equal(t_complete(t, &id, false, "\"late\""), SR_ESTATE);
    ts = t_tasks(t, &t->id);
    assert_int_equal(ts.n, 2);
    assert_int_equal(t_task(&ts, "task1")->state, CORE_T_SUCCESS);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_complete_with_an_error_fails_the_delegate_task(void **state)
{
    t_sim_t *t = *state;
    sr_id_t id = s_delegate(t);
    assert_int_equal(t_complete(t, &id, false, "{\"code\": 42}"), SR_OK);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_ERROR);
    assert_int_equal(ts.n, 1);
    const core_task_t *t1 = t_task(&ts, "task1");
    assert_int_equal(t1->state, CORE_T_ERROR);
    assert_string_equal(t1->state_info, "{'code': 42}");
    T_JSON(t1->result, "{\"code\": 42}");
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_complete_is_refused_when_pending_or_unknown(void **state)
{
    t_sim_t *t = *state;
    sr_id_t id = s_delegate(t);
    sr_value_t *nil = sr_value_new_nil();
    assert_int_equal(t_apply(t, (core_event_t){.kind = CORE_EV_COMPLETE,
                                               .action_id = id,
                                               .status = CORE_RESULT_PENDING,
                                               .output = nil}),
                     SR_EINVAL);
    sr_value_destroy(&nil);
    sr_id_t other;
    sr_id_make(0, sim_now(t->sim), &other);
    assert_int_equal(t_complete(t, &other, true, NULL), SR_ENOTFOUND);
    T_CONTAINS(t->err.msg, "not found");
    t_actions_t as = t_actions(t, &t->id, UINT32_MAX);
    assert_int_equal(as.items[0]->state, CORE_A_PENDING);
    t_actions_free(&as);
}

static void
test_a_join_with_a_failed_branch_fails(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    a:\n"
                "      action: std.noop\n"
                "      on-success: joined\n"
                "    b:\n"
                "      action: std.fail\n"
                "      on-success: joined\n"
                "    joined:\n"
                "      join: all\n"
                "      action: std.noop\n");
    t_start(t, "wf", NULL, NULL);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_ERROR);
    assert_int_equal(ts.n, 3);
    assert_int_equal(t_task(&ts, "a")->state, CORE_T_SUCCESS);
    assert_int_equal(t_task(&ts, "b")->state, CORE_T_ERROR);
    const core_task_t *j = t_task(&ts, "joined");
    assert_int_equal(j->state, CORE_T_ERROR);
    assert_string_equal(j->state_info, "Failed by tasks: ['b']");
    T_CONTAINS(e->state_info, "Failure caused by error in tasks: b, joined");
    t_actions_t as = t_actions(t, &t->id, j->seq);
    assert_int_equal(as.n, 0); // the join never ran its action
    t_actions_free(&as);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_a_join_reached_through_on_error_runs(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    a:\n"
                "      action: std.echo output=1\n"
                "      publish: {x: <% task().result %>}\n"
                "      on-success: joined\n"
                "    b:\n"
                "      action: std.fail\n"
                "      publish-on-error: {y: 2}\n"
                "      on-error: joined\n"
                "    joined:\n"
                "      join: all\n"
                "      action: std.echo output=<% $.x + $.y %>\n"
                "      publish: {sum: <% task().result %>}\n");
    t_start(t, "wf", NULL, NULL);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    assert_int_equal(ts.n, 3);
    T_JSON(t_task(&ts, "joined")->published, "{\"sum\": 3}");
    T_JSON(e->output, "{\"x\": 1, \"y\": 2, \"sum\": 3}");
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, t_setup, t_teardown)
    const struct CMUnitTest tests[] = {
        T(test_an_unhandled_task_error_fails_the_workflow),
        T(test_on_error_handles_a_task_error),
        T(test_an_on_error_whose_condition_is_false_leaves_the_error_unhandled),
        T(test_on_complete_runs_after_on_error_when_a_task_fails),
        T(test_on_complete_alone_runs_after_an_error_without_handling_it),
        T(test_retry_runs_count_more_times_with_delay_then_fails),
        T(test_break_on_stops_retrying_at_once),
        T(test_a_false_break_on_lets_every_retry_run),
        T(test_continue_on_repeats_a_successful_task),
        T(test_a_false_continue_on_stops_retrying_an_error),
        T(test_a_timed_out_delegate_fails_its_task_and_on_error_runs),
        T(test_complete_finishes_a_delegate_with_its_result),
        T(test_complete_with_an_error_fails_the_delegate_task),
        T(test_complete_is_refused_when_pending_or_unknown),
        T(test_a_join_with_a_failed_branch_fails),
        T(test_a_join_reached_through_on_error_runs),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
