// The engine node over real sockets (ipc:// in a temporary folder): a test
// client and a test worker written against the protocol drive it through
// workflow create, execution start, the worker sequence, reads, delegate
// completion, pause/resume, delete, bad messages, and a restart.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eng.h"
#include "eng_test_util.h"
#include "sr_value_json.h"
#include "sr_wire.h"

typedef struct {
    char dir[64];
    char client_ep[128], worker_ep[128];
    eng_t *eng;
    zsock_t *client, *worker;
    int64_t req;
    int64_t expire_after_ms;
    int64_t expiry_ms; // worker expiry; 0 = 5 heartbeats (1 s)
} s_fix_t;

static void
s_engine_start(s_fix_t *f)
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

static int
s_setup_with(void **state, int64_t expire_after_ms, int64_t expiry_ms)
{
    s_fix_t *f = calloc(1, sizeof *f);
    f->expire_after_ms = expire_after_ms;
    f->expiry_ms = expiry_ms;
    strcpy(f->dir, "/tmp/sr-eng-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->client_ep, sizeof f->client_ep, "ipc://%s/c", f->dir);
    snprintf(f->worker_ep, sizeof f->worker_ep, "ipc://%s/w", f->dir);
    s_engine_start(f);
    f->client = zsock_new_dealer(f->client_ep);
    f->worker = zsock_new_dealer(f->worker_ep);
    assert_non_null(f->client);
    assert_non_null(f->worker);
    *state = f;
    return 0;
}

static int
s_setup(void **state)
{
    return s_setup_with(state, 0, 0);
}

// An engine that gives up on a silent worker after 500 ms, and on a TASK
// not confirmed after 6 times that.
static int
s_setup_hasty(void **state)
{
    return s_setup_with(state, 0, 500);
}

// An engine that waits a minute for a silent worker or a CONFIRM.
static int
s_setup_patient(void **state)
{
    return s_setup_with(state, 0, 60000);
}

// An engine that deletes executions 300 ms after they finished.
static int
s_setup_expiring(void **state)
{
    return s_setup_with(state, 300, 0);
}

static int
s_teardown(void **state)
{
    s_fix_t *f = *state;
    zsock_destroy(&f->client);
    zsock_destroy(&f->worker);
    eng_stop(&f->eng);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

// A request; returns the REPLY body (owned) or NULL with *error set.
static sr_value_t *
s_call(s_fix_t *f, sr_msg_t *m, sr_error_t *error)
{
    int64_t req = ++f->req;
    sr_msg_set_int(m, sr_msg_field_find(sr_msg_type(m), "req_id", 6), req);
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
        if (in.type == SR_MSG_REPLY)
            body = sr_msg_take(in.msg, SR_F_REPLY_body);
        else
            sr_msg_to_error(in.msg, error);
        sr_wire_in_fini(&in);
        return body;
    }
}

static const char *s_wf = "version: '2.0'\n"
                          "wf:\n"
                          "  input: [x]\n"
                          "  output:\n"
                          "    out: <% $.b %>\n"
                          "  tasks:\n"
                          "    a:\n"
                          "      action: std.echo output=<% $.x + 1 %>\n"
                          "      publish: {a: <% task().result %>}\n"
                          "      on-success: b\n"
                          "    b:\n"
                          "      action: std.echo output=<% $.a * 10 %>\n"
                          "      publish: {b: <% task().result %>}\n";

static void
s_create(s_fix_t *f, const char *text)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_WF_CREATE);
    sr_msg_set_str(m, SR_F_WF_CREATE_definition, text);
    sr_error_t err;
    sr_value_t *body = s_call(f, m, &err);
    if (!body)
        fail_msg("WF_CREATE: %s", err.msg);
    sr_value_destroy(&body);
}

