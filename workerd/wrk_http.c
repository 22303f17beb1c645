// std.http: turns the checked input into one libcurl request, runs it with
// the multi interface so the run's cancel handle and deadline are polled
// next to the socket, and shapes the outcome. Owns the easy handle and the
// request's strings for the length of one run; reentrant.
#include "wrk_http.h"

#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sr_value_json.h"
#include "wrk_http_resp.h"

#define S_POLL_CAP_MS   1000
#define S_MAX_REDIRECTS 30L

typedef struct {
    const wrk_run_t *run;
    wrk_result_t *out;
    CURL *h;
    struct curl_slist *headers;
    bool has_content_type; // the caller set Content-Type
    char *url;             // with the query string
    char *body;            // request body, or NULL
    size_t body_len;
    char *cookie;
    char errbuf[CURL_ERROR_SIZE];
} s_req_t;

static pthread_once_t s_once = PTHREAD_ONCE_INIT;
static CURLcode s_init_rc = CURLE_OK;

static void
s_global_init(void)
{
    s_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

sr_err_t
wrk_http_global_init(sr_error_t *err)
{
    pthread_once(&s_once, s_global_init);
    if (s_init_rc != CURLE_OK)
        return sr_error_set(err, SR_EINTERNAL, "curl_global_init: %s",
                            curl_easy_strerror(s_init_rc));
    return SR_OK;
}

// Python's str() of a scalar (requests sends True/False for bools), into a
// stream. False when `v` is not a scalar.
static bool
s_put_scalar(FILE *f, const sr_value_t *v,
             bool (*esc)(FILE *, const char *, size_t))
{
    char buf[40];
    switch (sr_value_type(v)) {
    case SR_T_STR:
        return esc(f, sr_value_str(v), sr_value_len(v));
    case SR_T_INT:
        snprintf(buf, sizeof buf, "%" PRId64, sr_value_int(v));
        break;
    case SR_T_FLOAT:
        sr_format_double(sr_value_float(v), buf, sizeof buf);
        break;
    case SR_T_BOOL:
        snprintf(buf, sizeof buf, "%s", sr_value_bool(v) ? "True" : "False");
        break;
    default:
        return false;
    }
    return esc(f, buf, strlen(buf));
}

static bool
s_raw(FILE *f, const char *s, size_t len)
{
    return fwrite(s, 1, len, f) == len || len == 0;
}

static bool
s_escaped(FILE *f, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || strchr("-._~", c))
            fputc(c, f);
        else
            fprintf(f, "%%%02X", c);
    }
    return true;
}

// "k=v&k=w" for a params map (lists repeat the key, null is skipped).
static bool
s_query_map(s_req_t *r, FILE *f, const sr_value_t *params, bool *is_first)
{
    for (size_t i = 0; i < sr_value_len(params); i++) {
        const sr_value_t *k = sr_value_map_key(params, i);
        const sr_value_t *v = sr_value_map_val(params, i);
        bool is_list = sr_value_is(v, SR_T_ARRAY);
        size_t n = is_list ? sr_value_len(v) : 1;
        for (size_t j = 0; j < n; j++) {
            const sr_value_t *item = is_list ? sr_value_array_at(v, j) : v;
            if (sr_value_is(item, SR_T_NIL))
                continue;
            fputc(*is_first ? '?' : '&', f);
            *is_first = false;
            s_escaped(f, sr_value_str(k), sr_value_len(k));
            fputc('=', f);
            if (!s_put_scalar(f, item, s_escaped)) {
                wrk_result_error(r->out, r->run->action,
                                 "'params' entry '%s' must be a scalar or a "
                                 "list of scalars",
                                 sr_value_str(k));
                return false;
            }
        }
    }
    return true;
}

