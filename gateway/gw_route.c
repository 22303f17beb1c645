// The route table and the steps every request takes: path checks, route
// match (404, 405 with Allow), bearer authentication, body checks (JSON
// with its depth limit, or UTF-8 text), the route's parse function, then
// its run function; and the gateway object those steps share. The only
// place that knows every endpoint.
#include "gw.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "gw_list.h"
#include "gw_routes.h"
#include "sr_id.h"
#include "sr_value_json.h"

#define S_PATH_MAX 2048
#define S_SEGMENTS 8

typedef enum { S_OPEN = 0, S_BEARER } s_auth_t;
typedef enum { S_NONE = 0, S_JSON, S_TEXT, S_RAW } s_body_t;

typedef struct {
    gw_method_t method;
    const char *pattern; // "{}" stands for one segment
    s_auth_t auth;
    s_body_t body;
    const char *what; // what the path argument names, for messages
    gw_parse_fn *parse;
    gw_run_fn *run;
} s_route_t;

static const s_route_t s_routes[] = {
    {GW_GET, "/", S_OPEN, S_NONE, NULL, NULL, gw_root_run},
    {GW_GET, "/healthz", S_OPEN, S_NONE, NULL, NULL, gw_health_run},
    {GW_GET, "/metrics", S_OPEN, S_NONE, NULL, NULL, gw_metrics_run},
    {GW_POST, "/v1/callbacks/{}", S_OPEN, S_JSON, "callback token",
     gw_callback_parse, gw_callback_run},
    {GW_POST, "/v1/hooks/{}", S_OPEN, S_RAW, "hook", gw_hook_parse,
     gw_hook_run},
    {GW_GET, "/v2", S_BEARER, S_NONE, NULL, NULL, gw_v2_root_run},
    {GW_POST, "/v2/workflows", S_BEARER, S_TEXT, NULL, gw_wf_text_parse,
     gw_wf_create_run},
    {GW_PUT, "/v2/workflows", S_BEARER, S_TEXT, NULL, gw_wf_text_parse,
     gw_wf_update_run},
    {GW_POST, "/v2/workflows/validate", S_BEARER, S_TEXT, NULL,
     gw_wf_text_parse, gw_wf_validate_run},
    {GW_GET, "/v2/workflows", S_BEARER, S_NONE, NULL, gw_parse_list,
     gw_wf_list_run},
    {GW_GET, "/v2/workflows/{}", S_BEARER, S_NONE, "workflow", NULL,
     gw_wf_get_run},
    {GW_PUT, "/v2/workflows/{}", S_BEARER, S_TEXT, "workflow", gw_wf_text_parse,
     gw_wf_update_run},
    {GW_DELETE, "/v2/workflows/{}", S_BEARER, S_NONE, "workflow", NULL,
     gw_wf_delete_run},
    {GW_POST, "/v2/executions", S_BEARER, S_JSON, NULL, gw_ex_create_parse,
     gw_ex_create_run},
    {GW_GET, "/v2/executions", S_BEARER, S_NONE, NULL, gw_parse_list,
     gw_ex_list_run},
    {GW_GET, "/v2/executions/{}", S_BEARER, S_NONE, "execution", gw_parse_id,
     gw_ex_get_run},
    {GW_PUT, "/v2/executions/{}", S_BEARER, S_JSON, "execution",
     gw_ex_update_parse, gw_ex_update_run},
    {GW_DELETE, "/v2/executions/{}", S_BEARER, S_NONE, "execution",
     gw_ex_delete_parse, gw_ex_delete_run},
    {GW_GET, "/v2/executions/{}/tasks", S_BEARER, S_NONE, "execution",
     gw_parse_list, gw_ex_tasks_run},
    {GW_GET, "/v2/tasks", S_BEARER, S_NONE, NULL, gw_parse_list,
     gw_task_list_run},
    {GW_GET, "/v2/tasks/{}", S_BEARER, S_NONE, "task execution", gw_parse_id,
     gw_task_get_run},
    {GW_PUT, "/v2/tasks/{}", S_BEARER, S_JSON, "task execution",
     gw_task_update_parse, gw_task_update_run},
    {GW_GET, "/v2/tasks/{}/action_executions", S_BEARER, S_NONE,
     "task execution", gw_parse_list, gw_task_actions_run},
    {GW_GET, "/v2/action_executions", S_BEARER, S_NONE, NULL, gw_parse_list,
     gw_action_list_run},
    {GW_GET, "/v2/action_executions/{}", S_BEARER, S_NONE, "action execution",
     gw_parse_id, gw_action_get_run},
    {GW_PUT, "/v2/action_executions/{}", S_BEARER, S_JSON, "action execution",
     gw_action_update_parse, gw_action_update_run},
};

