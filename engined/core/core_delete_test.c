// Deleting an execution, alone: its whole tree goes (sub-workflows, task
// executions, action executions, timers, delegate tokens) and watchers
// hear DELETED, the root last; what may not be deleted is refused and
// changes nothing; force cancels first.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core_test_util.h"

static const char *s_yaml = "version: '2.0'\n"
                            "sub:\n"
                            "  tasks:\n"
                            "    s:\n"
                            "      action: std.echo\n"
                            "wf:\n"
                            "  tasks:\n"
                            "    p:\n"
                            "      with-items: i in [1, 2]\n"
                            "      workflow: sub\n"
                            "    w:\n"
                            "      action: std.async\n"
                            "      timeout: 60\n";

static sr_err_t
s_delete(ct_t *c, const sr_id_t *id, bool force)
{
    return ct_apply(
        c,
        (core_event_t){.kind = CORE_EV_DELETE, .exec_id = *id, .force = force});
}

static size_t
s_rows(const ct_t *c)
{
    size_t n = 0;
    for (int t = 0; t < CORE_MEM_NTABLES; t++)
        n += core_mem_count(c->mem, (core_mem_table_t)t);
    return n;
}

// Run wf to its end: both children's actions, and w as a delegate that
// completes.
static void
s_finish_all(ct_t *c)
{
    ct_finish(c, "s", NULL);
    ct_finish(c, "s", NULL);
    const ct_offer_t *w = ct_offer(c, "w");
    assert_int_equal(ct_confirm(c, w), SR_OK);
    assert_int_equal(ct_result(c, w, CORE_RESULT_PENDING, NULL), SR_OK);
    assert_int_equal(core_mem_count(c->mem, CORE_MEM_TOKENS), 1);
    assert_int_equal(ct_apply(c, (core_event_t){.kind = CORE_EV_COMPLETE,
                                                .action_id = w->action_id,
                                                .status = CORE_RESULT_SUCCESS}),
                     SR_OK);
    assert_int_equal(ct_exec(c, NULL)->state, CORE_EX_SUCCESS);
}

static void
test_deleting_removes_the_whole_tree_and_says_so_root_last(void **state)
{
    ct_t *c = *state;
    ct_define(c, s_yaml);
    ct_start(c, "wf", NULL);
    s_finish_all(c);
    assert_int_equal(core_mem_count(c->mem, CORE_MEM_EXECS), 3);
    assert_int_equal(core_mem_count(c->mem, CORE_MEM_ACTIONS), 3);
    ct_log_clear(c);
    assert_int_equal(s_delete(c, &c->id, false), SR_OK);
    CT_LOG(c, "(sub) DELETED; (sub) DELETED; (wf) DELETED");
    assert_int_equal(s_rows(c), 0);
    assert_int_equal(s_delete(c, &c->id, false), SR_ENOTFOUND);
}

static void
test_what_may_not_be_deleted_is_refused_and_changes_nothing(void **state)
{
    ct_t *c = *state;
    ct_define(c, s_yaml);
    ct_start(c, "wf", NULL);
    size_t rows = s_rows(c);
    ct_log_clear(c);
    assert_int_equal(s_delete(c, &c->id, false), SR_ESTATE); // running
    sr_id_t child = ct_child(c, "p", 0)->id;
    assert_int_equal(s_delete(c, &child, true), SR_ESTATE); // not a root
    CT_LOG(c, "");
    assert_int_equal(s_rows(c), rows);
}

static void
test_force_cancels_what_runs_then_deletes(void **state)
{
    ct_t *c = *state;
    ct_define(c, s_yaml);
    ct_start(c, "wf", NULL);
    assert_int_equal(ct_confirm(c, ct_offer(c, "w")), SR_OK);
    assert_int_equal(core_mem_count(c->mem, CORE_MEM_TIMERS), 1);
    ct_log_clear(c);
    assert_int_equal(s_delete(c, &c->id, true), SR_OK);
    CT_LOG(c, "s CANCELLED; (sub) CANCELLED; s CANCELLED; (sub) CANCELLED; "
              "p CANCELLED; cancel w; w CANCELLED; (wf) CANCELLED; "
              "(sub) DELETED; (sub) DELETED; (wf) DELETED");
    assert_int_equal(s_rows(c), 0);
    // The timeout's timer went with its task: nothing fires.
    ct_tick(c, 120000);
    CT_LOG(c, "");
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, ct_setup, ct_teardown)
    const struct CMUnitTest tests[] = {
        T(test_deleting_removes_the_whole_tree_and_says_so_root_last),
        T(test_what_may_not_be_deleted_is_refused_and_changes_nothing),
        T(test_force_cancels_what_runs_then_deletes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
