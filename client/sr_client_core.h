// How the client's calls reach the engines: to one engine in turn, to the
// owner of a partition (sr_client.c), or to every engine
// (sr_client_fan.c). The typed calls (sr_client_wf.c, sr_client_ex.c,
// sr_client_events.c) build a request and hand it to one of these; these
// are the only places that route.
//
// Each takes `req` borrowed (its req_id is set here) and a monotonic
// deadline (sr_client_deadline). A REPLY's body comes back normalised
// (sr_client_body_norm); an engine's ERROR comes back as its code and
// message in `err`. Thread rule: the client's thread.
#ifndef SR_CLIENT_CORE_H
#define SR_CLIENT_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "sirocco/client.h"
#include "sr_client_conn.h"
#include "sr_client_subs.h"
#include "sr_id.h"
#include "sr_msg.h"

// The client's connections (borrowed).
sr_client_conn_t *sr_client_get_conn(sr_client_t *c);
// How long a watch waits for an event before it reads the execution.
int sr_client_get_watch_check_ms(const sr_client_t *c);
// The client's subscriptions (borrowed), and how often they are checked.
sr_client_subs_t *sr_client_get_subs(sr_client_t *c);
int sr_client_get_follow_ms(const sr_client_t *c);
// Learn what engine `engine` serves from its STATUS body (the partition
// map of requests to one partition); a body the map refuses is logged.
void sr_client_learn(sr_client_t *c, size_t engine, const sr_value_t *status);

// The body of a settled xfer (taken and normalised), or its error.
sr_err_t sr_client_take_body(sr_client_xfer_t *x, sr_value_t **body,
                             sr_error_t *err);
// Ask engine `engine` (< sr_client_conn_count) alone. Caller owns *body.
sr_err_t sr_client_call_engine(sr_client_t *c, size_t engine, sr_msg_t *req,
                               int64_t deadline_ms, sr_value_t **body,
                               sr_error_t *err);

// Ask the next engine in turn that is connected (waiting for one to be,
// until the deadline). An engine that is down never receives the request,
// so skipping it cannot run anything twice. Caller owns *body.
sr_err_t sr_client_call_any(sr_client_t *c, sr_msg_t *req, int64_t deadline_ms,
                            sr_value_t **body, sr_error_t *err);

// Ask the engine that owns `partition`, learning the partition map from
// STATUS first when needed. When that engine answers EUNAVAIL (it does
// not own the partition, or no longer), learn the map again and ask the
// new owner once. *engine (may be NULL) is the engine that answered.
sr_err_t sr_client_call_partition(sr_client_t *c, uint16_t partition,
                                  sr_msg_t *req, int64_t deadline_ms,
                                  sr_value_t **body, size_t *engine,
                                  sr_error_t *err);

// Ask every engine (each gets its own copy of `req`). *bodies is an
// array with one item per engine, in engine order: the body, or nil when
// that engine answered with an ERROR of code `ignore` (SR_OK: none is
// ignored). *ignored (may be NULL) counts those, and `err` then holds
// the first of them, also on success.
// Any other failure of any engine fails the call with the first failure
// in engine order.
sr_err_t sr_client_call_all(sr_client_t *c, const sr_msg_t *req,
                            int64_t deadline_ms, sr_err_t ignore,
                            sr_value_t **bodies, size_t *ignored,
                            sr_error_t *err);

// Ask every engine as sr_client_call_all does, but leave out the engines
// that fail (no connection, no answer in time, an ERROR) instead of
// failing the call: their item of *bodies is nil, and errs[i] (an array
// of sr_client_conn_count() items) says why; errs[i].code is SR_OK for
// an engine that answered. Engines with no connection are not waited for
// once every engine that took the request has settled and one answered.
// *failed counts the engines left out. Fails only when memory runs out.
sr_err_t sr_client_call_each(sr_client_t *c, const sr_msg_t *req,
                             int64_t deadline_ms, sr_value_t **bodies,
                             sr_error_t *errs, size_t *failed, sr_error_t *err);

// Flags of sr_client_call_covered.
typedef enum {
    SR_CLIENT_FAN_ALL = 0,       // every engine's answer counts
    SR_CLIENT_FAN_ONE_REPLY = 1, // one engine's REPLY is the answer: the
                                 // others are not needed (COMPLETE by token)
} sr_client_fan_flags_t;

// Ask every engine as sr_client_call_all does (*bodies one item per
// engine: its body, or nil when it answered an ERROR of code `ignore`,
// counted in *ignored, `err` holding the first), but an engine that does
// not answer (no connection, no answer in time) is left out, its item nil
// and not counted, when the engines that did answer serve every
// partition. Engines with no connection at the first ask are waited for
// alone for 0.25 s (a new client's connections coming up get the request
// once); then those that answer are asked again between two STATUS
// requests each, in rounds (0.25 s apart, up to 1 s) until they served,
// together, every partition that their STATUS "cluster" names,
// throughout, in one epoch each (with replicated partitions, the engines
// that took over from one that is down), and name each engine that did
// not answer as a member of that cluster; the request must be safe to
// send twice. An engine's other ERROR fails the call with it. With
// SR_CLIENT_FAN_ONE_REPLY the first round (or any) in which one engine
// answers a REPLY ends the call. Otherwise, at the deadline, it fails
// with the first failure in engine order, saying which partitions no
// engine that answered served; when no engine answered the first round,
// at once with the first failure.
sr_err_t sr_client_call_covered(sr_client_t *c, const sr_msg_t *req,
                                int64_t deadline_ms, sr_err_t ignore, int flags,
                                sr_value_t **bodies, size_t *ignored,
                                sr_error_t *err);

// Ask every engine for a list (EX_LIST, ACTION_LIST, WF_LIST): *lists
// is an array of the lists of the engines used, in engine order (no nil
// items). As sr_client_call_covered, except that an engine answering an
// ERROR is left out like one that does not answer.
sr_err_t sr_client_call_lists(sr_client_t *c, const sr_msg_t *req,
                              int64_t deadline_ms, sr_value_t **lists,
                              sr_error_t *err);

// A new request of `type` whose field `idf` holds the id given as text
// (`what` names it in errors, e.g. "execution id"). Caller owns *out.
sr_err_t sr_client_request_about(sr_msg_type_t type, sr_field_t idf,
                                 const char *text, const char *what,
                                 sr_id_t *id, sr_msg_t **out, sr_error_t *err);

// Send *req about `id` to the owner of its partition and destroy it
// (*req is NULL afterwards). *body (when `body` is not NULL) is the
// answer.
sr_err_t sr_client_call_owner(sr_client_t *c, sr_msg_t **req, const sr_id_t *id,
                              int timeout_ms, sr_value_t **body,
                              sr_error_t *err);

// Parse an execution id given as text; SR_EINVAL naming `what` when it is
// not a UUID.
sr_err_t sr_client_parse_id(const char *text, const char *what, sr_id_t *id,
                            sr_error_t *err);

// Record an allocation failure while building `req` (returns SR_ENOMEM),
// or pass through another code from sr_msg_set*.
sr_err_t sr_client_build_error(sr_err_t rc, const char *what, sr_error_t *err);

#endif
