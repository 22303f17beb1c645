// Benchmark of the engine's state side: events applied per second through
// the state machine (core_step) and the LMDB partition (store_state flush +
// commit), with STORE_SYNC and STORE_NOSYNC, one event per write
// transaction or N events per transaction (the group commit of the engine
// loop). The workload is many executions of a linear three-task std.noop
// workflow; the worker is inline: each DISPATCH is answered by a RESULT
// event in a later batch (no CONFIRM round trip). Prints figures; never
// fails on speed.
//
// Usage: bench_engine [--seconds S] [--window W] [--batch N,...]
//                     [--sync|--nosync] [--dir PATH]
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "lang_spec.h"
#include "store_docs.h"
#include "store_part.h"
#include "store_state.h"

static const char *s_yaml = "version: '2.0'\n"
                            "linear3:\n"
                            "  tasks:\n"
                            "    t1:\n"
                            "      action: std.noop\n"
                            "      on-success: t2\n"
                            "    t2:\n"
                            "      action: std.noop\n"
                            "      on-success: t3\n"
                            "    t3:\n"
                            "      action: std.noop\n";

typedef struct {
    double seconds;    // how long new executions are started
    size_t executions; // instead: exactly this many (fixed work, for
                       // instruction counts under callgrind); 0 = by time
    size_t window;     // executions in flight; 0 = 4 x batch, >= 64
    size_t batches[8]; // events per write transaction
    size_t nbatches;
    int durability;  // -1 both, else a store_durability_t
    const char *dir; // parent folder of the partitions
} s_opts_t;

// One pending event: START (exec id) or RESULT (action id, attempt).
typedef struct {
    bool start;
    sr_id_t id;
    uint32_t attempt;
} s_ev_t;

typedef struct {
    s_ev_t *items;
    size_t head, n, cap; // ring
} s_queue_t;

typedef struct {
    store_part_t *part;
    store_docs_t *docs;
    core_t *core;
    core_cmds_t cmds;
    s_queue_t queue;
    size_t in_flight, started, finished, failed, events, results, commits;
    double t_core, t_flush, t_commit; // seconds spent in each phase
} s_engine_t;

static double
s_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
s_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int
s_fail(const char *what, const sr_error_t *err)
{
    fprintf(stderr, "bench_engine: %s: %s\n", what, err->msg);
    return 1;
}

static int
s_push(s_queue_t *q, s_ev_t ev)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 1024;
        s_ev_t *items = malloc(cap * sizeof *items);
        if (!items)
            return 1;
        for (size_t i = 0; i < q->n; i++)
            items[i] = q->items[(q->head + i) % q->cap];
        free(q->items);
        q->items = items;
        q->head = 0;
        q->cap = cap;
    }
    q->items[(q->head + q->n++) % q->cap] = ev;
    return 0;
}

static s_ev_t
s_pop(s_queue_t *q)
{
    s_ev_t ev = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->n--;
    return ev;
}

static int
s_define(s_engine_t *e, sr_error_t *err)
{
    lang_doc_t *doc = NULL;
    lang_diags_t diags = {0};
    sr_err_t rc = lang_doc_parse("bench.yaml", s_yaml, strlen(s_yaml), NULL,
                                 &doc, &diags);
    lang_diags_fini(&diags);
    if (rc)
        return sr_error_set(err, rc, "the benchmark workflow is invalid");
    store_txn_t *txn = NULL;
    rc = store_txn_begin(e->part, true, &txn, err);
    if (!rc && (rc = store_def_put(txn, doc, 0, err)))
        store_txn_abort(&txn);
    if (!rc)
        rc = store_txn_commit(&txn, err);
    if (!rc)
        store_docs_adopt(e->docs, &doc);
    lang_doc_destroy(&doc);
    return rc;
}

// The inline worker and the client: a DISPATCH is answered by a RESULT, a
// finished execution makes room for a new one.
static int
s_after_commit(s_engine_t *e)
{
    for (size_t i = 0; i < e->cmds.count; i++) {
        const core_cmd_t *c = &e->cmds.items[i];
        if (c->kind == CORE_CMD_DISPATCH &&
            s_push(&e->queue,
                   (s_ev_t){.id = c->action_id, .attempt = c->attempt}))
            return 1;
        if (c->kind == CORE_CMD_NOTIFY && !c->is_task && c->is_final) {
            e->in_flight--;
            e->finished++;
            e->failed += strcmp(c->state, "SUCCESS") != 0;
        }
    }
    core_cmds_clear(&e->cmds);
    return 0;
}

