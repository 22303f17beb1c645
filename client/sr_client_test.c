// Tests of every client call against one fake engine: what each call
// sends, what it returns, and how it fails (bad arguments, the engine's
// ERROR with its message, unreadable answers).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdio.h>
#include <string.h>

#include "sr_client_test_util.h"
#include "sr_value_json.h"

#define T SR_FX_WAIT_MS

static sr_fx_t s_fx;

static int
s_setup(void **state)
{
    (void)state;
    return sr_fx_setup(&s_fx);
}

static int
s_teardown(void **state)
{
    (void)state;
    sr_fx_teardown(&s_fx);
    return 0;
}

static const char s_wf_text[] = "version: '2.0'\n"
                                "hello:\n"
                                "  tasks:\n"
                                "    t1:\n"
                                "      action: std.noop\n";

static void
s_create_hello(sr_client_t *c)
{
    sr_value_t *wfs = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_wf_create(c, s_wf_text, T, &wfs, &err), &err);
    sr_value_destroy(&wfs);
}

static void
open_refuses_bad_endpoint_lists(void **state)
{
    (void)state;
    sr_client_t *c = NULL;
    sr_error_t err;
    assert_int_equal(sr_client_open(NULL, NULL, &c, &err), SR_EINVAL);
    assert_int_equal(sr_client_open("", NULL, &c, &err), SR_EINVAL);
    assert_string_equal(err.msg, "engine endpoint 1 of '' is empty");
    assert_int_equal(sr_client_open("ipc://a, ,ipc://b", NULL, &c, &err),
                     SR_EINVAL);
    assert_string_equal(err.msg,
                        "engine endpoint 2 of 'ipc://a, ,ipc://b' is empty");
    assert_int_equal(sr_client_open("ipc://a,ipc://a", NULL, &c, &err),
                     SR_EINVAL);
    assert_string_equal(err.msg, "engine endpoint 'ipc://a' is given twice");
    assert_int_equal(sr_client_open("nonsense", NULL, &c, &err), SR_EINVAL);
    assert_non_null(strstr(err.msg, "endpoint 'nonsense'"));
    char many[4096] = "";
    for (int i = 0; i <= SR_CLIENT_ENGINES_MAX; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%sipc://e%d",
                 i ? "," : "", i);
    assert_int_equal(sr_client_open(many, NULL, &c, &err), SR_EINVAL);
    assert_string_equal(err.msg, "more than 64 engine endpoints");
    assert_null(c);
    sr_client_close(&c); // NULL-safe

    sr_fx_ok(sr_client_open(" ipc://x ,\tipc://y ", NULL, &c, &err), &err);
    assert_int_equal(sr_client_engine_count(c), 2);
    assert_string_equal(sr_client_engine_endpoint(c, 0), "ipc://x");
    assert_string_equal(sr_client_engine_endpoint(c, 1), "ipc://y");
    assert_null(sr_client_engine_endpoint(c, 2));
    sr_client_close(&c);
    assert_null(c);
}

static void
workflows_are_created_read_listed_and_deleted(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open(s_fx.ep[0]);
    sr_value_t *v = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_wf_create(c, s_wf_text, T, &v, &err), &err);
    assert_int_equal(sr_value_len(v), 1);
    sr_value_t *wf = sr_value_array_at(v, 0);
    assert_string_equal(sr_value_map_str(wf, "name"), "hello");
    char version[64];
    snprintf(version, sizeof version, "%s", sr_value_map_str(wf, "version"));
    sr_value_destroy(&v);
    sr_msg_t *m = sr_fake_engine_last(s_fx.fe[0], SR_MSG_WF_CREATE);
    assert_string_equal(sr_msg_str(m, SR_F_WF_CREATE_definition), s_wf_text);
    sr_msg_destroy(&m);

    sr_fx_ok(sr_client_wf_get(c, "hello", NULL, T, &v, &err), &err);
    assert_string_equal(sr_value_map_str(v, "definition"), s_wf_text);
    sr_value_destroy(&v);
    sr_fx_ok(sr_client_wf_get(c, "hello", version, T, &v, &err), &err);
    sr_value_destroy(&v);
    m = sr_fake_engine_last(s_fx.fe[0], SR_MSG_WF_GET);
    assert_string_equal(sr_msg_str(m, SR_F_WF_GET_version), version);
    sr_msg_destroy(&m);

    sr_fx_ok(sr_client_wf_list(c, T, &v, &err), &err);
    assert_int_equal(sr_value_len(v), 1);
    assert_string_equal(sr_value_map_str(sr_value_array_at(v, 0), "name"),
                        "hello");
    sr_value_destroy(&v);
    m = sr_fake_engine_last(s_fx.fe[0], SR_MSG_WF_LIST);
    assert_false(sr_msg_has(m, SR_F_WF_LIST_describe));
    sr_msg_destroy(&m);
    sr_fx_ok(sr_client_wf_list_described(c, T, &v, &err), &err);
    assert_int_equal(sr_value_len(v), 1);
    sr_value_destroy(&v);
    m = sr_fake_engine_last(s_fx.fe[0], SR_MSG_WF_LIST);
    assert_true(sr_msg_bool(m, SR_F_WF_LIST_describe, false));
    sr_msg_destroy(&m);

    sr_fx_ok(sr_client_wf_delete(c, "hello", T, &err), &err);
    assert_int_equal(sr_client_wf_get(c, "hello", NULL, T, &v, &err),
                     SR_ENOTFOUND);
    assert_string_equal(err.msg, "workflow 'hello' not found");
    assert_int_equal(sr_client_wf_delete(c, "hello", T, &err), SR_ENOTFOUND);
    assert_string_equal(err.msg, "workflow 'hello' not found");
    assert_null(v);
    assert_int_equal(sr_client_wf_create(c, NULL, T, &v, &err), SR_EINVAL);
    assert_int_equal(sr_client_wf_get(c, NULL, NULL, T, &v, &err), SR_EINVAL);
    assert_int_equal(sr_client_wf_delete(c, NULL, T, &err), SR_EINVAL);
    sr_client_close(&c);
}

