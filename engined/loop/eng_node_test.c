// The engine node over real sockets (ipc:// in a temporary folder): a test
// client and a test worker written against the protocol drive it through
// workflow create, execution start, the worker sequence, reads, delegate
// completion, pause/resume, delete, bad messages, and a restart; and
// definitions validated without being stored, workflows described
// (input, tags) in WF_VALIDATE, WF_CREATE, WF_GET and WF_LIST, and a
// subscription asked again kept once.
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
#include "sr_body.h"
#include "sr_value_json.h"
#include "sr_wire.h"

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
test_run_to_success(void **state)
{
    et_fix_t *f = *state;
    et_create(f, s_wf);
    et_ready(f, 2);
    sr_id_t id = et_start(f, "wf", "{\"x\": 4}");
    et_serve(f);
    et_serve(f);
    et_assert_state(f, &id, "SUCCESS");
    sr_value_t *body = et_get(f, &id);
    char *out = sr_value_to_json(sr_value_map_get(body, "output"), 0);
    assert_string_equal(out, "{\"out\":50}");
    free(out);
    sr_value_destroy(&body);
    sr_msg_t *m = sr_msg_new(SR_MSG_TASK_LIST);
    sr_msg_set_id(m, SR_F_TASK_LIST_execution_id, &id);
    sr_error_t err;
    sr_value_t *tasks = et_call(f, m, &err);
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
    et_fix_t *f = *state;
    et_create(f, "version: '2.0'\n"
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
    et_ready(f, 1);
    sr_id_t id = et_start(f, "wf", "{}");
    et_serve(f);
    et_serve(f);
    et_assert_state(f, &id, "SUCCESS");
    sr_value_t *body = et_get(f, &id);
    char *out = sr_value_to_json(sr_value_map_get(body, "output"), 0);
    assert_string_equal(out, "{\"err\":{\"code\":42},\"code\":42}");
    free(out);
    sr_value_destroy(&body);
}

static void
test_errors_answered(void **state)
{
    et_fix_t *f = *state;
    sr_error_t err;
    // An invalid definition names file:line:col.
    sr_msg_t *m = sr_msg_new(SR_MSG_WF_CREATE);
    sr_msg_set_str(m, SR_F_WF_CREATE_definition,
                   "version: '2.0'\nwf:\n  tasks:\n    a:\n      on-success: "
                   "nope\n");
    assert_null(et_call(f, m, &err));
    assert_int_equal(err.code, SR_EINVAL);
    assert_non_null(strstr(err.msg, "definition:5:"));
    // Unknown workflow and execution.
    m = sr_msg_new(SR_MSG_EX_START);
    sr_msg_set_str(m, SR_F_EX_START_workflow, "missing");
    assert_null(et_call(f, m, &err));
    assert_int_equal(err.code, SR_ENOTFOUND);
    sr_id_t id;
    sr_id_make(0, 1, &id);
    m = sr_msg_new(SR_MSG_EX_GET);
    sr_msg_set_id(m, SR_F_EX_GET_execution_id, &id);
    assert_null(et_call(f, m, &err));
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
    sr_value_t *st = et_call(f, m, &err);
    assert_non_null(st);
    sr_value_destroy(&st);
}

static const char *s_two = "version: '2.0'\n"
                           "one:\n"
                           "  tags: [a, b]\n"
                           "  input: [x, {y: 2}, {z: text}]\n"
                           "  tasks:\n    t: {action: std.noop}\n"
                           "two:\n  tasks:\n    t: {action: std.noop}\n";

// The item of `list` for workflow `name`; fails the test when absent.
static const sr_value_t *
s_named(const sr_value_t *list, const char *name)
{
    for (size_t i = 0; i < sr_value_len(list); i++) {
        const sr_value_t *w = sr_value_array_at(list, i);
        const char *n = sr_body_str(w, SR_B_WORKFLOW_name);
        if (n && strcmp(n, name) == 0)
            return w;
    }
    fail_msg("no workflow '%s' in the list", name);
    return NULL;
}

// Fails unless `wf` describes workflow "one" or "two" of s_two.
static void
s_assert_described(const sr_value_t *wf)
{
    bool one = strcmp(sr_body_str(wf, SR_B_WORKFLOW_name), "one") == 0;
    const char *input = sr_body_str(wf, SR_B_WORKFLOW_input);
    const sr_value_t *tags = sr_body_get(wf, SR_B_WORKFLOW_tags);
    assert_non_null(input);
    assert_string_equal(input, one ? "x, y=2, z=text" : "");
    assert_int_equal(sr_value_len(tags), one ? 2 : 0);
    if (one)
        assert_string_equal(sr_value_str(sr_value_array_at(tags, 1)), "b");
}

// Both workflows of s_two, described, in `list` (of two).
static void
s_assert_both(const sr_value_t *list)
{
    assert_int_equal(sr_value_len(list), 2);
    s_assert_described(s_named(list, "one"));
    s_assert_described(s_named(list, "two"));
}

static sr_value_t *
s_wf_call(et_fix_t *f, sr_msg_type_t type, sr_field_t field, const char *text,
          sr_error_t *err)
{
    sr_msg_t *m = sr_msg_new(type);
    if (field != SR_F_COUNT)
        sr_msg_set_str(m, field, text);
    return et_call(f, m, err);
}

// WF_LIST, described or not; fails the test on an ERROR.
static sr_value_t *
s_wf_list(et_fix_t *f, bool describe)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_WF_LIST);
    if (describe)
        sr_msg_set_bool(m, SR_F_WF_LIST_describe, true);
    sr_error_t err;
    sr_value_t *list = et_call(f, m, &err);
    if (!list)
        fail_msg("WF_LIST: %s", err.msg);
    return list;
}

