// Tests of std.http against a small libmicrohttpd server on 127.0.0.1 with
// a port picked by the kernel, plus raw sockets for timeouts and refusals.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sr_value_json.h"
#include "wrk_registry.h"
#include "wrk_test_support.h"

#define S_LIMIT 1000 // response limit of the test registry

typedef struct {
    struct MHD_Daemon *mhd;
    int port;
    wrk_registry_t *reg;
} s_fix_t;

typedef struct {
    char *data;
    size_t len;
} s_upload_t;

static enum MHD_Result
s_collect(void *cls, enum MHD_ValueKind kind, const char *key,
          const char *value)
{
    (void)kind;
    sr_value_map_put(cls, key, sr_value_new_str(value ? value : ""));
    return MHD_YES;
}

// {"method", "query", "headers" (a few), "body"} of the request.
static char *
s_echo_json(struct MHD_Connection *c, const char *method, s_upload_t *up)
{
    sr_value_t *m = sr_value_new_map(4);
    sr_value_t *query = sr_value_new_map(4);
    sr_value_t *headers = sr_value_new_map(4);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, s_collect, query);
    const char *names[] = {"X-Token", "Content-Type", "Cookie", "Authorization",
                           "X-Empty"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, names[i]);
        if (v)
            sr_value_map_put(headers, names[i], sr_value_new_str(v));
    }
    sr_value_map_put(m, "method", sr_value_new_str(method));
    sr_value_map_put(m, "query", query);
    sr_value_map_put(m, "headers", headers);
    sr_value_map_put(m, "body",
                     sr_value_new_strn(up->data ? up->data : "", up->len));
    char *text = sr_value_to_json(m, SR_JSON_COMPACT);
    sr_value_destroy(&m);
    return text;
}

static enum MHD_Result
s_reply(struct MHD_Connection *c, unsigned status, const char *type,
        const char *body, size_t len, const char *h_name, const char *h_val)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", type);
    if (h_name)
        MHD_add_response_header(r, h_name, h_val);
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result
s_route(struct MHD_Connection *c, const char *url, const char *method,
        s_upload_t *up)
{
    if (!strncmp(url, "http://", 7)) // absolute form: we are a proxy
        return s_reply(c, 200, "text/plain", url, strlen(url), NULL, NULL);
    if (!strcmp(url, "/echo")) {
        char *json = s_echo_json(c, method, up);
        enum MHD_Result rc =
            s_reply(c, 200, "application/json", json, strlen(json), NULL, NULL);
        free(json);
        return rc;
    }
    if (!strcmp(url, "/text"))
        return s_reply(c, 200, "text/plain; charset=utf-8", "hello world", 11,
                       "Set-Cookie", "sid=abc123; Path=/");
    if (!strcmp(url, "/number"))
        return s_reply(c, 200, "text/plain", "42", 2, NULL, NULL);
    if (!strcmp(url, "/binary"))
        return s_reply(c, 200, "application/octet-stream", "\xff\xfe\x01", 3,
                       NULL, NULL);
    if (!strcmp(url, "/redirect"))
        return s_reply(c, 302, "text/plain", "", 0, "Location", "/text");
    if (!strcmp(url, "/big")) {
        char big[S_LIMIT * 5];
        memset(big, 'b', sizeof big);
        return s_reply(c, 200, "text/plain", big, sizeof big, NULL, NULL);
    }
    const char *missing = "{\"error\": \"no such thing\"}";
    return s_reply(c, 404, "application/json", missing, strlen(missing), NULL,
                   NULL);
}

static enum MHD_Result
s_handler(void *cls, struct MHD_Connection *c, const char *url,
          const char *method, const char *version, const char *data,
          size_t *data_size, void **con_cls)
{
    (void)cls, (void)version;
    s_upload_t *up = *con_cls;
    if (!up) {
        *con_cls = calloc(1, sizeof *up);
        return *con_cls ? MHD_YES : MHD_NO;
    }
    if (*data_size) {
        char *grown = realloc(up->data, up->len + *data_size);
        if (!grown)
            return MHD_NO;
        memcpy(grown + up->len, data, *data_size);
        up->data = grown;
        up->len += *data_size;
        *data_size = 0;
        return MHD_YES;
    }
    return s_route(c, url, method, up);
}

