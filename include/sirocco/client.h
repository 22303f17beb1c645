// Sirocco client library: drive a cluster of Sirocco engines from a C
// program, over the engines' client endpoints (the protocol of
// docs/protocol.md). docs/client.md has a worked example.
//
// A client is opened on one or several engine endpoints (a cluster). Each
// engine owns some partitions, and every execution id carries its
// partition, so the client sends a request about an execution straight to
// the engine that owns it. It learns who owns what from each engine's
// STATUS reply, the first time it needs to, and again when an engine
// answers EUNAVAIL (the partition moved) or the owner's connection is gone.
// While no engine that answers owns the partition and some engine is
// silent (a replicated partition whose leader died, its group electing
// another), it asks again, every 0.25 to 1 s, within the call's time.
// New executions go to the engines in turn (round-robin). Workflow
// definitions are stored on every engine; lists are gathered from every
// engine and merged.
//
// Every call is synchronous and bounded: it takes `timeout_ms`, the most
// it may wait for the whole call (connecting, routing and every answer
// included; < 0 waits without bound). On failure a call returns the code
// and fills `err` (NULL-safe): an engine's ERROR keeps the engine's code
// and message (err->where names the field at fault, or the engine); a
// timeout is SR_ETIMEDOUT with the engine's endpoint in the message.
//
// Ownership: results come back in trailing out-params, written only on
// success. A returned sr_value_t belongs to the caller, who frees it with
// sr_value_destroy(). Arguments are borrowed for the duration of the call.
// Reply shapes (the maps and arrays returned) are described in
// docs/client.md; ids in them are 36-character UUID strings.
//
// Thread rule: a client belongs to one thread at a time (its ZeroMQ
// sockets are not thread-safe). Use one client per thread; clients share
// nothing and may be used in parallel.
#ifndef SIROCCO_CLIENT_H
#define SIROCCO_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sirocco/errors.h"
#include "sirocco/value.h"

typedef struct sr_client sr_client_t;

#define SR_CLIENT_ENGINES_MAX     64   // endpoints in one client
#define SR_CLIENT_LIST_LIMIT      100  // executions per list by default
#define SR_CLIENT_HEARTBEAT_MS    1000 // default heartbeat while subscribed
#define SR_CLIENT_WATCH_CHECK_MS  5000 // default re-read of a quiet watch
#define SR_CLIENT_FOLLOW_MS       1000 // default check of subscriptions
#define SR_CLIENT_MAX_REPLY_BYTES ((size_t)16 << 20) // default reply limit
#define SR_CLIENT_ID_SIZE         37 // an id as text, with its NUL

// Options of sr_client_open; zero fields take the defaults.
typedef struct {
    int heartbeat_ms;       // HEARTBEAT interval to subscribed engines
    size_t max_reply_bytes; // largest answer accepted from an engine
    int watch_check_ms;     // a watch with no event for this long reads
                            // the execution (events are lost when an
                            // engine restarts)
    int follow_ms;          // while waiting for events, check this often
                            // that each subscription is held where its
                            // partition is served (see sr_client_subscribe)
    // CurveZMQ (docs/security.md): this client's secret certificate
    // (NAME_secret of `sirocco keygen`) and the engines' public
    // certificate, both or neither. NULL: plain connections.
    const char *curve_secret;
    const char *curve_server_key;
} sr_client_opts_t;

// Open a client on `endpoints`, a comma-separated list of engine client
// endpoints ("tcp://10.0.0.1:5570,tcp://10.0.0.2:5570" or "ipc://..."),
// or the path of a cluster file (see sr_client_cluster_endpoints), as in
// `--cluster` or $SIROCCO_CLUSTER. Spaces around entries are ignored.
// Connecting is asynchronous: opening succeeds when no engine is up yet,
// and a call fails with SR_ETIMEDOUT if its engine stays down. `opts` may
// be NULL. Caller owns *out; close it with sr_client_close(). Errors:
// SR_EINVAL (empty list, empty or repeated entry, more than
// SR_CLIENT_ENGINES_MAX, an endpoint ZeroMQ refuses, a cluster file that
// cannot be read or names no engine, one CurveZMQ file without the other,
// a file that is no key), SR_EIO (a key file that cannot be read),
// SR_ENOMEM. With CurveZMQ, an engine that refuses the client's key never
// connects: calls fail with SR_ETIMEDOUT, saying so.
sr_err_t sr_client_open(const char *endpoints, const sr_client_opts_t *opts,
                        sr_client_t **out, sr_error_t *err);

