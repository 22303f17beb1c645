// The in-memory state (core_mem.c), alone: a batch is kept at its commit
// and gone at its abort, records are copies that only *_dirty writes back,
// a change the state never lent fails the commit, scans see the batch in
// key order, timers come out by due time, and a definition's workflows
// are the newest under their names.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core_mem.h"

#define S_T0 1800000000000LL

static sr_id_t
s_id(int64_t ms)
{
    sr_id_t id;
    sr_id_make(0, ms, &id);
    return id;
}

// Add an execution named `name` made at `ms`; returns its id.
static sr_id_t
s_add_exec(core_state_t *st, int64_t ms, const char *name)
{
    core_exec_t *e = core_exec_new();
    assert_non_null(e);
    e->id = s_id(ms);
    assert_int_equal(core_set_str(&e->wf_name, name), SR_OK);
    sr_id_t id = e->id;
    assert_int_equal(st->ops->exec_add(st, &e), SR_OK);
    assert_null(e);
    return id;
}

static const char *
s_name_of(core_mem_t *m, const sr_id_t *id)
{
    static char name[64];
    core_exec_t *e = NULL;
    if (core_mem_exec(m, id, &e))
        return NULL;
    snprintf(name, sizeof name, "%s", e->wf_name);
    core_exec_destroy(&e);
    return name;
}

static void
test_a_batch_is_kept_at_commit_and_gone_at_abort(void **state)
{
    (void)state;
    core_mem_t *m = core_mem_new(0);
    core_state_t *st = NULL;
    assert_int_equal(core_mem_begin(m, &st), SR_OK);
    assert_int_equal(core_mem_begin(m, &st), SR_ESTATE); // one at a time
    sr_id_t id = s_add_exec(st, S_T0, "kept");
    assert_int_equal(core_mem_commit(m, NULL), SR_OK);
    assert_string_equal(s_name_of(m, &id), "kept");
    assert_int_equal(core_mem_begin(m, &st), SR_OK);
    core_exec_t *e = NULL;
    assert_int_equal(st->ops->exec_get(st, &id, &e), SR_OK);
    assert_int_equal(core_set_str(&e->wf_name, "changed"), SR_OK);
    st->ops->exec_dirty(st, e);
    s_add_exec(st, S_T0 + 1, "new");
    core_mem_abort(m);
    assert_string_equal(s_name_of(m, &id), "kept");
    assert_int_equal(core_mem_count(m, CORE_MEM_EXECS), 1);
    core_mem_destroy(&m);
}

static void
test_only_dirty_records_are_written_back(void **state)
{
    (void)state;
    core_mem_t *m = core_mem_new(0);
    core_state_t *st = NULL;
    assert_int_equal(core_mem_begin(m, &st), SR_OK);
    sr_id_t a = s_add_exec(st, S_T0, "a"), b = s_add_exec(st, S_T0, "b");
    assert_int_equal(core_mem_commit(m, NULL), SR_OK);
    assert_int_equal(core_mem_begin(m, &st), SR_OK);
    core_exec_t *ea = NULL, *eb = NULL;
    assert_int_equal(st->ops->exec_get(st, &a, &ea), SR_OK);
    assert_int_equal(st->ops->exec_get(st, &b, &eb), SR_OK);
    core_set_str(&ea->wf_name, "a2");
    core_set_str(&eb->wf_name, "b2");
    st->ops->exec_dirty(st, eb); // a's change is never said
    assert_int_equal(core_mem_commit(m, NULL), SR_OK);
    assert_string_equal(s_name_of(m, &a), "a");
    assert_string_equal(s_name_of(m, &b), "b2");
    core_mem_destroy(&m);
}

static void
test_a_change_the_state_never_lent_fails_the_commit(void **state)
{
    (void)state;
    core_mem_t *m = core_mem_new(0);
    core_state_t *st = NULL;
    assert_int_equal(core_mem_begin(m, &st), SR_OK);
    core_exec_t *stray = core_exec_new();
    stray->id = s_id(S_T0);
    st->ops->exec_dirty(st, stray);
    sr_error_t err;
    assert_int_equal(core_mem_commit(m, &err), SR_EINTERNAL);
    assert_int_equal(core_mem_count(m, CORE_MEM_EXECS), 0);
    assert_int_equal(core_mem_begin(m, &st), SR_OK); // the batch was dropped
    core_mem_abort(m);
    core_exec_destroy(&stray);
    core_mem_destroy(&m);
}

static sr_err_t
s_seqs(void *arg, core_task_t *task)
{
    char *seen = arg;
    seen[strlen(seen)] = (char)('0' + task->seq);
    return SR_OK;
}

static void
test_task_scans_see_the_batch_in_seq_order(void **state)
{
    (void)state;
    core_mem_t *m = core_mem_new(0);
    core_state_t *st = NULL;
    assert_int_equal(core_mem_begin(m, &st), SR_OK);
    sr_id_t ex = s_add_exec(st, S_T0, "wf");
    uint32_t seqs[] = {2, 0, 1};
    for (int i = 0; i < 3; i++) {
        core_task_t *t = core_task_new();
        t->exec_id = ex;
        t->seq = seqs[i];
        core_set_str(&t->name, "t");
        assert_int_equal(st->ops->task_add(st, &t), SR_OK);
    }
    char seen[8] = "";
    assert_int_equal(st->ops->task_scan(st, &ex, s_seqs, seen), SR_OK);
    assert_string_equal(seen, "012");
    core_task_t *one = NULL;
    assert_int_equal(st->ops->task_get(st, &ex, 1, &one), SR_OK);
    assert_int_equal(st->ops->task_del(st, &ex, 1), SR_OK);
    assert_int_equal(one->seq, 1); // still readable until the batch ends
    assert_int_equal(st->ops->task_get(st, &ex, 1, &one), SR_ENOTFOUND);
    memset(seen, 0, sizeof seen);
    assert_int_equal(st->ops->task_scan(st, &ex, s_seqs, seen), SR_OK);
    assert_string_equal(seen, "02");
    assert_int_equal(core_mem_commit(m, NULL), SR_OK);
    assert_int_equal(core_mem_count(m, CORE_MEM_TASKS), 2);
    core_mem_destroy(&m);
}