// WF_VALIDATE goes to one engine and stores nothing; a bad file gets the
// engine's EINVAL as WF_CREATE does.
static void
a_definition_is_validated_by_one_engine(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open_connected(s_fx.both);
    size_t before[2] = {sr_fake_engine_count(s_fx.fe[0], SR_MSG_WF_VALIDATE),
                        sr_fake_engine_count(s_fx.fe[1], SR_MSG_WF_VALIDATE)};
    sr_value_t *v = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_wf_validate(c, "checked:\n  tasks: {}\n", T, &v, &err),
             &err);
    assert_int_equal(sr_value_len(v), 1);
    assert_string_equal(sr_value_map_str(sr_value_array_at(v, 0), "name"),
                        "checked");
    sr_value_destroy(&v);
    assert_int_equal(sr_fake_engine_count(s_fx.fe[0], SR_MSG_WF_VALIDATE) +
                         sr_fake_engine_count(s_fx.fe[1], SR_MSG_WF_VALIDATE),
                     before[0] + before[1] + 1);
    assert_int_equal(sr_client_wf_get(c, "checked", NULL, T, &v, &err),
                     SR_ENOTFOUND);
    assert_int_equal(sr_client_wf_validate(c, "nothing here\n", T, &v, &err),
                     SR_EINVAL);
    assert_string_equal(err.msg, "1:1: no workflow in the definition");
    assert_null(v);
    assert_int_equal(sr_client_wf_validate(c, NULL, T, &v, &err), SR_EINVAL);
    sr_client_close(&c);
}

static void
a_definition_with_errors_gives_the_engine_message(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open(s_fx.ep[0]);
    sr_value_t *v = NULL;
    sr_error_t err;
    assert_int_equal(sr_client_wf_create(c, "nothing here\n", T, &v, &err),
                     SR_EINVAL);
    assert_string_equal(err.msg, "1:1: no workflow in the definition");
    char where[256];
    snprintf(where, sizeof where, "engine %s", s_fx.ep[0]);
    assert_string_equal(err.where, where);
    assert_null(v);
    sr_client_close(&c);
}

