/* Requests asked of every engine: to all of them (each answer needed), to
 * those that answer (left out: the others), and to those that answer when
 * they serve, together, every partition of the cluster (sr_client_cover):
 * then the others, down, are not needed (lists, WF_CREATE, SUBSCRIBE to
 * everything, COMPLETE by token). Owns nothing past a call; routing to
 * one engine is sr_client.c's.
 * Thread rule: the client's thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_client_core.h"
#include "sr_client_cover.h"

#define S_ROUND_MS     250  // the first wait before asking again
#define S_ROUND_MAX_MS 1000 // the longest

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
        sr_err_t rc = is_ignored ? SR_OK : sr_client_take_body(&xs[i], &b, err);
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

// Free the requests and replies of `n` xfers.
static void
s_xfers_fini(sr_client_xfer_t *xs, size_t n)
{
    for (size_t k = 0; xs && k < n; k++) {
        sr_msg_destroy(&xs[k].req);
        sr_client_xfer_fini(&xs[k]);
    }
}

// Send each engine its own copy of `req` and wait as
// sr_client_conn_exchange does; free with s_xfers_fini.
static sr_err_t
s_fanout(sr_client_t *c, const sr_msg_t *req, int64_t deadline_ms,
         sr_client_settled_fn *fn, void *arg, sr_client_xfer_t *xs,
         sr_error_t *err)
{
    sr_client_conn_t *cn = sr_client_get_conn(c);
    size_t n = sr_client_conn_count(cn);
    memset(xs, 0, n * sizeof *xs);
    for (size_t i = 0; i < n; i++) {
        xs[i].engine = i;
        if (!(xs[i].req = s_msg_copy(req)))
            return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    sr_client_conn_exchange(cn, xs, n, deadline_ms, fn, arg);
    return SR_OK;
}

sr_err_t
sr_client_call_all(sr_client_t *c, const sr_msg_t *req, int64_t deadline_ms,
                   sr_err_t ignore, sr_value_t **bodies, size_t *ignored,
                   sr_error_t *err)
{
    sr_client_xfer_t xs[SR_CLIENT_ENGINES_MAX];
    size_t n = sr_client_conn_count(sr_client_get_conn(c));
    sr_err_t rc = s_fanout(c, req, deadline_ms, NULL, NULL, xs, err);
    if (!rc)
        rc = s_collect(xs, n, ignore, NULL, bodies, ignored, err);
    s_xfers_fini(xs, n);
    return rc;
}

typedef struct {
    sr_client_xfer_t *xs;
    size_t n;
} s_each_t;

// Stop once every engine that took the request has settled and one of
// them answered (a REPLY or an ERROR): those still unsent have no
// connection (are down).
static bool
s_all_sent_settled(sr_client_xfer_t *x, void *arg)
{
    (void)x;
    const s_each_t *e = arg;
    bool has_answer = false;
    for (size_t k = 0; k < e->n; k++) {
        if (e->xs[k].is_pending && e->xs[k].is_sent)
            return false;
        has_answer |= !e->xs[k].is_pending && e->xs[k].is_answered;
    }
    return has_answer;
}

sr_err_t
sr_client_call_each(sr_client_t *c, const sr_msg_t *req, int64_t deadline_ms,
                    sr_value_t **bodies, sr_error_t *errs, size_t *failed,
                    sr_error_t *err)
{
    sr_client_xfer_t xs[SR_CLIENT_ENGINES_MAX];
    s_each_t each = {xs, sr_client_conn_count(sr_client_get_conn(c))};
    sr_err_t rc =
        s_fanout(c, req, deadline_ms, s_all_sent_settled, &each, xs, err);
    if (!rc)
        rc = s_collect(xs, each.n, SR_OK, errs, bodies, failed, err);
    s_xfers_fini(xs, each.n);
    return rc;
}

// --- when the engines that answer serve every partition -----------------

// Per engine i of a bracket round: xs[3i] STATUS, xs[3i + 1] the request,
// xs[3i + 2] STATUS, sent in that order on engine i's socket, answered in
// that order.
#define S_BRACKET 3

// How a call copes with engines that fail.
typedef struct {
    sr_err_t ignore;    // an engine's ERROR of this code is an answer (its
                        // item nil); SR_OK: none is
    bool is_lenient;    // another ERROR leaves the engine out as silence
                        // does (lists); else it fails the call
    bool is_one_enough; // one engine's REPLY is the answer
} s_mode_t;

typedef enum { S_OK, S_IGNORED, S_REFUSED, S_SILENT } s_outcome_t;

// The xfers of one round: `stride` per engine (1, or S_BRACKET).
typedef struct {
    sr_client_xfer_t *xs;
    size_t stride;
    size_t n; // engines
} s_view_t;

static sr_client_xfer_t *
s_req(const s_view_t *v, size_t i)
{
    return &v->xs[v->stride * i + (v->stride == S_BRACKET)];
}

static s_outcome_t
s_outcome(const sr_client_xfer_t *x, const s_mode_t *m)
{
    if (x->rc == SR_OK)
        return S_OK;
    if (!x->is_answered)
        return S_SILENT;
    if (m->ignore != SR_OK && x->rc == m->ignore)
        return S_IGNORED;
    return m->is_lenient ? S_SILENT : S_REFUSED;
}

// Engine i answered the request (and, in a bracket, both STATUS).
static bool
s_answered(const s_view_t *v, size_t i, const s_mode_t *m)
{
    s_outcome_t o = s_outcome(s_req(v, i), m);
    if (o != S_OK && o != S_IGNORED)
        return false;
    const sr_client_xfer_t *x = &v->xs[v->stride * i];
    return v->stride != S_BRACKET || (x[0].rc == SR_OK && x[2].rc == SR_OK);
}

// The answer of a round: *bodies one item per engine, its REPLY's body or
// nil; *ignored (may be NULL) counts the ERRORs of `ignore`, and `err`
// holds the first of them.
static sr_err_t
s_result(const s_view_t *v, const s_mode_t *m, sr_value_t **bodies,
         size_t *ignored, sr_error_t *err)
{
    sr_value_t *out = sr_value_new_array(v->n);
    size_t skipped = 0;
    sr_err_t rc = out ? SR_OK : sr_error_set(err, SR_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < v->n; i++) {
        sr_client_xfer_t *x = s_req(v, i);
        s_outcome_t o = s_outcome(x, m);
        sr_value_t *b = NULL;
        if (o == S_IGNORED && skipped++ == 0 && err)
            *err = x->err;
        if (o == S_OK)
            rc = sr_client_take_body(x, &b, err);
        if (!rc && sr_value_array_append(out, b ? b : sr_value_new_nil()))
            rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    if (rc) {
        sr_value_destroy(&out);
        return rc;
    }
    *bodies = out;
    if (ignored)
        *ignored = skipped;
    return SR_OK;
}

// Engine i's failure in a round: the request's, else (it answered that)
// a STATUS's.
static sr_err_t
s_failure(const s_view_t *v, size_t i, const s_mode_t *m, sr_error_t *err)
{
    const sr_client_xfer_t *x = s_req(v, i);
    s_outcome_t o = s_outcome(x, m);
    if ((o == S_OK || o == S_IGNORED) && v->stride == S_BRACKET)
        x = v->xs[S_BRACKET * i].rc ? &v->xs[S_BRACKET * i]
                                    : &v->xs[S_BRACKET * i + 2];
    if (err)
        *err = x->err;
    return x->rc;
}

// Is each engine that did not answer named as a member of the cluster by
// one that did? Then its partitions were named too.
static bool
s_silent_are_members(sr_client_t *c, const s_view_t *v, const s_mode_t *m)
{
    for (size_t i = 0; i < v->n; i++) {
        if (s_answered(v, i, m))
            continue;
        const char *ep = sr_client_conn_endpoint(sr_client_get_conn(c), i);
        bool is_member = false;
        for (size_t j = 0; j < v->n && !is_member; j++)
            is_member =
                s_answered(v, j, m) &&
                sr_client_cover_is_member(
                    sr_msg_get(v->xs[S_BRACKET * j].reply, SR_F_REPLY_body),
                    ep);
        if (!is_member)
            return false;
    }
    return true;
}

// Did the engines that answered a bracket round serve, together, every
// partition of the cluster throughout, each in one epoch, and name the
// others as members of it? `cv` is filled from their STATUS bodies.
static bool
s_is_covered(sr_client_t *c, const s_view_t *v, const s_mode_t *m,
             sr_client_cover_t *cv)
{
    for (size_t i = 0; i < v->n; i++) {
        if (!s_answered(v, i, m))
            continue;
        const sr_client_xfer_t *x = &v->xs[S_BRACKET * i];
        const sr_value_t *before = sr_msg_get(x[0].reply, SR_F_REPLY_body);
        const sr_value_t *after = sr_msg_get(x[2].reply, SR_F_REPLY_body);
        sr_client_cover_name(cv, before);
        sr_client_cover_name(cv, after);
        sr_client_cover_serve(cv, before, after);
    }
    return sr_client_cover_is_whole(cv) && s_silent_are_members(c, v, m);
}

// Add to err->msg why the engines that answered were not enough: the
// partitions none of them served, or that they do not name the others.
static void
s_why_not_covered(const sr_client_cover_t *cv, sr_error_t *err)
{
    sr_value_t *unserved = NULL;
    sr_error_t e;
    if (!err || !cv || sr_client_cover_unserved(cv, &unserved, &e))
        return;
    char parts[64] = "";
    size_t n = sr_value_len(unserved);
    for (size_t k = 0, len = 0; k < n && len < sizeof parts; k++)
        len += (size_t)snprintf(
            parts + len, sizeof parts - len, "%s%lld", k ? ", " : "",
            (long long)sr_value_int(sr_value_array_at(unserved, k)));
    sr_value_destroy(&unserved);
    size_t len = strlen(err->msg);
    if (n)
        snprintf(err->msg + len, sizeof err->msg - len,
                 "; no engine that answered served partition %s", parts);
    else if (sr_client_cover_is_whole(cv))
        snprintf(err->msg + len, sizeof err->msg - len,
                 "; the engines that answered do not name it in their "
                 "cluster");
    else
        snprintf(err->msg + len, sizeof err->msg - len,
                 "; the engines that answered name no cluster");
}

// What a round's answers say: done (*bodies), failed (the error), or,
// with *is_again, to ask again unless the call's time is up (`err` and the
// code returned then say why the round was not enough). `cv` (bracket
// rounds) is the cover to fill.
static sr_err_t
s_judge(sr_client_t *c, const s_view_t *v, const s_mode_t *m,
        sr_client_cover_t *cv, sr_value_t **bodies, size_t *ignored,
        bool *is_again, sr_error_t *err)
{
    size_t answered = 0, silent = v->n;
    *is_again = false;
    for (size_t i = 0; m->is_one_enough && i < v->n; i++)
        if (s_outcome(s_req(v, i), m) == S_OK)
            return s_result(v, m, bodies, ignored, err);
    for (size_t i = 0; i < v->n; i++) // an engine's ERROR fails the call
        if (s_outcome(s_req(v, i), m) == S_REFUSED)
            return s_failure(v, i, m, err);
    for (size_t i = 0; i < v->n; i++) {
        if (s_answered(v, i, m))
            answered++;
        else if (silent == v->n)
            silent = i;
    }
    if (answered == v->n ||
        (answered && v->stride == S_BRACKET && s_is_covered(c, v, m, cv)))
        return s_result(v, m, bodies, ignored, err);
    sr_err_t rc = s_failure(v, silent, m, err);
    if (answered && v->stride == S_BRACKET)
        s_why_not_covered(cv, err);
    // None answered the first round: no engine to ask again.
    *is_again = answered || v->stride == S_BRACKET;
    return rc;
}

// One bracket round: `req` between two STATUS to every engine, not
// waiting for engines with no connection once the others have answered.
static sr_err_t
s_bracket(sr_client_t *c, const sr_msg_t *req, int64_t deadline_ms, s_view_t *v,
          sr_error_t *err)
{
    s_each_t each = {v->xs, S_BRACKET * v->n};
    sr_msg_t *status = sr_msg_new(SR_MSG_STATUS);
    sr_err_t rc =
        status ? SR_OK : sr_error_set(err, SR_ENOMEM, "out of memory");
    memset(v->xs, 0, each.n * sizeof *v->xs);
    for (size_t k = 0; !rc && k < each.n; k++) {
        v->xs[k].engine = k / S_BRACKET;
        v->xs[k].req = s_msg_copy(k % S_BRACKET == 1 ? req : status);
        if (!v->xs[k].req)
            rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    if (!rc)
        sr_client_conn_exchange(sr_client_get_conn(c), v->xs, each.n,
                                deadline_ms, s_all_sent_settled, &each);
    sr_msg_destroy(&status);
    return rc;
}

// Ask again, alone, the engines of the first round that had no
// connection then (a new client still connecting, or an engine down),
// waiting for them up to S_ROUND_MS: each engine then gets the request
// once when all are up. `xs` is the first round's; judged again.
static sr_err_t
s_catch_up(sr_client_t *c, sr_client_xfer_t *xs, size_t n, int64_t deadline_ms,
           const s_mode_t *m, sr_value_t **bodies, size_t *ignored,
           bool *is_again, sr_error_t *err)
{
    sr_client_xfer_t late[SR_CLIENT_ENGINES_MAX];
    size_t at[SR_CLIENT_ENGINES_MAX], k = 0;
    for (size_t i = 0; i < n; i++)
        if (!xs[i].is_sent && !xs[i].is_answered) {
            at[k] = i;
            late[k++] = xs[i]; // moved there and back: owned by xs[i]
        }
    int64_t now = sr_client_now_ms();
    sr_client_conn_exchange(sr_client_get_conn(c), late, k,
                            deadline_ms - now > S_ROUND_MS ? now + S_ROUND_MS
                                                           : deadline_ms,
                            NULL, NULL);
    for (size_t j = 0; j < k; j++)
        xs[at[j]] = late[j];
    s_view_t v = {xs, 1, n};
    return s_judge(c, &v, m, NULL, bodies, ignored, is_again, err);
}

// Ask every engine; when some do not answer (after s_catch_up), ask those
// that do again between two STATUS, in rounds (S_ROUND_MS, then twice as
// long each time up to S_ROUND_MAX_MS), until they served every partition
// throughout or the deadline; then the last round's failure.
static sr_err_t
s_covered(sr_client_t *c, const sr_msg_t *req, int64_t deadline_ms,
          const s_mode_t *m, sr_value_t **bodies, size_t *ignored,
          sr_error_t *err)
{
    size_t n = sr_client_conn_count(sr_client_get_conn(c));
    sr_client_xfer_t first[SR_CLIENT_ENGINES_MAX];
    s_each_t each = {first, n};
    s_view_t v = {first, 1, n};
    bool is_again = false;
    sr_err_t rc =
        s_fanout(c, req, deadline_ms, s_all_sent_settled, &each, first, err);
    if (!rc)
        rc = s_judge(c, &v, m, NULL, bodies, ignored, &is_again, err);
    if (is_again && sr_client_now_ms() < deadline_ms)
        rc = s_catch_up(c, first, n, deadline_ms, m, bodies, ignored, &is_again,
                        err);
    s_xfers_fini(first, n);
    sr_client_xfer_t *xs = calloc(S_BRACKET * n, sizeof *xs);
    sr_client_cover_t *cv = NULL;
    int64_t round_ms = S_ROUND_MS;
    for (bool is_first = true; is_again; is_first = false) {
        int64_t now = sr_client_now_ms();
        if (now >= deadline_ms) // rc, err: why the last round failed
            break;
        int64_t until =
            deadline_ms - now > round_ms ? now + round_ms : deadline_ms;
        if (!is_first && !sr_client_conn_wait(sr_client_get_conn(c), until)) {
            rc = sr_error_set(err, SR_EIO, "%s: interrupted",
                              sr_msg_type_name(sr_msg_type(req)));
            break;
        }
        if (!is_first && round_ms < S_ROUND_MAX_MS)
            round_ms *= 2;
        if (sr_client_now_ms() >= deadline_ms)
            break;
        sr_client_cover_destroy(&cv);
        cv = sr_client_cover_new();
        v = (s_view_t){xs, S_BRACKET, n};
        is_again = false;
        rc = xs && cv ? s_bracket(c, req, deadline_ms, &v, err)
                      : sr_error_set(err, SR_ENOMEM, "out of memory");
        if (!rc)
            rc = s_judge(c, &v, m, cv, bodies, ignored, &is_again, err);
        s_xfers_fini(xs, S_BRACKET * n);
    }
    sr_client_cover_destroy(&cv);
    free(xs);
    return rc;
}

sr_err_t
sr_client_call_covered(sr_client_t *c, const sr_msg_t *req, int64_t deadline_ms,
                       sr_err_t ignore, int flags, sr_value_t **bodies,
                       size_t *ignored, sr_error_t *err)
{
    s_mode_t m = {ignore, false, (flags & SR_CLIENT_FAN_ONE_REPLY) != 0};
    return s_covered(c, req, deadline_ms, &m, bodies, ignored, err);
}

sr_err_t
sr_client_call_lists(sr_client_t *c, const sr_msg_t *req, int64_t deadline_ms,
                     sr_value_t **lists, sr_error_t *err)
{
    s_mode_t m = {SR_OK, true, false};
    sr_value_t *bodies = NULL;
    sr_err_t rc = s_covered(c, req, deadline_ms, &m, &bodies, NULL, err);
    sr_value_t *out = rc ? NULL : sr_value_new_array(sr_value_len(bodies));
    if (!rc && !out)
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < sr_value_len(bodies); i++) {
        sr_value_t *b = sr_value_array_at(bodies, i);
        if (!sr_value_is(b, SR_T_NIL) &&
            sr_value_array_append(out, sr_value_ref(b)))
            rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    sr_value_destroy(&bodies);
    if (rc)
        sr_value_destroy(&out);
    else
        *lists = out;
    return rc;
}
