// Tests of custom executable actions: scripts written into a temporary
// action folder, run through the registry.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sr_value_json.h"
#include "wrk_exec.h"
#include "wrk_registry.h"
#include "wrk_test_support.h"

typedef struct {
    char *dir;
    wrk_registry_t *reg;
} s_fix_t;

static int
s_setup(void **state)
{
    s_fix_t *f = calloc(1, sizeof *f);
    f->dir = wt_tmpdir();
    wrk_config_t cfg = {
        .action_dir = f->dir,
        .output_limit_bytes = 65536,
        .kill_grace_ms = 200,
    };
    sr_error_t err;
    if (wrk_registry_new(&cfg, &f->reg, &err) != SR_OK)
        return -1;
    *state = f;
    return 0;
}

static int
s_teardown(void **state)
{
    s_fix_t *f = *state;
    wrk_registry_destroy(&f->reg);
    wt_rmtree(&f->dir);
    free(f);
    return 0;
}

static char *
s_path(const s_fix_t *f, const char *name)
{
    char *path = NULL;
    assert_true(asprintf(&path, "%s/%s", f->dir, name) > 0);
    return path;
}

// The pid a script wrote into dir/name.
static pid_t
s_read_pid(const s_fix_t *f, const char *name)
{
    char *path = s_path(f, name);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    int pid = 0;
    assert_int_equal(fscanf(fp, "%d", &pid), 1);
    fclose(fp);
    free(path);
    return (pid_t)pid;
}

// Is the process gone (no such pid, or a zombie left for init to reap)?
static int
s_is_gone(pid_t pid)
{
    if (kill(pid, 0) < 0 && errno == ESRCH)
        return 1;
    char path[64], state = '?';
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *fp = fopen(path, "r");
    if (!fp)
        return 1;
    int n = fscanf(fp, "%*d %*s %c", &state);
    fclose(fp);
    return n == 1 && state == 'Z';
}

static void
s_assert_gone(pid_t pid)
{
    int64_t until = wrk_mono_ms() + 3000;
    while (!s_is_gone(pid) && wrk_mono_ms() < until)
        usleep(10000);
    if (!s_is_gone(pid))
        fail_msg("process %d is still running", (int)pid);
}

static void
python_action_gets_input_and_context(void **state)
{
    s_fix_t *f = *state;
    wt_write_file(f->dir, "my.action",
                  "#!/usr/bin/python3\n"
                  "import json, os, sys\n"
                  "data = json.load(sys.stdin)\n"
                  "env = {k: v for k, v in os.environ.items()\n"
                  "       if k.startswith('SIROCCO_')}\n"
                  "print(json.dumps({'got': data, 'env': env},"
                  " sort_keys=True))\n",
                  1);
    setenv("SIROCCO_LEAK", "must not reach the child", 1);
    wrk_result_t r = wt_run(f->reg, "my.action", "{\"x\": [1, \"two\"]}",
                            "{\"execution_id\": \"e-1\", \"task_name\": "
                            "\"t1\", \"action_id\": \"a-9\", \"callback_url\":"
                            " \"http://cb\", \"token\": \"tok\"}",
                            0, NULL);
    unsetenv("SIROCCO_LEAK");
    wt_assert_result(&r, WRK_SUCCESS,
                     "{\"env\":{\"SIROCCO_ACTION\":\"my.action\","
                     "\"SIROCCO_ACTION_ID\":\"a-9\","
                     "\"SIROCCO_CALLBACK_TOKEN\":\"tok\","
                     "\"SIROCCO_CALLBACK_URL\":\"http://cb\","
                     "\"SIROCCO_EXECUTION_ID\":\"e-1\","
                     "\"SIROCCO_TASK_NAME\":\"t1\"},"
                     "\"got\":{\"x\":[1,\"two\"]}}");
    wrk_result_fini(&r);
}