// True when `cluster` (a --cluster value) is the path of a cluster file:
// a text without "://" nor "," (which endpoint lists have) that ends with
// ".yaml", ".yml" or ".json" or names an existing file.
bool sr_client_is_cluster_file(const char *cluster);

// The endpoint list of `cluster`: an endpoint list is copied as is; a
// cluster file gives its engines' client endpoints, comma-separated. The
// file is the YAML cluster file of the engines (`engines:` entries with
// `client:`, docs/operations.md) or, for a path ending ".json", the same
// keys in JSON, such as the cluster.json `sirocco cluster up` writes.
// Caller frees *endpoints. Errors (naming the file): SR_EINVAL (cannot
// open, not YAML/JSON, no `engines` list of 1 to SR_CLIENT_ENGINES_MAX,
// an entry without `client`), SR_ETOOBIG (over 1 MiB), SR_EIO, SR_ENOMEM.
sr_err_t sr_client_cluster_endpoints(const char *cluster, char **endpoints,
                                     sr_error_t *err);

// Close the sockets and free the client; sets *c_p to NULL (NULL-safe).
// Requests still in flight are abandoned.
void sr_client_close(sr_client_t **c_p);

// The engines the client was opened on, in the order given. The endpoint
// string is borrowed from the client.
size_t sr_client_engine_count(const sr_client_t *c);
const char *sr_client_engine_endpoint(const sr_client_t *c, size_t i);

// STATUS of engine `i` (< sr_client_engine_count): a map of figures, with
// at least "partitions" (array of the partition numbers it owns).
sr_err_t sr_client_status(sr_client_t *c, size_t i, int timeout_ms,
                          sr_value_t **status, sr_error_t *err);

// CLUSTER_MAP to engine `i`: a newer cluster file (YAML text, `map`)
// for it to take (replicated partitions: docs/operations.md,
// "Membership"). *taken: a map of "version" and "changed". SR_EINVAL
// naming what may not change, SR_ESTATE for an older version.
sr_err_t sr_client_cluster_map(sr_client_t *c, size_t i, const char *map,
                               int timeout_ms, sr_value_t **taken,
                               sr_error_t *err);

// --- workflows --------------------------------------------------------

// Store the workflows of a YAML file (Mistral v2 text) on every engine.
// *workflows is the array of stored workflows (maps with "name" and
// "version"; engines of protocol 1.5 add "input", the input parameters as
// Mistral shows them, and "tags"). A file with errors gives SR_EINVAL with
// the engine's message: each problem on a line, as
// "definition:LINE:COL: message". With engines down it succeeds as a list
// does (sr_client_ex_list): when the engines that answer serve every
// partition, asked again until they do (within the call's time); an
// engine that was down fetches the definitions it lacks from the others
// when it returns. Otherwise it fails with the first engine's failure
// (SR_ETIMEDOUT naming an engine not connected), saying which partitions
// no engine that answered served.
sr_err_t sr_client_wf_create(sr_client_t *c, const char *definition,
                             int timeout_ms, sr_value_t **workflows,
                             sr_error_t *err);

// Check a YAML file as sr_client_wf_create would, storing nothing: one
// engine loads it. *workflows as sr_client_wf_create's (without
// "created_ms"); SR_EINVAL with the same message for a file with errors.
// An engine older than protocol 1.5 answers SR_EPROTO.
sr_err_t sr_client_wf_validate(sr_client_t *c, const char *definition,
                               int timeout_ms, sr_value_t **workflows,
                               sr_error_t *err);

// One workflow: a map with "name", "version", "definition" (the YAML
// text) and, from engines of protocol 1.5, "input" and "tags". `version`
// NULL = the latest. SR_ENOTFOUND when unknown.
sr_err_t sr_client_wf_get(sr_client_t *c, const char *name, const char *version,
                          int timeout_ms, sr_value_t **workflow,
                          sr_error_t *err);

// Every workflow (latest version of each name) known to any engine,
// sorted by name.
sr_err_t sr_client_wf_list(sr_client_t *c, int timeout_ms,
                           sr_value_t **workflows, sr_error_t *err);
// The same, each workflow with its "input" and "tags" (the engines load
// every definition to say them; engines older than protocol 1.5 leave
// them out).
sr_err_t sr_client_wf_list_described(sr_client_t *c, int timeout_ms,
                                     sr_value_t **workflows, sr_error_t *err);

// Delete a workflow name on every engine (running executions keep their
// version). SR_ENOTFOUND when no engine knew it. Every engine must answer:
// one that is down would give the definition back to the others.
sr_err_t sr_client_wf_delete(sr_client_t *c, const char *name, int timeout_ms,
                             sr_error_t *err);

