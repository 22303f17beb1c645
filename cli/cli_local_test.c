// Tests of the local cluster's record and processes: cluster.json written
// and read back, the cluster.yaml it writes accepted by the engines'
// reader, bad records refused naming the key; daemons spawned with their
// output in a log, told apart from a later process by their start time,
// stopped by SIGTERM or, when they ignore it, SIGKILL.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_local.h"
#include "cli_proc.h"
#include "eng_cluster.h"

static char s_dir[64];

static int
s_setup(void **state)
{
    (void)state;
    snprintf(s_dir, sizeof s_dir, "/tmp/sirocco-local-XXXXXX");
    return mkdtemp(s_dir) ? 0 : -1;
}

static int
s_teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    return system(cmd) == 0 ? 0 : -1;
}

// A record of two engines (partitions 0-2 and 3-4) and one worker.
static void
s_record(cli_local_t *l)
{
    memset(l, 0, sizeof *l);
    l->dir = strdup(s_dir);
    l->partitions = 5;
    const char *names[] = {"e1", "e2", "w1"};
    for (size_t i = 0; i < 3; i++) {
        cli_local_proc_t *p = &l->procs[l->nprocs++];
        p->role = i < 2 ? CLI_LOCAL_ENGINE : CLI_LOCAL_WORKER;
        p->name = strdup(names[i]);
        p->pid = 100 + (pid_t)i;
        p->start_ticks = 7000 + i;
        char text[128];
        snprintf(text, sizeof text, "%s/logs/%s.log", s_dir, names[i]);
        p->log = strdup(text);
        if (i < 2) {
            snprintf(text, sizeof text, "tcp://127.0.0.1:%zu", 7100 + 2 * i);
            p->client = strdup(text);
            snprintf(text, sizeof text, "tcp://127.0.0.1:%zu", 7101 + 2 * i);
            p->worker = strdup(text);
            p->nparts = i == 0 ? 3 : 2;
            p->parts = calloc(p->nparts, sizeof *p->parts);
            for (size_t k = 0; k < p->nparts; k++)
                p->parts[k] = (uint16_t)((i == 0 ? 0 : 3) + k);
        }
        const char *argv[] = {"/bin/prog", "--name", names[i], NULL};
        assert_int_equal(cli_local_set_argv(p, argv, NULL), SR_OK);
    }
}

static void
s_write(const char *name, const char *text)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", s_dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void
a_record_is_saved_and_read_back(void **state)
{
    (void)state;
    cli_local_t l, back;
    s_record(&l);
    sr_error_t err;
    assert_int_equal(cli_local_save(&l, &err), SR_OK);
    assert_int_equal(cli_local_load(s_dir, &back, &err), SR_OK);
    assert_int_equal(back.partitions, 5);
    assert_int_equal(back.nprocs, 3);
    assert_int_equal(cli_local_count(&back, CLI_LOCAL_ENGINE), 2);
    const cli_local_proc_t *e2 = &back.procs[1], *w1 = &back.procs[2];
    assert_string_equal(e2->name, "e2");
    assert_int_equal(e2->pid, 101);
    assert_int_equal(e2->start_ticks, 7001);
    assert_string_equal(e2->client, "tcp://127.0.0.1:7102");
    assert_int_equal(e2->parts[0], 3);
    assert_int_equal(e2->parts[1], 4);
    assert_int_equal(e2->nparts, 2);
    assert_int_equal(w1->role, CLI_LOCAL_WORKER);
    assert_null(w1->client);
    assert_int_equal(w1->argc, 3);
    assert_string_equal(w1->argv[2], "w1");
    assert_null(w1->argv[3]);
    char *eps = cli_local_endpoints(&back);
    assert_string_equal(eps, "tcp://127.0.0.1:7100,tcp://127.0.0.1:7102");
    free(eps);
    assert_null(cli_local_gateway(&back));
    cli_local_fini(&back);
    cli_local_fini(&l);
}