// WF_VALIDATE loads and checks like WF_CREATE and answers the same
// descriptions, or EINVAL with each problem on a line; either way nothing
// is stored: no workflow is listed, read or started.
static void
test_validate_checks_and_stores_nothing(void **state)
{
    et_fix_t *f = *state;
    sr_error_t err;
    sr_value_t *v = s_wf_call(f, SR_MSG_WF_VALIDATE,
                              SR_F_WF_VALIDATE_definition, s_two, &err);
    if (!v)
        fail_msg("WF_VALIDATE: %s", err.msg);
    s_assert_both(v);
    assert_null(sr_body_get(sr_value_array_at(v, 0), SR_B_WORKFLOW_created_ms));
    sr_value_destroy(&v);
    v = s_wf_call(f, SR_MSG_WF_VALIDATE, SR_F_WF_VALIDATE_definition,
                  "version: '2.0'\nwf:\n  tasks:\n    a:\n      on-success: "
                  "nope\n    b:\n      on-error: nada\n",
                  &err);
    assert_null(v);
    assert_int_equal(err.code, SR_EINVAL);
    assert_string_equal(err.where, "field 'definition'");
    assert_true(strncmp(err.msg, "definition:5:", 13) == 0);
    assert_non_null(strstr(err.msg, "\ndefinition:7:"));

    sr_value_t *all = s_wf_list(f, true);
    assert_int_equal(sr_value_len(all), 0);
    sr_value_destroy(&all);
    assert_null(s_wf_call(f, SR_MSG_WF_GET, SR_F_WF_GET_name, "one", &err));
    assert_int_equal(err.code, SR_ENOTFOUND);
    assert_null(
        s_wf_call(f, SR_MSG_EX_START, SR_F_EX_START_workflow, "two", &err));
    assert_int_equal(err.code, SR_ENOTFOUND);
}

// The workflows of a definition are described alike when created, read
// and listed with `describe` (also by an engine that loads the stored
// definition again after a restart); a plain WF_LIST leaves that out.
static void
test_workflows_are_described(void **state)
{
    et_fix_t *f = *state;
    sr_error_t err;
    sr_value_t *dry = s_wf_call(f, SR_MSG_WF_VALIDATE,
                                SR_F_WF_VALIDATE_definition, s_two, &err);
    sr_value_t *made =
        s_wf_call(f, SR_MSG_WF_CREATE, SR_F_WF_CREATE_definition, s_two, &err);
    assert_non_null(dry);
    assert_non_null(made);
    s_assert_both(made);
    const sr_value_t *one = s_named(made, "one");
    assert_true(sr_body_int(one, SR_B_WORKFLOW_created_ms, 0) > 0);
    assert_string_equal(
        sr_body_str(one, SR_B_WORKFLOW_version),
        sr_body_str(s_named(dry, "one"), SR_B_WORKFLOW_version));
    sr_value_destroy(&dry);
    sr_value_destroy(&made);

    sr_value_t *got =
        s_wf_call(f, SR_MSG_WF_GET, SR_F_WF_GET_name, "one", &err);
    assert_non_null(got);
    s_assert_described(got);
    assert_string_equal(sr_body_str(got, SR_B_WORKFLOW_definition), s_two);
    sr_value_destroy(&got);

    sr_value_t *plain = s_wf_list(f, false);
    assert_int_equal(sr_value_len(plain), 2);
    assert_null(sr_body_get(s_named(plain, "one"), SR_B_WORKFLOW_input));
    sr_value_destroy(&plain);
    for (int run = 0; run < 2; run++) {
        if (run == 1)
            et_restart(f); // an empty document cache
        sr_value_t *all = s_wf_list(f, true);
        s_assert_both(all);
        sr_value_destroy(&all);
    }
}

