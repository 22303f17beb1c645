// Tests of the real sirocco-workerd binary against a fake engine over
// ipc://: it announces itself, runs built-in and custom actions, reads
// its config file (flags winning), stops gracefully on SIGTERM and SIGINT
// (CREDIT 0, the running action's RESULT, BYE, exit 0), and exits 2
// naming bad flags and config keys. Only the PIDs started here are
// signalled and reaped; every wait is bounded.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "wrk_fake_engine.h"
#include "wrk_test_support.h"

#define S_EXIT_WAIT_MS 8000 // a graceful stop, with BYE's linger

extern char **environ;

typedef struct {
    char *dir;
    fe_t fe;
    pid_t pid; // the daemon while it runs
} s_env_t;

static int
s_setup(void **state)
{
    s_env_t *env = calloc(1, sizeof *env);
    assert_non_null(env);
    env->dir = wt_tmpdir();
    fe_open(&env->fe, env->dir, "engine");
    *state = env;
    return 0;
}

static int
s_teardown(void **state)
{
    s_env_t *env = *state;
    if (env->pid > 0) { // the test failed with the daemon still running
        kill(env->pid, SIGKILL);
        waitpid(env->pid, NULL, 0);
    }
    fe_close(&env->fe);
    wt_rmtree(&env->dir);
    free(env);
    return 0;
}