// --- executions -------------------------------------------------------

// What to start. Zero-initialise, then set `workflow` and what you need.
typedef struct {
    const char *workflow;     // workflow name (required)
    const char *version;      // content hash of a version; NULL = latest
    const sr_value_t *input;  // map or NULL
    const sr_value_t *env;    // map or NULL (`env()` in expressions)
    const sr_value_t *params; // map or NULL, e.g. {"task_name": "t"} to
                              // run a reverse workflow up to task t
    const char *description;  // free text or NULL
    bool has_partition;       // start in `partition` (on its owner)
    uint16_t partition;
    const char *id; // the execution's id (UUID text), chosen by the
                    // caller to make the start safe to retry; NULL: the
                    // engine makes one (protocol 1.5)
} sr_client_start_t;

// Start an execution; *execution is its map ("id", "workflow", "state",
// ...). Without a partition or an id the engines take new executions in
// turn.
//
// With `id` the start goes to the owner of the id's partition and is safe
// to retry: after any failure (a timeout, an engine lost, EUNAVAIL) call
// again with the same `start`; however many of the calls reached an
// engine, one execution exists, and each call that succeeds returns it as
// it is now (it may have finished meanwhile). The id must be laid out as
// the engines make ids (sr_client_ex_new_id makes one; docs/protocol.md,
// EX_START, says how), and `partition`, if given too, must be the id's.
// Errors: SR_EINVAL (err->where "field 'id'": not a UUID, not such an id;
// "field 'partition'": not the id's), SR_EEXIST (the id is an execution
// of another workflow, or a sub-workflow execution), SR_EUNAVAIL (no
// engine holds the id's partition), SR_EVERSION (the engine ignored the
// id: it speaks a protocol before 1.5).
sr_err_t sr_client_ex_start(sr_client_t *c, const sr_client_start_t *start,
                            int timeout_ms, sr_value_t **execution,
                            sr_error_t *err);

// A new execution id for sr_client_start_t.id, as text (36 characters
// and a NUL): in one of the partitions that the next engine in turn says
// it holds (its STATUS), chosen at random. Keep it with what you start
// and start again with it after a failure. An id stays good for its
// cluster: partitions move between engines, their numbers never change.
// Errors as sr_client_status, and SR_EPROTO when the engine names no
// partition.
sr_err_t sr_client_ex_new_id(sr_client_t *c, int timeout_ms,
                             char id[SR_CLIENT_ID_SIZE], sr_error_t *err);

// One execution by id (UUID text). SR_EINVAL when `execution_id` is not
// a UUID, SR_ENOTFOUND when no such execution.
sr_err_t sr_client_ex_get(sr_client_t *c, const char *execution_id,
                          int timeout_ms, sr_value_t **execution,
                          sr_error_t *err);

// Filter and page of sr_client_ex_list; zero-initialise. NULL = no filter.
typedef struct {
    const char *state;    // only executions in this state
    const char *workflow; // only executions of this workflow
    const char *after;    // page cursor: only executions after this id
    int64_t limit;        // most returned; 0 = SR_CLIENT_LIST_LIMIT
} sr_client_list_t;

// Executions of every engine, oldest first (by the creation time in their
// ids, then by id), at most `limit`. To read the next page, pass the last
// id as `after`. `filter` may be NULL.
// Lists asked of every engine (this one, sr_client_wf_list and
// sr_client_action_list without an id) are whole, and succeed, also when
// engines do not answer, as long as those that do served every partition
// of the cluster throughout (as their STATUS says, before and after: with
// replicated partitions, the engines that took over from one that is
// down) and name the others as engines of their cluster file; while they
// do not (an election), they are asked again, 0.25 s and then up to 1 s
// apart, within the call's time. Otherwise they fail with the first
// engine's failure (an engine not connected, not answering in time:
// SR_ETIMEDOUT naming it), saying which partitions no engine that answered
// served.
sr_err_t sr_client_ex_list(sr_client_t *c, const sr_client_list_t *filter,
                           int timeout_ms, sr_value_t **executions,
                           sr_error_t *err);

// As sr_client_ex_list, but from the engines that answer: an engine that
// fails (down, no answer in time, an error) is left out instead of
// failing the call, and one with no connection is not waited for once the
// others have answered. *missing (caller owns it) says what was left out:
// {"engines": [{"endpoint": EP, "error": TEXT}, ...], "partitions": [N,
// ...]}, the partitions being those that the engines that answered name
// in their cluster (STATUS "cluster") and do not serve themselves; both
// empty when the list is whole. Fails as sr_client_ex_list when no engine
// answered.
sr_err_t sr_client_ex_list_partial(sr_client_t *c,
                                   const sr_client_list_t *filter,
                                   int timeout_ms, sr_value_t **executions,
                                   sr_value_t **missing, sr_error_t *err);

