/* Subscriptions of the client: SUBSCRIBE to the owner of an execution (or
 * to every engine), the queue of EVENTs read with next_event, UNSUBSCRIBE
 * on every engine subscribed to, and watch, which follows one execution
 * to its end (the "wait for an execution" of a synchronous client). While
 * it waits for events, the client checks every follow_ms that each
 * subscription is held where its partition is served (sr_client_subs
 * plans, this file sends). The queue itself and the heartbeats live in
 * sr_client_conn.c.
 * Thread rule: the client's thread.
 */
#include "sirocco/client.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sr_body.h"
#include "sr_client_conn.h"
#include "sr_client_core.h"
#include "sr_log.h"

#define S_UNSUBSCRIBE_MIN_MS 1000 // even after a watch ran out of time
#define S_FINAL_READ_MIN_MS  1000 // reading an execution that just ended
#define S_RETRY_MS           250  // the next check, while one is not placed
#define S_CHECK_MS           1000 // the time a check may take at least

// Milliseconds left until a deadline, as a timeout argument.
static int
s_left(int64_t deadline_ms)
{
    if (deadline_ms == INT64_MAX)
        return -1;
    int64_t left = deadline_ms - sr_client_now_ms();
    if (left < 0)
        return 0;
    return left > INT_MAX ? INT_MAX : (int)left;
}

// A SUBSCRIBE to execution `id`, or to every execution (`id` NULL).
static sr_err_t
s_subscribe_req(const sr_id_t *id, sr_msg_t **out, sr_error_t *err)
{
    sr_msg_t *req = sr_msg_new(SR_MSG_SUBSCRIBE);
    if (!req || (id && sr_msg_set_id(req, SR_F_SUBSCRIBE_execution_id, id))) {
        sr_msg_destroy(&req);
        return sr_error_set(err, SR_ENOMEM, "SUBSCRIBE: out of memory");
    }
    *out = req;
    return SR_OK;
}

// Subscribe to every execution: on every engine, or on those that answer
// when they serve every partition (the others are subscribed to by a
// check once they answer again).
static sr_err_t
s_subscribe_all(sr_client_t *c, const sr_msg_t *req, int64_t deadline_ms,
                sr_error_t *err)
{
    sr_client_conn_t *cn = sr_client_get_conn(c);
    sr_client_subs_t *subs = sr_client_get_subs(c);
    sr_value_t *bodies = NULL;
    sr_err_t rc = sr_client_call_covered(c, req, deadline_ms, SR_OK,
                                         SR_CLIENT_FAN_ALL, &bodies, NULL, err);
    if (!rc)
        sr_client_subs_want_all(subs);
    for (size_t i = 0; !rc && i < sr_value_len(bodies); i++) {
        if (sr_value_is(sr_value_array_at(bodies, i), SR_T_NIL))
            continue;
        sr_client_subs_held_all(subs, i);
        sr_client_conn_set_subscribed(cn, i, true);
    }
    sr_value_destroy(&bodies);
    return rc;
}

static sr_err_t
s_subscribe(sr_client_t *c, const char *execution_id, int64_t deadline_ms,
            sr_error_t *err)
{
    sr_client_conn_t *cn = sr_client_get_conn(c);
    sr_client_subs_t *subs = sr_client_get_subs(c);
    sr_id_t id;
    sr_msg_t *req = NULL;
    sr_err_t rc = execution_id ? sr_client_parse_id(execution_id,
                                                    "execution id", &id, err)
                               : SR_OK;
    if (!rc)
        rc = s_subscribe_req(execution_id ? &id : NULL, &req, err);
    if (!rc && execution_id) {
        sr_value_t *body = NULL;
        size_t engine = 0;
        rc = sr_client_call_partition(c, sr_id_partition(&id), req, deadline_ms,
                                      &body, &engine, err);
        if (!rc)
            rc = sr_client_subs_add(subs, &id, engine, err);
        if (!rc)
            sr_client_conn_set_subscribed(cn, engine, true);
        sr_value_destroy(&body);
    } else if (!rc) {
        rc = s_subscribe_all(c, req, deadline_ms, err);
    }
    if (!rc && !sr_client_subs_due_ms(subs))
        sr_client_subs_set_due_ms(subs, sr_client_now_ms() +
                                            sr_client_get_follow_ms(c));
    sr_msg_destroy(&req);
    return rc;
}

sr_err_t
sr_client_subscribe(sr_client_t *c, const char *execution_id, int timeout_ms,
                    sr_error_t *err)
{
    return s_subscribe(c, execution_id, sr_client_deadline(timeout_ms), err);
}

