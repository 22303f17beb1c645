/* The client's sockets and the one receive loop every call goes through.
 * Owns one DEALER per engine (ZMQ_IMMEDIATE, so nothing is queued for an
 * engine that is not connected and a request never reaches an engine
 * after its caller gave up), the request-id counter and a ring of queued
 * EVENTs. Answers to requests that timed out are dropped when they come.
 * Does not route, retry or interpret replies (sr_client.c does).
 * Thread rule: one thread.
 */
#include "sr_client_conn.h"

#include <czmq.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sr_client_queue.h"
#include "sr_curve.h"
#include "sr_id.h"
#include "sr_log.h"
#include "sr_wire.h"

typedef struct {
    char *endpoint;     // owned
    zsock_t *sock;      // owned DEALER
    int64_t sent_ms;    // monotonic time of our last message to it
    bool is_subscribed; // send it heartbeats
} s_engine_t;

struct sr_client_conn {
    s_engine_t engines[SR_CLIENT_ENGINES_MAX];
    size_t count;
    int64_t next_req_id;
    int heartbeat_ms;
    bool is_curve; // CurveZMQ: a refused key looks like an engine down
    sr_limits_t limits;
    sr_client_queue_t *events;        // owned; EVENTs as maps
    sr_client_event_seen_fn *on_seen; // NULL: no observer
    void *seen_arg;
};

// --- opening ------------------------------------------------------------

static sr_err_t
s_engine_open(s_engine_t *e, const char *ep, size_t len,
              const sr_curve_t *curve, const sr_limits_t *limits,
              sr_error_t *err)
{
    e->endpoint = strndup(ep, len);
    e->sock = zsock_new(ZMQ_DEALER);
    if (!e->endpoint || !e->sock)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    zsock_set_immediate(e->sock, 1);
    zsock_set_linger(e->sock, 0);
    zsock_set_sndhwm(e->sock, 10000);
    sr_wire_set_max_frame(e->sock, limits);
    sr_err_t rc = curve ? sr_curve_apply_client(curve, e->sock, err) : SR_OK;
    if (rc)
        return rc;
    if (zsock_connect(e->sock, "%s", e->endpoint) != 0)
        return sr_error_set(err, SR_EINVAL, "endpoint '%s': %s", e->endpoint,
                            zmq_strerror(errno));
    return SR_OK;
}

static bool
s_is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

// Split "a, b,c" and open each entry.
static sr_err_t
s_open_all(sr_client_conn_t *cn, const char *list, const sr_curve_t *curve,
           sr_error_t *err)
{
    const char *p = list;
    for (;;) {
        const char *end = strchr(p, ',');
        const char *stop = end ? end : p + strlen(p);
        while (p < stop && s_is_space(*p))
            p++;
        size_t len = (size_t)(stop - p);
        while (len > 0 && s_is_space(p[len - 1]))
            len--;
        if (len == 0)
            return sr_error_set(err, SR_EINVAL,
                                "engine endpoint %zu of '%s' is empty",
                                cn->count + 1, list);
        if (cn->count == SR_CLIENT_ENGINES_MAX)
            return sr_error_set(err, SR_EINVAL, "more than %d engine endpoints",
                                SR_CLIENT_ENGINES_MAX);
        for (size_t i = 0; i < cn->count; i++)
            if (strlen(cn->engines[i].endpoint) == len &&
                memcmp(cn->engines[i].endpoint, p, len) == 0)
                return sr_error_set(err, SR_EINVAL,
                                    "engine endpoint '%.*s' is given twice",
                                    (int)len, p);
        sr_err_t rc = s_engine_open(&cn->engines[cn->count++], p, len, curve,
                                    &cn->limits, err);
        if (rc)
            return rc;
        if (!end)
            return SR_OK;
        p = end + 1;
    }
}

// The CurveZMQ keys of `opts`, or *out NULL when none are given.
static sr_err_t
s_curve_load(const sr_client_opts_t *opts, sr_curve_t **out, sr_error_t *err)
{
    const char *secret = opts ? opts->curve_secret : NULL;
    const char *server = opts ? opts->curve_server_key : NULL;
    if (!secret && !server)
        return SR_OK;
    if (!secret || !server)
        return sr_error_set(err, SR_EINVAL,
                            "CurveZMQ needs both this client's secret key "
                            "and the engines' public key (%s is missing)",
                            secret ? "the server key" : "the secret key");
    return sr_curve_load(secret, server, out, err);
}

