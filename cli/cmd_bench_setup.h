// What `sirocco bench` measures against: its options, the engines it
// starts in this process (or the running ones it is given), the built-in
// workflows, memory readings, and the waiting-executions run.
#ifndef CMD_BENCH_SETUP_H
#define CMD_BENCH_SETUP_H

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>

#include "sr_curve.h"
#include "sr_value.h"

typedef struct {
    const char *workflow; // linear3, fanout10, wait, or a file
    size_t executions, engines, workers, slots, window;
    const char *cluster; // client endpoints or a cluster file, or NULL
    bool nosync, json;
} bench_opts_t;

#define BENCH_MAX_ENGINES 16
#define BENCH_MAX_WORKERS 16

typedef struct {
    char *definition;     // YAML
    const char *workflow; // name to start
    size_t tasks_per_exec;
    bool waiting; // the delegate workflow (memory run)
    char *endpoints[BENCH_MAX_ENGINES];
    size_t nendpoints;
    void *engines[BENCH_MAX_ENGINES]; // eng_t, embedded mode
    void *nodes[BENCH_MAX_WORKERS];   // wrk_node_t
    void *registry;                   // wrk_registry_t
    char data[4096];                  // temporary data folder, or ""
    sr_curve_t *curve; // --cluster: keys of $SIROCCO_CURVE_*; NULL = none
} bench_env_t;

int bench_parse(int argc, char **argv, bench_opts_t *o);
int bench_env_start(const bench_opts_t *o, bench_env_t *env);
void bench_env_stop(bench_env_t *env);
// The run's settings as the report prints them; `slots` (borrowed) are
// those of the workers the engines see (NULL: unknown; embedded, the
// workers this process starts; with --cluster, workers and slots are
// then left out).
sr_value_t *bench_settings(const bench_opts_t *o, const bench_env_t *env,
                           const sr_value_t *slots);
// Resident memory of this process (embedded engines), MiB; -1 when the
// engines are elsewhere (--cluster: their STATUS tells theirs).
double bench_rss_mb(const bench_env_t *env);
// Start executions that wait on a delegate forever and report the memory
// they cost (one JSON object).
int bench_wait_run(const bench_opts_t *o, bench_env_t *env, zsock_t **socks,
                   size_t nsocks);

#endif
