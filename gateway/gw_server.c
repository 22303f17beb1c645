// libmicrohttpd glue: the daemon and its options (one thread per
// connection, limits, timeouts), the access handler that gathers a
// request (request line, headers, query, body within its limit) and
// answers it through gw_handle with a client borrowed from the pool.
// Owns the daemon and the pool; knows no route.
#include "gw_server.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "gw_clients.h"
#include "gw_watch.h"
#include "sr_log.h"

#define S_MAX_KV 256 // headers or query parameters per request
// libmicrohttpd keeps the request line and headers, a record (64 bytes)
// for each header and parameter and the head of the answer in one pool
// per connection; when it runs out, the answer is lost. The pool is
// max-header-bytes (the text) and room for the rest.
#define S_POOL_ROOM ((2 * S_MAX_KV + 32) * 64)

struct gw_server {
    struct MHD_Daemon *d;
    gw_t *gw;
    const gw_config_t *cfg;
    sr_client_opts_t client_opts; // borrows cfg's strings
    gw_clients_t *clients;        // owned
    gw_watch_t *watch;            // owned: the header deadline
    uint16_t port;
};

// One request in progress (MHD's per-request pointer, made when its
// request line is in; freed when it completes, or with its connection,
// for libmicrohttpd 0.9.75 forgets to say it completed when it closes a
// connection whose error answer it could not queue).
typedef struct {
    char *path; // decoded by us from the raw request line: may hold NUL
    size_t path_len;
    size_t nquery; // parameters in the raw query
    char *body;
    size_t len, cap;
    bool has_headers; // the access handler was called
    bool is_refused;  // answered on the raw socket, which is shut down
    bool is_too_big;
    int64_t start_ms;
} s_req_t;

// One connection (MHD's socket context): its record in the header
// deadline and the request in progress on it.
typedef struct {
    gw_watch_conn_t *watch; // owned by the watch; NULL: not watched
    s_req_t *req;           // owned; NULL between requests
} s_sock_t;

typedef struct {
    gw_kv_t items[S_MAX_KV];
    size_t n;
    bool is_full;
    bool has_nul; // a key or value holds a (decoded) NUL byte
} s_kvs_t;

// Gather headers or query parameters. Sizes come from libmicrohttpd, so
// that a decoded %00, which would cut a C string short, is seen.
static enum MHD_Result
s_collect(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
          const char *value, size_t value_size)
{
    (void)kind;
    s_kvs_t *kvs = cls;
    if (strlen(key) != key_size || (value && strlen(value) != value_size))
        kvs->has_nul = true;
    if (kvs->n == S_MAX_KV) {
        kvs->is_full = true;
        return MHD_NO;
    }
    kvs->items[kvs->n].key = key;
    kvs->items[kvs->n++].value = value;
    return MHD_YES;
}

static enum MHD_Result
s_send(struct MHD_Connection *conn, gw_resp_t *r)
{
    struct MHD_Response *mr = MHD_create_response_from_buffer(
        r->body_len, r->body,
        r->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!mr)
        return MHD_NO;
    r->body = NULL; // the response frees it
    char retry[24];
    if (r->content_type)
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
                                r->content_type);
    if (r->retry_after_s > 0) {
        snprintf(retry, sizeof retry, "%d", r->retry_after_s);
        MHD_add_response_header(mr, MHD_HTTP_HEADER_RETRY_AFTER, retry);
    }
    if (r->header_name)
        MHD_add_response_header(mr, r->header_name, r->header_value);
    enum MHD_Result ok = MHD_queue_response(conn, (unsigned)r->status, mr);
    MHD_destroy_response(mr);
    return ok;
}

// How a refusal made here (before any route) goes out.
typedef enum {
    S_ANSWER = 0,   // queued with libmicrohttpd
    S_ANSWER_CLOSE, // the same, and the connection closes after it (the
                    // request's body was not read: what follows is that
                    // body, not a request)
    S_ANSWER_RAW,   // written to the socket, which is then shut down
} s_how_t;

