// Tests of a worker node's sessions against a fake engine over ipc://:
// RESULTs resent until ACK, an engine restart (ESTATE -> READY -> RESULT
// again), heartbeats and the reconnect of a silent engine (whose waiting
// CONFIRMs give their threads up), another
// protocol major version, malformed frames, and the graceful stop.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sr_test_util.h"
#include "sr_value_json.h"
#include "sr_value_msgpack.h"
#include "wrk_node_test_util.h"
#include "wrk_test_support.h"

// Start a TASK for `action` and let it run (GO); *id gets its id.
static void
s_go(nt_env_t *env, const char *action, const char *input, sr_id_t *id)
{
    nt_go_on(&env->fe, action, input, id);
}

static void
results_are_resent_until_ack(void **state)
{
    nt_env_t *env = *state;
    env->cfg.resend_ms = 100;
    nt_start_ready(env);
    sr_id_t id;
    s_go(env, "std.echo", "{\"output\": 5}", &id);
    sr_msg_t *r = fe_expect_result(&env->fe, &id, "success");
    sr_msg_destroy(&r);
    r = fe_expect_result(&env->fe, &id, "success"); // no ACK: again
    nt_assert_field_json(r, SR_F_RESULT_output, "5");
    sr_msg_destroy(&r);
    fe_send_ack(&env->fe, &id, 1);
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.unacked == 0);
    assert_int_equal(st.results, 1);
    assert_true(st.resends >= 1);
    fe_send_ack(&env->fe, &id, 1); // a late duplicate ACK is ignored
    NT_WAIT_STATS(env, st, st.acks == 1);
    assert_int_equal(st.refused, 0);
}

// Play an engine that does not know the worker: answer everything with
// ESTATE until a READY comes.
static void
s_until_ready(fe_t *fe)
{
    int64_t end = zclock_mono() + FE_WAIT_MS;
    for (;;) {
        int64_t left = end - zclock_mono();
        sr_msg_t *m = fe_next(fe, left > 0 ? (int)left : 0);
        if (!m)
            fail_msg("no READY within %d ms after the restart", FE_WAIT_MS);
        sr_msg_type_t type = sr_msg_type(m);
        sr_msg_destroy(&m);
        if (type == SR_MSG_READY)
            return;
        fe_send_error(fe, "ESTATE", "unknown worker: send READY");
    }
}

static void
an_engine_restart_gets_ready_again_then_the_result(void **state)
{
    nt_env_t *env = *state;
    env->cfg.resend_ms = 200;
    nt_start_ready(env);
    sr_id_t id;
    s_go(env, "std.echo", "{\"output\": \"kept\"}", &id);
    sr_msg_t *r = fe_expect_result(&env->fe, &id, "success");
    sr_msg_destroy(&r);
    fe_restart(&env->fe); // the engine dies before its ACK
    s_until_ready(&env->fe);
    r = fe_expect_result(&env->fe, &id, "success");
    nt_assert_field_json(r, SR_F_RESULT_output, "\"kept\"");
    sr_msg_destroy(&r);
    fe_send_ack(&env->fe, &id, 1);
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.unacked == 0);
    assert_true(st.readies >= 2);
    assert_int_equal(st.reconnects, 0); // ESTATE, not the expiry
}

static void
a_silent_engine_gets_heartbeats_then_a_new_socket_and_ready(void **state)
{
    nt_env_t *env = *state;
    env->cfg.heartbeat_ms = 50;
    env->cfg.expiry_ms = 300;
    nt_start_ready(env);
    sr_wire_peer_t first = env->fe.peer;
    int heartbeats = 0;
    int64_t end = zclock_mono() + FE_WAIT_MS;
    for (;;) {
        sr_msg_t *m = fe_next(&env->fe, 100);
        sr_msg_type_t type = m ? sr_msg_type(m) : SR_MSG_NONE;
        if (type == SR_MSG_HEARTBEAT) {
            assert_string_equal(sr_msg_str(m, SR_F_HEARTBEAT_name), "w1");
            assert_true(sr_msg_has(m, SR_F_HEARTBEAT_sent_ms));
            heartbeats++;
        }
        sr_msg_destroy(&m);
        if (type == SR_MSG_READY)
            break;
        if (zclock_mono() > end)
            fail_msg("no new READY within %d ms", FE_WAIT_MS);
    }
    assert_true(heartbeats >= 2);
    assert_false(sr_wire_peer_equal(&first, &env->fe.peer)); // new socket
    wrk_node_stats_t st = nt_stats(env);
    assert_true(st.reconnects >= 1);
}

