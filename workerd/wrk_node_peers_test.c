// Tests of a worker node learning engines from HEARTBEAT.peers, against
// fake engines over ipc://: a node configured with one engine joins the
// others an engine names (READY, then actions through the new link), not
// twice, not the engine itself under the name it gives for itself, not
// bad entries, and up to WRK_NODE_ENGINES_MAX.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sr_value.h"
#include "wrk_node_test_util.h"

// Send from `fe` a HEARTBEAT whose peers are `peers[0..n)`.
static void
s_send_peers(fe_t *fe, const char *const *peers, size_t n)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_HEARTBEAT);
    assert_non_null(m);
    sr_value_t *list = sr_value_new_array(n);
    assert_non_null(list);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(
            sr_value_array_append(list, sr_value_new_str(peers[i])), SR_OK);
    assert_int_equal(sr_msg_set_str(m, SR_F_HEARTBEAT_name, "e1"), SR_OK);
    assert_int_equal(sr_msg_set(m, SR_F_HEARTBEAT_peers, list), SR_OK);
    fe_send(fe, m);
}

// Run one action on `fe` from TASK to ACK.
static void
s_run_on(fe_t *fe)
{
    sr_id_t id;
    fe_send_task(fe, "std.echo", "{\"output\": 5}", &id);
    fe_expect_confirm(fe, &id);
    fe_send_go(fe, &id, 1);
    sr_msg_t *result = fe_expect_result(fe, &id, "success");
    nt_assert_field_json(result, SR_F_RESULT_output, "5");
    sr_msg_destroy(&result);
    fe_send_ack(fe, &id, 1);
}

static void
a_node_with_one_engine_joins_every_engine_its_heartbeat_names(void **state)
{
    nt_env_t *env = *state;
    fe_t fe3 = {0};
    fe_open(&env->fe2, env->dir, "engine2");
    fe_open(&fe3, env->dir, "engine3");
    nt_start_ready(env);
    // The first peer is the sender under another name: no second link.
    char alias[256];
    snprintf(alias, sizeof alias, "ipc://%s/../%s/engine1", env->dir,
             strrchr(env->dir, '/') + 1);
    const char *peers[] = {alias, env->fe2.endpoint, fe3.endpoint};
    s_send_peers(&env->fe, peers, 3);
    sr_msg_t *ready = fe_expect(&env->fe2, SR_MSG_READY);
    assert_string_equal(sr_msg_str(ready, SR_F_READY_worker), "w1");
    sr_msg_destroy(&ready);
    ready = fe_expect(&fe3, SR_MSG_READY);
    sr_msg_destroy(&ready);
    wrk_node_stats_t st = nt_stats(env);
    assert_int_equal(st.engines, 3);
    assert_int_equal(st.learnt, 2);
    s_run_on(&env->fe2);
    s_run_on(&fe3);
    s_run_on(&env->fe);
    NT_WAIT_STATS(env, st, st.acks == 3 && st.unacked == 0);
    assert_int_equal(st.refused, 0);
    fe_close(&fe3);
}

static void
engines_already_linked_are_not_joined_again(void **state)
{
    nt_env_t *env = *state;
    fe_open(&env->fe2, env->dir, "engine2");
    nt_start_ready(env);
    const char *peers[] = {env->fe.endpoint, env->fe2.endpoint};
    s_send_peers(&env->fe, peers, 2);
    sr_msg_t *ready = fe_expect(&env->fe2, SR_MSG_READY);
    sr_msg_destroy(&ready);
    // The same list again, from both engines: nothing new.
    s_send_peers(&env->fe, peers, 2);
    const char *reversed[] = {env->fe2.endpoint, env->fe.endpoint};
    s_send_peers(&env->fe2, reversed, 2);
    s_run_on(&env->fe); // the HEARTBEATs were read before this TASK
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.acks == 1);
    assert_int_equal(st.engines, 2);
    assert_int_equal(st.learnt, 1);
    assert_int_equal(st.readies, 2);
}

static void
empty_peer_names_are_ignored_and_the_node_keeps_working(void **state)
{
    nt_env_t *env = *state;
    fe_open(&env->fe2, env->dir, "engine2");
    nt_start_ready(env);
    const char *peers[] = {env->fe.endpoint, "", env->fe2.endpoint};
    s_send_peers(&env->fe, peers, 3);
    sr_msg_t *ready = fe_expect(&env->fe2, SR_MSG_READY);
    sr_msg_destroy(&ready);
    s_run_on(&env->fe2);
    wrk_node_stats_t st = nt_stats(env);
    assert_int_equal(st.engines, 2);
    assert_int_equal(st.refused, 0);
}

static void
a_node_joins_at_most_the_engine_limit(void **state)
{
    nt_env_t *env = *state;
    nt_start_ready(env);
    enum { N = WRK_NODE_ENGINES_MAX + 6 };
    static char names[N][256];
    const char *peers[N];
    for (size_t i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "ipc://%s/nobody%zu", env->dir, i);
        peers[i] = names[i];
    }
    s_send_peers(&env->fe, peers, N);
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.engines == WRK_NODE_ENGINES_MAX);
    s_run_on(&env->fe); // the first link still works
    st = nt_stats(env);
    assert_int_equal(st.engines, WRK_NODE_ENGINES_MAX);
    assert_int_equal(st.learnt, WRK_NODE_ENGINES_MAX - 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        NT_TEST(a_node_with_one_engine_joins_every_engine_its_heartbeat_names),
        NT_TEST(engines_already_linked_are_not_joined_again),
        NT_TEST(empty_peer_names_are_ignored_and_the_node_keeps_working),
        NT_TEST(a_node_joins_at_most_the_engine_limit),
    };
    return NT_RUN_TESTS(tests);
}
