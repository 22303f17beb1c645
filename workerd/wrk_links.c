// The engine links of a worker node: their DEALER sockets (made anew when
// an engine goes silent), their sessions (READY, ESTATE answered with
// READY, CREDIT 0 when stopping, BYE), their heartbeats, and the engines
// learnt from HEARTBEAT.peers (links added, never removed). Owns the
// sockets and endpoint texts, and what waits to be sent at the end of the
// node's turn (one BATCH per engine that speaks 1.7). Knows nothing about
// actions: the machine hears of each new session through its callback.
// Node thread only.
#include "wrk_links.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "sr_log.h"
#include "wrk_greet.h"

#define S_SNDHWM       10000 // messages queued for an engine that is away
#define S_ENDPOINT_MAX 1024  // longest endpoint taken from HEARTBEAT.peers

struct wrk_links {
    const wrk_node_config_t *cfg; // borrowed
    wrk_link_t *links;            // WRK_NODE_ENGINES_MAX, n in use
    size_t n;                     // cfg->n_engines + engines learnt
    bool is_full_logged;          // a peer was left out for lack of room
    wrk_links_ready_fn *on_ready;
    void *arg;
    wrk_links_beat_fn *on_beat; // NULL: plain heartbeats
    void *beat_arg;
    bool is_stopping;
    uint64_t readies, reconnects, refused, errors, learnt; // counters
};

// A new DEALER for the link, closing the old one (whose queued messages
// are dropped), as if just heard from.
static sr_err_t
s_open(wrk_link_t *link, const wrk_node_config_t *cfg, int64_t now_ms,
       sr_error_t *err)
{
    zsock_destroy(&link->sock);
    link->minor = 0; // the engine may be another process now
    if (!link->outbox && !(link->outbox = sr_wire_batch_new()))
        return sr_error_set(err, SR_ENOMEM, "engine %s: out of memory",
                            link->endpoint);
    sr_wire_batch_clear(link->outbox); // what was for the old socket
    zsock_t *sock = zsock_new(ZMQ_DEALER);
    if (!sock)
        return sr_error_set(err, SR_EIO, "engine %s: cannot make a socket: %s",
                            link->endpoint, zmq_strerror(errno));
    zsock_set_linger(sock, 0);
    zsock_set_sndhwm(sock, S_SNDHWM);
    sr_limits_t limits = {.max_bytes = cfg->max_message_bytes};
    sr_wire_set_max_frame(sock, &limits);
    sr_err_t rc =
        cfg->curve ? sr_curve_apply_client(cfg->curve, sock, err) : SR_OK;
    if (rc) {
        zsock_destroy(&sock);
        return rc;
    }
    if (zsock_connect(sock, "%s", link->endpoint) != 0) {
        int e = errno;
        zsock_destroy(&sock);
        return sr_error_set(err, SR_EIO, "engine %s: cannot connect: %s",
                            link->endpoint, zmq_strerror(e));
    }
    link->sock = sock;
    link->heard_ms = link->sent_ms = link->beat_ms = now_ms;
    link->is_version_logged = false;
    return SR_OK;
}

