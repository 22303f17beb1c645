// A batch whose commit fails (disk full, I/O error) changed nothing and
// answers nothing as done: its RESULT is not acknowledged (the worker
// sends it again), its start is an ESTORE error and creates nothing, its
// CONFIRM is HALTed and the action offered again later. The test binary
// is linked with -Wl,--wrap=mdb_txn_commit, so that commits fail on
// demand.
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <lmdb.h>

#include "eng_test_util.h"
#include "sr_wire.h"

int __real_mdb_txn_commit(MDB_txn *txn);
int __wrap_mdb_txn_commit(MDB_txn *txn);

static atomic_bool s_failing; // every commit fails while set

int
__wrap_mdb_txn_commit(MDB_txn *txn)
{
    if (!atomic_load(&s_failing))
        return __real_mdb_txn_commit(txn);
    mdb_txn_abort(txn);
    return EIO;
}

static const char *s_one = "version: '2.0'\n"
                           "one:\n"
                           "  tasks:\n"
                           "    a:\n"
                           "      action: std.echo output=7\n";

// Nothing but heartbeats on the worker socket for `ms`.
static void
s_expect_silence(et_fix_t *f, int ms)
{
    for (int waited = 0; waited < ms; waited += 100) {
        et_beat(f);
        sr_wire_in_t in;
        sr_error_t err;
        sr_err_t rc = et_recv(f->worker, 100, &in, &err);
        if (rc == SR_OK && in.type != SR_MSG_HEARTBEAT)
            fail_msg("%s while commits fail", sr_msg_type_name(in.type));
        sr_wire_in_fini(&in);
    }
}

static void
test_a_result_whose_commit_failed_is_not_acknowledged(void **state)
{
    et_fix_t *f = *state;
    et_create(f, s_one);
    et_ready(f, 1);
    sr_id_t ex = et_start(f, "one", "{}");
    sr_msg_t *t = et_task_within(f, 5000);
    assert_non_null(t);
    et_confirm(f, t);
    sr_msg_t *go = et_expect(f->worker, SR_MSG_GO);
    sr_msg_destroy(&go);

    atomic_store(&s_failing, true);
    et_send(f->worker, et_result_new(t, "success", sr_value_new_int(7)));
    s_expect_silence(f, 600); // no ACK: the result is not durable
    sr_msg_t *start = sr_msg_new(SR_MSG_EX_START);
    sr_msg_set_str(start, SR_F_EX_START_workflow, "one");
    sr_error_t err;
    sr_value_t *b = et_call(f, start, &err);
    if (b)
        fail_msg("a start whose commit failed was answered as done");
    assert_int_equal(err.code, SR_ESTORE);
    atomic_store(&s_failing, false);

    assert_int_equal(et_count_executions(f), 1); // the failed start made none
    et_assert_state(f, &ex, "RUNNING");
    et_send(f->worker, et_result_new(t, "success", sr_value_new_int(7)));
    sr_msg_t *ack = et_expect(f->worker, SR_MSG_ACK);
    sr_msg_destroy(&ack);
    et_assert_state(f, &ex, "SUCCESS");
    sr_msg_destroy(&t);
}

static void
test_a_confirm_whose_commit_failed_is_halted_then_offered_again(void **state)
{
    et_fix_t *f = *state;
    et_create(f, s_one);
    et_ready(f, 1);
    sr_id_t ex = et_start(f, "one", "{}");
    sr_msg_t *t = et_task_within(f, 5000);
    assert_non_null(t);
    atomic_store(&s_failing, true);
    et_confirm(f, t);
    sr_msg_t *halt = et_expect(f->worker, SR_MSG_HALT);
    sr_msg_destroy(&halt);
    s_expect_silence(f, 300);
    atomic_store(&s_failing, false);
    sr_msg_t *again = et_task_within(f, 5000);
    if (!again)
        fail_msg("the action was not offered again after the failed commit");
    assert_int_equal(sr_msg_int(again, SR_F_TASK_attempt, 0), 2);
    et_confirm(f, again);
    sr_msg_t *go = et_expect(f->worker, SR_MSG_GO);
    sr_msg_destroy(&go);
    et_send(f->worker, et_result_new(again, "success", sr_value_new_int(7)));
    sr_msg_t *ack = et_expect(f->worker, SR_MSG_ACK);
    sr_msg_destroy(&ack);
    et_assert_state(f, &ex, "SUCCESS");
    sr_msg_destroy(&again);
    sr_msg_destroy(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_a_result_whose_commit_failed_is_not_acknowledged,
            et_setup_patient, et_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_confirm_whose_commit_failed_is_halted_then_offered_again,
            et_setup_patient, et_teardown),
    };
    zsys_init();
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    zsys_shutdown();
    return rc;
}
