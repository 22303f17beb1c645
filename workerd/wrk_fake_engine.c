// The fake engine of the worker tests: a ROUTER on ipc:// that sends and
// expects protocol messages by hand. Owns its socket. Fails the running
// cmocka test on anything unexpected; every wait is bounded. One thread.
#include "wrk_fake_engine.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_value_json.h"
#include "wrk_test_support.h"

static void
s_bind(fe_t *fe)
{
    fe->router = zsock_new(ZMQ_ROUTER);
    assert_non_null(fe->router);
    zsock_set_linger(fe->router, 0);
    if (zsock_bind(fe->router, "%s", fe->endpoint) != 0)
        fail_msg("fake engine: cannot bind %s: %s", fe->endpoint,
                 zmq_strerror(errno));
}

void
fe_open(fe_t *fe, const char *dir, const char *name)
{
    memset(fe, 0, sizeof *fe);
    int n =
        snprintf(fe->endpoint, sizeof fe->endpoint, "ipc://%s/%s", dir, name);
    assert_true(n > 0 && (size_t)n < sizeof fe->endpoint);
    s_bind(fe);
}

void
fe_open_at(fe_t *fe, const char *endpoint)
{
    memset(fe, 0, sizeof *fe);
    assert_true(strlen(endpoint) < sizeof fe->endpoint);
    strcpy(fe->endpoint, endpoint);
    s_bind(fe);
}

void
fe_close(fe_t *fe)
{
    sr_wire_in_fini(&fe->batch);
    zsock_destroy(&fe->router);
}

void
fe_restart(fe_t *fe)
{
    sr_wire_in_fini(&fe->batch);
    zsock_destroy(&fe->router);
    memset(&fe->peer, 0, sizeof fe->peer);
    s_bind(fe);
}

sr_msg_t *
fe_next(fe_t *fe, int wait_ms)
{
    sr_wire_in_t in;
    sr_error_t err;
    sr_err_t rc;
    if (fe->batch.msg) { // the next item of the BATCH at hand
        rc = sr_wire_in_item(&fe->batch, fe->batch_next++, NULL, &in, &err);
        if (fe->batch_next == sr_wire_in_items(&fe->batch))
            sr_wire_in_fini(&fe->batch);
    } else
        rc = sr_wire_recv(fe->router, wait_ms, NULL, &in, &err);
    if (rc == SR_ETIMEDOUT) {
        sr_wire_in_fini(&in);
        return NULL;
    }
    if (rc != SR_OK)
        fail_msg("fake engine: bad message from the worker: %s %s: %s",
                 sr_strerror(rc), err.where, err.msg);
    fe->peer = in.peer;
    if (in.type == SR_MSG_BATCH) {
        if (sr_wire_in_items(&in) == 0)
            fail_msg("fake engine: an empty BATCH");
        fe->batches++;
        fe->batch = in;
        fe->batch_next = 0;
        return fe_next(fe, wait_ms);
    }
    sr_msg_t *m = in.msg;
    in.msg = NULL;
    sr_wire_in_fini(&in);
    return m;
}

sr_msg_t *
fe_expect(fe_t *fe, sr_msg_type_t type)
{
    int64_t end = zclock_mono() + FE_WAIT_MS;
    for (;;) {
        int64_t left = end - zclock_mono();
        sr_msg_t *m = fe_next(fe, left > 0 ? (int)left : 0);
        if (!m)
            fail_msg("fake engine: no %s within %d ms", sr_msg_type_name(type),
                     FE_WAIT_MS);
        sr_msg_type_t got = sr_msg_type(m);
        if (got == type)
            return m;
        if (got != SR_MSG_HEARTBEAT && got != SR_MSG_CREDIT) {
            char *error =
                got == SR_MSG_ERROR ? fe_json(m, SR_F_ERROR_message) : NULL;
            fail_msg("fake engine: expected %s, got %s %s",
                     sr_msg_type_name(type), sr_msg_type_name(got),
                     error ? error : "");
        }
        sr_msg_destroy(&m);
    }
}

void
fe_send(fe_t *fe, sr_msg_t *m)
{
    assert_true(fe->peer.len > 0); // the worker spoke first
    sr_error_t err;
    sr_err_t rc = sr_wire_send(fe->router, &fe->peer, m, &err);
    if (rc)
        fail_msg("fake engine: send %s: %s %s",
                 sr_msg_type_name(sr_msg_type(m)), sr_strerror(rc), err.msg);
    fe->sent_ms = zclock_mono();
    sr_msg_destroy(&m);
}

