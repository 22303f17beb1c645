// Start-time data through the in-process driver: expressions inside the
// env are evaluated once (unless evaluate_env is false) and sub-workflows
// see the evaluated env; what a sub-workflow task gives beyond the
// sub-workflow's declared input becomes its start parameters (task_name of
// a reverse sub-workflow); a task input that is not a map names the value.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "sim_test_util.h"

static const char *s_env_wf = "version: '2.0'\n"
                              "parent:\n"
                              "  tasks:\n"
                              "    call:\n"
                              "      workflow: child\n"
                              "child:\n"
                              "  output:\n"
                              "    a: <% env().a %>\n"
                              "    b: <% env().b %>\n"
                              "  tasks:\n"
                              "    t:\n"
                              "      action: std.noop\n";

// Start `parent` with `env_json` and `params_json`; run it; return the
// child's output.
static sr_err_t
s_run_env(t_sim_t *t, const char *env_json, const char *params_json,
          core_exec_t **child)
{
    t_define(t, s_env_wf);
    sr_value_t *env = t_json(env_json), *params = t_json(params_json);
    sr_err_t rc =
        sim_start(t->sim, "parent", NULL, env, params, &t->id, &t->err);
    sr_value_destroy(&env);
    sr_value_destroy(&params);
    if (rc)
        return rc;
    t_run(t);
    sr_id_t cid = t_unit_id(t, "call", 0);
    *child = t_exec(t, &cid);
    return SR_OK;
}

static void
test_env_expressions_are_evaluated_at_start(void **state)
{
    t_sim_t *t = *state;
    core_exec_t *c = NULL;
    assert_int_equal(s_run_env(t,
                               "{\"a\": \"<% 1 + 1 %>\", "
                               "\"b\": [\"x-{{ env().c }}\"], \"c\": \"y\"}",
                               "{}", &c),
                     SR_OK);
    assert_int_equal(c->state, CORE_EX_SUCCESS);
    T_JSON(c->output, "{\"a\": 2, \"b\": [\"x-y\"]}");
    core_exec_destroy(&c);
}

static void
test_evaluate_env_false_keeps_the_text(void **state)
{
    t_sim_t *t = *state;
    core_exec_t *c = NULL;
    assert_int_equal(s_run_env(t, "{\"a\": \"<% 1 + 1 %>\", \"b\": 1}",
                               "{\"evaluate_env\": false}", &c),
                     SR_OK);
    T_JSON(c->output, "{\"a\": \"<% 1 + 1 %>\", \"b\": 1}");
    core_exec_destroy(&c);
}

static void
test_a_failing_env_expression_refuses_the_start(void **state)
{
    t_sim_t *t = *state;
    core_exec_t *c = NULL;
    assert_int_equal(s_run_env(t, "{\"a\": \"<% $.nothing %>\"}", "{}", &c),
                     SR_EINVAL);
    T_CONTAINS(t->err.msg, "Failed to evaluate the environment");
    T_CONTAINS(t->err.msg, "nothing");
    assert_null(c);
}

static void
test_undeclared_sub_workflow_input_becomes_params(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "parent:\n"
                "  tasks:\n"
                "    call:\n"
                "      workflow: rev p=1 task_name=second\n"
                "      publish:\n"
                "        got: <% task().result %>\n"
                "rev:\n"
                "  type: reverse\n"
                "  input:\n"
                "    - p\n"
                "  output:\n"
                "    r: <% $.r %>\n"
                "  tasks:\n"
                "    first:\n"
                "      action: std.echo output=<% $.p %>\n"
                "    second:\n"
                "      requires: [first]\n"
                "      action: std.echo output=<% $.p + 1 %>\n"
                "      publish:\n"
                "        r: <% task().result %>\n"
                "    third:\n"
                "      requires: [second]\n"
                "      action: std.fail\n");
    t_start(t, "parent", NULL, NULL);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    T_JSON(e->output, "{\"got\": {\"r\": 2}}");
    sr_id_t cid = t_unit_id(t, "call", 0);
    core_exec_t *c = t_exec(t, &cid);
    T_JSON(c->input, "{\"p\": 1}");
    T_JSON(sr_value_map_get(c->params, "task_name"), "\"second\"");
    t_tasks_t ts = t_tasks(t, &cid);
    assert_int_equal(ts.n, 2); // third is not needed for the target
    t_tasks_free(&ts);
    core_exec_destroy(&c);
    core_exec_destroy(&e);
}

static void
test_a_task_input_that_is_not_a_map_is_named(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  input:\n"
                "    - inp\n"
                "  tasks:\n"
                "    call:\n"
                "      workflow: child\n"
                "      input: <% $.inp %>\n"
                "child:\n"
                "  tasks:\n"
                "    t:\n"
                "      action: std.noop\n");
    t_start(t, "wf", "{\"inp\": \"not_a_map_value\"}", NULL);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    assert_int_equal(e->state, CORE_EX_ERROR);
    T_CONTAINS(e->state_info, "must be a map, got string: \"not_a_map_value\"");
    core_exec_destroy(&e);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, t_setup, t_teardown)
    const struct CMUnitTest tests[] = {
        T(test_env_expressions_are_evaluated_at_start),
        T(test_evaluate_env_false_keeps_the_text),
        T(test_a_failing_env_expression_refuses_the_start),
        T(test_undeclared_sub_workflow_input_becomes_params),
        T(test_a_task_input_that_is_not_a_map_is_named),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