sr_err_t
sr_client_conn_open(const char *endpoints, const sr_client_opts_t *opts,
                    sr_client_conn_t **out, sr_error_t *err)
{
    if (!endpoints)
        return sr_error_set(err, SR_EINVAL, "no engine endpoints given");
    sr_client_conn_t *cn = calloc(1, sizeof *cn);
    if (!cn)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    cn->next_req_id = 1;
    cn->heartbeat_ms = opts && opts->heartbeat_ms > 0 ? opts->heartbeat_ms
                                                      : SR_CLIENT_HEARTBEAT_MS;
    cn->limits.max_bytes = opts && opts->max_reply_bytes
                               ? opts->max_reply_bytes
                               : SR_CLIENT_MAX_REPLY_BYTES;
    cn->events = sr_client_queue_new(SR_CLIENT_EVENTS_MAX);
    sr_curve_t *curve = NULL;
    sr_err_t rc = cn->events ? s_curve_load(opts, &curve, err)
                             : sr_error_set(err, SR_ENOMEM, "out of memory");
    if (!rc)
        rc = s_open_all(cn, endpoints, curve, err);
    cn->is_curve = curve != NULL;
    sr_curve_destroy(&curve); // the sockets keep the keys
    if (rc) {
        sr_client_conn_close(&cn);
        return rc;
    }
    *out = cn;
    return SR_OK;
}

void
sr_client_conn_close(sr_client_conn_t **cn_p)
{
    if (!cn_p || !*cn_p)
        return;
    sr_client_conn_t *cn = *cn_p;
    for (size_t i = 0; i < cn->count; i++) {
        zsock_destroy(&cn->engines[i].sock);
        free(cn->engines[i].endpoint);
    }
    sr_client_queue_destroy(&cn->events);
    free(cn);
    *cn_p = NULL;
}

size_t
sr_client_conn_count(const sr_client_conn_t *cn)
{
    return cn->count;
}

const char *
sr_client_conn_endpoint(const sr_client_conn_t *cn, size_t i)
{
    return i < cn->count ? cn->engines[i].endpoint : NULL;
}

int64_t
sr_client_now_ms(void)
{
    return zclock_mono();
}

int64_t
sr_client_deadline(int timeout_ms)
{
    return timeout_ms < 0 ? INT64_MAX : zclock_mono() + timeout_ms;
}

// --- events -------------------------------------------------------------

// The map of an EVENT message; NULL when memory runs out.
static sr_value_t *
s_event_value(const sr_msg_t *m)
{
    sr_id_t id;
    char text[SR_ID_TEXT_SIZE];
    sr_value_t *ev = sr_value_new_map(6);
    if (!ev || !sr_msg_id(m, SR_F_EVENT_execution_id, &id))
        goto fail;
    const char *name = sr_msg_str(m, SR_F_EVENT_name);
    const char *info = sr_msg_str(m, SR_F_EVENT_state_info);
    if (sr_value_map_put(ev, "execution_id",
                         sr_value_new_str(sr_id_format(&id, text))) ||
        sr_value_map_put(ev, "kind",
                         sr_value_new_str(sr_msg_str(m, SR_F_EVENT_kind))) ||
        (name && sr_value_map_put(ev, "name", sr_value_new_str(name))) ||
        sr_value_map_put(ev, "state",
                         sr_value_new_str(sr_msg_str(m, SR_F_EVENT_state))) ||
        (info && sr_value_map_put(ev, "state_info", sr_value_new_str(info))) ||
        sr_value_map_put(
            ev, "time_ms",
            sr_value_new_int(sr_msg_int(m, SR_F_EVENT_time_ms, 0))))
        goto fail;
    return ev;
fail:
    sr_value_destroy(&ev);
    return NULL;
}

void
sr_client_conn_push_event(sr_client_conn_t *cn, sr_value_t *event)
{
    size_t lost = sr_client_queue_lost(cn->events);
    if (event && cn->on_seen)
        cn->on_seen(event, cn->seen_arg);
    if (!sr_client_queue_push(cn->events, event) && lost == 0)
        sr_warn("client: event queue full or out of memory; events lost");
}

