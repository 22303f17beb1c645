// Tests of a worker node's action flow against a fake engine over ipc://:
// READY's fields, TASK -> CONFIRM -> GO -> RESULT -> ACK, HALT, credit and
// slots, results of every status, inline actions (no action thread), and
// the checks of the configuration.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "wrk_node_test_util.h"

static void
ready_names_the_worker_its_slots_actions_and_target(void **state)
{
    nt_env_t *env = *state;
    const char *actions[] = {"std.*", "my.action"};
    env->cfg.actions = actions;
    env->cfg.n_actions = 2;
    env->cfg.target = "blue";
    nt_start(env);
    sr_msg_t *ready = fe_expect(&env->fe, SR_MSG_READY);
    assert_string_equal(sr_msg_str(ready, SR_F_READY_worker), "w1");
    assert_int_equal(sr_msg_int(ready, SR_F_READY_slots, 0), 2);
    nt_assert_field_json(ready, SR_F_READY_actions,
                         "[\"std.*\",\"my.action\"]");
    assert_string_equal(sr_msg_str(ready, SR_F_READY_target), "blue");
    assert_int_equal(sr_msg_int(ready, SR_F_READY_pid, 0), getpid());
    assert_true(sr_msg_has(ready, SR_F_READY_host));
    sr_msg_destroy(&ready);
    assert_string_equal(wrk_node_name(env->node), "w1");
}

static void
ready_without_actions_offers_everything_and_names_host_and_pid(void **state)
{
    nt_env_t *env = *state;
    env->cfg.name = NULL;
    nt_start(env);
    sr_msg_t *ready = fe_expect(&env->fe, SR_MSG_READY);
    assert_false(sr_msg_has(ready, SR_F_READY_actions));
    assert_false(sr_msg_has(ready, SR_F_READY_target));
    char suffix[32];
    snprintf(suffix, sizeof suffix, ":%d", (int)getpid());
    const char *name = sr_msg_str(ready, SR_F_READY_worker);
    assert_non_null(strstr(name, suffix));
    assert_string_equal(wrk_node_name(env->node), name);
    sr_msg_destroy(&ready);
}

static void
echo_goes_task_confirm_go_result_ack(void **state)
{
    nt_env_t *env = *state;
    nt_start_ready(env);
    sr_msg_t *result =
        nt_run(env, "std.echo", "{\"output\": {\"a\": [1, 2]}}", "success");
    nt_assert_field_json(result, SR_F_RESULT_output, "{\"a\":[1,2]}");
    assert_false(sr_msg_has(result, SR_F_RESULT_error));
    sr_msg_destroy(&result);
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.acks == 1 && st.unacked == 0);
    assert_int_equal(st.tasks, 1);
    assert_int_equal(st.results, 1);
    assert_int_equal(st.resends, 0);
    assert_int_equal(st.refused, 0);
}

static void
action_errors_become_error_results(void **state)
{
    nt_env_t *env = *state;
    nt_start_ready(env);
    sr_msg_t *r = nt_run(env, "std.fail", NULL, "error");
    nt_assert_field_json(r, SR_F_RESULT_error,
                         "\"Fail action expected exception.\"");
    assert_false(sr_msg_has(r, SR_F_RESULT_output));
    sr_msg_destroy(&r);
    // error data that is not text: its JSON as text, the value as output
    r = nt_run(env, "std.fail", "{\"error_data\": {\"code\": 42}}", "error");
    nt_assert_field_json(r, SR_F_RESULT_error, "\"{\\\"code\\\":42}\"");
    nt_assert_field_json(r, SR_F_RESULT_output, "{\"code\":42}");
    sr_msg_destroy(&r);
    r = nt_run(env, "no.such_action", NULL, "error");
    char *text = fe_json(r, SR_F_RESULT_error);
    assert_non_null(strstr(text, "no.such_action"));
    free(text);
    sr_msg_destroy(&r);
}

static void
delegate_action_result_is_pending(void **state)
{
    nt_env_t *env = *state;
    nt_start_ready(env);
    sr_msg_t *r = nt_run(env, "std.async_noop", NULL, "pending");
    assert_false(sr_msg_has(r, SR_F_RESULT_error));
    sr_msg_destroy(&r);
}

static void
an_action_not_offered_is_an_error_result(void **state)
{
    nt_env_t *env = *state;
    const char *actions[] = {"std.echo"};
    env->cfg.actions = actions;
    env->cfg.n_actions = 1;
    nt_start_ready(env);
    sr_msg_t *r = nt_run(env, "std.noop", NULL, "error");
    char *text = fe_json(r, SR_F_RESULT_error);
    assert_non_null(strstr(text, "not offered by worker 'w1'"));
    free(text);
    sr_msg_destroy(&r);
}