static void
an_execution_starts_with_input_env_params_and_version(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open(s_fx.ep[0]);
    s_create_hello(c);
    sr_error_t err;
    sr_value_t *input = NULL, *env = NULL, *params = NULL, *ex = NULL;
    sr_fx_ok(sr_value_from_json("{\"a\": 1}", 8, NULL, &input, &err), &err);
    sr_fx_ok(sr_value_from_json("{\"e\": \"x\"}", 10, NULL, &env, &err), &err);
    sr_fx_ok(
        sr_value_from_json("{\"task_name\": \"t1\"}", 19, NULL, &params, &err),
        &err);
    sr_client_start_t st = {.workflow = "hello",
                            .input = input,
                            .env = env,
                            .params = params,
                            .description = "first"};
    sr_fx_ok(sr_client_ex_start(c, &st, T, &ex, &err), &err);
    assert_string_equal(sr_value_map_str(ex, "state"), "RUNNING");
    assert_string_equal(sr_value_map_str(ex, "workflow"), "hello");
    sr_id_t id; // the engine sent a binary id; the client gives text
    const char *text = sr_value_map_str(ex, "id");
    assert_non_null(text);
    assert_int_equal(sr_id_parse(text, &id), SR_OK);
    assert_true(sr_id_partition(&id) <= 1);
    sr_msg_t *m = sr_fake_engine_last(s_fx.fe[0], SR_MSG_EX_START);
    assert_true(sr_value_equal(sr_msg_get(m, SR_F_EX_START_input), input));
    assert_true(sr_value_equal(sr_msg_get(m, SR_F_EX_START_env), env));
    assert_true(sr_value_equal(sr_msg_get(m, SR_F_EX_START_params), params));
    assert_string_equal(sr_msg_str(m, SR_F_EX_START_description), "first");
    assert_false(sr_msg_has(m, SR_F_EX_START_version));
    assert_false(sr_msg_has(m, SR_F_EX_START_partition));
    sr_msg_destroy(&m);
    sr_value_destroy(&ex);

    st = (sr_client_start_t){.workflow = "hello", .version = "abc"};
    sr_fx_ok(sr_client_ex_start(c, &st, T, &ex, &err), &err);
    sr_value_destroy(&ex);
    m = sr_fake_engine_last(s_fx.fe[0], SR_MSG_EX_START);
    assert_string_equal(sr_msg_str(m, SR_F_EX_START_version), "abc");
    assert_false(sr_msg_has(m, SR_F_EX_START_input));
    sr_msg_destroy(&m);

    // Bad arguments never reach the engine.
    size_t sent = sr_fake_engine_count(s_fx.fe[0], SR_MSG_EX_START);
    assert_int_equal(sr_client_ex_start(c, NULL, T, &ex, &err), SR_EINVAL);
    st = (sr_client_start_t){.input = input};
    assert_int_equal(sr_client_ex_start(c, &st, T, &ex, &err), SR_EINVAL);
    assert_string_equal(err.msg, "workflow name is missing");
    sr_value_t *one = sr_value_new_int(1);
    st = (sr_client_start_t){.workflow = "hello", .input = one};
    assert_int_equal(sr_client_ex_start(c, &st, T, &ex, &err), SR_EINVAL);
    assert_string_equal(err.msg, "input must be a map, not int");
    sr_value_destroy(&one);
    assert_int_equal(sr_fake_engine_count(s_fx.fe[0], SR_MSG_EX_START), sent);
    st = (sr_client_start_t){.workflow = "nope"};
    assert_int_equal(sr_client_ex_start(c, &st, T, &ex, &err), SR_ENOTFOUND);
    assert_string_equal(err.msg, "workflow 'nope' not found");
    assert_null(ex);
    sr_value_destroy(&input);
    sr_value_destroy(&env);
    sr_value_destroy(&params);
    sr_client_close(&c);
}

// A start with the caller's id is safe to retry: the retry answers the
// execution that exists; a bad id never reaches the engine; an engine
// that ignores the id (before protocol 1.5) is not taken at its word.
static void
a_start_with_an_id_is_safe_to_retry(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open(s_fx.ep[0]);
    s_create_hello(c);
    char id[SR_CLIENT_ID_SIZE];
    sr_error_t err;
    sr_fx_ok(sr_client_ex_new_id(c, T, id, &err), &err);
    sr_id_t made;
    assert_int_equal(sr_id_parse(id, &made), SR_OK);
    assert_true(sr_id_partition(&made) <= 1); // engine A's
    sr_client_start_t st = {.workflow = "hello", .id = id};
    sr_value_t *ex = NULL;
    size_t sent = sr_fake_engine_count(s_fx.fe[0], SR_MSG_EX_START);
    for (int i = 0; i < 2; i++) {
        sr_fx_ok(sr_client_ex_start(c, &st, T, &ex, &err), &err);
        assert_string_equal(sr_value_map_str(ex, "id"), id);
        assert_string_equal(sr_value_map_str(ex, "workflow"), "hello");
        sr_value_destroy(&ex);
    }
    assert_int_equal(sr_fake_engine_count(s_fx.fe[0], SR_MSG_EX_START),
                     sent + 2);
    sr_msg_t *m = sr_fake_engine_last(s_fx.fe[0], SR_MSG_EX_START);
    sr_id_t got;
    assert_true(sr_msg_id(m, SR_F_EX_START_id, &got));
    assert_true(sr_id_equal(&got, &made));
    sr_msg_destroy(&m);
    st.workflow = "other";
    assert_int_equal(sr_client_ex_start(c, &st, T, &ex, &err), SR_EEXIST);
    assert_non_null(strstr(err.msg, "of workflow 'hello', not 'other'"));
    assert_null(ex);

    // Refused before anything is sent.
    sent = sr_fake_engine_count(s_fx.fe[0], SR_MSG_EX_START);
    st = (sr_client_start_t){.workflow = "hello", .id = "12345"};
    assert_int_equal(sr_client_ex_start(c, &st, T, &ex, &err), SR_EINVAL);
    assert_string_equal(err.where, "field 'id'");
    assert_non_null(strstr(err.msg, "start id '12345' is not a UUID"));
    st.id = "0001691f-2a40-430c-9d41-5e6a0b72c418";
    assert_int_equal(sr_client_ex_start(c, &st, T, &ex, &err), SR_EINVAL);
    assert_string_equal(err.where, "field 'id'");
    assert_non_null(strstr(err.msg, "its version is 4, not 8"));
    st = (sr_client_start_t){
        .workflow = "hello", .id = id, .has_partition = true, .partition = 7};
    assert_int_equal(sr_client_ex_start(c, &st, T, &ex, &err), SR_EINVAL);
    assert_string_equal(err.where, "field 'partition'");
    assert_non_null(strstr(err.msg, "partition 7 is not the partition of id"));
    assert_int_equal(sr_fake_engine_count(s_fx.fe[0], SR_MSG_EX_START), sent);
    assert_null(ex);

    // An engine that ignores the id started another execution: said so.
    sr_fake_engine_set_before_1_5(s_fx.fe[0], true);
    sr_fx_ok(sr_client_ex_new_id(c, T, id, &err), &err);
    st = (sr_client_start_t){.workflow = "hello", .id = id};
    assert_int_equal(sr_client_ex_start(c, &st, T, &ex, &err), SR_EVERSION);
    assert_non_null(strstr(err.msg, "speaks a protocol before 1.5"));
    assert_null(ex);
    sr_fake_engine_set_before_1_5(s_fx.fe[0], false);
    sr_client_close(&c);
}