void
sr_client_conn_set_observer(sr_client_conn_t *cn, sr_client_event_seen_fn *fn,
                            void *arg)
{
    cn->on_seen = fn;
    cn->seen_arg = arg;
}

void
sr_client_conn_clear_events(sr_client_conn_t *cn)
{
    sr_client_queue_clear(cn->events);
}

size_t
sr_client_conn_events_dropped(const sr_client_conn_t *cn)
{
    return sr_client_queue_lost(cn->events);
}

void
sr_client_conn_set_subscribed(sr_client_conn_t *cn, size_t i,
                              bool is_subscribed)
{
    if (i < cn->count)
        cn->engines[i].is_subscribed = is_subscribed;
}

bool
sr_client_conn_is_subscribed(const sr_client_conn_t *cn, size_t i)
{
    return i < cn->count && cn->engines[i].is_subscribed;
}

bool
sr_client_conn_has_subscriptions(const sr_client_conn_t *cn)
{
    for (size_t i = 0; i < cn->count; i++)
        if (cn->engines[i].is_subscribed)
            return true;
    return false;
}

// --- sending ------------------------------------------------------------

size_t
sr_client_conn_pick(sr_client_conn_t *cn, size_t first, int64_t deadline_ms)
{
    zmq_pollitem_t items[SR_CLIENT_ENGINES_MAX];
    for (size_t i = 0; i < cn->count; i++)
        items[i] = (zmq_pollitem_t){zsock_resolve(cn->engines[i].sock), 0,
                                    ZMQ_POLLOUT, 0};
    for (;;) {
        int64_t left = deadline_ms - sr_client_now_ms();
        if (left < 0)
            left = 0;
        int n = zmq_poll(items, (int)cn->count,
                         (long)(left > 60000 ? 60000 : left));
        for (size_t k = 0; n > 0 && k < cn->count; k++) {
            size_t i = (first + k) % cn->count;
            if (items[i].revents & ZMQ_POLLOUT)
                return i;
        }
        if ((n < 0 && errno != EINTR) || zsys_interrupted ||
            sr_client_now_ms() >= deadline_ms)
            return first;
    }
}

bool
sr_client_conn_is_up(sr_client_conn_t *cn, size_t i)
{
    zmq_pollitem_t item = {zsock_resolve(cn->engines[i].sock), 0, ZMQ_POLLOUT,
                           0};
    return i < cn->count && zmq_poll(&item, 1, 0) == 1 &&
           (item.revents & ZMQ_POLLOUT);
}

// Send HEARTBEAT to each subscribed engine we have been silent towards
// for an interval. A failed send is retried at the next interval.
static void
s_heartbeat(sr_client_conn_t *cn, int64_t now)
{
    for (size_t i = 0; i < cn->count; i++) {
        s_engine_t *e = &cn->engines[i];
        if (!e->is_subscribed || now - e->sent_ms < cn->heartbeat_ms)
            continue;
        e->sent_ms = now;
        sr_msg_t *hb = sr_msg_new(SR_MSG_HEARTBEAT);
        sr_error_t err;
        if (hb && !sr_msg_set_int(hb, SR_F_HEARTBEAT_sent_ms, zclock_time()) &&
            !sr_msg_set_str(hb, SR_F_HEARTBEAT_name, "client") &&
            sr_wire_send(e->sock, NULL, hb, &err) != SR_OK)
            sr_debug("client: heartbeat not sent engine=%s: %s", e->endpoint,
                     err.msg);
        sr_msg_destroy(&hb);
    }
}

// The next time a heartbeat is due, or INT64_MAX.
static int64_t
s_heartbeat_due(const sr_client_conn_t *cn)
{
    int64_t due = INT64_MAX;
    for (size_t i = 0; i < cn->count; i++)
        if (cn->engines[i].is_subscribed &&
            cn->engines[i].sent_ms + cn->heartbeat_ms < due)
            due = cn->engines[i].sent_ms + cn->heartbeat_ms;
    return due;
}

// --- receiving ----------------------------------------------------------

// The requests of one exchange.
typedef struct {
    sr_client_xfer_t *xs;
    size_t n;
    size_t waiting; // still pending
    sr_client_settled_fn *fn;
    void *arg;
    bool is_stopped; // fn asked to stop
} s_round_t;