void
fe_send_raw(fe_t *fe, const void *const *frames, const size_t *lens, size_t n)
{
    void *handle = zsock_resolve(fe->router);
    assert_int_equal(zmq_send(handle, fe->peer.id, fe->peer.len, ZMQ_SNDMORE),
                     (int)fe->peer.len);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(
            zmq_send(handle, frames[i], lens[i], i + 1 < n ? ZMQ_SNDMORE : 0),
            (int)lens[i]);
}

void
fe_keepalive(fe_t *fe, int64_t interval_ms)
{
    if (fe->peer.len > 0 && zclock_mono() - fe->sent_ms >= interval_ms)
        fe_send(fe, sr_msg_new(SR_MSG_HEARTBEAT));
}

sr_msg_t *
fe_task_new(const char *action, const char *input_json, sr_id_t *id)
{
    sr_id_t exec_id, task_id;
    sr_id_make(3, 0, id);
    sr_id_make(3, 0, &exec_id);
    sr_id_make(3, 0, &task_id);
    sr_msg_t *m = sr_msg_new(SR_MSG_TASK);
    assert_non_null(m);
    assert_int_equal(sr_msg_set_id(m, SR_F_TASK_action_id, id), SR_OK);
    assert_int_equal(sr_msg_set_id(m, SR_F_TASK_execution_id, &exec_id), 0);
    assert_int_equal(sr_msg_set_id(m, SR_F_TASK_task_id, &task_id), SR_OK);
    assert_int_equal(sr_msg_set_str(m, SR_F_TASK_task_name, "t1"), SR_OK);
    assert_int_equal(sr_msg_set_str(m, SR_F_TASK_action, action), SR_OK);
    sr_value_t *input = wt_json(input_json ? input_json : "{}");
    assert_int_equal(sr_msg_set(m, SR_F_TASK_input, input), SR_OK);
    assert_int_equal(sr_msg_set_int(m, SR_F_TASK_attempt, 1), SR_OK);
    assert_int_equal(sr_msg_set_int(m, SR_F_TASK_epoch, 7), SR_OK);
    return m;
}

void
fe_send_task(fe_t *fe, const char *action, const char *input_json, sr_id_t *id)
{
    fe_send(fe, fe_task_new(action, input_json, id));
}

// GO, HALT or ACK: action id and attempt (+ reason for HALT).
static void
s_send_answer(fe_t *fe, sr_msg_type_t type, sr_field_t id_f, sr_field_t att_f,
              const sr_id_t *id, int64_t attempt)
{
    sr_msg_t *m = sr_msg_new(type);
    assert_int_equal(sr_msg_set_id(m, id_f, id), SR_OK);
    assert_int_equal(sr_msg_set_int(m, att_f, attempt), SR_OK);
    if (type == SR_MSG_HALT)
        assert_int_equal(
            sr_msg_set_str(m, SR_F_HALT_reason, "execution PAUSED"), SR_OK);
    fe_send(fe, m);
}

void
fe_send_go(fe_t *fe, const sr_id_t *id, int64_t attempt)
{
    s_send_answer(fe, SR_MSG_GO, SR_F_GO_action_id, SR_F_GO_attempt, id,
                  attempt);
}

void
fe_send_halt(fe_t *fe, const sr_id_t *id, int64_t attempt)
{
    s_send_answer(fe, SR_MSG_HALT, SR_F_HALT_action_id, SR_F_HALT_attempt, id,
                  attempt);
}

void
fe_send_ack(fe_t *fe, const sr_id_t *id, int64_t attempt)
{
    s_send_answer(fe, SR_MSG_ACK, SR_F_ACK_action_id, SR_F_ACK_attempt, id,
                  attempt);
}

void
fe_send_error(fe_t *fe, const char *code, const char *message)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_ERROR);
    assert_int_equal(sr_msg_set_str(m, SR_F_ERROR_code, code), SR_OK);
    assert_int_equal(sr_msg_set_str(m, SR_F_ERROR_message, message), SR_OK);
    fe_send(fe, m);
}

void
fe_send_error_about(fe_t *fe, const char *code, const sr_id_t *id)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_ERROR);
    assert_int_equal(sr_msg_set_str(m, SR_F_ERROR_code, code), SR_OK);
    assert_int_equal(
        sr_msg_set_str(m, SR_F_ERROR_message, "partition not served here"),
        SR_OK);
    assert_int_equal(sr_msg_set_id(m, SR_F_ERROR_action_id, id), SR_OK);
    fe_send(fe, m);
}