// The URL with the query string of 'params' before any '#fragment'.
static bool
s_build_url(s_req_t *r)
{
    const char *url = sr_value_str(wrk_run_arg(r->run, "url"));
    const sr_value_t *params = wrk_run_arg(r->run, "params");
    size_t base = strcspn(url, "#");
    size_t size = 0;
    FILE *f = open_memstream(&r->url, &size);
    if (!f) {
        wrk_result_error_value(r->out, NULL);
        return false;
    }
    fwrite(url, 1, base, f);
    bool is_first = memchr(url, '?', base) == NULL;
    bool ok = true;
    if (sr_value_is(params, SR_T_MAP)) {
        ok = s_query_map(r, f, params, &is_first);
    } else if (params && sr_value_len(params)) {
        fputc(is_first ? '?' : '&', f);
        s_raw(f, sr_value_str(params), sr_value_len(params));
    }
    fputs(url + base, f);
    if (fclose(f) != 0 && ok) {
        wrk_result_error_value(r->out, NULL);
        ok = false;
    }
    return ok;
}

static bool
s_add_header(s_req_t *r, const char *line)
{
    struct curl_slist *l = curl_slist_append(r->headers, line);
    if (!l) {
        wrk_result_error_value(r->out, NULL);
        return false;
    }
    r->headers = l;
    return true;
}

static bool
s_bad_text(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\r' || s[i] == '\n' || s[i] == '\0')
            return true;
    return false;
}

// One "Name: value" line from a map entry of 'headers' or 'cookies'.
static char *
s_entry_text(const sr_value_t *k, const sr_value_t *v, const char *sep)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return NULL;
    s_raw(f, sr_value_str(k), sr_value_len(k));
    fputs(sep, f);
    bool ok = s_put_scalar(f, v, s_raw);
    if (fclose(f) != 0 || !ok) {
        free(text);
        return NULL;
    }
    return text;
}

// A header name is a non-empty token; a value is one line.
static bool
s_header_ok(const sr_value_t *k, const sr_value_t *v)
{
    const char *name = sr_value_str(k);
    size_t nlen = sr_value_len(k);
    if (nlen == 0 || s_bad_text(name, nlen) || memchr(name, ':', nlen) ||
        memchr(name, ' ', nlen) || memchr(name, '\t', nlen))
        return false;
    return !sr_value_is(v, SR_T_STR) ||
           !s_bad_text(sr_value_str(v), sr_value_len(v));
}

static bool
s_build_headers(s_req_t *r)
{
    const sr_value_t *hs = wrk_run_arg(r->run, "headers");
    for (size_t i = 0; i < sr_value_len(hs); i++) {
        const sr_value_t *k = sr_value_map_key(hs, i);
        const sr_value_t *v = sr_value_map_val(hs, i);
        if (sr_value_is(v, SR_T_NIL))
            continue;
        bool is_empty = sr_value_is(v, SR_T_STR) && sr_value_len(v) == 0;
        // curl sends "Name;" as a header with an empty value.
        char *line = s_header_ok(k, v)
                         ? s_entry_text(k, v, is_empty ? ";" : ": ")
                         : NULL;
        if (!line) {
            wrk_result_error(r->out, r->run->action,
                             "header '%s' is not valid (a name without ':' "
                             "or spaces, and a scalar value on one line)",
                             sr_value_str(k));
            return false;
        }
        if (strcasecmp(sr_value_str(k), "content-type") == 0)
            r->has_content_type = true;
        bool ok = s_add_header(r, line);
        free(line);
        if (!ok)
            return false;
    }
    return s_add_header(r, "Expect:"); // no 100-continue round trip
}