static void
an_execution_is_read_paused_resumed_and_cancelled(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open(s_fx.ep[0]);
    sr_id_t id = sr_fx_id(1, 0);
    const char *text = sr_fx_text(&id, 0);
    sr_fake_engine_add_execution(s_fx.fe[0], &id, "hello", "RUNNING");
    sr_value_t *ex = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_ex_get(c, text, T, &ex, &err), &err);
    assert_string_equal(sr_value_map_str(ex, "id"), text);
    assert_string_equal(sr_value_map_str(ex, "state"), "RUNNING");
    sr_value_destroy(&ex);

    sr_fx_ok(sr_client_ex_pause(c, text, "lunch", T, &ex, &err), &err);
    assert_string_equal(sr_value_map_str(ex, "state"), "PAUSED");
    assert_string_equal(sr_value_map_str(ex, "state_info"), "lunch");
    sr_value_destroy(&ex);
    assert_int_equal(sr_client_ex_pause(c, text, NULL, T, &ex, &err),
                     SR_ESTATE);
    assert_string_equal(err.msg, "execution is PAUSED; it cannot be paused");
    sr_fx_ok(sr_client_ex_resume(c, text, NULL, T, NULL, &err), &err);
    sr_msg_t *m = sr_fake_engine_last(s_fx.fe[0], SR_MSG_EX_RESUME);
    assert_false(sr_msg_has(m, SR_F_EX_RESUME_reason));
    sr_msg_destroy(&m);
    sr_fx_ok(sr_client_ex_cancel(c, text, "not needed", T, &ex, &err), &err);
    assert_string_equal(sr_value_map_str(ex, "state"), "CANCELLED");
    sr_value_destroy(&ex);
    m = sr_fake_engine_last(s_fx.fe[0], SR_MSG_EX_CANCEL);
    assert_string_equal(sr_msg_str(m, SR_F_EX_CANCEL_reason), "not needed");
    sr_msg_destroy(&m);
    assert_int_equal(sr_client_ex_cancel(c, text, NULL, T, NULL, &err),
                     SR_ESTATE);

    id = sr_fx_id(0, 0);
    assert_int_equal(sr_client_ex_get(c, sr_fx_text(&id, 1), T, &ex, &err),
                     SR_ENOTFOUND);
    char msg[128];
    snprintf(msg, sizeof msg, "execution %s not found", sr_fx_text(&id, 1));
    assert_string_equal(err.msg, msg);
    size_t sent = sr_fake_engine_count(s_fx.fe[0], SR_MSG_NONE);
    assert_int_equal(sr_client_ex_get(c, "12345", T, &ex, &err), SR_EINVAL);
    assert_non_null(strstr(err.msg, "execution id '12345' is not a UUID"));
    assert_int_equal(sr_client_ex_pause(c, NULL, NULL, T, &ex, &err),
                     SR_EINVAL);
    assert_string_equal(err.msg, "execution id is missing");
    assert_int_equal(sr_fake_engine_count(s_fx.fe[0], SR_MSG_NONE), sent);
    assert_null(ex);
    sr_client_close(&c);
}