static void
a_gateway_is_saved_and_read_back(void **state)
{
    (void)state;
    cli_local_t l, back;
    s_record(&l);
    cli_local_proc_t *g = &l.procs[l.nprocs++];
    g->role = CLI_LOCAL_GATEWAY;
    g->name = strdup("g1");
    g->pid = 200;
    g->log = strdup("/tmp/g1.log");
    g->listen = strdup("127.0.0.1:8989");
    const char *argv[] = {"/bin/gw", "--listen", "127.0.0.1:8989", NULL};
    assert_int_equal(cli_local_set_argv(g, argv, NULL), SR_OK);
    sr_error_t err;
    assert_int_equal(cli_local_save(&l, &err), SR_OK);
    assert_int_equal(cli_local_load(s_dir, &back, &err), SR_OK);
    const cli_local_proc_t *gw = cli_local_gateway(&back);
    assert_non_null(gw);
    assert_string_equal(gw->name, "g1");
    assert_string_equal(gw->listen, "127.0.0.1:8989");
    assert_string_equal(cli_local_role_name(gw->role), "gateway");
    assert_int_equal(cli_local_count(&back, CLI_LOCAL_WORKER), 1);
    char *eps = cli_local_endpoints(&back); // engines only
    assert_string_equal(eps, "tcp://127.0.0.1:7100,tcp://127.0.0.1:7102");
    free(eps);
    cli_local_fini(&back);
    cli_local_fini(&l);
}

static void
the_cluster_file_written_is_one_the_engines_accept(void **state)
{
    (void)state;
    cli_local_t l;
    s_record(&l);
    sr_error_t err;
    assert_int_equal(cli_local_write_cluster_file(&l, &err), SR_OK);
    char path[128];
    snprintf(path, sizeof path, "%s/%s", s_dir, CLI_LOCAL_CLUSTER_FILE);
    eng_cluster_t c;
    if (eng_cluster_load(path, &c, &err) != SR_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(c.total, 5);
    assert_int_equal(c.nengines, 2);
    assert_string_equal(c.engines[1].name, "e2");
    assert_string_equal(c.engines[1].worker, "tcp://127.0.0.1:7103");
    assert_int_equal(c.engines[1].npartitions, 2);
    assert_int_equal(c.engines[1].partitions[0], 3);
    eng_cluster_fini(&c);
    cli_local_fini(&l);
}

static void
bad_records_are_refused_naming_the_key(void **state)
{
    (void)state;
    cli_local_t l;
    sr_error_t err;
    assert_int_equal(cli_local_load(s_dir, &l, &err), SR_ENOTFOUND);
    cli_local_fini(&l);
    static const struct {
        const char *text, *part;
    } cases[] = {
        {"{", "cluster.json"},
        {"[]", "partitions"},
        {"{\"partitions\": 2}", "processes"},
        {"{\"partitions\": 2, \"processes\": [{\"role\": \"boss\"}]}",
         "processes[0]: role"},
        {"{\"partitions\": 2, \"processes\": [{\"role\": \"worker\", "
         "\"name\": \"w\", \"log\": \"l\", \"pid\": 1, \"start_ticks\": 1, "
         "\"argv\": [1]}]}",
         "argv[0]"},
        {"{\"partitions\": 2, \"processes\": [{\"role\": \"engine\", "
         "\"name\": \"e\", \"log\": \"l\", \"pid\": 1, \"start_ticks\": 1, "
         "\"argv\": [\"x\"]}]}",
         "endpoints.client"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        s_write(CLI_LOCAL_RECORD, cases[i].text);
        assert_int_equal(cli_local_load(s_dir, &l, &err), SR_EINVAL);
        if (!strstr(err.msg, cases[i].part))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].part);
        cli_local_fini(&l);
    }
}

