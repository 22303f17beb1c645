// Runs the built `sirocco` cluster commands (workflow, execution, task,
// action) against two fake engines in this process and checks exit
// codes, output tables, --json output and error messages.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "sr_client_test_util.h"
#include "sr_value_json.h"

static sr_fx_t s_fx;
static char s_bin[1024], s_out_path[256], s_err_path[256];
static char s_out[65536], s_err[65536];

static void
s_slurp(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

// Run `sirocco ARGS` with $SIROCCO_CLUSTER naming both engines; returns
// the exit code and leaves stdout and stderr in s_out and s_err.
__attribute__((format(printf, 1, 2))) static int
s_run(const char *fmt, ...)
{
    char args[4096], cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && SIROCCO_CLUSTER='%s' '%s' </dev/null %s >'%s' 2>'%s'",
             s_fx.dir, s_fx.both, s_bin, args, s_out_path, s_err_path);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    s_slurp(s_out_path, s_out, sizeof s_out);
    s_slurp(s_err_path, s_err, sizeof s_err);
    return WEXITSTATUS(st);
}

static void
s_has(const char *text, const char *part)
{
    if (!strstr(text, part))
        fail_msg("expected '%s' in:\n%s", part, text);
}

static sr_value_t *
s_json_out(void)
{
    sr_value_t *v = NULL;
    sr_error_t err;
    if (sr_value_from_json(s_out, strlen(s_out), NULL, &v, &err) != SR_OK)
        fail_msg("not JSON (%s):\n%s", err.msg, s_out);
    return v;
}

static void
s_write(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", s_fx.dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int
s_setup(void **state)
{
    (void)state;
    const char *build = getenv("SR_BUILD_DIR");
    snprintf(s_bin, sizeof s_bin, "%s/bin/sirocco", build ? build : "..");
    if (sr_fx_setup(&s_fx))
        return -1;
    snprintf(s_out_path, sizeof s_out_path, "%s/stdout", s_fx.dir);
    snprintf(s_err_path, sizeof s_err_path, "%s/stderr", s_fx.dir);
    return 0;
}

static int
s_teardown(void **state)
{
    (void)state;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "rm -f '%s'/*.yaml '%s'/*.json '%s' '%s'",
             s_fx.dir, s_fx.dir, s_out_path, s_err_path);
    if (system(cmd) != 0)
        return -1;
    sr_fx_teardown(&s_fx);
    return 0;
}

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
    assert_int_equal(s_run("workflow"), 2);
    s_has(s_err, "sirocco workflow create FILE...");
    assert_int_equal(s_run("execution nope"), 2);
    s_has(s_err, "sirocco execution: unknown command 'nope'");
    assert_int_equal(s_run("execution get"), 2);
    s_has(s_err, "sirocco execution get: missing argument");
    s_has(s_err, "usage: sirocco execution get ID");
    assert_int_equal(s_run("execution list --bogus"), 2);
    s_has(s_err, "sirocco execution list: unknown option '--bogus'");
    assert_int_equal(s_run("execution list --limit"), 2);
    s_has(s_err, "--limit needs a value (N)");
    assert_int_equal(s_run("execution list --limit=-3"), 2);
    s_has(s_err, "--limit '-3': expected a number from 0 to 1000000");
    assert_int_equal(s_run("execution get 1234"), 2);
    s_has(s_err, "'1234' is not an execution id");
    assert_int_equal(s_run("execution get a b"), 2);
    s_has(s_err, "unexpected argument 'b'");
    assert_int_equal(s_run("workflow list --timeout soon"), 2);
    s_has(s_err, "--timeout 'soon': expected milliseconds > 0");
    assert_int_equal(s_run("workflow list --json=yes"), 2);
    s_has(s_err, "--json takes no value");
    assert_int_equal(s_run("workflow list --cluster ,"), 2);
    s_has(s_err, "--cluster ',': engine endpoint 1 of ',' is empty");
    assert_int_equal(s_run("task list --cluster '' x"), 2);
    s_has(s_err, "no cluster: give --cluster ENDPOINTS or set "
                 "$SIROCCO_CLUSTER");
    assert_int_equal(s_run("execution start --help"), 0);
    s_has(s_out, "usage: sirocco execution start WORKFLOW");
    s_has(s_out, "--input JSON|@FILE");
    s_has(s_out, "--cluster ENDPOINTS");
    assert_int_equal(s_run("--help"), 0);
    s_has(s_out, "sirocco execution start|get|list|watch");
}