// Pause a RUNNING execution, resume a PAUSED one, cancel one that has not
// finished. `reason` (NULL = none) is kept as its state_info. *execution
// (when `execution` is not NULL) is the execution after the change.
// SR_ESTATE when the execution's state does not allow it.
sr_err_t sr_client_ex_pause(sr_client_t *c, const char *execution_id,
                            const char *reason, int timeout_ms,
                            sr_value_t **execution, sr_error_t *err);
sr_err_t sr_client_ex_resume(sr_client_t *c, const char *execution_id,
                             const char *reason, int timeout_ms,
                             sr_value_t **execution, sr_error_t *err);
sr_err_t sr_client_ex_cancel(sr_client_t *c, const char *execution_id,
                             const char *reason, int timeout_ms,
                             sr_value_t **execution, sr_error_t *err);

// Flags of sr_client_ex_rerun.
typedef enum {
    SR_CLIENT_RERUN_FAILED_ITEMS = 0, // with-items: only the failed items
    SR_CLIENT_RERUN_RESET = 1,        // with-items: every item again
} sr_client_rerun_flags_t;

// Run task `task` of an ERROR execution again, resuming the execution.
sr_err_t sr_client_ex_rerun(sr_client_t *c, const char *execution_id,
                            const char *task, int flags, int timeout_ms,
                            sr_value_t **execution, sr_error_t *err);

// Delete a finished top-level execution (protocol 1.3) with everything of
// it: its sub-workflow executions, task and action executions, timers and
// delegate tokens. Lists no longer show it and a read finds nothing.
// `force` cancels a RUNNING or PAUSED execution first (its actions are
// cancelled as by sr_client_ex_cancel). *reply (when `reply` is not NULL)
// is the engine's answer, a map with "id" and "state" ("DELETED"). Errors:
// SR_EINVAL (not a UUID), SR_ENOTFOUND (no such execution), SR_ESTATE (a
// sub-workflow execution: delete its root; or not finished and no force).
sr_err_t sr_client_ex_delete(sr_client_t *c, const char *execution_id,
                             bool force, int timeout_ms, sr_value_t **reply,
                             sr_error_t *err);

// The task executions of an execution, in the order they started: an
// array of maps with "id", "name", "state", "state_info", "published".
sr_err_t sr_client_task_list(sr_client_t *c, const char *execution_id,
                             int timeout_ms, sr_value_t **tasks,
                             sr_error_t *err);

// One task execution by id (protocol 1.2): the map of sr_client_task_list
// with "execution_id", "result", "created_at", "updated_at",
// "started_at" and "finished_at". `execution_id` (NULL = unknown) names
// its execution so the engine reads only that execution's tasks; without
// it the engine searches the whole partition. SR_ENOTFOUND when unknown.
sr_err_t sr_client_task_get(sr_client_t *c, const char *task_id,
                            const char *execution_id, int timeout_ms,
                            sr_value_t **task, sr_error_t *err);

// --- action executions (protocol 1.2) ---------------------------------

// Action executions are maps: "id", "name" (the action, or the ad-hoc
// action), "action" (what the worker runs), "execution_id", "task_id",
// "task_name", "state" (SCHEDULED, RUNNING, PENDING, SUCCESS, ERROR,
// CANCELLED), "state_info", "attempt", "item", "input", "result" (the
// output, or the error), "worker", "created_at", "started_at",
// "finished_at", "updated_at".

// Filter and page of sr_client_action_list; zero-initialise.
typedef struct {
    const char *execution_id; // only this execution's actions; NULL = all
    const char *task_id;      // only this task execution's actions
    const char *after;        // page cursor: only actions after this id
    int64_t limit;            // most returned; 0 = SR_CLIENT_LIST_LIMIT
} sr_client_action_filter_t;

// Action executions, oldest first, at most `limit`: of one execution or
// task (asked of its owner), or of every engine, merged. `filter` may be
// NULL. SR_ENOTFOUND when the execution or task is unknown.
sr_err_t sr_client_action_list(sr_client_t *c,
                               const sr_client_action_filter_t *filter,
                               int timeout_ms, sr_value_t **actions,
                               sr_error_t *err);

