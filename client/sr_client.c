/* The client object and the routing of requests to one engine: to the
 * next engine in turn, or to the owner of a partition (the map is learnt
 * from STATUS replies when first needed and again after an EUNAVAIL).
 * Owns the connections, the partition map and the subscriptions' record.
 * Requests to every engine are sr_client_fan.c's; the typed calls live in
 * sr_client_wf.c, sr_client_ex.c and sr_client_events.c.
 * Thread rule: a client belongs to one thread at a time.
 */
#include "sirocco/client.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_client_body.h"
#include "sr_client_conn.h"
#include "sr_client_core.h"
#include "sr_client_route.h"
#include "sr_log.h"

struct sr_client {
    sr_client_conn_t *conn;   // owned
    sr_client_route_t *route; // owned
    sr_client_subs_t *subs;   // owned
    int watch_check_ms;
    int follow_ms;
};

sr_err_t
sr_client_open(const char *endpoints, const sr_client_opts_t *opts,
               sr_client_t **out, sr_error_t *err)
{
    sr_client_t *c = calloc(1, sizeof *c);
    if (!c)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    c->watch_check_ms = opts && opts->watch_check_ms > 0
                            ? opts->watch_check_ms
                            : SR_CLIENT_WATCH_CHECK_MS;
    c->follow_ms =
        opts && opts->follow_ms > 0 ? opts->follow_ms : SR_CLIENT_FOLLOW_MS;
    char *list = NULL;
    sr_err_t rc = sr_client_cluster_endpoints(endpoints, &list, err);
    if (!rc)
        rc = sr_client_conn_open(list, opts, &c->conn, err);
    free(list);
    if (!rc) {
        c->route = sr_client_route_new(sr_client_conn_count(c->conn));
        c->subs = sr_client_subs_new(sr_client_conn_count(c->conn));
        if (!c->route || !c->subs)
            rc = sr_error_set(err, SR_ENOMEM, "out of memory");
        else
            sr_client_conn_set_observer(c->conn, sr_client_subs_seen, c->subs);
    }
    if (rc) {
        sr_client_close(&c);
        return rc;
    }
    *out = c;
    return SR_OK;
}

void
sr_client_close(sr_client_t **c_p)
{
    if (!c_p || !*c_p)
        return;
    sr_client_conn_close(&(*c_p)->conn);
    sr_client_route_destroy(&(*c_p)->route);
    sr_client_subs_destroy(&(*c_p)->subs);
    free(*c_p);
    *c_p = NULL;
}

size_t
sr_client_engine_count(const sr_client_t *c)
{
    return sr_client_conn_count(c->conn);
}

const char *
sr_client_engine_endpoint(const sr_client_t *c, size_t i)
{
    return sr_client_conn_endpoint(c->conn, i);
}

sr_client_conn_t *
sr_client_get_conn(sr_client_t *c)
{
    return c->conn;
}

int
sr_client_get_watch_check_ms(const sr_client_t *c)
{
    return c->watch_check_ms;
}

sr_client_subs_t *
sr_client_get_subs(sr_client_t *c)
{
    return c->subs;
}

int
sr_client_get_follow_ms(const sr_client_t *c)
{
    return c->follow_ms;
}

void
sr_client_learn(sr_client_t *c, size_t engine, const sr_value_t *status)
{
    sr_error_t e;
    if (sr_client_route_learn(c->route, engine, status, &e))
        sr_warn("client: %s engine=%s", e.msg,
                sr_client_conn_endpoint(c->conn, engine));
}

sr_err_t
sr_client_parse_id(const char *text, const char *what, sr_id_t *id,
                   sr_error_t *err)
{
    if (!text)
        return sr_error_set(err, SR_EINVAL, "%s is missing", what);
    if (sr_id_parse(text, id) != SR_OK)
        return sr_error_set(err, SR_EINVAL,
                            "%s '%.64s' is not a UUID "
                            "(like 0003691f-2a40-830c-9d41-5e6a0b72c418)",
                            what, text);
    return SR_OK;
}