// READY of worker "tw" from process `pid` (0: not said).
static void
s_ready_pid(s_fix_t *f, int slots, int64_t pid)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_READY);
    sr_msg_set_str(m, SR_F_READY_worker, "tw");
    sr_msg_set_int(m, SR_F_READY_slots, slots);
    if (pid)
        sr_msg_set_int(m, SR_F_READY_pid, pid);
    et_send(f->worker, m);
}

static void
s_ready(s_fix_t *f, int slots)
{
    s_ready_pid(f, slots, 0);
}

// Serve one TASK as the worker: CONFIRM, GO, run std.echo, RESULT, ACK.
static void
s_serve(s_fix_t *f)
{
    sr_msg_t *t = et_expect(f->worker, SR_MSG_TASK);
    sr_id_t id;
    sr_msg_id(t, SR_F_TASK_action_id, &id);
    int64_t attempt = sr_msg_int(t, SR_F_TASK_attempt, 1);
    int64_t epoch = sr_msg_int(t, SR_F_TASK_epoch, 0);
    sr_msg_t *c = sr_msg_new(SR_MSG_CONFIRM);
    sr_msg_set_id(c, SR_F_CONFIRM_action_id, &id);
    sr_msg_set_int(c, SR_F_CONFIRM_attempt, attempt);
    sr_msg_set_int(c, SR_F_CONFIRM_epoch, epoch);
    et_send(f->worker, c);
    sr_msg_t *go = et_expect(f->worker, SR_MSG_GO);
    sr_msg_destroy(&go);
    sr_msg_t *r = sr_msg_new(SR_MSG_RESULT);
    sr_msg_set_id(r, SR_F_RESULT_action_id, &id);
    sr_msg_set_int(r, SR_F_RESULT_attempt, attempt);
    sr_msg_set_int(r, SR_F_RESULT_epoch, epoch);
    const char *action = sr_msg_str(t, SR_F_TASK_action);
    if (strcmp(action, "std.async_noop") == 0)
        sr_msg_set_str(r, SR_F_RESULT_status, "pending");
    else if (strcmp(action, "std.fail") == 0) {
        // As workerd sends a non-text error: its JSON text + the value.
        sr_msg_set_str(r, SR_F_RESULT_status, "error");
        sr_msg_set_str(r, SR_F_RESULT_error, "{\"code\":42}");
        sr_value_t *e = sr_value_new_map(1);
        sr_value_map_put(e, "code", sr_value_new_int(42));
        sr_msg_set(r, SR_F_RESULT_output, e);
    } else {
        sr_msg_set_str(r, SR_F_RESULT_status, "success");
        sr_value_t *out =
            sr_value_map_get(sr_msg_get(t, SR_F_TASK_input), "output");
        sr_msg_set(r, SR_F_RESULT_output,
                   out ? sr_value_ref(out) : sr_value_new_nil());
    }
    et_send(f->worker, r);
    sr_msg_t *ack = et_expect(f->worker, SR_MSG_ACK);
    sr_msg_destroy(&ack);
    sr_msg_destroy(&t);
}

static sr_value_t *
s_get(s_fix_t *f, const sr_id_t *id)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_EX_GET);
    sr_msg_set_id(m, SR_F_EX_GET_execution_id, id);
    sr_error_t err;
    sr_value_t *body = s_call(f, m, &err);
    if (!body)
        fail_msg("EX_GET: %s", err.msg);
    return body;
}

static sr_id_t
s_start(s_fix_t *f, const char *wf, const char *input_json)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_EX_START);
    sr_msg_set_str(m, SR_F_EX_START_workflow, wf);
    sr_value_t *input = NULL;
    assert_int_equal(
        sr_value_from_json(input_json, strlen(input_json), NULL, &input, NULL),
        SR_OK);
    sr_msg_set(m, SR_F_EX_START_input, input);
    sr_error_t err;
    sr_value_t *body = s_call(f, m, &err);
    if (!body)
        fail_msg("EX_START: %s", err.msg);
    sr_id_t id;
    assert_int_equal(sr_id_from_value(sr_value_map_get(body, "id"), &id),
                     SR_OK);
    sr_value_destroy(&body);
    return id;
}

