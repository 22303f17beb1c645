// Runs the built `sirocco` execution and task commands against two fake
// engines in this process: exit codes, tables, --json and messages.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_test_util.h"
#include "sr_value_json.h"

static const char s_hello[] = "version: '2.0'\n"
                              "hello:\n"
                              "  input: [a]\n"
                              "  tasks:\n"
                              "    t1:\n"
                              "      action: std.echo output=<% $.a %>\n";

static void
executions_start_with_input_and_are_driven(void **state)
{
    (void)state;
    cli_test_write("hello.yaml", s_hello);
    cli_test_write("input.json", "{\"a\": \"from a file\"}");
    assert_int_equal(cli_test_run("workflow create hello.yaml"), 0);
    assert_int_equal(cli_test_run("execution start hello --input '{\"a\": 1}' "
                                  "--env '{\"e\": true}' --task t1 --json"),
                     0);
    sr_value_t *ex = cli_test_json_out();
    char id[SR_ID_TEXT_SIZE];
    snprintf(id, sizeof id, "%s", sr_value_map_str(ex, "id"));
    assert_string_equal(sr_value_map_str(ex, "state"), "RUNNING");
    sr_value_destroy(&ex);
    sr_fake_engine_t *owner = NULL;
    for (int i = 0; i < 2 && !owner; i++)
        if (sr_fake_engine_count(cli_fx.fe[i], SR_MSG_EX_START) == 1)
            owner = cli_fx.fe[i];
    assert_non_null(owner);
    sr_msg_t *m = sr_fake_engine_last(owner, SR_MSG_EX_START);
    char *params = sr_value_to_json(sr_msg_get(m, SR_F_EX_START_params), 0);
    assert_string_equal(params, "{\"task_name\":\"t1\"}");
    free(params);
    assert_int_equal(
        sr_value_int(sr_value_map_get(sr_msg_get(m, SR_F_EX_START_input), "a")),
        1);
    sr_msg_destroy(&m);

    assert_int_equal(cli_test_run("execution start hello --input @input.json"),
                     0);
    cli_test_has(cli_out, "workflow:         hello");
    cli_test_has(cli_out, "input:            {\"a\": \"from a file\"}");
    assert_int_equal(cli_test_run("execution start hello --input '[1]'"), 2);
    cli_test_has(cli_err, "--input: expected a JSON object, got array");
    assert_int_equal(cli_test_run("execution start hello --input '{bad'"), 2);
    cli_test_has(cli_err, "--input: invalid JSON");
    assert_int_equal(cli_test_run("execution start hello --input @nope.json"),
                     2);
    cli_test_has(cli_err, "nope.json: No such file");
    assert_int_equal(cli_test_run("execution start nope"), 1);
    cli_test_has(cli_err, "workflow 'nope' not found (ENOTFOUND");

    assert_int_equal(cli_test_run("execution get %s", id), 0);
    cli_test_has(cli_out, "state:            RUNNING");
    assert_int_equal(cli_test_run("execution pause %s --reason lunch", id), 0);
    char line[128];
    snprintf(line, sizeof line, "execution %s: PAUSED\n", id);
    assert_string_equal(cli_out, line);
    assert_int_equal(cli_test_run("execution resume %s --json", id), 0);
    ex = cli_test_json_out();
    assert_string_equal(sr_value_map_str(ex, "state"), "RUNNING");
    sr_value_destroy(&ex);
    assert_int_equal(cli_test_run("execution cancel %s", id), 0);
    assert_int_equal(cli_test_run("execution cancel %s", id), 1);
    cli_test_has(cli_err,
                 "sirocco execution cancel: execution is CANCELLED; it "
                 "cannot be cancelled (ESTATE, engine ipc://");

    sr_id_t failed = sr_fx_id(3, 0);
    sr_fake_engine_add_execution(cli_fx.fe[1], &failed, "hello", "ERROR");
    sr_fake_engine_add_task(cli_fx.fe[1], &failed, "t1", "SUCCESS");
    sr_fake_engine_add_task(cli_fx.fe[1], &failed, "t2", "ERROR");
    assert_int_equal(cli_test_run("task list %s", sr_fx_text(&failed, 0)), 0);
    cli_test_has(cli_out, "NAME  STATE    ID");
    cli_test_has(cli_out, "t2    ERROR    ");
    assert_int_equal(
        cli_test_run("task list %s --json", sr_fx_text(&failed, 0)), 0);
    sr_value_t *tasks = cli_test_json_out();
    assert_int_equal(sr_value_len(tasks), 2);
    sr_value_destroy(&tasks);
    assert_int_equal(
        cli_test_run("execution rerun %s t2 --reset", sr_fx_text(&failed, 0)),
        0);
    cli_test_has(cli_out, "RUNNING");
    m = sr_fake_engine_last(cli_fx.fe[1], SR_MSG_EX_RERUN);
    assert_true(sr_msg_bool(m, SR_F_EX_RERUN_reset, false));
    sr_msg_destroy(&m);
}