static void
deadline_is_passed_in_the_environment(void **state)
{
    s_fix_t *f = *state;
    wt_write_file(f->dir, "deadline",
                  "#!/bin/sh\nprintf '%s' \"$SIROCCO_DEADLINE_MS\"\n", 1);
    wrk_result_t r = wt_run(f->reg, "deadline", NULL, NULL, 60000, NULL);
    assert_int_equal(r.status, WRK_SUCCESS);
    assert_true(sr_value_int(r.value) > wrk_now_ms());
    wrk_result_fini(&r);
}

static void
shell_script_echoes_a_large_input_without_deadlock(void **state)
{
    s_fix_t *f = *state;
    wt_write_file(f->dir, "cat", "#!/bin/sh\nexec cat\n", 1);
    size_t n = 60000; // over a pipe buffer, under the 64 KiB output limit
    char *input = malloc(n + 32);
    int len = snprintf(input, n + 32, "{\"blob\": \"");
    memset(input + len, 'x', n - 20);
    strcpy(input + len + n - 20, "\"}");
    wrk_result_t r = wt_run(f->reg, "cat", input, NULL, 10000, NULL);
    assert_int_equal(r.status, WRK_SUCCESS);
    assert_int_equal(sr_value_len(sr_value_map_get(r.value, "blob")), n - 20);
    wrk_result_fini(&r);
    free(input);
}

static void
child_that_reads_no_stdin_while_writing_output_succeeds(void **state)
{
    s_fix_t *f = *state;
    wt_write_file(f->dir, "noread",
                  "#!/usr/bin/python3\n"
                  "import json, sys\n"
                  "sys.stdout.write(json.dumps('y' * 50000))\n",
                  1);
    size_t n = 900 * 1024; // far more than a pipe holds
    char *input = malloc(n + 32);
    int len = snprintf(input, n + 32, "{\"blob\": \"");
    memset(input + len, 'x', n);
    strcpy(input + len + n, "\"}");
    wrk_result_t r = wt_run(f->reg, "noread", input, NULL, 10000, NULL);
    assert_int_equal(r.status, WRK_SUCCESS);
    assert_int_equal(sr_value_len(r.value), 50000);
    wrk_result_fini(&r);
    free(input);
}

static void
empty_stdout_is_null_and_pending_marker_is_pending(void **state)
{
    s_fix_t *f = *state;
    wt_write_file(f->dir, "quiet", "#!/bin/sh\nexit 0\n", 1);
    wt_write_file(f->dir, "later",
                  "#!/bin/sh\necho '{\"sirocco\": \"pending\"}'\n", 1);
    wrk_result_t r = wt_run(f->reg, "quiet", NULL, NULL, 0, NULL);
    wt_assert_result(&r, WRK_SUCCESS, "null");
    wrk_result_fini(&r);
    r = wt_run(f->reg, "later", NULL, NULL, 0, NULL);
    wt_assert_result(&r, WRK_PENDING, "null");
    wrk_result_fini(&r);
}

static void
non_zero_exit_gives_trimmed_stderr(void **state)
{
    s_fix_t *f = *state;
    wt_write_file(f->dir, "broken",
                  "#!/bin/sh\necho '{\"partial\": 1}'\n"
                  "printf '\\n  disk is full  \\n\\n' >&2\nexit 3\n",
                  1);
    wt_write_file(f->dir, "mute", "#!/bin/sh\nexit 4\n", 1);
    wrk_result_t r = wt_run(f->reg, "broken", NULL, NULL, 0, NULL);
    wt_assert_result(&r, WRK_ERROR, "\"disk is full\"");
    wrk_result_fini(&r);
    r = wt_run(f->reg, "mute", NULL, NULL, 0, NULL);
    wt_assert_result(&r, WRK_ERROR, "\"mute: exited with status 4\"");
    wrk_result_fini(&r);
}

static void
long_stderr_is_cut_in_the_message(void **state)
{
    (void)state;
    char text[6000];
    memset(text, 'e', sizeof text);
    sr_value_t *msg = wrk_exec_message(text, sizeof text, 4096);
    assert_int_equal(sr_value_len(msg), 4096 + 3);
    assert_string_equal(sr_value_str(msg) + 4096, "...");
    sr_value_destroy(&msg);
}