static void
s_assert_state(s_fix_t *f, const sr_id_t *id, const char *state)
{
    sr_value_t *body = s_get(f, id);
    const char *got = sr_value_map_str(body, "state");
    if (!got || strcmp(got, state) != 0)
        fail_msg("state %s, want %s (%s)", got ? got : "?", state,
                 sr_value_map_str(body, "state_info")
                     ? sr_value_map_str(body, "state_info")
                     : "");
    sr_value_destroy(&body);
}

static void
test_run_to_success(void **state)
{
    s_fix_t *f = *state;
    s_create(f, s_wf);
    s_ready(f, 2);
    sr_id_t id = s_start(f, "wf", "{\"x\": 4}");
    s_serve(f);
    s_serve(f);
    s_assert_state(f, &id, "SUCCESS");
    sr_value_t *body = s_get(f, &id);
    char *out = sr_value_to_json(sr_value_map_get(body, "output"), 0);
    assert_string_equal(out, "{\"out\":50}");
    free(out);
    sr_value_destroy(&body);
    sr_msg_t *m = sr_msg_new(SR_MSG_TASK_LIST);
    sr_msg_set_id(m, SR_F_TASK_LIST_execution_id, &id);
    sr_error_t err;
    sr_value_t *tasks = s_call(f, m, &err);
    assert_non_null(tasks);
    assert_int_equal(sr_value_len(tasks), 2);
    assert_string_equal(sr_value_map_str(sr_value_array_at(tasks, 1), "name"),
                        "b");
    sr_value_destroy(&tasks);
}

// A non-text error value from the worker reaches the workflow as the
// value (publish-on-error), not as its JSON text.
static void
test_error_value_is_kept(void **state)
{
    s_fix_t *f = *state;
    s_create(f, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    t:\n"
                "      action: std.fail\n"
                "      publish-on-error:\n"
                "        err: <% task().result %>\n"
                "      on-error: [h]\n"
                "    h:\n"
                "      action: std.echo output=<% $.err.code %>\n"
                "      publish:\n"
                "        code: <% task().result %>\n");
    s_ready(f, 1);
    sr_id_t id = s_start(f, "wf", "{}");
    s_serve(f);
    s_serve(f);
    s_assert_state(f, &id, "SUCCESS");
    sr_value_t *body = s_get(f, &id);
    char *out = sr_value_to_json(sr_value_map_get(body, "output"), 0);
    assert_string_equal(out, "{\"err\":{\"code\":42},\"code\":42}");
    free(out);
    sr_value_destroy(&body);
}

static void
test_errors_answered(void **state)
{
    s_fix_t *f = *state;
    sr_error_t err;
    // An invalid definition names file:line:col.
    sr_msg_t *m = sr_msg_new(SR_MSG_WF_CREATE);
    sr_msg_set_str(m, SR_F_WF_CREATE_definition,
                   "version: '2.0'\nwf:\n  tasks:\n    a:\n      on-success: "
                   "nope\n");
    assert_null(s_call(f, m, &err));
    assert_int_equal(err.code, SR_EINVAL);
    assert_non_null(strstr(err.msg, "definition:5:"));
    // Unknown workflow and execution.
    m = sr_msg_new(SR_MSG_EX_START);
    sr_msg_set_str(m, SR_F_EX_START_workflow, "missing");
    assert_null(s_call(f, m, &err));
    assert_int_equal(err.code, SR_ENOTFOUND);
    sr_id_t id;
    sr_id_make(0, 1, &id);
    m = sr_msg_new(SR_MSG_EX_GET);
    sr_msg_set_id(m, SR_F_EX_GET_execution_id, &id);
    assert_null(s_call(f, m, &err));
    assert_int_equal(err.code, SR_ENOTFOUND);
    // Garbage bytes: an ERROR, and the engine keeps serving.
    zframe_t *junk = zframe_new("\x93\x01\x02", 3);
    zframe_send(&junk, zsock_resolve(f->client), 0);
    sr_msg_t *e = et_expect(f->client, SR_MSG_ERROR);
    sr_msg_destroy(&e);
    // A worker message before READY: ESTATE.
    sr_msg_t *c = sr_msg_new(SR_MSG_CONFIRM);
    sr_msg_set_id(c, SR_F_CONFIRM_action_id, &id);
    sr_msg_set_int(c, SR_F_CONFIRM_attempt, 1);
    sr_msg_set_int(c, SR_F_CONFIRM_epoch, 1);
    et_send(f->worker, c);
    e = et_expect(f->worker, SR_MSG_ERROR);
    sr_msg_to_error(e, &err);
    assert_int_equal(err.code, SR_ESTATE);
    sr_msg_destroy(&e);
    m = sr_msg_new(SR_MSG_STATUS);
    sr_value_t *st = s_call(f, m, &err);
    assert_non_null(st);
    sr_value_destroy(&st);
}

