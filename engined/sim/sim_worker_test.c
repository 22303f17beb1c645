// The worker-facing events through the in-process driver: a duplicate
// RESULT is ignored, a RESULT for a stale attempt is refused and changes
// nothing, CONFIRM answers GO to one worker and HALT otherwise (cancelled
// execution, stale attempt, unknown action, another worker), a lost worker
// fails its action or offers it again (not started yet, safe-rerun, retry), and
// a REOFFER offers again only an action still waiting in the attempt it names
// (a RESULT naming an attempt before or after it is refused).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "core_unit.h"
#include "sim_test_util.h"

static sr_err_t
s_result(t_sim_t *t, const sr_id_t *id, uint32_t attempt, bool ok,
         const char *json)
{
    sr_value_t *v = t_json(json);
    sr_err_t rc = t_apply(t, (core_event_t){.kind = CORE_EV_RESULT,
                                            .action_id = *id,
                                            .attempt = attempt,
                                            .worker = "w1",
                                            .status = ok ? CORE_RESULT_SUCCESS
                                                         : CORE_RESULT_ERROR,
                                            .output = v});
    sr_value_destroy(&v);
    return rc;
}

static sr_err_t
s_confirm(t_sim_t *t, const sr_id_t *id, uint32_t attempt, const char *worker)
{
    return t_apply(t, (core_event_t){.kind = CORE_EV_CONFIRM,
                                     .action_id = *id,
                                     .attempt = attempt,
                                     .worker = worker});
}

static sr_err_t
s_lost(t_sim_t *t, const sr_id_t *id, const char *worker)
{
    return t_apply(t, (core_event_t){.kind = CORE_EV_WORKER_LOST,
                                     .action_id = *id,
                                     .worker = worker});
}

// The only command of the last event, which must be `kind`.
static const core_cmd_t *
s_only(t_sim_t *t, core_cmd_kind_t kind)
{
    const core_cmds_t *cmds = sim_last_cmds(t->sim);
    assert_int_equal(cmds->count, 1);
    assert_int_equal(cmds->items[0].kind, kind);
    return &cmds->items[0];
}

static void
test_a_duplicate_result_is_ignored(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    task1:\n"
                "      action: std.echo output=1\n"
                "      publish: {one: <% task().result %>}\n"
                "      on-success: task2\n"
                "    task2:\n"
                "      action: std.noop\n");
    t_start(t, "wf", NULL, NULL);
    t_run(t);
    sr_id_t id = t_unit_id(t, "task1", 0);
    size_t events = sim_events(t->sim);
    assert_int_equal(s_result(t, &id, 1, true, "99"), SR_OK);
    assert_int_equal(sim_last_cmds(t->sim)->count, 0);
    assert_int_equal(s_result(t, &id, 1, false, "\"late error\""), SR_OK);
    assert_int_equal(sim_events(t->sim), events + 2);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    assert_int_equal(ts.n, 2);
    T_JSON(t_task(&ts, "task1")->published, "{\"one\": 1}");
    core_action_t *a = t_action(t, &id);
    assert_int_equal(a->state, CORE_A_SUCCESS);
    T_JSON(a->result, "1");
    core_action_destroy(&a);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

// `task1` runs std.echo for 5 virtual seconds; returns its action once it
// runs on the worker.
static sr_id_t
s_running(t_sim_t *t, const char *extra)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "version: '2.0'\n"
             "wf:\n"
             "  tasks:\n"
             "    task1:\n"
             "      action: std.echo output=\"done\" delay=5\n"
             "%s",
             extra);
    t_define(t, yaml);
    t_start(t, "wf", NULL, NULL);
    sr_id_t id = t_unit_id(t, "task1", 0);
    for (int i = 0; i < 10; i++) {
        core_action_t *a = t_action(t, &id);
        bool running = a->state == CORE_A_RUNNING;
        core_action_destroy(&a);
        if (running)
            return id;
        t_step(t, 1);
    }
    fail_msg("the action never ran");
    return id;
}

