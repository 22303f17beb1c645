// Sub-workflows, alone: a workflow task runs a child execution in the same
// partition and takes its output; a failed child fails its unit; children
// per with-items item under the concurrency cap; cancel and pause go down
// to them; a sub-workflow that cannot start fails its unit.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "core_test_util.h"

static const char *s_yaml = "version: '2.0'\n"
                            "sub:\n"
                            "  input:\n"
                            "    - n\n"
                            "  output:\n"
                            "    doubled: <% $.got * 2 %>\n"
                            "  tasks:\n"
                            "    s:\n"
                            "      action: std.echo\n"
                            "      input:\n"
                            "        v: <% $.n %>\n"
                            "      publish:\n"
                            "        got: <% task().result %>\n"
                            "main:\n"
                            "  tasks:\n"
                            "    p:\n"
                            "      workflow: sub\n"
                            "      input:\n"
                            "        n: 21\n"
                            "      publish:\n"
                            "        out: <% task().result %>\n"
                            "      on-success: [q]\n"
                            "      on-error: [h]\n"
                            "    q:\n"
                            "      action: std.noop\n"
                            "    h:\n"
                            "      action: std.noop\n"
                            "many:\n"
                            "  tasks:\n"
                            "    p:\n"
                            "      with-items: n in [1, 2, 3]\n"
                            "      concurrency: 2\n"
                            "      workflow: sub\n"
                            "      input:\n"
                            "        n: <% $.n %>\n"
                            "missing:\n"
                            "  tasks:\n"
                            "    p:\n"
                            "      workflow: nosuch\n"
                            "      on-error: [h]\n"
                            "    h: {}\n";

static void
test_a_workflow_task_runs_a_child_and_takes_its_output(void **state)
{
    ct_t *c = *state;
    ct_define(c, s_yaml);
    ct_start(c, "main", NULL);
    CT_LOG(c, "(main) RUNNING; p RUNNING; (sub) RUNNING; s RUNNING; "
              "dispatch s");
    const core_exec_t *child = ct_child(c, "p", 0);
    assert_true(sr_id_equal(&child->parent_id, &c->id));
    assert_true(sr_id_equal(&child->root_id, &c->id));
    CT_JSON(ct_offer(c, "s")->input, "{\"v\": 21}");
    ct_finish(c, "s", "21");
    // The child ends, then (deferred to the end of the step) its parent.
    CT_LOG(c, "go s; s SUCCESS; (sub) SUCCESS; p SUCCESS; q RUNNING; "
              "dispatch q");
    CT_JSON(ct_task(c, NULL, "p")->published, "{\"out\": {\"doubled\": 42}}");
}

static void
test_a_failed_child_fails_its_unit(void **state)
{
    ct_t *c = *state;
    ct_define(c, s_yaml);
    ct_start(c, "main", NULL);
    ct_log_clear(c);
    ct_fail(c, "s", "\"no\"");
    CT_LOG(c, "go s; s ERROR; (sub) ERROR; p ERROR; h RUNNING; dispatch h");
    assert_non_null(strstr(ct_task(c, NULL, "p")->state_info,
                           "Failure caused by error in tasks: s"));
}

static void
test_with_items_children_respect_the_concurrency(void **state)
{
    ct_t *c = *state;
    ct_define(c, s_yaml);
    ct_start(c, "many", NULL);
    assert_int_equal(ct_open(c, "s"), 2);
    ct_finish(c, "s", "1");
    // One child ended: the third starts.
    assert_int_equal(ct_open(c, "s"), 2);
    ct_finish(c, "s", "2");
    ct_finish(c, "s", "3");
    const core_task_t *p = ct_task(c, NULL, "p");
    assert_int_equal(p->state, CORE_T_SUCCESS);
    CT_JSON(p->result, "[{\"doubled\": 2}, {\"doubled\": 4}, "
                       "{\"doubled\": 6}]");
}

static void
test_cancel_and_pause_go_down_to_the_children(void **state)
{
    ct_t *c = *state;
    ct_define(c, s_yaml);
    ct_start(c, "many", NULL);
    const ct_offer_t *first = ct_offer(c, "s");
    assert_int_equal(ct_confirm(c, first), SR_OK);
    ct_log_clear(c);
    assert_int_equal(ct_exec_event(c, CORE_EV_PAUSE, NULL), SR_OK);
    CT_LOG(c, "(many) PAUSED; (sub) PAUSED; (sub) PAUSED");
    assert_int_equal(ct_exec_event(c, CORE_EV_RESUME, NULL), SR_OK);
    CT_LOG(c, "(many) RUNNING; (sub) RUNNING; (sub) RUNNING");
    assert_int_equal(ct_exec_event(c, CORE_EV_CANCEL, NULL), SR_OK);
    CT_LOG(c, "cancel s; s CANCELLED; (sub) CANCELLED; s CANCELLED; "
              "(sub) CANCELLED; p CANCELLED; (many) CANCELLED");
    assert_string_equal(ct_child(c, "p", 0)->state_info,
                        "Cancelled with its parent task");
}

static void
test_a_sub_workflow_that_cannot_start_fails_its_unit(void **state)
{
    ct_t *c = *state;
    ct_define(c, s_yaml);
    ct_start(c, "missing", NULL);
    CT_LOG(c, "(missing) RUNNING; p RUNNING; p ERROR; h RUNNING; "
              "h SUCCESS; (missing) SUCCESS");
    assert_string_equal(ct_task(c, NULL, "p")->state_info,
                        "Workflow 'nosuch' not found");
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, ct_setup, ct_teardown)
    const struct CMUnitTest tests[] = {
        T(test_a_workflow_task_runs_a_child_and_takes_its_output),
        T(test_a_failed_child_fails_its_unit),
        T(test_with_items_children_respect_the_concurrency),
        T(test_cancel_and_pause_go_down_to_the_children),
        T(test_a_sub_workflow_that_cannot_start_fails_its_unit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