static void
an_oversized_result_becomes_an_error_naming_the_limit(void **state)
{
    nt_env_t *env = *state;
    env->cfg.max_message_bytes = 2048;
    nt_start_ready(env);
    // std.fail's map data travels twice (as text and value): over 2 KiB
    char input[2048];
    snprintf(input, sizeof input, "{\"error_data\": {\"x\": \"%01200d\"}}", 0);
    sr_msg_t *r = nt_run(env, "std.fail", input, "error");
    char *text = fe_json(r, SR_F_RESULT_error);
    assert_non_null(strstr(text, "over the limit of 2048 bytes"));
    free(text);
    sr_msg_destroy(&r);
}

static void
halt_frees_the_slot_without_running_the_action(void **state)
{
    nt_env_t *env = *state;
    env->cfg.slots = 1;
    nt_start_ready(env);
    sr_id_t a, b;
    fe_send_task(&env->fe, "std.echo", "{\"output\": 1}", &a);
    fe_expect_confirm(&env->fe, &a);
    fe_send_halt(&env->fe, &a, 1);
    fe_send_task(&env->fe, "std.echo", "{\"output\": 2}", &b);
    fe_expect_confirm(&env->fe, &b); // the only slot is free again
    fe_send_go(&env->fe, &b, 1);
    sr_msg_t *r = fe_expect_result(&env->fe, &b, "success");
    nt_assert_field_json(r, SR_F_RESULT_output, "2");
    sr_msg_destroy(&r);
    fe_send_ack(&env->fe, &b, 1);
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.acks == 1);
    assert_int_equal(st.halts, 1);
    assert_int_equal(st.results, 1); // nothing for the halted action
    // a GO after the HALT is refused: the worker does not hold it
    fe_send_go(&env->fe, &a, 1);
    fe_expect_error(&env->fe, "EPROTO", "does not hold");
}

static void
tasks_over_credit_are_refused_and_credit_returns_with_results(void **state)
{
    nt_env_t *env = *state;
    nt_start_ready(env); // 2 slots
    sr_id_t a, b, c;
    fe_send_task(&env->fe, "std.echo", "{\"output\": 1}", &a);
    fe_send_task(&env->fe, "std.echo", "{\"output\": 2}", &b);
    fe_expect_confirm(&env->fe, &a);
    fe_expect_confirm(&env->fe, &b);
    fe_send_task(&env->fe, "std.echo", "{\"output\": 3}", &c);
    fe_expect_error(&env->fe, "EPROTO", "over credit");
    fe_send_go(&env->fe, &a, 1);
    sr_msg_t *r = fe_expect_result(&env->fe, &a, "success");
    sr_msg_destroy(&r);
    fe_send_task(&env->fe, "std.echo", "{\"output\": 3}", &c); // a's slot
    fe_expect_confirm(&env->fe, &c);
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.refused == 1 && st.confirming == 2);
}

static void
no_more_actions_run_than_slots_across_engines(void **state)
{
    nt_env_t *env = *state;
    fe_open(&env->fe2, env->dir, "engine2");
    env->engines[1] = env->fe2.endpoint;
    env->cfg.n_engines = 2;
    env->cfg.slots = 1;
    nt_start(env);
    sr_msg_t *m = fe_expect(&env->fe, SR_MSG_READY);
    sr_msg_destroy(&m);
    m = fe_expect(&env->fe2, SR_MSG_READY);
    sr_msg_destroy(&m);
    sr_id_t a, b;
    fe_send_task(&env->fe, "std.echo", "{\"output\": \"a\"}", &a);
    fe_expect_confirm(&env->fe, &a);
    fe_send_task(&env->fe2, "std.echo", "{\"output\": \"b\"}", &b);
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.tasks == 2); // b waits: the slot is a's
    assert_int_equal(st.queued, 1);
    assert_int_equal(st.confirming, 1);
    fe_send_go(&env->fe, &a, 1);
    m = fe_expect_result(&env->fe, &a, "success");
    sr_msg_destroy(&m);
    fe_expect_confirm(&env->fe2, &b); // only now
    fe_send_go(&env->fe2, &b, 1);
    m = fe_expect_result(&env->fe2, &b, "success");
    nt_assert_field_json(m, SR_F_RESULT_output, "\"b\"");
    sr_msg_destroy(&m);
}