static void
s_completed(void *cls, struct MHD_Connection *c, void **con_cls,
            enum MHD_RequestTerminationCode code)
{
    (void)cls, (void)c, (void)code;
    s_upload_t *up = *con_cls;
    if (up)
        free(up->data);
    free(up);
    *con_cls = NULL;
}

static int
s_setup(void **state)
{
    s_fix_t *f = calloc(1, sizeof *f);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    f->mhd = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
        s_handler, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_NOTIFY_COMPLETED, s_completed, NULL, MHD_OPTION_END);
    if (!f->mhd)
        return -1;
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(f->mhd, MHD_DAEMON_INFO_BIND_PORT);
    f->port = info ? info->port : 0;
    wrk_config_t cfg = {.http_limit_bytes = S_LIMIT};
    sr_error_t err;
    if (f->port == 0 || wrk_registry_new(&cfg, &f->reg, &err) != SR_OK)
        return -1;
    *state = f;
    return 0;
}

static int
s_teardown(void **state)
{
    s_fix_t *f = *state;
    MHD_stop_daemon(f->mhd);
    wrk_registry_destroy(&f->reg);
    free(f);
    return 0;
}

// Run std.http with input JSON whose "%d" is replaced by the port.
static wrk_result_t
s_http(const s_fix_t *f, const char *input_fmt, int port, int64_t deadline,
       wrk_cancel_t *cancel)
{
    char input[1024];
    snprintf(input, sizeof input, input_fmt, port ? port : f->port);
    return wt_run(f->reg, "std.http", input, NULL, deadline, cancel);
}

static const sr_value_t *
s_at(const sr_value_t *v, const char *k1, const char *k2)
{
    const sr_value_t *x = sr_value_map_get(v, k1);
    return k2 ? sr_value_map_get(x, k2) : x;
}

static void
get_with_params_and_headers_reaches_the_server(void **state)
{
    s_fix_t *f = *state;
    wrk_result_t r = s_http(
        f,
        "{\"url\": \"http://127.0.0.1:%d/echo\", \"params\": {\"q\": \"a b&c\","
        " \"n\": 3, \"flag\": true, \"many\": [1, 2], \"skip\": null},"
        " \"headers\": {\"X-Token\": \"secret\", \"X-Empty\": \"\"},"
        " \"cookies\": {\"sid\": \"s1\", \"n\": 7}, \"auth\": \"bob:pa:ss\"}",
        0, 10000, NULL);
    assert_int_equal(r.status, WRK_SUCCESS);
    const sr_value_t *content = s_at(r.value, "content", NULL);
    assert_string_equal(sr_value_map_str(content, "method"), "GET");
    char *query = sr_value_to_json(s_at(content, "query", NULL), 0);
    // MHD keeps the last of repeated keys.
    assert_string_equal(query, "{\"q\":\"a b&c\",\"n\":\"3\",\"flag\":\"True\","
                               "\"many\":\"2\"}");
    free(query);
    const sr_value_t *h = s_at(content, "headers", NULL);
    assert_string_equal(sr_value_map_str(h, "X-Token"), "secret");
    assert_string_equal(sr_value_map_str(h, "X-Empty"), "");
    assert_string_equal(sr_value_map_str(h, "Cookie"), "sid=s1; n=7");
    // base64("bob:pa:ss")
    assert_string_equal(sr_value_map_str(h, "Authorization"),
                        "Basic Ym9iOnBhOnNz");
    int64_t status = 0;
    assert_true(sr_value_map_int(r.value, "status", &status));
    assert_int_equal(status, 200);
    assert_string_equal(sr_value_map_str(r.value, "reason"), "OK");
    assert_non_null(strstr(sr_value_map_str(r.value, "url"), "/echo?q=a%20b"));
    assert_string_equal(
        sr_value_map_str(s_at(r.value, "headers", NULL), "Content-Type"),
        "application/json");
    wrk_result_fini(&r);
}

