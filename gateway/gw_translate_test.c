// The translate step with no engine: a table of hostile and ordinary
// requests with the status each must get (0: translated), then the
// arguments some routes build (callbacks, hooks, executions, actions,
// lists, an execution delete's force), bearer authentication, and the
// error body's shape.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gw.h"
#include "gw_hook.h"
#include "sr_value_json.h"

#define EX "00006b04-771a-853a-a30a-40766780fb7d"

typedef struct {
    gw_config_t cfg;
    gw_t *gw;
} s_fix_t;

static int
s_setup(void **state)
{
    s_fix_t *f = calloc(1, sizeof *f);
    sr_error_t err;
    char *args[] = {"sirocco-gateway",
                    "--cluster",
                    "ipc:///nowhere",
                    "--hook",
                    "gh:on_push:secret123",
                    "--max-body-bytes",
                    "1000"};
    assert_int_equal(sr_cfg_read(gw_config_table(), &f->cfg, 7, args, &err),
                     SR_OK);
    assert_int_equal(gw_new(&f->cfg, &f->gw, &err), SR_OK);
    *state = f;
    return 0;
}

static int
s_teardown(void **state)
{
    s_fix_t *f = *state;
    gw_destroy(&f->gw);
    gw_config_fini(&f->cfg);
    free(f);
    return 0;
}

typedef struct {
    gw_method_t method;
    const char *path;
    const char *body;
    int status; // 0: translated
    const char *why;
} s_case_t;

static const s_case_t s_cases[] = {
    {GW_GET, "/healthz", NULL, 0, "health"},
    {GW_HEAD, "/healthz", NULL, 0, "HEAD is GET"},
    {GW_GET, "/v2/executions/", NULL, 0, "one trailing slash"},
    {GW_GET, "/v2/executions//", NULL, 400, "two trailing slashes"},
    {GW_GET, "v2/executions", NULL, 400, "no leading slash"},
    {GW_GET, "/v2/./executions", NULL, 400, "a dot segment"},
    {GW_GET, "/v2/../v2/executions", NULL, 400, "a dot-dot segment"},
    {GW_GET,
     "/v2/executions/a\x01"
     "b",
     NULL, 400, "a control byte"},
    {GW_GET, "/v2/executions/\xff", NULL, 400, "invalid UTF-8"},
    {GW_GET, "/a/b/c/d/e/f/g/h/i/j", NULL, 400, "too deep"},
    {GW_GET, "/v2/nothing", NULL, 404, "no route"},
    {GW_GET, "/v2/executions/not-an-id", NULL, 404, "not an id"},
    {GW_GET, "/v2/executions/" EX, NULL, 0, "an id"},
    {GW_DELETE, "/v2/tasks/" EX, NULL, 405, "wrong method"},
    {GW_DELETE, "/v2/executions/" EX, NULL, 0, "delete an execution"},
    {GW_DELETE, "/v2/executions/not-an-id", NULL, 404, "delete: not an id"},
    {GW_OTHER, "/v2/executions", NULL, 405, "unknown method"},
    {GW_POST, "/v2/executions", "{", 400, "bad JSON"},
    {GW_POST, "/v2/executions", "[]", 400, "not an object"},
    {GW_POST, "/v2/executions", "{\"workflow_name\": 1}", 400, "wrong type"},
    {GW_POST, "/v2/executions", "{\"nope\": 1}", 400, "unknown field"},
    {GW_POST, "/v2/executions", "{}", 400, "no workflow"},
    {GW_POST, "/v2/executions",
     "{\"workflow_name\": \"w\", \"input\": "
     "\"[1]\"}",
     400, "input not an object"},
    {GW_POST, "/v2/executions",
     "{\"workflow_name\": \"w\", "
     "\"workflow_namespace\": \"ns\"}",
     400, "a namespace"},
    {GW_POST, "/v2/executions",
     "{\"workflow_name\": \"w\", \"params\": "
     "{\"env\": 3}}",
     400, "env not an object"},
    {GW_POST, "/v2/executions", "{\"workflow_name\": \"w\"}", 0, "minimal"},
    {GW_POST, "/v2/executions",
     "{\"workflow_name\": \"w\", \"id\": \"" EX "\"}", 0, "an id"},
    {GW_POST, "/v2/executions", "{\"workflow_name\": \"w\", \"id\": 7}", 400,
     "an id not a string"},
    {GW_POST, "/v2/executions", "{\"workflow_name\": \"w\", \"id\": \"x\"}",
     400, "an id not a UUID"},
    {GW_POST, "/v2/executions",
     "{\"workflow_name\": \"w\", \"id\": "
     "\"00006b04-771a-453a-a30a-40766780fb7d\"}",
     400, "a random (version 4) UUID"},
    {GW_PUT, "/v2/executions/" EX, "{\"state\": \"ERROR\"}", 400,
     "forced final state"},
    {GW_PUT, "/v2/executions/" EX, "{}", 400, "no state"},
    {GW_PUT, "/v2/executions/" EX, "{\"state\": \"PAUSED\"}", 0, "pause"},
    {GW_PUT, "/v2/tasks/" EX, "{\"state\": \"ERROR\"}", 400, "task state"},
    {GW_PUT, "/v2/tasks/" EX, "{\"state\": \"RUNNING\", \"reset\": false}", 0,
     "rerun"},
    {GW_PUT, "/v2/action_executions/" EX, "{\"state\": \"RUNNING\"}", 400,
     "action state"},
    {GW_PUT, "/v2/action_executions/" EX, "{\"output\": {\"a\": 1}}", 0,
     "output alone"},
    {GW_POST, "/v2/workflows", "", 400, "no definition"},
    {GW_POST, "/v2/workflows", "version: '2.0'\nwf:\n  tasks: {}\n", 0,
     "a definition (loaded later)"},
    {GW_POST, "/v2/workflows", "a: \xc3\x28", 400, "invalid UTF-8 text"},
    {GW_POST, "/v1/callbacks/abc_DEF-123", "{\"x\": 1}", 0, "callback"},
    {GW_POST, "/v1/callbacks/abc.def", "{}", 404, "not a token"},
    {GW_POST, "/v1/callbacks/abc",
     "{\"a\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
     "[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
     400, "too deep"},
    {GW_POST, "/v1/hooks/unknown", "{}", 404, "unknown hook"},
    {GW_POST, "/v1/hooks/gh", "{}", 401, "unsigned hook"},
};