static void
invalid_json_on_stdout_is_an_error(void **state)
{
    s_fix_t *f = *state;
    wt_write_file(f->dir, "chatty", "#!/bin/sh\necho hello world\n", 1);
    wrk_result_t r = wt_run(f->reg, "chatty", NULL, NULL, 0, NULL);
    wt_assert_error_has(&r, "chatty: stdout is not JSON");
    wrk_result_fini(&r);
}

static void
timeout_kills_the_whole_process_group(void **state)
{
    s_fix_t *f = *state;
    wt_write_file(f->dir, "slow",
                  "#!/bin/sh\n"
                  "sleep 30 &\n"
                  "echo $! > \"$(dirname \"$0\")/slow.child\"\n"
                  "echo $$ > \"$(dirname \"$0\")/slow.pid\"\n"
                  "wait\n",
                  1);
    int64_t start = wrk_mono_ms();
    wrk_result_t r = wt_run(f->reg, "slow", NULL, NULL, 300, NULL);
    int64_t took = wrk_mono_ms() - start;
    wt_assert_result(&r, WRK_ERROR, "\"slow: timed out\"");
    assert_true(took < 3000);
    s_assert_gone(s_read_pid(f, "slow.pid"));
    s_assert_gone(s_read_pid(f, "slow.child"));
    wrk_result_fini(&r);
}

static void
child_ignoring_sigterm_is_killed_after_the_grace(void **state)
{
    s_fix_t *f = *state;
    wt_write_file(f->dir, "stubborn",
                  "#!/usr/bin/python3\n"
                  "import os, signal, sys, time\n"
                  "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                  "d = os.path.dirname(sys.argv[0])\n"
                  "open(os.path.join(d, 'stubborn.pid'), 'w')"
                  ".write(str(os.getpid()))\n"
                  "time.sleep(30)\n",
                  1);
    wrk_cancel_t *cancel = NULL;
    sr_error_t err;
    assert_int_equal(wrk_cancel_new(&cancel, &err), SR_OK);
    wt_timer_t timer;
    int64_t start = wrk_mono_ms();
    wt_timer_start(&timer, cancel, 300);
    wrk_result_t r = wt_run(f->reg, "stubborn", NULL, NULL, 0, cancel);
    int64_t took = wrk_mono_ms() - start;
    wt_timer_join(&timer);
    wt_assert_result(&r, WRK_ERROR, "\"stubborn: cancelled\"");
    assert_true(took >= 300 && took < 3000);
    s_assert_gone(s_read_pid(f, "stubborn.pid"));
    wrk_result_fini(&r);
    wrk_cancel_destroy(&cancel);
}

static void
worker_default_timeout_bounds_a_call_without_deadline(void **state)
{
    s_fix_t *f = *state;
    wt_write_file(f->dir, "nap", "#!/bin/sh\nexec sleep 30\n", 1);
    wrk_config_t cfg = {.action_dir = f->dir, .default_timeout_ms = 150};
    wrk_registry_t *reg = NULL;
    sr_error_t err;
    assert_int_equal(wrk_registry_new(&cfg, &reg, &err), SR_OK);
    int64_t start = wrk_mono_ms();
    wrk_result_t r = wt_run(reg, "nap", NULL, NULL, 0, NULL);
    assert_true(wrk_mono_ms() - start < 3000);
    wt_assert_result(&r, WRK_ERROR, "\"nap: timed out\"");
    wrk_result_fini(&r);
    wrk_registry_destroy(&reg);
}

static void
oversized_stdout_and_stderr_are_errors(void **state)
{
    s_fix_t *f = *state;
    wt_write_file(f->dir, "flood",
                  "#!/usr/bin/python3\n"
                  "import sys\n"
                  "while True: sys.stdout.write('z' * 4096)\n",
                  1);
    wt_write_file(f->dir, "flood-err", "#!/bin/sh\nyes 'err err err' >&2\n", 1);
    wrk_result_t r = wt_run(f->reg, "flood", NULL, NULL, 10000, NULL);
    wt_assert_result(&r, WRK_ERROR,
                     "\"flood: output exceeds 65536 bytes on stdout\"");
    wrk_result_fini(&r);
    r = wt_run(f->reg, "flood-err", NULL, NULL, 10000, NULL);
    wt_assert_result(&r, WRK_ERROR,
                     "\"flood-err: output exceeds 65536 bytes on stderr\"");
    wrk_result_fini(&r);
}

