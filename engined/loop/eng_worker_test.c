// The engine's worker-facing rules over real sockets: the epoch fence on
// CONFIRM, GO again after an engine restart (issue 18, an execution stuck
// RUNNING for ever), actions a worker's heartbeats no longer list, READY
// without a name, why a worker's actions were lost, and the partitions
// (with epochs) the engine's heartbeats tell workers.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eng_test_util.h"
#include "sr_wire.h"

static const char *s_one = "version: '2.0'\n"
                           "one:\n"
                           "  tasks:\n"
                           "    a:\n"
                           "      action: std.echo output=7\n";

static void
s_result(et_fix_t *f, const sr_msg_t *task)
{
    et_send(f->worker, et_result_new(task, "success", sr_value_new_int(7)));
    sr_msg_t *ack = et_expect(f->worker, SR_MSG_ACK);
    sr_msg_destroy(&ack);
}

// HEARTBEAT of the worker listing `held` (NULL: an empty list).
static void
s_beat_holding(et_fix_t *f, const sr_msg_t *held)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_HEARTBEAT);
    sr_msg_set_str(m, SR_F_HEARTBEAT_name, "tw");
    sr_value_t *list = sr_value_new_array(1);
    if (held) {
        sr_id_t id;
        sr_msg_id(held, SR_F_TASK_action_id, &id);
        sr_value_array_append(list, sr_id_to_value(&id));
    }
    sr_msg_set(m, SR_F_HEARTBEAT_holding, list);
    et_send(f->worker, m);
}

// Wait up to `ms` for the execution to leave RUNNING, heartbeating with
// `held` (NULL: holding nothing); its final EX_GET body (owned).
static sr_value_t *
s_wait_end(et_fix_t *f, const sr_id_t *ex, const sr_msg_t *held, int ms)
{
    for (int waited = 0;; waited += 50) {
        sr_value_t *b = et_get(f, ex);
        if (strcmp(sr_value_map_str(b, "state"), "RUNNING") != 0 ||
            waited >= ms)
            return b;
        sr_value_destroy(&b);
        s_beat_holding(f, held);
        zclock_sleep(50);
    }
}

// A CONFIRM carrying another epoch than the partition's (a TASK of an
// earlier owner) never starts an action: HALT naming the change; the
// CONFIRM of the current epoch then gets GO.
static void
test_a_confirm_of_another_epoch_never_starts_an_action(void **state)
{
    et_fix_t *f = *state;
    et_create(f, s_one);
    et_ready(f, 1);
    sr_id_t ex = et_start(f, "one", "{}");
    sr_msg_t *t = et_task_within(f, 5000);
    assert_non_null(t);
    int64_t epoch = sr_msg_int(t, SR_F_TASK_epoch, 0);
    assert_true(epoch >= 1);
    sr_msg_t *c = et_confirm_new(t);
    sr_msg_set_int(c, SR_F_CONFIRM_epoch, epoch - 1);
    et_send(f->worker, c);
    sr_msg_t *halt = et_expect(f->worker, SR_MSG_HALT);
    const char *why = sr_msg_str(halt, SR_F_HALT_reason);
    if (!strstr(why, "changed owner"))
        fail_msg("HALT reason: %s", why);
    sr_msg_destroy(&halt);
    et_confirm(f, t);
    sr_msg_t *go = et_expect(f->worker, SR_MSG_GO);
    sr_msg_destroy(&go);
    s_result(f, t);
    et_assert_state(f, &ex, "SUCCESS");
    sr_msg_destroy(&t);
}

// The engine dies after committing a CONFIRM and before its GO left. Its
// restart bumps the epoch; the worker, which still holds the action and
// never started it, confirms again with the TASK's epoch: it gets GO
// again (not HALT, after which it would drop the action while the engine
// kept it RUNNING on that worker for ever), and the execution ends.
static void
test_go_again_after_an_engine_restart(void **state)
{
    et_fix_t *f = *state;
    et_create(f, s_one);
    et_ready(f, 1);
    sr_id_t ex = et_start(f, "one", "{}");
    sr_msg_t *t = et_task_within(f, 5000);
    assert_non_null(t);
    et_confirm(f, t);
    sr_msg_t *go = et_expect(f->worker, SR_MSG_GO);
    sr_msg_destroy(&go); // as if lost in the engine's death
    et_restart(f);
    et_ready(f, 1);
    et_confirm(f, t); // the old epoch
    go = et_expect(f->worker, SR_MSG_GO);
    assert_int_equal(sr_msg_int(go, SR_F_GO_attempt, 0),
                     sr_msg_int(t, SR_F_TASK_attempt, 0));
    sr_msg_destroy(&go);
    s_result(f, t);
    et_assert_state(f, &ex, "SUCCESS");
    sr_msg_destroy(&t);
}