static void
an_execution_is_deleted_on_its_owner(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open_connected(s_fx.both);
    sr_id_t done = sr_fx_id(2, 0), busy = sr_fx_id(3, 0);
    const char *text = sr_fx_text(&done, 0), *busy_text = sr_fx_text(&busy, 1);
    sr_fake_engine_add_execution(s_fx.fe[1], &done, "hello", "SUCCESS");
    sr_fake_engine_add_execution(s_fx.fe[1], &busy, "hello", "RUNNING");
    size_t before = sr_fake_engine_count(s_fx.fe[1], SR_MSG_EX_DELETE);
    sr_value_t *reply = NULL, *ex = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_ex_delete(c, text, false, T, &reply, &err), &err);
    assert_string_equal(sr_value_map_str(reply, "id"), text);
    assert_string_equal(sr_value_map_str(reply, "state"), "DELETED");
    sr_value_destroy(&reply);
    // Sent to B, the owner of partition 2, without force.
    assert_int_equal(sr_fake_engine_count(s_fx.fe[1], SR_MSG_EX_DELETE),
                     before + 1);
    assert_int_equal(sr_fake_engine_count(s_fx.fe[0], SR_MSG_EX_DELETE), 0);
    sr_msg_t *m = sr_fake_engine_last(s_fx.fe[1], SR_MSG_EX_DELETE);
    assert_false(sr_msg_has(m, SR_F_EX_DELETE_force));
    sr_msg_destroy(&m);
    assert_int_equal(sr_client_ex_get(c, text, T, &ex, &err), SR_ENOTFOUND);
    assert_int_equal(sr_client_ex_delete(c, text, false, T, NULL, &err),
                     SR_ENOTFOUND);
    // Running: refused, then forced.
    assert_int_equal(sr_client_ex_delete(c, busy_text, false, T, &reply, &err),
                     SR_ESTATE);
    assert_non_null(strstr(err.msg, "force cancels it first"));
    assert_null(reply);
    sr_fx_ok(sr_client_ex_delete(c, busy_text, true, T, NULL, &err), &err);
    m = sr_fake_engine_last(s_fx.fe[1], SR_MSG_EX_DELETE);
    assert_true(sr_msg_bool(m, SR_F_EX_DELETE_force, false));
    sr_msg_destroy(&m);
    // A bad id is refused before anything is sent.
    size_t sent = sr_fake_engine_count(s_fx.fe[1], SR_MSG_NONE);
    assert_int_equal(sr_client_ex_delete(c, "nope", true, T, NULL, &err),
                     SR_EINVAL);
    assert_non_null(strstr(err.msg, "is not a UUID"));
    assert_int_equal(sr_client_ex_delete(c, NULL, true, T, NULL, &err),
                     SR_EINVAL);
    assert_int_equal(sr_fake_engine_count(s_fx.fe[1], SR_MSG_NONE), sent);
    sr_client_close(&c);
}

static void
a_failed_execution_reruns_a_task_and_lists_its_tasks(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open(s_fx.ep[0]);
    sr_id_t id = sr_fx_id(0, 0);
    const char *text = sr_fx_text(&id, 0);
    sr_fake_engine_add_execution(s_fx.fe[0], &id, "hello", "ERROR");
    sr_fake_engine_add_task(s_fx.fe[0], &id, "t1", "SUCCESS");
    sr_fake_engine_add_task(s_fx.fe[0], &id, "t2", "ERROR");
    sr_value_t *v = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_task_list(c, text, T, &v, &err), &err);
    assert_int_equal(sr_value_len(v), 2);
    sr_value_t *t2 = sr_value_array_at(v, 1);
    assert_string_equal(sr_value_map_str(t2, "name"), "t2");
    assert_string_equal(sr_value_map_str(t2, "state"), "ERROR");
    sr_id_t task_id;
    assert_int_equal(sr_id_parse(sr_value_map_str(t2, "id"), &task_id), SR_OK);
    sr_value_destroy(&v);

    assert_int_equal(sr_client_ex_rerun(c, text, "t9", 0, T, &v, &err),
                     SR_ENOTFOUND);
    assert_non_null(strstr(err.msg, "has no task 't9'"));
    sr_fx_ok(
        sr_client_ex_rerun(c, text, "t2", SR_CLIENT_RERUN_RESET, T, &v, &err),
        &err);
    assert_string_equal(sr_value_map_str(v, "state"), "RUNNING");
    sr_value_destroy(&v);
    sr_msg_t *m = sr_fake_engine_last(s_fx.fe[0], SR_MSG_EX_RERUN);
    assert_string_equal(sr_msg_str(m, SR_F_EX_RERUN_task), "t2");
    assert_true(sr_msg_bool(m, SR_F_EX_RERUN_reset, false));
    sr_msg_destroy(&m);
    assert_int_equal(sr_client_ex_rerun(c, text, "t2", 0, T, &v, &err),
                     SR_ESTATE);
    assert_string_equal(
        err.msg, "execution is RUNNING; only an ERROR execution can be rerun");
    m = sr_fake_engine_last(s_fx.fe[0], SR_MSG_EX_RERUN);
    assert_false(sr_msg_has(m, SR_F_EX_RERUN_reset));
    sr_msg_destroy(&m);
    assert_int_equal(sr_client_ex_rerun(c, text, NULL, 0, T, &v, &err),
                     SR_EINVAL);
    assert_string_equal(err.msg, "task name is missing");
    sr_client_close(&c);
}