// Mark x answered with `reply` (taken) or failed with `rc`/`cause`;
// `is_answered`: what settles it came from the engine.
static void
s_settle(s_round_t *rd, sr_client_xfer_t *x, sr_msg_t **reply, sr_err_t rc,
         const sr_error_t *cause, bool is_answered)
{
    x->is_pending = false;
    rd->waiting--;
    x->rc = rc;
    x->is_answered = is_answered;
    if (reply) {
        x->reply = *reply;
        *reply = NULL;
    } else {
        x->err = *cause;
    }
    if (rd->fn && rd->fn(x, rd->arg))
        rd->is_stopped = true;
}

// An engine's ERROR as an error: its code and message, and where = the
// field at fault or else the engine.
static sr_err_t
s_engine_error(const sr_client_conn_t *cn, size_t i, const sr_msg_t *m,
               sr_error_t *e)
{
    sr_error_clear(e);
    sr_err_t code = sr_msg_to_error(m, e);
    if (!e->where[0])
        snprintf(e->where, sizeof e->where, "engine %s",
                 cn->engines[i].endpoint);
    return code;
}

// Fail every request sent to engine i and not answered with `code` / `e`.
static void
s_fail_engine(s_round_t *rd, size_t i, sr_err_t code, const sr_error_t *e)
{
    for (size_t k = 0; k < rd->n; k++)
        if (rd->xs[k].is_pending && rd->xs[k].is_sent && rd->xs[k].engine == i)
            s_settle(rd, &rd->xs[k], NULL, code, e, true);
}

// Settle xs[k] with what engine i sent: a REPLY, an ERROR, or bytes that
// could not be decoded (rc, cause).
static void
s_answer(sr_client_conn_t *cn, size_t i, sr_wire_in_t *in, sr_err_t rc,
         const sr_error_t *cause, s_round_t *rd, sr_client_xfer_t *x)
{
    sr_error_t e;
    if (rc == SR_OK && in->type == SR_MSG_REPLY) {
        s_settle(rd, x, &in->msg, SR_OK, NULL, true);
    } else if (rc == SR_OK) {
        sr_err_t code = s_engine_error(cn, i, in->msg, &e);
        s_settle(rd, x, NULL, code, &e, true);
    } else {
        sr_error_at(&e, rc, cause->where,
                    "engine %s sent an answer that cannot be read: %s",
                    cn->engines[i].endpoint, cause->msg);
        s_settle(rd, x, NULL, rc, &e, true);
    }
}

// Send x->req to its engine unless the engine has no connection yet
// (ZMQ_IMMEDIATE makes the send fail at once); then it stays unsent and
// is tried again when the socket turns writable.
static void
s_try_send(sr_client_conn_t *cn, s_round_t *rd, sr_client_xfer_t *x)
{
    s_engine_t *e = &cn->engines[x->engine];
    sr_error_t err;
    sr_err_t rc = sr_wire_send(e->sock, NULL, x->req, &err);
    if (rc == SR_OK) {
        x->is_sent = true;
        e->sent_ms = sr_client_now_ms();
    } else if (rc != SR_EUNAVAIL) {
        s_settle(rd, x, NULL, rc, &err, false);
    }
}

// Try the unsent requests of engine i.
static void
s_flush(sr_client_conn_t *cn, s_round_t *rd, size_t i)
{
    for (size_t k = 0; k < rd->n; k++)
        if (rd->xs[k].is_pending && !rd->xs[k].is_sent && rd->xs[k].engine == i)
            s_try_send(cn, rd, &rd->xs[k]);
}

static bool
s_has_unsent(const s_round_t *rd, size_t i)
{
    for (size_t k = 0; k < rd->n; k++)
        if (rd->xs[k].is_pending && !rd->xs[k].is_sent && rd->xs[k].engine == i)
            return true;
    return false;
}