sr_err_t
wrk_links_new(const wrk_node_config_t *cfg, int64_t now_ms,
              wrk_links_ready_fn *on_ready, void *arg, wrk_links_t **out,
              sr_error_t *err)
{
    wrk_links_t *self = calloc(1, sizeof *self);
    if (!self)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    self->cfg = cfg;
    self->on_ready = on_ready;
    self->arg = arg;
    self->links = calloc(WRK_NODE_ENGINES_MAX, sizeof *self->links);
    sr_err_t rc = SR_ENOMEM;
    if (!self->links) {
        sr_error_set(err, rc, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < cfg->n_engines; i++) {
        wrk_link_t *link = &self->links[i];
        if (!(link->endpoint = strdup(cfg->engines[i]))) {
            rc = sr_error_set(err, SR_ENOMEM, "out of memory");
            goto fail;
        }
        self->n = i + 1;
        if ((rc = s_open(link, cfg, now_ms, err)) != SR_OK)
            goto fail;
    }
    *out = self;
    return SR_OK;
fail:
    wrk_links_destroy(&self);
    return rc;
}

void
wrk_links_destroy(wrk_links_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    wrk_links_t *self = *self_p;
    for (size_t i = 0; self->links && i < self->n; i++) {
        zsock_destroy(&self->links[i].sock); // linger 0 unless BYE set it
        sr_wire_batch_destroy(&self->links[i].outbox);
        free(self->links[i].endpoint);
        free(self->links[i].advertised);
    }
    free(self->links);
    free(self);
    *self_p = NULL;
}

size_t
wrk_links_size(const wrk_links_t *self)
{
    return self->n;
}

wrk_link_t *
wrk_links_at(wrk_links_t *self, size_t i)
{
    return &self->links[i];
}

bool
wrk_links_send(wrk_links_t *self, size_t i, const sr_msg_t *m, int64_t now_ms)
{
    wrk_link_t *link = &self->links[i];
    sr_error_t err;
    sr_err_t rc = SR_EIO;
    if (!link->sock)
        sr_error_set(&err, rc, "not connected");
    else if ((rc = sr_wire_batch_add(link->outbox, m, &err)) == SR_OK) {
        link->sent_ms = now_ms;
        return true;
    }
    sr_warn("engine=%s send %s failed: %s %s", link->endpoint,
            sr_msg_type_name(sr_msg_type(m)), sr_strerror(rc), err.msg);
    return false;
}

// Send what waits for link `i`.
static void
s_flush(wrk_links_t *self, size_t i)
{
    wrk_link_t *link = &self->links[i];
    if (!link->sock || !link->outbox || !sr_wire_batch_count(link->outbox))
        return;
    sr_limits_t limits = {.max_bytes = self->cfg->max_message_bytes};
    bool use_batch = sr_wire_batch_understood(link->minor);
    sr_error_t err;
    if (sr_wire_batch_flush(link->outbox, link->sock, NULL, use_batch, &limits,
                            NULL, &err) != SR_OK)
        sr_warn("engine=%s send failed: %s", link->endpoint, err.msg);
}

void
wrk_links_flush(wrk_links_t *self)
{
    for (size_t i = 0; i < self->n; i++)
        s_flush(self, i);
}

void
wrk_links_refuse(wrk_links_t *self, size_t i, const sr_wire_in_t *in,
                 const sr_error_t *cause)
{
    wrk_link_t *link = &self->links[i];
    self->refused++;
    sr_warn("engine=%s refused %s: %s %s%s%s", link->endpoint,
            sr_msg_type_name(in->type), sr_strerror(cause->code), cause->where,
            cause->where[0] ? ": " : "", cause->msg);
    sr_error_t err;
    if (link->sock && sr_wire_reply_error(link->sock, in, cause, &err) != SR_OK)
        sr_warn("engine=%s send ERROR failed: %s", link->endpoint, err.msg);
}

void
wrk_links_note_refused(wrk_links_t *self)
{
    self->refused++;
}

// Send a new message (NULL = out of memory) to engine `i`, and free it.
static bool
s_send_new(wrk_links_t *self, size_t i, sr_msg_t *m, int64_t now_ms)
{
    bool is_sent = m && wrk_links_send(self, i, m, now_ms);
    sr_msg_destroy(&m);
    return is_sent;
}

void
wrk_links_ready(wrk_links_t *self, size_t i, int64_t now_ms)
{
    wrk_link_t *link = &self->links[i];
    link->ready_ms = now_ms; // also when not sent: the expiry retries
    if (!s_send_new(self, i, wrk_greet_ready_new(self->cfg), now_ms))
        return;
    link->session++;
    link->credit_used = 0;
    self->readies++;
    sr_info("engine=%s ready worker=%s slots=%zu session=%" PRIu64,
            link->endpoint, self->cfg->name, self->cfg->slots, link->session);
    if (self->is_stopping)
        s_send_new(self, i, wrk_greet_credit_new(0), now_ms);
    if (self->on_ready)
        self->on_ready(i, now_ms, self->arg);
}

void
wrk_links_on_error(wrk_links_t *self, size_t i, const sr_msg_t *msg,
                   int64_t now_ms)
{
    wrk_link_t *link = &self->links[i];
    sr_error_t e;
    sr_err_t code = sr_msg_to_error(msg, &e);
    self->errors++;
    if (code == SR_EVERSION) {
        sr_errorf("engine=%s speaks another protocol version: %s",
                  link->endpoint, e.msg);
        return;
    }
    sr_warn("engine=%s error=%s %s%s%s", link->endpoint, sr_strerror(code),
            e.where, e.where[0] ? ": " : "", e.msg);
    if (code == SR_ESTATE && now_ms - link->ready_ms >= self->cfg->heartbeat_ms)
        wrk_links_ready(self, i, now_ms);
}

void
wrk_links_on_bad(wrk_links_t *self, size_t i, const sr_wire_in_t *in,
                 const sr_error_t *err)
{
    wrk_link_t *link = &self->links[i];
    if (err->code == SR_EVERSION && !link->is_version_logged) {
        link->is_version_logged = true;
        sr_errorf("engine=%s speaks another protocol version: %s",
                  link->endpoint, err->msg);
    }
    wrk_links_refuse(self, i, in, err);
}

sr_err_t
wrk_links_recv(wrk_links_t *self, size_t i, int64_t now_ms, sr_wire_in_t *in,
               sr_error_t *err)
{
    wrk_link_t *link = &self->links[i];
    if (!link->sock) {
        memset(in, 0, sizeof *in);
        return sr_error_set(err, SR_ETIMEDOUT, "not connected");
    }
    sr_limits_t limits = {.max_bytes = self->cfg->max_message_bytes};
    sr_err_t rc = sr_wire_recv(link->sock, 0, &limits, in, err);
    if (rc != SR_ETIMEDOUT && rc != SR_EIO) {
        link->heard_ms = now_ms;
        link->is_lost = false;
    }
    if (rc == SR_OK)
        link->minor = sr_msg_minor(in->msg);
    return rc;
}

// The engine of link `i` has been silent for the expiry time: a new
// socket (a new identity for the engine) and a new session.
static void
s_reconnect(wrk_links_t *self, size_t i, int64_t now_ms)
{
    wrk_link_t *link = &self->links[i];
    sr_warn("engine=%s silent for %" PRId64 " ms; reconnecting", link->endpoint,
            now_ms - link->heard_ms);
    self->reconnects++;
    sr_error_t err;
    if (s_open(link, self->cfg, now_ms, &err) != SR_OK) {
        sr_errorf("%s", err.msg); // tried again after the expiry time
        link->heard_ms = now_ms;
        link->is_lost = true;
        return;
    }
    link->is_lost = true;
    wrk_links_ready(self, i, now_ms);
}

static int64_t
s_min(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

void
wrk_links_on_beat(wrk_links_t *self, wrk_links_beat_fn *fn, void *arg)
{
    self->on_beat = fn;
    self->beat_arg = arg;
}

static void
s_beat(wrk_links_t *self, size_t i, int64_t now_ms)
{
    sr_msg_t *m = wrk_greet_heartbeat_new(self->cfg);
    if (m && self->on_beat && self->on_beat(i, m, self->beat_arg)) {
        sr_warn("engine=%s: cannot build a HEARTBEAT (out of memory)",
                self->links[i].endpoint);
        sr_msg_destroy(&m);
    }
    (void)s_send_new(self, i, m, now_ms);
}

int64_t
wrk_links_tick(wrk_links_t *self, int64_t now_ms)
{
    const wrk_node_config_t *cfg = self->cfg;
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < self->n; i++) {
        wrk_link_t *link = &self->links[i];
        if (!link->sock)
            continue;
        if (now_ms - link->heard_ms >= cfg->expiry_ms) {
            s_reconnect(self, i, now_ms);
        } else if (now_ms - link->beat_ms >= cfg->heartbeat_ms) {
            s_beat(self, i, now_ms);
            link->beat_ms = now_ms; // sent or tried: again in an interval
        }
        next = s_min(next, link->heard_ms + cfg->expiry_ms);
        next = s_min(next, link->beat_ms + cfg->heartbeat_ms);
    }
    return next;
}

void
wrk_links_stop(wrk_links_t *self, int64_t now_ms)
{
    self->is_stopping = true;
    for (size_t i = 0; i < self->n; i++)
        s_send_new(self, i, wrk_greet_credit_new(0), now_ms);
}

void
wrk_links_bye(wrk_links_t *self, int64_t now_ms, int linger_ms)
{
    for (size_t i = 0; i < self->n; i++) {
        wrk_link_t *link = &self->links[i];
        if (!link->sock)
            continue;
        s_send_new(self, i, wrk_greet_bye_new(self->cfg), now_ms);
        s_flush(self, i);
        zsock_set_linger(link->sock, linger_ms);
        zsock_destroy(&link->sock);
    }
}

// Is `endpoint` an engine we have, by the endpoint we connect to or the
// one the engine gave for itself?
static bool
s_is_known(const wrk_links_t *self, const char *endpoint)
{
    for (size_t i = 0; i < self->n; i++) {
        const wrk_link_t *link = &self->links[i];
        if (strcmp(link->endpoint, endpoint) == 0 ||
            (link->advertised && strcmp(link->advertised, endpoint) == 0))
            return true;
    }
    return false;
}

// Remember the endpoint engine `i` gives for itself (the first peer), so
// that a worker that reaches it by another name does not connect twice.
static void
s_note_advertised(wrk_link_t *link, const char *self_endpoint)
{
    if (link->advertised && strcmp(link->advertised, self_endpoint) == 0)
        return;
    char *copy = strdup(self_endpoint);
    if (!copy)
        return; // out of memory: at worst a second link to the engine
    free(link->advertised);
    link->advertised = copy;
}

// A new link to `endpoint`, and its first READY; false when it cannot be.
static bool
s_add(wrk_links_t *self, const char *endpoint, int64_t now_ms)
{
    if (self->n == WRK_NODE_ENGINES_MAX) {
        if (!self->is_full_logged)
            sr_warn("engine=%s not joined: a worker reaches at most %d "
                    "engines",
                    endpoint, WRK_NODE_ENGINES_MAX);
        self->is_full_logged = true;
        return false;
    }
    wrk_link_t *link = &self->links[self->n];
    memset(link, 0, sizeof *link);
    sr_error_t err;
    if (!(link->endpoint = strdup(endpoint)))
        return false;
    if (s_open(link, self->cfg, now_ms, &err) != SR_OK) {
        sr_warn("%s", err.msg);
        free(link->endpoint);
        sr_wire_batch_destroy(&link->outbox);
        memset(link, 0, sizeof *link);
        return false;
    }
    self->n++;
    self->learnt++;
    sr_info("engine=%s joined: named by a peer", endpoint);
    wrk_links_ready(self, self->n - 1, now_ms);
    return true;
}

size_t
wrk_links_learn(wrk_links_t *self, size_t i, const sr_msg_t *heartbeat,
                int64_t now_ms)
{
    const sr_value_t *peers = sr_msg_get(heartbeat, SR_F_HEARTBEAT_peers);
    size_t added = 0;
    if (!peers || self->is_stopping)
        return 0;
    for (size_t k = 0; k < sr_value_len(peers); k++) {
        const sr_value_t *v = sr_value_array_at(peers, k);
        const char *endpoint = sr_value_is(v, SR_T_STR) ? sr_value_str(v) : "";
        size_t len = strlen(endpoint);
        if (len == 0 || len > S_ENDPOINT_MAX) {
            sr_warn("engine=%s HEARTBEAT.peers[%zu]: not an endpoint; ignored",
                    self->links[i].endpoint, k);
            continue;
        }
        if (k == 0)
            s_note_advertised(&self->links[i], endpoint);
        if (!s_is_known(self, endpoint) && s_add(self, endpoint, now_ms))
            added++;
    }
    return added;
}

void
wrk_links_poll_items(wrk_links_t *self, zmq_pollitem_t *items)
{
    for (size_t i = 0; i < self->n; i++) {
        zsock_t *sock = self->links[i].sock;
        items[i] = (zmq_pollitem_t){sock ? zsock_resolve(sock) : NULL, -1,
                                    sock ? ZMQ_POLLIN : 0, 0};
    }
}

void
wrk_links_stats(const wrk_links_t *self, wrk_node_stats_t *out)
{
    out->readies = self->readies;
    out->reconnects = self->reconnects;
    out->refused = self->refused;
    out->errors = self->errors;
    out->engines = self->n;
    out->learnt = self->learnt;
}