static void
blocking_actions_run_in_parallel_up_to_the_slots(void **state)
{
    nt_env_t *env = *state;
    nt_start_ready(env); // 2 slots
    sr_id_t a, b;
    fe_send_task(&env->fe, "std.sleep", "{\"seconds\": 30}", &a);
    fe_send_task(&env->fe, "std.echo", "{\"output\": 1}", &b);
    fe_expect_confirm(&env->fe, &a);
    fe_expect_confirm(&env->fe, &b);
    fe_send_go(&env->fe, &a, 1);
    fe_send_go(&env->fe, &b, 1);
    sr_msg_t *r = fe_expect_result(&env->fe, &b, "success"); // a sleeps on
    sr_msg_destroy(&r);
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.running == 1);
    // teardown stops the node: the sleep is cancelled after the grace
}

static void
inline_actions_run_in_the_node_thread_without_an_action_thread(void **state)
{
    nt_env_t *env = *state;
    nt_start_ready(env);
    for (int i = 0; i < 20; i++) {
        sr_msg_t *r = nt_run(env, "std.noop", NULL, "success");
        nt_assert_field_json(r, SR_F_RESULT_output, "null");
        assert_false(sr_msg_has(r, SR_F_RESULT_error));
        sr_msg_destroy(&r);
    }
    sr_msg_t *r =
        nt_run(env, "std.echo", "{\"output\": [\"x\", 2]}", "success");
    nt_assert_field_json(r, SR_F_RESULT_output, "[\"x\",2]");
    sr_msg_destroy(&r);
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.acks == 21 && st.unacked == 0);
    assert_int_equal(st.inlined, 21);
    assert_int_equal(st.results, 21);
    assert_int_equal(st.threads, 0); // no action thread was ever started
}

static void
a_pool_of_one_busy_sleeping_still_runs_many_noops_at_once(void **state)
{
    nt_env_t *env = *state;
    enum { N = 7 };
    env->cfg.slots = N + 1;
    nt_start_ready(env);
    sr_id_t sleeper, ids[N];
    nt_go_on(&env->fe, "std.sleep", "{\"seconds\": 30}", &sleeper);
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.running == 1 && st.threads == 1);
    for (int i = 0; i < N; i++) // the other slots, all at once
        fe_send_task(&env->fe, "std.noop", NULL, &ids[i]);
    for (int i = 0; i < N; i++)
        fe_expect_confirm(&env->fe, &ids[i]);
    for (int i = 0; i < N; i++)
        fe_send_go(&env->fe, &ids[i], 1);
    for (int i = 0; i < N; i++) { // in GO order: each ran on its GO
        sr_msg_t *r = fe_expect_result(&env->fe, &ids[i], "success");
        nt_assert_field_json(r, SR_F_RESULT_output, "null");
        sr_msg_destroy(&r);
        fe_send_ack(&env->fe, &ids[i], 1);
    }
    NT_WAIT_STATS(env, st, st.acks == N);
    assert_int_equal(st.inlined, N);
    assert_int_equal(st.threads, 1); // the sleeper's, still the only one
    assert_int_equal(st.running, 1);
    // teardown stops the node: the sleep is cancelled after the grace
}

static void
an_echo_with_a_delay_waits_in_an_action_thread(void **state)
{
    nt_env_t *env = *state;
    nt_start_ready(env);
    sr_msg_t *r =
        nt_run(env, "std.echo", "{\"output\": 5, \"delay\": 0.01}", "success");
    nt_assert_field_json(r, SR_F_RESULT_output, "5");
    sr_msg_destroy(&r);
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.acks == 1);
    assert_int_equal(st.inlined, 0);
    assert_int_equal(st.threads, 1);
}

static void
an_inline_action_past_its_deadline_does_not_run(void **state)
{
    nt_env_t *env = *state;
    nt_start_ready(env);
    sr_id_t id;
    sr_msg_t *task = fe_task_new("std.echo", "{\"output\": 1}", &id);
    assert_int_equal(sr_msg_set_int(task, SR_F_TASK_deadline_ms, 1000), SR_OK);
    fe_send(&env->fe, task);
    fe_expect_confirm(&env->fe, &id);
    fe_send_go(&env->fe, &id, 1);
    sr_msg_t *r = fe_expect_result(&env->fe, &id, "error");
    char *text = fe_json(r, SR_F_RESULT_error);
    assert_non_null(strstr(text, "before it started"));
    free(text);
    assert_false(sr_msg_has(r, SR_F_RESULT_output));
    sr_msg_destroy(&r);
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.inlined == 1);
    assert_int_equal(st.threads, 0);
}

