// Tests of a worker node following partition leaders, against two fake
// engines over ipc:// (A = env->fe, B = env->fe2). The TASKs of the fake
// engines are of partition 3, epoch 7. CONFIRM, RESULT and `holding` go
// to the engine whose HEARTBEAT.partitions lists the action's partition
// with the highest epoch, else to the engine that sent the TASK; what is
// unanswered moves at once when the partition's engine changes; EUNAVAIL
// keeps the action; a lost engine loses its partitions.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "wrk_node_test_util.h"

static const int64_t s_a_serves_3[][2] = {{3, 7}};
static const int64_t s_b_serves_3[][2] = {{3, 8}};

// Start the node with engines A and B and take both READYs.
static void
s_start_two(nt_env_t *env)
{
    fe_open(&env->fe2, env->dir, "engine2");
    env->engines[1] = env->fe2.endpoint;
    env->cfg.n_engines = 2;
    nt_start_ready(env);
    sr_msg_t *ready = fe_expect(&env->fe2, SR_MSG_READY);
    sr_msg_destroy(&ready);
}

// For `ms`, `fe` gets no message of `type` (HEARTBEATs and the like are
// read and dropped).
static void
s_assert_none(fe_t *fe, sr_msg_type_t type, int ms)
{
    int64_t end = zclock_mono() + ms;
    for (int64_t left = ms; left > 0; left = end - zclock_mono()) {
        sr_msg_t *m = fe_next(fe, (int)left);
        if (m && sr_msg_type(m) == type)
            fail_msg("fake engine %s: unexpected %s", fe->endpoint,
                     sr_msg_type_name(type));
        sr_msg_destroy(&m);
    }
}

// The RESULT of `id` (success, `output` as JSON) reaches `fe`, which
// answers ACK; the node then holds nothing. Returns its counters.
static wrk_node_stats_t
s_end_on(nt_env_t *env, fe_t *fe, const sr_id_t *id, const char *output)
{
    sr_msg_t *result = fe_expect_result(fe, id, "success");
    nt_assert_field_json(result, SR_F_RESULT_output, output);
    sr_msg_destroy(&result);
    fe_send_ack(fe, id, 1);
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.acks == 1 && st.unacked == 0);
    return st;
}

// (a) A sent the TASK and served partition 3; while the action runs, B
// becomes the leader with a higher epoch: `holding` moves to B, the
// RESULT goes to B only, and B's ACK ends it.
static void
the_result_goes_to_the_partitions_new_leader(void **state)
{
    nt_env_t *env = *state;
    s_start_two(env);
    fe_send_partitions(&env->fe, s_a_serves_3, 1);
    sr_id_t id;
    nt_go_on(&env->fe, "std.echo", "{\"output\": 5, \"delay\": 1.5}", &id);
    fe_expect_holding(&env->fe, &id, true);
    fe_send_partitions(&env->fe, NULL, 0); // A is deposed
    fe_send_partitions(&env->fe2, s_b_serves_3, 1);
    fe_expect_holding(&env->fe2, &id, true); // still running
    fe_expect_holding(&env->fe, &id, false);
    wrk_node_stats_t st = nt_stats(env);
    assert_int_equal(st.running, 1);
    sr_msg_t *result = fe_expect_result(&env->fe2, &id, "success");
    nt_assert_field_json(result, SR_F_RESULT_output, "5");
    sr_msg_destroy(&result);
    fe_expect_holding(&env->fe2, &id, true); // not acknowledged yet
    fe_send_ack(&env->fe2, &id, 1);
    NT_WAIT_STATS(env, st, st.acks == 1 && st.unacked == 0);
    fe_expect_holding(&env->fe2, &id, false);
    s_assert_none(&env->fe, SR_MSG_RESULT, 300);
    assert_int_equal(nt_stats(env).refused, 0);
}

// A CONFIRM the old leader left unanswered goes to the new one at once;
// its GO starts the action and the RESULT follows it there.
static void
an_unanswered_confirm_moves_to_the_new_leader(void **state)
{
    nt_env_t *env = *state;
    s_start_two(env);
    fe_send_partitions(&env->fe, s_a_serves_3, 1);
    sr_id_t id;
    fe_send_task(&env->fe, "std.echo", "{\"output\": 6}", &id);
    fe_expect_confirm(&env->fe, &id); // never answered
    fe_send_partitions(&env->fe2, s_b_serves_3, 1);
    fe_expect_confirm(&env->fe2, &id);
    fe_send_go(&env->fe2, &id, 1);
    wrk_node_stats_t st = s_end_on(env, &env->fe2, &id, "6");
    assert_int_equal(st.refused, 0);
}

// An engine whose partitions do not include the action's: the answers go
// to the engine that sent the TASK, as without any list.
static void
a_partition_no_engine_lists_is_answered_where_its_task_came_from(void **state)
{
    nt_env_t *env = *state;
    s_start_two(env);
    static const int64_t b_serves_4[][2] = {{4, 9}};
    fe_send_partitions(&env->fe2, b_serves_4, 1);
    fe_send_partitions(&env->fe, NULL, 0);
    sr_id_t id;
    nt_go_on(&env->fe, "std.echo", "{\"output\": 7}", &id);
    (void)s_end_on(env, &env->fe, &id, "7");
    s_assert_none(&env->fe2, SR_MSG_RESULT, 200);
}

