// Engine bodies shaped as Mistral resources: JSON-typed fields as JSON
// text, the state of a waiting action, workflow ids stable by name,
// workflows and their input text from a definition, and errors with
// LINE:COL for a definition that does not load.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gw_shape.h"
#include "sr_value_json.h"

static sr_value_t *
s_json(const char *text)
{
    sr_value_t *v = NULL;
    assert_int_equal(sr_value_from_json(text, strlen(text), NULL, &v, NULL),
                     SR_OK);
    return v;
}

static void
executions_tasks_and_actions_read_as_mistral_does(void **state)
{
    (void)state;
    sr_value_t *ex = s_json("{\"id\": \"e1\", \"workflow_name\": \"wf\", "
                            "\"state\": \"RUNNING\", \"input\": {\"a\": 1}, "
                            "\"params\": {}, \"output\": null, "
                            "\"description\": null, \"created_at\": \"t\"}");
    sr_value_t *m = gw_shape_execution(ex);
    assert_string_equal(sr_value_map_str(m, "input"), "{\"a\": 1}");
    assert_string_equal(sr_value_map_str(m, "params"), "{}");
    assert_true(sr_value_is(sr_value_map_get(m, "output"), SR_T_NIL));
    assert_string_equal(sr_value_map_str(m, "description"), "");
    assert_string_equal(sr_value_map_str(m, "workflow_namespace"), "");
    char id[SR_ID_TEXT_SIZE];
    gw_shape_workflow_id("wf", id);
    assert_string_equal(sr_value_map_str(m, "workflow_id"), id);
    assert_int_equal(id[14], '8'); // version 8 UUID
    sr_value_destroy(&m);
    sr_value_destroy(&ex);

    sr_value_t *t = s_json("{\"id\": \"t1\", \"name\": \"a\", \"execution_id\":"
                           " \"e1\", \"state\": \"SUCCESS\", \"published\": "
                           "{\"x\": [1]}, \"result\": \"r\"}");
    m = gw_shape_task(t, "wf");
    assert_string_equal(sr_value_map_str(m, "workflow_execution_id"), "e1");
    assert_string_equal(sr_value_map_str(m, "published"), "{\"x\": [1]}");
    assert_string_equal(sr_value_map_str(m, "result"), "\"r\"");
    assert_true(sr_value_bool(sr_value_map_get(m, "processed")));
    sr_value_destroy(&m);
    sr_value_destroy(&t);

    sr_value_t *a = s_json("{\"id\": \"a1\", \"name\": \"std.async_noop\", "
                           "\"state\": \"PENDING\", \"result\": null, "
                           "\"task_id\": \"t1\", \"input\": {}}");
    m = gw_shape_action(a, "wf");
    assert_string_equal(sr_value_map_str(m, "state"), "RUNNING");
    assert_string_equal(sr_value_map_str(m, "sirocco_state"), "PENDING");
    assert_false(sr_value_bool(sr_value_map_get(m, "accepted")));
    assert_true(sr_value_is(sr_value_map_get(m, "output"), SR_T_NIL));
    assert_string_equal(sr_value_map_str(m, "task_execution_id"), "t1");
    sr_value_destroy(&m);
    sr_value_map_put(a, "state", sr_value_new_str("SUCCESS"));
    sr_value_map_put(a, "result", sr_value_new_int(42));
    m = gw_shape_action(a, "wf");
    assert_string_equal(sr_value_map_str(m, "state"), "SUCCESS");
    assert_string_equal(sr_value_map_str(m, "output"), "{\"result\": 42}");
    assert_true(sr_value_bool(sr_value_map_get(m, "accepted")));
    sr_value_destroy(&m);
    sr_value_destroy(&a);
}

static void
workflows_come_from_their_definition(void **state)
{
    (void)state;
    const char *text = "version: '2.0'\n"
                       "one:\n"
                       "  tags: [a, b]\n"
                       "  input: [x, {y: 2}, {z: text}, {w: [1, 2]}]\n"
                       "  tasks:\n    t: {action: std.noop}\n"
                       "two:\n  tasks:\n    t: {action: std.noop}\n";
    sr_value_t *wfs = NULL;
    sr_error_t err;
    assert_int_equal(
        gw_shape_workflows(text, strlen(text), NULL, false, &wfs, &err), SR_OK);
    assert_int_equal(sr_value_len(wfs), 2);
    const sr_value_t *one = sr_value_array_at(wfs, 0);
    assert_string_equal(sr_value_map_str(one, "input"),
                        "x, y=2, z=text, w=[1, 2]");
    assert_int_equal(sr_value_len(sr_value_map_get(one, "tags")), 2);
    assert_false(sr_value_map_has(one, "definition"));
    sr_value_destroy(&wfs);
    assert_int_equal(
        gw_shape_workflows(text, strlen(text), "two", true, &wfs, &err), SR_OK);
    assert_int_equal(sr_value_len(wfs), 1);
    assert_string_equal(
        sr_value_map_str(sr_value_array_at(wfs, 0), "definition"), text);
    sr_value_destroy(&wfs);
    const char *bad = "version: '2.0'\nwf:\n  tasks:\n    a:\n      on-success:"
                      " nope\n";
    assert_int_equal(
        gw_shape_workflows(bad, strlen(bad), NULL, false, &wfs, &err),
        SR_EINVAL);
    assert_non_null(strstr(err.msg, "definition:5:"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(executions_tasks_and_actions_read_as_mistral_does),
        cmocka_unit_test(workflows_come_from_their_definition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