static void
an_engine_that_heartbeats_keeps_its_session(void **state)
{
    nt_env_t *env = *state;
    env->cfg.heartbeat_ms = 50;
    env->cfg.expiry_ms = 600;
    nt_start_ready(env);
    int64_t end = zclock_mono() + 1000; // well over the expiry
    while (zclock_mono() < end) {
        fe_keepalive(&env->fe, 50);
        sr_msg_t *m = fe_next(&env->fe, 10);
        if (m && sr_msg_type(m) != SR_MSG_HEARTBEAT)
            fail_msg("unexpected %s", sr_msg_type_name(sr_msg_type(m)));
        sr_msg_destroy(&m);
    }
    wrk_node_stats_t st = nt_stats(env);
    assert_int_equal(st.reconnects, 0);
    assert_int_equal(st.readies, 1);
}

// The next message of `type` from `from`, skipping HEARTBEATs, while
// `alive` (may be `from`) heartbeats so the worker keeps it.
static sr_msg_t *
s_next_keeping(fe_t *from, sr_msg_type_t type, fe_t *alive)
{
    int64_t end = zclock_mono() + FE_WAIT_MS;
    for (;;) {
        fe_keepalive(alive, 50);
        sr_msg_t *m = fe_next(from, 10);
        if (m && sr_msg_type(m) == type)
            return m;
        if (m && sr_msg_type(m) != SR_MSG_HEARTBEAT)
            fail_msg("unexpected %s", sr_msg_type_name(sr_msg_type(m)));
        sr_msg_destroy(&m);
        if (zclock_mono() > end)
            fail_msg("no %s within %d ms", sr_msg_type_name(type), FE_WAIT_MS);
    }
}

static void
a_confirm_waiting_on_a_lost_engine_gives_its_thread_to_another(void **state)
{
    nt_env_t *env = *state;
    fe_open(&env->fe2, env->dir, "engine2");
    env->engines[1] = env->fe2.endpoint;
    env->cfg.n_engines = 2;
    env->cfg.slots = 1;
    env->cfg.heartbeat_ms = 50;
    env->cfg.expiry_ms = 600;
    nt_start_ready(env);
    sr_msg_t *m = fe_expect(&env->fe2, SR_MSG_READY);
    sr_msg_destroy(&m);
    sr_id_t a, b;
    fe_send_task(&env->fe2, "std.echo", "{\"output\": 2}", &b);
    fe_expect_confirm(&env->fe2, &b); // the only thread waits on engine 2
    fe_send_task(&env->fe, "std.echo", "{\"output\": 1}", &a);
    // Engine 2 falls silent: after the expiry its TASK waits in the queue
    // and engine 1's gets the thread.
    m = s_next_keeping(&env->fe, SR_MSG_CONFIRM, &env->fe);
    sr_msg_destroy(&m);
    fe_send_go(&env->fe, &a, 1);
    m = s_next_keeping(&env->fe, SR_MSG_RESULT, &env->fe);
    nt_assert_field_json(m, SR_F_RESULT_output, "1");
    sr_msg_destroy(&m);
    fe_send_ack(&env->fe, &a, 1);
    wrk_node_stats_t st = nt_stats(env);
    assert_true(st.reconnects >= 1);
    assert_int_equal(st.queued, 1); // b, waiting for engine 2
    // Engine 2 speaks again: b is confirmed there, and runs.
    m = s_next_keeping(&env->fe2, SR_MSG_READY, &env->fe);
    sr_msg_destroy(&m);
    m = s_next_keeping(&env->fe2, SR_MSG_CONFIRM, &env->fe2);
    sr_id_t got;
    assert_true(sr_msg_id(m, SR_F_CONFIRM_action_id, &got));
    assert_true(sr_id_equal(&got, &b));
    sr_msg_destroy(&m);
    fe_send_go(&env->fe2, &b, 1);
    m = s_next_keeping(&env->fe2, SR_MSG_RESULT, &env->fe2);
    nt_assert_field_json(m, SR_F_RESULT_output, "2");
    sr_msg_destroy(&m);
}