// One action execution by id. SR_ENOTFOUND when unknown.
sr_err_t sr_client_action_get(sr_client_t *c, const char *action_id,
                              int timeout_ms, sr_value_t **action,
                              sr_error_t *err);

// --- delegate actions -------------------------------------------------

// How a pending (delegate) action ended. Name it by `action_id` (UUID
// text) or by the callback `token` of its TASK, exactly one of them.
typedef struct {
    const char *action_id;
    const char *token;
    const char *error;        // NULL: success; else the error text
    const sr_value_t *output; // result on success; NULL = null
} sr_client_completion_t;

// Finish a pending action. *reply (when `reply` is not NULL) is the
// engine's answer, a map with "action_id" and "state". SR_ENOTFOUND for
// an unknown action or token, SR_ESTATE when it is not pending. By
// action id the request goes to the owner of its partition; a token names
// no partition, so with several engines every engine is asked (only the
// owner knows the token; the others answer ENOTFOUND). The owner's answer
// is enough; SR_ENOTFOUND with engines down needs the answers of engines
// that serve every partition, as a list does (sr_client_ex_list), and
// fails naming an engine that is down otherwise.
sr_err_t sr_client_complete(sr_client_t *c,
                            const sr_client_completion_t *completion,
                            int timeout_ms, sr_value_t **reply,
                            sr_error_t *err);

// --- events -----------------------------------------------------------

// Events are maps: "execution_id", "kind" ("execution" or "task"),
// "name" (workflow or task name, when known), "state", "state_info"
// (when any) and "time_ms" (unix ms).

// Subscribe to the events of one execution (on its owner) or, with
// `execution_id` NULL, of every execution (on every engine; with engines
// down, on those that answer when they serve every partition, as a list
// does: sr_client_ex_list). Events are queued in the client as they
// arrive, also during other calls; read them with sr_client_next_event.
// While subscribed, the client sends heartbeats from inside its calls:
// keep calling (next_event does) at least every few heartbeat intervals,
// or engines drop the subscription.
//
// Subscriptions follow their partitions: while it waits in next_event
// (or watch), every follow_ms the client asks each engine's STATUS. A
// subscription to one execution whose partition another engine serves
// now (its engine died and another leads it), or whose engine forgot the
// client (it restarted: STATUS "subscriptions" 0), is made again there;
// one whose partition moved away and back is kept. Then the execution is
// read there, and a state it reached meanwhile (its EVENT went nowhere)
// is queued as an `execution` event of that state, whose time_ms is the
// execution's updated_ms: a final state is not missed. Task events of
// that time, and a state passed through, are not told. The subscription
// to every execution is made on each engine that answers without holding
// it (one that was down comes back), so that the events of partitions
// moving there keep coming.
sr_err_t sr_client_subscribe(sr_client_t *c, const char *execution_id,
                             int timeout_ms, sr_error_t *err);

// End every subscription of this client, on every engine it subscribed
// to, and drop the events still queued.
sr_err_t sr_client_unsubscribe(sr_client_t *c, int timeout_ms, sr_error_t *err);

// The next queued event, waiting at most `timeout_ms` (0 = only what is
// already there, checking nothing). SR_ETIMEDOUT when none came.
sr_err_t sr_client_next_event(sr_client_t *c, int timeout_ms,
                              sr_value_t **event, sr_error_t *err);

// Events dropped because the queue was full (the oldest go first).
size_t sr_client_events_dropped(const sr_client_t *c);

// Called by sr_client_watch for each event (borrowed for the call).
// Return true to go on watching, false to stop.
typedef bool(sr_client_event_fn)(const sr_value_t *event, void *arg);

// Follow one execution until it finishes (SUCCESS, ERROR or CANCELLED):
// subscribe, read its state, call `fn` (may be NULL) for each event, and
// end with *execution = its final map (when `execution` is not NULL). An
// execution already finished returns at once. When no event came for
// watch_check_ms the execution is read again, so a watch ends even if
// its events were lost (say, the engine restarted). Returns SR_OK also when
// `fn` stopped the watch (then *execution is the current state),
// SR_ETIMEDOUT when it did not finish in time, and SR_ENOTFOUND when it
// was deleted meanwhile (its last event has the state DELETED). Uses the
// client's
// subscriptions: SR_ESTATE when the client is already subscribed; ends
// subscribed to nothing.
sr_err_t sr_client_watch(sr_client_t *c, const char *execution_id,
                         sr_client_event_fn *fn, void *arg, int timeout_ms,
                         sr_value_t **execution, sr_error_t *err);

// True for the states an execution never leaves.
bool sr_client_state_is_final(const char *state);

#endif
