// Every REPLY body the engine sends matches the shape sr_msg.def declares
// for its request: one engine over ipc:// is sent each client request at
// least once, with executions that succeed, fail, wait for a delegate,
// run a sub-workflow and get paused, resumed, cancelled, rerun and
// deleted, and each body is checked by et_call (sr_reply_check). The test
// ends by requiring that no request with a declared body went unchecked.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eng_test_util.h"
#include "sr_body.h"

static const char *s_defs = "version: '2.0'\n"
                            "ok:\n"
                            "  input: [x]\n"
                            "  tasks:\n"
                            "    a:\n"
                            "      action: std.echo output=<% $.x %>\n"
                            "      publish: {a: <% task().result %>}\n"
                            "bad:\n"
                            "  tasks:\n"
                            "    f:\n"
                            "      action: std.fail\n"
                            "wait:\n"
                            "  tasks:\n"
                            "    d:\n"
                            "      action: std.async_noop\n"
                            "parent:\n"
                            "  tasks:\n"
                            "    c:\n"
                            "      workflow: ok x=1\n";

// A request of `type` about `id` in field `f` (SR_F_COUNT: none); its
// body, which et_call has checked. Fails the test on an ERROR.
static sr_value_t *
s_ask(et_fix_t *f, sr_msg_type_t type, sr_field_t field, const sr_id_t *id)
{
    sr_msg_t *m = sr_msg_new(type);
    if (field != SR_F_COUNT)
        sr_msg_set_id(m, field, id);
    sr_error_t err;
    sr_value_t *body = et_call(f, m, &err);
    if (!body)
        fail_msg("%s: %s", sr_msg_type_name(type), err.msg);
    return body;
}

static void
s_drop(sr_value_t *body)
{
    sr_value_destroy(&body);
}

// The id of the first action execution of execution `ex`.
static sr_id_t
s_first_action(et_fix_t *f, const sr_id_t *ex)
{
    sr_value_t *list =
        s_ask(f, SR_MSG_ACTION_LIST, SR_F_ACTION_LIST_execution_id, ex);
    sr_id_t id;
    assert_true(sr_value_len(list) > 0);
    assert_true(
        sr_body_id(sr_value_array_at(list, 0), SR_B_ACTION_EXECUTION_id, &id));
    sr_value_destroy(&list);
    return id;
}

static void
s_workflows(et_fix_t *f)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_WF_GET);
    sr_msg_set_str(m, SR_F_WF_GET_name, "ok");
    sr_error_t err;
    sr_value_t *wf = et_call(f, m, &err);
    assert_non_null(wf);
    assert_string_equal(sr_body_str(wf, SR_B_WORKFLOW_name), "ok");
    sr_value_destroy(&wf);
    s_drop(s_ask(f, SR_MSG_WF_LIST, SR_F_COUNT, NULL));
    m = sr_msg_new(SR_MSG_WF_LIST);
    sr_msg_set_bool(m, SR_F_WF_LIST_describe, true);
    s_drop(et_call(f, m, &err));
    m = sr_msg_new(SR_MSG_WF_VALIDATE);
    sr_msg_set_str(m, SR_F_WF_VALIDATE_definition, s_defs);
    s_drop(et_call(f, m, &err));
}

// A delegate waits; its task and action are read, then it is completed.
static void
s_delegate(et_fix_t *f)
{
    sr_id_t ex = et_start(f, "wait", "{}");
    et_serve(f); // pending
    sr_value_t *tasks =
        s_ask(f, SR_MSG_TASK_LIST, SR_F_TASK_LIST_execution_id, &ex);
    sr_id_t task;
    assert_true(
        sr_body_id(sr_value_array_at(tasks, 0), SR_B_TASK_EXECUTION_id, &task));
    sr_value_destroy(&tasks);
    s_drop(s_ask(f, SR_MSG_TASK_GET, SR_F_TASK_GET_task_id, &task));
    sr_id_t action = s_first_action(f, &ex);
    s_drop(s_ask(f, SR_MSG_ACTION_GET, SR_F_ACTION_GET_action_id, &action));
    sr_msg_t *m = sr_msg_new(SR_MSG_COMPLETE);
    sr_msg_set_id(m, SR_F_COMPLETE_action_id, &action);
    sr_msg_set_str(m, SR_F_COMPLETE_status, "success");
    sr_error_t err;
    sr_value_t *done = et_call(f, m, &err);
    assert_non_null(done);
    assert_string_equal(sr_body_str(done, SR_B_COMPLETED_state), "SUCCESS");
    sr_value_destroy(&done);
    et_assert_state(f, &ex, "SUCCESS");
    s_drop(s_ask(f, SR_MSG_EX_DELETE, SR_F_EX_DELETE_execution_id, &ex));
}