static void
s_send_bytes(fe_t *fe, const void *buf, size_t len)
{
    const void *frames[] = {buf};
    fe_send_raw(fe, frames, &len, 1);
}

static void
another_major_version_gets_an_error_naming_both_versions(void **state)
{
    nt_env_t *env = *state;
    nt_start_ready(env);
    size_t len;
    char *buf = sr_test_wire(2, 0, "TASK", sr_value_new_map(0), &len);
    s_send_bytes(&env->fe, buf, len);
    free(buf);
    sr_msg_t *m = fe_expect(&env->fe, SR_MSG_ERROR);
    assert_string_equal(sr_msg_str(m, SR_F_ERROR_code), "EVERSION");
    const char *text = sr_msg_str(m, SR_F_ERROR_message);
    assert_non_null(strstr(text, "2.0"));
    char mine[32];
    snprintf(mine, sizeof mine, "speaks %d.%d", SR_PROTO_MAJOR, SR_PROTO_MINOR);
    assert_non_null(strstr(text, mine));
    sr_msg_destroy(&m);
    // the engine refusing our version: logged, not answered, no crash
    fe_send_error(&env->fe, "EVERSION",
                  "peer speaks protocol 1.0, this "
                  "node speaks 2.0");
    m = nt_run(env, "std.noop", NULL, "success"); // the worker goes on
    sr_msg_destroy(&m);
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.acks == 1);
    assert_int_equal(st.refused, 1);
    assert_int_equal(st.errors, 1);
}

static void
malformed_frames_are_answered_and_dropped(void **state)
{
    nt_env_t *env = *state;
    env->cfg.max_message_bytes = 4096;
    nt_start_ready(env);
    s_send_bytes(&env->fe, "\xc1\xff\x00", 3); // not msgpack
    fe_expect_error(&env->fe, "EPROTO", "");
    s_send_bytes(&env->fe, "\x05", 1); // not an envelope
    fe_expect_error(&env->fe, "EPROTO", "");
    const void *two[] = {"\x05", "\x06"};
    size_t lens[] = {1, 1};
    fe_send_raw(&env->fe, two, lens, 2); // two frames
    fe_expect_error(&env->fe, "EPROTO", "");
    char big[8192];
    memset(big, 0xc0, sizeof big);
    s_send_bytes(&env->fe, big, sizeof big); // over the payload limit
    fe_expect_error(&env->fe, "ETOOBIG", "");
    sr_value_t *fields = wt_json("{\"input\": \"a string\"}");
    size_t len;
    char *buf = sr_test_wire(1, 0, "TASK", fields, &len);
    s_send_bytes(&env->fe, buf, len);
    free(buf);
    fe_expect_error(&env->fe, "EPROTO", "");
    buf = sr_test_wire(1, 0, "NOPE", sr_value_new_map(0), &len);
    s_send_bytes(&env->fe, buf, len);
    free(buf);
    fe_expect_error(&env->fe, "EPROTO", "NOPE");
    buf = sr_test_wire(1, 0, "READY",
                       wt_json("{\"worker\": \"x\", \"slots\": 1}"), &len);
    s_send_bytes(&env->fe, buf, len);
    free(buf);
    fe_expect_error(&env->fe, "EPROTO", "not a message for a worker");
    buf = sr_test_wire(1, 0, "ERROR", sr_value_new_int(5), &len); // bad ERROR
    s_send_bytes(&env->fe, buf, len);
    free(buf);
    sr_msg_t *m = nt_run(env, "std.echo", "{\"output\": 1}", "success");
    sr_msg_destroy(&m); // and no answer to the bad ERROR came before
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.acks == 1);
    assert_int_equal(st.refused, 8); // the bad ERROR too, unanswered
}

