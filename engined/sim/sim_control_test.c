// Operations on running executions through the in-process driver: the
// engine commands fail / succeed / pause, pause and resume with results
// arriving while paused, and rerun of a failed task (with and without
// resetting with-items).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sim_test_util.h"

// A one-task workflow whose task1 (`action`) has the transition `clause`.
static core_exec_t *
s_command(t_sim_t *t, const char *action, const char *clause)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "version: '2.0'\n"
             "wf:\n"
             "  input:\n"
             "    - x: 2\n"
             "  tasks:\n"
             "    task1:\n"
             "      action: %s\n"
             "%s"
             "    task2:\n"
             "      action: std.echo output=\"two\"\n",
             action, clause);
    t_define(t, yaml);
    t_start(t, "wf", NULL, NULL);
    t_run(t);
    return t_exec(t, &t->id);
}

static void
test_fail_command_fails_the_workflow_with_its_message(void **state)
{
    t_sim_t *t = *state;
    core_exec_t *e = s_command(t, "std.noop",
                               "      on-success:\n"
                               "        - fail(msg='stopped at <% $.x %>')\n"
                               "        - task2\n");
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_ERROR);
    assert_string_equal(e->state_info, "stopped at 2");
    T_JSON(e->output, "{\"result\": \"stopped at 2\"}");
    assert_int_equal(ts.n, 1); // nothing after the command starts
    assert_int_equal(t_task(&ts, "task1")->state, CORE_T_SUCCESS);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_succeed_command_ends_a_failed_workflow_well(void **state)
{
    t_sim_t *t = *state;
    core_exec_t *e = s_command(t, "std.fail",
                               "      on-error:\n"
                               "        - succeed(msg='good enough')\n"
                               "        - task2\n");
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    assert_string_equal(e->state_info, "good enough");
    assert_int_equal(ts.n, 1);
    assert_int_equal(t_task(&ts, "task1")->state, CORE_T_ERROR);
    assert_true(t_task(&ts, "task1")->handled);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_pause_command_pauses_and_resume_runs_what_follows(void **state)
{
    t_sim_t *t = *state;
    core_exec_t *e = s_command(t, "std.noop",
                               "      on-success:\n"
                               "        - pause(msg='look first')\n"
                               "        - task2\n");
    assert_int_equal(e->state, CORE_EX_PAUSED);
    assert_string_equal(e->state_info, "look first");
    core_exec_destroy(&e);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(ts.n, 1); // task2 waits in the backlog
    t_tasks_free(&ts);
    assert_int_equal(t_exec_event(t, CORE_EV_RESUME, NULL), SR_OK);
    t_run(t);
    e = t_exec(t, &t->id);
    ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    assert_null(e->state_info);
    assert_int_equal(ts.n, 2);
    assert_int_equal(t_task(&ts, "task2")->state, CORE_T_SUCCESS);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_a_command_after_a_pause_runs_on_resume(void **state)
{
    t_sim_t *t = *state;
    core_exec_t *e = s_command(t, "std.noop",
                               "      on-complete:\n"
                               "        - pause\n"
                               "        - fail(msg='failed on resume')\n"
                               "        - task2\n");
    assert_int_equal(e->state, CORE_EX_PAUSED);
    assert_null(e->state_info);
    core_exec_destroy(&e);
    assert_int_equal(t_exec_event(t, CORE_EV_RESUME, NULL), SR_OK);
    t_run(t);
    e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_ERROR);
    assert_string_equal(e->state_info, "failed on resume");
    assert_int_equal(ts.n, 1);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

// Step until `n` action executions of t->id are RUNNING on the worker.
static void
s_until_running(t_sim_t *t, size_t n)
{
    for (int i = 0; i < 50; i++) {
        t_actions_t as = t_actions(t, &t->id, UINT32_MAX);
        size_t running = 0;
        for (size_t j = 0; j < as.n; j++)
            running += as.items[j]->state == CORE_A_RUNNING;
        t_actions_free(&as);
        if (running == n)
            return;
        t_step(t, 1);
    }
    fail_msg("never %zu actions running", n);
}

static void
test_results_while_paused_apply_but_nothing_new_starts(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    slow:\n"
                "      action: std.echo output=\"s\" delay=2\n"
                "      publish: {s: <% task().result %>}\n"
                "      on-success: after_slow\n"
                "    quick:\n"
                "      action: std.echo output=\"q\" delay=1\n"
                "      on-success: after_quick\n"
                "    after_slow:\n"
                "      action: std.echo output=<% $.s %>\n"
                "    after_quick:\n"
                "      action: std.noop\n");
    t_start(t, "wf", NULL, NULL);
    s_until_running(t, 2);
    assert_int_equal(t_exec_event(t, CORE_EV_PAUSE, "hold"), SR_OK);
    assert_int_equal(t_exec_event(t, CORE_EV_PAUSE, NULL), SR_ESTATE);
    t_run(t); // both results arrive while paused
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_PAUSED);
    assert_string_equal(e->state_info, "hold");
    assert_int_equal(ts.n, 2);
    assert_int_equal(t_task(&ts, "slow")->state, CORE_T_SUCCESS);
    T_JSON(t_task(&ts, "slow")->published, "{\"s\": \"s\"}");
    assert_false(t_task(&ts, "slow")->processed);
    assert_int_equal(t_task(&ts, "quick")->state, CORE_T_SUCCESS);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
    assert_int_equal(t_exec_event(t, CORE_EV_RESUME, NULL), SR_OK);
    assert_int_equal(t_cmds(t, CORE_CMD_DISPATCH), 2);
    assert_int_equal(t_exec_event(t, CORE_EV_RESUME, NULL), SR_ESTATE);
    t_run(t);
    e = t_exec(t, &t->id);
    ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    assert_null(e->state_info);
    assert_int_equal(ts.n, 4);
    T_JSON(t_task(&ts, "after_slow")->result, "\"s\"");
    assert_int_equal(t_task(&ts, "after_quick")->state, CORE_T_SUCCESS);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_paused_with_items_start_no_new_item_until_resumed(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    task1:\n"
                "      with-items: x in [1, 2, 3, 4]\n"
                "      concurrency: 2\n"
                "      action: std.echo output=<% $.x %> delay=1\n");
    t_start(t, "wf", NULL, NULL);
    s_until_running(t, 2);
    assert_int_equal(t_exec_event(t, CORE_EV_PAUSE, NULL), SR_OK);
    t_run(t);
    t_tasks_t ts = t_tasks(t, &t->id);
    const core_task_t *t1 = t_task(&ts, "task1");
    assert_int_equal(t1->state, CORE_T_RUNNING);
    assert_int_equal(t_units(t1, CORE_U_SUCCESS), 2);
    assert_int_equal(t_units(t1, CORE_U_PENDING), 2);
    t_actions_t as = t_actions(t, &t->id, UINT32_MAX);
    assert_int_equal(as.n, 2);
    t_actions_free(&as);
    t_tasks_free(&ts);
    assert_int_equal(t_exec_event(t, CORE_EV_RESUME, NULL), SR_OK);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    T_JSON(t_task(&ts, "task1")->result, "[1, 2, 3, 4]");
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_rerun_of_a_failed_task_continues_the_workflow(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    task1:\n"
                "      action: std.async_noop\n"
                "      publish: {r: <% task().result %>}\n"
                "      on-success: task2\n"
                "    task2:\n"
                "      action: std.echo output=<% $.r %>\n");
    t_start(t, "wf", NULL, NULL);
    t_run(t);
    assert_int_equal(t_rerun(t, "task1", false), SR_ESTATE); // still running
    sr_id_t first = t_unit_id(t, "task1", 0);
    assert_int_equal(t_complete(t, &first, false, "\"broken\""), SR_OK);
    core_exec_t *e = t_exec(t, &t->id);
    assert_int_equal(e->state, CORE_EX_ERROR);
    core_exec_destroy(&e);
    assert_int_equal(t_rerun(t, "nosuch", false), SR_ENOTFOUND);
    assert_int_equal(t_rerun(t, "task1", false), SR_OK);
    assert_int_equal(t_cmds(t, CORE_CMD_DISPATCH), 1);
    e = t_exec(t, &t->id);
    assert_int_equal(e->state, CORE_EX_RUNNING);
    assert_null(e->state_info);
    core_exec_destroy(&e);
    t_run(t);
    sr_id_t second = t_unit_id(t, "task1", 0);
    assert_false(sr_id_equal(&first, &second));
    assert_int_equal(t_complete(t, &second, true, "\"fixed\""), SR_OK);
    t_run(t);
    e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    assert_int_equal(ts.n, 2); // the same task execution ran again
    assert_int_equal(t_task(&ts, "task1")->state, CORE_T_SUCCESS);
    assert_null(t_task(&ts, "task1")->state_info);
    T_JSON(t_task(&ts, "task2")->result, "\"fixed\"");
    t_actions_t as = t_actions(t, &t->id, t_task(&ts, "task1")->seq);
    assert_int_equal(as.n, 2);
    t_actions_free(&as);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
    assert_int_equal(t_rerun(t, "task1", false), SR_ESTATE); // succeeded
}