static void
post_json_body_is_sent_as_json(void **state)
{
    s_fix_t *f = *state;
    wrk_result_t r = s_http(f,
                            "{\"url\": \"http://127.0.0.1:%d/echo\", "
                            "\"method\": \"post\", \"body\": {\"a\": [1, 2]}}",
                            0, 10000, NULL);
    assert_int_equal(r.status, WRK_SUCCESS);
    const sr_value_t *content = s_at(r.value, "content", NULL);
    assert_string_equal(sr_value_map_str(content, "method"), "POST");
    assert_string_equal(sr_value_map_str(content, "body"), "{\"a\": [1, 2]}");
    assert_string_equal(
        sr_value_map_str(s_at(content, "headers", NULL), "Content-Type"),
        "application/json");
    wrk_result_fini(&r);

    r = s_http(f,
               "{\"url\": \"http://127.0.0.1:%d/echo\", \"method\": \"PUT\", "
               "\"json\": [true], \"headers\": {\"Content-Type\": "
               "\"application/vnd.x+json\"}}",
               0, 10000, NULL);
    assert_int_equal(r.status, WRK_SUCCESS);
    content = s_at(r.value, "content", NULL);
    assert_string_equal(sr_value_map_str(content, "method"), "PUT");
    assert_string_equal(sr_value_map_str(content, "body"), "[true]");
    assert_string_equal(
        sr_value_map_str(s_at(content, "headers", NULL), "Content-Type"),
        "application/vnd.x+json");
    wrk_result_fini(&r);
}

static void
text_body_is_sent_as_is_without_a_made_up_type(void **state)
{
    s_fix_t *f = *state;
    wrk_result_t r = s_http(f,
                            "{\"url\": \"http://127.0.0.1:%d/echo\", "
                            "\"method\": \"POST\", \"body\": \"a=1&b=2\"}",
                            0, 10000, NULL);
    assert_int_equal(r.status, WRK_SUCCESS);
    const sr_value_t *content = s_at(r.value, "content", NULL);
    assert_string_equal(sr_value_map_str(content, "body"), "a=1&b=2");
    assert_null(
        sr_value_map_get(s_at(content, "headers", NULL), "Content-Type"));
    wrk_result_fini(&r);
}

static void
responses_that_are_not_json_stay_text_or_binary(void **state)
{
    s_fix_t *f = *state;
    wrk_result_t r =
        s_http(f, "{\"url\": \"http://127.0.0.1:%d/text\"}", 0, 10000, NULL);
    assert_int_equal(r.status, WRK_SUCCESS);
    assert_string_equal(sr_value_map_str(r.value, "content"), "hello world");
    assert_string_equal(sr_value_map_str(r.value, "encoding"), "utf-8");
    assert_string_equal(sr_value_map_str(s_at(r.value, "cookies", NULL), "sid"),
                        "abc123");
    wrk_result_fini(&r);
    // Like Mistral's resp.json(): a body that parses as JSON is JSON.
    r = s_http(f, "{\"url\": \"http://127.0.0.1:%d/number\"}", 0, 10000, NULL);
    assert_int_equal(r.status, WRK_SUCCESS);
    assert_int_equal(sr_value_int(s_at(r.value, "content", NULL)), 42);
    assert_true(sr_value_is(s_at(r.value, "encoding", NULL), SR_T_NIL));
    wrk_result_fini(&r);
    r = s_http(f, "{\"url\": \"http://127.0.0.1:%d/binary\"}", 0, 10000, NULL);
    assert_int_equal(r.status, WRK_SUCCESS);
    assert_true(sr_value_is(s_at(r.value, "content", NULL), SR_T_BIN));
    wrk_result_fini(&r);
}

static void
not_found_is_an_error_carrying_the_response(void **state)
{
    s_fix_t *f = *state;
    wrk_result_t r =
        s_http(f, "{\"url\": \"http://127.0.0.1:%d/missing\"}", 0, 10000, NULL);
    assert_int_equal(r.status, WRK_ERROR);
    int64_t status = 0;
    assert_true(sr_value_map_int(r.value, "status", &status));
    assert_int_equal(status, 404);
    assert_string_equal(sr_value_map_str(r.value, "reason"), "Not Found");
    assert_string_equal(
        sr_value_map_str(s_at(r.value, "content", NULL), "error"),
        "no such thing");
    wrk_result_fini(&r);
}

