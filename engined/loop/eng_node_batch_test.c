// Tests of BATCH at an engine node, with a test worker over ipc://: a
// worker of 1.7 whose BATCH of CONFIRMs (after a bad item, refused alone)
// is answered with one BATCH of GOs, and its BATCH of RESULTs with one
// of ACKs; a worker of 1.6 gets single messages only.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "eng_test_util.h"
#include "sr_test_util.h"
#include "sr_wire.h"

#define S_N 4 // executions per test

// S_N tasks that start together.
static const char *s_wf = "version: '2.0'\n"
                          "four:\n"
                          "  tasks:\n"
                          "    a: {action: std.echo output=7}\n"
                          "    b: {action: std.echo output=7}\n"
                          "    c: {action: std.echo output=7}\n"
                          "    d: {action: std.echo output=7}\n";

// Wait for `n` messages of `type` on the worker socket, skipping single
// HEARTBEATs (and HEARTBEAT items), kept in got[] (owned; NULL: not
// kept); count the frames that held them and those that were BATCHes.
// Fails on anything else.
static void
s_frames(et_fix_t *f, sr_msg_type_t type, size_t n, sr_msg_t **kept,
         size_t *frames, size_t *batches)
{
    size_t got = 0;
    *frames = *batches = 0;
    int64_t end = zclock_mono() + 5000;
    while (got < n) {
        if (zclock_mono() > end)
            fail_msg("%zu of %zu %s within 5 s", got, n,
                     sr_msg_type_name(type));
        sr_wire_in_t in;
        sr_error_t err;
        sr_err_t rc = sr_wire_recv(f->worker, 100, NULL, &in, &err);
        if (rc == SR_ETIMEDOUT)
            continue;
        assert_int_equal(rc, SR_OK);
        size_t items = sr_wire_in_items(&in), here = 0;
        *batches += in.type == SR_MSG_BATCH;
        for (size_t i = 0; i < (items ? items : 1); i++) {
            sr_wire_in_t item;
            if (items)
                assert_int_equal(sr_wire_in_item(&in, i, NULL, &item, &err),
                                 SR_OK);
            sr_wire_in_t *one = items ? &item : &in;
            sr_msg_type_t t = one->type;
            if (t == type && kept && got + here < n) {
                kept[got + here] = one->msg;
                one->msg = NULL;
            }
            if (items)
                sr_wire_in_fini(&item);
            if (t == type)
                here++;
            else if (t != SR_MSG_HEARTBEAT)
                fail_msg("%s while waiting for %s", sr_msg_type_name(t),
                         sr_msg_type_name(type));
        }
        *frames += here > 0;
        got += here;
        sr_wire_in_fini(&in);
    }
    assert_int_equal(got, n);
}

// An execution of S_N tasks started; their TASKs (owned) in tasks[],
// in `frames` frames of which `batches` BATCHes.
static void
s_start(et_fix_t *f, sr_msg_t **tasks, size_t *frames, size_t *batches)
{
    et_create(f, s_wf);
    (void)et_start(f, "four", "{}");
    s_frames(f, SR_MSG_TASK, S_N, tasks, frames, batches);
}

static void
a_worker_batch_is_answered_with_one_batch(void **state)
{
    et_fix_t *f = *state;
    et_ready(f, S_N);
    sr_msg_t *tasks[S_N], *msgs[S_N];
    size_t frames, batches;
    s_start(f, tasks, &frames, &batches);
    assert_int_equal(frames, 1); // one commit's DISPATCHes, one frame
    assert_int_equal(batches, 1);
    for (size_t i = 0; i < S_N; i++)
        msgs[i] = et_confirm_new(tasks[i]);
    et_send(f->worker, sr_test_batch_new("\xc1 no message", msgs, S_N));
    sr_msg_t *e = et_expect(f->worker, SR_MSG_ERROR); // the bad item alone
    assert_string_equal(sr_msg_str(e, SR_F_ERROR_code), "EPROTO");
    sr_msg_destroy(&e);
    s_frames(f, SR_MSG_GO, S_N, NULL, &frames, &batches);
    assert_int_equal(frames, 1); // one commit, one frame
    assert_int_equal(batches, 1);
    for (size_t i = 0; i < S_N; i++)
        msgs[i] = et_result_new(tasks[i], "success", sr_value_new_int(7));
    et_send(f->worker, sr_test_batch_new(NULL, msgs, S_N));
    s_frames(f, SR_MSG_ACK, S_N, NULL, &frames, &batches);
    assert_int_equal(frames, 1);
    assert_int_equal(batches, 1);
    for (size_t i = 0; i < S_N; i++)
        sr_msg_destroy(&tasks[i]);
}

static void
a_worker_of_1_6_gets_single_messages(void **state)
{
    et_fix_t *f = *state;
    sr_msg_t *m = sr_msg_new(SR_MSG_READY);
    sr_msg_set_str(m, SR_F_READY_worker, "tw");
    sr_msg_set_int(m, SR_F_READY_slots, S_N);
    sr_test_send_as(f->worker, NULL, m, 6);
    sr_msg_destroy(&m);
    sr_msg_t *tasks[S_N];
    size_t frames, batches;
    s_start(f, tasks, &frames, &batches);
    assert_int_equal(frames, S_N); // one by one
    assert_int_equal(batches, 0);
    for (size_t i = 0; i < S_N; i++) {
        m = et_confirm_new(tasks[i]);
        sr_test_send_as(f->worker, NULL, m, 6);
        sr_msg_destroy(&m);
    }
    s_frames(f, SR_MSG_GO, S_N, NULL, &frames, &batches);
    assert_int_equal(frames, S_N);
    assert_int_equal(batches, 0);
    for (size_t i = 0; i < S_N; i++) {
        m = et_result_new(tasks[i], "success", sr_value_new_int(7));
        sr_test_send_as(f->worker, NULL, m, 6);
        sr_msg_destroy(&m);
        sr_msg_destroy(&tasks[i]);
    }
    s_frames(f, SR_MSG_ACK, S_N, NULL, &frames, &batches);
    assert_int_equal(frames, S_N);
    assert_int_equal(batches, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            a_worker_batch_is_answered_with_one_batch, et_setup_patient,
            et_teardown),
        cmocka_unit_test_setup_teardown(a_worker_of_1_6_gets_single_messages,
                                        et_setup_patient, et_teardown),
    };
    zsys_init();
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    zsys_shutdown();
    return rc;
}
