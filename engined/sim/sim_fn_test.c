// Mistral's engine expression functions through the in-process driver:
// the dicts task() and execution() return, with the spec of the task and
// of the workflow as written.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim_test_util.h"

static void
test_task_and_execution_show_their_spec(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  input:\n"
                "    - k: 1\n"
                "  tasks:\n"
                "    t1:\n"
                "      description: first\n"
                "      action: std.echo output=<% $.k %>\n"
                "      publish:\n"
                "        own: <% task().spec.description %>\n"
                "        action: <% task(t1).spec.action %>\n"
                "        wf: <% execution().spec.name %>\n"
                "        version: <% execution().spec.version %>\n"
                "        tasks: <% execution().spec.tasks.keys() %>\n"
                "        input: <% execution().input %>\n");
    t_start(t, "wf", NULL, NULL);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    T_JSON(t_task(&ts, "t1")->published,
           "{\"own\": \"first\", \"action\": \"std.echo output=<% $.k %>\", "
           "\"wf\": \"wf\", \"version\": \"2.0\", \"tasks\": [\"t1\"], "
           "\"input\": {\"k\": 1}}");
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, t_setup, t_teardown)
    const struct CMUnitTest tests[] = {
        T(test_task_and_execution_show_their_spec),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