static void
workflows_are_created_listed_printed_and_deleted(void **state)
{
    (void)state;
    s_write("hello.yaml", s_hello);
    assert_int_equal(s_run("workflow create hello.yaml"), 0);
    s_has(s_out, "NAME   VERSION");
    s_has(s_out, "hello  ");
    assert_int_equal(sr_fake_engine_count(s_fx.fe[0], SR_MSG_WF_CREATE), 1);
    assert_int_equal(sr_fake_engine_count(s_fx.fe[1], SR_MSG_WF_CREATE), 1);
    assert_int_equal(s_run("workflow create - < hello.yaml"), 0);
    char many[4096] = "workflow create --json";
    for (int i = 0; i < 40; i++) {
        char name[32], text[64];
        snprintf(name, sizeof name, "w%02d.yaml", i);
        snprintf(text, sizeof text, "version: '2.0'\nw%02d: {}\n", i);
        s_write(name, text);
        snprintf(many + strlen(many), sizeof many - strlen(many), " %s", name);
    }
    assert_int_equal(s_run("%s", many), 0);
    sr_value_t *made = s_json_out();
    assert_int_equal(sr_value_len(made), 40);
    sr_value_destroy(&made);
    assert_int_equal(s_run("workflow delete w00"), 0);
    assert_int_equal(s_run("workflow create missing.yaml"), 2);
    s_has(s_err, "sirocco workflow create: missing.yaml: No such file");
    s_write("bad.yaml", "# nothing\n");
    assert_int_equal(s_run("workflow create bad.yaml"), 1);
    s_has(s_err, "bad.yaml:");
    s_has(s_err, "1:1: no workflow in the definition (EINVAL, engine ipc://");

    assert_int_equal(s_run("workflow list --json"), 0);
    sr_value_t *v = s_json_out();
    assert_int_equal(sr_value_len(v), 40); // hello and w01..w39
    assert_string_equal(sr_value_map_str(sr_value_array_at(v, 0), "name"),
                        "hello");
    sr_value_destroy(&v);
    assert_int_equal(s_run("workflow list"), 0);
    s_has(s_out, "CREATED");
    s_has(s_out, "2023-11-14 22:13:20.00"); // created_ms as a UTC time
    assert_int_equal(s_run("workflow get hello"), 0);
    assert_string_equal(s_out, s_hello);
    assert_int_equal(s_run("workflow get hello --json"), 0);
    v = s_json_out();
    assert_string_equal(sr_value_map_str(v, "definition"), s_hello);
    sr_value_destroy(&v);
    assert_int_equal(s_run("workflow delete hello"), 0);
    assert_string_equal(s_out, "deleted workflow hello\n");
    assert_int_equal(s_run("workflow get hello"), 1);
    s_has(s_err, "sirocco workflow get: workflow 'hello' not found "
                 "(ENOTFOUND, engine ipc://");
    assert_int_equal(s_run("workflow delete hello --json"), 1);
}

