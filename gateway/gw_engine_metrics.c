// The engines' STATUS figures as Prometheus text (see
// gw_engine_metrics.h): one table of families, each a number field of
// STATUS or of its `raft` object, computed by a getter (one sample an
// engine), or written by a function (several samples an engine, or the
// engine_up sample of an engine that did not answer).
#include "gw_engine_metrics.h"

#include <stdbool.h>
#include <stdint.h>

#include "sr_body.h"

// A label value with '\', '"' and newlines escaped.
static void
s_label(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            fputc('\\', out);
        if (*s == '\n')
            fputs("\\n", out);
        else
            fputc(*s, out);
    }
}

static void
s_family(FILE *out, const char *name, const char *type, const char *help)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

// `name{engine="ep"EXTRA} v`; `extra` is ",key=\"value\"..." or NULL.
static void
s_sample(FILE *out, const char *name, const char *ep, const char *extra,
         double v)
{
    fprintf(out, "%s{engine=\"", name);
    s_label(out, ep);
    fprintf(out, "\"%s} %.17g\n", extra ? extra : "", v);
}

// --- one sample an engine, computed

// Sum of field `f` over the STATUS's workers.
static double
s_workers_sum(const sr_value_t *st, sr_bfield_t f)
{
    const sr_value_t *workers = sr_body_get(st, SR_B_STATUS_workers);
    double sum = 0;
    for (size_t i = 0; i < sr_value_len(workers); i++)
        sum += sr_body_float(sr_value_array_at(workers, i), f, 0);
    return sum;
}

static double
s_partitions(const sr_value_t *st)
{
    return (double)sr_value_len(sr_body_get(st, SR_B_STATUS_partitions));
}

static double
s_workers(const sr_value_t *st)
{
    return (double)sr_value_len(sr_body_get(st, SR_B_STATUS_workers));
}

static double
s_slots(const sr_value_t *st)
{
    return s_workers_sum(st, SR_B_WORKER_slots);
}

static double
s_used(const sr_value_t *st)
{
    return s_workers_sum(st, SR_B_WORKER_used);
}

// --- several samples an engine: writers (st NULL: it did not answer)

static void
s_put_up(FILE *out, const char *name, const char *ep, const sr_value_t *st)
{
    s_sample(out, name, ep, NULL, st ? 1 : 0);
}

// The median and 99th percentile of LATENCY `lat`, ms, divided by `per`
// (1000: in seconds); none before the first sample.
static void
s_quantiles(FILE *out, const char *name, const char *ep, const sr_value_t *lat,
            double per)
{
    if (sr_body_float(lat, SR_B_LATENCY_samples, 0) <= 0)
        return;
    s_sample(out, name, ep, ",quantile=\"0.5\"",
             sr_body_float(lat, SR_B_LATENCY_p50, 0) / per);
    s_sample(out, name, ep, ",quantile=\"0.99\"",
             sr_body_float(lat, SR_B_LATENCY_p99, 0) / per);
}

static void
s_put_dispatch(FILE *out, const char *name, const char *ep,
               const sr_value_t *st)
{
    if (st)
        s_quantiles(out, name, ep, sr_body_get(st, SR_B_STATUS_dispatch_ms), 1);
}

// In seconds, with the sum and count of every commit since the start.
static void
s_put_commit(FILE *out, const char *name, const char *ep, const sr_value_t *st)
{
    const sr_value_t *lat = sr_body_get(sr_body_get(st, SR_B_STATUS_raft),
                                        SR_B_REPLICATION_commit_ms);
    if (!lat)
        return;
    s_quantiles(out, name, ep, lat, 1000);
    char sum[128], count[128];
    snprintf(sum, sizeof sum, "%s_sum", name);
    snprintf(count, sizeof count, "%s_count", name);
    s_sample(out, sum, ep, NULL,
             sr_body_float(lat, SR_B_LATENCY_sum, 0) / 1000);
    s_sample(out, count, ep, NULL, sr_body_float(lat, SR_B_LATENCY_samples, 0));
}