// Pause, resume and cancel a waiting execution; rerun a failed one.
static void
s_changes(et_fix_t *f)
{
    sr_id_t ex = et_start(f, "wait", "{}");
    et_serve(f);
    s_drop(s_ask(f, SR_MSG_EX_PAUSE, SR_F_EX_PAUSE_execution_id, &ex));
    s_drop(s_ask(f, SR_MSG_EX_RESUME, SR_F_EX_RESUME_execution_id, &ex));
    s_drop(s_ask(f, SR_MSG_EX_CANCEL, SR_F_EX_CANCEL_execution_id, &ex));
    sr_id_t bad = et_start(f, "bad", "{}");
    et_serve(f);
    et_assert_state(f, &bad, "ERROR");
    sr_msg_t *m = sr_msg_new(SR_MSG_EX_RERUN);
    sr_msg_set_id(m, SR_F_EX_RERUN_execution_id, &bad);
    sr_msg_set_str(m, SR_F_EX_RERUN_task, "f");
    sr_error_t err;
    sr_value_t *again = et_call(f, m, &err);
    if (!again)
        fail_msg("EX_RERUN: %s", err.msg);
    sr_value_destroy(&again);
    et_serve(f);
}

// A sub-workflow execution: its EX_GET carries parent_id.
static void
s_sub(et_fix_t *f)
{
    sr_id_t parent = et_start(f, "parent", "{}");
    et_serve(f);
    et_assert_state(f, &parent, "SUCCESS");
    sr_value_t *all = s_ask(f, SR_MSG_ACTION_LIST, SR_F_COUNT, NULL);
    sr_id_t child = {{0}};
    for (size_t i = 0; i < sr_value_len(all); i++) {
        const sr_value_t *a = sr_value_array_at(all, i);
        sr_id_t ex;
        assert_true(sr_body_id(a, SR_B_ACTION_EXECUTION_execution_id, &ex));
        if (!sr_id_equal(&ex, &parent))
            child = ex;
    }
    sr_value_destroy(&all);
    sr_value_t *sub = s_ask(f, SR_MSG_EX_GET, SR_F_EX_GET_execution_id, &child);
    sr_id_t up;
    assert_true(sr_body_id(sub, SR_B_EXECUTION_parent_id, &up));
    assert_true(sr_id_equal(&up, &parent));
    sr_value_destroy(&sub);
}

static void
every_reply_body_matches_the_table(void **state)
{
    et_fix_t *f = *state;
    et_create(f, s_defs);
    et_ready(f, 4);
    s_drop(s_ask(f, SR_MSG_SUBSCRIBE, SR_F_COUNT, NULL));
    s_workflows(f);
    sr_id_t ok = et_start(f, "ok", "{\"x\": {\"deep\": [1, 2]}}");
    et_serve(f);
    et_assert_state(f, &ok, "SUCCESS");
    s_delegate(f);
    s_changes(f);
    s_sub(f);
    s_drop(s_ask(f, SR_MSG_EX_LIST, SR_F_COUNT, NULL));
    s_drop(s_ask(f, SR_MSG_STATUS, SR_F_COUNT, NULL));
    s_drop(s_ask(f, SR_MSG_UNSUBSCRIBE, SR_F_COUNT, NULL));
    sr_msg_t *m = sr_msg_new(SR_MSG_WF_DELETE);
    sr_msg_set_str(m, SR_F_WF_DELETE_name, "ok");
    sr_error_t err;
    s_drop(et_call(f, m, &err));
    for (size_t i = 0; i < sr_msg_type_count(); i++) {
        sr_msg_type_t t = sr_msg_type_at(i);
        // CLUSTER_MAP needs replicated engines: loop.eng_repl checks it.
        if (sr_reply_of(t, NULL, NULL) != SR_REPLY_NONE &&
            t != SR_MSG_CLUSTER_MAP && !et_reply_checked(t))
            fail_msg("no %s reply was checked", sr_msg_type_name(t));
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_reply_body_matches_the_table,
                                        et_setup, et_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