static void
test_delegate_pause_resume_restart(void **state)
{
    s_fix_t *f = *state;
    s_create(f, "version: '2.0'\nwd:\n  tasks:\n    a:\n      action: "
                "std.async_noop\n      on-success: b\n    b:\n      "
                "action: std.echo output=done\n");
    s_ready(f, 1);
    sr_id_t id = s_start(f, "wd", "{}");
    s_serve(f); // pending
    s_assert_state(f, &id, "RUNNING");
    sr_msg_t *m = sr_msg_new(SR_MSG_EX_PAUSE);
    sr_msg_set_id(m, SR_F_EX_PAUSE_execution_id, &id);
    sr_error_t err;
    sr_value_t *b = s_call(f, m, &err);
    assert_non_null(b);
    sr_value_destroy(&b);
    // The engine restarts; the execution waits in LMDB.
    zsock_destroy(&f->client);
    zsock_destroy(&f->worker);
    eng_stop(&f->eng);
    s_engine_start(f);
    f->client = zsock_new_dealer(f->client_ep);
    f->worker = zsock_new_dealer(f->worker_ep);
    s_assert_state(f, &id, "PAUSED");
    // Complete the delegate by its action id (from the task list is not
    // exposed; find it through the worker: the action is the first one).
    m = sr_msg_new(SR_MSG_EX_RESUME);
    sr_msg_set_id(m, SR_F_EX_RESUME_execution_id, &id);
    b = s_call(f, m, &err);
    assert_non_null(b);
    sr_value_destroy(&b);
    s_assert_state(f, &id, "RUNNING");
    m = sr_msg_new(SR_MSG_EX_CANCEL);
    sr_msg_set_id(m, SR_F_EX_CANCEL_execution_id, &id);
    sr_msg_set_str(m, SR_F_EX_CANCEL_reason, "enough");
    b = s_call(f, m, &err);
    assert_non_null(b);
    assert_string_equal(sr_value_map_str(b, "state"), "CANCELLED");
    sr_value_destroy(&b);
}

static sr_value_t *
s_delete(s_fix_t *f, const sr_id_t *id, bool force, sr_error_t *err)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_EX_DELETE);
    sr_msg_set_id(m, SR_F_EX_DELETE_execution_id, id);
    if (force)
        sr_msg_set_bool(m, SR_F_EX_DELETE_force, true);
    return s_call(f, m, err);
}