#define S_NROUTES (sizeof s_routes / sizeof s_routes[0])

// "METHOD PATTERN" of each route, then "unmatched": metrics labels.
static const char *s_labels[S_NROUTES + 1];
static char s_label_text[S_NROUTES][64];
static pthread_once_t s_labels_once = PTHREAD_ONCE_INIT;

struct gw {
    const gw_config_t *cfg;
    gw_replay_t *replay;
    gw_metrics_t *metrics;
    uint8_t token_hash[GW_MAX_TOKENS][crypto_hash_sha256_BYTES];
};

// --- the gateway object ---------------------------------------------------

static void
s_make_labels(void)
{
    for (size_t i = 0; i < S_NROUTES; i++) {
        snprintf(s_label_text[i], sizeof s_label_text[i], "%s %s",
                 gw_method_name(s_routes[i].method), s_routes[i].pattern);
        s_labels[i] = s_label_text[i];
    }
    s_labels[S_NROUTES] = "unmatched";
}

sr_err_t
gw_new(const gw_config_t *cfg, gw_t **out, sr_error_t *err)
{
    if (sodium_init() < 0)
        return sr_error_set(err, SR_EINTERNAL, "libsodium does not start");
    gw_t *gw = calloc(1, sizeof *gw);
    if (gw) {
        gw->cfg = cfg;
        gw->replay = gw_replay_new(65536, cfg->replay_window_s * 1000);
        gw->metrics = gw_metrics_new(S_NROUTES + 1);
    }
    if (!gw || !gw->replay || !gw->metrics) {
        gw_destroy(&gw);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < cfg->ntokens; i++)
        crypto_hash_sha256(gw->token_hash[i],
                           (const unsigned char *)cfg->tokens[i],
                           strlen(cfg->tokens[i]));
    pthread_once(&s_labels_once, s_make_labels);
    *out = gw;
    return SR_OK;
}

void
gw_destroy(gw_t **gw_p)
{
    if (!gw_p || !*gw_p)
        return;
    gw_replay_destroy(&(*gw_p)->replay);
    gw_metrics_destroy(&(*gw_p)->metrics);
    sodium_memzero((*gw_p)->token_hash, sizeof(*gw_p)->token_hash);
    free(*gw_p);
    *gw_p = NULL;
}

const gw_config_t *
gw_config(const gw_t *gw)
{
    return gw->cfg;
}

gw_replay_t *
gw_replay(gw_t *gw)
{
    return gw->replay;
}

gw_metrics_t *
gw_metrics(gw_t *gw)
{
    return gw->metrics;
}

int
gw_timeout_ms(const gw_t *gw)
{
    return (int)gw->cfg->engine_timeout_ms;
}

size_t
gw_route_count(void)
{
    return S_NROUTES;
}

const char *const *
gw_route_labels(void)
{
    pthread_once(&s_labels_once, s_make_labels);
    return s_labels;
}

void
gw_answer_error(gw_t *gw, gw_resp_t *resp, const sr_error_t *e)
{
    gw_resp_from_error(resp, e, (int)gw->cfg->retry_after_s);
}

void
gw_call_fini(gw_call_t *call)
{
    sr_value_destroy(&call->body);
    sr_value_destroy(&call->args);
    memset(call, 0, sizeof *call);
}

// --- matching ---------------------------------------------------------------

// The first control byte (0x00 to 0x1f, 0x7f) of text[0..len), or -1.
static int
s_control_byte(const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
            return (unsigned char)text[i];
    return -1;
}