static void
a_pending_action_completes_by_id_or_token(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open(s_fx.ep[0]);
    sr_id_t action = sr_fx_id(1, 0);
    const char *text = sr_fx_text(&action, 0);
    sr_fake_engine_add_action(s_fx.fe[0], text);
    sr_fake_engine_add_action(s_fx.fe[0], "tok-123");
    sr_value_t *v = NULL, *out = sr_value_new_map(1);
    sr_value_map_put(out, "ok", sr_value_new_bool(true));
    sr_error_t err;
    sr_client_completion_t cp = {.action_id = text, .output = out};
    sr_fx_ok(sr_client_complete(c, &cp, T, &v, &err), &err);
    assert_string_equal(sr_value_map_str(v, "action_id"), text);
    assert_string_equal(sr_value_map_str(v, "state"), "SUCCESS");
    sr_value_destroy(&v);
    sr_msg_t *m = sr_fake_engine_last(s_fx.fe[0], SR_MSG_COMPLETE);
    assert_string_equal(sr_msg_str(m, SR_F_COMPLETE_status), "success");
    assert_true(sr_value_equal(sr_msg_get(m, SR_F_COMPLETE_output), out));
    assert_false(sr_msg_has(m, SR_F_COMPLETE_token));
    sr_msg_destroy(&m);
    assert_int_equal(sr_client_complete(c, &cp, T, NULL, &err), SR_ESTATE);
    assert_non_null(strstr(err.msg, "is SUCCESS, not PENDING"));

    cp = (sr_client_completion_t){.token = "tok-123", .error = "it broke"};
    sr_fx_ok(sr_client_complete(c, &cp, T, NULL, &err), &err);
    m = sr_fake_engine_last(s_fx.fe[0], SR_MSG_COMPLETE);
    assert_string_equal(sr_msg_str(m, SR_F_COMPLETE_status), "error");
    assert_string_equal(sr_msg_str(m, SR_F_COMPLETE_error), "it broke");
    assert_string_equal(sr_msg_str(m, SR_F_COMPLETE_token), "tok-123");
    assert_false(sr_msg_has(m, SR_F_COMPLETE_action_id));
    assert_false(sr_msg_has(m, SR_F_COMPLETE_output));
    sr_msg_destroy(&m);

    cp = (sr_client_completion_t){.token = "tok-999"};
    assert_int_equal(sr_client_complete(c, &cp, T, &v, &err), SR_ENOTFOUND);
    assert_string_equal(err.msg, "no action 'tok-999'");
    cp = (sr_client_completion_t){.output = out};
    assert_int_equal(sr_client_complete(c, &cp, T, &v, &err), SR_EINVAL);
    assert_string_equal(err.msg, "name the action by its id or by its token "
                                 "(exactly one)");
    cp = (sr_client_completion_t){.token = "t", .action_id = text};
    assert_int_equal(sr_client_complete(c, &cp, T, &v, &err), SR_EINVAL);
    cp = (sr_client_completion_t){.token = "t", .output = out, .error = "x"};
    assert_int_equal(sr_client_complete(c, &cp, T, &v, &err), SR_EINVAL);
    cp = (sr_client_completion_t){.action_id = "nope"};
    assert_int_equal(sr_client_complete(c, &cp, T, &v, &err), SR_EINVAL);
    assert_non_null(strstr(err.msg, "action id 'nope' is not a UUID"));
    assert_null(v);
    sr_value_destroy(&out);
    sr_client_close(&c);
}

static void
status_names_the_partitions_of_an_engine(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open(s_fx.both);
    sr_value_t *v = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_status(c, 1, T, &v, &err), &err);
    assert_string_equal(sr_value_map_str(v, "name"), "B");
    sr_value_t *parts = sr_value_map_get(v, "partitions");
    assert_int_equal(sr_value_len(parts), 2);
    assert_int_equal(sr_value_int(sr_value_array_at(parts, 0)), 2);
    sr_value_destroy(&v);
    assert_int_equal(sr_client_status(c, 2, T, &v, &err), SR_EINVAL);
    assert_string_equal(err.msg, "no engine 2 (the client has 2)");
    sr_client_close(&c);
}

// --- every call, the same way -------------------------------------------

static sr_id_t s_id; // an execution in partition 1 (engine A)