// with-items over three delegates; item 1 fails, the others give "a", "c".
static void
s_items_with_a_failure(t_sim_t *t)
{
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    task1:\n"
                "      with-items: x in [1, 2, 3]\n"
                "      action: std.async_noop\n");
    t_start(t, "wf", NULL, NULL);
    t_run(t);
    const char *out[] = {"\"a\"", "\"bad\"", "\"c\""};
    for (uint32_t i = 0; i < 3; i++) {
        sr_id_t id = t_unit_id(t, "task1", i);
        assert_int_equal(t_complete(t, &id, i != 1, out[i]), SR_OK);
    }
    core_exec_t *e = t_exec(t, &t->id);
    assert_int_equal(e->state, CORE_EX_ERROR);
    core_exec_destroy(&e);
}

// Complete every unit of task1 still RUNNING with `"<prefix><index>"`.
static size_t
s_complete_running(t_sim_t *t, const char *prefix)
{
    t_tasks_t ts = t_tasks(t, &t->id);
    const core_task_t *t1 = t_task(&ts, "task1");
    size_t len = 0;
    const uint8_t *units = sr_value_bin(t1->units, &len);
    uint32_t n = t1->n_units;
    bool running[8] = {false};
    for (uint32_t i = 0; i < n && i < len && i < 8; i++)
        running[i] = units[i] == CORE_U_RUNNING;
    t_tasks_free(&ts);
    size_t done = 0;
    for (uint32_t i = 0; i < n && i < 8; i++) {
        if (!running[i])
            continue;
        char json[32];
        snprintf(json, sizeof json, "\"%s%u\"", prefix, i);
        sr_id_t id = t_unit_id(t, "task1", i);
        assert_int_equal(t_complete(t, &id, true, json), SR_OK);
        done++;
    }
    return done;
}

