// Test helpers over the in-process driver (see sim_test_util.h): temporary
// folders, inline definitions, events and records read back. Failures go
// through cmocka's fail_msg so the test stops at the helper's caller.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_std_runner.h"
#include "sim_test_util.h"
#include "sr_value_json.h"

#define S_MAX_EVENTS 100000

void
t_open(t_sim_t *t)
{
    memset(t, 0, sizeof *t);
    snprintf(t->dir, sizeof t->dir, "/tmp/sr-simt-XXXXXX");
    if (!mkdtemp(t->dir))
        fail_msg("mkdtemp failed");
    if (sim_std_runner_init(&t->runner, &t->err))
        fail_msg("sim_std_runner_init: %s", t->err.msg);
    if (sim_open(t->dir, STORE_NOSYNC, &t->runner, &t->sim, &t->err))
        fail_msg("sim_open: %s", t->err.msg);
}

void
t_close(t_sim_t *t)
{
    sim_close(&t->sim);
    sim_std_runner_fini(&t->runner);
    if (t->dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
        if (system(cmd) != 0)
            fail_msg("cannot remove %s", t->dir);
        t->dir[0] = '\0';
    }
}

void
t_reopen(t_sim_t *t)
{
    sim_close(&t->sim);
    if (sim_open(t->dir, STORE_NOSYNC, &t->runner, &t->sim, &t->err))
        fail_msg("sim_open again: %s", t->err.msg);
}

void
t_define(t_sim_t *t, const char *yaml)
{
    lang_diags_t diags = {0};
    sr_err_t rc =
        sim_define(t->sim, "test.yaml", yaml, strlen(yaml), &diags, &t->err);
    if (rc && diags.count)
        fail_msg("invalid workflow: %d:%d: %s", diags.items[0].pos.line,
                 diags.items[0].pos.col, diags.items[0].msg);
    lang_diags_fini(&diags);
    if (rc)
        fail_msg("sim_define: %s", t->err.msg);
}

void
t_start(t_sim_t *t, const char *wf, const char *input_json,
        const char *task_name)
{
    sr_value_t *input = input_json ? t_json(input_json) : NULL;
    sr_value_t *params = sr_value_new_map(1);
    assert_non_null(params);
    if (task_name)
        assert_int_equal(
            sr_value_map_put(params, "task_name", sr_value_new_str(task_name)),
            SR_OK);
    sr_err_t rc = sim_start(t->sim, wf, input, NULL, params, &t->id, &t->err);
    sr_value_destroy(&input);
    sr_value_destroy(&params);
    if (rc)
        fail_msg("sim_start %s: %s", wf, t->err.msg);
}

void
t_run(t_sim_t *t)
{
    if (sim_run(t->sim, S_MAX_EVENTS, &t->err))
        fail_msg("sim_run: %s", t->err.msg);
}

bool
t_step(t_sim_t *t, size_t n)
{
    bool idle = false;
    if (sim_run_some(t->sim, n, &idle, &t->err))
        fail_msg("sim_run_some: %s", t->err.msg);
    return idle;
}

sr_err_t
t_apply(t_sim_t *t, core_event_t ev)
{
    sr_error_clear(&t->err);
    return sim_apply(t->sim, &ev, &t->err);
}

sr_err_t
t_exec_event(t_sim_t *t, core_event_kind_t kind, const char *msg)
{
    return t_apply(t,
                   (core_event_t){.kind = kind, .exec_id = t->id, .msg = msg});
}

sr_err_t
t_rerun(t_sim_t *t, const char *task, bool reset)
{
    return t_apply(t, (core_event_t){.kind = CORE_EV_RERUN,
                                     .exec_id = t->id,
                                     .task_name = task,
                                     .reset = reset});
}

sr_err_t
t_complete(t_sim_t *t, const sr_id_t *action_id, bool ok, const char *json)
{
    sr_value_t *v = json ? t_json(json) : sr_value_new_nil();
    sr_err_t rc = t_apply(t, (core_event_t){.kind = CORE_EV_COMPLETE,
                                            .action_id = *action_id,
                                            .status = ok ? CORE_RESULT_SUCCESS
                                                         : CORE_RESULT_ERROR,
                                            .output = v});
    sr_value_destroy(&v);
    return rc;
}

core_exec_t *
t_exec(t_sim_t *t, const sr_id_t *id)
{
    core_exec_t *e = NULL;
    if (sim_exec(t->sim, id, &e, &t->err))
        fail_msg("sim_exec: %s", t->err.msg);
    return e;
}

t_tasks_t
t_tasks(t_sim_t *t, const sr_id_t *id)
{
    t_tasks_t ts = {0};
    if (sim_tasks(t->sim, id, &ts.items, &ts.n, &t->err))
        fail_msg("sim_tasks: %s", t->err.msg);
    return ts;
}

void
t_tasks_free(t_tasks_t *ts)
{
    sim_tasks_free(ts->items, ts->n);
    memset(ts, 0, sizeof *ts);
}

