// The runner contract (sim_runner.h), with a scripted runner and no
// workerd: the call names the action, its input, ids and context; a
// success value, an error value, a delegate's PENDING and a delay reach the
// engine as the worker's RESULT would; a runner that fails stops the run;
// and a sim is not opened without a runner.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "sr_value_json.h"

// The scripted runner: one outcome for every call; it keeps the last call.
typedef struct {
    core_result_t status;
    const char *json; // the outcome's value; NULL: none
    int64_t delay_ms;
    sr_err_t rc; // not SR_OK: the runner fails with it
    size_t calls;
    char action[64];
    sr_value_t *input, *context; // of the last call (owned)
    sr_id_t action_id;
    uint32_t attempt;
} s_script_t;

typedef struct {
    char dir[64];
    s_script_t script;
    sim_t *sim;
    sr_id_t id; // the execution started
    sr_error_t err;
} s_fixture_t;

static sr_err_t
s_run(const sim_call_t *call, void *arg, sim_outcome_t *out, sr_error_t *err)
{
    s_script_t *s = arg;
    s->calls++;
    snprintf(s->action, sizeof s->action, "%s", call->action);
    sr_value_destroy(&s->input);
    sr_value_destroy(&s->context);
    s->input = sr_value_dup(call->input);
    s->context = sr_value_dup(call->context);
    s->action_id = call->action_id;
    s->attempt = call->attempt;
    if (s->rc)
        return sr_error_set(err, s->rc, "the runner gave up");
    sr_value_t *v = NULL;
    if (s->json && sr_value_from_json(s->json, strlen(s->json), NULL, &v, err))
        return SR_EINVAL;
    *out = (sim_outcome_t){
        .status = s->status, .value = v, .delay_ms = s->delay_ms};
    return SR_OK;
}

static int
s_setup(void **state)
{
    static s_fixture_t f;
    memset(&f, 0, sizeof f);
    snprintf(f.dir, sizeof f.dir, "/tmp/sr-simr-XXXXXX");
    if (!mkdtemp(f.dir))
        return -1;
    sim_runner_t runner = {.run = s_run, .arg = &f.script};
    if (sim_open(f.dir, STORE_NOSYNC, &runner, &f.sim, &f.err))
        return -1;
    *state = &f;
    return 0;
}

static int
s_teardown(void **state)
{
    s_fixture_t *f = *state;
    sim_close(&f->sim);
    sr_value_destroy(&f->script.input);
    sr_value_destroy(&f->script.context);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    return system(cmd) == 0 ? 0 : -1;
}

// Run `one: my.action n=1` (publishing its result as `got`, then `two`,
// a task without action) as far as it goes.
static void
s_start(s_fixture_t *f)
{
    static const char yaml[] = "version: '2.0'\n"
                               "wf:\n"
                               "  tasks:\n"
                               "    one:\n"
                               "      action: my.action n=1\n"
                               "      publish: {got: <% task().result %>}\n"
                               "      on-success: two\n"
                               "    two: {}\n";
    lang_diags_t diags = {0};
    assert_int_equal(
        sim_define(f->sim, "runner.yaml", yaml, strlen(yaml), &diags, &f->err),
        SR_OK);
    lang_diags_fini(&diags);
    assert_int_equal(sim_start(f->sim, "wf", NULL, NULL, NULL, &f->id, &f->err),
                     SR_OK);
}

static void
s_json_eq(const sr_value_t *v, const char *json)
{
    sr_value_t *want = NULL;
    assert_int_equal(sr_value_from_json(json, strlen(json), NULL, &want, NULL),
                     SR_OK);
    char *got = v ? sr_value_to_json(v, SR_JSON_SORT_KEYS) : NULL;
    if (!v || !sr_value_equal(v, want))
        fail_msg("got %s, want %s", got ? got : "(absent)", json);
    free(got);
    sr_value_destroy(&want);
}

// The only action execution of the partition.
static core_action_t *
s_action(s_fixture_t *f)
{
    core_action_t **as = NULL;
    size_t n = 0;
    assert_int_equal(sim_actions(f->sim, &as, &n, &f->err), SR_OK);
    assert_int_equal(n, 1);
    core_action_t *a = as[0];
    as[0] = NULL;
    sim_actions_free(as, n);
    return a;
}

static core_ex_state_t
s_state(s_fixture_t *f)
{
    core_exec_t *e = NULL;
    assert_int_equal(sim_exec(f->sim, &f->id, &e, &f->err), SR_OK);
    core_ex_state_t state = e->state;
    core_exec_destroy(&e);
    return state;
}

static void
test_the_call_names_the_action_its_input_and_ids(void **state)
{
    s_fixture_t *f = *state;
    f->script = (s_script_t){.status = CORE_RESULT_SUCCESS, .json = "7"};
    s_start(f);
    assert_int_equal(sim_run(f->sim, 100, &f->err), SR_OK);
    assert_int_equal(f->script.calls, 1);
    assert_string_equal(f->script.action, "my.action");
    s_json_eq(f->script.input, "{\"n\": 1}");
    core_action_t *a = s_action(f);
    assert_true(sr_id_equal(&f->script.action_id, &a->id));
    assert_int_equal(f->script.attempt, 1);
    assert_non_null(sr_value_map_get(f->script.context, "execution_id"));
    core_action_destroy(&a);
}