sr_err_t
sr_client_unsubscribe(sr_client_t *c, int timeout_ms, sr_error_t *err)
{
    sr_client_conn_t *cn = sr_client_get_conn(c);
    sr_client_xfer_t xs[SR_CLIENT_ENGINES_MAX];
    size_t n = 0;
    sr_err_t rc = SR_OK;
    memset(xs, 0, sizeof xs);
    for (size_t i = 0; i < sr_client_conn_count(cn) && !rc; i++) {
        // An engine with no connection holds nothing of this client: a
        // connection made again is another client to it.
        if (!sr_client_conn_is_subscribed(cn, i) ||
            !sr_client_conn_is_up(cn, i))
            continue;
        xs[n].engine = i;
        xs[n].req = sr_msg_new(SR_MSG_UNSUBSCRIBE);
        if (!xs[n++].req)
            rc = sr_error_set(err, SR_ENOMEM, "UNSUBSCRIBE: out of memory");
    }
    if (!rc)
        sr_client_conn_exchange(cn, xs, n, sr_client_deadline(timeout_ms), NULL,
                                NULL);
    for (size_t k = 0; k < n; k++) {
        if (!rc && xs[k].rc) {
            rc = xs[k].rc;
            if (err)
                *err = xs[k].err;
        }
        sr_msg_destroy(&xs[k].req);
        sr_client_xfer_fini(&xs[k]);
    }
    for (size_t i = 0; i < sr_client_conn_count(cn); i++)
        sr_client_conn_set_subscribed(cn, i, false);
    sr_client_subs_clear(sr_client_get_subs(c));
    sr_client_conn_clear_events(cn);
    return rc;
}

// --- following partitions that move ---------------------------------------

// A read of one execution: when its answer came, how many events of it
// had been heard (those queued after it are newer than what it read).
typedef struct {
    sr_client_subs_t *subs;
    const sr_id_t *id;
    uint64_t heard;
} s_read_t;

static bool
s_read_settled(sr_client_xfer_t *x, void *arg)
{
    (void)x;
    s_read_t *r = arg;
    r->heard = sr_client_subs_heard(r->subs, r->id);
    return true;
}

// Read execution `id` at `engine`: *body, or NULL when it is not found;
// *heard as s_read_t's.
static sr_err_t
s_read_at(sr_client_t *c, size_t engine, const sr_id_t *id, int64_t deadline_ms,
          sr_value_t **body, uint64_t *heard, sr_error_t *err)
{
    s_read_t r = {sr_client_get_subs(c), id, 0};
    sr_client_xfer_t x = {.engine = engine, .req = sr_msg_new(SR_MSG_EX_GET)};
    if (!x.req || sr_msg_set_id(x.req, SR_F_EX_GET_execution_id, id)) {
        sr_msg_destroy(&x.req);
        return sr_error_set(err, SR_ENOMEM, "EX_GET: out of memory");
    }
    sr_client_conn_exchange(sr_client_get_conn(c), &x, 1, deadline_ms,
                            s_read_settled, &r);
    sr_err_t rc = sr_client_take_body(&x, body, err);
    sr_client_xfer_fini(&x);
    sr_msg_destroy(&x.req);
    *heard = r.heard;
    if (rc == SR_ENOTFOUND) { // deleted meanwhile, or not started yet
        *body = NULL;
        rc = SR_OK;
    }
    return rc;
}

// Do one step of a check; false when it could not be done (the next
// check plans it again).
static bool
s_do(sr_client_t *c, const sr_client_subs_step_t *st, int64_t deadline_ms)
{
    sr_client_conn_t *cn = sr_client_get_conn(c);
    sr_client_subs_t *subs = sr_client_get_subs(c);
    sr_msg_t *req = NULL;
    sr_value_t *body = NULL, *event = NULL;
    sr_error_t e;
    sr_err_t rc = SR_OK;
    if (st->what != SR_CLIENT_SUBS_READ) {
        rc = s_subscribe_req(st->what == SR_CLIENT_SUBS_MOVE ? &st->id : NULL,
                             &req, &e);
        if (!rc)
            rc = sr_client_call_engine(c, st->engine, req, deadline_ms, &body,
                                       &e);
        sr_msg_destroy(&req);
        sr_value_destroy(&body);
        if (!rc)
            sr_client_conn_set_subscribed(cn, st->engine, true);
        if (!rc && st->what == SR_CLIENT_SUBS_ALL)
            sr_client_subs_held_all(subs, st->engine);
    }
    // The subscription is where the partition is served now: what changed
    // while it was not is read, so that a final state is not missed.
    uint64_t heard = 0;
    if (!rc && st->what != SR_CLIENT_SUBS_ALL)
        rc = s_read_at(c, st->engine, &st->id, deadline_ms, &body, &heard, &e);
    if (!rc && st->what != SR_CLIENT_SUBS_ALL)
        rc = sr_client_subs_moved(subs, &st->id, st->engine, st->epoch, body,
                                  heard, &event, &e);
    if (event)
        sr_client_conn_push_event(cn, event);
    sr_value_destroy(&body);
    if (rc)
        sr_debug("client: subscription not moved engine=%s: %s",
                 sr_client_conn_endpoint(cn, st->engine), e.msg);
    return rc == SR_OK;
}

