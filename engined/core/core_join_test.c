// Joins, alone: `join: all` waits for every branch, `join: 1` runs on the
// first and ignores the rest, a join that can no longer be satisfied
// fails, one that could only wait is forced when nothing else is active,
// and the contexts of the branches merge by version.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core_test_util.h"

// a, then b and c in parallel, then d joining them (`join` as given).
static void
s_diamond(ct_t *c, const char *join)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "version: '2.0'\n"
             "wf:\n"
             "  tasks:\n"
             "    a:\n"
             "      action: std.noop\n"
             "      on-success: [b, c]\n"
             "    b:\n"
             "      action: std.echo\n"
             "      publish: {from_b: <%% task().result %%>, who: b}\n"
             "      on-success: [d]\n"
             "    c:\n"
             "      action: std.echo\n"
             "      publish: {from_c: <%% task().result %%>, who: c}\n"
             "      on-success: [d]\n"
             "    d:\n"
             "      join: %s\n"
             "      action: std.noop\n",
             join);
    ct_define(c, yaml);
    ct_start(c, "wf", NULL);
    ct_finish(c, "a", NULL);
    ct_log_clear(c);
}

static void
test_join_all_waits_for_every_branch(void **state)
{
    ct_t *c = *state;
    s_diamond(c, "all");
    ct_finish(c, "b", "1");
    CT_LOG(c, "go b; b SUCCESS");
    assert_true(ct_task(c, NULL, "d")->joining);
    assert_int_equal(ct_task(c, NULL, "d")->state, CORE_T_WAITING);
    ct_finish(c, "c", "2");
    CT_LOG(c, "go c; c SUCCESS; d RUNNING; dispatch d");
    // The newest arrival is the base; the other merges in by version.
    const core_task_t *d = ct_task(c, NULL, "d");
    CT_JSON(d->in_ctx, "{\"from_b\": 1, \"from_c\": 2, \"who\": \"c\"}");
    CT_JSON(d->arrived, "[\"b\", \"c\"]");
    ct_finish(c, "d", NULL);
    assert_int_equal(ct_exec(c, NULL)->state, CORE_EX_SUCCESS);
    assert_int_equal(ct_exec(c, NULL)->n_joins, 0);
}

static void
test_join_one_runs_on_the_first_branch_and_ignores_the_rest(void **state)
{
    ct_t *c = *state;
    s_diamond(c, "1");
    ct_finish(c, "c", "2");
    CT_LOG(c, "go c; c SUCCESS; d RUNNING; dispatch d");
    ct_finish(c, "d", NULL);
    ct_finish(c, "b", "1");
    CT_LOG(c, "go d; d SUCCESS; go b; b SUCCESS; (wf) SUCCESS");
    assert_int_equal(ct_count(c, "d"), 1);
}

static void
test_a_join_that_can_no_longer_be_satisfied_fails(void **state)
{
    ct_t *c = *state;
    s_diamond(c, "all");
    ct_finish(c, "c", "2");
    CT_LOG(c, "go c; c SUCCESS");
    ct_fail(c, "b", "\"no\"");
    // b led nowhere: d can never have both, and fails at once.
    CT_LOG(c, "go b; b ERROR; d ERROR; (wf) ERROR");
    const core_task_t *d = ct_task(c, NULL, "d");
    assert_string_equal(d->state_info, "Failed by tasks: ['b']");
    assert_false(d->joining);
    assert_int_equal(ct_count(c, "d"), 1);
}

static void
test_a_join_that_can_only_wait_is_forced_when_nothing_else_runs(void **state)
{
    ct_t *c = *state;
    // j needs c, which only j's own successors can reach: once a has
    // arrived nothing can ever run, and the completion check forces j.
    ct_define(c, "version: '2.0'\n"
                 "wf:\n"
                 "  tasks:\n"
                 "    a:\n"
                 "      action: std.noop\n"
                 "      on-success: [j]\n"
                 "    j:\n"
                 "      join: all\n"
                 "      on-success: [d]\n"
                 "      on-error: [handled]\n"
                 "    d:\n"
                 "      on-success: [c]\n"
                 "    c:\n"
                 "      on-success: [j]\n"
                 "    handled:\n"
                 "      action: std.noop\n");
    ct_start(c, "wf", NULL);
    ct_log_clear(c);
    ct_finish(c, "a", NULL);
    CT_LOG(c, "go a; a SUCCESS; j ERROR; handled RUNNING; dispatch handled");
    assert_string_equal(ct_task(c, NULL, "j")->state_info,
                        "Failed by tasks: ['c']");
    ct_finish(c, "handled", NULL);
    assert_int_equal(ct_exec(c, NULL)->state, CORE_EX_SUCCESS);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, ct_setup, ct_teardown)
    const struct CMUnitTest tests[] = {
        T(test_join_all_waits_for_every_branch),
        T(test_join_one_runs_on_the_first_branch_and_ignores_the_rest),
        T(test_a_join_that_can_no_longer_be_satisfied_fails),
        T(test_a_join_that_can_only_wait_is_forced_when_nothing_else_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