static void
answers_out_of_sequence_are_refused(void **state)
{
    nt_env_t *env = *state;
    nt_start_ready(env);
    sr_id_t a;
    fe_send_task(&env->fe, "std.echo", "{\"output\": 1}", &a);
    fe_expect_confirm(&env->fe, &a);
    fe_send_ack(&env->fe, &a, 1);
    fe_expect_error(&env->fe, "EPROTO", "before its RESULT");
    fe_send_go(&env->fe, &a, 2); // another attempt
    fe_expect_error(&env->fe, "EPROTO", "does not hold");
    sr_id_t fresh;
    sr_msg_t *task = fe_task_new("std.echo", "{\"output\": 1}", &fresh);
    sr_msg_set_id(task, SR_F_TASK_action_id, &a); // the same TASK again
    fe_send(&env->fe, task);
    fe_expect_error(&env->fe, "EPROTO", "again while it is here");
    fe_send_go(&env->fe, &a, 1); // the exchange goes on
    sr_msg_t *r = fe_expect_result(&env->fe, &a, "success");
    sr_msg_destroy(&r);
}

static void
a_node_reaches_an_engine_of_its_process_over_inproc(void **state)
{
    nt_env_t *env = *state;
    env->engines[0] = "inproc://sirocco-test-engine";
    nt_start(env); // before the engine binds, as sirocco run may
    fe_open_at(&env->fe2, "inproc://sirocco-test-engine");
    sr_msg_t *m = fe_expect(&env->fe2, SR_MSG_READY);
    sr_msg_destroy(&m);
    sr_id_t id;
    fe_send_task(&env->fe2, "std.echo", "{\"output\": \"in\"}", &id);
    fe_expect_confirm(&env->fe2, &id);
    fe_send_go(&env->fe2, &id, 1);
    m = fe_expect_result(&env->fe2, &id, "success");
    nt_assert_field_json(m, SR_F_RESULT_output, "\"in\"");
    sr_msg_destroy(&m);
    fe_send_ack(&env->fe2, &id, 1);
}

static void
config_errors_name_the_field(void **state)
{
    nt_env_t *env = *state;
    sr_error_t err;
    wrk_node_config_t c = env->cfg;
    c.registry = NULL;
    assert_int_equal(wrk_node_start(&c, &env->node, &err), SR_EINVAL);
    assert_string_equal(err.where, "field 'registry'");
    c = env->cfg;
    c.n_engines = 0;
    assert_int_equal(wrk_node_start(&c, &env->node, &err), SR_EINVAL);
    assert_string_equal(err.where, "field 'engines'");
    c = env->cfg;
    c.slots = WRK_NODE_SLOTS_MAX + 1;
    assert_int_equal(wrk_node_start(&c, &env->node, &err), SR_EINVAL);
    assert_string_equal(err.where, "field 'slots'");
    c = env->cfg;
    c.expiry_ms = 50;
    assert_int_equal(wrk_node_start(&c, &env->node, &err), SR_EINVAL);
    assert_string_equal(err.where, "field 'expiry_ms'");
    assert_non_null(strstr(err.msg, "heartbeat_ms"));
    c = env->cfg;
    c.name = "";
    assert_int_equal(wrk_node_start(&c, &env->node, &err), SR_EINVAL);
    assert_string_equal(err.where, "field 'name'");
    c = env->cfg;
    c.grace_ms = -1;
    assert_int_equal(wrk_node_start(&c, &env->node, &err), SR_EINVAL);
    assert_string_equal(err.where, "field 'grace_ms'");
    const char *bad[] = {"nonsense://x"};
    c = env->cfg;
    c.engines = bad;
    assert_int_equal(wrk_node_start(&c, &env->node, &err), SR_EIO);
    assert_non_null(strstr(err.msg, "nonsense://x"));
    assert_null(env->node);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        NT_TEST(ready_names_the_worker_its_slots_actions_and_target),
        NT_TEST(ready_without_actions_offers_everything_and_names_host_and_pid),
        NT_TEST(echo_goes_task_confirm_go_result_ack),
        NT_TEST(action_errors_become_error_results),
        NT_TEST(delegate_action_result_is_pending),
        NT_TEST(an_action_not_offered_is_an_error_result),
        NT_TEST(an_oversized_result_becomes_an_error_naming_the_limit),
        NT_TEST(halt_frees_the_slot_without_running_the_action),
        NT_TEST(tasks_over_credit_are_refused_and_credit_returns_with_results),
        NT_TEST(no_more_actions_run_than_slots_across_engines),
        NT_TEST(blocking_actions_run_in_parallel_up_to_the_slots),
        NT_TEST(inline_actions_run_in_the_node_thread_without_an_action_thread),
        NT_TEST(a_pool_of_one_busy_sleeping_still_runs_many_noops_at_once),
        NT_TEST(an_echo_with_a_delay_waits_in_an_action_thread),
        NT_TEST(an_inline_action_past_its_deadline_does_not_run),
        NT_TEST(answers_out_of_sequence_are_refused),
        NT_TEST(a_node_reaches_an_engine_of_its_process_over_inproc),
        NT_TEST(config_errors_name_the_field),
    };
    return NT_RUN_TESTS(tests);
}
