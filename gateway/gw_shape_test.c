// Engine bodies shaped as Mistral resources: JSON-typed fields as JSON
// text, the state of a waiting action, workflow ids stable by name, and
// workflows with the input text and tags the engine describes them with.
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
workflows_read_as_mistral_does(void **state)
{
    (void)state;
    sr_value_t *wfs = s_json(
        "[{\"name\": \"one\", \"version\": \"h\", \"input\": \"x, y=2\", "
        "\"tags\": [\"a\", \"b\"]}, {\"name\": \"two\", \"version\": \"h\"}, "
        "{\"name\": \"odd\", \"input\": 3, \"tags\": \"x\"}]");
    sr_value_t *text = sr_value_new_str("version: '2.0'\n...");
    sr_value_t *m = gw_shape_workflows(wfs, NULL);
    assert_int_equal(sr_value_len(m), 3);
    const sr_value_t *one = sr_value_array_at(m, 0);
    char id[SR_ID_TEXT_SIZE];
    gw_shape_workflow_id("one", id);
    assert_string_equal(sr_value_map_str(one, "id"), id);
    assert_string_equal(sr_value_map_str(one, "name"), "one");
    assert_string_equal(sr_value_map_str(one, "input"), "x, y=2");
    assert_int_equal(sr_value_len(sr_value_map_get(one, "tags")), 2);
    assert_string_equal(sr_value_map_str(one, "scope"), "private");
    assert_string_equal(sr_value_map_str(one, "namespace"), "");
    assert_false(sr_value_map_has(one, "definition"));
    // Without the engine's description (before protocol 1.5): input null,
    // no tags.
    const sr_value_t *two = sr_value_array_at(m, 1);
    assert_true(sr_value_is(sr_value_map_get(two, "input"), SR_T_NIL));
    assert_int_equal(sr_value_len(sr_value_map_get(two, "tags")), 0);
    // Fields of the wrong type are left out the same way.
    const sr_value_t *odd = sr_value_array_at(m, 2);
    assert_true(sr_value_is(sr_value_map_get(odd, "input"), SR_T_NIL));
    assert_true(sr_value_is(sr_value_map_get(odd, "tags"), SR_T_ARRAY));
    assert_int_equal(sr_value_len(sr_value_map_get(odd, "tags")), 0);
    sr_value_destroy(&m);
    m = gw_shape_workflow(sr_value_array_at(wfs, 1), text);
    assert_string_equal(sr_value_map_str(m, "definition"), sr_value_str(text));
    sr_value_destroy(&m);
    sr_value_destroy(&text);
    sr_value_destroy(&wfs);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(executions_tasks_and_actions_read_as_mistral_does),
        cmocka_unit_test(workflows_read_as_mistral_does),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