static void
executions_start_with_input_and_are_driven(void **state)
{
    (void)state;
    s_write("hello.yaml", s_hello);
    s_write("input.json", "{\"a\": \"from a file\"}");
    assert_int_equal(s_run("workflow create hello.yaml"), 0);
    assert_int_equal(s_run("execution start hello --input '{\"a\": 1}' "
                           "--env '{\"e\": true}' --task t1 --json"),
                     0);
    sr_value_t *ex = s_json_out();
    char id[SR_ID_TEXT_SIZE];
    snprintf(id, sizeof id, "%s", sr_value_map_str(ex, "id"));
    assert_string_equal(sr_value_map_str(ex, "state"), "RUNNING");
    sr_value_destroy(&ex);
    sr_fake_engine_t *owner = NULL;
    for (int i = 0; i < 2 && !owner; i++)
        if (sr_fake_engine_count(s_fx.fe[i], SR_MSG_EX_START) == 1)
            owner = s_fx.fe[i];
    assert_non_null(owner);
    sr_msg_t *m = sr_fake_engine_last(owner, SR_MSG_EX_START);
    char *params = sr_value_to_json(sr_msg_get(m, SR_F_EX_START_params), 0);
    assert_string_equal(params, "{\"task_name\":\"t1\"}");
    free(params);
    assert_int_equal(
        sr_value_int(sr_value_map_get(sr_msg_get(m, SR_F_EX_START_input), "a")),
        1);
    sr_msg_destroy(&m);

    assert_int_equal(s_run("execution start hello --input @input.json"), 0);
    s_has(s_out, "workflow:   hello");
    s_has(s_out, "input:      {\"a\": \"from a file\"}");
    assert_int_equal(s_run("execution start hello --input '[1]'"), 2);
    s_has(s_err, "--input: expected a JSON object, got array");
    assert_int_equal(s_run("execution start hello --input '{bad'"), 2);
    s_has(s_err, "--input: invalid JSON");
    assert_int_equal(s_run("execution start hello --input @nope.json"), 2);
    s_has(s_err, "nope.json: No such file");
    assert_int_equal(s_run("execution start nope"), 1);
    s_has(s_err, "workflow 'nope' not found (ENOTFOUND");

    assert_int_equal(s_run("execution get %s", id), 0);
    s_has(s_out, "state:      RUNNING");
    assert_int_equal(s_run("execution pause %s --reason lunch", id), 0);
    char line[128];
    snprintf(line, sizeof line, "execution %s: PAUSED\n", id);
    assert_string_equal(s_out, line);
    assert_int_equal(s_run("execution resume %s --json", id), 0);
    ex = s_json_out();
    assert_string_equal(sr_value_map_str(ex, "state"), "RUNNING");
    sr_value_destroy(&ex);
    assert_int_equal(s_run("execution cancel %s", id), 0);
    assert_int_equal(s_run("execution cancel %s", id), 1);
    s_has(s_err, "sirocco execution cancel: execution is CANCELLED; it "
                 "cannot be cancelled (ESTATE, engine ipc://");

    sr_id_t failed = sr_fx_id(3, 0);
    sr_fake_engine_add_execution(s_fx.fe[1], &failed, "hello", "ERROR");
    sr_fake_engine_add_task(s_fx.fe[1], &failed, "t1", "SUCCESS");
    sr_fake_engine_add_task(s_fx.fe[1], &failed, "t2", "ERROR");
    assert_int_equal(s_run("task list %s", sr_fx_text(&failed, 0)), 0);
    s_has(s_out, "NAME  STATE    ID");
    s_has(s_out, "t2    ERROR    ");
    assert_int_equal(s_run("task list %s --json", sr_fx_text(&failed, 0)), 0);
    sr_value_t *tasks = s_json_out();
    assert_int_equal(sr_value_len(tasks), 2);
    sr_value_destroy(&tasks);
    assert_int_equal(
        s_run("execution rerun %s t2 --reset", sr_fx_text(&failed, 0)), 0);
    s_has(s_out, "RUNNING");
    m = sr_fake_engine_last(s_fx.fe[1], SR_MSG_EX_RERUN);
    assert_true(sr_msg_bool(m, SR_F_EX_RERUN_reset, false));
    sr_msg_destroy(&m);
}