static void
test_a_result_for_a_stale_attempt_is_refused(void **state)
{
    t_sim_t *t = *state;
    sr_id_t id = s_running(t, "      safe-rerun: true\n");
    // The worker is gone; safe to run again: attempt 2 is offered.
    assert_int_equal(s_lost(t, &id, "sim"), SR_OK);
    const core_cmd_t *c = s_only(t, CORE_CMD_DISPATCH);
    assert_int_equal(c->attempt, 2);
    assert_true(c->safe_rerun);
    assert_int_equal(s_result(t, &id, 1, true, "\"old\""), SR_ESTATE);
    T_CONTAINS(t->err.msg, "attempt 1");
    core_action_t *a = t_action(t, &id);
    assert_int_equal(a->state, CORE_A_SCHEDULED);
    assert_int_equal(a->attempt, 2);
    assert_null(a->result);
    assert_null(a->worker);
    core_action_destroy(&a);
    // The stale run still finishes on the sim's worker and is refused too.
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    a = t_action(t, &id);
    assert_int_equal(a->state, CORE_A_SUCCESS);
    assert_int_equal(a->attempt, 2);
    core_action_destroy(&a);
    t_actions_t as = t_actions(t, &t->id, UINT32_MAX);
    assert_int_equal(as.n, 1);
    t_actions_free(&as);
    core_exec_destroy(&e);
}

static void
test_confirm_answers_go_once_then_halt(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    task1:\n"
                "      action: std.noop\n");
    t_start(t, "wf", NULL, NULL); // offered, not confirmed yet
    sr_id_t id = t_unit_id(t, "task1", 0);
    assert_int_equal(s_confirm(t, &id, 2, "w1"), SR_OK);
    assert_string_equal(s_only(t, CORE_CMD_HALT)->text,
                        "attempt is no longer current");
    assert_int_equal(s_confirm(t, &id, 1, "w1"), SR_OK);
    assert_string_equal(s_only(t, CORE_CMD_GO)->worker, "w1");
    assert_int_equal(s_confirm(t, &id, 1, "w2"), SR_OK);
    assert_string_equal(s_only(t, CORE_CMD_HALT)->text,
                        "already started elsewhere");
    assert_string_equal(s_only(t, CORE_CMD_HALT)->worker, "w2");
    // The worker that has it confirms again (its GO was lost when an
    // engine restarted; a worker confirms only before it starts): GO.
    assert_int_equal(s_confirm(t, &id, 1, "w1"), SR_OK);
    assert_string_equal(s_only(t, CORE_CMD_GO)->worker, "w1");
    sr_id_t other;
    sr_id_make(0, sim_now(t->sim), &other);
    assert_int_equal(s_confirm(t, &other, 1, "w1"), SR_OK);
    assert_string_equal(s_only(t, CORE_CMD_HALT)->text,
                        "unknown action execution");
    core_action_t *a = t_action(t, &id);
    assert_int_equal(a->state, CORE_A_RUNNING);
    assert_string_equal(a->worker, "w1");
    core_action_destroy(&a);
}

static void
test_confirm_after_cancel_gets_halt(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    task1:\n"
                "      action: std.noop\n");
    t_start(t, "wf", NULL, NULL);
    sr_id_t id = t_unit_id(t, "task1", 0);
    assert_int_equal(t_exec_event(t, CORE_EV_CANCEL, NULL), SR_OK);
    // Not on a worker yet: nobody to send CANCEL to.
    assert_int_equal(t_cmds(t, CORE_CMD_CANCEL), 0);
    assert_int_equal(s_confirm(t, &id, 1, "w1"), SR_OK);
    const core_cmd_t *c = s_only(t, CORE_CMD_HALT);
    assert_string_equal(c->text, "execution cancelled");
    assert_string_equal(c->worker, "w1");
    assert_int_equal(c->attempt, 1);
    t_run(t); // the sim's own CONFIRM gets HALT as well; nothing runs
    core_action_t *a = t_action(t, &id);
    assert_int_equal(a->state, CORE_A_CANCELLED);
    assert_null(a->worker);
    core_action_destroy(&a);
    core_exec_t *e = t_exec(t, &t->id);
    assert_int_equal(e->state, CORE_EX_CANCELLED);
    assert_string_equal(e->state_info, "Workflow was cancelled.");
    core_exec_destroy(&e);
}