static sr_err_t
s_names(void *arg, const core_exec_t *exec)
{
    char *seen = arg;
    strcat(seen, exec->wf_name);
    return SR_OK;
}

static void
test_window_scans_find_records_by_the_time_in_their_ids(void **state)
{
    (void)state;
    core_mem_t *m = core_mem_new(0);
    core_state_t *st = NULL;
    assert_int_equal(core_mem_begin(m, &st), SR_OK);
    s_add_exec(st, S_T0 + 3000, "c");
    s_add_exec(st, S_T0 + 1000, "a");
    s_add_exec(st, S_T0 + 2000, "b");
    char seen[8] = "";
    assert_int_equal(
        st->ops->exec_scan(st, S_T0 + 1500, S_T0 + 3000, s_names, seen), SR_OK);
    assert_string_equal(seen, "bc");
    core_mem_abort(m);
    core_mem_destroy(&m);
}

static void
test_timers_come_out_by_due_time(void **state)
{
    (void)state;
    core_mem_t *m = core_mem_new(0);
    core_state_t *st = NULL;
    assert_int_equal(core_mem_begin(m, &st), SR_OK);
    core_timer_t t[3];
    int64_t due[] = {30, 10, 20};
    for (int i = 0; i < 3; i++) {
        t[i] = (core_timer_t){.due_ms = S_T0 + due[i],
                              .id = s_id(S_T0),
                              .kind = CORE_TIMER_RETRY,
                              .seq = (uint32_t)i};
        assert_int_equal(st->ops->timer_add(st, &t[i]), SR_OK);
    }
    assert_int_equal(st->ops->timer_del(st, t[1].due_ms, &t[1].id), SR_OK);
    assert_int_equal(core_mem_commit(m, NULL), SR_OK);
    core_timer_t next;
    assert_int_equal(core_mem_next_timer(m, &next), SR_OK);
    assert_int_equal(next.due_ms, S_T0 + 20);
    assert_true(sr_id_equal(&next.id, &t[2].id));
    assert_int_equal(next.seq, 2);
    assert_int_equal(next.kind, CORE_TIMER_RETRY);
    core_mem_destroy(&m);
}

static lang_doc_t *
s_doc(const char *yaml)
{
    lang_diags_t diags = {0};
    lang_doc_t *doc = NULL;
    assert_int_equal(
        lang_doc_parse("t.yaml", yaml, strlen(yaml), NULL, &doc, &diags),
        SR_OK);
    lang_diags_fini(&diags);
    return doc;
}

static void
test_a_definition_is_the_newest_of_its_workflows(void **state)
{
    (void)state;
    const char *one = "version: '2.0'\nwf:\n  tasks:\n    a: {}\n";
    const char *two = "version: '2.0'\nwf:\n  tasks:\n    b: {}\n";
    core_mem_t *m = core_mem_new(0);
    lang_doc_t *d1 = s_doc(one), *d2 = s_doc(two);
    char h1[65], h2[65], got[65];
    snprintf(h1, sizeof h1, "%s", lang_doc_hash(d1));
    snprintf(h2, sizeof h2, "%s", lang_doc_hash(d2));
    assert_int_equal(core_mem_define(m, &d1), SR_OK);
    assert_int_equal(core_mem_define(m, &d2), SR_OK);
    core_state_t *st = NULL;
    assert_int_equal(core_mem_begin(m, &st), SR_OK);
    assert_int_equal(st->ops->def_for_name(st, "wf", got), SR_OK);
    assert_string_equal(got, h2);
    core_mem_abort(m);
    lang_doc_t *again = s_doc(one); // defined again: the newest again
    assert_int_equal(core_mem_define(m, &again), SR_OK);
    assert_int_equal(core_mem_begin(m, &st), SR_OK);
    assert_int_equal(st->ops->def_for_name(st, "wf", got), SR_OK);
    assert_string_equal(got, h1);
    const lang_doc_t *doc = NULL;
    assert_int_equal(st->ops->doc_get(st, h2, &doc), SR_OK);
    assert_int_equal(st->ops->def_for_name(st, "nosuch", got), SR_ENOTFOUND);
    core_mem_abort(m);
    core_mem_destroy(&m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_batch_is_kept_at_commit_and_gone_at_abort),
        cmocka_unit_test(test_only_dirty_records_are_written_back),
        cmocka_unit_test(test_a_change_the_state_never_lent_fails_the_commit),
        cmocka_unit_test(test_task_scans_see_the_batch_in_seq_order),
        cmocka_unit_test(
            test_window_scans_find_records_by_the_time_in_their_ids),
        cmocka_unit_test(test_timers_come_out_by_due_time),
        cmocka_unit_test(test_a_definition_is_the_newest_of_its_workflows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