static void
test_rerun_without_reset_runs_only_the_failed_items(void **state)
{
    t_sim_t *t = *state;
    s_items_with_a_failure(t);
    assert_int_equal(t_rerun(t, "task1", false), SR_OK);
    assert_int_equal(t_cmds(t, CORE_CMD_DISPATCH), 1);
    t_run(t);
    assert_int_equal(s_complete_running(t, "new"), 1);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    T_JSON(t_task(&ts, "task1")->result, "[\"a\", \"new1\", \"c\"]");
    t_actions_t as = t_actions(t, &t->id, UINT32_MAX);
    assert_int_equal(as.n, 4);
    t_actions_free(&as);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_rerun_with_reset_runs_every_item_again(void **state)
{
    t_sim_t *t = *state;
    s_items_with_a_failure(t);
    assert_int_equal(t_rerun(t, "task1", true), SR_OK);
    assert_int_equal(t_cmds(t, CORE_CMD_DISPATCH), 3);
    t_run(t);
    assert_int_equal(s_complete_running(t, "new"), 3);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    T_JSON(t_task(&ts, "task1")->result, "[\"new0\", \"new1\", \"new2\"]");
    t_actions_t as = t_actions(t, &t->id, UINT32_MAX);
    assert_int_equal(as.n, 6);
    t_actions_free(&as);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, t_setup, t_teardown)
    const struct CMUnitTest tests[] = {
        T(test_fail_command_fails_the_workflow_with_its_message),
        T(test_succeed_command_ends_a_failed_workflow_well),
        T(test_pause_command_pauses_and_resume_runs_what_follows),
        T(test_a_command_after_a_pause_runs_on_resume),
        T(test_results_while_paused_apply_but_nothing_new_starts),
        T(test_paused_with_items_start_no_new_item_until_resumed),
        T(test_rerun_of_a_failed_task_continues_the_workflow),
        T(test_rerun_without_reset_runs_only_the_failed_items),
        T(test_rerun_with_reset_runs_every_item_again),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