static void
test_a_lost_worker_fails_an_action_not_safe_to_rerun(void **state)
{
    t_sim_t *t = *state;
    sr_id_t id = s_running(t, "");
    assert_int_equal(s_lost(t, &id, "sim"), SR_OK);
    t_run(t); // the sim's late result is a duplicate
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_ERROR);
    const char *why = "The worker 'sim' running the action was lost (no "
                      "heartbeat)";
    assert_string_equal(t_task(&ts, "task1")->state_info, why);
    T_CONTAINS(e->state_info, why);
    core_action_t *a = t_action(t, &id);
    assert_int_equal(a->state, CORE_A_ERROR);
    assert_int_equal(a->attempt, 1);
    T_JSON(a->result, "\"The worker 'sim' running the action was lost (no "
                      "heartbeat)\"");
    core_action_destroy(&a);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

// WORKER_LOST names the attempt and the worker the loop knew: when the
// action has moved on (another attempt, or another worker runs it), the
// event changes nothing, and the run goes on.
static void
test_a_lost_worker_that_no_longer_runs_the_action_changes_nothing(void **state)
{
    t_sim_t *t = *state;
    sr_id_t id = s_running(t, "");
    assert_int_equal(s_lost(t, &id, "w9"), SR_OK); // another worker
    assert_int_equal(sim_last_cmds(t->sim)->count, 0);
    assert_int_equal(t_apply(t, (core_event_t){.kind = CORE_EV_WORKER_LOST,
                                               .action_id = id,
                                               .attempt = 2,
                                               .worker = "sim"}),
                     SR_OK); // another attempt
    assert_int_equal(sim_last_cmds(t->sim)->count, 0);
    core_action_t *a = t_action(t, &id);
    assert_int_equal(a->state, CORE_A_RUNNING);
    assert_int_equal(a->attempt, 1);
    core_action_destroy(&a);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    core_exec_destroy(&e);
}