// Once an action runs at a worker, the worker's heartbeats list it; one
// absent from them for a heartbeat interval was dropped there (no RESULT
// will come): it fails as lost at once, long before the worker expiry
// (here a minute). While listed, it stays RUNNING.
static void
test_an_action_the_worker_no_longer_holds_is_lost(void **state)
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
    sr_value_t *b = s_wait_end(f, &ex, t, 1000); // listed: runs on
    assert_string_equal(sr_value_map_str(b, "state"), "RUNNING");
    sr_value_destroy(&b);
    b = s_wait_end(f, &ex, NULL, 5000);
    const char *st = sr_value_map_str(b, "state");
    const char *info = sr_value_map_str(b, "state_info");
    if (strcmp(st, "ERROR") != 0 || !info ||
        !strstr(info, "no longer holds the action"))
        fail_msg("state %s (%s), want ERROR naming the dropped action", st,
                 info ? info : "");
    sr_error_t err;
    sr_value_t *status = et_call(f, sr_msg_new(SR_MSG_STATUS), &err);
    assert_non_null(status);
    int64_t used = -1; // the slot is free again
    sr_value_map_int(sr_value_array_at(sr_value_map_get(status, "workers"), 0),
                     "used", &used);
    assert_int_equal(used, 0);
    sr_value_destroy(&status);
    sr_value_destroy(&b);
    sr_msg_destroy(&t);
}

// A worker name keys the worker's sessions: READY without one is EINVAL
// naming the field, and no worker joins.
static void
test_ready_with_an_empty_name_is_refused(void **state)
{
    et_fix_t *f = *state;
    sr_msg_t *m = sr_msg_new(SR_MSG_READY);
    sr_msg_set_str(m, SR_F_READY_worker, "");
    sr_msg_set_int(m, SR_F_READY_slots, 1);
    et_send(f->worker, m);
    sr_msg_t *e = et_expect(f->worker, SR_MSG_ERROR);
    sr_error_t err;
    sr_msg_to_error(e, &err);
    assert_int_equal(err.code, SR_EINVAL);
    assert_non_null(strstr(err.where, "worker"));
    sr_msg_destroy(&e);
    sr_error_t cerr;
    sr_value_t *st = et_call(f, sr_msg_new(SR_MSG_STATUS), &cerr);
    assert_non_null(st);
    assert_int_equal(sr_value_len(sr_value_map_get(st, "workers")), 0);
    sr_value_destroy(&st);
}

// A CONFIRM about a partition this engine does not hold is EUNAVAIL
// naming the partition (and its owner, in a cluster) and the action.
static void
test_a_confirm_for_another_partition_names_it(void **state)
{
    et_fix_t *f = *state;
    et_ready(f, 1);
    sr_id_t id;
    sr_id_make(9, zclock_time(), &id);
    sr_msg_t *c = sr_msg_new(SR_MSG_CONFIRM);
    sr_msg_set_id(c, SR_F_CONFIRM_action_id, &id);
    sr_msg_set_int(c, SR_F_CONFIRM_attempt, 1);
    sr_msg_set_int(c, SR_F_CONFIRM_epoch, 1);
    et_send(f->worker, c);
    sr_msg_t *e = et_expect(f->worker, SR_MSG_ERROR);
    sr_error_t err;
    sr_msg_to_error(e, &err);
    assert_int_equal(err.code, SR_EUNAVAIL);
    if (!strstr(err.msg, "partition 9"))
        fail_msg("the error does not name the partition: %s", err.msg);
    sr_id_t named; // the worker keeps that action for the partition's leader
    assert_true(sr_msg_id(e, SR_F_ERROR_action_id, &named));
    assert_true(sr_id_equal(&named, &id));
    sr_msg_destroy(&e);
}