t_ran_t
t_finish(t_sim_t *t)
{
    t_run(t);
    return (t_ran_t){t_exec(t, &t->id), t_tasks(t, &t->id)};
}

t_ran_t
t_run_wf(t_sim_t *t, const char *yaml)
{
    t_define(t, yaml);
    t_start(t, "wf", NULL, NULL);
    return t_finish(t);
}

void
t_ran_free(t_ran_t *r)
{
    t_tasks_free(&r->ts);
    core_exec_destroy(&r->e);
}

const core_task_t *
t_task(const t_tasks_t *ts, const char *name)
{
    const core_task_t *found = NULL;
    for (size_t i = 0; i < ts->n; i++)
        if (strcmp(ts->items[i]->name, name) == 0)
            found = ts->items[i];
    if (!found)
        fail_msg("task '%s' has no execution", name);
    return found;
}

size_t
t_count(const t_tasks_t *ts, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < ts->n; i++)
        n += strcmp(ts->items[i]->name, name) == 0;
    return n;
}

static int
s_by_unit(const void *a, const void *b)
{
    const core_action_t *x = *(core_action_t *const *)a;
    const core_action_t *y = *(core_action_t *const *)b;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    if (x->item != y->item)
        return x->item < y->item ? -1 : 1;
    return (x->created_ms > y->created_ms) - (x->created_ms < y->created_ms);
}

t_actions_t
t_actions(t_sim_t *t, const sr_id_t *exec_id, uint32_t seq)
{
    core_action_t **all = NULL;
    size_t n = 0;
    if (sim_actions(t->sim, &all, &n, &t->err))
        fail_msg("sim_actions: %s", t->err.msg);
    t_actions_t as = {.items = all};
    for (size_t i = 0; i < n; i++) { // keep the matches at the front
        core_action_t *a = all[i];
        if ((!exec_id || sr_id_equal(&a->exec_id, exec_id)) &&
            (seq == UINT32_MAX || a->seq == seq))
            all[as.n++] = a;
        else
            core_action_destroy(&a);
    }
    if (as.n > 1)
        qsort(as.items, as.n, sizeof *as.items, s_by_unit);
    return as;
}

void
t_actions_free(t_actions_t *as)
{
    sim_actions_free(as->items, as->n);
    memset(as, 0, sizeof *as);
}

size_t
t_units(const core_task_t *task, core_unit_state_t u)
{
    size_t len = 0, n = 0;
    const uint8_t *b = sr_value_bin(task->units, &len);
    for (size_t i = 0; i < len && i < task->n_units; i++)
        n += b[i] == (uint8_t)u;
    return n;
}

sr_id_t
t_unit_id(t_sim_t *t, const char *name, uint32_t item)
{
    t_tasks_t ts = t_tasks(t, &t->id);
    const core_task_t *task = t_task(&ts, name);
    sr_id_t id;
    if (sr_id_from_value(sr_value_array_at(task->unit_ids, item), &id))
        fail_msg("task '%s' has no id for unit %u", name, item);
    t_tasks_free(&ts);
    return id;
}

core_action_t *
t_action(t_sim_t *t, const sr_id_t *id)
{
    t_actions_t as = t_actions(t, NULL, UINT32_MAX);
    core_action_t *found = NULL;
    for (size_t i = 0; i < as.n && !found; i++)
        if (sr_id_equal(&as.items[i]->id, id)) {
            found = as.items[i];
            as.items[i] = NULL;
        }
    t_actions_free(&as);
    if (!found)
        fail_msg("no action execution with that id");
    return found;
}

size_t
t_cmds(t_sim_t *t, core_cmd_kind_t kind)
{
    const core_cmds_t *cmds = sim_last_cmds(t->sim);
    size_t n = 0;
    for (size_t i = 0; i < cmds->count; i++)
        n += cmds->items[i].kind == kind;
    return n;
}

sr_value_t *
t_json(const char *json)
{
    sr_value_t *v = NULL;
    sr_error_t err;
    if (sr_value_from_json(json, strlen(json), NULL, &v, &err))
        fail_msg("bad JSON in the test: %s: %s", json, err.msg);
    return v;
}

void
t_json_eq_at(const char *file, int line, const sr_value_t *v, const char *json)
{
    sr_value_t *want = t_json(json);
    bool same = v && sr_value_equal(v, want);
    sr_value_destroy(&want);
    if (same)
        return;
    char *got = v ? sr_value_to_json(v, SR_JSON_SORT_KEYS) : NULL;
    print_error("%s:%d: got %s, want %s\n", file, line, got ? got : "(absent)",
                json);
    free(got);
    _fail(file, line);
}

void
t_contains_at(const char *file, int line, const char *text, const char *want)
{
    if (text && strstr(text, want))
        return;
    print_error("%s:%d: '%s' does not contain '%s'\n", file, line,
                text ? text : "(null)", want);
    _fail(file, line);
}

int
t_setup(void **state)
{
    static t_sim_t t;
    t_open(&t);
    *state = &t;
    return 0;
}

int
t_teardown(void **state)
{
    t_close(*state);
    return 0;
}