static void
test_a_lost_worker_with_retry_runs_the_task_again(void **state)
{
    t_sim_t *t = *state;
    sr_id_t id = s_running(t, "      retry:\n"
                              "        count: 1\n"
                              "        delay: 1\n");
    assert_int_equal(s_lost(t, &id, "sim"), SR_OK);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    t_tasks_t ts = t_tasks(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    assert_int_equal(ts.n, 1);
    const core_task_t *t1 = t_task(&ts, "task1");
    assert_int_equal(t1->state, CORE_T_SUCCESS);
    assert_int_equal(t1->retry_no, 1);
    T_JSON(t1->result, "\"done\"");
    t_actions_t as = t_actions(t, &t->id, UINT32_MAX);
    assert_int_equal(as.n, 2);
    size_t errors = 0;
    for (size_t i = 0; i < as.n; i++)
        errors += as.items[i]->state == CORE_A_ERROR;
    assert_int_equal(errors, 1);
    t_actions_free(&as);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
}

static void
test_a_lost_worker_before_the_start_offers_the_action_again(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    task1:\n"
                "      action: std.echo output=7\n");
    t_start(t, "wf", NULL, NULL);
    sr_id_t id = t_unit_id(t, "task1", 0);
    assert_int_equal(s_lost(t, &id, "sim"), SR_OK);
    assert_int_equal(s_only(t, CORE_CMD_DISPATCH)->attempt, 2);
    t_run(t);
    core_action_t *a = t_action(t, &id);
    assert_int_equal(a->state, CORE_A_SUCCESS);
    assert_int_equal(a->attempt, 2);
    core_action_destroy(&a);
    core_exec_t *e = t_exec(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    core_exec_destroy(&e);
    // A lost worker for a finished action changes nothing.
    assert_int_equal(s_lost(t, &id, "sim"), SR_OK);
    assert_int_equal(sim_last_cmds(t->sim)->count, 0);
}

static sr_err_t
s_reoffer(t_sim_t *t, const sr_id_t *id, uint32_t attempt)
{
    return t_apply(t, (core_event_t){.kind = CORE_EV_REOFFER,
                                     .action_id = *id,
                                     .attempt = attempt,
                                     .worker = "(not confirmed)"});
}

// A TASK refused or lost on its way is offered again as the next attempt
// with a new token, only while the action waits in the attempt named: a
// stale REOFFER, or one for an action confirmed meanwhile, changes nothing
// (unlike a lost worker, it never fails or re-runs a started action).
static void
test_a_reoffer_only_touches_an_action_still_waiting(void **state)
{
    t_sim_t *t = *state;
    sr_id_t id = s_running(t, "");
    assert_int_equal(s_reoffer(t, &id, 1), SR_OK); // started meanwhile
    assert_int_equal(sim_last_cmds(t->sim)->count, 0);
    core_action_t *a = t_action(t, &id);
    assert_int_equal(a->state, CORE_A_RUNNING);
    assert_int_equal(a->attempt, 1);
    core_action_destroy(&a);

    t_define(t, "version: '2.0'\n"
                "w2:\n"
                "  tasks:\n"
                "    task1:\n"
                "      action: std.echo output=7\n");
    t_start(t, "w2", NULL, NULL);
    sr_id_t id2 = t_unit_id(t, "task1", 0);
    a = t_action(t, &id2);
    uint8_t token1[32];
    memcpy(token1, a->token_hash, sizeof token1);
    core_action_destroy(&a);
    assert_int_equal(s_reoffer(t, &id2, 1), SR_OK);
    const core_cmd_t *c = s_only(t, CORE_CMD_DISPATCH);
    assert_int_equal(c->attempt, 2);
    assert_non_null(c->token);
    assert_non_null(c->context);
    a = t_action(t, &id2);
    assert_int_equal(a->attempt, 2);
    assert_memory_not_equal(a->token_hash, token1, sizeof token1);
    core_action_destroy(&a);
    assert_int_equal(s_reoffer(t, &id2, 1), SR_OK); // attempt 1 is stale
    assert_int_equal(sim_last_cmds(t->sim)->count, 0);
    assert_int_equal(s_confirm(t, &id2, 1, "w1"), SR_OK);
    assert_int_equal(s_only(t, CORE_CMD_HALT)->attempt, 1);
    t_run(t);
    core_exec_t *e = t_exec(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    core_exec_destroy(&e);
}

// Every record of the execution that runs action `id` (the action, the
// execution, its task executions), as one value to compare.
static sr_value_t *
s_records(t_sim_t *t, const sr_id_t *id)
{
    core_action_t *a = t_action(t, id);
    core_exec_t *e = t_exec(t, &a->exec_id);
    t_tasks_t ts = t_tasks(t, &a->exec_id);
    sr_value_t *v = sr_value_new_array(2 + ts.n);
    assert_non_null(v);
    assert_int_equal(sr_value_array_append(v, core_action_to_value(a)), SR_OK);
    assert_int_equal(sr_value_array_append(v, core_exec_to_value(e)), SR_OK);
    for (size_t i = 0; i < ts.n; i++)
        assert_int_equal(
            sr_value_array_append(v, core_task_to_value(ts.items[i])), SR_OK);
    t_tasks_free(&ts);
    core_exec_destroy(&e);
    core_action_destroy(&a);
    return v;
}

// After a REOFFER the action runs as attempt 2. A RESULT naming attempt 1
// (the worker that held the first TASK) or attempt 3 is refused with
// SR_ESTATE and changes nothing: no command, every record as it was (an
// ERROR would otherwise fail the task and run its on-error). The result of
// attempt 2 still ends the task.
static void
test_a_result_for_another_attempt_after_a_reoffer_changes_nothing(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    task1:\n"
                "      action: std.echo output=7\n"
                "      on-error: handler\n"
                "    handler:\n"
                "      action: std.noop\n");
    t_start(t, "wf", NULL, NULL);
    sr_id_t id = t_unit_id(t, "task1", 0);
    assert_int_equal(s_reoffer(t, &id, 1), SR_OK);
    assert_int_equal(s_only(t, CORE_CMD_DISPATCH)->attempt, 2);
    assert_int_equal(s_confirm(t, &id, 2, "w2"), SR_OK);
    assert_int_equal(s_only(t, CORE_CMD_GO)->attempt, 2);
    sr_value_t *before = s_records(t, &id);
    static const uint32_t stale[] = {1, 3};
    for (size_t i = 0; i < sizeof stale / sizeof *stale; i++) {
        assert_int_equal(s_result(t, &id, stale[i], false, "\"stale\""),
                         SR_ESTATE);
        T_CONTAINS(t->err.msg, "attempt 2 is current");
        assert_int_equal(sim_last_cmds(t->sim)->count, 0);
        sr_value_t *after = s_records(t, &id);
        assert_true(sr_value_equal(before, after));
        sr_value_destroy(&after);
    }
    sr_value_destroy(&before);
    assert_int_equal(s_result(t, &id, 2, true, "8"), SR_OK);
    t_ran_t r = t_finish(t);
    assert_int_equal(r.e->state, CORE_EX_SUCCESS);
    assert_int_equal(r.ts.n, 1);
    T_JSON(t_task(&r.ts, "task1")->result, "8");
    core_action_t *a = t_action(t, &id);
    assert_string_equal(a->worker, "w2");
    core_action_destroy(&a);
    t_ran_free(&r);
}

// Tokens are distinct, 43 URL-safe characters, and never start with '-'
// (one in 64 did: `sirocco action complete TOKEN` took it for an option).
static void
test_tokens_never_look_like_options(void **state)
{
    (void)state;
    char prev[CORE_TOKEN_SIZE] = "";
    for (int i = 0; i < 2000; i++) {
        char token[CORE_TOKEN_SIZE];
        uint8_t hash[32];
        core_token_new(token, hash);
        assert_int_equal(strlen(token), 43);
        assert_true(token[0] != '-');
        assert_int_equal(strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
                                       "klmnopqrstuvwxyz0123456789-_"),
                         43);
        assert_string_not_equal(token, prev);
        memcpy(prev, token, sizeof prev);
    }
}

