// Runs the built `sirocco` workflow and action commands, and the usage
// and timeout errors every cluster command shares, against two fake
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
usage_errors_exit_2_and_say_what_was_wrong(void **state)
{
    (void)state;
    assert_int_equal(cli_test_run("workflow"), 2);
    cli_test_has(cli_err, "sirocco workflow create FILE...");
    assert_int_equal(cli_test_run("execution nope"), 2);
    cli_test_has(cli_err, "sirocco execution: unknown command 'nope'");
    assert_int_equal(cli_test_run("execution get"), 2);
    cli_test_has(cli_err, "sirocco execution get: missing argument");
    cli_test_has(cli_err, "usage: sirocco execution get ID");
    assert_int_equal(cli_test_run("execution list --bogus"), 2);
    cli_test_has(cli_err, "sirocco execution list: unknown option '--bogus'");
    assert_int_equal(cli_test_run("execution list --limit"), 2);
    cli_test_has(cli_err, "--limit needs a value (N)");
    assert_int_equal(cli_test_run("execution list --limit=-3"), 2);
    cli_test_has(cli_err, "--limit '-3': expected a number from 0 to 1000000");
    assert_int_equal(cli_test_run("execution get 1234"), 2);
    cli_test_has(cli_err, "'1234' is not an execution id");
    assert_int_equal(cli_test_run("execution get a b"), 2);
    cli_test_has(cli_err, "unexpected argument 'b'");
    assert_int_equal(cli_test_run("workflow list --timeout soon"), 2);
    cli_test_has(cli_err, "--timeout 'soon': expected milliseconds > 0");
    assert_int_equal(cli_test_run("workflow list --json=yes"), 2);
    cli_test_has(cli_err, "--json takes no value");
    assert_int_equal(cli_test_run("workflow list --cluster ,"), 2);
    cli_test_has(cli_err, "--cluster ',': engine endpoint 1 of ',' is empty");
    assert_int_equal(cli_test_run("task list --cluster '' x"), 2);
    cli_test_has(cli_err, "no cluster: give --cluster ENDPOINTS|FILE or set "
                          "$SIROCCO_CLUSTER");
    assert_int_equal(cli_test_run("workflow list --cluster none.yaml"), 2);
    cli_test_has(cli_err, "--cluster 'none.yaml': cluster file none.yaml: "
                          "cannot open");
    assert_int_equal(cli_test_run("execution start --help"), 0);
    cli_test_has(cli_out, "usage: sirocco execution start WORKFLOW");
    cli_test_has(cli_out, "--input JSON|@FILE");
    cli_test_has(cli_out, "--cluster ENDPOINTS|FILE");
    assert_int_equal(cli_test_run("--help"), 0);
    cli_test_has(cli_out, "sirocco execution start|get|list|watch");
}

static void
a_cluster_file_in_the_option_or_the_environment_names_the_engines(void **state)
{
    (void)state;
    char text[1024];
    snprintf(
        text, sizeof text,
        "partitions: 4\nengines:\n"
        "  - {name: a, client: '%s', worker: 'ipc://x', partitions: 0-1}\n"
        "  - {name: b, client: '%s', worker: 'ipc://y', partitions: 2-3}\n",
        cli_fx.ep[0], cli_fx.ep[1]);
    cli_test_write("hello.yaml", s_hello);
    cli_test_write("cluster.yaml", text);
    assert_int_equal(
        cli_test_run("workflow create hello.yaml --cluster cluster.yaml"), 0);
    assert_int_equal(sr_fake_engine_count(cli_fx.fe[0], SR_MSG_WF_CREATE), 1);
    assert_int_equal(sr_fake_engine_count(cli_fx.fe[1], SR_MSG_WF_CREATE), 1);
    cli_test_set_cluster("cluster.yaml");
    int code = cli_test_run("workflow list");
    cli_test_set_cluster(NULL);
    assert_int_equal(code, 0);
    cli_test_has(cli_out, "hello");
    // Asked again when the other's connection was not up yet at the first
    // ask (a loaded machine): the lists are merged all the same.
    assert_true(sr_fake_engine_count(cli_fx.fe[1], SR_MSG_WF_LIST) >= 1);
}