// An answer from engine i that names no request: an ERROR without
// req_id (e.g. EVERSION), or bytes too broken to read a req_id from
// (e.g. over the reply limit). It fails every request in flight there
// rather than leaving them to time out.
static void
s_orphan(sr_client_conn_t *cn, size_t i, sr_wire_in_t *in, sr_err_t rc,
         const sr_error_t *cause, s_round_t *rd)
{
    sr_error_t e;
    if (rc == SR_OK) {
        sr_err_t code = s_engine_error(cn, i, in->msg, &e);
        s_fail_engine(rd, i, code, &e);
        return;
    }
    sr_error_at(&e, rc, cause->where,
                "engine %s sent an answer that cannot be read: %s",
                cn->engines[i].endpoint, cause->msg);
    s_fail_engine(rd, i, rc, &e);
}

// Hand one received message to its request, the event queue or the bin.
static void
s_dispatch(sr_client_conn_t *cn, size_t i, sr_wire_in_t *in, sr_err_t rc,
           const sr_error_t *cause, s_round_t *rd)
{
    if (rc == SR_OK && in->type == SR_MSG_EVENT) {
        sr_client_conn_push_event(cn, s_event_value(in->msg));
        return;
    }
    bool is_answer = in->type == SR_MSG_REPLY || in->type == SR_MSG_ERROR;
    if (in->req_id < 0 && (is_answer || rc != SR_OK)) {
        s_orphan(cn, i, in, rc, cause, rd);
        return;
    }
    if (!is_answer)
        return; // HEARTBEAT, or nothing a client expects
    for (size_t k = 0; k < rd->n; k++) {
        sr_client_xfer_t *x = &rd->xs[k];
        if (x->is_pending && x->engine == i &&
            sr_msg_req_id(x->req) == in->req_id) {
            s_answer(cn, i, in, rc, cause, rd, x);
            return;
        }
    }
    sr_debug("client: dropped a late answer engine=%s req_id=%lld",
             cn->engines[i].endpoint, (long long)in->req_id);
}

// Read everything waiting on engine i.
static void
s_drain(sr_client_conn_t *cn, size_t i, s_round_t *rd)
{
    for (;;) {
        sr_wire_in_t in;
        sr_error_t cause;
        sr_err_t rc =
            sr_wire_recv(cn->engines[i].sock, 0, &cn->limits, &in, &cause);
        if (rc == SR_ETIMEDOUT || rc == SR_EIO) {
            sr_wire_in_fini(&in);
            return;
        }
        s_dispatch(cn, i, &in, rc, &cause, rd);
        sr_wire_in_fini(&in);
    }
}

// Poll every socket once, up to `deadline_ms`, and read what came.
// Returns false when the wait was interrupted by a signal.
static bool
s_poll(sr_client_conn_t *cn, int64_t deadline_ms, s_round_t *rd)
{
    zmq_pollitem_t items[SR_CLIENT_ENGINES_MAX];
    for (size_t i = 0; i < cn->count; i++)
        items[i] = (zmq_pollitem_t){
            zsock_resolve(cn->engines[i].sock), 0,
            ZMQ_POLLIN | (s_has_unsent(rd, i) ? ZMQ_POLLOUT : 0), 0};
    int64_t now = sr_client_now_ms();
    int64_t until = deadline_ms;
    int64_t due = s_heartbeat_due(cn);
    if (due < until)
        until = due;
    int64_t wait = until > now ? until - now : 0;
    int got =
        zmq_poll(items, (int)cn->count, (long)(wait > 60000 ? 60000 : wait));
    if (got < 0 && errno == EINTR && zsys_interrupted)
        return false;
    s_heartbeat(cn, sr_client_now_ms());
    for (size_t i = 0; got > 0 && i < cn->count; i++) {
        if (items[i].revents & ZMQ_POLLOUT)
            s_flush(cn, rd, i);
        if (items[i].revents & ZMQ_POLLIN)
            s_drain(cn, i, rd);
    }
    return true;
}

static sr_err_t
s_set_req_id(sr_client_conn_t *cn, sr_msg_t *m)
{
    sr_msg_type_t type = sr_msg_type(m);
    sr_field_t f = sr_msg_field_find(type, "req_id", 6);
    if (f == SR_F_COUNT)
        return SR_EINVAL;
    return sr_msg_set_int(m, f, cn->next_req_id++);
}

void
sr_client_xfer_fini(sr_client_xfer_t *x)
{
    if (x)
        sr_msg_destroy(&x->reply);
}