sr_err_t
sr_client_request_about(sr_msg_type_t type, sr_field_t idf, const char *text,
                        const char *what, sr_id_t *id, sr_msg_t **out,
                        sr_error_t *err)
{
    sr_err_t rc = sr_client_parse_id(text, what, id, err);
    if (rc)
        return rc;
    sr_msg_t *req = sr_msg_new(type);
    if (!req || sr_msg_set_id(req, idf, id) != SR_OK) {
        sr_msg_destroy(&req);
        return sr_error_set(err, SR_ENOMEM, "%s: out of memory",
                            sr_msg_type_name(type));
    }
    *out = req;
    return SR_OK;
}

sr_err_t
sr_client_call_owner(sr_client_t *c, sr_msg_t **req, const sr_id_t *id,
                     int timeout_ms, sr_value_t **body, sr_error_t *err)
{
    sr_value_t *b = NULL;
    sr_err_t rc =
        sr_client_call_partition(c, sr_id_partition(id), *req,
                                 sr_client_deadline(timeout_ms), &b, NULL, err);
    sr_msg_destroy(req);
    if (!rc && body)
        *body = b;
    else
        sr_value_destroy(&b);
    return rc;
}

sr_err_t
sr_client_build_error(sr_err_t rc, const char *what, sr_error_t *err)
{
    if (rc == SR_ENOMEM)
        return sr_error_set(err, SR_ENOMEM, "%s: out of memory", what);
    return sr_error_set(err, rc, "%s: cannot build the request", what);
}

// --- one exchange -------------------------------------------------------

sr_err_t
sr_client_take_body(sr_client_xfer_t *x, sr_value_t **body, sr_error_t *err)
{
    if (x->rc) {
        if (err)
            *err = x->err;
        return x->rc;
    }
    sr_value_t *b = sr_msg_take(x->reply, SR_F_REPLY_body);
    sr_client_xfer_fini(x);
    if (!b)
        b = sr_value_new_nil();
    if (sr_client_body_norm(&b) != SR_OK) {
        sr_value_destroy(&b);
        return sr_error_set(err, SR_ENOMEM, "reply: out of memory");
    }
    *body = b;
    return SR_OK;
}

static sr_err_t
s_one(sr_client_t *c, size_t engine, sr_msg_t *req, int64_t deadline_ms,
      sr_value_t **body, sr_error_t *err)
{
    sr_client_xfer_t x = {.engine = engine, .req = req};
    sr_client_conn_exchange(c->conn, &x, 1, deadline_ms, NULL, NULL);
    sr_err_t rc = sr_client_take_body(&x, body, err);
    sr_client_xfer_fini(&x);
    return rc;
}

sr_err_t
sr_client_call_engine(sr_client_t *c, size_t engine, sr_msg_t *req,
                      int64_t deadline_ms, sr_value_t **body, sr_error_t *err)
{
    return s_one(c, engine, req, deadline_ms, body, err);
}

sr_err_t
sr_client_call_any(sr_client_t *c, sr_msg_t *req, int64_t deadline_ms,
                   sr_value_t **body, sr_error_t *err)
{
    size_t e = sr_client_conn_pick(c->conn, sr_client_route_next(c->route),
                                   deadline_ms);
    return s_one(c, e, req, deadline_ms, body, err);
}

// --- the partition map --------------------------------------------------

#define S_LEARN_ROUND_MS     250  // the first round of STATUS requests
#define S_LEARN_ROUND_MAX_MS 1000 // the longest

typedef struct {
    sr_client_t *c;
    sr_client_xfer_t *xs; // the STATUS requests
    size_t n;
    uint16_t want;    // the partition we need an owner for
    sr_error_t first; // first failure, when nothing was learnt
    bool has_first;
} s_learn_t;