static int64_t
s_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// Regression: the sim removed `seconds` from std.sleep's input, so the real
// action slept its default second.
static void
test_sleeping_actions_take_virtual_time_only(void **state)
{
    t_sim_t *t = *state;
    t_define(t, "version: '2.0'\n"
                "wf:\n"
                "  tasks:\n"
                "    a:\n"
                "      action: std.sleep\n"
                "      on-success: b\n"
                "    b:\n"
                "      action: std.sleep seconds=3\n"
                "      on-success: c\n"
                "    c:\n"
                "      action: std.echo output=1 delay=2.5\n");
    int64_t t0 = sim_now(t->sim), wall = s_wall_ms();
    t_start(t, "wf", NULL, NULL);
    t_run(t);
    assert_int_equal(sim_now(t->sim) - t0, 6500);
    assert_true(s_wall_ms() - wall < 900);
    core_exec_t *e = t_exec(t, &t->id);
    assert_int_equal(e->state, CORE_EX_SUCCESS);
    core_exec_destroy(&e);
    // The stored input is what the workflow gave, not the sim's rewrite.
    sr_id_t id = t_unit_id(t, "b", 0);
    core_action_t *a = t_action(t, &id);
    T_JSON(a->input, "{\"seconds\": 3}");
    core_action_destroy(&a);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, t_setup, t_teardown)
    const struct CMUnitTest tests[] = {
        T(test_a_duplicate_result_is_ignored),
        T(test_a_result_for_a_stale_attempt_is_refused),
        T(test_a_lost_worker_that_no_longer_runs_the_action_changes_nothing),
        T(test_confirm_answers_go_once_then_halt),
        T(test_confirm_after_cancel_gets_halt),
        T(test_a_lost_worker_fails_an_action_not_safe_to_rerun),
        T(test_a_lost_worker_with_retry_runs_the_task_again),
        T(test_a_lost_worker_before_the_start_offers_the_action_again),
        T(test_a_reoffer_only_touches_an_action_still_waiting),
        T(test_a_result_for_another_attempt_after_a_reoffer_changes_nothing),
        T(test_tokens_never_look_like_options),
        T(test_sleeping_actions_take_virtual_time_only),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
