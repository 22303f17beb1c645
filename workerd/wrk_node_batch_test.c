// Tests of BATCH at a worker node against a fake engine over ipc://: the
// items of an engine's BATCH handled one by one (a bad one refused alone),
// a turn's CONFIRMs to an engine of 1.7 in one BATCH, and single messages
// to an engine of 1.6.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sr_test_util.h"
#include "wrk_node_test_util.h"

#define S_N 4 // actions per test

// GO or ACK of attempt 1 for each of ids[0..S_N).
static sr_msg_t *
s_answers_new(sr_msg_type_t type, const sr_id_t *ids)
{
    sr_msg_t *msgs[S_N];
    for (size_t i = 0; i < S_N; i++) {
        msgs[i] = sr_msg_new(type);
        sr_field_t id_f =
            type == SR_MSG_GO ? SR_F_GO_action_id : SR_F_ACK_action_id;
        sr_field_t att_f =
            type == SR_MSG_GO ? SR_F_GO_attempt : SR_F_ACK_attempt;
        assert_int_equal(sr_msg_set_id(msgs[i], id_f, &ids[i]), SR_OK);
        assert_int_equal(sr_msg_set_int(msgs[i], att_f, 1), SR_OK);
    }
    return sr_test_batch_new(NULL, msgs, S_N);
}

static void
an_engine_batch_is_taken_item_by_item_and_confirms_go_back_in_one(void **state)
{
    nt_env_t *env = *state;
    env->cfg.slots = S_N;
    nt_start_ready(env);
    sr_id_t ids[S_N];
    sr_msg_t *tasks[S_N];
    for (size_t i = 0; i < S_N; i++)
        tasks[i] = fe_task_new("std.echo", "{\"output\": 1}", &ids[i]);
    fe_send(&env->fe, sr_test_batch_new("\xc1 not a message", tasks, S_N));
    fe_expect_error(&env->fe, "EPROTO", "msgpack"); // the bad item, alone
    assert_int_equal(env->fe.batches, 0);
    for (size_t i = 0; i < S_N; i++)
        fe_expect_confirm(&env->fe, &ids[i]); // in order
    assert_int_equal(env->fe.batches, 1);     // a turn's CONFIRMs: one frame
    fe_send(&env->fe, s_answers_new(SR_MSG_GO, ids));
    for (size_t i = 0; i < S_N; i++) {
        sr_msg_t *r = fe_expect(&env->fe, SR_MSG_RESULT);
        assert_string_equal(sr_msg_str(r, SR_F_RESULT_status), "success");
        sr_msg_destroy(&r);
    }
    fe_send(&env->fe, s_answers_new(SR_MSG_ACK, ids));
    wrk_node_stats_t st;
    NT_WAIT_STATS(env, st, st.acks == S_N && st.unacked == 0);
    assert_int_equal(st.tasks, S_N);
    assert_int_equal(st.refused, 1);
}

static void
an_engine_of_1_6_gets_single_messages(void **state)
{
    nt_env_t *env = *state;
    env->cfg.slots = S_N;
    nt_start_ready(env);
    sr_id_t ids[S_N];
    for (size_t i = 0; i < S_N; i++) {
        sr_msg_t *t = fe_task_new("std.echo", "{\"output\": 1}", &ids[i]);
        sr_test_send_as(env->fe.router, &env->fe.peer, t, 6);
        sr_msg_destroy(&t);
    }
    for (size_t i = 0; i < S_N; i++)
        fe_expect_confirm(&env->fe, &ids[i]);
    assert_int_equal(env->fe.batches, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        NT_TEST(
            an_engine_batch_is_taken_item_by_item_and_confirms_go_back_in_one),
        NT_TEST(an_engine_of_1_6_gets_single_messages),
    };
    return NT_RUN_TESTS(tests);
}
