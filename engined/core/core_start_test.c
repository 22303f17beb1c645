// Starting an execution under an id the client chose (EX_START's `id`):
// a second start with that id is a retry that creates nothing and changes
// nothing, in a later batch or in the same one, whatever the execution's
// state; the same id for another workflow, or a sub-workflow execution's
// id, is refused (EEXIST, field 'id') and changes nothing.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core_test_util.h"

static const char *s_yaml = "version: '2.0'\n"
                            "sub:\n"
                            "  tasks:\n"
                            "    s:\n"
                            "      action: std.echo\n"
                            "wf:\n"
                            "  input: [x]\n"
                            "  tasks:\n"
                            "    a:\n"
                            "      action: std.echo output=<% $.x %>\n"
                            "other:\n"
                            "  tasks:\n"
                            "    o:\n"
                            "      action: std.echo\n"
                            "parent:\n"
                            "  tasks:\n"
                            "    p:\n"
                            "      workflow: sub\n";

// The START event of `wf` under `id` with input {"x": 1}.
static core_event_t
s_start(const sr_id_t *id, const char *wf, const sr_value_t *input)
{
    return (core_event_t){
        .kind = CORE_EV_START, .exec_id = *id, .wf_name = wf, .input = input};
}

static size_t
s_execs(const ct_t *c)
{
    return core_mem_count(c->mem, CORE_MEM_EXECS);
}

// Define the workflows and choose an id in the partition, as a client
// would; returns the input {"x": 1} (the caller destroys it).
static sr_value_t *
s_prepare(ct_t *c, sr_id_t *id)
{
    ct_define(c, s_yaml);
    sr_id_make(0, c->now, id);
    return ct_json("{\"x\": 1}");
}

static void
test_a_second_start_with_the_id_creates_nothing(void **state)
{
    ct_t *c = *state;
    sr_id_t id;
    sr_value_t *input = s_prepare(c, &id);
    assert_int_equal(ct_apply(c, s_start(&id, "wf", input)), SR_OK);
    CT_LOG(c, "(wf) RUNNING; a RUNNING; dispatch a");
    c->id = id;
    // The retry, with the same or other input: nothing new, no command.
    sr_value_t *other = ct_json("{\"x\": 2}");
    assert_int_equal(ct_apply(c, s_start(&id, "wf", input)), SR_OK);
    assert_int_equal(ct_apply(c, s_start(&id, "wf", other)), SR_OK);
    assert_int_equal(c->cmds.count, 0);
    CT_LOG(c, "");
    assert_int_equal(s_execs(c), 1);
    assert_int_equal(core_mem_count(c->mem, CORE_MEM_ACTIONS), 1);
    CT_JSON(ct_exec(c, NULL)->input, "{\"x\": 1}");
    // Whatever its state: once finished, a retry still finds it.
    ct_finish(c, "a", "1");
    assert_int_equal(ct_exec(c, NULL)->state, CORE_EX_SUCCESS);
    int64_t updated = ct_exec(c, NULL)->updated_ms;
    ct_log_clear(c);
    ct_tick(c, 1000);
    assert_int_equal(ct_apply(c, s_start(&id, "wf", input)), SR_OK);
    CT_LOG(c, "");
    assert_int_equal(ct_exec(c, NULL)->state, CORE_EX_SUCCESS);
    assert_int_equal(ct_exec(c, NULL)->updated_ms, updated);
    assert_int_equal(s_execs(c), 1);
    sr_value_destroy(&input);
    sr_value_destroy(&other);
}

static void
test_the_id_of_another_workflow_is_refused_and_changes_nothing(void **state)
{
    ct_t *c = *state;
    ct_define(c, s_yaml);
    ct_start(c, "parent", NULL);
    ct_log_clear(c);
    char text[SR_ID_TEXT_SIZE], want[256];
    sr_id_format(&c->id, text);
    assert_int_equal(ct_apply(c, s_start(&c->id, "other", NULL)), SR_EEXIST);
    assert_string_equal(c->err.where, "field 'id'");
    snprintf(want, sizeof want,
             "execution %s exists already, of workflow 'parent', not 'other'",
             text);
    assert_string_equal(c->err.msg, want);
    // A sub-workflow execution's id is no start's to retry.
    const core_exec_t *child = ct_child(c, "p", 0);
    sr_id_t child_id = child->id;
    assert_int_equal(ct_apply(c, s_start(&child_id, "sub", NULL)), SR_EEXIST);
    assert_string_equal(c->err.where, "field 'id'");
    snprintf(want, sizeof want,
             "execution %s exists already: a sub-workflow execution of "
             "workflow 'sub'",
             sr_id_format(&child_id, text));
    assert_string_equal(c->err.msg, want);
    CT_LOG(c, "");
    assert_int_equal(s_execs(c), 2);
    assert_int_equal(ct_exec(c, NULL)->state, CORE_EX_RUNNING);
}

static void
test_two_starts_with_one_id_in_one_batch_make_one_execution(void **state)
{
    ct_t *c = *state;
    sr_id_t id;
    sr_value_t *input = s_prepare(c, &id);
    core_event_t ev = s_start(&id, "wf", input);
    ev.now_ms = c->now;
    core_state_t *st = NULL;
    core_cmds_clear(&c->cmds);
    assert_int_equal(core_mem_begin(c->mem, &st), SR_OK);
    assert_int_equal(core_step(c->core, st, &ev, &c->cmds, &c->err), SR_OK);
    size_t first = c->cmds.count;
    assert_int_equal(core_step(c->core, st, &ev, &c->cmds, &c->err), SR_OK);
    assert_int_equal(c->cmds.count, first); // the second added nothing
    ev.wf_name = "other";
    assert_int_equal(core_step(c->core, st, &ev, &c->cmds, &c->err), SR_EEXIST);
    assert_int_equal(core_mem_commit(c->mem, &c->err), SR_OK);
    assert_int_equal(ct_cmds(c, CORE_CMD_DISPATCH), 1);
    assert_int_equal(s_execs(c), 1);
    assert_int_equal(core_mem_count(c->mem, CORE_MEM_ACTIONS), 1);
    assert_int_equal(ct_exec(c, &id)->state, CORE_EX_RUNNING);
    sr_value_destroy(&input);
}

static void
test_a_refused_start_leaves_the_id_free(void **state)
{
    ct_t *c = *state;
    sr_id_t id;
    sr_value_t *input = s_prepare(c, &id);
    // Missing input: refused, nothing made; the corrected retry starts it.
    assert_int_equal(ct_apply(c, s_start(&id, "wf", NULL)), SR_EINVAL);
    assert_string_equal(c->err.msg, "Invalid input [name=wf, missing=['x']]");
    assert_int_equal(s_execs(c), 0);
    assert_int_equal(ct_apply(c, s_start(&id, "wf", input)), SR_OK);
    CT_LOG(c, "(wf) RUNNING; a RUNNING; dispatch a");
    assert_int_equal(s_execs(c), 1);
    CT_JSON(ct_exec(c, &id)->input, "{\"x\": 1}");
    sr_value_destroy(&input);
}

int
main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, ct_setup, ct_teardown)
    const struct CMUnitTest tests[] = {
        T(test_a_second_start_with_the_id_creates_nothing),
        T(test_the_id_of_another_workflow_is_refused_and_changes_nothing),
        T(test_two_starts_with_one_id_in_one_batch_make_one_execution),
        T(test_a_refused_start_leaves_the_id_free),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