static void
test_delegate_pause_resume_restart(void **state)
{
    et_fix_t *f = *state;
    et_create(f, "version: '2.0'\nwd:\n  tasks:\n    a:\n      action: "
                 "std.async_noop\n      on-success: b\n    b:\n      "
                 "action: std.echo output=done\n");
    et_ready(f, 1);
    sr_id_t id = et_start(f, "wd", "{}");
    et_serve(f); // pending
    et_assert_state(f, &id, "RUNNING");
    sr_msg_t *m = sr_msg_new(SR_MSG_EX_PAUSE);
    sr_msg_set_id(m, SR_F_EX_PAUSE_execution_id, &id);
    sr_error_t err;
    sr_value_t *b = et_call(f, m, &err);
    assert_non_null(b);
    sr_value_destroy(&b);
    // The engine restarts; the execution waits in LMDB.
    et_restart(f);
    et_assert_state(f, &id, "PAUSED");
    // Complete the delegate by its action id (from the task list is not
    // exposed; find it through the worker: the action is the first one).
    m = sr_msg_new(SR_MSG_EX_RESUME);
    sr_msg_set_id(m, SR_F_EX_RESUME_execution_id, &id);
    b = et_call(f, m, &err);
    assert_non_null(b);
    sr_value_destroy(&b);
    et_assert_state(f, &id, "RUNNING");
    m = sr_msg_new(SR_MSG_EX_CANCEL);
    sr_msg_set_id(m, SR_F_EX_CANCEL_execution_id, &id);
    sr_msg_set_str(m, SR_F_EX_CANCEL_reason, "enough");
    b = et_call(f, m, &err);
    assert_non_null(b);
    assert_string_equal(sr_value_map_str(b, "state"), "CANCELLED");
    sr_value_destroy(&b);
}

static sr_value_t *
s_delete(et_fix_t *f, const sr_id_t *id, bool force, sr_error_t *err)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_EX_DELETE);
    sr_msg_set_id(m, SR_F_EX_DELETE_execution_id, id);
    if (force)
        sr_msg_set_bool(m, SR_F_EX_DELETE_force, true);
    return et_call(f, m, err);
}

static void
test_delete_finished_and_forced(void **state)
{
    et_fix_t *f = *state;
    et_create(f, s_wf);
    et_create(f, "version: '2.0'\nwd:\n  tasks:\n    a:\n      action: "
                 "std.async_noop\n");
    et_ready(f, 2);
    sr_id_t done = et_start(f, "wf", "{\"x\": 1}");
    et_serve(f);
    et_serve(f);
    et_assert_state(f, &done, "SUCCESS");
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
    assert_null(et_call(f, m, &err));
    assert_int_equal(err.code, SR_ENOTFOUND);
    m = sr_msg_new(SR_MSG_TASK_LIST);
    sr_msg_set_id(m, SR_F_TASK_LIST_execution_id, &done);
    assert_null(et_call(f, m, &err));
    assert_int_equal(err.code, SR_ENOTFOUND);
    assert_null(s_delete(f, &done, false, &err));
    assert_int_equal(err.code, SR_ENOTFOUND);

    // A running one: refused, then forced; its subscriber hears DELETED.
    sr_id_t run = et_start(f, "wd", "{}");
    sr_msg_t *t = et_expect(f->worker, SR_MSG_TASK);
    et_confirm(f, t);
    sr_msg_t *go = et_expect(f->worker, SR_MSG_GO);
    sr_msg_destroy(&go);
    m = sr_msg_new(SR_MSG_SUBSCRIBE);
    sr_msg_set_id(m, SR_F_SUBSCRIBE_execution_id, &run);
    b = et_call(f, m, &err);
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
    et_send(f->worker, et_result_new(t, "success", NULL));
    sr_msg_t *ack = et_expect(f->worker, SR_MSG_ACK);
    sr_msg_destroy(&ack);
    sr_msg_destroy(&t);
    m = sr_msg_new(SR_MSG_EX_LIST);
    b = et_call(f, m, &err);
    assert_non_null(b);
    assert_int_equal(sr_value_len(b), 0);
    sr_value_destroy(&b);
}