static sr_err_t
s_do(int which, sr_client_t *c, int timeout_ms, sr_error_t *err)
{
    const char *id = sr_fx_text(&s_id, 7);
    sr_value_t *v = NULL;
    sr_client_start_t st = {.workflow = "hello"};
    sr_client_completion_t cp = {.token = "tok"};
    sr_err_t rc = SR_EINVAL;
    switch (which) {
    case 0:
        rc = sr_client_wf_create(c, s_wf_text, timeout_ms, &v, err);
        break;
    case 1:
        rc = sr_client_wf_get(c, "hello", NULL, timeout_ms, &v, err);
        break;
    case 2:
        rc = sr_client_wf_list(c, timeout_ms, &v, err);
        break;
    case 3:
        rc = sr_client_wf_delete(c, "hello", timeout_ms, err);
        break;
    case 4:
        rc = sr_client_ex_start(c, &st, timeout_ms, &v, err);
        break;
    case 5:
        rc = sr_client_ex_get(c, id, timeout_ms, &v, err);
        break;
    case 6:
        rc = sr_client_ex_list(c, NULL, timeout_ms, &v, err);
        break;
    case 7:
        rc = sr_client_ex_pause(c, id, NULL, timeout_ms, &v, err);
        break;
    case 8:
        rc = sr_client_ex_resume(c, id, NULL, timeout_ms, &v, err);
        break;
    case 9:
        rc = sr_client_ex_cancel(c, id, NULL, timeout_ms, &v, err);
        break;
    case 10:
        rc = sr_client_ex_rerun(c, id, "t", 0, timeout_ms, &v, err);
        break;
    case 11:
        rc = sr_client_task_list(c, id, timeout_ms, &v, err);
        break;
    case 12:
        rc = sr_client_complete(c, &cp, timeout_ms, &v, err);
        break;
    case 13:
        rc = sr_client_subscribe(c, id, timeout_ms, err);
        break;
    case 14:
        rc = sr_client_status(c, 0, timeout_ms, &v, err);
        break;
    case 15:
        rc = sr_client_watch(c, id, NULL, NULL, timeout_ms, &v, err);
        break;
    case 16:
        rc = sr_client_wf_validate(c, s_wf_text, timeout_ms, &v, err);
        break;
    case 17:
        rc = sr_client_wf_list_described(c, timeout_ms, &v, err);
        break;
    }
    assert_null(v);
    return rc;
}
#define S_CALLS 18

static void
every_call_gives_the_engine_error_and_message(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open(s_fx.ep[0]);
    s_id = sr_fx_id(1, 0);
    char where[256];
    snprintf(where, sizeof where, "engine %s", s_fx.ep[0]);
    for (int i = 0; i < S_CALLS; i++) {
        sr_fake_engine_fail(s_fx.fe[0], SR_MSG_NONE, SR_ESTORE, "disk on fire",
                            NULL);
        sr_error_t err;
        if (s_do(i, c, T, &err) != SR_ESTORE)
            fail_msg("call %d: %s: %s", i, sr_strerror(err.code), err.msg);
        assert_string_equal(err.msg, "disk on fire");
        assert_string_equal(err.where, where);
        sr_fake_engine_fail(s_fx.fe[0], SR_MSG_NONE, SR_EINVAL, "too long",
                            "name");
        assert_int_equal(s_do(i, c, T, &err), SR_EINVAL);
        assert_string_equal(err.msg, "too long");
        assert_string_equal(err.where, "field 'name'");
        sr_fake_engine_fail(s_fx.fe[0], SR_MSG_NONE, SR_EINTERNAL, "weird",
                            NULL);
        assert_int_equal(s_do(i, c, T, &err), SR_EINTERNAL);
    }
    sr_fake_engine_reset(s_fx.fe[0]);
    sr_client_close(&c);
}

static void
every_call_times_out_within_its_bound(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open(s_fx.ep[0]);
    s_id = sr_fx_id(1, 0);
    sr_fake_engine_mute(s_fx.fe[0], SR_MSG_NONE);
    for (int i = 0; i < S_CALLS; i++) {
        sr_error_t err;
        int64_t start = zclock_mono();
        if (s_do(i, c, 100, &err) != SR_ETIMEDOUT)
            fail_msg("call %d: %s: %s", i, sr_strerror(err.code), err.msg);
        int64_t took = zclock_mono() - start;
        assert_true(took >= 90 && took < 2000);
        assert_non_null(strstr(err.msg, s_fx.ep[0]));
        assert_non_null(strstr(err.msg, "no answer from engine"));
    }
    sr_fake_engine_reset(s_fx.fe[0]);
    sr_client_close(&c);
}

