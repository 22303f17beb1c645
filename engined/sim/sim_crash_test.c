// Crash tests: a child process runs a workflow over a partition with
// STORE_SYNC and is killed with SIGKILL at seeded random points (once or
// twice per run, the second child recovering from the first; the parent
// lets the child take its steps one by one, so the kill lands in the step
// it chose, mid-commit or just after). The parent
// then reopens the partition (sim_open recovers: offered actions are
// offered again, running ones re-delivered, timers still due), runs to the
// end and compares with an uninterrupted run: execution state, output,
// tasks (name, state, state_info, published, result), every action
// execution final, and the same number of them (nothing applied twice).
//
// The partitions live in /dev/shm when it exists (SR_CRASH_DIR overrides):
// a killed process loses nothing the kernel already holds, so what is
// tested is LMDB's commit atomicity and our recovery, and tmpfs keeps the
// fsync of every commit cheap. SR_CRASH_RUNS sets the runs per workflow
// (default 30), SR_CRASH_SEED the first seed; a failure prints the seed
// that reproduces it.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sim_std_runner.h"
#include "sim_test_util.h"
#include "sr_value_json.h"

typedef struct {
    const char *wf;
    const char *input; // JSON or NULL
    const char *yaml;
} s_case_t;

static const s_case_t s_linear = {
    "linear", NULL,
    "version: '2.0'\n"
    "linear:\n"
    "  input:\n"
    "    - name: world\n"
    "  output:\n"
    "    greeting: <% $.greeting %>\n"
    "    size: <% $.size %>\n"
    "  tasks:\n"
    "    hello:\n"
    "      action: std.echo output=\"Hello, <% $.name %>\"\n"
    "      publish: {greeting: <% task().result %>}\n"
    "      on-success: measure\n"
    "    measure:\n"
    "      action: std.echo output=<% len($.greeting) %>\n"
    "      publish: {size: <% task().result %>}\n"
    "      on-success: shout\n"
    "    shout:\n"
    "      action: std.echo output=\"<% $.greeting %>!\" delay=1\n"
    "      publish: {shouted: <% task().result %>}\n"};

static const s_case_t s_items_retry = {
    "items_retry",
    "{\"xs\": [{\"a\": \"std.echo\", \"in\": {\"output\": 1}},"
    "          {\"a\": \"std.echo\", \"in\": {\"output\": 2, \"delay\": 1}},"
    "          {\"a\": \"std.fail\", \"in\": {\"error_data\": \"no\"}},"
    "          {\"a\": \"std.echo\", \"in\": {\"output\": 4}}]}",
    "version: '2.0'\n"
    "items_retry:\n"
    "  input:\n"
    "    - xs\n"
    "  tasks:\n"
    "    each:\n"
    "      with-items: x in <% $.xs %>\n"
    "      concurrency: 2\n"
    "      action: <% $.x.a %>\n"
    "      input: <% $.x.in %>\n"
    "      retry:\n"
    "        count: 2\n"
    "        delay: 1\n"
    "      publish-on-error: {partial: <% task().result %>}\n"
    "      on-error: cleanup\n"
    "    cleanup:\n"
    "      action: std.echo output=<% $.partial %>\n"
    "      publish: {seen: <% task().result %>}\n"};

static const s_case_t s_parallel = {
    "parallel_join", NULL,
    "version: '2.0'\n"
    "parallel_join:\n"
    "  tasks:\n"
    "    a:\n"
    "      action: std.echo output=\"a\" delay=1\n"
    "      publish: {a: <% task().result %>}\n"
    "      on-success: joined\n"
    "    b:\n"
    "      action: std.echo output=\"b\" delay=2\n"
    "      publish: {b: <% task().result %>}\n"
    "      on-success: joined\n"
    "    c:\n"
    "      action: std.echo output=\"c\"\n"
    "      publish: {c: <% task().result %>}\n"
    "      on-success: [joined, solo]\n"
    "    joined:\n"
    "      join: all\n"
    "      action: std.echo output=<% $.a + $.b + $.c %>\n"
    "      publish: {abc: <% task().result %>}\n"
    "    solo:\n"
    "      action: std.noop\n"};

static const s_case_t s_subflow = {
    "subflow", NULL,
    "version: '2.0'\n"
    "subflow:\n"
    "  tasks:\n"
    "    fan:\n"
    "      with-items: n in [1, 2, 3]\n"
    "      concurrency: 2\n"
    "      workflow: child\n"
    "      input: {n: <% $.n %>}\n"
    "      publish: {outs: <% task().result %>}\n"
    "child:\n"
    "  input:\n"
    "    - n\n"
    "  output: {sq: <% $.sq %>}\n"
    "  tasks:\n"
    "    square:\n"
    "      action: std.echo output=<% $.n * $.n %> delay=1\n"
    "      publish: {sq: <% task().result %>}\n"
    "      on-success: check\n"
    "    check:\n"
    "      action: std.noop\n"};