// Prepare x for an exchange with a fresh req_id; false when it cannot be.
static bool
s_start(sr_client_conn_t *cn, sr_client_xfer_t *x)
{
    sr_client_xfer_fini(x);
    sr_error_clear(&x->err);
    x->is_sent = false;
    x->is_answered = false;
    x->rc = SR_OK;
    if (s_set_req_id(cn, x->req))
        x->rc = sr_error_set(&x->err, SR_EINVAL, "%s has no req_id",
                             sr_msg_type_name(sr_msg_type(x->req)));
    x->is_pending = x->rc == SR_OK;
    return x->is_pending;
}

// Give up on a request still pending at the end of an exchange that
// started at `start` (monotonic ms).
static void
s_abandon(sr_client_conn_t *cn, sr_client_xfer_t *x, bool is_stopped,
          int64_t start, int64_t deadline_ms)
{
    const char *what = sr_msg_type_name(sr_msg_type(x->req));
    const char *ep = cn->engines[x->engine].endpoint;
    x->is_pending = false;
    if (is_stopped && x->is_sent)
        x->rc = sr_error_set(&x->err, SR_ETIMEDOUT,
                             "%s: engine %s was not waited for", what, ep);
    else if (!x->is_sent && start >= deadline_ms)
        x->rc = sr_error_set(&x->err, SR_ETIMEDOUT,
                             "%s: not sent to engine %s: the call's time "
                             "had run out before",
                             what, ep);
    else if (!x->is_sent)
        x->rc = sr_error_set(&x->err, SR_ETIMEDOUT,
                             "%s: engine %s is not connected (is it "
                             "running?%s)",
                             what, ep,
                             cn->is_curve ? " with CurveZMQ: is this "
                                            "client's key in its allow "
                                            "folder, and the server key "
                                            "the engines' key?"
                                          : "");
    else if (zsys_interrupted)
        x->rc = sr_error_set(&x->err, SR_EIO,
                             "%s: interrupted waiting for engine %s", what, ep);
    else
        x->rc = sr_error_set(&x->err, SR_ETIMEDOUT,
                             "%s: no answer from engine %s within %lld ms",
                             what, ep, (long long)(sr_client_now_ms() - start));
}

void
sr_client_conn_exchange(sr_client_conn_t *cn, sr_client_xfer_t *xs, size_t n,
                        int64_t deadline_ms, sr_client_settled_fn *fn,
                        void *arg)
{
    s_round_t rd = {xs, n, 0, fn, arg, false};
    int64_t start = sr_client_now_ms();
    for (size_t k = 0; k < n; k++)
        if (s_start(cn, &xs[k]))
            rd.waiting++;
    // A request that cannot be waited for is not sent: it could act
    // (start an execution) with no one to hear that it did.
    for (size_t i = 0; start < deadline_ms && i < cn->count; i++)
        s_flush(cn, &rd, i);
    while (rd.waiting > 0 && !rd.is_stopped && sr_client_now_ms() < deadline_ms)
        if (!s_poll(cn, deadline_ms, &rd))
            break;
    for (size_t k = 0; k < n; k++)
        if (xs[k].is_pending)
            s_abandon(cn, &xs[k], rd.is_stopped, start, deadline_ms);
}

bool
sr_client_conn_wait(sr_client_conn_t *cn, int64_t deadline_ms)
{
    s_round_t none = {NULL, 0, 0, NULL, NULL, false};
    while (sr_client_now_ms() < deadline_ms)
        if (!s_poll(cn, deadline_ms, &none))
            return false;
    return true;
}

sr_err_t
sr_client_conn_next_event(sr_client_conn_t *cn, int64_t deadline_ms,
                          sr_value_t **event, sr_error_t *err)
{
    s_round_t none = {NULL, 0, 0, NULL, NULL, false};
    for (;;) {
        sr_value_t *ev = sr_client_queue_pop(cn->events);
        if (ev) {
            *event = ev;
            return SR_OK;
        }
        if (!s_poll(cn, deadline_ms, &none))
            return sr_error_set(err, SR_EIO, "interrupted waiting for events");
        if (sr_client_queue_size(cn->events) == 0 &&
            sr_client_now_ms() >= deadline_ms)
            return sr_error_set(err, SR_ETIMEDOUT, "no event in time");
    }
}