static void *
s_stop_thread(void *arg)
{
    wrk_node_stop(arg);
    return NULL;
}

// Collect messages until BYE; counts what came.
typedef struct {
    int credits_zero, confirms, results, errors;
    sr_msg_t *result; // the last RESULT
} s_stop_seen_t;

static void
s_until_bye(fe_t *fe, s_stop_seen_t *seen, bool is_acking)
{
    int64_t end = zclock_mono() + FE_WAIT_MS;
    for (;;) {
        int64_t left = end - zclock_mono();
        sr_msg_t *m = fe_next(fe, left > 0 ? (int)left : 0);
        if (!m)
            fail_msg("no BYE within %d ms", FE_WAIT_MS);
        sr_msg_type_t type = sr_msg_type(m);
        if (type == SR_MSG_BYE) {
            assert_string_equal(sr_msg_str(m, SR_F_BYE_worker), "w1");
            sr_msg_destroy(&m);
            return;
        }
        if (type == SR_MSG_CREDIT && sr_msg_int(m, SR_F_CREDIT_slots, -1) == 0)
            seen->credits_zero++;
        seen->errors += type == SR_MSG_ERROR;
        seen->confirms += type == SR_MSG_CONFIRM;
        if (type == SR_MSG_RESULT) {
            seen->results++;
            sr_id_t id;
            sr_msg_id(m, SR_F_RESULT_action_id, &id);
            if (is_acking)
                fe_send_ack(fe, &id, 1);
            sr_msg_destroy(&seen->result);
            seen->result = m;
            continue;
        }
        sr_msg_destroy(&m);
    }
}

static void
stop_sends_credit_zero_finishes_running_actions_then_bye(void **state)
{
    nt_env_t *env = *state;
    fe_open(&env->fe2, env->dir, "engine2");
    env->engines[1] = env->fe2.endpoint;
    env->cfg.n_engines = 2;
    env->cfg.slots = 1;
    env->cfg.grace_ms = 4000;
    nt_start_ready(env);
    sr_msg_t *ready = fe_expect(&env->fe2, SR_MSG_READY);
    sr_msg_destroy(&ready);
    sr_id_t a, b, c;
    s_go(env, "std.echo", "{\"output\": \"done\", \"delay\": 0.3}", &a);
    fe_send_task(&env->fe2, "std.noop", NULL, &b); // queued: no free slot
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.queued == 1 && st.running == 1);
    int64_t start = zclock_mono();
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, s_stop_thread, &env->node),
                     0);
    sr_msg_t *credit = fe_expect(&env->fe, SR_MSG_CREDIT);
    assert_int_equal(sr_msg_int(credit, SR_F_CREDIT_slots, -1), 0);
    sr_msg_destroy(&credit);
    fe_send_task(&env->fe, "std.noop", NULL, &c); // too late
    s_stop_seen_t seen = {0}, seen2 = {0};
    s_until_bye(&env->fe, &seen, true);
    s_until_bye(&env->fe2, &seen2, true);
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_null(env->node);
    assert_int_equal(seen.results, 1); // a ran
    assert_int_equal(seen.errors, 1);  // c: the worker is stopping
    nt_assert_field_json(seen.result, SR_F_RESULT_output, "\"done\"");
    sr_msg_destroy(&seen.result);
    assert_int_equal(seen2.credits_zero, 1);
    assert_int_equal(seen2.confirms + seen2.results, 0); // b was dropped
    assert_true(zclock_mono() - start < 3000); // no need for the grace
}