static void
workflows_are_created_listed_printed_and_deleted(void **state)
{
    (void)state;
    cli_test_write("hello.yaml", s_hello);
    assert_int_equal(cli_test_run("workflow create hello.yaml"), 0);
    cli_test_has(cli_out, "NAME   VERSION");
    cli_test_has(cli_out, "hello  ");
    assert_int_equal(sr_fake_engine_count(cli_fx.fe[0], SR_MSG_WF_CREATE), 1);
    assert_int_equal(sr_fake_engine_count(cli_fx.fe[1], SR_MSG_WF_CREATE), 1);
    assert_int_equal(cli_test_run("workflow create - < hello.yaml"), 0);
    char many[4096] = "workflow create --json";
    for (int i = 0; i < 40; i++) {
        char name[32], text[64];
        snprintf(name, sizeof name, "w%02d.yaml", i);
        snprintf(text, sizeof text, "version: '2.0'\nw%02d: {}\n", i);
        cli_test_write(name, text);
        snprintf(many + strlen(many), sizeof many - strlen(many), " %s", name);
    }
    assert_int_equal(cli_test_run("%s", many), 0);
    sr_value_t *made = cli_test_json_out();
    assert_int_equal(sr_value_len(made), 40);
    sr_value_destroy(&made);
    assert_int_equal(cli_test_run("workflow delete w00"), 0);
    assert_int_equal(cli_test_run("workflow create missing.yaml"), 2);
    cli_test_has(cli_err,
                 "sirocco workflow create: missing.yaml: No such file");
    cli_test_write("bad.yaml", "# nothing\n");
    assert_int_equal(cli_test_run("workflow create bad.yaml"), 1);
    cli_test_has(cli_err, "bad.yaml:");
    cli_test_has(cli_err,
                 "1:1: no workflow in the definition (EINVAL, engine ipc://");

    assert_int_equal(cli_test_run("workflow list --json"), 0);
    sr_value_t *v = cli_test_json_out();
    assert_int_equal(sr_value_len(v), 40); // hello and w01..w39
    assert_string_equal(sr_value_map_str(sr_value_array_at(v, 0), "name"),
                        "hello");
    sr_value_destroy(&v);
    assert_int_equal(cli_test_run("workflow list"), 0);
    cli_test_has(cli_out, "CREATED");
    cli_test_has(cli_out, "2023-11-14 22:13:20.00"); // created_ms as a UTC time
    assert_int_equal(cli_test_run("workflow get hello"), 0);
    assert_string_equal(cli_out, s_hello);
    assert_int_equal(cli_test_run("workflow get hello --json"), 0);
    v = cli_test_json_out();
    assert_string_equal(sr_value_map_str(v, "definition"), s_hello);
    sr_value_destroy(&v);
    assert_int_equal(cli_test_run("workflow delete hello"), 0);
    assert_string_equal(cli_out, "deleted workflow hello\n");
    assert_int_equal(cli_test_run("workflow get hello"), 1);
    cli_test_has(cli_err, "sirocco workflow get: workflow 'hello' not found "
                          "(ENOTFOUND, engine ipc://");
    assert_int_equal(cli_test_run("workflow delete hello --json"), 1);
}

static void
pending_actions_complete_with_a_result_or_an_error(void **state)
{
    (void)state;
    sr_id_t action = sr_fx_id(2, 0);
    const char *text = sr_fx_text(&action, 0);
    sr_fake_engine_add_action(cli_fx.fe[1], text);
    sr_fake_engine_add_action(cli_fx.fe[0], "tok-1");
    sr_fake_engine_add_action(cli_fx.fe[1], "tok-1");
    assert_int_equal(
        cli_test_run("action complete %s --result '{\"x\": 1}'", text), 0);
    char line[128];
    snprintf(line, sizeof line, "action %s: SUCCESS\n", text);
    assert_string_equal(cli_out, line);
    sr_msg_t *m = sr_fake_engine_last(cli_fx.fe[1], SR_MSG_COMPLETE);
    assert_int_equal(sr_value_int(sr_value_map_get(
                         sr_msg_get(m, SR_F_COMPLETE_output), "x")),
                     1);
    sr_msg_destroy(&m);
    assert_int_equal(
        cli_test_run("action complete tok-1 --error 'it broke' --json"), 0);
    sr_value_t *v = cli_test_json_out();
    assert_string_equal(sr_value_map_str(v, "state"), "ERROR");
    sr_value_destroy(&v);
    assert_int_equal(cli_test_run("action complete tok-2 --error x"), 1);
    cli_test_has(cli_err, "no action 'tok-2' (ENOTFOUND");
    assert_int_equal(cli_test_run("action complete tok-1"), 2);
    cli_test_has(cli_err, "give --result JSON or --error TEXT (exactly one)");
    assert_int_equal(cli_test_run("action complete tok-1 --result 1 --error x"),
                     2);
    assert_int_equal(cli_test_run("action complete tok-1 --result '{'"), 2);
    cli_test_has(cli_err, "--result: invalid JSON");
    assert_int_equal(
        cli_test_run("action complete %s --token --result 3", text), 1);
    m = sr_fake_engine_last(cli_fx.fe[0], SR_MSG_COMPLETE);
    if (!m)
        m = sr_fake_engine_last(cli_fx.fe[1], SR_MSG_COMPLETE);
    assert_non_null(m);
    sr_msg_destroy(&m);
}

static void
an_engine_that_does_not_answer_gives_a_timeout_error(void **state)
{
    (void)state;
    sr_fake_engine_mute(cli_fx.fe[0], SR_MSG_NONE);
    int64_t start = zclock_mono();
    assert_int_equal(cli_test_run("workflow list --cluster '%s' --timeout 200",
                                  cli_fx.ep[0]),
                     1);
    assert_true(zclock_mono() - start < 3000);
    cli_test_has(cli_err,
                 "sirocco workflow list: WF_LIST: no answer from engine");
    cli_test_has(cli_err, "(ETIMEDOUT)");
    sr_fake_engine_reset(cli_fx.fe[0]);
    assert_int_equal(cli_test_run("workflow list --cluster '%s' --timeout 200",
                                  cli_fx.nobody),
                     1);
    cli_test_has(cli_err, "is not connected (is it running?) (ETIMEDOUT)");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            usage_errors_exit_2_and_say_what_was_wrong, cli_test_setup,
            cli_test_teardown),
        cmocka_unit_test_setup_teardown(
            workflows_are_created_listed_printed_and_deleted, cli_test_setup,
            cli_test_teardown),
        cmocka_unit_test_setup_teardown(
            a_cluster_file_in_the_option_or_the_environment_names_the_engines,
            cli_test_setup, cli_test_teardown),
        cmocka_unit_test_setup_teardown(
            pending_actions_complete_with_a_result_or_an_error, cli_test_setup,
            cli_test_teardown),
        cmocka_unit_test_setup_teardown(
            an_engine_that_does_not_answer_gives_a_timeout_error,
            cli_test_setup, cli_test_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