// "a=1; b=2" from the 'cookies' map.
static bool
s_build_cookie(s_req_t *r)
{
    const sr_value_t *cs = wrk_run_arg(r->run, "cookies");
    if (!sr_value_len(cs))
        return true;
    size_t size = 0;
    FILE *f = open_memstream(&r->cookie, &size);
    if (!f) {
        wrk_result_error_value(r->out, NULL);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; ok && i < sr_value_len(cs); i++) {
        const sr_value_t *k = sr_value_map_key(cs, i);
        const sr_value_t *v = sr_value_map_val(cs, i);
        fputs(i ? "; " : "", f);
        s_raw(f, sr_value_str(k), sr_value_len(k));
        fputc('=', f);
        ok = s_put_scalar(f, v, s_raw);
        if (!ok || s_bad_text(sr_value_str(k), sr_value_len(k)) ||
            (sr_value_is(v, SR_T_STR) &&
             s_bad_text(sr_value_str(v), sr_value_len(v)))) {
            wrk_result_error(r->out, r->run->action,
                             "cookie '%s' must have a scalar value on one "
                             "line",
                             sr_value_str(k));
            ok = false;
        }
    }
    if (fclose(f) != 0 && ok) {
        wrk_result_error_value(r->out, NULL);
        ok = false;
    }
    return ok;
}

// The request body from 'body' (text as is, anything else as JSON) or
// 'json' (always JSON); JSON gets a JSON Content-Type unless one was set.
static bool
s_build_body(s_req_t *r)
{
    const sr_value_t *body = wrk_run_arg(r->run, "body");
    const sr_value_t *json = wrk_run_arg(r->run, "json");
    if (body && json) {
        wrk_result_error(r->out, r->run->action,
                         "Only one of the parameters 'json' and 'body' can "
                         "be passed");
        return false;
    }
    if (!body && !json)
        return true;
    const sr_value_t *v = body ? body : json;
    bool is_text =
        body && (sr_value_is(v, SR_T_STR) || sr_value_is(v, SR_T_BIN));
    if (is_text) {
        size_t len = 0;
        const void *bytes = sr_value_is(v, SR_T_STR)
                                ? (const void *)sr_value_str(v)
                                : sr_value_bin(v, &len);
        r->body_len = sr_value_is(v, SR_T_STR) ? sr_value_len(v) : len;
        r->body = malloc(r->body_len + 1);
        if (r->body)
            memcpy(r->body, bytes, r->body_len);
    } else {
        r->body = sr_value_to_json(v, SR_JSON_SPACED);
        r->body_len = r->body ? strlen(r->body) : 0;
    }
    if (!r->body) {
        wrk_result_error_value(r->out, NULL);
        return false;
    }
    if (!is_text && !r->has_content_type) {
        r->has_content_type = true;
        return s_add_header(r, "Content-Type: application/json");
    }
    return true;
}

// Method, body and the options that follow from them.
static bool
s_set_method(s_req_t *r)
{
    char method[32];
    const char *m = sr_value_str(wrk_run_arg(r->run, "method"));
    size_t len = strlen(m);
    if (len == 0 || len >= sizeof method) {
        wrk_result_error(r->out, r->run->action, "'method' '%s' is not valid",
                         m);
        return false;
    }
    for (size_t i = 0; i <= len; i++) {
        method[i] = (char)toupper((unsigned char)m[i]);
        if (i < len && !isalnum((unsigned char)m[i]) && m[i] != '-' &&
            m[i] != '_') {
            wrk_result_error(r->out, r->run->action,
                             "'method' '%s' is not valid", m);
            return false;
        }
    }
    bool has_body_method = !strcmp(method, "POST") || !strcmp(method, "PUT") ||
                           !strcmp(method, "PATCH");
    if (r->body || has_body_method) {
        curl_easy_setopt(r->h, CURLOPT_POSTFIELDS, r->body ? r->body : "");
        curl_easy_setopt(r->h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)r->body_len);
        // curl would claim a form; like requests, send no type by default.
        if (!r->has_content_type && !s_add_header(r, "Content-Type:"))
            return false;
    }
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(r->h, CURLOPT_NOBODY, 1L);
    else if (strcmp(method, "GET") || r->body)
        curl_easy_setopt(r->h, CURLOPT_CUSTOMREQUEST, method);
    return true;
}