// Split a checked path of `total` bytes into segments (borrowed views).
// SR_EINVAL for paths a client should never send: control bytes (a
// decoded %00 included: it must not cut the path short), no leading '/',
// empty, '.' or '..' segments, invalid UTF-8, too long or too deep.
static sr_err_t
s_split(const char *path, size_t total, const char *seg[S_SEGMENTS],
        size_t len[S_SEGMENTS], size_t *n, sr_error_t *err)
{
    int bad = s_control_byte(path, total);
    if (bad >= 0)
        return sr_error_set(err, SR_EINVAL,
                            "the path holds a control character (byte 0x%02x, "
                            "%%%02X encoded)",
                            (unsigned)bad, (unsigned)bad);
    if (total == 0 || path[0] != '/' || total > S_PATH_MAX ||
        !gw_utf8_valid(path, total))
        return sr_error_set(err, SR_EINVAL,
                            "the path must start with '/', be UTF-8 and at "
                            "most %d bytes",
                            S_PATH_MAX);
    *n = 0;
    const char *p = path + 1, *end = path + total;
    if (total > 1 && path[total - 1] == '/')
        end--;               // one trailing slash is forgiven
    while (end > path + 1) { // not the root: one segment per turn
        const char *slash = memchr(p, '/', (size_t)(end - p));
        size_t l = slash ? (size_t)(slash - p) : (size_t)(end - p);
        if (*n == S_SEGMENTS || l == 0 || (l == 1 && p[0] == '.') ||
            (l == 2 && p[0] == '.' && p[1] == '.'))
            return sr_error_set(err, SR_EINVAL,
                                "the path has an empty, '.' or '..' segment "
                                "or too many segments");
        seg[*n] = p;
        len[(*n)++] = l;
        if (!slash)
            break;
        p = slash + 1;
    }
    return SR_OK;
}

// Does route r's pattern match the segments? *arg gets the {} segment.
static bool
s_match(const s_route_t *r, const char *const seg[], const size_t len[],
        size_t n, size_t *arg)
{
    const char *p = r->pattern + 1;
    size_t i = 0;
    while (*p) {
        size_t l = strcspn(p, "/");
        if (i == n)
            return false;
        if (l == 2 && p[0] == '{')
            *arg = i;
        else if (l != len[i] || memcmp(p, seg[i], l) != 0)
            return false;
        i++;
        p += l;
        if (*p == '/')
            p++;
    }
    return i == n;
}

// Allow headers by the bits of GW_GET, GW_POST, GW_PUT, GW_DELETE.
static const char *const s_allow[16] = {"",
                                        "GET",
                                        "POST",
                                        "GET, POST",
                                        "PUT",
                                        "GET, PUT",
                                        "POST, PUT",
                                        "GET, POST, PUT",
                                        "DELETE",
                                        "GET, DELETE",
                                        "POST, DELETE",
                                        "GET, POST, DELETE",
                                        "PUT, DELETE",
                                        "GET, PUT, DELETE",
                                        "POST, PUT, DELETE",
                                        "GET, POST, PUT, DELETE"};

// The route for `req`, or an answer (404, 405 with Allow) in `resp`.
static const s_route_t *
s_find(const gw_req_t *req, gw_call_t *call, gw_resp_t *resp)
{
    const char *seg[S_SEGMENTS];
    size_t len[S_SEGMENTS], n = 0;
    sr_error_t e;
    if (s_split(req->path, req->path_len, seg, len, &n, &e)) {
        gw_resp_from_error(resp, &e, 0);
        return NULL;
    }
    gw_method_t m = req->method == GW_HEAD ? GW_GET : req->method;
    unsigned other = 0; // methods the path takes, one bit each
    for (size_t i = 0; i < S_NROUTES; i++) {
        size_t arg = S_SEGMENTS;
        if (!s_match(&s_routes[i], seg, len, n, &arg))
            continue;
        if (s_routes[i].method != m) {
            other |= 1u << s_routes[i].method;
            continue;
        }
        call->route = i;
        if (arg < n) {
            if (len[arg] >= GW_ARG_MAX) {
                gw_resp_error(resp, 414, SR_ETOOBIG,
                              "the %s in the path is over %d bytes",
                              s_routes[i].what, GW_ARG_MAX - 1);
                return NULL;
            }
            memcpy(call->arg, seg[arg], len[arg]);
            call->arg[len[arg]] = '\0';
        }
        return &s_routes[i];
    }
    if (!other) {
        gw_resp_error(resp, 404, SR_ENOTFOUND, "no such resource: %.200s",
                      req->path);
        return NULL;
    }
    gw_resp_error(resp, 405, SR_EINVAL, "%s is not allowed on %.200s",
                  gw_method_name(req->method), req->path);
    resp->header_name = "Allow";
    resp->header_value = s_allow[other & 15];
    return NULL;
}

// --- authentication and body ----------------------------------------------