static void
test_finished_executions_expire(void **state)
{
    et_fix_t *f = *state;
    et_create(f, s_wf);
    et_create(f, "version: '2.0'\nwd:\n  tasks:\n    a:\n      action: "
                 "std.async_noop\n");
    et_ready(f, 2);
    sr_id_t done = et_start(f, "wf", "{\"x\": 1}");
    et_serve(f);
    et_serve(f);
    et_assert_state(f, &done, "SUCCESS");
    sr_id_t run = et_start(f, "wd", "{}");
    et_serve(f); // pending: RUNNING for good
    // A pass every 2 s deletes what finished over 300 ms ago.
    sr_error_t err;
    bool gone = false;
    for (int i = 0; i < 100 && !gone; i++) {
        sr_msg_t *m = sr_msg_new(SR_MSG_EX_GET);
        sr_msg_set_id(m, SR_F_EX_GET_execution_id, &done);
        sr_value_t *b = et_call(f, m, &err);
        gone = !b && err.code == SR_ENOTFOUND;
        sr_value_destroy(&b);
        if (!gone)
            zclock_sleep(50);
    }
    if (!gone)
        fail_msg("the finished execution did not expire within 5 s");
    et_assert_state(f, &run, "RUNNING");
    sr_value_t *st = et_call(f, sr_msg_new(SR_MSG_STATUS), &err);
    assert_non_null(st);
    int64_t expired = -1;
    assert_true(sr_value_map_int(st, "expired", &expired));
    assert_int_equal(expired, 1);
    sr_value_destroy(&st);
}

// A TASK the worker never confirms (lost on its way, say) is offered
// again after the expiry time as a new attempt, with a new token; the
// old attempt's late CONFIRM is told HALT, and the run goes on.
static void
test_unconfirmed_task_is_offered_again(void **state)
{
    et_fix_t *f = *state;
    et_create(f, s_wf);
    et_ready(f, 1);
    sr_id_t ex = et_start(f, "wf", "{\"x\": 1}");
    sr_msg_t *first = et_task_within(f, 5000);
    assert_non_null(first);
    assert_int_equal(sr_msg_int(first, SR_F_TASK_attempt, 0), 1);
    sr_msg_t *again = et_task_within(f, 8000); // after 6 x 500 ms
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
    et_confirm(f, first);
    sr_msg_t *halt = et_expect(f->worker, SR_MSG_HALT);
    assert_int_equal(sr_msg_int(halt, SR_F_HALT_attempt, 0), 1);
    sr_msg_destroy(&halt);
    et_confirm(f, again);
    sr_msg_t *go = et_expect(f->worker, SR_MSG_GO);
    assert_int_equal(sr_msg_int(go, SR_F_GO_attempt, 0), 2);
    sr_msg_destroy(&go);
    et_send(f->worker, et_result_new(again, "success", sr_value_new_int(2)));
    sr_msg_t *ack = et_expect(f->worker, SR_MSG_ACK);
    sr_msg_destroy(&ack);
    et_serve(f); // b: the slot was freed by the RESULT
    et_assert_state(f, &ex, "SUCCESS");
    assert_true(et_status_int(f, "reoffered") >= 1);
    sr_msg_destroy(&first);
    sr_msg_destroy(&again);
}

