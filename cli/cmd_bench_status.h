// What `sirocco bench` reads from the engines' STATUS, taken from every
// engine before and after the run: the CPU time of their processes and
// the messages of their sockets (whose differences, divided by the task
// completions, give CPU and messages per task), their resident memory,
// and the workers they see (names and slots). Engines older than protocol
// 1.7 do not tell CPU, memory or messages: those figures are then left
// out of the report, never guessed.
//
// Thread rule: the main thread.
#ifndef CMD_BENCH_STATUS_H
#define CMD_BENCH_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_value.h"

// The sockets of an engine, as STATUS's `messages` names them.
typedef enum {
    BENCH_SOCK_CLIENT,
    BENCH_SOCK_WORKER,
    BENCH_SOCK_PEERS,
    BENCH_SOCKS
} bench_sock_t;

// One engine's STATUS at one moment.
typedef struct {
    bool answered; // false: no STATUS (the other fields are 0)
    bool has_cpu, has_rss, has_msgs;
    int64_t cpu_us, rss_bytes;
    int64_t received[BENCH_SOCKS], sent[BENCH_SOCKS];
} bench_fig_t;

// Read the figures of one STATUS body (NULL: the engine did not answer).
void bench_fig_read(const sr_value_t *st, bench_fig_t *out);

// Put into `report` what the `n` engines' figures before and after a run
// of `tasks` task completions say, when every engine told them both
// times: `cpu_us_per_task` (with `one_process`, the engines share this
// process, whose CPU, counted once, includes the workers and the client:
// `process_cpu_us_per_task`), `messages_per_task` (every socket, both
// ways) and `messages` (per socket, `received` and `sent` per task), and
// `engine_rss_mb` (the largest engine's, after). SR_ENOMEM only.
sr_err_t bench_fig_report(const bench_fig_t *before, const bench_fig_t *after,
                          size_t n, double tasks, bool one_process,
                          sr_value_t *report);

// The workers the engines' STATUS bodies list (`st`, n of them, NULL for
// an engine that did not answer), each once by name: their number into
// *workers and an array of their slots (owned), or NULL on ENOMEM.
sr_value_t *bench_workers_seen(sr_value_t *const *st, size_t n,
                               size_t *workers);

#endif