static void
execution_lists_gather_every_engine(void **state)
{
    (void)state;
    int64_t base = 1700000000000;
    sr_id_t a = sr_fx_id(0, base + 1000), b = sr_fx_id(2, base + 2000);
    sr_fake_engine_add_execution(s_fx.fe[0], &a, "one", "SUCCESS");
    sr_fake_engine_add_execution(s_fx.fe[1], &b, "two", "RUNNING");
    assert_int_equal(s_run("execution list"), 0);
    s_has(s_out, "ID                                    WORKFLOW  STATE    "
                 "CREATED                   INFO\n");
    const char *first = strstr(s_out, sr_fx_text(&a, 0));
    const char *second = strstr(s_out, sr_fx_text(&b, 1));
    assert_true(first && second && first < second);
    s_has(s_out, "2023-11-14 22:13:21.000Z");
    assert_int_equal(s_run("execution list --limit 1 --json"), 0);
    sr_value_t *v = s_json_out();
    assert_int_equal(sr_value_len(v), 1);
    assert_string_equal(sr_value_map_str(sr_value_array_at(v, 0), "id"),
                        sr_fx_text(&a, 0));
    sr_value_destroy(&v);
    assert_int_equal(s_run("execution list --limit 1"), 0);
    char hint[128];
    snprintf(hint, sizeof hint, "(1 shown; next page: --after %s)",
             sr_fx_text(&a, 0));
    s_has(s_err, hint);
    assert_int_equal(
        s_run("execution list --state RUNNING --after %s", sr_fx_text(&a, 0)),
        0);
    s_has(s_out, sr_fx_text(&b, 0));
    assert_null(strstr(s_out, sr_fx_text(&a, 1)));
}

static void
watch_prints_each_change_and_exits_by_the_outcome(void **state)
{
    (void)state;
    sr_id_t id = sr_fx_id(1, 0);
    sr_fake_engine_add_execution(s_fx.fe[0], &id, "hello", "RUNNING");
    sr_fake_engine_add_event(s_fx.fe[0], &id, "task", "t1", "RUNNING");
    sr_fake_engine_add_event(s_fx.fe[0], &id, "execution", "hello", "SUCCESS");
    assert_int_equal(s_run("execution watch %s", sr_fx_text(&id, 0)), 0);
    s_has(s_out, "  task       t1                    RUNNING\n");
    s_has(s_out, "  execution  hello                 SUCCESS\n");
    char last[128];
    snprintf(last, sizeof last, "execution %s: SUCCESS\n", sr_fx_text(&id, 0));
    s_has(s_out, last);

    sr_id_t bad = sr_fx_id(2, 0);
    sr_fake_engine_add_execution(s_fx.fe[1], &bad, "hello", "RUNNING");
    sr_fake_engine_add_event(s_fx.fe[1], &bad, "execution", "hello", "ERROR");
    assert_int_equal(s_run("execution watch %s --json", sr_fx_text(&bad, 0)),
                     1);
    char *nl = strchr(s_out, '\n');
    assert_non_null(nl);
    *nl = '\0';
    sr_value_t *ev = s_json_out(); // the first line: the event
    assert_string_equal(sr_value_map_str(ev, "state"), "ERROR");
    assert_string_equal(sr_value_map_str(ev, "kind"), "execution");
    sr_value_destroy(&ev);
    memmove(s_out, nl + 1, strlen(nl + 1) + 1);
    sr_value_t *ex = s_json_out(); // the second: the execution
    assert_string_equal(sr_value_map_str(ex, "state"), "ERROR");
    sr_value_destroy(&ex);
    // Already finished: one line, at once.
    assert_int_equal(s_run("execution watch %s", sr_fx_text(&bad, 0)), 1);

    // start --watch: says what started, then watches (here: in vain).
    s_write("hello.yaml", s_hello);
    assert_int_equal(s_run("workflow create hello.yaml"), 0);
    assert_int_equal(s_run("execution start hello --watch --timeout 300"), 1);
    s_has(s_out, "started execution ");
    s_has(s_err, "did not finish in time (ETIMEDOUT)");
}