static void
s_req(gw_req_t *req, gw_method_t m, const char *path, const char *body)
{
    memset(req, 0, sizeof *req);
    req->method = m;
    req->path = path;
    req->path_len = strlen(path);
    req->body = body ? body : "";
    req->body_len = body ? strlen(body) : 0;
}

static void
every_request_of_the_table_gets_its_status(void **state)
{
    s_fix_t *f = *state;
    for (size_t i = 0; i < sizeof s_cases / sizeof *s_cases; i++) {
        const s_case_t *c = &s_cases[i];
        gw_req_t req;
        s_req(&req, c->method, c->path, c->body);
        gw_call_t call;
        gw_resp_t resp = {0};
        bool ok = gw_translate(f->gw, &req, &call, &resp);
        int got = ok ? 0 : resp.status;
        if (got != c->status)
            fail_msg("%s: got %d, want %d (%.*s)", c->why, got, c->status,
                     (int)resp.body_len, resp.body ? resp.body : "");
        if (!ok && resp.status == 405)
            assert_string_equal(resp.header_name, "Allow");
        if (!ok && c->method == GW_DELETE && resp.status == 405)
            assert_string_equal(resp.header_value, "GET, PUT");
        if (!ok) {
            sr_value_t *body = NULL;
            assert_int_equal(
                sr_value_from_json(resp.body, resp.body_len, NULL, &body, NULL),
                SR_OK);
            assert_non_null(sr_value_map_str(body, "faultstring"));
            assert_string_equal(sr_value_map_str(body, "faultcode"), "Client");
            sr_value_destroy(&body);
        } else
            gw_call_fini(&call);
        gw_resp_fini(&resp);
    }
}

// Issue 18: a decoded %00 ended the path early, so that
// "/v2/workflows%00/../../x" listed workflows and "NAME%00zzz" deleted
// NAME. Paths come with their length; any control byte in them is a 400.
static void
a_nul_or_control_byte_anywhere_in_the_path_is_refused(void **state)
{
    s_fix_t *f = *state;
    static const struct {
        gw_method_t m;
        const char *path;
        size_t len;
    } cases[] = {
        {GW_GET, "/v2/workflows\0/../../x", 22},
        {GW_DELETE, "/v2/workflows/held\0zzz", 22},
        {GW_GET, "/v2/executions/" EX "\0", 52},
        {GW_GET, "/healthz\0", 9},
        {GW_GET, "/v2/workflows/a\x1f", 16},
        {GW_GET, "/v2/workflows/a\x7f", 16},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gw_req_t req;
        s_req(&req, cases[i].m, cases[i].path, NULL);
        req.path_len = cases[i].len;
        gw_call_t call;
        gw_resp_t resp = {0};
        if (gw_translate(f->gw, &req, &call, &resp))
            fail_msg("case %zu (%s...) was translated to route %zu", i,
                     cases[i].path, call.route);
        assert_int_equal(resp.status, 400);
        assert_non_null(strstr(resp.body, "control character"));
        gw_resp_fini(&resp);
    }
}