// CPU time in seconds, when the engine tells it (since protocol 1.7).
static void
s_put_cpu(FILE *out, const char *name, const char *ep, const sr_value_t *st)
{
    int64_t us = sr_body_int(st, SR_B_STATUS_cpu_us, -1);
    if (us >= 0)
        s_sample(out, name, ep, NULL, (double)us / 1e6);
}

static void
s_put_rss(FILE *out, const char *name, const char *ep, const sr_value_t *st)
{
    int64_t bytes = sr_body_int(st, SR_B_STATUS_rss_bytes, -1);
    if (bytes >= 0)
        s_sample(out, name, ep, NULL, (double)bytes);
}

// The messages of each socket, received (`sent` false) or sent, when the
// engine counts them (since protocol 1.7).
static void
s_put_messages(FILE *out, const char *name, const char *ep,
               const sr_value_t *st, bool sent)
{
    const sr_value_t *m = sr_body_get(st, SR_B_STATUS_messages);
    if (!m)
        return;
    static const struct {
        const char *socket;
        sr_bfield_t received, sent;
    } socks[] = {
        {"client", SR_B_MESSAGES_client_received, SR_B_MESSAGES_client_sent},
        {"worker", SR_B_MESSAGES_worker_received, SR_B_MESSAGES_worker_sent},
        {"peers", SR_B_MESSAGES_peers_received, SR_B_MESSAGES_peers_sent},
    };
    for (size_t i = 0; i < sizeof socks / sizeof *socks; i++) {
        char extra[64];
        snprintf(extra, sizeof extra, ",socket=\"%s\"", socks[i].socket);
        s_sample(out, name, ep, extra,
                 sr_body_float(m, sent ? socks[i].sent : socks[i].received, 0));
    }
}

static void
s_put_received(FILE *out, const char *name, const char *ep,
               const sr_value_t *st)
{
    s_put_messages(out, name, ep, st, false);
}

static void
s_put_sent(FILE *out, const char *name, const char *ep, const sr_value_t *st)
{
    s_put_messages(out, name, ep, st, true);
}

// Per partition the engine leads, per follower: the entries it misses.
static void
s_put_lag(FILE *out, const char *name, const char *ep, const sr_value_t *st)
{
    const sr_value_t *groups =
        sr_body_get(sr_body_get(st, SR_B_STATUS_raft), SR_B_REPLICATION_groups);
    for (size_t k = 0; k < sr_value_len(groups); k++) {
        const sr_value_t *g = sr_value_array_at(groups, k);
        const sr_value_t *lag = sr_body_get(g, SR_B_RAFT_GROUP_lag);
        for (size_t i = 0; i < sr_value_len(lag); i++) {
            fprintf(out, "%s{engine=\"", name);
            s_label(out, ep);
            fprintf(out, "\",partition=\"%lld\",follower=\"",
                    (long long)sr_body_int(g, SR_B_RAFT_GROUP_partition, -1));
            s_label(out, sr_value_str(sr_value_map_key(lag, i)));
            fprintf(out, "\"} %lld\n",
                    (long long)sr_value_int(sr_value_map_val(lag, i)));
        }
    }
}

// How a family is read from an engine's STATUS: a number field of it, a
// number field of its `raft` (no sample without replicated partitions),
// computed by `get`, or written by `put`.
typedef enum { S_FIELD, S_RAFT_FIELD, S_GET, S_PUT } s_how_t;