static void
execution_lists_gather_every_engine(void **state)
{
    (void)state;
    int64_t base = 1700000000000;
    sr_id_t a = sr_fx_id(0, base + 1000), b = sr_fx_id(2, base + 2000);
    sr_fake_engine_add_execution(cli_fx.fe[0], &a, "one", "SUCCESS");
    sr_fake_engine_add_execution(cli_fx.fe[1], &b, "two", "RUNNING");
    assert_int_equal(cli_test_run("execution list"), 0);
    cli_test_has(cli_out,
                 "ID                                    WORKFLOW  STATE    "
                 "CREATED                   INFO\n");
    const char *first = strstr(cli_out, sr_fx_text(&a, 0));
    const char *second = strstr(cli_out, sr_fx_text(&b, 1));
    assert_true(first && second && first < second);
    cli_test_has(cli_out, "2023-11-14 22:13:21.000Z");
    assert_int_equal(cli_test_run("execution list --limit 1 --json"), 0);
    sr_value_t *v = cli_test_json_out();
    assert_int_equal(sr_value_len(v), 1);
    assert_string_equal(sr_value_map_str(sr_value_array_at(v, 0), "id"),
                        sr_fx_text(&a, 0));
    sr_value_destroy(&v);
    assert_int_equal(cli_test_run("execution list --limit 1"), 0);
    char hint[128];
    snprintf(hint, sizeof hint, "(1 shown; next page: --after %s)",
             sr_fx_text(&a, 0));
    cli_test_has(cli_err, hint);
    assert_int_equal(cli_test_run("execution list --state RUNNING --after %s",
                                  sr_fx_text(&a, 0)),
                     0);
    cli_test_has(cli_out, sr_fx_text(&b, 0));
    assert_null(strstr(cli_out, sr_fx_text(&a, 1)));
}

static void
watch_prints_each_change_and_exits_by_the_outcome(void **state)
{
    (void)state;
    sr_id_t id = sr_fx_id(1, 0);
    sr_fake_engine_add_execution(cli_fx.fe[0], &id, "hello", "RUNNING");
    sr_fake_engine_add_event(cli_fx.fe[0], &id, "task", "t1", "RUNNING");
    sr_fake_engine_add_event(cli_fx.fe[0], &id, "execution", "hello",
                             "SUCCESS");
    assert_int_equal(cli_test_run("execution watch %s", sr_fx_text(&id, 0)), 0);
    cli_test_has(cli_out, "  task       t1                    RUNNING\n");
    cli_test_has(cli_out, "  execution  hello                 SUCCESS\n");
    char last[128];
    snprintf(last, sizeof last, "execution %s: SUCCESS\n", sr_fx_text(&id, 0));
    cli_test_has(cli_out, last);

    sr_id_t bad = sr_fx_id(2, 0);
    sr_fake_engine_add_execution(cli_fx.fe[1], &bad, "hello", "RUNNING");
    sr_fake_engine_add_event(cli_fx.fe[1], &bad, "execution", "hello", "ERROR");
    assert_int_equal(
        cli_test_run("execution watch %s --json", sr_fx_text(&bad, 0)), 1);
    char *nl = strchr(cli_out, '\n');
    assert_non_null(nl);
    *nl = '\0';
    sr_value_t *ev = cli_test_json_out(); // the first line: the event
    assert_string_equal(sr_value_map_str(ev, "state"), "ERROR");
    assert_string_equal(sr_value_map_str(ev, "kind"), "execution");
    sr_value_destroy(&ev);
    memmove(cli_out, nl + 1, strlen(nl + 1) + 1);
    sr_value_t *ex = cli_test_json_out(); // the second: the execution
    assert_string_equal(sr_value_map_str(ex, "state"), "ERROR");
    sr_value_destroy(&ex);
    // Already finished: one line, at once.
    assert_int_equal(cli_test_run("execution watch %s", sr_fx_text(&bad, 0)),
                     1);

    // start --watch: says what started, then watches (here: in vain).
    cli_test_write("hello.yaml", s_hello);
    assert_int_equal(cli_test_run("workflow create hello.yaml"), 0);
    assert_int_equal(
        cli_test_run("execution start hello --watch --timeout 300"), 1);
    cli_test_has(cli_out, "started execution ");
    cli_test_has(cli_err, "did not finish in time (ETIMEDOUT)");
}