// auth "user:password", proxies {scheme: url}, verify (bool or CA file).
static bool
s_set_security(s_req_t *r)
{
    const char *auth = sr_value_str(wrk_run_arg(r->run, "auth"));
    if (auth && auth[0]) {
        const char *colon = strchr(auth, ':');
        if (!colon) {
            wrk_result_error(r->out, r->run->action,
                             "'auth' must be \"user:password\"");
            return false;
        }
        char *user = strndup(auth, (size_t)(colon - auth));
        if (!user) {
            wrk_result_error_value(r->out, NULL);
            return false;
        }
        curl_easy_setopt(r->h, CURLOPT_USERNAME, user);
        curl_easy_setopt(r->h, CURLOPT_PASSWORD, colon + 1);
        curl_easy_setopt(r->h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        free(user);
    }
    const sr_value_t *proxies = wrk_run_arg(r->run, "proxies");
    const char *scheme = strncasecmp(r->url, "https:", 6) ? "http" : "https";
    const char *proxy = sr_value_map_str(proxies, scheme);
    if (!proxy)
        proxy = sr_value_map_str(proxies, "all");
    if (proxy)
        curl_easy_setopt(r->h, CURLOPT_PROXY, proxy);
    const sr_value_t *verify = wrk_run_arg(r->run, "verify");
    if (sr_value_is(verify, SR_T_STR)) {
        curl_easy_setopt(r->h, CURLOPT_CAINFO, sr_value_str(verify));
    } else if (verify && !sr_value_bool(verify)) {
        curl_easy_setopt(r->h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(r->h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    return true;
}

static bool
s_prepare(s_req_t *r, wrk_http_resp_t *resp)
{
    if (!(r->h = curl_easy_init())) {
        wrk_result_error_value(r->out, NULL);
        return false;
    }
    if (!s_build_url(r) || !s_build_headers(r) || !s_build_cookie(r) ||
        !s_build_body(r) || !s_set_method(r) || !s_set_security(r))
        return false;
    CURL *h = r->h;
    curl_easy_setopt(h, CURLOPT_URL, r->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, r->headers);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "sirocco-workerd");
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    if (r->cookie)
        curl_easy_setopt(h, CURLOPT_COOKIE, r->cookie);
    bool follow = sr_value_bool(wrk_run_arg(r->run, "allow_redirects"));
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, follow ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, S_MAX_REDIRECTS);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, wrk_http_resp_on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, wrk_http_resp_on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, resp);
    return true;
}

// Run the transfer, polling the cancel handle next to curl's sockets.
// Returns the transfer's code, or sets *wake when stopped by the bound.
static CURLcode
s_perform(s_req_t *r, const wrk_bound_t *bound, wrk_wake_t *wake)
{
    CURLM *m = curl_multi_init();
    if (!m || curl_multi_add_handle(m, r->h) != CURLM_OK) {
        curl_multi_cleanup(m);
        return CURLE_OUT_OF_MEMORY;
    }
    CURLcode rc = CURLE_OK;
    int running = 1;
    while (running) {
        if (curl_multi_perform(m, &running) != CURLM_OK) {
            rc = CURLE_OUT_OF_MEMORY;
            break;
        }
        if (!running)
            break;
        if ((*wake = wrk_bound_check(bound)) != WRK_WAKE_OK)
            break;
        struct curl_waitfd extra = {.fd = wrk_cancel_fd(bound->cancel),
                                    .events = CURL_WAIT_POLLIN};
        curl_multi_poll(m, extra.fd >= 0 ? &extra : NULL, extra.fd >= 0 ? 1 : 0,
                        wrk_bound_poll_ms(bound, S_POLL_CAP_MS), NULL);
    }
    int left = 0;
    CURLMsg *msg;
    while (*wake == WRK_WAKE_OK && (msg = curl_multi_info_read(m, &left)))
        if (msg->msg == CURLMSG_DONE)
            rc = msg->data.result;
    curl_multi_remove_handle(m, r->h);
    curl_multi_cleanup(m);
    return rc;
}

// The result of a finished transfer: a map, ERROR when the status is not
// one Mistral counts as success (200..306).
static void
s_finish(s_req_t *r, wrk_http_resp_t *resp, CURLcode rc, wrk_wake_t wake)
{
    const char *action = r->run->action;
    if (wake != WRK_WAKE_OK) {
        wrk_result_error(r->out, action, "%s", wrk_wake_text(wake));
    } else if (resp->is_oom || rc == CURLE_OUT_OF_MEMORY) {
        wrk_result_error_value(r->out, NULL);
    } else if (resp->is_over) {
        wrk_result_error(r->out, action, "response exceeds %zu bytes",
                         resp->limit);
    } else if (rc != CURLE_OK) {
        wrk_result_error(r->out, action, "Failed to send HTTP request: %s",
                         r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc));
    } else {
        long status = 0;
        curl_easy_getinfo(r->h, CURLINFO_RESPONSE_CODE, &status);
        sr_value_t *result = wrk_http_resp_result(resp, r->h);
        if (status >= 200 && status < 307)
            wrk_result_success(r->out, result);
        else
            wrk_result_error_value(r->out, result);
    }
}