static void
an_engine_that_is_not_running_times_out_clearly(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open(s_fx.nobody);
    sr_id_t id = sr_fx_id(0, 0);
    sr_value_t *v = NULL;
    sr_error_t err;
    int64_t start = zclock_mono();
    assert_int_equal(sr_client_ex_get(c, sr_fx_text(&id, 0), 150, &v, &err),
                     SR_ETIMEDOUT);
    assert_true(zclock_mono() - start < 2000);
    char msg[300];
    snprintf(msg, sizeof msg,
             "EX_GET: engine %s is not connected (is it running?)",
             s_fx.nobody);
    assert_string_equal(err.msg, msg);
    sr_client_close(&c);
}

static void
a_late_answer_is_dropped_and_never_taken_for_another(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open(s_fx.ep[0]);
    sr_id_t one = sr_fx_id(0, 1000), two = sr_fx_id(0, 2000);
    sr_fake_engine_add_execution(s_fx.fe[0], &one, "hello", "RUNNING");
    sr_fake_engine_add_execution(s_fx.fe[0], &two, "hello", "SUCCESS");
    sr_value_t *v = NULL;
    sr_error_t err;
    sr_fake_engine_hold(s_fx.fe[0]);
    assert_int_equal(sr_client_ex_get(c, sr_fx_text(&one, 0), 100, &v, &err),
                     SR_ETIMEDOUT);
    sr_fake_engine_release(s_fx.fe[0]); // the answer about `one` goes now
    sr_fx_ok(sr_client_ex_get(c, sr_fx_text(&two, 1), T, &v, &err), &err);
    assert_string_equal(sr_value_map_str(v, "id"), sr_fx_text(&two, 1));
    assert_string_equal(sr_value_map_str(v, "state"), "SUCCESS");
    sr_value_destroy(&v);
    sr_client_close(&c);
}

static void
an_answer_that_cannot_be_read_fails_the_call(void **state)
{
    (void)state;
    sr_client_opts_t opts = {.max_reply_bytes = 256};
    sr_client_t *c = NULL, *big = sr_fx_open(s_fx.ep[0]);
    sr_error_t err;
    sr_fx_ok(sr_client_open(s_fx.ep[0], &opts, &c, &err), &err);
    char text[1024];
    snprintf(text, sizeof text, "version: '2.0'\nlarge:\n  description: %0*d\n",
             600, 7);
    sr_value_t *v = NULL;
    sr_fx_ok(sr_client_wf_create(big, text, T, &v, &err), &err);
    sr_value_destroy(&v);
    assert_int_equal(sr_client_wf_get(c, "large", NULL, T, &v, &err),
                     SR_ETOOBIG);
    assert_non_null(strstr(err.msg, "sent an answer that cannot be read"));
    assert_non_null(strstr(err.msg, s_fx.ep[0]));
    sr_fx_ok(sr_client_wf_delete(big, "large", T, &err), &err);
    sr_client_close(&c);
    sr_client_close(&big);
}

static void
an_error_without_req_id_fails_what_was_asked(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open(s_fx.ep[0]);
    sr_fake_engine_fail_bare(s_fx.fe[0], SR_MSG_WF_LIST, SR_EVERSION,
                             "peer speaks protocol 2.0, this node speaks 1.0");
    sr_value_t *v = NULL;
    sr_error_t err;
    int64_t start = zclock_mono();
    assert_int_equal(sr_client_wf_list(c, T, &v, &err), SR_EVERSION);
    assert_true(zclock_mono() - start < T); // not a timeout
    assert_string_equal(err.msg,
                        "peer speaks protocol 2.0, this node speaks 1.0");
    sr_fake_engine_reset(s_fx.fe[0]);
    sr_client_close(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(open_refuses_bad_endpoint_lists),
        cmocka_unit_test(workflows_are_created_read_listed_and_deleted),
        cmocka_unit_test(a_definition_is_validated_by_one_engine),
        cmocka_unit_test(a_definition_with_errors_gives_the_engine_message),
        cmocka_unit_test(an_execution_starts_with_input_env_params_and_version),
        cmocka_unit_test(a_start_with_an_id_is_safe_to_retry),
        cmocka_unit_test(an_execution_is_read_paused_resumed_and_cancelled),
        cmocka_unit_test(an_execution_is_deleted_on_its_owner),
        cmocka_unit_test(a_failed_execution_reruns_a_task_and_lists_its_tasks),
        cmocka_unit_test(a_pending_action_completes_by_id_or_token),
        cmocka_unit_test(status_names_the_partitions_of_an_engine),
        cmocka_unit_test(every_call_gives_the_engine_error_and_message),
        cmocka_unit_test(every_call_times_out_within_its_bound),
        cmocka_unit_test(an_engine_that_is_not_running_times_out_clearly),
        cmocka_unit_test(a_late_answer_is_dropped_and_never_taken_for_another),
        cmocka_unit_test(an_answer_that_cannot_be_read_fails_the_call),
        cmocka_unit_test(an_error_without_req_id_fails_what_was_asked),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
