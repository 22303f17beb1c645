/* Subscriptions of the client: SUBSCRIBE to the owner of an execution (or
 * to every engine), the queue of EVENTs read with next_event, UNSUBSCRIBE
 * on every engine subscribed to, and watch, which follows one execution
 * to its end (the "wait for an execution" of a synchronous client). The
 * queue itself and the heartbeats live in sr_client_conn.c.
 * Thread rule: the client's thread.
 */
#include "sirocco/client.h"

#include <limits.h>
#include <string.h>

#include "sr_body.h"
#include "sr_client_conn.h"
#include "sr_client_core.h"

#define S_UNSUBSCRIBE_MIN_MS 1000 // even after a watch ran out of time
#define S_FINAL_READ_MIN_MS  1000 // reading an execution that just ended

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

static sr_err_t
s_subscribe(sr_client_t *c, const char *execution_id, int64_t deadline_ms,
            sr_error_t *err)
{
    sr_client_conn_t *cn = sr_client_get_conn(c);
    sr_id_t id;
    sr_err_t rc = execution_id ? sr_client_parse_id(execution_id,
                                                    "execution id", &id, err)
                               : SR_OK;
    if (rc)
        return rc;
    sr_msg_t *req = sr_msg_new(SR_MSG_SUBSCRIBE);
    if (!req || (execution_id &&
                 sr_msg_set_id(req, SR_F_SUBSCRIBE_execution_id, &id))) {
        sr_msg_destroy(&req);
        return sr_error_set(err, SR_ENOMEM, "SUBSCRIBE: out of memory");
    }
    sr_value_t *body = NULL;
    size_t engine = 0;
    if (execution_id) {
        rc = sr_client_call_partition(c, sr_id_partition(&id), req, deadline_ms,
                                      &body, &engine, err);
        if (!rc)
            sr_client_conn_set_subscribed(cn, engine, true);
    } else {
        rc = sr_client_call_all(c, req, deadline_ms, SR_OK, &body, NULL, err);
        for (size_t i = 0; !rc && i < sr_client_conn_count(cn); i++)
            sr_client_conn_set_subscribed(cn, i, true);
    }
    sr_value_destroy(&body);
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
        if (!sr_client_conn_is_subscribed(cn, i))
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
        sr_client_conn_set_subscribed(cn, xs[k].engine, false);
        sr_msg_destroy(&xs[k].req);
        sr_client_xfer_fini(&xs[k]);
    }
    sr_client_conn_clear_events(cn);
    return rc;
}

sr_err_t
sr_client_next_event(sr_client_t *c, int timeout_ms, sr_value_t **event,
                     sr_error_t *err)
{
    return sr_client_conn_next_event(
        sr_client_get_conn(c), sr_client_deadline(timeout_ms), event, err);
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
        rc = sr_client_conn_next_event(
            sr_client_get_conn(c), check < deadline_ms ? check : deadline_ms,
            &ev, err);
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