// Apply up to `batch` queued events in one write transaction.
static int
s_batch(s_engine_t *e, size_t batch, sr_error_t *err)
{
    store_txn_t *txn = NULL;
    if (store_txn_begin(e->part, true, &txn, err))
        return 1;
    store_state_t *st = store_state_new(txn, e->docs);
    if (!st) {
        store_txn_abort(&txn);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    int64_t now = (int64_t)(s_clock(CLOCK_REALTIME) * 1000.0);
    double t0 = s_clock(CLOCK_MONOTONIC);
    sr_err_t rc = SR_OK;
    for (size_t i = 0; i < batch && e->queue.n && !rc; i++) {
        s_ev_t q = s_pop(&e->queue);
        core_event_t ev = {.now_ms = now, .worker = "bench"};
        if (q.start) {
            ev.kind = CORE_EV_START;
            ev.exec_id = q.id;
            ev.wf_name = "linear3";
        } else {
            ev.kind = CORE_EV_RESULT;
            ev.action_id = q.id;
            ev.attempt = q.attempt;
            ev.status = CORE_RESULT_SUCCESS;
            e->results++;
        }
        rc = core_step(e->core, store_state_core(st), &ev, &e->cmds, err);
        e->events++;
    }
    double t1 = s_clock(CLOCK_MONOTONIC);
    if (!rc)
        rc = store_state_flush(st, err);
    double t2 = s_clock(CLOCK_MONOTONIC);
    store_state_destroy(&st);
    if (rc) {
        store_txn_abort(&txn);
        return 1;
    }
    if (store_txn_commit(&txn, err))
        return 1;
    double t3 = s_clock(CLOCK_MONOTONIC);
    e->t_core += t1 - t0;
    e->t_flush += t2 - t1;
    e->t_commit += t3 - t2;
    e->commits++;
    return s_after_commit(e);
}

static int
s_start_more(s_engine_t *e, size_t window)
{
    int64_t now = (int64_t)(s_clock(CLOCK_REALTIME) * 1000.0);
    while (e->in_flight < window) {
        s_ev_t ev = {.start = true};
        sr_id_make(0, now, &ev.id);
        if (s_push(&e->queue, ev))
            return 1;
        e->in_flight++;
        e->started++;
    }
    return 0;
}

static void
s_engine_fini(s_engine_t *e)
{
    core_cmds_fini(&e->cmds);
    free(e->queue.items);
    core_destroy(&e->core);
    store_docs_destroy(&e->docs);
    store_part_close(&e->part);
}

static int
s_open(s_engine_t *e, const char *dir, store_durability_t d, sr_error_t *err)
{
    memset(e, 0, sizeof *e);
    core_cmds_init(&e->cmds);
    store_opts_t opts = {.durability = d};
    core_config_t cfg = {.max_depth = 16};
    if (store_part_open(dir, 0, &opts, &e->part, err))
        return 1;
    if (!(e->docs = store_docs_new(8)) || !(e->core = core_new(&cfg)))
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    return s_define(e, err);
}

// One configuration: start executions for `seconds`, then drain.
static int
s_run(const s_opts_t *o, store_durability_t d, size_t batch)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/bench-engine-XXXXXX", o->dir);
    if (!mkdtemp(dir)) {
        perror("bench_engine: mkdtemp");
        return 1;
    }
    s_engine_t e;
    sr_error_t err = {0};
    int rc = s_open(&e, dir, d, &err);
    size_t window = o->window ? o->window : batch * 4 > 64 ? batch * 4 : 64;
    double wall0 = s_clock(CLOCK_MONOTONIC), cpu0 = s_cpu();
    while (!rc) {
        bool more = o->executions
                        ? e.started < o->executions
                        : s_clock(CLOCK_MONOTONIC) - wall0 < o->seconds;
        size_t w = window;
        if (o->executions && o->executions - e.started < window - e.in_flight)
            w = e.in_flight + (o->executions - e.started);
        if (more && s_start_more(&e, w))
            rc = sr_error_set(&err, SR_ENOMEM, "out of memory");
        if (!rc && !e.queue.n)
            break;
        if (!rc)
            rc = s_batch(&e, batch, &err);
    }
    double wall = s_clock(CLOCK_MONOTONIC) - wall0, cpu = s_cpu() - cpu0;
    if (!rc && (e.in_flight || e.failed))
        rc = sr_error_set(&err, SR_EINTERNAL,
                          "%zu executions unfinished, %zu not SUCCESS",
                          e.in_flight, e.failed);
    if (rc)
        s_fail(dir, &err);
    else
        printf("%-6s %5zu %7zu %7zu %6.2f %8.0f %8.0f %8.0f %4.0f%% %8.0f "
               "%6.1f %6.1f %6.1f\n",
               d == STORE_SYNC ? "sync" : "nosync", batch, e.finished, e.events,
               wall, e.events / wall, e.results / wall, e.commits / wall,
               100.0 * cpu / wall, e.events / cpu, 1e6 * e.t_core / e.events,
               1e6 * e.t_flush / e.events, 1e6 * e.t_commit / e.events);
    fflush(stdout);
    s_engine_fini(&e);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_engine: cannot remove %s\n", dir);
    return rc;
}

