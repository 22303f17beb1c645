// with-items, alone: one unit per item with its own input, results kept in
// item order whatever order they come in, the concurrency cap, a failed
// item, an empty list, and a with-items expression that cannot be
// evaluated.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core_test_util.h"

// Task `t` over `items` with `concurrency` (NULL: the default), then `z`.
static void
s_items(ct_t *c, const char *items, const char *concurrency)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "version: '2.0'\n"
             "wf:\n"
             "  tasks:\n"
             "    t:\n"
             "      with-items: x in %s\n"
             "%s%s%s"
             "      action: std.echo\n"
             "      input:\n"
             "        v: <%% $.x %%>\n"
             "      publish:\n"
             "        all: <%% task().result %%>\n"
             "      on-success: [z]\n"
             "      on-error: [e]\n"
             "    z: {}\n"
             "    e: {}\n",
             items, concurrency ? "      concurrency: " : "",
             concurrency ? concurrency : "", concurrency ? "\n" : "");
    ct_define(c, yaml);
    ct_start(c, "wf", NULL);
}

// Answer the open offer of `t` whose input is {"v": v}.
static void
s_answer(ct_t *c, int v, bool ok)
{
    for (size_t i = 0; i < c->noffers; i++) {
        ct_offer_t *o = &c->offers[i];
        if (!o->open || sr_value_int(sr_value_map_get(o->input, "v")) != v)
            continue;
        char out[32];
        snprintf(out, sizeof out, "%d", v * 10);
        assert_int_equal(ct_confirm(c, o), SR_OK);
        assert_int_equal(
            ct_result(c, o, ok ? CORE_RESULT_SUCCESS : CORE_RESULT_ERROR, out),
            SR_OK);
        return;
    }
    fail_msg("no open offer with input %d", v);
}

static void
test_each_item_runs_with_its_input_and_results_keep_item_order(void **state)
{
    ct_t *c = *state;
    s_items(c, "[1, 2, 3]", NULL);
    CT_LOG(c, "(wf) RUNNING; t RUNNING; dispatch t; dispatch t; dispatch t");
    assert_int_equal(ct_open(c, "t"), 3);
    s_answer(c, 3, true);
    s_answer(c, 1, true);
    assert_int_equal(ct_task(c, NULL, "t")->state, CORE_T_RUNNING);
    s_answer(c, 2, true);
    const core_task_t *t = ct_task(c, NULL, "t");
    assert_int_equal(t->state, CORE_T_SUCCESS);
    CT_JSON(t->result, "[10, 20, 30]");
    CT_JSON(t->published, "{\"all\": [10, 20, 30]}");
    assert_int_equal(ct_exec(c, NULL)->state, CORE_EX_SUCCESS);
}

static void
test_concurrency_caps_the_units_that_run(void **state)
{
    ct_t *c = *state;
    s_items(c, "[1, 2, 3, 4, 5]", "2");
    assert_int_equal(ct_open(c, "t"), 2);
    assert_int_equal(ct_task(c, NULL, "t")->concurrency, 2);
    s_answer(c, 2, true);
    // One ended, the next in item order starts.
    assert_int_equal(ct_open(c, "t"), 2);
    CT_JSON(c->offers[2].input, "{\"v\": 3}");
    s_answer(c, 1, true);
    s_answer(c, 3, true);
    s_answer(c, 4, true);
    assert_int_equal(ct_open(c, "t"), 1);
    s_answer(c, 5, true);
    CT_JSON(ct_task(c, NULL, "t")->result, "[10, 20, 30, 40, 50]");
}

static void
test_a_failed_item_fails_the_task_once_every_item_ended(void **state)
{
    ct_t *c = *state;
    s_items(c, "[1, 2]", NULL);
    ct_log_clear(c);
    s_answer(c, 1, false);
    assert_int_equal(ct_task(c, NULL, "t")->state, CORE_T_RUNNING);
    s_answer(c, 2, true);
    CT_LOG(c, "go t; go t; t ERROR; e RUNNING; e SUCCESS; (wf) SUCCESS");
    const core_task_t *t = ct_task(c, NULL, "t");
    assert_string_equal(t->state_info, "One or more actions had failed.");
    CT_JSON(t->result, "[10, 20]");
}

static void
test_an_empty_list_succeeds_at_once_with_an_empty_result(void **state)
{
    ct_t *c = *state;
    s_items(c, "[]", NULL);
    CT_LOG(c, "(wf) RUNNING; t RUNNING; t SUCCESS; z RUNNING; z SUCCESS; "
              "(wf) SUCCESS");
    CT_JSON(ct_task(c, NULL, "t")->result, "[]");
}

static void
test_a_with_items_value_that_is_no_list_fails_the_workflow(void **state)
{
    ct_t *c = *state;
    s_items(c, "<% 5 %>", NULL);
    CT_LOG(c, "(wf) RUNNING; t RUNNING; t ERROR; (wf) ERROR");
    const core_exec_t *e = ct_exec(c, NULL);
    assert_non_null(strstr(e->state_info, "Failed to run task [error="
                                          "Wrong input format for: {'x': 5}"));
    assert_true(ct_task(c, NULL, "t")->fatal);
    assert_int_equal(ct_count(c, "e"), 0); // no on-error for a fatal error
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, ct_setup, ct_teardown)
    const struct CMUnitTest tests[] = {
        T(test_each_item_runs_with_its_input_and_results_keep_item_order),
        T(test_concurrency_caps_the_units_that_run),
        T(test_a_failed_item_fails_the_task_once_every_item_ended),
        T(test_an_empty_list_succeeds_at_once_with_an_empty_result),
        T(test_a_with_items_value_that_is_no_list_fails_the_workflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