static void
test_delete_finished_and_forced(void **state)
{
    s_fix_t *f = *state;
    s_create(f, s_wf);
    s_create(f, "version: '2.0'\nwd:\n  tasks:\n    a:\n      action: "
                "std.async_noop\n");
    s_ready(f, 2);
    sr_id_t done = s_start(f, "wf", "{\"x\": 1}");
    s_serve(f);
    s_serve(f);
    s_assert_state(f, &done, "SUCCESS");
    sr_error_t err;
    char text[SR_ID_TEXT_SIZE];
    sr_value_t *b = s_delete(f, &done, false, &err);
    if (!b)
        fail_msg("EX_DELETE: %s", err.msg);
    assert_string_equal(sr_value_map_str(b, "id"), sr_id_format(&done, text));
    assert_string_equal(sr_value_map_str(b, "state"), "DELETED");
    sr_value_destroy(&b);
    sr_msg_t *m = sr_msg_new(SR_MSG_EX_GET);
    sr_msg_set_id(m, SR_F_EX_GET_execution_id, &done);
    assert_null(s_call(f, m, &err));
    assert_int_equal(err.code, SR_ENOTFOUND);
    m = sr_msg_new(SR_MSG_TASK_LIST);
    sr_msg_set_id(m, SR_F_TASK_LIST_execution_id, &done);
    assert_null(s_call(f, m, &err));
    assert_int_equal(err.code, SR_ENOTFOUND);
    assert_null(s_delete(f, &done, false, &err));
    assert_int_equal(err.code, SR_ENOTFOUND);

    // A running one: refused, then forced; its subscriber hears DELETED.
    sr_id_t run = s_start(f, "wd", "{}");
    sr_msg_t *t = et_expect(f->worker, SR_MSG_TASK);
    sr_id_t action;
    sr_msg_id(t, SR_F_TASK_action_id, &action);
    sr_msg_t *c = sr_msg_new(SR_MSG_CONFIRM);
    sr_msg_set_id(c, SR_F_CONFIRM_action_id, &action);
    sr_msg_set_int(c, SR_F_CONFIRM_attempt, 1);
    sr_msg_set_int(c, SR_F_CONFIRM_epoch, sr_msg_int(t, SR_F_TASK_epoch, 0));
    et_send(f->worker, c);
    sr_msg_t *go = et_expect(f->worker, SR_MSG_GO);
    sr_msg_destroy(&go);
    m = sr_msg_new(SR_MSG_SUBSCRIBE);
    sr_msg_set_id(m, SR_F_SUBSCRIBE_execution_id, &run);
    b = s_call(f, m, &err);
    assert_non_null(b);
    sr_value_destroy(&b);
    assert_null(s_delete(f, &run, false, &err));
    assert_int_equal(err.code, SR_ESTATE);
    assert_non_null(strstr(err.msg, "is RUNNING"));
    assert_non_null(strstr(err.msg, sr_id_format(&run, text)));
    b = s_delete(f, &run, true, &err);
    if (!b)
        fail_msg("EX_DELETE force: %s", err.msg);
    sr_value_destroy(&b);
    bool deleted = false;
    for (int i = 0; i < 10 && !deleted; i++) {
        sr_msg_t *ev = et_expect(f->client, SR_MSG_EVENT);
        deleted = !strcmp(sr_msg_str(ev, SR_F_EVENT_state), "DELETED");
        sr_msg_destroy(&ev);
    }
    assert_true(deleted);
    // The worker's late RESULT is acknowledged all the same.
    sr_msg_t *r = sr_msg_new(SR_MSG_RESULT);
    sr_msg_set_id(r, SR_F_RESULT_action_id, &action);
    sr_msg_set_int(r, SR_F_RESULT_attempt, 1);
    sr_msg_set_int(r, SR_F_RESULT_epoch, sr_msg_int(t, SR_F_TASK_epoch, 0));
    sr_msg_set_str(r, SR_F_RESULT_status, "success");
    et_send(f->worker, r);
    sr_msg_t *ack = et_expect(f->worker, SR_MSG_ACK);
    sr_msg_destroy(&ack);
    sr_msg_destroy(&t);
    m = sr_msg_new(SR_MSG_EX_LIST);
    b = s_call(f, m, &err);
    assert_non_null(b);
    assert_int_equal(sr_value_len(b), 0);
    sr_value_destroy(&b);
}