// Each STATUS answer as it comes: learn it. Stop once `want` is known and
// every engine that took the request has answered: engines not connected
// are not waited for.
static bool
s_learned(sr_client_xfer_t *x, void *arg)
{
    s_learn_t *l = arg;
    const char *ep = sr_client_conn_endpoint(l->c->conn, x->engine);
    sr_error_t e;
    if (x->rc == SR_OK &&
        sr_client_route_learn(l->c->route, x->engine,
                              sr_msg_get(x->reply, SR_F_REPLY_body), &e))
        sr_warn("client: %s engine=%s", e.msg, ep);
    if (x->rc != SR_OK && !l->has_first) {
        l->first = x->err;
        l->has_first = true;
    }
    size_t owner;
    if (!sr_client_route_owner(l->c->route, l->want, &owner))
        return false;
    for (size_t i = 0; i < l->n; i++)
        if (l->xs[i].is_pending && l->xs[i].is_sent)
            return false;
    return true;
}

// One round of s_learn, until `deadline_ms`; *is_all: every engine
// answered.
static sr_err_t
s_learn_round(sr_client_t *c, uint16_t want, int64_t deadline_ms, char *silent,
              size_t size, bool *is_all, sr_error_t *err)
{
    size_t n = sr_client_conn_count(c->conn);
    sr_client_xfer_t xs[SR_CLIENT_ENGINES_MAX];
    s_learn_t l = {.c = c, .xs = xs, .n = n, .want = want};
    sr_err_t rc = SR_OK;
    memset(xs, 0, sizeof xs);
    for (size_t i = 0; i < n && !rc; i++) {
        xs[i].engine = i;
        xs[i].req = sr_msg_new(SR_MSG_STATUS);
        if (!xs[i].req)
            rc = sr_error_set(err, SR_ENOMEM, "STATUS: out of memory");
    }
    if (!rc) {
        sr_client_route_forget(c->route);
        sr_client_conn_exchange(c->conn, xs, n, deadline_ms, s_learned, &l);
        if (!sr_client_route_is_known(c->route) && l.has_first) {
            if (err)
                *err = l.first;
            rc = l.first.code;
        }
    }
    *is_all = !rc;
    for (size_t i = 0, len = 0; i < n; i++) {
        if (xs[i].rc == SR_OK)
            continue;
        *is_all = false;
        if (silent && len < size)
            len += (size_t)snprintf(silent + len, size - len, "%s%s",
                                    len ? ", " : "",
                                    sr_client_conn_endpoint(c->conn, i));
    }
    for (size_t i = 0; i < n; i++) {
        sr_msg_destroy(&xs[i].req);
        sr_client_xfer_fini(&xs[i]);
    }
    return rc;
}

// Learn the partition map again from every engine's STATUS, until the
// owner of `want` is known or the deadline. While engines are silent, they
// are asked again in rounds (S_LEARN_ROUND_MS, then twice as long each
// time up to S_LEARN_ROUND_MAX_MS, so that an engine slow to answer is
// heard): the owner of a replicated partition that died is replaced by
// its group's next leader, which a STATUS names only once elected (issue
// 12). When every engine answered and none owns it, the map is as
// complete as it gets. Fails only when no engine answered, in the last
// round (with the first engine's failure). `silent` (may be NULL) gets the
// endpoints of the engines that did not answer, comma-separated.
static sr_err_t
s_learn(sr_client_t *c, uint16_t want, int64_t deadline_ms, char *silent,
        size_t size, sr_error_t *err)
{
    int64_t round_ms = S_LEARN_ROUND_MS;
    for (;;) {
        int64_t now = sr_client_now_ms();
        int64_t until =
            deadline_ms - now > round_ms ? now + round_ms : deadline_ms;
        bool is_all = false;
        size_t owner;
        if (silent && size)
            silent[0] = '\0';
        sr_err_t rc = s_learn_round(c, want, until, silent, size, &is_all, err);
        if (is_all || sr_client_route_owner(c->route, want, &owner) ||
            sr_client_now_ms() >= deadline_ms || zsys_interrupted)
            return rc;
        if (round_ms < S_LEARN_ROUND_MAX_MS)
            round_ms *= 2;
    }
}

// The engine to ask about `partition`: its owner, else the next
// connected one in turn (which forwards, or names the owner).
static size_t
s_pick(sr_client_t *c, uint16_t partition, int64_t deadline_ms)
{
    size_t e;
    if (sr_client_route_owner(c->route, partition, &e))
        return e;
    return sr_client_conn_pick(c->conn, sr_client_route_next(c->route),
                               deadline_ms);
}