static void
redirects_are_followed_only_when_allowed(void **state)
{
    s_fix_t *f = *state;
    wrk_result_t r = s_http(f, "{\"url\": \"http://127.0.0.1:%d/redirect\"}", 0,
                            10000, NULL);
    assert_int_equal(r.status, WRK_SUCCESS); // 302 is in 200..306
    int64_t status = 0;
    assert_true(sr_value_map_int(r.value, "status", &status));
    assert_int_equal(status, 302);
    wrk_result_fini(&r);
    r = s_http(f,
               "{\"url\": \"http://127.0.0.1:%d/redirect\", "
               "\"allow_redirects\": true}",
               0, 10000, NULL);
    assert_int_equal(r.status, WRK_SUCCESS);
    assert_string_equal(sr_value_map_str(r.value, "content"), "hello world");
    assert_non_null(strstr(sr_value_map_str(r.value, "url"), "/text"));
    wrk_result_fini(&r);
}

static void
oversized_response_is_an_error(void **state)
{
    s_fix_t *f = *state;
    wrk_result_t r =
        s_http(f, "{\"url\": \"http://127.0.0.1:%d/big\"}", 0, 10000, NULL);
    wt_assert_result(&r, WRK_ERROR,
                     "\"std.http: response exceeds 1000 bytes\"");
    wrk_result_fini(&r);
}