static void
s_machine(int argc, char **argv)
{
    printf("command:");
    for (int i = 0; i < argc; i++)
        printf(" %s", argv[i]);
    char model[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon) {
            snprintf(model, sizeof model, "%s", colon + 2);
            model[strcspn(model, "\n")] = '\0';
            break;
        }
    }
    if (f)
        fclose(f);
    struct utsname u;
    uname(&u);
    printf("\nmachine: %ld CPUs (nproc), %s, %s %s\n",
           sysconf(_SC_NPROCESSORS_ONLN), model, u.sysname, u.release);
    printf("workload: linear 3-task std.noop workflow, results fed back "
           "inline; one event = START or RESULT (a task completion)\n\n");
    printf("%-6s %5s %7s %7s %6s %8s %8s %8s %5s %8s %6s %6s %6s\n", "mode",
           "batch", "execs", "events", "secs", "events/s", "tasks/s",
           "commit/s", "cpu", "ev/cpu-s", "core", "flush", "commit");
    printf("%*s(microseconds per event)\n", 79, "");
}

static int
s_parse(int argc, char **argv, s_opts_t *o)
{
    *o = (s_opts_t){.seconds = 3,
                    .window = 0,
                    .batches = {1, 256},
                    .nbatches = 2,
                    .durability = -1,
                    .dir = "/tmp"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--sync") == 0)
            o->durability = STORE_SYNC;
        else if (strcmp(a, "--nosync") == 0)
            o->durability = STORE_NOSYNC;

        else if (strcmp(a, "--seconds") == 0 && v && (o->seconds = atof(v)) > 0)
            i++;
        else if (strcmp(a, "--executions") == 0 && v &&
                 (o->executions = (size_t)atol(v)) > 0)
            i++;
        else if (strcmp(a, "--window") == 0 && v &&
                 (o->window = (size_t)atol(v)) > 0)
            i++;
        else if (strcmp(a, "--dir") == 0 && v) {
            o->dir = v;
            i++;
        } else if (strcmp(a, "--batch") == 0 && v) {
            o->nbatches = 0;
            for (const char *p = v; *p && o->nbatches < 8;) {
                long n = strtol(p, (char **)&p, 10);
                if (n <= 0)
                    return 1;
                o->batches[o->nbatches++] = (size_t)n;
                p += *p == ',';
            }
            i++;
        } else
            return 1;
    }
    return o->nbatches == 0;
}

int
main(int argc, char **argv)
{
    s_opts_t o;
    if (s_parse(argc, argv, &o)) {
        fprintf(stderr, "usage: bench_engine [--seconds S | --executions N] "
                        "[--window W] [--batch N,...] [--sync|--nosync] "
                        "[--dir PATH]\n");
        return 2;
    }
    s_machine(argc, argv);
    int rc = 0;
    for (int d = STORE_SYNC; d <= STORE_NOSYNC && !rc; d++) {
        if (o.durability >= 0 && d != o.durability)
            continue;
        for (size_t b = 0; b < o.nbatches && !rc; b++)
            rc = s_run(&o, (store_durability_t)d, o.batches[b]);
    }
    return rc;
}
