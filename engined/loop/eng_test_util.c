// Helpers shared by the engine node tests (eng_test_util.h): bounded
// receive of one message type, send, and one engine over ipc:// with a
// test client and a test worker written against the protocol.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eng_test_util.h"
#include "sr_body.h"
#include "sr_value_json.h"
#include "sr_wire.h"

// BATCH messages received and not read to their end, one per socket.
#define S_PENDING_MAX 16
static struct {
    zsock_t *sock;
    sr_wire_in_t batch;
    size_t next;
} s_pending[S_PENDING_MAX];
static uint64_t s_batches; // BATCH messages received

sr_err_t
et_recv(zsock_t *sock, int timeout_ms, sr_wire_in_t *in, sr_error_t *err)
{
    for (size_t k = 0; k < S_PENDING_MAX; k++) {
        if (s_pending[k].sock != sock)
            continue;
        sr_wire_in_t *b = &s_pending[k].batch;
        sr_err_t rc = sr_wire_in_item(b, s_pending[k].next++, NULL, in, err);
        if (s_pending[k].next == sr_wire_in_items(b)) {
            sr_wire_in_fini(b);
            s_pending[k].sock = NULL;
        }
        return rc;
    }
    sr_err_t rc = sr_wire_recv(sock, timeout_ms, NULL, in, err);
    if (rc || in->type != SR_MSG_BATCH)
        return rc;
    s_batches++;
    if (sr_wire_in_items(in) == 0)
        fail_msg("an empty BATCH");
    for (size_t k = 0; k < S_PENDING_MAX; k++) {
        if (s_pending[k].sock)
            continue;
        s_pending[k].sock = sock;
        s_pending[k].batch = *in;
        s_pending[k].next = 0;
        memset(in, 0, sizeof *in);
        return et_recv(sock, timeout_ms, in, err);
    }
    fail_msg("BATCH messages pending on too many sockets");
    return SR_EINTERNAL;
}

void
et_recv_forget(zsock_t *sock)
{
    for (size_t k = 0; k < S_PENDING_MAX; k++) {
        if (s_pending[k].sock == sock) {
            sr_wire_in_fini(&s_pending[k].batch);
            s_pending[k].sock = NULL;
        }
    }
}

uint64_t
et_batches(void)
{
    return s_batches;
}

sr_msg_t *
et_expect(zsock_t *sock, sr_msg_type_t type)
{
    for (int i = 0; i < 100; i++) {
        sr_wire_in_t in;
        sr_error_t err;
        sr_err_t rc = et_recv(sock, 5000, &in, &err);
        if (rc == SR_ETIMEDOUT)
            fail_msg("no %s within 5 s", sr_msg_type_name(type));
        assert_int_equal(rc, SR_OK);
        if (in.type == type) {
            sr_msg_t *m = in.msg;
            in.msg = NULL;
            sr_wire_in_fini(&in);
            return m;
        }
        if (in.type == SR_MSG_ERROR && type != SR_MSG_ERROR) {
            sr_msg_to_error(in.msg, &err);
            fail_msg("ERROR instead of %s: %s", sr_msg_type_name(type),
                     err.msg);
        }
        sr_wire_in_fini(&in);
    }
    fail_msg("too many other messages");
    return NULL;
}

void
et_send(zsock_t *sock, sr_msg_t *m)
{
    sr_error_t err;
    assert_non_null(m);
    assert_int_equal(sr_wire_send(sock, NULL, m, &err), SR_OK);
    sr_msg_destroy(&m);
}

void
et_engine_start(et_fix_t *f)
{
    eng_config_t cfg = {.name = "t",
                        .client_endpoint = f->client_ep,
                        .worker_endpoint = f->worker_ep,
                        .data_dir = f->dir,
                        .durability = STORE_NOSYNC,
                        .heartbeat_ms = 200,
                        .expiry_ms = f->expiry_ms,
                        .expire_after_ms = f->expire_after_ms};
    sr_error_t err;
    sr_err_t rc = eng_start(&cfg, &f->eng, &err);
    if (rc)
        fail_msg("engine start: %s", err.msg);
}

void
et_restart(et_fix_t *f)
{
    et_recv_forget(f->client);
    et_recv_forget(f->worker);
    zsock_destroy(&f->client);
    zsock_destroy(&f->worker);
    eng_stop(&f->eng);
    et_engine_start(f);
    f->client = zsock_new_dealer(f->client_ep);
    f->worker = zsock_new_dealer(f->worker_ep);
}

void
et_rmtree(const char *dir)
{
    char cmd[256];
    int n = snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_true(n > 0 && (size_t)n < sizeof cmd);
    assert_int_equal(system(cmd), 0);
}