// A listening socket that never accepts: connections hang unanswered.
static int
s_silent_server(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(listen(fd, 8), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    *port = ntohs(addr.sin_port);
    return fd;
}

static void
timeout_parameter_and_deadline_stop_a_hanging_request(void **state)
{
    s_fix_t *f = *state;
    int port = 0;
    int fd = s_silent_server(&port);
    int64_t start = wrk_mono_ms();
    wrk_result_t r =
        s_http(f, "{\"url\": \"http://127.0.0.1:%d/\", \"timeout\": 0.2}", port,
               0, NULL);
    int64_t took = wrk_mono_ms() - start;
    wt_assert_result(&r, WRK_ERROR, "\"std.http: timed out\"");
    assert_true(took >= 150 && took < 3000);
    wrk_result_fini(&r);
    start = wrk_mono_ms();
    r = s_http(f, "{\"url\": \"http://127.0.0.1:%d/\"}", port, 200, NULL);
    took = wrk_mono_ms() - start;
    wt_assert_result(&r, WRK_ERROR, "\"std.http: timed out\"");
    assert_true(took < 3000);
    wrk_result_fini(&r);
    close(fd);
}

static void
cancel_stops_a_hanging_request_promptly(void **state)
{
    s_fix_t *f = *state;
    int port = 0;
    int fd = s_silent_server(&port);
    wrk_cancel_t *cancel = NULL;
    sr_error_t err;
    assert_int_equal(wrk_cancel_new(&cancel, &err), SR_OK);
    wt_timer_t timer;
    int64_t start = wrk_mono_ms();
    wt_timer_start(&timer, cancel, 100);
    wrk_result_t r =
        s_http(f, "{\"url\": \"http://127.0.0.1:%d/\"}", port, 0, cancel);
    int64_t took = wrk_mono_ms() - start;
    wt_timer_join(&timer);
    wt_assert_result(&r, WRK_ERROR, "\"std.http: cancelled\"");
    assert_true(took < 900); // well before curl's one-second idle tick
    wrk_result_fini(&r);
    wrk_cancel_destroy(&cancel);
    close(fd);
}

static void
transport_errors_carry_curls_message(void **state)
{
    s_fix_t *f = *state;
    int port = 0;
    int fd = s_silent_server(&port);
    close(fd); // nothing listens there any more
    wrk_result_t r =
        s_http(f, "{\"url\": \"http://127.0.0.1:%d/\"}", port, 10000, NULL);
    wt_assert_error_has(&r, "std.http: Failed to send HTTP request: ");
    wrk_result_fini(&r);
    r = wt_run(f->reg, "std.http", "{\"url\": \"file:///etc/passwd\"}", NULL,
               10000, NULL);
    wt_assert_error_has(&r, "Failed to send HTTP request: ");
    wrk_result_fini(&r);
}

static void
bad_parameters_are_refused_before_sending(void **state)
{
    s_fix_t *f = *state;
    struct {
        const char *input, *part;
    } cases[] = {
        {"{}", "std.http: missing required parameter 'url'"},
        {"{\"url\": 5}", "'url' must be a string, not int"},
        {"{\"url\": \"http://x\", \"body\": \"a\", \"json\": 1}",
         "Only one of the parameters 'json' and 'body' can be passed"},
        {"{\"url\": \"http://x\", \"headers\": {\"X-A\": \"a\\r\\nB: c\"}}",
         "header 'X-A' is not valid"},
        {"{\"url\": \"http://x\", \"headers\": {\"Bad Name\": \"a\"}}",
         "header 'Bad Name' is not valid"},
        {"{\"url\": \"http://x\", \"headers\": {\"X-L\": [1]}}",
         "header 'X-L' is not valid"},
        {"{\"url\": \"http://x\", \"auth\": \"nocolon\"}",
         "'auth' must be \"user:password\""},
        {"{\"url\": \"http://x\", \"method\": \"GE T\"}",
         "'method' 'GE T' is not valid"},
        {"{\"url\": \"http://x\", \"params\": {\"a\": {\"b\": 1}}}",
         "'params' entry 'a' must be a scalar"},
        {"{\"url\": \"http://x\", \"cookies\": {\"c\": [1]}}",
         "cookie 'c' must have a scalar value"},
        {"{\"url\": \"http://x\", \"timeout\": \"1\"}",
         "'timeout' must be a number, not string"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wrk_result_t r =
            wt_run(f->reg, "std.http", cases[i].input, NULL, 10000, NULL);
        wt_assert_error_has(&r, cases[i].part);
        wrk_result_fini(&r);
    }
}

static void
proxies_send_the_request_through_the_proxy_of_the_scheme(void **state)
{
    s_fix_t *f = *state;
    wrk_result_t r = s_http(f,
                            "{\"url\": \"http://sirocco.invalid/thing\", "
                            "\"proxies\": {\"http\": \"http://127.0.0.1:%d\"}}",
                            0, 10000, NULL);
    assert_int_equal(r.status, WRK_SUCCESS);
    assert_string_equal(sr_value_map_str(r.value, "content"),
                        "http://sirocco.invalid/thing");
    wrk_result_fini(&r);
}

#define S_TEST(f) cmocka_unit_test_setup_teardown(f, s_setup, s_teardown)

int
main(void)
{
    // The tests talk to 127.0.0.1 directly, whatever the machine's proxy.
    const char *proxy_vars[] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
                                "HTTPS_PROXY", "all_proxy",  "ALL_PROXY"};
    for (size_t i = 0; i < sizeof proxy_vars / sizeof proxy_vars[0]; i++)
        unsetenv(proxy_vars[i]);
    const struct CMUnitTest tests[] = {
        S_TEST(get_with_params_and_headers_reaches_the_server),
        S_TEST(post_json_body_is_sent_as_json),
        S_TEST(text_body_is_sent_as_is_without_a_made_up_type),
        S_TEST(responses_that_are_not_json_stay_text_or_binary),
        S_TEST(not_found_is_an_error_carrying_the_response),
        S_TEST(redirects_are_followed_only_when_allowed),
        S_TEST(oversized_response_is_an_error),
        S_TEST(timeout_parameter_and_deadline_stop_a_hanging_request),
        S_TEST(cancel_stops_a_hanging_request_promptly),
        S_TEST(transport_errors_carry_curls_message),
        S_TEST(bad_parameters_are_refused_before_sending),
        S_TEST(proxies_send_the_request_through_the_proxy_of_the_scheme),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