static sr_err_t
s_auth(const gw_t *gw, const gw_req_t *req, sr_error_t *err)
{
    if (!gw->cfg->ntokens)
        return SR_OK;
    const char *h = gw_req_header(req, "Authorization");
    const char *token = NULL;
    if (h && strncasecmp(h, "Bearer ", 7) == 0)
        token = h + 7;
    else if (!(token = gw_req_header(req, "X-Auth-Token")))
        return sr_error_set(err, SR_EAUTH,
                            "authentication required: send Authorization: "
                            "Bearer TOKEN");
    uint8_t got[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(got, (const unsigned char *)token, strlen(token));
    int match = 0;
    for (size_t i = 0; i < gw->cfg->ntokens; i++)
        match |= sodium_memcmp(got, gw->token_hash[i], sizeof got) == 0;
    return match ? SR_OK : sr_error_set(err, SR_EAUTH, "unknown bearer token");
}

static sr_err_t
s_body(const gw_t *gw, const s_route_t *r, const gw_req_t *req, gw_call_t *call,
       sr_error_t *err)
{
    if ((int64_t)req->body_len > gw->cfg->max_body_bytes)
        return sr_error_set(err, SR_ETOOBIG, "the body is over %lld bytes",
                            (long long)gw->cfg->max_body_bytes);
    if (r->body == S_TEXT && !gw_utf8_valid(req->body, req->body_len))
        return sr_error_set(err, SR_EINVAL,
                            "the body is not UTF-8 text (or holds NUL)");
    if (r->body != S_JSON || req->body_len == 0)
        return SR_OK;
    sr_limits_t lim = {.max_bytes = (size_t)gw->cfg->max_body_bytes,
                       .max_depth = (int)gw->cfg->json_max_depth};
    sr_err_t rc =
        sr_value_from_json(req->body, req->body_len, &lim, &call->body, err);
    if (rc && err) { // every JSON problem is the client's: 400
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        sr_error_set(err, SR_EINVAL, "the body is not valid JSON: %.200s", msg);
    }
    return rc ? SR_EINVAL : SR_OK;
}

bool
gw_translate(gw_t *gw, const gw_req_t *req, gw_call_t *call, gw_resp_t *resp)
{
    memset(call, 0, sizeof *call);
    call->route = S_NROUTES;
    const s_route_t *r = s_find(req, call, resp);
    if (!r)
        return false;
    sr_error_t e;
    sr_err_t rc = SR_OK;
    if (r->auth == S_BEARER)
        rc = s_auth(gw, req, &e);
    if (!rc)
        rc = s_body(gw, r, req, call, &e);
    if (!rc && r->parse)
        rc = r->parse(gw, req, call, &e);
    if (!rc && !call->args && !(call->args = sr_value_new_map(0)))
        rc = sr_error_set(&e, SR_ENOMEM, "out of memory");
    if (!rc)
        return true;
    gw_resp_from_error(resp, &e, 0);
    if (rc == SR_EAUTH) {
        resp->header_name = "WWW-Authenticate";
        resp->header_value = "Bearer";
    }
    sr_value_destroy(&call->body);
    sr_value_destroy(&call->args);
    return false;
}

int64_t
gw_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double
s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
gw_handle(gw_t *gw, sr_client_t *c, const gw_req_t *req, gw_resp_t *resp)
{
    double start = s_now();
    gw_call_t call;
    if (gw_translate(gw, req, &call, resp)) {
        s_routes[call.route].run(gw, c, &call, resp);
        if (!resp->status) // a run function always answers; be safe
            gw_resp_error(resp, 500, SR_EINTERNAL, "no answer was made");
    }
    gw_metrics_record(gw->metrics, call.route, resp->status, s_now() - start);
    gw_call_fini(&call);
}

// --- shared parse functions -------------------------------------------------

sr_err_t
gw_parse_id(gw_t *gw, const gw_req_t *req, gw_call_t *call, sr_error_t *err)
{
    (void)gw;
    (void)req;
    sr_id_t id;
    if (sr_id_parse(call->arg, &id) != SR_OK)
        return sr_error_set(err, SR_ENOTFOUND, "%s '%.64s' not found",
                            s_routes[call->route].what, call->arg);
    return SR_OK;
}

sr_err_t
gw_parse_list(gw_t *gw, const gw_req_t *req, gw_call_t *call, sr_error_t *err)
{
    sr_err_t rc = SR_OK;
    if (s_routes[call->route].what) // a list under one execution or task
        rc = gw_parse_id(gw, req, call, err);
    return rc ? rc : gw_list_query(req, &call->args, err);
}

sr_err_t
gw_parse_id_body(gw_t *gw, const gw_req_t *req, gw_call_t *call,
                 const gw_field_t *fields, size_t n, sr_error_t *err)
{
    sr_err_t rc = gw_parse_id(gw, req, call, err);
    return rc ? rc : gw_body_check(call->body, fields, n, err);
}