static void
test_finished_executions_expire(void **state)
{
    s_fix_t *f = *state;
    s_create(f, s_wf);
    s_create(f, "version: '2.0'\nwd:\n  tasks:\n    a:\n      action: "
                "std.async_noop\n");
    s_ready(f, 2);
    sr_id_t done = s_start(f, "wf", "{\"x\": 1}");
    s_serve(f);
    s_serve(f);
    s_assert_state(f, &done, "SUCCESS");
    sr_id_t run = s_start(f, "wd", "{}");
    s_serve(f); // pending: RUNNING for good
    // A pass every 2 s deletes what finished over 300 ms ago.
    sr_error_t err;
    bool gone = false;
    for (int i = 0; i < 100 && !gone; i++) {
        sr_msg_t *m = sr_msg_new(SR_MSG_EX_GET);
        sr_msg_set_id(m, SR_F_EX_GET_execution_id, &done);
        sr_value_t *b = s_call(f, m, &err);
        gone = !b && err.code == SR_ENOTFOUND;
        sr_value_destroy(&b);
        if (!gone)
            zclock_sleep(50);
    }
    if (!gone)
        fail_msg("the finished execution did not expire within 5 s");
    s_assert_state(f, &run, "RUNNING");
    sr_value_t *st = s_call(f, sr_msg_new(SR_MSG_STATUS), &err);
    assert_non_null(st);
    int64_t expired = -1;
    assert_true(sr_value_map_int(st, "expired", &expired));
    assert_int_equal(expired, 1);
    sr_value_destroy(&st);
}

// The worker's heartbeat (it stays alive while it ignores a TASK).
static void
s_beat(s_fix_t *f)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_HEARTBEAT);
    sr_msg_set_int(m, SR_F_HEARTBEAT_sent_ms, zclock_time());
    sr_msg_set_str(m, SR_F_HEARTBEAT_name, "tw");
    et_send(f->worker, m);
}