// Write `r` to the connection's socket and shut both directions down:
// libmicrohttpd reads the end of the stream and closes the connection.
// For what libmicrohttpd cannot answer: when its memory pool is full it
// loses the answer queued (0.9.75 even hangs until conn-timeout-s).
static void
s_write_raw(struct MHD_Connection *conn, const gw_resp_t *r)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!info)
        return;
    char head[256];
    int n =
        snprintf(head, sizeof head,
                 "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
                 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                 r->status, MHD_get_reason_phrase_for((unsigned)r->status),
                 r->content_type ? r->content_type : "text/plain", r->body_len);
    struct iovec iov[2] = {{head, (size_t)n}, {r->body, r->body_len}};
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = r->body ? 2 : 1};
    if (sendmsg(info->connect_fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
        sr_debug("gateway: a %d answer was not sent: %s", r->status,
                 strerror(errno));
    (void)shutdown(info->connect_fd, SHUT_RDWR);
}

// Refuse the request with a JSON error, counted as "unmatched". When
// libmicrohttpd cannot take the answer, it goes out raw (MHD_NO: the
// connection ends).
static enum MHD_Result
s_refuse(gw_server_t *s, struct MHD_Connection *conn, s_how_t how, int status,
         sr_err_t code, const char *msg)
{
    gw_resp_t r = {0};
    gw_resp_error(&r, status, code, "%s", msg);
    if (status == 503)
        r.retry_after_s = (int)s->cfg->retry_after_s;
    gw_metrics_record(gw_metrics(s->gw), gw_route_count(), status, 0);
    if (how == S_ANSWER_CLOSE) {
        r.header_name = MHD_HTTP_HEADER_CONNECTION;
        r.header_value = "close";
    }
    if (how != S_ANSWER_RAW && s_send(conn, &r) == MHD_YES) {
        gw_resp_fini(&r);
        return MHD_YES;
    }
    if (how != S_ANSWER_RAW) // s_send gave the body away
        gw_resp_error(&r, status, code, "%s", msg);
    s_write_raw(conn, &r);
    gw_resp_fini(&r);
    return MHD_NO;
}

// Gather one chunk of the body (discarded once over the limit).
static enum MHD_Result
s_upload(gw_server_t *s, s_req_t *cc, const char *data, size_t size)
{
    if (gw_clock_ms() - cc->start_ms > s->cfg->request_timeout_ms) {
        sr_warn("gateway: request body still arriving after %lld ms: "
                "dropped",
                (long long)s->cfg->request_timeout_ms);
        return MHD_NO; // close the connection
    }
    size_t max = (size_t)s->cfg->max_body_bytes;
    if (cc->is_too_big || size > max - cc->len) {
        cc->is_too_big = true;
        return MHD_YES;
    }
    if (cc->len + size > cc->cap) {
        size_t cap = cc->cap ? cc->cap : 4096;
        while (cap < cc->len + size)
            cap *= 2;
        char *b = realloc(cc->body, cap < max ? cap : max);
        if (!b)
            return MHD_NO;
        cc->body = b;
        cc->cap = cap < max ? cap : max;
    }
    memcpy(cc->body + cc->len, data, size);
    cc->len += size;
    return MHD_YES;
}

static enum MHD_Result
s_answer(gw_server_t *s, struct MHD_Connection *conn, const char *method,
         s_req_t *cc)
{
    s_kvs_t headers = {.n = 0}, query = {.n = 0};
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, s_collect, &headers);
    MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, s_collect, &query);
    if (!query.is_full && query.n < cc->nquery) {
        // libmicrohttpd ran out of room for the parameters: it closes the
        // connection whatever we queue, so answer on the socket.
        char msg[128];
        snprintf(msg, sizeof msg,
                 "the request line and headers need more room than "
                 "max-header-bytes (%lld)",
                 (long long)s->cfg->max_header_bytes);
        s_refuse(s, conn, S_ANSWER_RAW, 431, SR_ETOOBIG, msg);
        return MHD_NO;
    }
    if (headers.is_full || query.is_full)
        return s_refuse(s, conn, S_ANSWER, 400, SR_EINVAL,
                        "too many headers or query parameters");
    if (headers.has_nul || query.has_nul)
        return s_refuse(s, conn, S_ANSWER, 400, SR_EINVAL,
                        "a header or query parameter holds a NUL byte (%00)");
    for (size_t i = 0; i < query.n; i++)
        if (!gw_utf8_valid(query.items[i].key, strlen(query.items[i].key)) ||
            (query.items[i].value &&
             !gw_utf8_valid(query.items[i].value,
                            strlen(query.items[i].value))))
            return s_refuse(s, conn, S_ANSWER, 400, SR_EINVAL,
                            "the query is not UTF-8 text");
    sr_error_t err;
    sr_client_t *c = NULL;
    if (gw_clients_take(s->clients, &c, &err))
        return s_refuse(s, conn, S_ANSWER, 503, err.code, err.msg);
    gw_req_t req = {.method = gw_method_parse(method),
                    .path = cc->path,
                    .path_len = cc->path_len,
                    .query = query.items,
                    .nquery = query.n,
                    .headers = headers.items,
                    .nheaders = headers.n,
                    .body = cc->body ? cc->body : "",
                    .body_len = cc->len};
    gw_resp_t r = {0};
    gw_handle(s->gw, c, &req, &r);
    gw_clients_give(s->clients, &c);
    enum MHD_Result ok = s_send(conn, &r);
    gw_resp_fini(&r);
    return ok;
}