// Translate one request that must succeed; caller finis *call.
static void
s_ok(s_fix_t *f, gw_req_t *req, gw_call_t *call)
{
    gw_resp_t resp = {0};
    if (!gw_translate(f->gw, req, call, &resp))
        fail_msg("%s: %.*s", req->path, (int)resp.body_len, resp.body);
}

static char *
s_args(const gw_call_t *call)
{
    return sr_value_to_json(call->args, SR_JSON_SORT_KEYS);
}

static void
callbacks_tell_success_from_failure(void **state)
{
    s_fix_t *f = *state;
    static const struct {
        const char *query, *body, *args;
    } cases[] = {
        {NULL, "{\"a\": 1}", "{\"output\":{\"a\":1},\"token\":\"tk\"}"},
        {NULL, "", "{\"output\":null,\"token\":\"tk\"}"},
        {NULL, "{\"error\": \"boom\"}",
         "{\"error\":\"boom\",\"token\":\"tk\"}"},
        {NULL, "{\"error\": null, \"v\": 2}",
         "{\"output\":{\"error\":null,\"v\":2},\"token\":\"tk\"}"},
        {"error", "[1, 2]", "{\"error\":\"[1, 2]\",\"token\":\"tk\"}"},
        {"error", "",
         "{\"error\":\"failed (no details given)\",\"token\":"
         "\"tk\"}"},
        {"success", "{\"error\": \"x\"}",
         "{\"output\":{\"error\":\"x\"},\"token\":\"tk\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gw_kv_t q = {"status", cases[i].query};
        gw_req_t req;
        s_req(&req, GW_POST, "/v1/callbacks/tk", cases[i].body);
        req.query = &q;
        req.nquery = cases[i].query ? 1 : 0;
        gw_call_t call;
        s_ok(f, &req, &call);
        char *args = s_args(&call);
        assert_string_equal(args, cases[i].args);
        free(args);
        gw_call_fini(&call);
    }
}

static void
a_signed_hook_carries_workflow_input_and_delivery(void **state)
{
    s_fix_t *f = *state;
    const char *body = "{\"ref\": \"main\"}";
    char sig[72];
    gw_hook_sign("secret123", body, strlen(body), sig);
    gw_kv_t h[] = {{"x-hub-signature-256", sig}, {"X-GitHub-Delivery", "d-7"}};
    gw_req_t req;
    s_req(&req, GW_POST, "/v1/hooks/gh", body);
    req.headers = h;
    req.nheaders = 2;
    gw_call_t call;
    s_ok(f, &req, &call);
    char *args = s_args(&call);
    assert_string_equal(args, "{\"delivery\":\"d-7\",\"hook\":\"gh\",\"input\":"
                              "{\"ref\":\"main\"},\"workflow\":\"on_push\"}");
    free(args);
    gw_call_fini(&call);
    // The same signature over another body is refused.
    s_req(&req, GW_POST, "/v1/hooks/gh", "{\"ref\": \"evil\"}");
    req.headers = h;
    req.nheaders = 2;
    gw_resp_t resp = {0};
    assert_false(gw_translate(f->gw, &req, &call, &resp));
    assert_int_equal(resp.status, 401);
    gw_resp_fini(&resp);
}

static void
executions_and_actions_get_checked_arguments(void **state)
{
    s_fix_t *f = *state;
    static const struct {
        gw_method_t m;
        const char *path, *body, *args;
    } cases[] = {
        {GW_POST, "/v2/executions",
         "{\"workflow_name\": \"w\", \"input\": \"{\\\"a\\\": 1}\", "
         "\"params\": \"{\\\"env\\\": {\\\"e\\\": 2}, \\\"task_name\\\": "
         "\\\"t\\\"}\", \"description\": \"d\", \"workflow_namespace\": \"\"}",
         "{\"description\":\"d\",\"env\":{\"e\":2},\"input\":{\"a\":1},"
         "\"params\":{\"task_name\":\"t\"},\"workflow_name\":\"w\"}"},
        {GW_POST, "/v2/executions", "{\"source_execution_id\": \"" EX "\"}",
         "{\"source_execution_id\":\"" EX "\"}"},
        {GW_POST, "/v2/executions",
         "{\"workflow_name\": \"w\", \"id\": \"" EX "\"}",
         "{\"id\":\"" EX "\",\"workflow_name\":\"w\"}"},
        {GW_POST, "/v2/executions", "{\"workflow_name\": \"w\", \"id\": \"\"}",
         "{\"workflow_name\":\"w\"}"},
        {GW_PUT, "/v2/executions/" EX,
         "{\"state\": \"CANCELLED\", \"state_info\": \"enough\"}",
         "{\"reason\":\"enough\",\"state\":\"CANCELLED\"}"},
        {GW_PUT, "/v2/action_executions/" EX,
         "{\"state\": \"SUCCESS\", \"output\": \"{\\\"v\\\": 1}\"}",
         "{\"output\":{\"v\":1}}"},
        {GW_PUT, "/v2/action_executions/" EX,
         "{\"state\": \"SUCCESS\", \"output\": \"plain text\"}",
         "{\"output\":\"plain text\"}"},
        {GW_PUT, "/v2/action_executions/" EX,
         "{\"state\": \"ERROR\", \"output\": {\"why\": \"x\"}}",
         "{\"error\":\"{\\\"why\\\": \\\"x\\\"}\"}"},
        {GW_PUT, "/v2/action_executions/" EX, "{\"state\": \"ERROR\"}",
         "{\"error\":\"Unknown error\"}"},
        {GW_PUT, "/v2/tasks/" EX, "{\"state\": \"RUNNING\"}",
         "{\"reset\":true}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gw_req_t req;
        s_req(&req, cases[i].m, cases[i].path, cases[i].body);
        gw_call_t call;
        s_ok(f, &req, &call);
        char *args = s_args(&call);
        if (strcmp(args, cases[i].args) != 0)
            fail_msg("case %zu: %s, want %s", i, args, cases[i].args);
        free(args);
        gw_call_fini(&call);
    }
}

static void
an_execution_delete_reads_force_from_its_query(void **state)
{
    s_fix_t *f = *state;
    static const struct {
        const char *force; // NULL: no query
        int status;
        const char *args;
    } cases[] = {
        {NULL, 0, "{\"force\":false}"},
        {"True", 0, "{\"force\":true}"}, // python-mistralclient's
        {"true", 0, "{\"force\":true}"},
        {"1", 0, "{\"force\":true}"},
        {"false", 0, "{\"force\":false}"},
        {"maybe", 400, NULL},
        {"", 400, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gw_kv_t q = {"force", cases[i].force};
        gw_req_t req;
        s_req(&req, GW_DELETE, "/v2/executions/" EX, NULL);
        req.query = &q;
        req.nquery = cases[i].force ? 1 : 0;
        gw_call_t call;
        gw_resp_t resp = {0};
        bool ok = gw_translate(f->gw, &req, &call, &resp);
        if ((ok ? 0 : resp.status) != cases[i].status)
            fail_msg("force=%s: got %d", cases[i].force ? cases[i].force : "-",
                     ok ? 0 : resp.status);
        if (ok) {
            char *args = s_args(&call);
            assert_string_equal(args, cases[i].args);
            free(args);
            gw_call_fini(&call);
        } else
            assert_non_null(strstr(resp.body, "query 'force' must be true or "
                                              "false"));
        gw_resp_fini(&resp);
    }
}

static void
bearer_tokens_guard_v2_only(void **state)
{
    (void)state;
    gw_config_t cfg;
    sr_error_t err;
    char *bad[] = {"sirocco-gateway", "--cluster", "ipc:///nowhere", "--token",
                   "short"};
    assert_int_equal(sr_cfg_read(gw_config_table(), &cfg, 5, bad, &err),
                     SR_EINVAL);
    assert_string_equal(err.msg, "--token: expected at least 16 bytes");
    gw_config_fini(&cfg);
    char *args[] = {"sirocco-gateway", "--cluster", "ipc:///nowhere", "--token",
                    "0123456789abcdef-one"};
    assert_int_equal(sr_cfg_read(gw_config_table(), &cfg, 5, args, &err),
                     SR_OK);
    gw_t *gw = NULL;
    assert_int_equal(gw_new(&cfg, &gw, &err), SR_OK);
    static const struct {
        const char *path, *name, *value;
        int status;
    } cases[] = {
        {"/v2/executions", NULL, NULL, 401},
        {"/v2/executions", "Authorization", "Bearer wrong-token-0000000", 401},
        {"/v2/executions", "Authorization", "Basic 0123456789abcdef-one", 401},
        {"/v2/executions", "Authorization", "Bearer 0123456789abcdef-one", 0},
        {"/v2/executions", "authorization", "bearer 0123456789abcdef-one", 0},
        {"/v2/executions", "X-Auth-Token", "0123456789abcdef-one", 0},
        {"/healthz", NULL, NULL, 0},
        {"/metrics", NULL, NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gw_kv_t h = {cases[i].name, cases[i].value};
        gw_req_t req;
        s_req(&req, GW_GET, cases[i].path, NULL);
        req.headers = &h;
        req.nheaders = cases[i].name ? 1 : 0;
        gw_call_t call;
        gw_resp_t resp = {0};
        bool ok = gw_translate(gw, &req, &call, &resp);
        assert_int_equal(ok ? 0 : resp.status, cases[i].status);
        if (!ok)
            assert_string_equal(resp.header_name, "WWW-Authenticate");
        else
            gw_call_fini(&call);
        gw_resp_fini(&resp);
    }
    gw_destroy(&gw);
    gw_config_fini(&cfg);
}

static void
list_queries_are_checked(void **state)
{
    s_fix_t *f = *state;
    static const struct {
        const char *key, *value;
        int status;
        const char *args; // when translated
    } cases[] = {
        {"limit", "x", 400, NULL},
        {"limit", "-1", 400, NULL},
        {"limit", "10", 0, "{\"filters\":{},\"limit\":10}"},
        {"sort_dirs", "asc,sideways", 400, NULL},
        {"sort_keys", "created_at, id", 0,
         "{\"filters\":{},\"sort_keys\":[\"created_at\",\"id\"]}"},
        {"fields", "id,,name", 400, NULL},
        {"state", "RUNNING", 0, "{\"filters\":{\"state\":\"RUNNING\"}}"},
        {"Bad-Name", "1", 400, NULL},
        {"nulls", "root_execution_id", 0, "{\"filters\":{}}"},
        {"marker", EX, 0, "{\"filters\":{},\"marker\":\"" EX "\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gw_kv_t q = {cases[i].key, cases[i].value};
        gw_req_t req;
        s_req(&req, GW_GET, "/v2/executions", NULL);
        req.query = &q;
        req.nquery = 1;
        gw_call_t call;
        gw_resp_t resp = {0};
        bool ok = gw_translate(f->gw, &req, &call, &resp);
        if ((ok ? 0 : resp.status) != cases[i].status)
            fail_msg("%s=%s: got %d", cases[i].key, cases[i].value,
                     ok ? 0 : resp.status);
        if (ok) {
            char *args = s_args(&call);
            assert_string_equal(args, cases[i].args);
            free(args);
            gw_call_fini(&call);
        }
        gw_resp_fini(&resp);
    }
}

static void
utf8_is_checked_strictly(void **state)
{
    (void)state;
    assert_true(gw_utf8_valid("", 0));
    assert_true(gw_utf8_valid("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10));
    assert_false(gw_utf8_valid("a\0b", 3));
    assert_false(gw_utf8_valid("\xc3", 1));             // truncated
    assert_false(gw_utf8_valid("\xc0\xaf", 2));         // overlong
    assert_false(gw_utf8_valid("\xed\xa0\x80", 3));     // surrogate
    assert_false(gw_utf8_valid("\xf4\x90\x80\x80", 4)); // over U+10FFFF
    assert_false(gw_utf8_valid("\x80", 1));
    assert_false(gw_utf8_valid("\xff", 1));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            every_request_of_the_table_gets_its_status, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            a_nul_or_control_byte_anywhere_in_the_path_is_refused, s_setup,
            s_teardown),
        cmocka_unit_test_setup_teardown(callbacks_tell_success_from_failure,
                                        s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            a_signed_hook_carries_workflow_input_and_delivery, s_setup,
            s_teardown),
        cmocka_unit_test_setup_teardown(
            executions_and_actions_get_checked_arguments, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(list_queries_are_checked, s_setup,
                                        s_teardown),
        cmocka_unit_test_setup_teardown(
            an_execution_delete_reads_force_from_its_query, s_setup,
            s_teardown),
        cmocka_unit_test(bearer_tokens_guard_v2_only),
        cmocka_unit_test(utf8_is_checked_strictly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