int
et_setup_with(void **state, int64_t expire_after_ms, int64_t expiry_ms)
{
    et_fix_t *f = calloc(1, sizeof *f);
    f->expire_after_ms = expire_after_ms;
    f->expiry_ms = expiry_ms;
    strcpy(f->dir, "/tmp/sr-eng-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->client_ep, sizeof f->client_ep, "ipc://%s/c", f->dir);
    snprintf(f->worker_ep, sizeof f->worker_ep, "ipc://%s/w", f->dir);
    et_engine_start(f);
    f->client = zsock_new_dealer(f->client_ep);
    f->worker = zsock_new_dealer(f->worker_ep);
    assert_non_null(f->client);
    assert_non_null(f->worker);
    *state = f;
    return 0;
}

int
et_setup(void **state)
{
    return et_setup_with(state, 0, 0);
}

// An engine that gives up on a silent worker after 500 ms, and on a TASK
// not confirmed after 6 times that.
int
et_setup_hasty(void **state)
{
    return et_setup_with(state, 0, 500);
}

// An engine that waits a minute for a silent worker or a CONFIRM.
int
et_setup_patient(void **state)
{
    return et_setup_with(state, 0, 60000);
}

// An engine that deletes executions 300 ms after they finished.
int
et_setup_expiring(void **state)
{
    return et_setup_with(state, 300, 0);
}

int
et_teardown(void **state)
{
    et_fix_t *f = *state;
    et_recv_forget(f->client);
    et_recv_forget(f->worker);
    zsock_destroy(&f->client);
    zsock_destroy(&f->worker);
    eng_stop(&f->eng);
    et_rmtree(f->dir);
    free(f);
    return 0;
}

// Request types whose REPLY body was checked (et_replies_checked).
static bool s_checked[256];

void
et_check_reply(sr_msg_type_t req, const sr_value_t *body)
{
    sr_error_t err;
    if (sr_reply_check(req, body, &err))
        fail_msg("the engine's body does not match the table: %s", err.msg);
    s_checked[(uint8_t)req] = true;
}

bool
et_reply_checked(sr_msg_type_t req)
{
    return s_checked[(uint8_t)req];
}

// A request; returns the REPLY body (owned) or NULL with *error set.
sr_value_t *
et_call(et_fix_t *f, sr_msg_t *m, sr_error_t *error)
{
    int64_t req = ++f->req;
    sr_msg_type_t type = sr_msg_type(m);
    sr_msg_set_int(m, sr_msg_field_find(type, "req_id", 6), req);
    et_send(f->client, m);
    for (;;) {
        sr_wire_in_t in;
        sr_error_t err;
        sr_err_t rc = sr_wire_recv(f->client, 5000, NULL, &in, &err);
        if (rc)
            fail_msg("no reply to request %lld: %s", (long long)req, err.msg);
        if (in.type == SR_MSG_EVENT || sr_msg_req_id(in.msg) != req) {
            sr_wire_in_fini(&in);
            continue;
        }
        sr_value_t *body = NULL;
        if (in.type == SR_MSG_REPLY) {
            body = sr_msg_take(in.msg, SR_F_REPLY_body);
            et_check_reply(type, body);
        } else
            sr_msg_to_error(in.msg, error);
        sr_wire_in_fini(&in);
        return body;
    }
}

void
et_create(et_fix_t *f, const char *text)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_WF_CREATE);
    sr_msg_set_str(m, SR_F_WF_CREATE_definition, text);
    sr_error_t err;
    sr_value_t *body = et_call(f, m, &err);
    if (!body)
        fail_msg("WF_CREATE: %s", err.msg);
    sr_value_destroy(&body);
}

// READY of worker "tw" from process `pid` (0: not said).
void
et_ready_pid(et_fix_t *f, int slots, int64_t pid)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_READY);
    sr_msg_set_str(m, SR_F_READY_worker, "tw");
    sr_msg_set_int(m, SR_F_READY_slots, slots);
    if (pid)
        sr_msg_set_int(m, SR_F_READY_pid, pid);
    et_send(f->worker, m);
}

void
et_ready(et_fix_t *f, int slots)
{
    et_ready_pid(f, slots, 0);
}

sr_msg_t *
et_confirm_new(const sr_msg_t *task)
{
    sr_id_t id;
    sr_msg_id(task, SR_F_TASK_action_id, &id);
    sr_msg_t *c = sr_msg_new(SR_MSG_CONFIRM);
    sr_msg_set_id(c, SR_F_CONFIRM_action_id, &id);
    sr_msg_set_int(c, SR_F_CONFIRM_attempt,
                   sr_msg_int(task, SR_F_TASK_attempt, 1));
    sr_msg_set_int(c, SR_F_CONFIRM_epoch, sr_msg_int(task, SR_F_TASK_epoch, 0));
    return c;
}

sr_msg_t *
et_result_new(const sr_msg_t *task, const char *status, sr_value_t *output)
{
    sr_id_t id;
    sr_msg_id(task, SR_F_TASK_action_id, &id);
    sr_msg_t *r = sr_msg_new(SR_MSG_RESULT);
    sr_msg_set_id(r, SR_F_RESULT_action_id, &id);
    sr_msg_set_int(r, SR_F_RESULT_attempt,
                   sr_msg_int(task, SR_F_TASK_attempt, 1));
    sr_msg_set_int(r, SR_F_RESULT_epoch, sr_msg_int(task, SR_F_TASK_epoch, 0));
    sr_msg_set_str(r, SR_F_RESULT_status, status);
    if (output)
        sr_msg_set(r, SR_F_RESULT_output, output);
    return r;
}

