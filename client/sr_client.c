/* The client object and the only routing code: requests go to the next
 * engine in turn, to the owner of a partition (the map is learnt from
 * STATUS replies when first needed and again after an EUNAVAIL), or to
 * every engine (lists: to the engines that answer, when those serve every
 * partition). Owns the connections and the partition map. The typed
 * calls live in sr_client_wf.c, sr_client_ex.c and sr_client_events.c.
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
#include "sr_client_cover.h"
#include "sr_client_route.h"
#include "sr_log.h"

struct sr_client {
    sr_client_conn_t *conn;   // owned
    sr_client_route_t *route; // owned
    int watch_check_ms;
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
    char *list = NULL;
    sr_err_t rc = sr_client_cluster_endpoints(endpoints, &list, err);
    if (!rc)
        rc = sr_client_conn_open(list, opts, &c->conn, err);
    free(list);
    if (!rc) {
        c->route = sr_client_route_new(sr_client_conn_count(c->conn));
        if (!c->route)
            rc = sr_error_set(err, SR_ENOMEM, "out of memory");
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

// The body of a settled xfer (taken and normalised), or its error.
static sr_err_t
s_take_body(sr_client_xfer_t *x, sr_value_t **body, sr_error_t *err)
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
    sr_err_t rc = s_take_body(&x, body, err);
    sr_client_xfer_fini(&x);
    return rc;
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

// --- every engine -------------------------------------------------------

// A copy of `m` sharing its values. NULL when memory runs out.
static sr_msg_t *
s_msg_copy(const sr_msg_t *m)
{
    sr_msg_type_t type = sr_msg_type(m);
    sr_msg_t *copy = sr_msg_new(type);
    for (size_t i = 0; copy && i < sr_msg_field_count(type); i++) {
        sr_field_t f = sr_msg_field_at(type, i);
        sr_value_t *v = sr_msg_get(m, f);
        if (v && sr_msg_set(copy, f, sr_value_ref(v)) != SR_OK)
            sr_msg_destroy(&copy);
    }
    return copy;
}

// Collect the answers of a fan-out into one array. An engine that failed
// with `ignore` (or with anything, when `errs` is not NULL) gives nil and
// counts in *ignored; errs[i] (when given) is engine i's error, code
// SR_OK when it answered, and `err` otherwise the first ignored one.
static sr_err_t
s_collect(sr_client_xfer_t *xs, size_t n, sr_err_t ignore, sr_error_t *errs,
          sr_value_t **out, size_t *ignored, sr_error_t *err)
{
    sr_value_t *bodies = sr_value_new_array(n);
    if (!bodies)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    size_t skipped = 0;
    for (size_t i = 0; i < n; i++) {
        sr_value_t *b = NULL;
        bool is_ignored = xs[i].rc != SR_OK &&
                          (errs || (ignore != SR_OK && xs[i].rc == ignore));
        if (errs && is_ignored)
            errs[i] = xs[i].err;
        else if (errs)
            sr_error_clear(&errs[i]);
        else if (is_ignored && skipped == 0 && err)
            *err = xs[i].err;
        skipped += is_ignored;
        sr_err_t rc = is_ignored ? SR_OK : s_take_body(&xs[i], &b, err);
        if (!rc && sr_value_array_append(bodies, b ? b : sr_value_new_nil()))
            rc = sr_error_set(err, SR_ENOMEM, "out of memory");
        if (rc) {
            sr_value_destroy(&bodies);
            return rc;
        }
    }
    *out = bodies;
    if (ignored)
        *ignored = skipped;
    return SR_OK;
}

// Send each engine its own copy of `req` and wait as
// sr_client_conn_exchange does; free with s_fanout_fini.
static sr_err_t
s_fanout(sr_client_t *c, const sr_msg_t *req, int64_t deadline_ms,
         sr_client_settled_fn *fn, void *arg, sr_client_xfer_t *xs,
         sr_error_t *err)
{
    size_t n = sr_client_conn_count(c->conn);
    memset(xs, 0, n * sizeof *xs);
    for (size_t i = 0; i < n; i++) {
        xs[i].engine = i;
        if (!(xs[i].req = s_msg_copy(req)))
            return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    sr_client_conn_exchange(c->conn, xs, n, deadline_ms, fn, arg);
    return SR_OK;
}

static void
s_fanout_fini(sr_client_t *c, sr_client_xfer_t *xs)
{
    for (size_t i = 0; i < sr_client_conn_count(c->conn); i++) {
        sr_msg_destroy(&xs[i].req);
        sr_client_xfer_fini(&xs[i]);
    }
}

sr_err_t
sr_client_call_all(sr_client_t *c, const sr_msg_t *req, int64_t deadline_ms,
                   sr_err_t ignore, sr_value_t **bodies, size_t *ignored,
                   sr_error_t *err)
{
    sr_client_xfer_t xs[SR_CLIENT_ENGINES_MAX];
    sr_err_t rc = s_fanout(c, req, deadline_ms, NULL, NULL, xs, err);
    if (!rc)
        rc = s_collect(xs, sr_client_conn_count(c->conn), ignore, NULL, bodies,
                       ignored, err);
    s_fanout_fini(c, xs);
    return rc;
}

typedef struct {
    sr_client_xfer_t *xs;
    size_t n;
} s_each_t;

// Stop once every engine that took the request has settled and one of
// them answered: those still unsent have no connection (are down).
static bool
s_all_sent_settled(sr_client_xfer_t *x, void *arg)
{
    (void)x;
    const s_each_t *e = arg;
    bool has_answer = false;
    for (size_t k = 0; k < e->n; k++) {
        if (e->xs[k].is_pending && e->xs[k].is_sent)
            return false;
        has_answer |= !e->xs[k].is_pending && e->xs[k].rc == SR_OK;
    }
    return has_answer;
}

sr_err_t
sr_client_call_each(sr_client_t *c, const sr_msg_t *req, int64_t deadline_ms,
                    sr_value_t **bodies, sr_error_t *errs, size_t *failed,
                    sr_error_t *err)
{
    sr_client_xfer_t xs[SR_CLIENT_ENGINES_MAX];
    s_each_t each = {xs, sr_client_conn_count(c->conn)};
    sr_err_t rc =
        s_fanout(c, req, deadline_ms, s_all_sent_settled, &each, xs, err);
    if (!rc)
        rc = s_collect(xs, each.n, SR_OK, errs, bodies, failed, err);
    s_fanout_fini(c, xs);
    return rc;
}

// --- lists from every engine -------------------------------------------

// Per engine i: xs[3i] STATUS, xs[3i + 1] the request, xs[3i + 2] STATUS,
// sent in that order on engine i's socket, answered in that order.
#define S_BRACKET 3

// Note what engine i's three answers say; append its list to `out`.
static sr_err_t
s_bracket_note(sr_client_xfer_t *x, sr_client_cover_t *cv, sr_value_t *out,
               sr_error_t *err)
{
    const sr_value_t *before = sr_msg_get(x[0].reply, SR_F_REPLY_body);
    const sr_value_t *after = sr_msg_get(x[2].reply, SR_F_REPLY_body);
    sr_client_cover_name(cv, before);
    sr_client_cover_name(cv, after);
    sr_client_cover_serve(cv, before, after);
    sr_value_t *b = NULL;
    sr_err_t rc = s_take_body(&x[1], &b, err);
    if (!rc && sr_value_array_append(out, b))
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    return rc;
}

// Answered all three of its bracket.
static bool
s_bracket_ok(const sr_client_xfer_t *x)
{
    return x[0].rc == SR_OK && x[1].rc == SR_OK && x[2].rc == SR_OK;
}

// Is each engine that did not answer its bracket named as a member of
// the cluster by one that did? Then its partitions were named too.
static bool
s_silent_are_members(sr_client_t *c, const sr_client_xfer_t *xs)
{
    size_t n = sr_client_conn_count(c->conn);
    for (size_t i = 0; i < n; i++) {
        if (s_bracket_ok(&xs[S_BRACKET * i]))
            continue;
        const char *ep = sr_client_conn_endpoint(c->conn, i);
        bool is_member = false;
        for (size_t j = 0; j < n && !is_member; j++)
            is_member =
                s_bracket_ok(&xs[S_BRACKET * j]) &&
                sr_client_cover_is_member(
                    sr_msg_get(xs[S_BRACKET * j].reply, SR_F_REPLY_body), ep);
        if (!is_member)
            return false;
    }
    return true;
}

// Ask every engine for `req` between two STATUS requests, not waiting
// for engines with no connection once the others have answered. *lists:
// the lists of the engines that answered all three, when every engine
// did, or when those served, together, every partition of the cluster
// throughout (sr_client_cover) and name each other engine as a member of
// it. SR_EUNAVAIL (without detail) otherwise.
static sr_err_t
s_lists_covered(sr_client_t *c, const sr_msg_t *req, int64_t deadline_ms,
                sr_value_t **lists, sr_error_t *err)
{
    size_t n = sr_client_conn_count(c->conn), answered = 0;
    s_each_t each = {calloc(S_BRACKET * n, sizeof *each.xs), S_BRACKET * n};
    sr_msg_t *status = sr_msg_new(SR_MSG_STATUS);
    sr_client_cover_t *cv = sr_client_cover_new();
    sr_value_t *out = sr_value_new_array(n);
    sr_err_t rc = each.xs && status && cv && out
                      ? SR_OK
                      : sr_error_set(err, SR_ENOMEM, "out of memory");
    for (size_t k = 0; !rc && k < each.n; k++) {
        each.xs[k].engine = k / S_BRACKET;
        each.xs[k].req = s_msg_copy(k % S_BRACKET == 1 ? req : status);
        if (!each.xs[k].req)
            rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    if (!rc)
        sr_client_conn_exchange(c->conn, each.xs, each.n, deadline_ms,
                                s_all_sent_settled, &each);
    for (size_t i = 0; !rc && i < n; i++) {
        sr_client_xfer_t *x = &each.xs[S_BRACKET * i];
        if (s_bracket_ok(x)) {
            rc = s_bracket_note(x, cv, out, err);
            answered++;
        }
    }
    if (!rc && answered < n &&
        (!sr_client_cover_is_whole(cv) || !s_silent_are_members(c, each.xs)))
        rc = SR_EUNAVAIL;
    if (!rc) {
        *lists = out;
        out = NULL;
    }
    for (size_t k = 0; each.xs && k < each.n; k++) {
        sr_msg_destroy(&each.xs[k].req);
        sr_client_xfer_fini(&each.xs[k]);
    }
    free(each.xs);
    sr_value_destroy(&out);
    sr_client_cover_destroy(&cv);
    sr_msg_destroy(&status);
    return rc;
}

sr_err_t
sr_client_call_lists(sr_client_t *c, const sr_msg_t *req, int64_t deadline_ms,
                     sr_value_t **lists, sr_error_t *err)
{
    size_t n = sr_client_conn_count(c->conn), failed = 0;
    sr_value_t *bodies = NULL;
    sr_error_t errs[SR_CLIENT_ENGINES_MAX];
    sr_err_t rc =
        sr_client_call_each(c, req, deadline_ms, &bodies, errs, &failed, err);
    if (rc || failed == 0) {
        if (!rc)
            *lists = bodies;
        return rc;
    }
    sr_value_destroy(&bodies);
    if (failed < n) {
        rc = s_lists_covered(c, req, deadline_ms, lists, err);
        if (rc != SR_EUNAVAIL)
            return rc;
    }
    // Not covered: as a list asked of every engine always did, wait for
    // each (one still connecting, too) and fail naming the first that
    // does not answer. When none answered, the first round waited for
    // each already: its first failure.
    if (failed < n && sr_client_now_ms() < deadline_ms)
        return sr_client_call_all(c, req, deadline_ms, SR_OK, lists, NULL, err);
    size_t i = 0;
    while (i + 1 < n && errs[i].code == SR_OK)
        i++;
    if (err)
        *err = errs[i];
    return errs[i].code;
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