// How the body comes, checked as soon as the headers are in; refusals
// here are made before a byte of the body is read. libmicrohttpd cannot
// show the gateway the size of a chunk, so a chunked body could hold a
// connection for as long as it claims: bodies come with Content-Length.
static enum MHD_Result
s_framing(gw_server_t *s, struct MHD_Connection *conn)
{
    const char *te = MHD_lookup_connection_value(
        conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    const char *cl = MHD_lookup_connection_value(
        conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    char msg[160];
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    if (info && info->header_size > (size_t)s->cfg->max_header_bytes) {
        snprintf(msg, sizeof msg,
                 "the request line and headers are over max-header-bytes "
                 "(%lld)",
                 (long long)s->cfg->max_header_bytes);
        return s_refuse(s, conn, S_ANSWER_CLOSE, 431, SR_ETOOBIG, msg);
    }
    if (te && cl)
        return s_refuse(s, conn, S_ANSWER_CLOSE, 400, SR_EINVAL,
                        "a request has Transfer-Encoding or "
                        "Content-Length, not both");
    if (te && strcasecmp(te, "chunked") != 0) {
        snprintf(msg, sizeof msg,
                 "Transfer-Encoding '%.64s' is not supported: send the body "
                 "with Content-Length",
                 te);
        return s_refuse(s, conn, S_ANSWER_CLOSE, 501, SR_EINVAL, msg);
    }
    if (te)
        return s_refuse(s, conn, S_ANSWER_CLOSE, 411, SR_EINVAL,
                        "a body must come with Content-Length (the "
                        "gateway does not take chunked bodies)");
    if (cl &&
        strtoull(cl, NULL, 10) > (unsigned long long)s->cfg->max_body_bytes) {
        snprintf(msg, sizeof msg, "the body is over %lld bytes",
                 (long long)s->cfg->max_body_bytes);
        return s_refuse(s, conn, S_ANSWER_CLOSE, 413, SR_ETOOBIG, msg);
    }
    return MHD_YES;
}

// The connection's record (its socket context); NULL when it has none.
static s_sock_t *
s_sock(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

static void
s_req_free(s_req_t **req_p)
{
    if (!*req_p)
        return;
    free((*req_p)->path);
    free((*req_p)->body);
    free(*req_p);
    *req_p = NULL;
}

// A connection opens or closes (before its socket is closed).
static void
s_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
             enum MHD_ConnectionNotificationCode code)
{
    gw_server_t *s = cls;
    s_sock_t *sock = *socket_context;
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        if (sock) {
            s_req_free(&sock->req);
            gw_watch_end(s->watch, &sock->watch);
            free(sock);
            *socket_context = NULL;
        }
        return;
    }
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!info || !(sock = calloc(1, sizeof *sock)) ||
        !(sock->watch = gw_watch_begin(s->watch, info->connect_fd)))
        sr_warn("gateway: out of memory: a connection has no header "
                "deadline");
    *socket_context = sock;
}