// A worker that comes back on a new connection (READY, same name) may
// have lost the TASKs sent to the old one: those not confirmed are
// offered again at once, not after the (here one minute) expiry.
static void
test_ready_again_offers_unconfirmed_tasks_again(void **state)
{
    et_fix_t *f = *state;
    et_create(f, s_wf);
    et_ready(f, 1);
    sr_id_t ex = et_start(f, "wf", "{\"x\": 1}");
    sr_msg_t *lost = et_task_within(f, 5000);
    assert_non_null(lost);
    sr_msg_destroy(&lost);
    et_recv_forget(f->worker);
    zsock_destroy(&f->worker);
    f->worker = zsock_new_dealer(f->worker_ep);
    assert_non_null(f->worker);
    et_ready(f, 1);
    sr_msg_t *again = et_task_within(f, 5000);
    if (!again)
        fail_msg("no TASK on the worker's new connection within 5 s");
    assert_int_equal(sr_msg_int(again, SR_F_TASK_attempt, 0), 2);
    sr_msg_destroy(&again);
    assert_int_equal(et_status_int(f, "reoffered"), 1);
    et_assert_state(f, &ex, "RUNNING");
}

// An action running at a worker when the engine restarts: the worker
// comes back (READY on a new connection) and keeps running it past the
// expiry time; the engine adopts it instead of failing it as lost, and
// its RESULT ends the execution with SUCCESS.
static void
test_a_long_action_survives_an_engine_restart(void **state)
{
    et_fix_t *f = *state;
    et_create(f, "version: '2.0'\nlong:\n  tasks:\n    a:\n      action: "
                 "std.echo output=7\n");
    et_ready(f, 1);
    sr_id_t ex = et_start(f, "long", "{}");
    sr_msg_t *t = et_task_within(f, 5000);
    assert_non_null(t);
    et_confirm(f, t);
    sr_msg_t *go = et_expect(f->worker, SR_MSG_GO);
    sr_msg_destroy(&go);
    et_restart(f);
    et_ready(f, 1);
    sr_msg_t *none = et_task_within(f, 2000); // 4 expiry times
    assert_null(none);
    et_assert_state(f, &ex, "RUNNING");
    et_send(f->worker, et_result_new(t, "success", sr_value_new_int(7)));
    sr_msg_t *ack = et_expect(f->worker, SR_MSG_ACK);
    sr_msg_destroy(&ack);
    et_assert_state(f, &ex, "SUCCESS");
    sr_msg_destroy(&t);
}

// An EX_START with the client's id.
static sr_msg_t *
s_start_msg(const char *wf, const sr_id_t *id)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_EX_START);
    sr_msg_set_str(m, SR_F_EX_START_workflow, wf);
    sr_msg_set_id(m, SR_F_EX_START_id, id);
    return m;
}

// EX_START of `wf` under `id`: the REPLY body's id must be `id`; returns
// its state.
static void
s_start_is(et_fix_t *f, const char *wf, const sr_id_t *id, const char *state)
{
    sr_error_t err;
    sr_value_t *body = et_call(f, s_start_msg(wf, id), &err);
    if (!body)
        fail_msg("EX_START: %s", err.msg);
    sr_id_t got;
    assert_int_equal(sr_id_from_value(sr_value_map_get(body, "id"), &got),
                     SR_OK);
    assert_true(sr_id_equal(&got, id));
    assert_string_equal(sr_value_map_str(body, "state"), state);
    sr_value_destroy(&body);
}

// EX_START of `m` must fail with `code` naming `field`.
static void
s_start_fails(et_fix_t *f, sr_msg_t *m, sr_err_t code, const char *field,
              const char *text)
{
    sr_error_t err;
    assert_null(et_call(f, m, &err));
    assert_int_equal(err.code, code);
    assert_string_equal(err.where, field);
    if (!strstr(err.msg, text))
        fail_msg("'%s' does not say '%s'", err.msg, text);
}