// Wait up to 5 s for a line in a file.
static bool
s_file_has(const char *path, const char *text)
{
    for (int i = 0; i < 500; i++) {
        char buf[256] = "";
        FILE *f = fopen(path, "r");
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f)
            fclose(f);
        buf[n] = '\0';
        if (strstr(buf, text))
            return true;
        usleep(10000);
    }
    return false;
}

static void
a_daemon_logs_to_its_file_and_stops_on_sigterm(void **state)
{
    (void)state;
    char log[128];
    snprintf(log, sizeof log, "%s/d.log", s_dir);
    char *argv[] = {"/bin/sh", "-c", "echo started; exec sleep 30", NULL};
    pid_t pid = 0;
    sr_error_t err;
    assert_int_equal(cli_proc_spawn(argv, log, &pid, &err), SR_OK);
    uint64_t ticks = cli_proc_start_ticks(pid);
    assert_true(ticks > 0);
    assert_true(cli_proc_is_alive(pid, ticks));
    assert_false(cli_proc_is_alive(pid, ticks + 1)); // another process
    assert_true(s_file_has(log, "started"));
    bool killed = true;
    assert_int_equal(cli_proc_stop(&pid, &ticks, 1, 5000, &killed), 1);
    assert_false(killed);
    assert_false(cli_proc_is_alive(pid, ticks));
    // Stopping again signals nothing.
    assert_int_equal(cli_proc_stop(&pid, &ticks, 1, 100, NULL), 0);
}

static void
a_daemon_that_ignores_sigterm_gets_sigkill(void **state)
{
    (void)state;
    char log[128];
    snprintf(log, sizeof log, "%s/stubborn.log", s_dir);
    char *argv[] = {"/bin/sh", "-c",
                    "trap '' TERM; echo ready; while :; do sleep 1; done",
                    NULL};
    pid_t pid = 0;
    sr_error_t err;
    assert_int_equal(cli_proc_spawn(argv, log, &pid, &err), SR_OK);
    assert_true(s_file_has(log, "ready"));
    bool killed = false;
    assert_int_equal(cli_proc_stop(&pid, NULL, 1, 200, &killed), 1);
    assert_true(killed);
    assert_false(cli_proc_is_alive(pid, 0));
}

static void
a_program_that_cannot_run_is_an_error_naming_it(void **state)
{
    (void)state;
    char log[128];
    snprintf(log, sizeof log, "%s/x.log", s_dir);
    char *argv[] = {"/nonexistent/sirocco-engined", NULL};
    pid_t pid = 0;
    sr_error_t err;
    assert_int_equal(cli_proc_spawn(argv, log, &pid, &err), SR_EIO);
    assert_int_equal(pid, 0);
    assert_non_null(strstr(err.msg, "cannot run /nonexistent/sirocco-engined"));
    char bad_log[128];
    snprintf(bad_log, sizeof bad_log, "%s/no/such/dir/x.log", s_dir);
    assert_int_equal(cli_proc_spawn(argv, bad_log, &pid, &err), SR_EIO);
    assert_non_null(strstr(err.msg, "no/such/dir"));
    assert_false(cli_proc_is_alive(0, 0));
    char dir[PATH_MAX];
    assert_int_equal(cli_proc_self_dir(dir, sizeof dir, &err), SR_OK);
    assert_non_null(strstr(dir, "tests"));
}

#define S_TEST(f) cmocka_unit_test_setup_teardown(f, s_setup, s_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        S_TEST(a_record_is_saved_and_read_back),
        S_TEST(a_gateway_is_saved_and_read_back),
        S_TEST(the_cluster_file_written_is_one_the_engines_accept),
        S_TEST(bad_records_are_refused_naming_the_key),
        S_TEST(a_daemon_logs_to_its_file_and_stops_on_sigterm),
        S_TEST(a_daemon_that_ignores_sigterm_gets_sigkill),
        S_TEST(a_program_that_cannot_run_is_an_error_naming_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