// A check: every engine's STATUS (those with no connection are not waited
// for once one answered; the partition map learns from the answers), then
// the steps the subscriptions' plan says, within `deadline_ms` and one
// follow_ms (or S_CHECK_MS, when longer) at most. The next one is due in
// follow_ms, or sooner while a subscription is not where its partition is
// served.
static void
s_follow_check(sr_client_t *c, int64_t deadline_ms)
{
    sr_client_subs_t *subs = sr_client_get_subs(c);
    int64_t follow = sr_client_get_follow_ms(c);
    int64_t budget = follow > S_CHECK_MS ? follow : S_CHECK_MS;
    int64_t now = sr_client_now_ms();
    int64_t until = deadline_ms - now > budget ? now + budget : deadline_ms;
    sr_msg_t *req = sr_msg_new(SR_MSG_STATUS);
    sr_value_t *statuses = NULL;
    sr_error_t errs[SR_CLIENT_ENGINES_MAX], e;
    sr_client_subs_step_t *steps = NULL;
    size_t failed = 0, n = 0;
    bool is_waiting = true;
    sr_err_t rc =
        req ? sr_client_call_each(c, req, until, &statuses, errs, &failed, &e)
            : sr_error_set(&e, SR_ENOMEM, "STATUS: out of memory");
    for (size_t i = 0; !rc && i < sr_value_len(statuses); i++)
        if (sr_value_is(sr_value_array_at(statuses, i), SR_T_MAP))
            sr_client_learn(c, i, sr_value_array_at(statuses, i));
    if (!rc)
        rc = sr_client_subs_plan(subs, statuses, &steps, &n, &is_waiting, &e);
    for (size_t k = 0; !rc && k < n; k++)
        is_waiting |= !s_do(c, &steps[k], until);
    if (rc)
        sr_warn("client: subscriptions not checked: %s", e.msg);
    free(steps);
    sr_value_destroy(&statuses);
    sr_msg_destroy(&req);
    sr_client_subs_set_due_ms(
        subs, sr_client_now_ms() +
                  (is_waiting && follow > S_RETRY_MS ? S_RETRY_MS : follow));
}

// The next event, checking the subscriptions when a check is due.
static sr_err_t
s_next_event(sr_client_t *c, int64_t deadline_ms, sr_value_t **event,
             sr_error_t *err)
{
    sr_client_subs_t *subs = sr_client_get_subs(c);
    for (;;) {
        int64_t now = sr_client_now_ms();
        int64_t due = sr_client_subs_is_empty(subs)
                          ? INT64_MAX
                          : sr_client_subs_due_ms(subs);
        if (due <= now && now < deadline_ms) {
            s_follow_check(c, deadline_ms);
            due = sr_client_subs_due_ms(subs);
        }
        sr_err_t rc = sr_client_conn_next_event(
            sr_client_get_conn(c), due < deadline_ms ? due : deadline_ms, event,
            err);
        if (rc != SR_ETIMEDOUT || sr_client_now_ms() >= deadline_ms)
            return rc;
    }
}

sr_err_t
sr_client_next_event(sr_client_t *c, int timeout_ms, sr_value_t **event,
                     sr_error_t *err)
{
    return s_next_event(c, sr_client_deadline(timeout_ms), event, err);
}

size_t
sr_client_events_dropped(const sr_client_t *c)
{
    return sr_client_conn_events_dropped(sr_client_get_conn((sr_client_t *)c));
}

// --- watch --------------------------------------------------------------

static bool
s_is_final_event(const sr_value_t *ev)
{
    const char *kind = sr_value_map_str(ev, "kind");
    return kind && strcmp(kind, "execution") == 0 &&
           sr_client_state_is_final(sr_value_map_str(ev, "state"));
}

