// Composition through the in-process driver: sub-workflows (output,
// failure, cancel and pause with the parent), ad-hoc actions (base,
// base-input, input defaults, output, chains) and reverse workflows
// (requires order, target checks).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "sim_test_util.h"

// A parent running `child` (whose single task runs `child_action`) from
// task `call`, with the child's output published as `got`.
static void
s_parent(t_sim_t *t, const char *child_action, const char *call_extra)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "version: '2.0'\n"
             "parent:\n"
             "  input:\n"
             "    - n: 3\n"
             "  tasks:\n"
             "    call:\n"
             "      workflow: child\n"
             "      input:\n"
             "        x: <%% $.n %%>\n"
             "        ignored: 1\n"
             "      publish:\n"
             "        got: <%% task().result %%>\n"
             "%s"
             "child:\n"
             "  input:\n"
             "    - x\n"
             "  output:\n"
             "    doubled: <%% $.d %%>\n"
             "  tasks:\n"
             "    inner:\n"
             "      action: %s\n"
             "      publish:\n"
             "        d: <%% task().result %%>\n",
             call_extra, child_action);
    t_define(t, yaml);
    t_start(t, "parent", NULL, NULL);
}

static void
test_a_sub_workflow_output_is_its_task_result(void **state)
{
    t_sim_t *t = *state;
    s_parent(t, "std.echo output=<% $.x * 2 %>", "");
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    assert_int_equal(ts.n, 1);
    T_JSON(t_task(&ts, "call")->published, "{\"got\": {\"doubled\": 6}}");
    T_JSON(e->output, "{\"got\": {\"doubled\": 6}}");
    sr_id_t cid = t_unit_id(t, "call", 0);
    core_exec_t *c = t_exec(t, &cid);
    assert_int_equal(c->state, CORE_EX_SUCCESS);
    assert_string_equal(c->wf_name, "child");
    assert_true(sr_id_equal(&c->parent_id, &t->id));
    assert_true(sr_id_equal(&c->root_id, &t->id));
    assert_int_equal(c->parent_seq, t_task(&ts, "call")->seq);
    T_JSON(c->input, "{\"x\": 3}"); // undeclared input is dropped
    T_JSON(c->output, "{\"doubled\": 6}");
    core_exec_destroy(&c);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_a_failing_sub_workflow_fails_its_parent_task(void **state)
{
    t_sim_t *t = *state;
    s_parent(t, "std.fail error_data=\"inner trouble\"", "");
    t_run(t);
    sr_id_t cid = t_unit_id(t, "call", 0);
    core_exec_t *c = t_exec(t, &cid);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(c->state, CORE_EX_ERROR);
    T_CONTAINS(c->state_info, "Failure caused by error in tasks: inner");
    assert_int_equal(e->state, CORE_EX_ERROR);
    const core_task_t *call = t_task(&ts, "call");
    assert_int_equal(call->state, CORE_T_ERROR);
    assert_string_equal(call->state_info, c->state_info);
    T_CONTAINS(e->state_info, "Failure caused by error in tasks: call");
    T_CONTAINS(e->state_info, "    [wf_ex_id=");
    t_tasks_free(&ts);
    core_exec_destroy(&e);
    core_exec_destroy(&c);
}

static void
test_on_error_handles_a_failing_sub_workflow(void **state)
{
    t_sim_t *t = *state;
    s_parent(t, "std.fail",
             "      on-error: rescue\n    rescue:\n"
             "      action: std.noop\n");
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    assert_int_equal(t_task(&ts, "call")->state, CORE_T_ERROR);
    assert_int_equal(t_task(&ts, "rescue")->state, CORE_T_SUCCESS);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_cancelling_the_parent_cancels_the_child(void **state)
{
    t_sim_t *t = *state;
    s_parent(t, "std.async_noop", "");
    t_run(t);
    sr_id_t cid = t_unit_id(t, "call", 0);
    core_exec_t *c = t_exec(t, &cid);
    assert_int_equal(c->state, CORE_EX_RUNNING);
    core_exec_destroy(&c);
    assert_int_equal(t_exec_event(t, CORE_EV_CANCEL, NULL), SR_OK);
    assert_int_equal(t_cmds(t, CORE_CMD_CANCEL), 1); // the child's delegate
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    c = t_exec(t, &cid);
    t_tasks_t ts = t_tasks(t, &t->id);
    t_tasks_t cts = t_tasks(t, &cid);
    assert_int_equal(e->state, CORE_EX_CANCELLED);
    assert_string_equal(e->state_info, "Workflow was cancelled.");
    assert_int_equal(t_task(&ts, "call")->state, CORE_T_CANCELLED);
    assert_int_equal(c->state, CORE_EX_CANCELLED);
    assert_int_equal(t_task(&cts, "inner")->state, CORE_T_CANCELLED);
    t_actions_t as = t_actions(t, &cid, UINT32_MAX);
    assert_int_equal(as.n, 1);
    assert_int_equal(as.items[0]->state, CORE_A_CANCELLED);
    t_actions_free(&as);
    t_tasks_free(&cts);
    t_tasks_free(&ts);
    core_exec_destroy(&c);
    core_exec_destroy(&e);
}

// A child whose start read task records (here through tasks() in a
// publish, which writes the batch's records so far) is still
// known to its parent's task: the parent's cancel reaches it.
static void
test_a_child_that_read_tasks_while_starting_is_still_cancelled(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "parent:\n"
                "  tasks:\n"
                "    call:\n"
                "      workflow: child\n"
                "child:\n"
                "  tasks:\n"
                "    look:\n"
                "      publish:\n"
                "        seen: <% len(tasks()) %>\n"
                "      on-success: wait\n"
                "    wait:\n"
                "      action: std.async_noop\n");
    t_start(t, "parent", NULL, NULL);
    t_run(t);
    sr_id_t cid = t_unit_id(t, "call", 0);
    assert_int_equal(t_exec_event(t, CORE_EV_CANCEL, NULL), SR_OK);
    t_run(t);
    core_exec_t *c = t_exec(t, &cid);
    assert_int_equal(c->state, CORE_EX_CANCELLED);
    core_exec_destroy(&c);
}

static void
test_pausing_the_parent_pauses_the_child_until_resumed(void **state)
{
    t_sim_t *t = *state;
    s_parent(t, "std.echo output=5 delay=2", "");
    t_step(t, 1); // the child's CONFIRM: its action sleeps
    sr_id_t cid = t_unit_id(t, "call", 0);
    assert_int_equal(t_exec_event(t, CORE_EV_PAUSE, "wait"), SR_OK);
    core_exec_t *c = t_exec(t, &cid);
    assert_int_equal(c->state, CORE_EX_PAUSED);
    core_exec_destroy(&c);
    t_run(t); // the child's action ends while paused
    c = t_exec(t, &cid);
    core_exec_t *e = t_exec(t, &t->id);
    assert_int_equal(c->state, CORE_EX_PAUSED);
    assert_int_equal(e->state, CORE_EX_PAUSED);
    core_exec_destroy(&c);
    core_exec_destroy(&e);
    assert_int_equal(t_exec_event(t, CORE_EV_RESUME, NULL), SR_OK);
    t_run(t);
    c = t_exec(t, &cid);
    e = t_exec(t, &t->id);
    assert_int_equal(c->state, CORE_EX_SUCCESS);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    T_JSON(e->output, "{\"got\": {\"doubled\": 5}}");
    core_exec_destroy(&c);
    core_exec_destroy(&e);
}

static const char *s_adhoc = "version: '2.0'\n"
                             "name: wb\n"
                             "workflows:\n"
                             "  main:\n"
                             "    tasks:\n"
                             "      t1:\n"
                             "        action: greet name=\"Ann\"\n"
                             "        publish: {g: <% task().result %>}\n"
                             "      t2:\n"
                             "        action: greet name=\"Bob\" punct=\"?\"\n"
                             "        publish: {h: <% task().result %>}\n"
                             "      t3:\n"
                             "        action: loud who=\"Zed\"\n"
                             "        publish: {l: <% task().result %>}\n"
                             "  missing:\n"
                             "    tasks:\n"
                             "      t1:\n"
                             "        action: greet\n"
                             "        on-error: handled\n"
                             "      handled:\n"
                             "        action: std.noop\n"
                             "actions:\n"
                             "  greet:\n"
                             "    base: std.echo\n"
                             "    base-input:\n"
                             "      output: Hello, <% $.name %><% $.punct %>\n"
                             "    input:\n"
                             "      - name\n"
                             "      - punct: '!'\n"
                             "    output:\n"
                             "      text: <% $ %>\n"
                             "      size: <% len($) %>\n"
                             "  loud:\n"
                             "    base: greet\n"
                             "    base-input:\n"
                             "      name: <% $.who %>\n"
                             "    input:\n"
                             "      - who\n"
                             "    output: <% $.text %> (<% $.size %>)\n";

static void
test_ad_hoc_actions_expand_to_their_base(void **state)
{
    t_sim_t *t = *state;
    t_define(t, s_adhoc);
    t_start(t, "wb.main", NULL, NULL);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    if (e->state != CORE_EX_SUCCESS)
        fail_msg("%s", e->state_info);
    T_JSON(t_task(&ts, "t1")->published,
           "{\"g\": {\"text\": \"Hello, Ann!\", \"size\": 11}}");
    T_JSON(t_task(&ts, "t2")->published,
           "{\"h\": {\"text\": \"Hello, Bob?\", \"size\": 11}}");
    T_JSON(t_task(&ts, "t3")->published, "{\"l\": \"Hello, Zed! (11)\"}");
    t_actions_t as = t_actions(t, &t->id, t_task(&ts, "t1")->seq);
    assert_int_equal(as.n, 1);
    assert_string_equal(as.items[0]->action, "std.echo");
    assert_string_equal(as.items[0]->adhoc, "wb.greet");
    T_JSON(as.items[0]->input, "{\"output\": \"Hello, Ann!\"}");
    t_actions_free(&as);
    as = t_actions(t, &t->id, t_task(&ts, "t3")->seq);
    assert_string_equal(as.items[0]->action, "std.echo");
    assert_string_equal(as.items[0]->adhoc, "wb.loud");
    t_actions_free(&as);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_an_ad_hoc_action_without_required_input_fails_its_task(void **state)
{
    t_sim_t *t = *state;
    t_define(t, s_adhoc);
    t_start(t, "wb.missing", NULL, NULL);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS); // on-error ran
    assert_int_equal(t_task(&ts, "t1")->state, CORE_T_ERROR);
    assert_string_equal(t_task(&ts, "t1")->state_info,
                        "action 'wb.greet': missing required input 'name'");
    assert_int_equal(t_task(&ts, "handled")->state, CORE_T_SUCCESS);
    t_actions_t as = t_actions(t, &t->id, t_task(&ts, "t1")->seq);
    assert_int_equal(as.n, 0);
    t_actions_free(&as);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_ad_hoc_actions_without_base_input_run_and_cycles_fail(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "name: cyc\n"
                "workflows:\n"
                "  main:\n"
                "    tasks:\n"
                "      t1:\n"
                "        action: ping\n"
                "      t2:\n"
                "        action: quiet\n"
                "actions:\n"
                "  ping:\n"
                "    base: pong\n"
                "  pong:\n"
                "    base: ping\n"
                "  quiet:\n"
                "    base: std.noop\n");
    t_start(t, "cyc.main", NULL, NULL);
    t_run(t);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(t_task(&ts, "t1")->state, CORE_T_ERROR);
    assert_string_equal(t_task(&ts, "t1")->state_info,
                        "action 'cyc.ping': ad-hoc actions nested deeper "
                        "than 16 (a cycle?)");
    // No base-input at all: the base runs with no input.
    assert_int_equal(t_task(&ts, "t2")->state, CORE_T_SUCCESS);
    t_tasks_free(&ts);
}

static const char *s_reverse = "version: '2.0'\n"
                               "rev:\n"
                               "  type: reverse\n"
                               "  tasks:\n"
                               "    a:\n"
                               "      action: std.echo output=\"a\"\n"
                               "      publish: {a: <% task().result %>}\n"
                               "    b:\n"
                               "      action: std.echo output=<% $.a %>b\n"
                               "      publish: {b: <% task().result %>}\n"
                               "      requires: [a]\n"
                               "    c:\n"
                               "      action: std.echo output=\"c\" delay=1\n"
                               "      publish: {c: <% task().result %>}\n"
                               "    d:\n"
                               "      action: std.echo output=<% $.b %><% "
                               "$.c %>d\n"
                               "      publish: {d: <% task().result %>}\n"
                               "      requires: [b, c]\n"
                               "    other:\n"
                               "      action: std.fail\n"
                               "      requires: [a]\n";

static void
test_a_reverse_workflow_runs_requirements_in_order(void **state)
{
    t_sim_t *t = *state;
    t_define(t, s_reverse);
    int64_t t0 = sim_now(t->sim);
    t_start(t, "rev", NULL, "d");
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    assert_int_equal(ts.n, 4); // `other` is not required
    // a and c start together at once; b after a; d after b and c.
    assert_string_equal(ts.items[0]->name, "a");
    assert_string_equal(ts.items[1]->name, "c");
    assert_string_equal(ts.items[2]->name, "b");
    assert_string_equal(ts.items[3]->name, "d");
    assert_int_equal(ts.items[0]->created_ms, t0);
    assert_int_equal(ts.items[1]->created_ms, t0);
    assert_int_equal(ts.items[2]->created_ms, t0);
    assert_int_equal(ts.items[3]->created_ms, t0 + 1000);
    T_JSON(t_task(&ts, "d")->published, "{\"d\": \"abcd\"}");
    T_JSON(e->output, "{\"a\": \"a\", \"b\": \"ab\", \"c\": \"c\", "
                      "\"d\": \"abcd\"}");
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_a_reverse_workflow_needs_a_known_target(void **state)
{
    t_sim_t *t = *state;
    t_define(t, s_reverse);
    sr_id_t id;
    assert_int_equal(sim_start(t->sim, "rev", NULL, NULL, NULL, &id, &t->err),
                     SR_EINVAL);
    T_CONTAINS(t->err.msg, "needs a target task");
    sr_value_t *params = t_json("{\"task_name\": \"zz\"}");
    assert_int_equal(sim_start(t->sim, "rev", NULL, NULL, params, &id, &t->err),
                     SR_EINVAL);
    T_CONTAINS(t->err.msg, "task 'zz' not found");
    sr_value_destroy(&params);
    // A failed requirement fails the workflow; its dependents never run.
    t_start(t, "rev", NULL, "other");
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_ERROR);
    T_CONTAINS(e->state_info, "Failure caused by error in tasks: other");
    assert_int_equal(ts.n, 2);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, t_setup, t_teardown)
    const struct CMUnitTest tests[] = {
        T(test_a_sub_workflow_output_is_its_task_result),
        T(test_a_failing_sub_workflow_fails_its_parent_task),
        T(test_on_error_handles_a_failing_sub_workflow),
        T(test_cancelling_the_parent_cancels_the_child),
        T(test_a_child_that_read_tasks_while_starting_is_still_cancelled),
        T(test_pausing_the_parent_pauses_the_child_until_resumed),
        T(test_ad_hoc_actions_expand_to_their_base),
        T(test_an_ad_hoc_action_without_required_input_fails_its_task),
        T(test_ad_hoc_actions_without_base_input_run_and_cycles_fail),
        T(test_a_reverse_workflow_runs_requirements_in_order),
        T(test_a_reverse_workflow_needs_a_known_target),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