// A worker restarted under its configured name (READY with another pid)
// holds none of the old process's actions: they are lost at once, and
// the error says why.
static void
test_a_restarted_worker_loses_the_old_actions(void **state)
{
    et_fix_t *f = *state;
    et_create(f, s_one);
    et_ready_pid(f, 1, 100);
    sr_id_t ex = et_start(f, "one", "{}");
    sr_msg_t *t = et_task_within(f, 5000);
    assert_non_null(t);
    et_confirm(f, t);
    sr_msg_t *go = et_expect(f->worker, SR_MSG_GO);
    sr_msg_destroy(&go);
    sr_msg_destroy(&t);
    zsock_destroy(&f->worker);
    f->worker = zsock_new_dealer(f->worker_ep);
    et_ready_pid(f, 1, 101);
    sr_value_t *b = s_wait_end(f, &ex, NULL, 5000);
    const char *info = sr_value_map_str(b, "state_info");
    assert_string_equal(sr_value_map_str(b, "state"), "ERROR");
    if (!info || !strstr(info, "restarted as a new process"))
        fail_msg("state_info: %s", info ? info : "(none)");
    sr_value_destroy(&b);
}

// The HEARTBEAT.partitions of a worker's HEARTBEAT from the engine, as
// "partition:epoch" pairs in order; fails the test on a map with any
// other key (workers get no `executions`).
static void
s_partitions_text(const sr_msg_t *hb, char *out, size_t size)
{
    const sr_value_t *list = sr_msg_get(hb, SR_F_HEARTBEAT_partitions);
    assert_non_null(list);
    out[0] = '\0';
    for (size_t i = 0; i < sr_value_len(list); i++) {
        const sr_value_t *p = sr_value_array_at(list, i);
        int64_t number = -1, epoch = -1;
        assert_true(sr_value_map_int(p, "partition", &number));
        assert_true(sr_value_map_int(p, "epoch", &epoch));
        assert_int_equal(sr_value_len(p), 2);
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%lld:%lld", i ? " " : "",
                 (long long)number, (long long)epoch);
    }
}

// The engine's heartbeats to a worker list the partitions it serves with
// their epochs: the epoch its TASKs carry, and a higher one after a
// restart.
static void
test_heartbeats_to_workers_list_the_partitions_served(void **state)
{
    et_fix_t *f = *state;
    et_create(f, s_one);
    et_ready(f, 1);
    sr_msg_t *hb = et_expect(f->worker, SR_MSG_HEARTBEAT);
    (void)et_start(f, "one", "{}");
    sr_msg_t *t = et_task_within(f, 5000);
    assert_non_null(t);
    int64_t epoch = sr_msg_int(t, SR_F_TASK_epoch, 0);
    char want[64], got[64];
    snprintf(want, sizeof want, "0:%lld", (long long)epoch);
    s_partitions_text(hb, got, sizeof got);
    assert_string_equal(got, want);
    sr_msg_destroy(&hb);
    sr_msg_destroy(&t);
    et_restart(f);
    et_ready(f, 1);
    hb = et_expect(f->worker, SR_MSG_HEARTBEAT);
    snprintf(want, sizeof want, "0:%lld", (long long)epoch + 1);
    s_partitions_text(hb, got, sizeof got);
    assert_string_equal(got, want);
    sr_msg_destroy(&hb);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_a_confirm_of_another_epoch_never_starts_an_action, et_setup,
            et_teardown),
        cmocka_unit_test_setup_teardown(test_go_again_after_an_engine_restart,
                                        et_setup_patient, et_teardown),
        cmocka_unit_test_setup_teardown(
            test_an_action_the_worker_no_longer_holds_is_lost, et_setup_patient,
            et_teardown),
        cmocka_unit_test_setup_teardown(
            test_ready_with_an_empty_name_is_refused, et_setup, et_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_confirm_for_another_partition_names_it, et_setup,
            et_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_restarted_worker_loses_the_old_actions, et_setup_patient,
            et_teardown),
        cmocka_unit_test_setup_teardown(
            test_heartbeats_to_workers_list_the_partitions_served, et_setup,
            et_teardown),
    };
    zsys_init();
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    zsys_shutdown();
    return rc;
}