// The families, in the order written.
static const struct {
    const char *name, *type, *help;
    s_how_t how;
    sr_bfield_t field; // S_FIELD, S_RAFT_FIELD
    double (*get)(const sr_value_t *st);
    void (*put)(FILE *out, const char *name, const char *ep,
                const sr_value_t *st);
} s_families[] = {
    {"sirocco_engine_up", "gauge", "1 when the engine answered STATUS.",
     .how = S_PUT, .put = s_put_up},
    {"sirocco_engine_partitions", "gauge", "Partitions the engine owns.",
     .how = S_GET, .get = s_partitions},
    {"sirocco_engine_queued", "gauge",
     "Actions waiting for a worker (dispatch queue depth).", .how = S_FIELD,
     .field = SR_B_STATUS_queued},
    {"sirocco_engine_batches_total", "counter", "Batches committed.",
     .how = S_FIELD, .field = SR_B_STATUS_batches},
    {"sirocco_engine_events_total", "counter",
     "Events applied (requests, results, timers).", .how = S_FIELD,
     .field = SR_B_STATUS_events},
    {"sirocco_engine_workers", "gauge", "Connected workers.", .how = S_GET,
     .get = s_workers},
    {"sirocco_engine_worker_slots", "gauge", "Slots of connected workers.",
     .how = S_GET, .get = s_slots},
    {"sirocco_engine_worker_slots_used", "gauge", "Slots in use.", .how = S_GET,
     .get = s_used},
    {"sirocco_engine_dispatch_ms", "summary",
     "Task ready to worker start, ms, over recent dispatches.", .how = S_PUT,
     .put = s_put_dispatch},
    {"sirocco_engine_cpu_seconds_total", "counter",
     "CPU time (user and system) the engine's process has used.", .how = S_PUT,
     .put = s_put_cpu},
    {"sirocco_engine_resident_memory_bytes", "gauge",
     "Resident memory of the engine's process.", .how = S_PUT,
     .put = s_put_rss},
    {"sirocco_engine_messages_received_total", "counter",
     "Messages the engine received, by socket (client, worker, peers).",
     .how = S_PUT, .put = s_put_received},
    {"sirocco_engine_messages_sent_total", "counter",
     "Messages the engine sent, by socket (client, worker, peers).",
     .how = S_PUT, .put = s_put_sent},
    {"sirocco_raft_elections_total", "counter",
     "Times the engine came to lead a replicated partition (an election "
     "won, a leadership handed to it).",
     .how = S_RAFT_FIELD, .field = SR_B_REPLICATION_elected},
    {"sirocco_raft_leader_changes_total", "counter",
     "Times the engine stopped leading a replicated partition.",
     .how = S_RAFT_FIELD, .field = SR_B_REPLICATION_deposed},
    {"sirocco_raft_commit_latency_seconds", "summary",
     "A batch's Raft entry proposed to committed, over recent entries.",
     .how = S_PUT, .put = s_put_commit},
    {"sirocco_raft_follower_lag_entries", "gauge",
     "Log entries a follower is not known to hold, by partition the engine "
     "leads.",
     .how = S_PUT, .put = s_put_lag},
    {"sirocco_raft_snapshots_sent_total", "counter",
     "Snapshots sent to replicas too far behind for the log.",
     .how = S_RAFT_FIELD, .field = SR_B_REPLICATION_snapshots_sent},
};

// Family f's samples of one engine (st NULL: it did not answer).
static void
s_engine(FILE *out, size_t f, const char *ep, const sr_value_t *st)
{
    const char *name = s_families[f].name;
    const sr_value_t *raft = sr_body_get(st, SR_B_STATUS_raft);
    switch (s_families[f].how) {
    case S_PUT:
        s_families[f].put(out, name, ep, st);
        break;
    case S_GET:
        if (st)
            s_sample(out, name, ep, NULL, s_families[f].get(st));
        break;
    case S_FIELD:
        if (st)
            s_sample(out, name, ep, NULL,
                     sr_body_float(st, s_families[f].field, 0));
        break;
    case S_RAFT_FIELD:
        if (raft)
            s_sample(out, name, ep, NULL,
                     sr_body_float(raft, s_families[f].field, 0));
        break;
    }
}

void
gw_engine_metrics_render(FILE *out, size_t n, const char *const *eps,
                         sr_value_t *const *st)
{
    for (size_t f = 0; f < sizeof s_families / sizeof *s_families; f++) {
        s_family(out, s_families[f].name, s_families[f].type,
                 s_families[f].help);
        for (size_t i = 0; i < n; i++)
            s_engine(out, f, eps[i], st[i]);
    }
}