// Is the execution over? Read it (for a watch whose events were quiet).
static sr_err_t
s_check(sr_client_t *c, const char *execution_id, int64_t deadline_ms,
        bool *is_final, sr_error_t *err)
{
    sr_value_t *ex = NULL;
    sr_err_t rc =
        sr_client_ex_get(c, execution_id, s_left(deadline_ms), &ex, err);
    *is_final =
        !rc && sr_client_state_is_final(sr_body_str(ex, SR_B_EXECUTION_state));
    sr_value_destroy(&ex);
    return rc;
}

// Pass events to `fn` until the execution ends, `fn` stops, or the
// deadline. *is_final tells whether it ended. After watch_check_ms with
// no event the execution is read, in case its events were lost.
static sr_err_t
s_follow(sr_client_t *c, const char *execution_id, sr_client_event_fn *fn,
         void *arg, int64_t deadline_ms, bool *is_final, sr_error_t *err)
{
    sr_id_t id, about;
    sr_err_t rc = sr_client_parse_id(execution_id, "execution id", &id, err);
    *is_final = false;
    while (!rc) {
        int64_t check = sr_client_now_ms() + sr_client_get_watch_check_ms(c);
        sr_value_t *ev = NULL;
        rc = s_next_event(c, check < deadline_ms ? check : deadline_ms, &ev,
                          err);
        if (rc == SR_ETIMEDOUT && sr_client_now_ms() < deadline_ms) {
            rc = s_check(c, execution_id, deadline_ms, is_final, err);
            if (rc || *is_final)
                return rc;
            continue;
        }
        if (rc == SR_ETIMEDOUT)
            return sr_error_set(err, SR_ETIMEDOUT,
                                "execution %s did not finish in time",
                                execution_id);
        if (rc)
            return rc;
        const char *text = sr_value_map_str(ev, "execution_id");
        bool is_ours = text && sr_id_parse(text, &about) == SR_OK &&
                       sr_id_equal(&about, &id);
        bool go_on = !is_ours || !fn || fn(ev, arg);
        *is_final = is_ours && s_is_final_event(ev);
        const char *state = sr_value_map_str(ev, "state");
        bool gone = is_ours && state && strcmp(state, "DELETED") == 0;
        sr_value_destroy(&ev);
        if (gone)
            return sr_error_set(err, SR_ENOTFOUND, "execution %s was deleted",
                                execution_id);
        if (!go_on || *is_final)
            return SR_OK;
    }
    return rc;
}

static sr_err_t
s_watch(sr_client_t *c, const char *execution_id, sr_client_event_fn *fn,
        void *arg, int64_t deadline_ms, sr_value_t **execution, sr_error_t *err)
{
    sr_value_t *ex = NULL;
    sr_err_t rc =
        sr_client_ex_get(c, execution_id, s_left(deadline_ms), &ex, err);
    bool is_final =
        !rc && sr_client_state_is_final(sr_body_str(ex, SR_B_EXECUTION_state));
    if (!rc && !is_final) {
        rc = s_follow(c, execution_id, fn, arg, deadline_ms, &is_final, err);
        if (!rc) { // it ended: read it, even if the deadline just passed
            int left = s_left(deadline_ms);
            sr_value_destroy(&ex);
            rc = sr_client_ex_get(c, execution_id,
                                  left >= 0 && left < S_FINAL_READ_MIN_MS
                                      ? S_FINAL_READ_MIN_MS
                                      : left,
                                  &ex, err);
        }
    }
    if (!rc && execution)
        *execution = ex;
    else
        sr_value_destroy(&ex);
    return rc;
}

sr_err_t
sr_client_watch(sr_client_t *c, const char *execution_id,
                sr_client_event_fn *fn, void *arg, int timeout_ms,
                sr_value_t **execution, sr_error_t *err)
{
    if (!execution_id)
        return sr_error_set(err, SR_EINVAL, "execution id is missing");
    if (sr_client_conn_has_subscriptions(sr_client_get_conn(c)))
        return sr_error_set(err, SR_ESTATE,
                            "the client is already subscribed; watch needs "
                            "a client without subscriptions");
    int64_t deadline = sr_client_deadline(timeout_ms);
    sr_err_t rc = s_subscribe(c, execution_id, deadline, err);
    if (rc)
        return rc;
    rc = s_watch(c, execution_id, fn, arg, deadline, execution, err);
    int left = s_left(deadline);
    sr_error_t ignored;
    sr_client_unsubscribe(
        c, left < S_UNSUBSCRIBE_MIN_MS ? S_UNSUBSCRIBE_MIN_MS : left, &ignored);
    return rc;
}