// (c) EUNAVAIL naming the action: the RESULT is kept, tried again a
// heartbeat interval later (the resend time here is a minute), and sent
// to the partition's leader as soon as one lists it.
static void
a_result_refused_with_eunavail_is_kept_and_follows_the_map(void **state)
{
    nt_env_t *env = *state;
    env->cfg.resend_ms = 60000;
    s_start_two(env);
    sr_id_t id;
    nt_go_on(&env->fe, "std.echo", "{\"output\": 8}", &id);
    sr_msg_t *result = fe_expect_result(&env->fe, &id, "success");
    sr_msg_destroy(&result);
    fe_send_error_about(&env->fe, "EUNAVAIL", &id);
    result = fe_expect_result(&env->fe, &id, "success"); // the next round
    sr_msg_destroy(&result);
    wrk_node_stats_t st = nt_stats(env);
    assert_int_equal(st.unacked, 1);
    fe_send_error_about(&env->fe, "EUNAVAIL", &id);
    fe_send_partitions(&env->fe2, s_b_serves_3, 1);
    st = s_end_on(env, &env->fe2, &id, "8");
    assert_int_equal(st.errors, 2);
}

// A CONFIRM refused with EUNAVAIL is kept too: sent again a heartbeat
// interval later, and answered then.
static void
a_confirm_refused_with_eunavail_is_sent_again(void **state)
{
    nt_env_t *env = *state;
    s_start_two(env);
    sr_id_t id;
    fe_send_task(&env->fe, "std.echo", "{\"output\": 9}", &id);
    fe_expect_confirm(&env->fe, &id);
    fe_send_error_about(&env->fe, "EUNAVAIL", &id);
    fe_expect_confirm(&env->fe, &id);
    fe_send_go(&env->fe, &id, 1);
    (void)s_end_on(env, &env->fe, &id, "9");
}

// B leads partition 3 and goes silent: once it is lost it serves nothing,
// and the CONFIRM that waited on it goes to A, which sent the TASK.
static void
a_lost_engine_loses_its_partitions(void **state)
{
    nt_env_t *env = *state;
    env->cfg.expiry_ms = 600;
    s_start_two(env);
    sr_id_t id;
    fe_send_task(&env->fe, "std.echo", "{\"output\": 10}", &id);
    fe_expect_confirm(&env->fe, &id); // never answered
    fe_send_partitions(&env->fe2, s_b_serves_3, 1);
    fe_expect_confirm(&env->fe2, &id); // never answered either
    fe_close(&env->fe2);
    int64_t end = zclock_mono() + FE_WAIT_MS;
    for (;;) { // A stays heard from; B does not
        fe_keepalive(&env->fe, 100);
        sr_msg_t *m = fe_next(&env->fe, 50);
        sr_msg_type_t type = m ? sr_msg_type(m) : SR_MSG_HEARTBEAT;
        sr_msg_destroy(&m);
        if (type == SR_MSG_CONFIRM)
            break;
        if (zclock_mono() > end)
            fail_msg("no CONFIRM at A within %d ms of B's silence", FE_WAIT_MS);
    }
    fe_send_go(&env->fe, &id, 1);
    wrk_node_stats_t st = s_end_on(env, &env->fe, &id, "10");
    assert_true(st.reconnects >= 1);
}

// A HEARTBEAT whose partitions are not a list of maps is refused with
// ERROR naming the field, and changes nothing.
static void
bad_partitions_are_refused(void **state)
{
    nt_env_t *env = *state;
    nt_start_ready(env);
    sr_msg_t *m = sr_msg_new(SR_MSG_HEARTBEAT);
    sr_value_t *list = sr_value_new_array(1);
    assert_int_equal(sr_value_array_append(list, sr_value_new_int(3)), SR_OK);
    assert_int_equal(sr_msg_set(m, SR_F_HEARTBEAT_partitions, list), SR_OK);
    fe_send(&env->fe, m);
    sr_msg_t *e = fe_expect(&env->fe, SR_MSG_ERROR);
    assert_string_equal(sr_msg_str(e, SR_F_ERROR_code), "EPROTO");
    assert_string_equal(sr_msg_str(e, SR_F_ERROR_field), "partitions");
    sr_msg_destroy(&e);
    sr_msg_t *result = nt_run(env, "std.echo", "{\"output\": 1}", "success");
    sr_msg_destroy(&result);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        NT_TEST(the_result_goes_to_the_partitions_new_leader),
        NT_TEST(an_unanswered_confirm_moves_to_the_new_leader),
        NT_TEST(
            a_partition_no_engine_lists_is_answered_where_its_task_came_from),
        NT_TEST(a_result_refused_with_eunavail_is_kept_and_follows_the_map),
        NT_TEST(a_confirm_refused_with_eunavail_is_sent_again),
        NT_TEST(a_lost_engine_loses_its_partitions),
        NT_TEST(bad_partitions_are_refused),
    };
    return NT_RUN_TESTS(tests);
}
