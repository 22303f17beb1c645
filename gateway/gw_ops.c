// Operations endpoints: the version roots Mistral clients may read,
// /healthz (every engine answers STATUS, or 503), and /metrics in the
// Prometheus text format: the gateway's request counts and latencies by
// route and each engine's STATUS figures (up, partitions, dispatch queue,
// batches, events, workers and their slots, dispatch latency).
#include <stdlib.h>
#include <string.h>

#include "gw_routes.h"
#include "sr_body.h"

static void
s_json_reply(gw_resp_t *resp, int status, const char *json)
{
    char *text = strdup(json);
    if (!text)
        gw_resp_error(resp, 500, SR_ENOMEM, "out of memory");
    else
        gw_resp_text(resp, status, "application/json", text, strlen(text));
}

void
gw_root_run(gw_t *gw, sr_client_t *c, const gw_call_t *call, gw_resp_t *resp)
{
    (void)gw, (void)c, (void)call;
    s_json_reply(resp, 200,
                 "{\"versions\": [{\"id\": \"v2.0\", \"status\": \"CURRENT\", "
                 "\"links\": [{\"href\": \"/v2\", \"rel\": \"self\", "
                 "\"target\": \"v2\"}]}]}");
}

void
gw_v2_root_run(gw_t *gw, sr_client_t *c, const gw_call_t *call, gw_resp_t *resp)
{
    (void)gw, (void)c, (void)call;
    s_json_reply(resp, 200, "{\"uri\": \"/v2\"}");
}

void
gw_health_run(gw_t *gw, sr_client_t *c, const gw_call_t *call, gw_resp_t *resp)
{
    (void)call;
    size_t n = sr_client_engine_count(c), up = 0;
    sr_value_t *engines = sr_value_new_array(n);
    for (size_t i = 0; engines && i < n; i++) {
        sr_value_t *st = NULL, *e = sr_value_new_map(3);
        sr_error_t err;
        bool ok = sr_client_status(c, i, gw_timeout_ms(gw), &st, &err) == SR_OK;
        up += ok;
        if (!e ||
            sr_value_map_put(
                e, "endpoint",
                sr_value_new_str(sr_client_engine_endpoint(c, i))) ||
            sr_value_map_put(e, "up", sr_value_new_bool(ok)) ||
            sr_value_map_put(
                e, ok ? "node" : "error",
                ok ? (sr_body_get(st, SR_B_STATUS_node)
                          ? sr_value_ref(sr_body_get(st, SR_B_STATUS_node))
                          : sr_value_new_nil())
                   : sr_value_new_str(err.msg)) ||
            sr_value_array_append(engines, e))
            sr_value_destroy(&engines);
        sr_value_destroy(&st);
    }
    sr_value_t *body = sr_value_new_map(2);
    if (body &&
        (sr_value_map_put(body, "status",
                          sr_value_new_str(up == n ? "ok" : "degraded")) ||
         sr_value_map_put(body, "engines",
                          engines ? sr_value_ref(engines) : NULL)))
        sr_value_destroy(&body);
    sr_value_destroy(&engines);
    gw_resp_json(resp, up == n ? 200 : 503, &body);
    if (resp->status == 503)
        resp->retry_after_s = (int)gw_config(gw)->retry_after_s;
}

// --- metrics
// ------------------------------------------------------------------

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

static void
s_sample(FILE *out, const char *name, const char *ep, const char *extra,
         double v)
{
    fprintf(out, "%s{engine=\"", name);
    s_label(out, ep);
    fprintf(out, "\"%s} %.17g\n", extra ? extra : "", v);
}

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
s_queued(const sr_value_t *st)
{
    return sr_body_float(st, SR_B_STATUS_queued, 0);
}

static double
s_batches(const sr_value_t *st)
{
    return sr_body_float(st, SR_B_STATUS_batches, 0);
}

static double
s_events(const sr_value_t *st)
{
    return sr_body_float(st, SR_B_STATUS_events, 0);
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

// The engine figures: one family each, read from STATUS by `get` (NULL:
// engine_up and the dispatch summary, written by hand).
static const struct {
    const char *name, *type, *help;
    double (*get)(const sr_value_t *st);
} s_families[] = {
    {"sirocco_engine_up", "gauge", "1 when the engine answered STATUS.", NULL},
    {"sirocco_engine_partitions", "gauge", "Partitions the engine owns.",
     s_partitions},
    {"sirocco_engine_queued", "gauge",
     "Actions waiting for a worker (dispatch queue depth).", s_queued},
    {"sirocco_engine_batches_total", "counter", "Batches committed.",
     s_batches},
    {"sirocco_engine_events_total", "counter",
     "Events applied (requests, results, timers).", s_events},
    {"sirocco_engine_workers", "gauge", "Connected workers.", s_workers},
    {"sirocco_engine_worker_slots", "gauge", "Slots of connected workers.",
     s_slots},
    {"sirocco_engine_worker_slots_used", "gauge", "Slots in use.", s_used},
    {"sirocco_engine_dispatch_ms", "summary",
     "Task ready to worker start, ms, over recent dispatches.", NULL},
};

// Family f of one engine (st NULL: the engine did not answer).
static void
s_engine(FILE *out, const char *ep, const sr_value_t *st, size_t f)
{
    const char *name = s_families[f].name;
    if (f == 0)
        s_sample(out, name, ep, NULL, st ? 1 : 0);
    else if (st && s_families[f].get)
        s_sample(out, name, ep, NULL, s_families[f].get(st));
    else if (st) {
        const sr_value_t *lat = sr_body_get(st, SR_B_STATUS_dispatch_ms);
        if (sr_body_float(lat, SR_B_LATENCY_samples, 0) > 0) {
            s_sample(out, name, ep, ",quantile=\"0.5\"",
                     sr_body_float(lat, SR_B_LATENCY_p50, 0));
            s_sample(out, name, ep, ",quantile=\"0.99\"",
                     sr_body_float(lat, SR_B_LATENCY_p99, 0));
        }
    }
}

void
gw_metrics_run(gw_t *gw, sr_client_t *c, const gw_call_t *call, gw_resp_t *resp)
{
    (void)call;
    size_t n = sr_client_engine_count(c);
    sr_value_t **st = calloc(n ? n : 1, sizeof *st);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = st ? open_memstream(&buf, &len) : NULL;
    if (!out) {
        free(st);
        gw_resp_error(resp, 500, SR_ENOMEM, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        sr_error_t err;
        if (sr_client_status(c, i, gw_timeout_ms(gw), &st[i], &err))
            st[i] = NULL;
    }
    gw_metrics_render(gw_metrics(gw), gw_route_labels(), out);
    for (size_t f = 0; f < sizeof s_families / sizeof *s_families; f++) {
        s_family(out, s_families[f].name, s_families[f].type,
                 s_families[f].help);
        for (size_t i = 0; i < n; i++)
            s_engine(out, sr_client_engine_endpoint(c, i), st[i], f);
    }
    for (size_t i = 0; i < n; i++)
        sr_value_destroy(&st[i]);
    free(st);
    if (fclose(out) != 0 || !buf) {
        free(buf);
        gw_resp_error(resp, 500, SR_ENOMEM, "out of memory");
        return;
    }
    gw_resp_text(resp, 200, "text/plain; version=0.0.4", buf, len);
}