// A start under the client's id is safe to retry: the retry answers the
// execution as it is now, also once finished and after its workflow was
// deleted; another workflow under the id, an id not laid out as the
// engines' are, a partition that is not the id's, and an id of a
// partition no engine holds are refused.
static void
test_a_start_with_an_id_is_safe_to_retry(void **state)
{
    et_fix_t *f = *state;
    et_create(f, "version: '2.0'\none:\n  tasks:\n    a:\n      action: "
                 "std.echo output=1\n");
    et_create(f, "version: '2.0'\ntwo:\n  tasks:\n    b:\n      action: "
                 "std.echo output=2\n");
    sr_id_t id;
    sr_id_make(0, 0, &id);
    s_start_is(f, "one", &id, "RUNNING");
    s_start_is(f, "one", &id, "RUNNING");
    assert_int_equal(et_count_executions(f), 1);
    et_ready(f, 1);
    et_serve(f);
    et_assert_state(f, &id, "SUCCESS");
    assert_null(et_task_within(f, 300)); // the retry offered nothing
    s_start_is(f, "one", &id, "SUCCESS");
    char text[SR_ID_TEXT_SIZE], want[160];
    snprintf(want, sizeof want,
             "execution %s exists already, of workflow 'one', not 'two'",
             sr_id_format(&id, text));
    s_start_fails(f, s_start_msg("two", &id), SR_EEXIST, "field 'id'", want);
    sr_msg_t *m = sr_msg_new(SR_MSG_WF_DELETE);
    sr_msg_set_str(m, SR_F_WF_DELETE_name, "one");
    sr_error_t err;
    sr_value_t *body = et_call(f, m, &err);
    assert_non_null(body);
    sr_value_destroy(&body);
    s_start_is(f, "one", &id, "SUCCESS");
    assert_int_equal(et_count_executions(f), 1);

    sr_id_t bad = id;
    bad.b[6] = (uint8_t)(0x40 | (bad.b[6] & 0x0f)); // version 4
    s_start_fails(f, s_start_msg("two", &bad), SR_EINVAL, "field 'id'",
                  "is not a Sirocco id: its version is 4, not 8");
    sr_id_t other;
    sr_id_make(0, 0, &other);
    m = s_start_msg("two", &other);
    sr_msg_set_int(m, SR_F_EX_START_partition, 1);
    s_start_fails(f, m, SR_EINVAL, "field 'partition'",
                  "partition 1 is not the partition of id");
    sr_id_make(5, 0, &other); // the engine holds partition 0 only
    s_start_fails(f, s_start_msg("two", &other), SR_EUNAVAIL, "field 'id'",
                  "partition 5 is not on this engine");
    assert_int_equal(et_count_executions(f), 1);
}

// Two starts under one id that arrive together are applied in one batch
// (one write transaction): the second finds what the first made. Tried
// until both land in one batch (STATUS counts the batches).
static void
test_two_starts_with_one_id_in_one_batch_make_one_execution(void **state)
{
    et_fix_t *f = *state;
    et_create(f, "version: '2.0'\none:\n  tasks:\n    a:\n      action: "
                 "std.echo output=1\n");
    int tries = 0;
    bool together = false;
    while (!together && tries < 50) {
        int64_t before = et_status_int(f, "batches");
        sr_id_t id;
        sr_id_make(0, 0, &id);
        for (int i = 0; i < 2; i++) {
            sr_msg_t *m = s_start_msg("one", &id);
            sr_msg_set_int(m, SR_F_EX_START_req_id, ++f->req);
            et_send(f->client, m);
        }
        for (int i = 0; i < 2; i++) {
            sr_msg_t *r = et_expect(f->client, SR_MSG_REPLY);
            sr_id_t got;
            assert_int_equal(
                sr_id_from_value(
                    sr_value_map_get(sr_msg_get(r, SR_F_REPLY_body), "id"),
                    &got),
                SR_OK);
            assert_true(sr_id_equal(&got, &id));
            sr_msg_destroy(&r);
        }
        together = et_status_int(f, "batches") == before + 1;
        tries++;
        assert_int_equal(et_count_executions(f), tries);
    }
    if (!together)
        fail_msg("two starts sent together never shared a batch");
}

// STATUS, after counting the `execution` EVENTs that come before its
// answer; *subs is its "subscriptions" (this client's).
static int
s_events_then_status(et_fix_t *f, int64_t *subs)
{
    int64_t req = ++f->req;
    sr_msg_t *m = sr_msg_new(SR_MSG_STATUS);
    sr_msg_set_int(m, SR_F_STATUS_req_id, req);
    et_send(f->client, m);
    for (int events = 0;;) {
        sr_wire_in_t in;
        sr_error_t err;
        if (sr_wire_recv(f->client, 5000, NULL, &in, &err))
            fail_msg("no answer to STATUS: %s", err.msg);
        if (in.type == SR_MSG_EVENT)
            events += !strcmp(sr_msg_str(in.msg, SR_F_EVENT_kind), "execution");
        bool is_it = in.type == SR_MSG_REPLY && sr_msg_req_id(in.msg) == req;
        if (is_it)
            *subs = sr_body_int(sr_msg_get(in.msg, SR_F_REPLY_body),
                                SR_B_STATUS_subscriptions, -1);
        sr_wire_in_fini(&in);
        if (is_it)
            return events;
    }
}

