// The engines' STATUS figures of `sirocco bench` (see cmd_bench_status.h):
// read from STATUS bodies, and turned into per-task figures. Owns
// nothing between calls; asks no engine (cmd_bench.c does).
#include "cmd_bench_status.h"

#include <string.h>

static const struct {
    const char *name;     // in the report
    const char *received; // STATUS `messages` field names
    const char *sent;
} s_socks[BENCH_SOCKS] = {
    [BENCH_SOCK_CLIENT] = {"client", "client_received", "client_sent"},
    [BENCH_SOCK_WORKER] = {"worker", "worker_received", "worker_sent"},
    [BENCH_SOCK_PEERS] = {"peers", "peers_received", "peers_sent"},
};

void
bench_fig_read(const sr_value_t *st, bench_fig_t *out)
{
    memset(out, 0, sizeof *out);
    if (!st)
        return;
    out->answered = true;
    out->has_cpu = sr_value_map_int(st, "cpu_us", &out->cpu_us);
    out->has_rss = sr_value_map_int(st, "rss_bytes", &out->rss_bytes);
    const sr_value_t *m = sr_value_map_get(st, "messages");
    out->has_msgs = m != NULL;
    for (size_t k = 0; k < BENCH_SOCKS; k++)
        out->has_msgs &=
            sr_value_map_int(m, s_socks[k].received, &out->received[k]) &&
            sr_value_map_int(m, s_socks[k].sent, &out->sent[k]);
}

static sr_value_t *
s_pair(double received, double sent)
{
    sr_value_t *p = sr_value_new_map(2);
    if (p && (sr_value_map_put(p, "received", sr_value_new_float(received)) ||
              sr_value_map_put(p, "sent", sr_value_new_float(sent))))
        sr_value_destroy(&p);
    return p;
}

// Messages per task: all of them, and per socket and way.
static sr_err_t
s_messages(const bench_fig_t *before, const bench_fig_t *after, size_t n,
           double tasks, sr_value_t *report)
{
    double in[BENCH_SOCKS] = {0}, out[BENCH_SOCKS] = {0}, all = 0;
    for (size_t e = 0; e < n; e++)
        for (size_t k = 0; k < BENCH_SOCKS; k++) {
            in[k] += (double)(after[e].received[k] - before[e].received[k]);
            out[k] += (double)(after[e].sent[k] - before[e].sent[k]);
        }
    sr_value_t *socks = sr_value_new_map(BENCH_SOCKS);
    for (size_t k = 0; socks && k < BENCH_SOCKS; k++) {
        all += in[k] + out[k];
        if (sr_value_map_put(socks, s_socks[k].name,
                             s_pair(in[k] / tasks, out[k] / tasks)))
            sr_value_destroy(&socks);
    }
    if (!socks)
        return SR_ENOMEM;
    sr_err_t rc = sr_value_map_put(report, "messages_per_task",
                                   sr_value_new_float(all / tasks));
    if (rc)
        sr_value_destroy(&socks);
    else
        rc = sr_value_map_put(report, "messages", socks);
    return rc;
}

sr_err_t
bench_fig_report(const bench_fig_t *before, const bench_fig_t *after, size_t n,
                 double tasks, bool one_process, sr_value_t *report)
{
    bool cpu = n > 0 && tasks > 0, rss = n > 0, msgs = n > 0 && tasks > 0;
    double cpu_us = 0, rss_max = 0;
    for (size_t e = 0; e < n; e++) {
        cpu &= before[e].has_cpu && after[e].has_cpu;
        rss &= after[e].has_rss;
        msgs &= before[e].has_msgs && after[e].has_msgs;
        // One process: each engine tells the same process's time.
        if (!one_process || e == 0)
            cpu_us += (double)(after[e].cpu_us - before[e].cpu_us);
        double mb = (double)after[e].rss_bytes / 1048576.0;
        rss_max = mb > rss_max ? mb : rss_max;
    }
    sr_err_t rc = SR_OK;
    if (cpu)
        rc = sr_value_map_put(
            report, one_process ? "process_cpu_us_per_task" : "cpu_us_per_task",
            sr_value_new_float(cpu_us / tasks));
    if (!rc && msgs)
        rc = s_messages(before, after, n, tasks, report);
    if (!rc && rss && !one_process)
        rc = sr_value_map_put(report, "engine_rss_mb",
                              sr_value_new_float(rss_max));
    return rc;
}

sr_value_t *
bench_workers_seen(sr_value_t *const *st, size_t n, size_t *workers)
{
    sr_value_t *names = sr_value_new_map(8), *slots = sr_value_new_array(8);
    for (size_t e = 0; names && slots && e < n; e++) {
        const sr_value_t *list = sr_value_map_get(st[e], "workers");
        for (size_t i = 0; i < sr_value_len(list); i++) {
            const sr_value_t *w = sr_value_array_at(list, i);
            const char *name = sr_value_map_str(w, "name");
            int64_t s = 0;
            if (!name || sr_value_map_has(names, name) ||
                !sr_value_map_int(w, "slots", &s))
                continue;
            if (sr_value_map_put(names, name, sr_value_new_nil()) ||
                sr_value_array_append(slots, sr_value_new_int(s)))
                sr_value_destroy(&slots);
            if (!slots)
                break;
        }
    }
    if (names && slots)
        *workers = sr_value_len(names);
    else
        sr_value_destroy(&slots);
    sr_value_destroy(&names);
    return slots;
}