static const s_case_t s_timers = {
    "timers", NULL,
    "version: '2.0'\n"
    "timers:\n"
    "  tasks:\n"
    "    first:\n"
    "      action: std.echo output=1\n"
    "      wait-before: 2\n"
    "      publish: {one: <% task().result %>}\n"
    "      on-success: second\n"
    "    second:\n"
    "      action: std.sleep seconds=1\n"
    "      wait-after: 1\n"
    "      timeout: 10\n"
    "      on-success: third\n"
    "    third:\n"
    "      action: std.echo output=<% $.one + 2 %>\n"
    "      publish: {three: <% task().result %>}\n"};

static uint64_t
s_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int
s_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
s_json(const sr_value_t *v)
{
    return v ? sr_value_to_json(v, SR_JSON_SORT_KEYS) : strdup("-");
}

// A canonical text of the execution: what must not depend on crashes.
static char *
s_snapshot(sim_t *sim, const sr_id_t *id)
{
    sr_error_t err;
    core_exec_t *e = NULL;
    core_task_t **tasks = NULL;
    core_action_t **actions = NULL;
    size_t nt = 0, na = 0;
    assert_int_equal(sim_exec(sim, id, &e, &err), SR_OK);
    assert_int_equal(sim_tasks(sim, id, &tasks, &nt, &err), SR_OK);
    assert_int_equal(sim_actions(sim, &actions, &na, &err), SR_OK);
    char **lines = calloc(nt + 1, sizeof *lines);
    assert_non_null(lines);
    for (size_t i = 0; i < nt; i++) {
        char *pub = s_json(tasks[i]->published),
             *res = s_json(tasks[i]->result);
        size_t len = strlen(pub) + strlen(res) + 512;
        lines[i] = malloc(len);
        snprintf(lines[i], len, "  %s %s [%s] %s %s\n", tasks[i]->name,
                 core_task_state_name(tasks[i]->state),
                 tasks[i]->state_info ? tasks[i]->state_info : "", pub, res);
        free(pub);
        free(res);
    }
    qsort(lines, nt, sizeof *lines, s_cmp);
    size_t counts[CORE_A_CANCELLED + 1] = {0};
    for (size_t i = 0; i < na; i++)
        counts[actions[i]->state]++;
    char *out = s_json(e->output);
    size_t size = strlen(out) + 1024;
    for (size_t i = 0; i < nt; i++)
        size += strlen(lines[i]);
    char *text = malloc(size);
    int n = snprintf(text, size,
                     "%s [%s] %s\nactions %zu: scheduled %zu running %zu "
                     "pending %zu success %zu error %zu cancelled %zu\n",
                     core_ex_state_name(e->state),
                     e->state_info ? e->state_info : "", out, na,
                     counts[CORE_A_SCHEDULED], counts[CORE_A_RUNNING],
                     counts[CORE_A_PENDING], counts[CORE_A_SUCCESS],
                     counts[CORE_A_ERROR], counts[CORE_A_CANCELLED]);
    for (size_t i = 0; i < nt; i++) {
        n += snprintf(text + n, size - (size_t)n, "%s", lines[i]);
        free(lines[i]);
    }
    free(lines);
    free(out);
    sim_tasks_free(tasks, nt);
    sim_actions_free(actions, na);
    core_exec_destroy(&e);
    return text;
}

// The uninterrupted run: its snapshot and the number of steps it took
// (as the child takes them: one sim_run_some of one event at a time).
static char *
s_reference(const s_case_t *c, size_t *steps)
{
    t_sim_t t;
    t_open(&t);
    t_define(&t, c->yaml);
    t_start(&t, c->wf, c->input, NULL);
    for (*steps = 1; !t_step(&t, 1); ++*steps)
        ;
    char *snap = s_snapshot(t.sim, &t.id);
    t_close(&t);
    return snap;
}

static void
s_write(int fd, const void *buf, size_t len)
{
    if (write(fd, buf, len) != (ssize_t)len)
        _exit(5);
}

// The child: (start and) run one event at a time, each when the parent
// allows it (a byte on `go`), telling the parent after each committed
// step. Never returns.
static void
s_child(const char *dir, const s_case_t *c, bool start, int go, int fd)
{
    sim_t *sim = NULL;
    sim_runner_t runner;
    sr_error_t err;
    if (sim_std_runner_init(&runner, &err) ||
        sim_open(dir, STORE_SYNC, &runner, &sim, &err))
        _exit(3);
    if (start) {
        lang_diags_t diags = {0};
        sr_value_t *input = NULL;
        sr_id_t id;
        if (c->input &&
            sr_value_from_json(c->input, strlen(c->input), NULL, &input, &err))
            _exit(4);
        if (sim_define(sim, "crash.yaml", c->yaml, strlen(c->yaml), &diags,
                       &err) ||
            sim_start(sim, c->wf, input, NULL, NULL, &id, &err))
            _exit(4);
        s_write(fd, id.b, 16);
    }
    for (bool idle = false; !idle;) {
        char b;
        if (read(go, &b, 1) != 1)
            _exit(7);
        if (sim_run_some(sim, 1, &idle, &err))
            _exit(6);
        s_write(fd, "e", 1);
    }
    sim_close(&sim);
    sim_std_runner_fini(&runner);
    _exit(0);
}