static void
death_by_signal_is_reported(void **state)
{
    s_fix_t *f = *state;
    wt_write_file(f->dir, "crash", "#!/bin/sh\nkill -SEGV $$\n", 1);
    wrk_result_t r = wt_run(f->reg, "crash", NULL, NULL, 0, NULL);
    wt_assert_error_has(&r, "crash: killed by signal 11");
    wrk_result_fini(&r);
}

static void
names_with_path_tricks_are_refused(void **state)
{
    s_fix_t *f = *state;
    const char *bad[] = {"../slow", "a/b", ".hidden", "..",
                         "x y",     "a;b", "/bin/sh"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wrk_result_t r = wt_run(f->reg, bad[i], NULL, NULL, 0, NULL);
        wt_assert_error_has(&r, "is not allowed");
        wrk_result_fini(&r);
        assert_false(wrk_exec_name_ok(bad[i]));
    }
    assert_true(wrk_exec_name_ok("my-action_2.v1"));
}

static void
missing_or_unusable_files_are_clear_errors(void **state)
{
    s_fix_t *f = *state;
    wt_write_file(f->dir, "plain", "#!/bin/sh\necho 1\n", 0);
    char *sub = s_path(f, "folder");
    assert_int_equal(mkdir(sub, 0755), 0);
    free(sub);
    wt_write_file(f->dir, "badshebang", "#!/no/such/interpreter\n", 1);
    wrk_result_t r = wt_run(f->reg, "nope", NULL, NULL, 0, NULL);
    wt_assert_result(&r, WRK_ERROR, "\"unknown action 'nope'\"");
    wrk_result_fini(&r);
    r = wt_run(f->reg, "plain", NULL, NULL, 0, NULL);
    wt_assert_error_has(&r, "is not executable");
    wrk_result_fini(&r);
    r = wt_run(f->reg, "folder", NULL, NULL, 0, NULL);
    wt_assert_error_has(&r, "is not a regular file");
    wrk_result_fini(&r);
    r = wt_run(f->reg, "badshebang", NULL, NULL, 0, NULL);
    wt_assert_error_has(&r, "badshebang: cannot start");
    wrk_result_fini(&r);
}

static void
names_and_describe_include_custom_actions(void **state)
{
    s_fix_t *f = *state;
    wt_write_file(f->dir, "zeta", "#!/bin/sh\n", 1);
    wt_write_file(f->dir, "alpha.one", "#!/bin/sh\n", 1);
    wt_write_file(f->dir, "std.echo", "#!/bin/sh\n", 1); // hidden by built-in
    wt_write_file(f->dir, "notes.txt", "not an action\n", 0);
    wt_write_file(f->dir, ".secret", "#!/bin/sh\n", 1);
    sr_value_t *names = NULL;
    sr_error_t err;
    assert_int_equal(wrk_registry_names(f->reg, &names, &err), SR_OK);
    char *text = sr_value_to_json(names, SR_JSON_COMPACT);
    assert_string_equal(text, "[\"std.noop\",\"std.echo\",\"std.fail\","
                              "\"std.sleep\",\"std.async_noop\",\"std.http\","
                              "\"alpha.one\",\"zeta\"]");
    free(text);
    sr_value_destroy(&names);
    sr_value_t *d = NULL;
    assert_int_equal(wrk_registry_describe(f->reg, "zeta", &d, &err), SR_OK);
    assert_string_equal(sr_value_map_str(d, "kind"), "executable");
    assert_true(sr_value_is(sr_value_map_get(d, "params"), SR_T_NIL));
    sr_value_destroy(&d);
    assert_int_equal(wrk_registry_describe(f->reg, "../zeta", &d, &err),
                     SR_ENOTFOUND);
    // A built-in wins over a file of the same name.
    wrk_result_t r =
        wt_run(f->reg, "std.echo", "{\"output\": 5}", NULL, 0, NULL);
    wt_assert_result(&r, WRK_SUCCESS, "5");
    wrk_result_fini(&r);
}