static void
s_subscribe(et_fix_t *f, const sr_id_t *id)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_SUBSCRIBE);
    if (id)
        sr_msg_set_id(m, SR_F_SUBSCRIBE_execution_id, id);
    sr_error_t err;
    sr_value_t *b = et_call(f, m, &err);
    if (!b)
        fail_msg("SUBSCRIBE: %s", err.msg);
    sr_value_destroy(&b);
}

// Issue 12: a client that follows a partition's move subscribes again
// where it is served; the same subscription twice is kept once (its
// events came twice), and STATUS tells a client how many it holds (none:
// the engine forgot it).
static void
test_subscribing_again_keeps_one_subscription(void **state)
{
    et_fix_t *f = *state;
    et_create(f, "version: '2.0'\nwd:\n  tasks:\n    a:\n      action: "
                 "std.async_noop\n");
    et_ready(f, 1);
    sr_id_t run = et_start(f, "wd", "{}");
    int64_t subs = -1;
    assert_int_equal(s_events_then_status(f, &subs), 0);
    assert_int_equal(subs, 0);
    s_subscribe(f, &run);
    s_subscribe(f, &run);
    s_subscribe(f, NULL);
    s_subscribe(f, NULL);
    s_events_then_status(f, &subs);
    assert_int_equal(subs, 2);
    sr_msg_t *m = sr_msg_new(SR_MSG_EX_CANCEL);
    sr_msg_set_id(m, SR_F_EX_CANCEL_execution_id, &run);
    sr_error_t err;
    sr_value_t *b = et_call(f, m, &err);
    if (!b)
        fail_msg("EX_CANCEL: %s", err.msg);
    sr_value_destroy(&b);
    // One CANCELLED for each subscription (to it, and to all).
    assert_int_equal(s_events_then_status(f, &subs), 2);
    b = et_call(f, sr_msg_new(SR_MSG_UNSUBSCRIBE), &err);
    assert_non_null(b);
    sr_value_destroy(&b);
    s_events_then_status(f, &subs);
    assert_int_equal(subs, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_run_to_success, et_setup,
                                        et_teardown),
        cmocka_unit_test_setup_teardown(test_error_value_is_kept, et_setup,
                                        et_teardown),
        cmocka_unit_test_setup_teardown(test_errors_answered, et_setup,
                                        et_teardown),
        cmocka_unit_test_setup_teardown(test_validate_checks_and_stores_nothing,
                                        et_setup, et_teardown),
        cmocka_unit_test_setup_teardown(test_workflows_are_described, et_setup,
                                        et_teardown),
        cmocka_unit_test_setup_teardown(test_delegate_pause_resume_restart,
                                        et_setup, et_teardown),
        cmocka_unit_test_setup_teardown(test_delete_finished_and_forced,
                                        et_setup, et_teardown),
        cmocka_unit_test_setup_teardown(test_unconfirmed_task_is_offered_again,
                                        et_setup_hasty, et_teardown),
        cmocka_unit_test_setup_teardown(
            test_ready_again_offers_unconfirmed_tasks_again, et_setup_patient,
            et_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_long_action_survives_an_engine_restart, et_setup_hasty,
            et_teardown),
        cmocka_unit_test_setup_teardown(test_finished_executions_expire,
                                        et_setup_expiring, et_teardown),
        cmocka_unit_test_setup_teardown(
            test_a_start_with_an_id_is_safe_to_retry, et_setup, et_teardown),
        cmocka_unit_test_setup_teardown(
            test_two_starts_with_one_id_in_one_batch_make_one_execution,
            et_setup, et_teardown),
        cmocka_unit_test_setup_teardown(
            test_subscribing_again_keeps_one_subscription, et_setup,
            et_teardown),
    };
    zsys_init();
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    zsys_shutdown();
    return rc;
}
