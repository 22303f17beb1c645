// The client's connections: one DEALER socket per engine, request ids,
// the exchange of requests for their answers, heartbeats to subscribed
// engines and the queue of EVENTs that arrive meanwhile. It knows nothing
// of partitions or of what a request means (sr_client.c routes).
//
// Thread rule: a connection set belongs to one thread.
#ifndef SR_CLIENT_CONN_H
#define SR_CLIENT_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sirocco/client.h"
#include "sr_err.h"
#include "sr_msg.h"
#include "sr_value.h"

#define SR_CLIENT_EVENTS_MAX 65536 // queued events before the oldest go

typedef struct sr_client_conn sr_client_conn_t;

// One request to one engine and its outcome.
typedef struct {
    size_t engine;    // index of the engine to ask
    sr_msg_t *req;    // borrowed; its req_id is set by the exchange
    sr_msg_t *reply;  // owned: the REPLY, when rc is SR_OK
    sr_err_t rc;      // SR_OK: a REPLY came; else the engine's ERROR code
                      // or why no answer came
    sr_error_t err;   // detail when rc is not SR_OK
    bool is_pending;  // no answer yet (inside an exchange only)
    bool is_sent;     // handed to ZeroMQ (inside an exchange only)
    bool is_answered; // the engine answered (a REPLY, an ERROR, or bytes
                      // that cannot be read); false: no answer came
} sr_client_xfer_t;

// Connect to the comma-separated `endpoints` (see sr_client_open). Caller
// owns *out. Errors: SR_EINVAL, SR_ENOMEM.
sr_err_t sr_client_conn_open(const char *endpoints,
                             const sr_client_opts_t *opts,
                             sr_client_conn_t **out, sr_error_t *err);
void sr_client_conn_close(sr_client_conn_t **cn_p);

size_t sr_client_conn_count(const sr_client_conn_t *cn);
const char *sr_client_conn_endpoint(const sr_client_conn_t *cn, size_t i);

// The monotonic clock in ms, and the deadline `timeout_ms` from now
// (INT64_MAX when timeout_ms < 0).
int64_t sr_client_now_ms(void);
int64_t sr_client_deadline(int timeout_ms);

// The first engine, from `first` on in circular order, that has a
// connection to send on, waiting for one until `deadline_ms`; `first`
// when none has.
size_t sr_client_conn_pick(sr_client_conn_t *cn, size_t first,
                           int64_t deadline_ms);
// True when engine i has a connection to send on now (an engine that
// stopped, or was killed, has none once ZeroMQ has seen it go).
bool sr_client_conn_is_up(sr_client_conn_t *cn, size_t i);

// Called as each request of an exchange gets its answer (or fails);
// return true to stop waiting for the others.
typedef bool(sr_client_settled_fn)(sr_client_xfer_t *x, void *arg);

// Send each request with a fresh req_id and wait until each has its
// answer, `fn` (may be NULL) says stop, or `deadline_ms` (monotonic)
// passes; when it has passed already, nothing is sent. Fills every
// xfer's reply or
// rc/err: an engine's ERROR (its code and message; where = the field, or
// "engine ENDPOINT"), SR_ETIMEDOUT (no connection or no answer in time),
// SR_EIO (interrupted), an answer that could not be read, or a send
// error. Frees any previous reply of the xfers first.
void sr_client_conn_exchange(sr_client_conn_t *cn, sr_client_xfer_t *xs,
                             size_t n, int64_t deadline_ms,
                             sr_client_settled_fn *fn, void *arg);
// Free the reply of an xfer (NULL-safe).
void sr_client_xfer_fini(sr_client_xfer_t *x);

// Mark engine i as subscribed (heartbeats are sent to it) or not.
void sr_client_conn_set_subscribed(sr_client_conn_t *cn, size_t i,
                                   bool is_subscribed);
bool sr_client_conn_is_subscribed(const sr_client_conn_t *cn, size_t i);
bool sr_client_conn_has_subscriptions(const sr_client_conn_t *cn);

// The oldest queued event (caller owns it), waiting for one until
// `deadline_ms`. SR_ETIMEDOUT when none came; SR_EIO when interrupted.
sr_err_t sr_client_conn_next_event(sr_client_conn_t *cn, int64_t deadline_ms,
                                   sr_value_t **event, sr_error_t *err);
// Wait until `deadline_ms`, queueing the EVENTs that come and sending
// heartbeats. False when interrupted by a signal.
bool sr_client_conn_wait(sr_client_conn_t *cn, int64_t deadline_ms);
// Called with each event as it is queued (borrowed for the call).
typedef void(sr_client_event_seen_fn)(const sr_value_t *event, void *arg);
// Call `fn` (NULL: none) for each event queued from now on.
void sr_client_conn_set_observer(sr_client_conn_t *cn,
                                 sr_client_event_seen_fn *fn, void *arg);
// Queue an event made by the client (taken; the observer sees it too).
void sr_client_conn_push_event(sr_client_conn_t *cn, sr_value_t *event);
// Drop every queued event.
void sr_client_conn_clear_events(sr_client_conn_t *cn);
size_t sr_client_conn_events_dropped(const sr_client_conn_t *cn);

#endif