static void
pending_actions_complete_with_a_result_or_an_error(void **state)
{
    (void)state;
    sr_id_t action = sr_fx_id(2, 0);
    const char *text = sr_fx_text(&action, 0);
    sr_fake_engine_add_action(s_fx.fe[1], text);
    sr_fake_engine_add_action(s_fx.fe[0], "tok-1");
    sr_fake_engine_add_action(s_fx.fe[1], "tok-1");
    assert_int_equal(s_run("action complete %s --result '{\"x\": 1}'", text),
                     0);
    char line[128];
    snprintf(line, sizeof line, "action %s: SUCCESS\n", text);
    assert_string_equal(s_out, line);
    sr_msg_t *m = sr_fake_engine_last(s_fx.fe[1], SR_MSG_COMPLETE);
    assert_int_equal(sr_value_int(sr_value_map_get(
                         sr_msg_get(m, SR_F_COMPLETE_output), "x")),
                     1);
    sr_msg_destroy(&m);
    assert_int_equal(s_run("action complete tok-1 --error 'it broke' --json"),
                     0);
    sr_value_t *v = s_json_out();
    assert_string_equal(sr_value_map_str(v, "state"), "ERROR");
    sr_value_destroy(&v);
    assert_int_equal(s_run("action complete tok-2 --error x"), 1);
    s_has(s_err, "no action 'tok-2' (ENOTFOUND");
    assert_int_equal(s_run("action complete tok-1"), 2);
    s_has(s_err, "give --result JSON or --error TEXT (exactly one)");
    assert_int_equal(s_run("action complete tok-1 --result 1 --error x"), 2);
    assert_int_equal(s_run("action complete tok-1 --result '{'"), 2);
    s_has(s_err, "--result: invalid JSON");
    assert_int_equal(s_run("action complete %s --token --result 3", text), 1);
    m = sr_fake_engine_last(s_fx.fe[0], SR_MSG_COMPLETE);
    if (!m)
        m = sr_fake_engine_last(s_fx.fe[1], SR_MSG_COMPLETE);
    assert_non_null(m);
    sr_msg_destroy(&m);
}

static void
an_engine_that_does_not_answer_gives_a_timeout_error(void **state)
{
    (void)state;
    sr_fake_engine_mute(s_fx.fe[0], SR_MSG_NONE);
    int64_t start = zclock_mono();
    assert_int_equal(
        s_run("workflow list --cluster '%s' --timeout 200", s_fx.ep[0]), 1);
    assert_true(zclock_mono() - start < 3000);
    s_has(s_err, "sirocco workflow list: WF_LIST: no answer from engine");
    s_has(s_err, "(ETIMEDOUT)");
    sr_fake_engine_reset(s_fx.fe[0]);
    assert_int_equal(
        s_run("workflow list --cluster '%s' --timeout 200", s_fx.nobody), 1);
    s_has(s_err, "is not connected (is it running?) (ETIMEDOUT)");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            usage_errors_exit_2_and_say_what_was_wrong, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            workflows_are_created_listed_printed_and_deleted, s_setup,
            s_teardown),
        cmocka_unit_test_setup_teardown(
            executions_start_with_input_and_are_driven, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(execution_lists_gather_every_engine,
                                        s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            watch_prints_each_change_and_exits_by_the_outcome, s_setup,
            s_teardown),
        cmocka_unit_test_setup_teardown(
            pending_actions_complete_with_a_result_or_an_error, s_setup,
            s_teardown),
        cmocka_unit_test_setup_teardown(
            an_engine_that_does_not_answer_gives_a_timeout_error, s_setup,
            s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