static enum MHD_Result
s_access(void *cls, struct MHD_Connection *conn, const char *url,
         const char *method, const char *version, const char *upload_data,
         size_t *upload_data_size, void **con_cls)
{
    (void)url, (void)version; // the path is cc's, with its length
    gw_server_t *s = cls;
    s_req_t *cc = *con_cls;
    if (!cc || !cc->path || cc->is_refused)
        return MHD_NO;      // out of memory at the request line, or refused
    if (!cc->has_headers) { // headers are in; the body (if any) comes next
        cc->has_headers = true;
        s_sock_t *sock = s_sock(conn);
        gw_watch_headers_in(s->watch, sock ? sock->watch : NULL);
        return s_framing(s, conn);
    }
    if (*upload_data_size) {
        enum MHD_Result ok = s_upload(s, cc, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return ok;
    }
    if (cc->is_too_big) {
        char msg[96];
        snprintf(msg, sizeof msg, "the body is over %lld bytes",
                 (long long)s->cfg->max_body_bytes);
        return s_refuse(s, conn, S_ANSWER, 413, SR_ETOOBIG, msg);
    }
    return s_answer(s, conn, method, cc);
}

// How many parameters libmicrohttpd makes of a raw query: its
// '&'-separated pieces, but for an empty last one.
static size_t
s_count_params(const char *query)
{
    size_t n = *query ? 1 : 0;
    for (const char *p = query; *p; p++)
        if (*p == '&' && p[1])
            n++;
    return n;
}

// The request line is in: start the request's record with its path,
// decoded here from the raw target (libmicrohttpd's decoded `url` is a C
// string that a %00 would end). Its return is the request's *con_cls.
static void *
s_request_line(void *cls, const char *uri, struct MHD_Connection *conn)
{
    gw_server_t *s = cls;
    s_req_t *cc = calloc(1, sizeof *cc);
    if (!cc)
        return NULL;
    s_sock_t *sock = s_sock(conn);
    if (sock) {
        s_req_free(&sock->req); // one libmicrohttpd did not complete
        sock->req = cc;
    }
    cc->start_ms = gw_clock_ms();
    if (!uri) // a request line without a target
        uri = "";
    size_t n = strcspn(uri, "?");
    if ((cc->path = strndup(uri, n)))
        cc->path_len = MHD_http_unescape(cc->path);
    cc->nquery = uri[n] ? s_count_params(uri + n + 1) : 0;
    // Refused here, before libmicrohttpd makes a record of each parameter
    // and runs out of room: answered on the socket (see s_write_raw).
    char msg[128];
    if (strlen(uri) > (size_t)s->cfg->max_header_bytes) {
        snprintf(msg, sizeof msg,
                 "the request target is over max-header-bytes (%lld)",
                 (long long)s->cfg->max_header_bytes);
        s_refuse(s, conn, S_ANSWER_RAW, 414, SR_ETOOBIG, msg);
        cc->is_refused = true;
    } else if (cc->nquery > S_MAX_KV) {
        snprintf(msg, sizeof msg, "too many query parameters: %zu, at most %d",
                 cc->nquery, S_MAX_KV);
        s_refuse(s, conn, S_ANSWER_RAW, 400, SR_EINVAL, msg);
        cc->is_refused = true;
    }
    return cc;
}

static void
s_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
            enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    gw_server_t *s = cls;
    s_sock_t *sock = s_sock(conn);
    s_req_t *cc = *con_cls;
    if (sock) {
        gw_watch_answered(s->watch, sock->watch); // keep-alive: next one
        if (sock->req == cc)
            sock->req = NULL;
    }
    s_req_free(&cc);
    *con_cls = NULL;
}

static void
s_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    sr_debug("gateway: http: %s", msg);
}

// "HOST:PORT" or "[V6]:PORT" into an address.
static sr_err_t
s_resolve(const char *listen, struct addrinfo **out, sr_error_t *err)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    const char *h = listen;
    size_t hl = colon ? (size_t)(colon - listen) : 0;
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (!colon || hl == 0 || hl >= sizeof host || !colon[1])
        return sr_error_set(err, SR_EINVAL,
                            "listen address '%.64s' must read HOST:PORT",
                            listen);
    memcpy(host, h, hl);
    host[hl] = '\0';
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    int rc = getaddrinfo(host, colon + 1, &hints, out);
    if (rc)
        return sr_error_set(err, SR_EINVAL, "listen address '%.64s': %s",
                            listen, gai_strerror(rc));
    return SR_OK;
}