static void
stop_cancels_running_actions_after_the_grace(void **state)
{
    nt_env_t *env = *state;
    env->cfg.grace_ms = 200;
    nt_start_ready(env);
    sr_id_t a;
    s_go(env, "std.sleep", "{\"seconds\": 60}", &a);
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.running == 1);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, s_stop_thread, &env->node),
                     0);
    s_stop_seen_t seen = {0};
    s_until_bye(&env->fe, &seen, false);
    assert_int_equal(pthread_join(thread, NULL), 0);
    assert_int_equal(seen.credits_zero, 1);
    assert_int_equal(seen.results, 1);
    assert_string_equal(sr_msg_str(seen.result, SR_F_RESULT_status), "error");
    assert_non_null(
        strstr(sr_msg_str(seen.result, SR_F_RESULT_error), "cancelled"));
    sr_msg_destroy(&seen.result);
}

// The next HEARTBEAT's `holding` as compact JSON (ids as the JSON of
// 16-byte binaries), skipping other messages.
static char *
s_next_holding(fe_t *fe)
{
    for (int i = 0; i < 100; i++) {
        sr_msg_t *m = fe_next(fe, FE_WAIT_MS);
        if (!m)
            fail_msg("no HEARTBEAT within %d ms", FE_WAIT_MS);
        if (sr_msg_type(m) == SR_MSG_HEARTBEAT) {
            if (!sr_msg_has(m, SR_F_HEARTBEAT_holding))
                fail_msg("a HEARTBEAT without 'holding'");
            char *json = fe_json(m, SR_F_HEARTBEAT_holding);
            sr_msg_destroy(&m);
            return json;
        }
        sr_msg_destroy(&m);
    }
    fail_msg("no HEARTBEAT among 100 messages");
    return NULL;
}

// Heartbeats name what the worker holds from that engine (here an action
// waiting for GO), so that the engine can find actions the worker dropped;
// once HALTed, the action is no longer listed. They come once per
// interval, whatever other traffic there is.
static void
heartbeats_list_the_actions_held(void **state)
{
    nt_env_t *env = *state;
    nt_start_ready(env);
    char *none = s_next_holding(&env->fe);
    assert_string_equal(none, "[]");
    free(none);
    sr_id_t id;
    fe_send_task(&env->fe, "std.echo", NULL, &id);
    fe_expect_confirm(&env->fe, &id);
    sr_value_t *idv = sr_id_to_value(&id);
    sr_value_t *list = sr_value_new_array(1);
    sr_value_array_append(list, idv);
    char *want = sr_value_to_json(list, SR_JSON_COMPACT);
    sr_value_destroy(&list);
    char *held = s_next_holding(&env->fe);
    assert_string_equal(held, want);
    free(held);
    free(want);
    fe_send_halt(&env->fe, &id, 1);
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.halts == 1);
    held = s_next_holding(&env->fe); // may still be one sent before HALT
    if (strcmp(held, "[]") != 0) {
        free(held);
        held = s_next_holding(&env->fe);
    }
    assert_string_equal(held, "[]");
    free(held);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        NT_TEST(results_are_resent_until_ack),
        NT_TEST(heartbeats_list_the_actions_held),
        NT_TEST(an_engine_restart_gets_ready_again_then_the_result),
        NT_TEST(a_silent_engine_gets_heartbeats_then_a_new_socket_and_ready),
        NT_TEST(an_engine_that_heartbeats_keeps_its_session),
        NT_TEST(a_confirm_waiting_on_a_lost_engine_gives_its_thread_to_another),
        NT_TEST(another_major_version_gets_an_error_naming_both_versions),
        NT_TEST(malformed_frames_are_answered_and_dropped),
        NT_TEST(stop_sends_credit_zero_finishes_running_actions_then_bye),
        NT_TEST(stop_cancels_running_actions_after_the_grace),
    };
    return NT_RUN_TESTS(tests);
}