// Wait for a TASK (heartbeating meanwhile) for up to `ms`; NULL if none.
static sr_msg_t *
s_task_within(s_fix_t *f, int ms)
{
    for (int waited = 0; waited < ms; waited += 100) {
        s_beat(f);
        sr_wire_in_t in;
        sr_error_t err;
        sr_err_t rc = sr_wire_recv(f->worker, 100, NULL, &in, &err);
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

static void
s_confirm(s_fix_t *f, const sr_msg_t *task)
{
    sr_id_t id;
    sr_msg_id(task, SR_F_TASK_action_id, &id);
    sr_msg_t *c = sr_msg_new(SR_MSG_CONFIRM);
    sr_msg_set_id(c, SR_F_CONFIRM_action_id, &id);
    sr_msg_set_int(c, SR_F_CONFIRM_attempt,
                   sr_msg_int(task, SR_F_TASK_attempt, 0));
    sr_msg_set_int(c, SR_F_CONFIRM_epoch, sr_msg_int(task, SR_F_TASK_epoch, 0));
    et_send(f->worker, c);
}

static int64_t
s_status_int(s_fix_t *f, const char *key)
{
    sr_error_t err;
    sr_value_t *st = s_call(f, sr_msg_new(SR_MSG_STATUS), &err);
    assert_non_null(st);
    int64_t v = -1;
    assert_true(sr_value_map_int(st, key, &v));
    sr_value_destroy(&st);
    return v;
}

// A TASK the worker never confirms (lost on its way, say) is offered
// again after the expiry time as a new attempt, with a new token; the
// old attempt's late CONFIRM is told HALT, and the run goes on.
static void
test_unconfirmed_task_is_offered_again(void **state)
{
    s_fix_t *f = *state;
    s_create(f, s_wf);
    s_ready(f, 1);
    sr_id_t ex = s_start(f, "wf", "{\"x\": 1}");
    sr_msg_t *first = s_task_within(f, 5000);
    assert_non_null(first);
    assert_int_equal(sr_msg_int(first, SR_F_TASK_attempt, 0), 1);
    sr_msg_t *again = s_task_within(f, 8000); // after 6 x 500 ms
    if (!again)
        fail_msg("the unconfirmed TASK was not offered again within 8 s");
    sr_id_t a1, a2;
    sr_msg_id(first, SR_F_TASK_action_id, &a1);
    sr_msg_id(again, SR_F_TASK_action_id, &a2);
    assert_true(sr_id_equal(&a1, &a2));
    assert_int_equal(sr_msg_int(again, SR_F_TASK_attempt, 0), 2);
    assert_string_not_equal(sr_msg_str(again, SR_F_TASK_token),
                            sr_msg_str(first, SR_F_TASK_token));
    assert_non_null(
        sr_value_map_get(sr_msg_get(again, SR_F_TASK_context), "execution_id"));
    s_confirm(f, first);
    sr_msg_t *halt = et_expect(f->worker, SR_MSG_HALT);
    assert_int_equal(sr_msg_int(halt, SR_F_HALT_attempt, 0), 1);
    sr_msg_destroy(&halt);
    s_confirm(f, again);
    sr_msg_t *go = et_expect(f->worker, SR_MSG_GO);
    assert_int_equal(sr_msg_int(go, SR_F_GO_attempt, 0), 2);
    sr_msg_destroy(&go);
    sr_msg_t *r = sr_msg_new(SR_MSG_RESULT);
    sr_msg_set_id(r, SR_F_RESULT_action_id, &a2);
    sr_msg_set_int(r, SR_F_RESULT_attempt, 2);
    sr_msg_set_int(r, SR_F_RESULT_epoch, sr_msg_int(again, SR_F_TASK_epoch, 0));
    sr_msg_set_str(r, SR_F_RESULT_status, "success");
    sr_msg_set(r, SR_F_RESULT_output, sr_value_new_int(2));
    et_send(f->worker, r);
    sr_msg_t *ack = et_expect(f->worker, SR_MSG_ACK);
    sr_msg_destroy(&ack);
    s_serve(f); // b: the slot was freed by the RESULT
    s_assert_state(f, &ex, "SUCCESS");
    assert_true(s_status_int(f, "reoffered") >= 1);
    sr_msg_destroy(&first);
    sr_msg_destroy(&again);
}

// A worker that comes back on a new connection (READY, same name) may
// have lost the TASKs sent to the old one: those not confirmed are
// offered again at once, not after the (here one minute) expiry.
static void
test_ready_again_offers_unconfirmed_tasks_again(void **state)
{
    s_fix_t *f = *state;
    s_create(f, s_wf);
    s_ready(f, 1);
    sr_id_t ex = s_start(f, "wf", "{\"x\": 1}");
    sr_msg_t *lost = s_task_within(f, 5000);
    assert_non_null(lost);
    sr_msg_destroy(&lost);
    zsock_destroy(&f->worker);
    f->worker = zsock_new_dealer(f->worker_ep);
    assert_non_null(f->worker);
    s_ready(f, 1);
    sr_msg_t *again = s_task_within(f, 5000);
    if (!again)
        fail_msg("no TASK on the worker's new connection within 5 s");
    assert_int_equal(sr_msg_int(again, SR_F_TASK_attempt, 0), 2);
    sr_msg_destroy(&again);
    assert_int_equal(s_status_int(f, "reoffered"), 1);
    s_assert_state(f, &ex, "RUNNING");
}

// An action running at a worker when the engine restarts: the worker
// comes back (READY on a new connection) and keeps running it past the
// expiry time; the engine adopts it instead of failing it as lost, and
// its RESULT ends the execution with SUCCESS.
static void
test_a_long_action_survives_an_engine_restart(void **state)
{
    s_fix_t *f = *state;
    s_create(f, "version: '2.0'\nlong:\n  tasks:\n    a:\n      action: "
                "std.echo output=7\n");
    s_ready(f, 1);
    sr_id_t ex = s_start(f, "long", "{}");
    sr_msg_t *t = s_task_within(f, 5000);
    assert_non_null(t);
    s_confirm(f, t);
    sr_msg_t *go = et_expect(f->worker, SR_MSG_GO);
    sr_msg_destroy(&go);
    zsock_destroy(&f->client);
    zsock_destroy(&f->worker);
    eng_stop(&f->eng);
    s_engine_start(f);
    f->client = zsock_new_dealer(f->client_ep);
    f->worker = zsock_new_dealer(f->worker_ep);
    s_ready(f, 1);
    sr_msg_t *none = s_task_within(f, 2000); // 4 expiry times
    assert_null(none);
    s_assert_state(f, &ex, "RUNNING");
    sr_id_t id;
    sr_msg_id(t, SR_F_TASK_action_id, &id);
    sr_msg_t *r = sr_msg_new(SR_MSG_RESULT);
    sr_msg_set_id(r, SR_F_RESULT_action_id, &id);
    sr_msg_set_int(r, SR_F_RESULT_attempt, sr_msg_int(t, SR_F_TASK_attempt, 1));
    sr_msg_set_int(r, SR_F_RESULT_epoch, sr_msg_int(t, SR_F_TASK_epoch, 0));
    sr_msg_set_str(r, SR_F_RESULT_status, "success");
    sr_msg_set(r, SR_F_RESULT_output, sr_value_new_int(7));
    et_send(f->worker, r);
    sr_msg_t *ack = et_expect(f->worker, SR_MSG_ACK);
    sr_msg_destroy(&ack);
    s_assert_state(f, &ex, "SUCCESS");
    sr_msg_destroy(&t);
}

// A worker restarted under its configured name (READY with another pid)
// holds none of the actions of the old process: they are lost at once
// (this one, not safe to run again, fails), not awaited for ever.
static void
test_a_restarted_worker_loses_the_old_actions(void **state)
{
    s_fix_t *f = *state;
    s_create(f, "version: '2.0'\nlong:\n  tasks:\n    a:\n      action: "
                "std.echo output=7\n");
    s_ready_pid(f, 1, 100);
    sr_id_t ex = s_start(f, "long", "{}");
    sr_msg_t *t = s_task_within(f, 5000);
    assert_non_null(t);
    s_confirm(f, t);
    sr_msg_t *go = et_expect(f->worker, SR_MSG_GO);
    sr_msg_destroy(&go);
    sr_msg_destroy(&t);
    zsock_destroy(&f->worker);
    f->worker = zsock_new_dealer(f->worker_ep);
    s_ready_pid(f, 1, 101);
    for (int i = 0; i < 100; i++) {
        sr_value_t *b = s_get(f, &ex);
        bool done = strcmp(sr_value_map_str(b, "state"), "RUNNING") != 0;
        sr_value_destroy(&b);
        if (done)
            break;
        s_beat(f);
        zclock_sleep(20);
    }
    s_assert_state(f, &ex, "ERROR");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_run_to_success, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_error_value_is_kept, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_errors_answered, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(test_delegate_pause_resume_restart,
                                        s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_delete_finished_and_forced,
                                        s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_unconfirmed_task_is_offered_again,
                                        s_setup_hasty, s_teardown),
        cmocka_unit_test_setup_teardown(
            test_ready_again_offers_unconfirmed_tasks_again, s_setup_patient,
            s_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_long_action_survives_an_engine_restart, s_setup_hasty,
            s_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_restarted_worker_loses_the_old_actions, s_setup_patient,
            s_teardown),
        cmocka_unit_test_setup_teardown(test_finished_executions_expire,
                                        s_setup_expiring, s_teardown),
    };
    zsys_init();
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    zsys_shutdown();
    return rc;
}