// Listen on `address` ("HOST:PORT") alone: no SO_REUSEPORT, so that a
// second gateway on an address in use fails at its start instead of
// sharing the traffic (SO_REUSEADDR only lets a restart bind while old
// connections linger in TIME_WAIT). *fd is the socket, *family its
// address family.
static sr_err_t
s_listen(const char *address, int *fd, int *family, sr_error_t *err)
{
    struct addrinfo *ai = NULL;
    sr_err_t rc = s_resolve(address, &ai, err);
    if (rc)
        return rc;
    int on = 1;
    int sock = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0 ||
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        (ai->ai_family == AF_INET6 && // [::] is IPv6 only, as it was
         setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0) ||
        bind(sock, ai->ai_addr, ai->ai_addrlen) != 0 ||
        listen(sock, SOMAXCONN) != 0) {
        int e = errno;
        rc = sr_error_set(err, SR_EIO, "cannot listen on %s: %s%s", address,
                          strerror(e),
                          e == EADDRINUSE ? " (another gateway or program "
                                            "listens there)"
                                          : "");
        if (sock >= 0)
            close(sock);
    } else {
        *fd = sock;
        *family = ai->ai_family;
    }
    freeaddrinfo(ai);
    return rc;
}

static void
s_free(gw_server_t *s)
{
    if (s->d)
        MHD_stop_daemon(s->d); // closes the listening socket too
    gw_clients_destroy(&s->clients);
    gw_watch_destroy(&s->watch);
    free(s);
}

sr_err_t
gw_server_start(gw_t *gw, const gw_config_t *cfg, gw_server_t **out,
                sr_error_t *err)
{
    int fd = -1, family = AF_INET;
    sr_err_t rc = SR_OK;
    gw_server_t *s = calloc(1, sizeof *s);
    if (s) {
        s->gw = gw;
        s->cfg = cfg;
        s->client_opts.curve_secret = cfg->curve_secret;
        s->client_opts.curve_server_key = cfg->curve_server_key;
        s->clients = gw_clients_new(cfg->cluster, &s->client_opts,
                                    (size_t)cfg->idle_clients);
    }
    if (!s || !s->clients) {
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
        goto fail;
    }
    // The cluster list and keys are checked here; the first client waits
    // in the pool for the first request.
    sr_client_t *first = NULL;
    if ((rc = gw_clients_take(s->clients, &first, err)))
        goto fail;
    gw_clients_give(s->clients, &first);
    if ((rc = gw_watch_new(cfg->header_timeout_ms, &s->watch, err)) ||
        (rc = s_listen(cfg->listen, &fd, &family, err)))
        goto fail;
    // One thread per connection: a request that waits for an engine
    // (up to engine-timeout-ms) holds up no other client.
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD |
                     MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG |
                     (family == AF_INET6 ? MHD_USE_IPv6 : 0);
    s->d = MHD_start_daemon(
        flags, 0, NULL, NULL, s_access, s, MHD_OPTION_EXTERNAL_LOGGER,
        s_mhd_log, s, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)cfg->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)cfg->max_connections_per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)cfg->conn_timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)cfg->max_header_bytes + S_POOL_ROOM,
        MHD_OPTION_URI_LOG_CALLBACK, s_request_line, s,
        MHD_OPTION_NOTIFY_COMPLETED, s_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, s_connection, s, MHD_OPTION_END);
    if (!s->d) {
        close(fd);
        rc = sr_error_set(err, SR_EIO,
                          "cannot serve HTTP on %s: libmicrohttpd does not "
                          "start (see its log lines, --log-level debug)",
                          cfg->listen);
        goto fail;
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    *out = s;
    return SR_OK;
fail:
    if (s)
        s_free(s);
    return rc;
}

uint16_t
gw_server_port(const gw_server_t *s)
{
    return s->port;
}

void
gw_server_stop(gw_server_t **s_p)
{
    if (!s_p || !*s_p)
        return;
    s_free(*s_p); // the daemon first: its threads give their clients back
    *s_p = NULL;
}