sr_msg_t *
et_serve_on(zsock_t *worker)
{
    sr_msg_t *t = et_expect(worker, SR_MSG_TASK);
    et_send(worker, et_confirm_new(t));
    sr_msg_t *go = et_expect(worker, SR_MSG_GO);
    sr_msg_destroy(&go);
    const char *action = sr_msg_str(t, SR_F_TASK_action);
    sr_msg_t *r;
    if (strcmp(action, "std.async_noop") == 0)
        r = et_result_new(t, "pending", NULL);
    else if (strcmp(action, "std.fail") == 0) {
        // As workerd sends a non-text error: its JSON text + the value.
        sr_value_t *e = sr_value_new_map(1);
        sr_value_map_put(e, "code", sr_value_new_int(42));
        r = et_result_new(t, "error", e);
        sr_msg_set_str(r, SR_F_RESULT_error, "{\"code\":42}");
    } else {
        sr_value_t *out =
            sr_value_map_get(sr_msg_get(t, SR_F_TASK_input), "output");
        r = et_result_new(t, "success",
                          out ? sr_value_ref(out) : sr_value_new_nil());
    }
    et_send(worker, r);
    sr_msg_t *ack = et_expect(worker, SR_MSG_ACK);
    sr_msg_destroy(&ack);
    return t;
}

void
et_serve(et_fix_t *f)
{
    sr_msg_t *t = et_serve_on(f->worker);
    sr_msg_destroy(&t);
}

sr_value_t *
et_get(et_fix_t *f, const sr_id_t *id)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_EX_GET);
    sr_msg_set_id(m, SR_F_EX_GET_execution_id, id);
    sr_error_t err;
    sr_value_t *body = et_call(f, m, &err);
    if (!body)
        fail_msg("EX_GET: %s", err.msg);
    return body;
}

sr_id_t
et_start(et_fix_t *f, const char *wf, const char *input_json)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_EX_START);
    sr_msg_set_str(m, SR_F_EX_START_workflow, wf);
    sr_value_t *input = NULL;
    assert_int_equal(
        sr_value_from_json(input_json, strlen(input_json), NULL, &input, NULL),
        SR_OK);
    sr_msg_set(m, SR_F_EX_START_input, input);
    sr_error_t err;
    sr_value_t *body = et_call(f, m, &err);
    if (!body)
        fail_msg("EX_START: %s", err.msg);
    sr_id_t id;
    assert_int_equal(sr_id_from_value(sr_value_map_get(body, "id"), &id),
                     SR_OK);
    sr_value_destroy(&body);
    return id;
}

void
et_assert_state(et_fix_t *f, const sr_id_t *id, const char *state)
{
    sr_value_t *body = et_get(f, id);
    const char *got = sr_value_map_str(body, "state");
    if (!got || strcmp(got, state) != 0)
        fail_msg("state %s, want %s (%s)", got ? got : "?", state,
                 sr_value_map_str(body, "state_info")
                     ? sr_value_map_str(body, "state_info")
                     : "");
    sr_value_destroy(&body);
}

void
et_beat(et_fix_t *f)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_HEARTBEAT);
    sr_msg_set_int(m, SR_F_HEARTBEAT_sent_ms, zclock_time());
    sr_msg_set_str(m, SR_F_HEARTBEAT_name, "tw");
    et_send(f->worker, m);
}

// Wait for a TASK (heartbeating meanwhile) for up to `ms`; NULL if none.
sr_msg_t *
et_task_within(et_fix_t *f, int ms)
{
    for (int waited = 0; waited < ms; waited += 100) {
        et_beat(f);
        sr_wire_in_t in;
        sr_error_t err;
        sr_err_t rc = et_recv(f->worker, 100, &in, &err);
        if (rc == SR_ETIMEDOUT)
            continue;
        assert_int_equal(rc, SR_OK);
        sr_msg_t *m = in.type == SR_MSG_TASK ? in.msg : NULL;
        in.msg = m ? NULL : in.msg;
        sr_wire_in_fini(&in);
        if (m)
            return m;
    }
    return NULL;
}

void
et_confirm(et_fix_t *f, const sr_msg_t *task)
{
    et_send(f->worker, et_confirm_new(task));
}

int64_t
et_count_executions(et_fix_t *f)
{
    sr_error_t err;
    sr_value_t *list = et_call(f, sr_msg_new(SR_MSG_EX_LIST), &err);
    if (!list)
        fail_msg("EX_LIST: %s", err.msg);
    int64_t n = (int64_t)sr_value_len(list);
    sr_value_destroy(&list);
    return n;
}

int64_t
et_status_int(et_fix_t *f, const char *key)
{
    sr_error_t err;
    sr_value_t *st = et_call(f, sr_msg_new(SR_MSG_STATUS), &err);
    assert_non_null(st);
    int64_t v = -1;
    assert_true(sr_value_map_int(st, key, &v));
    sr_value_destroy(&st);
    return v;
}