typedef struct {
    const wrk_registry_t *reg;
    int index;
    int failures;
} s_worker_t;

// One worker thread: a mix of built-in and custom calls, checked.
static void *
s_worker(void *arg)
{
    s_worker_t *w = arg;
    for (int i = 0; i < 10; i++) {
        char input[64];
        snprintf(input, sizeof input, "{\"output\": %d}", w->index * 100 + i);
        sr_value_t *in = wt_json(input);
        wrk_call_t call = {.action = i % 2 ? "std.echo" : "cat", .input = in};
        wrk_result_t r = {0};
        sr_error_t err;
        if (wrk_registry_run(w->reg, &call, &r, &err) != SR_OK ||
            r.status != WRK_SUCCESS ||
            !sr_value_equal(i % 2 ? sr_value_map_get(in, "output") : in,
                            r.value))
            w->failures++;
        wrk_result_fini(&r);
        sr_value_destroy(&in);
    }
    return NULL;
}

static void
one_registry_serves_several_threads_at_once(void **state)
{
    s_fix_t *f = *state;
    wt_write_file(f->dir, "cat", "#!/bin/sh\nexec cat\n", 1);
    pthread_t threads[4];
    s_worker_t workers[4];
    for (int i = 0; i < 4; i++) {
        workers[i] = (s_worker_t){.reg = f->reg, .index = i};
        assert_int_equal(
            pthread_create(&threads[i], NULL, s_worker, &workers[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(workers[i].failures, 0);
    }
}

static void
no_descriptor_leaks_to_the_child_and_no_zombie_is_left(void **state)
{
    s_fix_t *f = *state;
    wt_write_file(f->dir, "fds",
                  "#!/usr/bin/python3\n"
                  "import json, os, sys\n"
                  "fd = json.load(sys.stdin)['fd']\n"
                  "try:\n"
                  "    os.fstat(fd)\n"
                  "    print('true')\n"
                  "except OSError:\n"
                  "    print('false')\n",
                  1);
    int fd = open("/dev/null", O_RDONLY); // deliberately not close-on-exec
    assert_true(fd > 2);
    char input[64];
    snprintf(input, sizeof input, "{\"fd\": %d}", fd);
    wrk_result_t r = wt_run(f->reg, "fds", input, NULL, 10000, NULL);
    wt_assert_result(&r, WRK_SUCCESS, "false");
    wrk_result_fini(&r);
    close(fd);
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

#define S_TEST(f) cmocka_unit_test_setup_teardown(f, s_setup, s_teardown)

int
main(void)
{
    signal(SIGPIPE, SIG_DFL); // a stray SIGPIPE must not go unnoticed
    const struct CMUnitTest tests[] = {
        S_TEST(python_action_gets_input_and_context),
        S_TEST(deadline_is_passed_in_the_environment),
        S_TEST(shell_script_echoes_a_large_input_without_deadlock),
        S_TEST(child_that_reads_no_stdin_while_writing_output_succeeds),
        S_TEST(empty_stdout_is_null_and_pending_marker_is_pending),
        S_TEST(non_zero_exit_gives_trimmed_stderr),
        S_TEST(long_stderr_is_cut_in_the_message),
        S_TEST(invalid_json_on_stdout_is_an_error),
        S_TEST(timeout_kills_the_whole_process_group),
        S_TEST(child_ignoring_sigterm_is_killed_after_the_grace),
        S_TEST(worker_default_timeout_bounds_a_call_without_deadline),
        S_TEST(oversized_stdout_and_stderr_are_errors),
        S_TEST(death_by_signal_is_reported),
        S_TEST(names_with_path_tricks_are_refused),
        S_TEST(missing_or_unusable_files_are_clear_errors),
        S_TEST(names_and_describe_include_custom_actions),
        S_TEST(one_registry_serves_several_threads_at_once),
        S_TEST(no_descriptor_leaks_to_the_child_and_no_zombie_is_left),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