sr_err_t
sr_client_call_partition(sr_client_t *c, uint16_t partition, sr_msg_t *req,
                         int64_t deadline_ms, sr_value_t **body, size_t *engine,
                         sr_error_t *err)
{
    size_t e = 0;
    sr_err_t rc = SR_OK;
    int64_t start = sr_client_now_ms();
    char silent[256] = "";
    if (sr_client_conn_count(c->conn) > 1) {
        // Learn the map when it is not known, does not know this
        // partition (its owner was down, or it moved), or names an owner
        // with no connection (gone: a replicated partition's group elects
        // another leader).
        if (!sr_client_route_is_known(c->route) ||
            !sr_client_route_owner(c->route, partition, &e) ||
            !sr_client_conn_is_up(c->conn, e))
            rc = s_learn(c, partition, deadline_ms, silent, sizeof silent, err);
        if (rc)
            return rc;
        if (!sr_client_route_owner(c->route, partition, &e) &&
            sr_client_now_ms() >= deadline_ms) // its owner did not answer
            return sr_error_set(
                err, SR_ETIMEDOUT,
                "%s: no engine that answered owns partition %u%s%s, "
                "after %lld ms",
                sr_msg_type_name(sr_msg_type(req)), (unsigned)partition,
                silent[0] ? "; not answering: " : "", silent,
                (long long)(sr_client_now_ms() - start));
        e = s_pick(c, partition, deadline_ms);
    }
    rc = s_one(c, e, req, deadline_ms, body, err);
    if (rc == SR_EUNAVAIL && sr_client_conn_count(c->conn) > 1) {
        size_t owner;
        sr_error_t ignored;
        if (s_learn(c, partition, deadline_ms, NULL, 0, &ignored) == SR_OK &&
            sr_client_route_owner(c->route, partition, &owner) && owner != e) {
            e = owner;
            rc = s_one(c, e, req, deadline_ms, body, err);
        }
    }
    if (!rc && engine)
        *engine = e;
    return rc;
}

// Request `req` (taken over) of engine i; its reply's body in *out.
static sr_err_t
s_one_engine(sr_client_t *c, size_t i, sr_msg_t *req, const char *what,
             int timeout_ms, sr_value_t **out, sr_error_t *err)
{
    if (i >= sr_client_conn_count(c->conn)) {
        sr_msg_destroy(&req);
        return sr_error_set(err, SR_EINVAL,
                            "no engine %zu (the client has %zu)", i,
                            sr_client_conn_count(c->conn));
    }
    if (!req)
        return sr_error_set(err, SR_ENOMEM, "%s: out of memory", what);
    sr_value_t *body = NULL;
    sr_err_t rc = s_one(c, i, req, sr_client_deadline(timeout_ms), &body, err);
    sr_msg_destroy(&req);
    if (rc)
        return rc;
    *out = body;
    return SR_OK;
}

sr_err_t
sr_client_status(sr_client_t *c, size_t i, int timeout_ms, sr_value_t **status,
                 sr_error_t *err)
{
    return s_one_engine(c, i, sr_msg_new(SR_MSG_STATUS), "STATUS", timeout_ms,
                        status, err);
}

sr_err_t
sr_client_cluster_map(sr_client_t *c, size_t i, const char *map, int timeout_ms,
                      sr_value_t **taken, sr_error_t *err)
{
    sr_msg_t *req = sr_msg_new(SR_MSG_CLUSTER_MAP);
    if (req && sr_msg_set(req, SR_F_CLUSTER_MAP_map, sr_value_new_str(map)))
        sr_msg_destroy(&req);
    return s_one_engine(c, i, req, "CLUSTER_MAP", timeout_ms, taken, err);
}

bool
sr_client_state_is_final(const char *state)
{
    return state &&
           (strcmp(state, "SUCCESS") == 0 || strcmp(state, "ERROR") == 0 ||
            strcmp(state, "CANCELLED") == 0);
}