// Start the daemon with `args` (NULL-terminated), stdout and stderr going
// to DIR/out.txt.
static void
s_spawn(s_env_t *env, const char *const *args)
{
    const char *build = getenv("SR_BUILD_DIR");
    assert_non_null(build);
    char bin[4096], out[4096];
    snprintf(bin, sizeof bin, "%s/bin/sirocco-workerd", build);
    snprintf(out, sizeof out, "%s/out.txt", env->dir);
    char *argv[32] = {bin};
    size_t n = 1;
    for (; args[n - 1] && n < 31; n++)
        argv[n] = (char *)args[n - 1];
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    assert_int_equal(posix_spawn(&env->pid, bin, &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
}

// Wait (bounded) for the daemon to exit; returns its exit status.
static int
s_wait_exit(s_env_t *env)
{
    int64_t end = zclock_mono() + S_EXIT_WAIT_MS;
    int status = 0;
    while (waitpid(env->pid, &status, WNOHANG) == 0) {
        if (zclock_mono() > end)
            fail_msg("sirocco-workerd did not exit within %d ms",
                     S_EXIT_WAIT_MS);
        zclock_sleep(5);
    }
    env->pid = 0;
    if (!WIFEXITED(status))
        fail_msg("sirocco-workerd ended by signal %d", WTERMSIG(status));
    return WEXITSTATUS(status);
}

static char *
s_output(s_env_t *env)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/out.txt", env->dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *text = calloc(1, 65536);
    assert_non_null(text);
    size_t n = fread(text, 1, 65535, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static void
s_assert_output_has(s_env_t *env, const char *part)
{
    char *text = s_output(env);
    if (!strstr(text, part))
        fail_msg("output lacks '%s':\n%s", part, text);
    free(text);
}

// Run one action through the fake engine; returns its RESULT's output.
static char *
s_run(s_env_t *env, const char *action, const char *input)
{
    sr_id_t id;
    fe_send_task(&env->fe, action, input, &id);
    fe_expect_confirm(&env->fe, &id);
    fe_send_go(&env->fe, &id, 1);
    sr_msg_t *r = fe_expect_result(&env->fe, &id, "success");
    fe_send_ack(&env->fe, &id, 1);
    char *json = fe_json(r, SR_F_RESULT_output);
    sr_msg_destroy(&r);
    return json;
}

// After the signal: CREDIT 0, the RESULT of `running` (acknowledged),
// BYE, exit 0.
static void
s_expect_graceful_stop(s_env_t *env, const sr_id_t *running)
{
    sr_msg_t *m = fe_expect(&env->fe, SR_MSG_CREDIT);
    assert_int_equal(sr_msg_int(m, SR_F_CREDIT_slots, -1), 0);
    sr_msg_destroy(&m);
    if (running) {
        m = fe_expect_result(&env->fe, running, "success");
        sr_msg_destroy(&m);
        fe_send_ack(&env->fe, running, 1);
    }
    m = fe_expect(&env->fe, SR_MSG_BYE);
    sr_msg_destroy(&m);
    assert_int_equal(s_wait_exit(env), 0);
}

static void
daemon_runs_actions_and_stops_gracefully_on_sigterm(void **state)
{
    s_env_t *env = *state;
    wt_write_file(env->dir, "ops.hello",
                  "#!/bin/sh\ncat >/dev/null\necho '{\"hi\": \"there\"}'\n", 1);
    const char *args[] = {
        "--engine", env->fe.endpoint, "--name", "d1",          "--slots",
        "2",        "--actions-dir",  env->dir, "--log-level", "warn",
        NULL};
    s_spawn(env, args);
    sr_msg_t *ready = fe_expect(&env->fe, SR_MSG_READY);
    assert_string_equal(sr_msg_str(ready, SR_F_READY_worker), "d1");
    assert_int_equal(sr_msg_int(ready, SR_F_READY_slots, 0), 2);
    assert_int_equal(sr_msg_int(ready, SR_F_READY_pid, 0), env->pid);
    sr_msg_destroy(&ready);
    char *out = s_run(env, "std.echo", "{\"output\": [1, \"two\"]}");
    assert_string_equal(out, "[1,\"two\"]");
    free(out);
    out = s_run(env, "ops.hello", "{\"x\": 1}");
    assert_string_equal(out, "{\"hi\":\"there\"}");
    free(out);
    sr_id_t id;
    fe_send_task(&env->fe, "std.echo", "{\"output\": 1, \"delay\": 0.3}", &id);
    fe_expect_confirm(&env->fe, &id);
    fe_send_go(&env->fe, &id, 1);
    assert_int_equal(kill(env->pid, SIGTERM), 0);
    s_expect_graceful_stop(env, &id);
}

static void
daemon_reads_its_config_file_and_flags_win(void **state)
{
    s_env_t *env = *state;
    char yaml[1024], path[4096];
    snprintf(yaml, sizeof yaml,
             "# a worker\nname: d2\nengines:\n  - %s\nslots: 3\n"
             "offer: [std.*, ops.*]\ntarget: blue\nlog_level: error\n",
             env->fe.endpoint);
    wt_write_file(env->dir, "workerd.yaml", yaml, 0);
    snprintf(path, sizeof path, "%s/workerd.yaml", env->dir);
    const char *args[] = {"--config", path, "--slots", "5", NULL};
    s_spawn(env, args);
    sr_msg_t *ready = fe_expect(&env->fe, SR_MSG_READY);
    assert_string_equal(sr_msg_str(ready, SR_F_READY_worker), "d2");
    assert_int_equal(sr_msg_int(ready, SR_F_READY_slots, 0), 5);
    assert_string_equal(sr_msg_str(ready, SR_F_READY_target), "blue");
    char *actions = fe_json(ready, SR_F_READY_actions);
    assert_string_equal(actions, "[\"std.*\",\"ops.*\"]");
    free(actions);
    sr_msg_destroy(&ready);
    assert_int_equal(kill(env->pid, SIGINT), 0);
    s_expect_graceful_stop(env, NULL);
}

static void
bad_flags_and_config_exit_2_naming_each_problem(void **state)
{
    s_env_t *env = *state;
    const char *args[] = {"--slots", "many", "--config", "/nonexistent.yaml",
                          NULL};
    s_spawn(env, args);
    assert_int_equal(s_wait_exit(env), 2);
    s_assert_output_has(env, "--slots: expected an integer from 1 to 1024, "
                             "got 'many'");
    s_assert_output_has(env, "/nonexistent.yaml: cannot open");
    wt_write_file(env->dir, "bad.yaml",
                  "engines: [ipc:///x]\nslots: 0\ncolour: red\n", 0);
    char path[4096];
    snprintf(path, sizeof path, "%s/bad.yaml", env->dir);
    const char *args2[] = {"--config", path, NULL};
    s_spawn(env, args2);
    assert_int_equal(s_wait_exit(env), 2);
    s_assert_output_has(env, "bad.yaml:2:8: key 'slots': expected an "
                             "integer from 1 to 1024, got '0'");
    s_assert_output_has(env, "bad.yaml:3:1: key 'colour': unknown key");
}

#define S_TEST(f) cmocka_unit_test_setup_teardown(f, s_setup, s_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        S_TEST(daemon_runs_actions_and_stops_gracefully_on_sigterm),
        S_TEST(daemon_reads_its_config_file_and_flags_win),
        S_TEST(bad_flags_and_config_exit_2_naming_each_problem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