void
fe_send_partitions(fe_t *fe, const int64_t (*pairs)[2], size_t n)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_HEARTBEAT);
    sr_value_t *list = sr_value_new_array(n);
    assert_non_null(m);
    assert_non_null(list);
    for (size_t i = 0; i < n; i++) {
        sr_value_t *p = sr_value_new_map(2);
        assert_int_equal(
            sr_value_map_put(p, "partition", sr_value_new_int(pairs[i][0])),
            SR_OK);
        assert_int_equal(
            sr_value_map_put(p, "epoch", sr_value_new_int(pairs[i][1])), SR_OK);
        assert_int_equal(sr_value_array_append(list, p), SR_OK);
    }
    assert_int_equal(sr_msg_set(m, SR_F_HEARTBEAT_partitions, list), SR_OK);
    fe_send(fe, m);
}

// Does HEARTBEAT `m` carry `holding`, and does it list `id`?
static bool
s_holds(const sr_msg_t *m, const sr_id_t *id, bool *is_listed)
{
    const sr_value_t *list = sr_msg_get(m, SR_F_HEARTBEAT_holding);
    *is_listed = false;
    for (size_t i = 0; list && i < sr_value_len(list); i++) {
        sr_id_t got;
        if (sr_id_from_value(sr_value_array_at(list, i), &got) == SR_OK &&
            sr_id_equal(&got, id))
            *is_listed = true;
    }
    return list != NULL;
}

void
fe_expect_holding(fe_t *fe, const sr_id_t *id, bool is_listed)
{
    int64_t end = zclock_mono() + FE_WAIT_MS;
    for (;;) {
        int64_t left = end - zclock_mono();
        sr_msg_t *m = fe_next(fe, left > 0 ? (int)left : 0);
        if (!m)
            fail_msg("fake engine %s: no HEARTBEAT %s the action within %d ms",
                     fe->endpoint, is_listed ? "holding" : "without",
                     FE_WAIT_MS);
        sr_msg_type_t type = sr_msg_type(m);
        bool is_held = false;
        bool is_beat = type == SR_MSG_HEARTBEAT && s_holds(m, id, &is_held);
        sr_msg_destroy(&m);
        if (type != SR_MSG_HEARTBEAT && type != SR_MSG_CREDIT)
            fail_msg("fake engine %s: %s while waiting for a HEARTBEAT",
                     fe->endpoint, sr_msg_type_name(type));
        if (is_beat && is_held == is_listed)
            return;
    }
}

static void
s_check_id(const sr_msg_t *m, sr_field_t f, const sr_id_t *id)
{
    sr_id_t got;
    char a[SR_ID_TEXT_SIZE], b[SR_ID_TEXT_SIZE];
    assert_true(sr_msg_id(m, f, &got));
    if (!sr_id_equal(&got, id))
        fail_msg("fake engine: %s for action %s, expected %s",
                 sr_msg_type_name(sr_msg_type(m)), sr_id_format(&got, a),
                 sr_id_format(id, b));
}

void
fe_expect_confirm(fe_t *fe, const sr_id_t *id)
{
    sr_msg_t *m = fe_expect(fe, SR_MSG_CONFIRM);
    s_check_id(m, SR_F_CONFIRM_action_id, id);
    assert_int_equal(sr_msg_int(m, SR_F_CONFIRM_attempt, 0), 1);
    assert_int_equal(sr_msg_int(m, SR_F_CONFIRM_epoch, 0), 7);
    sr_msg_destroy(&m);
}

sr_msg_t *
fe_expect_result(fe_t *fe, const sr_id_t *id, const char *status)
{
    sr_msg_t *m = fe_expect(fe, SR_MSG_RESULT);
    s_check_id(m, SR_F_RESULT_action_id, id);
    assert_int_equal(sr_msg_int(m, SR_F_RESULT_attempt, 0), 1);
    assert_int_equal(sr_msg_int(m, SR_F_RESULT_epoch, 0), 7);
    const char *got = sr_msg_str(m, SR_F_RESULT_status);
    if (strcmp(got, status) != 0) {
        char *error = fe_json(m, SR_F_RESULT_error);
        fail_msg("fake engine: RESULT %s, expected %s; error %s", got, status,
                 error);
    }
    return m;
}

void
fe_expect_error(fe_t *fe, const char *code, const char *part)
{
    sr_msg_t *m = fe_expect(fe, SR_MSG_ERROR);
    const char *got = sr_msg_str(m, SR_F_ERROR_code);
    const char *text = sr_msg_str(m, SR_F_ERROR_message);
    if (strcmp(got, code) != 0 || !strstr(text, part))
        fail_msg("fake engine: expected ERROR %s with '%s', got %s '%s'", code,
                 part, got, text);
    sr_msg_destroy(&m);
}

char *
fe_json(const sr_msg_t *m, sr_field_t f)
{
    const sr_value_t *v = sr_msg_get(m, f);
    return v ? sr_value_to_json(v, SR_JSON_COMPACT) : strdup("(absent)");
}
