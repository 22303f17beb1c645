// Operations endpoints: the version roots Mistral clients may read,
// /healthz (every engine answers STATUS, or 503), and /metrics in the
// Prometheus text format: the gateway's request counts and latencies by
// route and each engine's STATUS figures (gw_engine_metrics.h).
#include <stdlib.h>
#include <string.h>

#include "gw_engine_metrics.h"
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

void
gw_metrics_run(gw_t *gw, sr_client_t *c, const gw_call_t *call, gw_resp_t *resp)
{
    (void)call;
    size_t n = sr_client_engine_count(c);
    sr_value_t **st = calloc(n ? n : 1, sizeof *st);
    const char **eps = calloc(n ? n : 1, sizeof *eps);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = st && eps ? open_memstream(&buf, &len) : NULL;
    if (!out) {
        free(st);
        free(eps);
        gw_resp_error(resp, 500, SR_ENOMEM, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        sr_error_t err;
        eps[i] = sr_client_engine_endpoint(c, i);
        if (sr_client_status(c, i, gw_timeout_ms(gw), &st[i], &err))
            st[i] = NULL;
    }
    gw_metrics_render(gw_metrics(gw), gw_route_labels(), out);
    gw_engine_metrics_render(out, n, eps, st);
    for (size_t i = 0; i < n; i++)
        sr_value_destroy(&st[i]);
    free(st);
    free(eps);
    if (fclose(out) != 0 || !buf) {
        free(buf);
        gw_resp_error(resp, 500, SR_ENOMEM, "out of memory");
        return;
    }
    gw_resp_text(resp, 200, "text/plain; version=0.0.4", buf, len);
}