static const char *
s_base_dir(void)
{
    const char *dir = getenv("SR_CRASH_DIR");
    if (dir)
        return dir;
    return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

// Run a child over `dir` and kill it during its step `steps + 1`: the
// parent allows that many steps, waits for the first `steps`, then kills
// after `usec` more microseconds (mid-commit or just after; the child may
// also have finished). The first child reports the id. Returns whether the
// kill interrupted it.
static bool
s_crash(const char *dir, const s_case_t *c, bool start, size_t steps, long usec,
        sr_id_t *id)
{
    int fds[2], go[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(pipe(go), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        close(go[1]);
        s_child(dir, c, start, go[0], fds[1]);
    }
    close(fds[1]);
    close(go[0]);
    for (size_t i = 0; i <= steps; i++) // the pipe holds them all
        assert_int_equal(write(go[1], "g", 1), 1);
    if (start) {
        size_t got = 0;
        while (got < 16) {
            ssize_t n = read(fds[0], id->b + got, 16 - got);
            if (n <= 0 && errno != EINTR)
                break;
            got += n > 0 ? (size_t)n : 0;
        }
        if (got < 16) {
            int status = 0;
            waitpid(pid, &status, 0);
            fail_msg("the child could not start %s (status %d)", c->wf, status);
        }
    }
    char b;
    for (size_t i = 0; i < steps && read(fds[0], &b, 1) == 1; i++)
        ;
    struct timespec ts = {0, usec * 1000};
    nanosleep(&ts, NULL);
    kill(pid, SIGKILL); // only the child forked here; harmless if it ended
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    close(fds[0]);
    close(go[1]);
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        fail_msg("the child failed running %s (exit %d)", c->wf,
                 WEXITSTATUS(status));
    return WIFSIGNALED(status);
}

static void
s_crash_case(const s_case_t *c)
{
    size_t ref_steps = 0;
    char *want = s_reference(c, &ref_steps);
    const char *env = getenv("SR_CRASH_RUNS");
    int runs = env ? atoi(env) : 30;
    env = getenv("SR_CRASH_SEED");
    uint64_t seed0 = env ? strtoull(env, NULL, 10) : 1;
    int killed = 0;
    for (int run = 0; run < runs; run++) {
        uint64_t seed = seed0 + (uint64_t)run, rng = seed * 2654435761u + 1;
        char dir[256];
        snprintf(dir, sizeof dir, "%s/sr-crash-XXXXXX", s_base_dir());
        assert_non_null(mkdtemp(dir));
        sr_id_t id;
        int crashes = 1 + (int)(s_rand(&rng) % 2);
        for (int k = 0; k < crashes; k++)
            killed += s_crash(dir, c, k == 0, s_rand(&rng) % ref_steps,
                              (long)(s_rand(&rng) % 150), &id);
        sim_t *sim = NULL;
        sim_runner_t runner;
        sr_error_t err;
        assert_int_equal(sim_std_runner_init(&runner, &err), SR_OK);
        assert_int_equal(sim_open(dir, STORE_NOSYNC, &runner, &sim, &err),
                         SR_OK);
        if (sim_run(sim, 100000, &err))
            fail_msg("%s seed %llu: finishing failed: %s", c->wf,
                     (unsigned long long)seed, err.msg);
        char *got = s_snapshot(sim, &id);
        size_t queued = 99;
        assert_int_equal(sim_queue_count(sim, &queued, &err), SR_OK);
        sim_close(&sim);
        sim_std_runner_fini(&runner);
        if (queued != 0)
            fail_msg("%s seed %llu: %zu dispatch queue entries left at the end",
                     c->wf, (unsigned long long)seed, queued);
        if (strcmp(got, want) != 0) {
            print_error("%s, seed %llu (%d crashes):\n--- got\n%s--- want\n%s",
                        c->wf, (unsigned long long)seed, crashes, got, want);
            fail_msg("%s differs after a crash", c->wf);
        }
        free(got);
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
    }
    free(want);
    printf("%s: %d runs, %d children killed before the end\n", c->wf, runs,
           killed);
    // Most kills must land while the workflow runs, or this tests little.
    assert_true(killed >= runs / 2);
}

static void
test_a_linear_workflow_survives_crashes(void **state)
{
    (void)state;
    s_crash_case(&s_linear);
}

static void
test_with_items_and_retry_survive_crashes(void **state)
{
    (void)state;
    s_crash_case(&s_items_retry);
}

static void
test_parallel_branches_and_a_join_survive_crashes(void **state)
{
    (void)state;
    s_crash_case(&s_parallel);
}

static void
test_sub_workflows_survive_crashes(void **state)
{
    (void)state;
    s_crash_case(&s_subflow);
}

static void
test_timers_survive_crashes(void **state)
{
    (void)state;
    s_crash_case(&s_timers);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_linear_workflow_survives_crashes),
        cmocka_unit_test(test_with_items_and_retry_survive_crashes),
        cmocka_unit_test(test_parallel_branches_and_a_join_survive_crashes),
        cmocka_unit_test(test_sub_workflows_survive_crashes),
        cmocka_unit_test(test_timers_survive_crashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