static void
s_http(const wrk_run_t *run, wrk_result_t *out)
{
    s_req_t r = {.run = run, .out = out};
    wrk_http_resp_t resp;
    wrk_http_resp_init(&resp, run->config->http_limit_bytes);
    sr_error_t err;
    if (wrk_http_global_init(&err) != SR_OK) {
        wrk_result_error(out, run->action, "%s", err.msg);
    } else if (s_prepare(&r, &resp)) {
        const sr_value_t *timeout = wrk_run_arg(run, "timeout");
        double secs = timeout ? sr_value_float(timeout) : 0.0;
        wrk_bound_t bound = wrk_bound_narrow(
            run->bound, secs > 0 ? (int64_t)(secs * 1000.0 + 0.5)
                                 : run->config->default_timeout_ms);
        wrk_wake_t wake = WRK_WAKE_OK;
        CURLcode rc = s_perform(&r, &bound, &wake);
        s_finish(&r, &resp, rc, wake);
    }
    wrk_http_resp_fini(&resp);
    curl_easy_cleanup(r.h);
    curl_slist_free_all(r.headers);
    free(r.url);
    free(r.body);
    free(r.cookie);
}

#define S_STR  WRK_T(SR_T_STR)
#define S_MAP  WRK_T(SR_T_MAP)
#define S_BOOL WRK_T(SR_T_BOOL)

static const wrk_param_t s_params[] = {
    {"url", S_STR, true, NULL, "http:// or https:// URL"},
    {"method", S_STR, false, "\"GET\"", "HTTP method"},
    {"params", S_MAP | S_STR, false, NULL,
     "query string: a map (lists repeat the key) or ready text"},
    {"body", 0, false, NULL,
     "request body: text as is, any other value as JSON"},
    {"json", 0, false, NULL, "request body as JSON (application/json)"},
    {"headers", S_MAP, false, NULL, "request headers (scalar values)"},
    {"cookies", S_MAP, false, NULL, "cookies to send (scalar values)"},
    {"auth", S_STR, false, NULL, "basic authentication \"user:password\""},
    {"timeout", WRK_T_NUMBER, false, NULL,
     "seconds for the whole request (default: the worker's)"},
    {"allow_redirects", S_BOOL, false, "false", "follow redirects"},
    {"proxies", S_MAP, false, NULL,
     "proxy URL per scheme: {\"http\": ..., \"https\": ..., \"all\": ...}"},
    {"verify", S_BOOL | S_STR, false, "true",
     "check the TLS certificate (or a CA bundle file to check it with)"},
};

const wrk_action_def_t wrk_http_action = {
    .name = "std.http",
    .doc = "sends one HTTP request; the result is the response as a map",
    .params = s_params,
    .n_params = sizeof s_params / sizeof s_params[0],
    .run = s_http, // blocks on the network: never inline
};