static void
executions_are_deleted_finished_or_forced(void **state)
{
    (void)state;
    sr_id_t done = sr_fx_id(2, 0), busy = sr_fx_id(3, 0);
    sr_fake_engine_add_execution(cli_fx.fe[1], &done, "hello", "SUCCESS");
    sr_fake_engine_add_execution(cli_fx.fe[1], &busy, "hello", "RUNNING");
    assert_int_equal(cli_test_run("execution delete %s", sr_fx_text(&done, 0)),
                     0);
    char line[128];
    snprintf(line, sizeof line, "deleted execution %s\n", sr_fx_text(&done, 0));
    assert_string_equal(cli_out, line);
    assert_int_equal(cli_test_run("execution list"), 0);
    assert_null(strstr(cli_out, sr_fx_text(&done, 0)));
    cli_test_has(cli_out, sr_fx_text(&busy, 0));
    assert_int_equal(cli_test_run("execution delete %s", sr_fx_text(&done, 0)),
                     1);
    cli_test_has(cli_err, "not found (ENOTFOUND");
    assert_int_equal(cli_test_run("execution delete %s", sr_fx_text(&busy, 0)),
                     1);
    cli_test_has(cli_err, "sirocco execution delete: execution is RUNNING; "
                          "force cancels it first (ESTATE");
    assert_int_equal(cli_test_run("execution delete %s --force --json",
                                  sr_fx_text(&busy, 0)),
                     0);
    sr_value_t *reply = cli_test_json_out();
    assert_string_equal(sr_value_map_str(reply, "id"), sr_fx_text(&busy, 0));
    assert_string_equal(sr_value_map_str(reply, "state"), "DELETED");
    sr_value_destroy(&reply);
    sr_msg_t *m = sr_fake_engine_last(cli_fx.fe[1], SR_MSG_EX_DELETE);
    assert_true(sr_msg_bool(m, SR_F_EX_DELETE_force, false));
    sr_msg_destroy(&m);
    assert_int_equal(cli_test_run("execution delete 12345"), 2);
    cli_test_has(cli_err, "'12345' is not an execution id");
    assert_int_equal(cli_test_run("execution delete"), 2);
    assert_int_equal(cli_test_run("execution --help"), 0);
    cli_test_has(cli_out, "delete ID [--force]");
}

// new-id, then start --id twice: one execution, on the owner of the id's
// partition, the same answer; ids that are not ids are usage errors.
static void
a_start_with_an_id_may_be_retried(void **state)
{
    (void)state;
    cli_test_write("hello.yaml", s_hello);
    assert_int_equal(cli_test_run("workflow create hello.yaml"), 0);
    assert_int_equal(cli_test_run("execution new-id"), 0);
    char id[SR_ID_TEXT_SIZE];
    assert_int_equal(strlen(cli_out), 37);    // 36 characters and a newline
    memcpy(id, cli_out, SR_ID_TEXT_SIZE - 1); // the newline left out
    id[SR_ID_TEXT_SIZE - 1] = '\0';
    sr_id_t made;
    assert_int_equal(sr_id_parse(id, &made), SR_OK);
    assert_int_equal(sr_id_check_layout(&made, NULL), SR_OK);
    sr_fake_engine_t *owner = cli_fx.fe[sr_id_partition(&made) >= 2];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(cli_test_run("execution start hello --input "
                                      "'{\"a\": 1}' --id %s --json",
                                      id),
                         0);
        sr_value_t *ex = cli_test_json_out();
        assert_string_equal(sr_value_map_str(ex, "id"), id);
        sr_value_destroy(&ex);
    }
    assert_int_equal(sr_fake_engine_count(owner, SR_MSG_EX_START), 2);
    assert_int_equal(cli_test_run("execution list --json"), 0);
    sr_value_t *list = cli_test_json_out();
    assert_int_equal(sr_value_len(list), 1);
    sr_value_destroy(&list);
    assert_int_equal(cli_test_run("execution new-id --json"), 0);
    sr_value_t *one = cli_test_json_out();
    assert_int_equal(sr_id_parse(sr_value_map_str(one, "id"), &made), SR_OK);
    sr_value_destroy(&one);

    assert_int_equal(cli_test_run("execution start hello --id 12345"), 2);
    cli_test_has(cli_err, "'12345' is not an execution id");
    assert_int_equal(cli_test_run("execution start hello --id "
                                  "0001691f-2a40-430c-9d41-5e6a0b72c418"),
                     2);
    cli_test_has(cli_err, "--id: 0001691f-2a40-430c-9d41-5e6a0b72c418 is not "
                          "a Sirocco id: its version is 4, not 8");
    assert_int_equal(cli_test_run("execution start hello --id %s "
                                  "--partition 9",
                                  id),
                     1);
    cli_test_has(cli_err, "partition 9 is not the partition of id");
    assert_int_equal(cli_test_run("execution --help"), 0);
    cli_test_has(cli_out, "new-id");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            executions_start_with_input_and_are_driven, cli_test_setup,
            cli_test_teardown),
        cmocka_unit_test_setup_teardown(execution_lists_gather_every_engine,
                                        cli_test_setup, cli_test_teardown),
        cmocka_unit_test_setup_teardown(a_start_with_an_id_may_be_retried,
                                        cli_test_setup, cli_test_teardown),
        cmocka_unit_test_setup_teardown(
            executions_are_deleted_finished_or_forced, cli_test_setup,
            cli_test_teardown),
        cmocka_unit_test_setup_teardown(
            watch_prints_each_change_and_exits_by_the_outcome, cli_test_setup,
            cli_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