static void
test_a_success_value_is_the_task_result(void **state)
{
    s_fixture_t *f = *state;
    f->script =
        (s_script_t){.status = CORE_RESULT_SUCCESS, .json = "{\"answer\": 42}"};
    s_start(f);
    assert_int_equal(sim_run(f->sim, 100, &f->err), SR_OK);
    assert_int_equal(s_state(f), CORE_EX_SUCCESS);
    core_task_t **ts = NULL;
    size_t n = 0;
    assert_int_equal(sim_tasks(f->sim, &f->id, &ts, &n, &f->err), SR_OK);
    assert_int_equal(n, 2);
    s_json_eq(ts[0]->published, "{\"got\": {\"answer\": 42}}");
    sim_tasks_free(ts, n);
}

static void
test_a_success_without_a_value_is_null(void **state)
{
    s_fixture_t *f = *state;
    f->script = (s_script_t){.status = CORE_RESULT_SUCCESS};
    s_start(f);
    assert_int_equal(sim_run(f->sim, 100, &f->err), SR_OK);
    core_action_t *a = s_action(f);
    assert_int_equal(a->state, CORE_A_SUCCESS);
    s_json_eq(a->result, "null");
    core_action_destroy(&a);
}

static void
test_an_error_outcome_carries_its_value(void **state)
{
    s_fixture_t *f = *state;
    f->script =
        (s_script_t){.status = CORE_RESULT_ERROR, .json = "{\"code\": 7}"};
    s_start(f);
    assert_int_equal(sim_run(f->sim, 100, &f->err), SR_OK);
    assert_int_equal(s_state(f), CORE_EX_ERROR);
    core_action_t *a = s_action(f);
    assert_int_equal(a->state, CORE_A_ERROR);
    s_json_eq(a->result, "{\"code\": 7}");
    core_action_destroy(&a);
}

static void
test_a_pending_outcome_waits_for_complete(void **state)
{
    s_fixture_t *f = *state;
    f->script = (s_script_t){.status = CORE_RESULT_PENDING};
    s_start(f);
    assert_int_equal(sim_run(f->sim, 100, &f->err), SR_OK);
    core_action_t *a = s_action(f);
    assert_int_equal(a->state, CORE_A_PENDING);
    assert_int_equal(s_state(f), CORE_EX_RUNNING);
    sr_value_t *v = sr_value_new_str("later");
    core_event_t ev = {.kind = CORE_EV_COMPLETE,
                       .action_id = a->id,
                       .status = CORE_RESULT_SUCCESS,
                       .output = v};
    assert_int_equal(sim_apply(f->sim, &ev, &f->err), SR_OK);
    sr_value_destroy(&v);
    core_action_destroy(&a);
    assert_int_equal(sim_run(f->sim, 100, &f->err), SR_OK);
    assert_int_equal(s_state(f), CORE_EX_SUCCESS);
    assert_int_equal(f->script.calls, 1);
}

static void
test_a_delayed_result_arrives_on_the_virtual_clock(void **state)
{
    s_fixture_t *f = *state;
    f->script = (s_script_t){
        .status = CORE_RESULT_SUCCESS, .json = "1", .delay_ms = 2500};
    int64_t t0 = sim_now(f->sim);
    s_start(f);
    bool idle = false;
    assert_int_equal(sim_run_some(f->sim, 1, &idle, &f->err), SR_OK);
    core_action_t *a = s_action(f);
    assert_int_equal(a->state, CORE_A_RUNNING); // ran; its result waits
    assert_int_equal(sim_now(f->sim), t0);
    core_action_destroy(&a);
    assert_int_equal(sim_run(f->sim, 100, &f->err), SR_OK);
    a = s_action(f);
    assert_int_equal(a->state, CORE_A_SUCCESS);
    assert_int_equal(a->finished_ms, t0 + 2500);
    assert_int_equal(sim_now(f->sim), t0 + 2500);
    core_action_destroy(&a);
}

static void
test_a_failing_runner_stops_the_run(void **state)
{
    s_fixture_t *f = *state;
    f->script = (s_script_t){.rc = SR_ENOMEM};
    s_start(f);
    assert_int_equal(sim_run(f->sim, 100, &f->err), SR_ENOMEM);
    assert_string_equal(f->err.msg, "the runner gave up");
    core_action_t *a = s_action(f);
    assert_int_equal(a->state, CORE_A_RUNNING);
    core_action_destroy(&a);
}

static void
test_a_sim_needs_a_runner(void **state)
{
    s_fixture_t *f = *state;
    sim_t *sim = NULL;
    sim_runner_t none = {0};
    assert_int_equal(sim_open(f->dir, STORE_NOSYNC, NULL, &sim, &f->err),
                     SR_EINVAL);
    assert_int_equal(sim_open(f->dir, STORE_NOSYNC, &none, &sim, &f->err),
                     SR_EINVAL);
    assert_null(sim);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, s_setup, s_teardown)
    const struct CMUnitTest tests[] = {
        T(test_the_call_names_the_action_its_input_and_ids),
        T(test_a_success_value_is_the_task_result),
        T(test_a_success_without_a_value_is_null),
        T(test_an_error_outcome_carries_its_value),
        T(test_a_pending_outcome_waits_for_complete),
        T(test_a_delayed_result_arrives_on_the_virtual_clock),
        T(test_a_failing_runner_stops_the_run),
        T(test_a_sim_needs_a_runner),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
