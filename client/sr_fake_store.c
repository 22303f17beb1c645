/* The in-memory engine behind sr_fake_engine: one handler per client
 * request, in a table, answering with the REPLY bodies sr_msg.def declares
 * (built with sr_body, ids as 16-byte binaries, as an engine may send
 * them); a body that does not match its shape is answered EINTERNAL.
 * Executions are keyed by id text; partitions not owned get EUNAVAIL like
 * a real engine. Test support: no persistence, no workers, no forwarding.
 * Thread rule: one thread at a time (the fake engine locks it).
 */
#include "sr_fake_store.h"

#include "sr_body.h"
#include "sr_fake_catalog.h"
#include "sr_fake_subs.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_PARTS_MAX 256
#define S_PAGE      100

struct sr_fake_store {
    char name[64];
    char endpoint[256]; // its client endpoint, for STATUS
    uint16_t parts[S_PARTS_MAX];
    size_t nparts, next_part;
    uint16_t cluster[S_PARTS_MAX]; // the partitions STATUS names
    size_t ncluster;
    char members[1024]; // client endpoints of the cluster, comma-separated
    sr_fake_catalog_t *catalog; // workflows
    sr_value_t *executions;     // id text -> EXECUTION body
    sr_value_t *tasks;          // id text -> TASK_EXECUTION bodies
    sr_value_t *actions;        // action id text or token -> state
    sr_fake_subs_t *subs;       // subscribers and scripted events
    int64_t created;            // a clock for created_ms that always moves
    int64_t epoch;              // of every partition it owns
    bool is_before_1_5;         // EX_START's `id` is ignored
};

// One request being answered.
typedef struct {
    sr_fake_store_t *st;
    const sr_wire_peer_t *peer;
    const sr_msg_t *req;
    sr_fake_send_fn *send;
    void *arg;
} s_ctx_t;

sr_fake_store_t *
sr_fake_store_new(const char *name, const char *endpoint)
{
    sr_fake_store_t *st = calloc(1, sizeof *st);
    if (!st)
        return NULL;
    snprintf(st->name, sizeof st->name, "%s", name);
    snprintf(st->endpoint, sizeof st->endpoint, "%s", endpoint);
    st->catalog = sr_fake_catalog_new(1700000000000);
    st->executions = sr_value_new_map(16);
    st->tasks = sr_value_new_map(4);
    st->actions = sr_value_new_map(4);
    st->subs = sr_fake_subs_new();
    st->created = 1700000000000;
    st->epoch = 1;
    if (!st->catalog || !st->executions || !st->tasks || !st->actions ||
        !st->subs)
        sr_fake_store_destroy(&st);
    return st;
}

void
sr_fake_store_destroy(sr_fake_store_t **st_p)
{
    if (!st_p || !*st_p)
        return;
    sr_fake_store_t *st = *st_p;
    sr_fake_catalog_destroy(&st->catalog);
    sr_value_destroy(&st->executions);
    sr_value_destroy(&st->tasks);
    sr_value_destroy(&st->actions);
    sr_fake_subs_destroy(&st->subs);
    free(st);
    *st_p = NULL;
}

void
sr_fake_store_set_partitions(sr_fake_store_t *st, const uint16_t *parts,
                             size_t n)
{
    st->nparts = n < S_PARTS_MAX ? n : S_PARTS_MAX;
    memcpy(st->parts, parts, st->nparts * sizeof *parts);
    st->next_part = 0;
}

void
sr_fake_store_set_cluster(sr_fake_store_t *st, const char *members,
                          const uint16_t *parts, size_t n)
{
    snprintf(st->members, sizeof st->members, "%s", members);
    st->ncluster = n < S_PARTS_MAX ? n : S_PARTS_MAX;
    memcpy(st->cluster, parts, st->ncluster * sizeof *parts);
}

void
sr_fake_store_set_epoch(sr_fake_store_t *st, int64_t epoch)
{
    st->epoch = epoch;
}

void
sr_fake_store_set_before_1_5(sr_fake_store_t *st, bool is_before_1_5)
{
    st->is_before_1_5 = is_before_1_5;
}

static bool
s_owns(const sr_fake_store_t *st, uint16_t p)
{
    for (size_t i = 0; i < st->nparts; i++)
        if (st->parts[i] == p)
            return true;
    return false;
}

// --- answers ------------------------------------------------------------

static void s_fail(s_ctx_t *cx, sr_err_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// Answer with `body`, which must be what the table declares (a test of
// the client must not pass on a body no engine would send).
static void
s_reply(s_ctx_t *cx, sr_value_t *body)
{
    int64_t req_id = sr_msg_req_id(cx->req);
    sr_error_t err;
    if (req_id < 0) { // COMPLETE without req_id: no answer
        sr_value_destroy(&body);
        return;
    }
    if (sr_reply_check(sr_msg_type(cx->req), body, &err)) {
        sr_value_destroy(&body);
        s_fail(cx, SR_EINTERNAL, "fake engine: %s", err.msg);
        return;
    }
    sr_msg_t *m = sr_msg_new(SR_MSG_REPLY);
    sr_msg_set_int(m, SR_F_REPLY_req_id, req_id);
    sr_msg_set(m, SR_F_REPLY_body, body ? body : sr_value_new_nil());
    cx->send(cx->peer, &m, cx->arg);
}

static void
s_fail(s_ctx_t *cx, sr_err_t code, const char *fmt, ...)
{
    sr_error_t e;
    va_list ap;
    va_start(ap, fmt);
    sr_error_vset(&e, code, fmt, ap);
    va_end(ap);
    e.where[0] = '\0';
    sr_msg_t *m = sr_msg_error_new(&e, sr_msg_req_id(cx->req));
    cx->send(cx->peer, &m, cx->arg);
}

// Send an EVENT about execution `ex` to its subscribers.
static void
s_emit(s_ctx_t *cx, const sr_value_t *ex, const char *kind, const char *name,
       const char *state, const char *info)
{
    sr_id_t id;
    sr_body_id(ex, SR_B_EXECUTION_id, &id);
    sr_fake_out_t out = {cx->send, cx->arg, &cx->st->created};
    sr_fake_subs_emit(cx->st->subs, &id, kind, name, state, info, &out);
}

// --- workflows ----------------------------------------------------------

// Answer with what a catalog call gave.
static void
s_answer(s_ctx_t *cx, sr_err_t rc, sr_value_t *body, const sr_error_t *err)
{
    if (rc)
        s_fail(cx, rc, "%s", err->msg);
    else
        s_reply(cx, body);
}

static void
s_wf_create(s_ctx_t *cx)
{
    sr_value_t *body = NULL;
    sr_error_t err;
    sr_err_t rc = sr_fake_catalog_create(
        cx->st->catalog, sr_msg_str(cx->req, SR_F_WF_CREATE_definition), &body,
        &err);
    s_answer(cx, rc, body, &err);
}

static void
s_wf_validate(s_ctx_t *cx)
{
    sr_value_t *body = NULL;
    sr_error_t err;
    sr_err_t rc = sr_fake_catalog_validate(
        cx->st->catalog, sr_msg_str(cx->req, SR_F_WF_VALIDATE_definition),
        &body, &err);
    s_answer(cx, rc, body, &err);
}

static void
s_wf_get(s_ctx_t *cx)
{
    sr_value_t *body = NULL;
    sr_error_t err;
    sr_err_t rc = sr_fake_catalog_get(
        cx->st->catalog, sr_msg_str(cx->req, SR_F_WF_GET_name),
        sr_msg_str(cx->req, SR_F_WF_GET_version), &body, &err);
    s_answer(cx, rc, body, &err);
}

static void
s_wf_list(s_ctx_t *cx)
{
    sr_value_t *body = NULL;
    sr_error_t err;
    sr_err_t rc = sr_fake_catalog_list(cx->st->catalog, &body, &err);
    s_answer(cx, rc, body, &err);
}

static void
s_wf_delete(s_ctx_t *cx)
{
    sr_value_t *body = NULL;
    sr_error_t err;
    sr_err_t rc = sr_fake_catalog_delete(
        cx->st->catalog, sr_msg_str(cx->req, SR_F_WF_DELETE_name), &body, &err);
    s_answer(cx, rc, body, &err);
}

// --- executions ---------------------------------------------------------

static const char *
s_key(const sr_id_t *id, char text[SR_ID_TEXT_SIZE])
{
    return sr_id_format(id, text);
}

// An execution body; `r` (an EX_START, may be NULL) gives its input,
// params and description. The version is the catalog's, when it knows the
// workflow.
static sr_value_t *
s_new_execution(sr_fake_store_t *st, const sr_id_t *id, const char *workflow,
                const char *state, const sr_msg_t *r)
{
    const char *version = sr_fake_catalog_version(st->catalog, workflow);
    int64_t ms = sr_id_time_ms(id);
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_EXECUTION);
    sr_body_put(&b, SR_B_EXECUTION_id, sr_id_to_value(id));
    sr_body_put_str(&b, SR_B_EXECUTION_workflow_name, workflow);
    sr_body_put_str(&b, SR_B_EXECUTION_workflow, workflow);
    sr_body_put_str(&b, SR_B_EXECUTION_workflow_version,
                    version ? version : "unknown");
    sr_body_put_str(&b, SR_B_EXECUTION_version, version ? version : "unknown");
    sr_body_put_int(&b, SR_B_EXECUTION_created_ms, ms);
    sr_body_put_int(&b, SR_B_EXECUTION_updated_ms, ms);
    sr_body_put_str(&b, SR_B_EXECUTION_state, state);
    sr_body_put_str(&b, SR_B_EXECUTION_state_info, NULL);
    sr_body_put_int(&b, SR_B_EXECUTION_task_count, 0);
    sr_body_put_time(&b, SR_B_EXECUTION_created_at, ms ? ms : 1);
    sr_body_put_time(&b, SR_B_EXECUTION_updated_at, ms ? ms : 1);
    if (r && sr_msg_has(r, SR_F_EX_START_input))
        sr_body_put_ref(&b, SR_B_EXECUTION_input,
                        sr_msg_get(r, SR_F_EX_START_input));
    if (r && sr_msg_has(r, SR_F_EX_START_params))
        sr_body_put_ref(&b, SR_B_EXECUTION_params,
                        sr_msg_get(r, SR_F_EX_START_params));
    if (r && sr_msg_has(r, SR_F_EX_START_description))
        sr_body_put_ref(&b, SR_B_EXECUTION_description,
                        sr_msg_get(r, SR_F_EX_START_description));
    return sr_body_take(&b);
}

// The execution named by field `f` of the request, or NULL after
// answering EUNAVAIL or ENOTFOUND.
static sr_value_t *
s_find(s_ctx_t *cx, sr_field_t f)
{
    sr_id_t id;
    char text[SR_ID_TEXT_SIZE];
    sr_msg_id(cx->req, f, &id);
    if (!s_owns(cx->st, sr_id_partition(&id))) {
        s_fail(cx, SR_EUNAVAIL, "partition %u is not owned by engine %s",
               sr_id_partition(&id), cx->st->name);
        return NULL;
    }
    sr_value_t *ex = sr_value_map_get(cx->st->executions, s_key(&id, text));
    if (!ex)
        s_fail(cx, SR_ENOTFOUND, "execution %s not found", text);
    return ex;
}

// EX_START under the client's `id`, as an engine of protocol 1.5 answers
// it: in the id's partition; an execution already there is answered as it
// is (the retry of its start) or refused (another workflow). True when
// answered here.
static bool
s_ex_start_again(s_ctx_t *cx, const sr_id_t *id, const char *wf)
{
    char text[SR_ID_TEXT_SIZE];
    if (!s_owns(cx->st, sr_id_partition(id))) {
        s_fail(cx, SR_EUNAVAIL, "partition %u is not owned by engine %s",
               sr_id_partition(id), cx->st->name);
        return true;
    }
    const sr_value_t *ex =
        sr_value_map_get(cx->st->executions, s_key(id, text));
    if (!ex)
        return false;
    const char *had = sr_body_str(ex, SR_B_EXECUTION_workflow);
    if (strcmp(had, wf) != 0)
        s_fail(cx, SR_EEXIST,
               "execution %s exists already, of workflow '%s', not '%s'", text,
               had, wf);
    else
        s_reply(cx, sr_value_dup(ex));
    return true;
}

static void
s_ex_start(s_ctx_t *cx)
{
    const sr_msg_t *r = cx->req;
    const char *wf = sr_msg_str(r, SR_F_EX_START_workflow);
    sr_id_t id;
    bool chosen = !cx->st->is_before_1_5 && sr_msg_id(r, SR_F_EX_START_id, &id);
    if (chosen && s_ex_start_again(cx, &id, wf))
        return;
    if (!sr_fake_catalog_has(cx->st->catalog, wf)) {
        s_fail(cx, SR_ENOTFOUND, "workflow '%s' not found", wf);
        return;
    }
    uint16_t p = cx->st->nparts
                     ? cx->st->parts[cx->st->next_part++ % cx->st->nparts]
                     : 0;
    if (sr_msg_has(r, SR_F_EX_START_partition)) {
        p = (uint16_t)sr_msg_int(r, SR_F_EX_START_partition, 0);
        if (!s_owns(cx->st, p)) {
            s_fail(cx, SR_EUNAVAIL, "partition %u is not owned by engine %s", p,
                   cx->st->name);
            return;
        }
    }
    char text[SR_ID_TEXT_SIZE];
    if (!chosen)
        sr_id_make(p, 0, &id);
    sr_value_t *ex = s_new_execution(cx->st, &id, wf, "RUNNING", r);
    sr_value_map_put(cx->st->executions, s_key(&id, text), ex);
    s_reply(cx, sr_value_dup(ex));
}

static void
s_ex_get(s_ctx_t *cx)
{
    sr_value_t *ex = s_find(cx, SR_F_EX_GET_execution_id);
    if (ex)
        s_reply(cx, sr_value_dup(ex));
}

static int
s_ex_cmp(const void *a, const void *b)
{
    sr_id_t x, y;
    sr_body_id(*(sr_value_t *const *)a, SR_B_EXECUTION_id, &x);
    sr_body_id(*(sr_value_t *const *)b, SR_B_EXECUTION_id, &y);
    if (sr_id_time_ms(&x) != sr_id_time_ms(&y))
        return sr_id_time_ms(&x) < sr_id_time_ms(&y) ? -1 : 1;
    return sr_id_compare(&x, &y);
}

static bool
s_ex_matches(const sr_msg_t *r, const sr_value_t *ex, const sr_value_t *after)
{
    const char *state = sr_msg_str(r, SR_F_EX_LIST_state);
    const char *wf = sr_msg_str(r, SR_F_EX_LIST_workflow);
    if (state && strcmp(state, sr_body_str(ex, SR_B_EXECUTION_state)) != 0)
        return false;
    if (wf && strcmp(wf, sr_body_str(ex, SR_B_EXECUTION_workflow)) != 0)
        return false;
    return !after || s_ex_cmp(&ex, &after) > 0;
}

static void
s_ex_list(s_ctx_t *cx)
{
    sr_value_t *all = cx->st->executions;
    size_t n = sr_value_len(all);
    sr_value_t **items = calloc(n ? n : 1, sizeof *items);
    for (size_t i = 0; i < n; i++)
        items[i] = sr_value_map_val(all, i);
    qsort(items, n, sizeof *items, s_ex_cmp);
    sr_value_t *after = NULL;
    if (sr_msg_has(cx->req, SR_F_EX_LIST_after)) {
        after = sr_value_new_map(1);
        sr_body_set(after, SR_B_EXECUTION_id,
                    sr_value_ref(sr_msg_get(cx->req, SR_F_EX_LIST_after)));
    }
    int64_t limit = sr_msg_int(cx->req, SR_F_EX_LIST_limit, S_PAGE);
    sr_value_t *out = sr_value_new_array(n);
    for (size_t i = 0; i < n && (int64_t)sr_value_len(out) < limit; i++)
        if (s_ex_matches(cx->req, items[i], after))
            sr_value_array_append(out, sr_value_dup(items[i]));
    free(items);
    sr_value_destroy(&after);
    s_reply(cx, out);
}

// Move an execution from one of `from` (NULL: any state not final) to
// `to`, keeping the request's reason as state_info.
static void
s_ex_move(s_ctx_t *cx, sr_field_t idf, sr_field_t whyf, const char *from,
          const char *to, const char *verb)
{
    sr_value_t *ex = s_find(cx, idf);
    if (!ex)
        return;
    const char *state = sr_body_str(ex, SR_B_EXECUTION_state);
    bool is_final = strcmp(state, "SUCCESS") == 0 ||
                    strcmp(state, "ERROR") == 0 ||
                    strcmp(state, "CANCELLED") == 0;
    if (from ? strcmp(state, from) != 0 : is_final) {
        s_fail(cx, SR_ESTATE, "execution is %s; it cannot be %s", state, verb);
        return;
    }
    const char *why = sr_msg_str(cx->req, whyf);
    sr_body_set(ex, SR_B_EXECUTION_state, sr_value_new_str(to));
    sr_body_set(ex, SR_B_EXECUTION_state_info,
                why ? sr_value_new_str(why) : sr_value_new_nil());
    s_reply(cx, sr_value_dup(ex));
    s_emit(cx, ex, "execution", sr_body_str(ex, SR_B_EXECUTION_workflow), to,
           why);
}

static void
s_ex_pause(s_ctx_t *cx)
{
    s_ex_move(cx, SR_F_EX_PAUSE_execution_id, SR_F_EX_PAUSE_reason, "RUNNING",
              "PAUSED", "paused");
}

static void
s_ex_resume(s_ctx_t *cx)
{
    s_ex_move(cx, SR_F_EX_RESUME_execution_id, SR_F_EX_RESUME_reason, "PAUSED",
              "RUNNING", "resumed");
}

static void
s_ex_cancel(s_ctx_t *cx)
{
    s_ex_move(cx, SR_F_EX_CANCEL_execution_id, SR_F_EX_CANCEL_reason, NULL,
              "CANCELLED", "cancelled");
}

static void
s_ex_rerun(s_ctx_t *cx)
{
    sr_value_t *ex = s_find(cx, SR_F_EX_RERUN_execution_id);
    if (!ex)
        return;
    char text[SR_ID_TEXT_SIZE];
    sr_id_t id;
    sr_body_id(ex, SR_B_EXECUTION_id, &id);
    const char *task = sr_msg_str(cx->req, SR_F_EX_RERUN_task);
    sr_value_t *tasks = sr_value_map_get(cx->st->tasks, s_key(&id, text));
    bool found = false;
    for (size_t i = 0; i < sr_value_len(tasks) && !found; i++)
        found = strcmp(sr_body_str(sr_value_array_at(tasks, i),
                                   SR_B_TASK_EXECUTION_name),
                       task) == 0;
    if (!found) {
        s_fail(cx, SR_ENOTFOUND, "execution %s has no task '%s'", text, task);
        return;
    }
    const char *state = sr_body_str(ex, SR_B_EXECUTION_state);
    if (strcmp(state, "ERROR") != 0) {
        s_fail(cx, SR_ESTATE,
               "execution is %s; only an ERROR execution can "
               "be rerun",
               state);
        return;
    }
    sr_body_set(ex, SR_B_EXECUTION_state, sr_value_new_str("RUNNING"));
    s_reply(cx, sr_value_dup(ex));
}

// EX_DELETE: a finished execution (or, with force, any) goes with its
// tasks; its subscribers hear DELETED.
static void
s_ex_delete(s_ctx_t *cx)
{
    sr_value_t *ex = s_find(cx, SR_F_EX_DELETE_execution_id);
    if (!ex)
        return;
    const char *state = sr_body_str(ex, SR_B_EXECUTION_state);
    bool is_final = strcmp(state, "SUCCESS") == 0 ||
                    strcmp(state, "ERROR") == 0 ||
                    strcmp(state, "CANCELLED") == 0;
    if (!is_final && !sr_msg_bool(cx->req, SR_F_EX_DELETE_force, false)) {
        s_fail(cx, SR_ESTATE, "execution is %s; force cancels it first", state);
        return;
    }
    sr_id_t id;
    char text[SR_ID_TEXT_SIZE];
    sr_body_id(ex, SR_B_EXECUTION_id, &id);
    s_emit(cx, ex, "execution", sr_body_str(ex, SR_B_EXECUTION_workflow),
           "DELETED", NULL);
    sr_value_map_del(cx->st->executions, s_key(&id, text));
    sr_value_map_del(cx->st->tasks, text);
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_DELETED);
    sr_body_put(&b, SR_B_DELETED_id, sr_id_to_value(&id));
    sr_body_put_str(&b, SR_B_DELETED_state, "DELETED");
    s_reply(cx, sr_body_take(&b));
}

static void
s_task_list(s_ctx_t *cx)
{
    sr_value_t *ex = s_find(cx, SR_F_TASK_LIST_execution_id);
    if (!ex)
        return;
    char text[SR_ID_TEXT_SIZE];
    sr_id_t id;
    sr_body_id(ex, SR_B_EXECUTION_id, &id);
    sr_value_t *tasks = sr_value_map_get(cx->st->tasks, s_key(&id, text));
    s_reply(cx, tasks ? sr_value_dup(tasks) : sr_value_new_array(0));
}

// --- actions, subscriptions, status ---------------------------------------

static void
s_complete(s_ctx_t *cx)
{
    char text[SR_ID_TEXT_SIZE];
    sr_id_t id;
    const char *key = sr_msg_str(cx->req, SR_F_COMPLETE_token);
    if (sr_msg_id(cx->req, SR_F_COMPLETE_action_id, &id))
        key = s_key(&id, text);
    const char *state = sr_value_map_str(cx->st->actions, key ? key : "");
    if (!state) {
        s_fail(cx, SR_ENOTFOUND, "no action '%s'", key ? key : "");
        return;
    }
    if (strcmp(state, "PENDING") != 0) {
        s_fail(cx, SR_ESTATE, "action '%s' is %s, not PENDING", key, state);
        return;
    }
    bool ok = strcmp(sr_msg_str(cx->req, SR_F_COMPLETE_status), "success") == 0;
    const char *to = ok ? "SUCCESS" : "ERROR";
    sr_value_map_put(cx->st->actions, key, sr_value_new_str(to));
    if (!sr_msg_has(cx->req, SR_F_COMPLETE_action_id)) // by token: an id
        sr_id_make(0, ++cx->st->created, &id);
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_COMPLETED);
    sr_body_put(&b, SR_B_COMPLETED_action_id, sr_id_to_value(&id));
    sr_body_put_str(&b, SR_B_COMPLETED_state, to);
    s_reply(cx, sr_body_take(&b));
}

static sr_value_t *
s_empty(void)
{
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_EMPTY);
    return sr_body_take(&b);
}

static void
s_subscribe(s_ctx_t *cx)
{
    sr_id_t id;
    bool has_id = sr_msg_id(cx->req, SR_F_SUBSCRIBE_execution_id, &id);
    if (!sr_fake_subs_add(cx->st->subs, cx->peer, has_id ? &id : NULL))
        s_fail(cx, SR_ENOMEM, "too many subscriptions");
    else
        s_reply(cx, s_empty());
}

static void
s_unsubscribe(s_ctx_t *cx)
{
    sr_fake_subs_remove(cx->st->subs, cx->peer);
    s_reply(cx, s_empty());
}

// STATUS "cluster": none, or each member of the cluster set, holding
// every partition of it (as with as many replicas as engines).
static sr_value_t *
s_cluster(const sr_fake_store_t *st)
{
    sr_value_t *list = sr_value_new_array(3);
    char eps[sizeof st->members], *save = NULL;
    memcpy(eps, st->members, sizeof eps);
    for (char *ep = strtok_r(eps, ",", &save); st->ncluster && ep;
         ep = strtok_r(NULL, ",", &save)) {
        sr_value_t *parts = sr_value_new_array(st->ncluster);
        for (size_t i = 0; i < st->ncluster; i++)
            sr_value_array_append(parts, sr_value_new_int(st->cluster[i]));
        sr_body_t m;
        sr_body_init(&m, SR_SHAPE_MEMBER);
        sr_body_put_str(&m, SR_B_MEMBER_name, ep);
        sr_body_put_str(&m, SR_B_MEMBER_client, ep);
        sr_body_put_str(&m, SR_B_MEMBER_worker, "");
        sr_body_put(&m, SR_B_MEMBER_partitions, parts);
        sr_value_array_append(list, sr_body_take(&m));
    }
    return list;
}

// The figures of an engine that runs nothing, names the cluster set by
// sr_fake_store_set_cluster (none by default), holds each of its
// partitions in the epoch set (1 by default) and says how many
// subscriptions the asking client holds.
static void
s_status(s_ctx_t *cx)
{
    sr_value_t *parts = sr_value_new_array(cx->st->nparts);
    sr_value_t *epochs = sr_value_new_array(cx->st->nparts);
    for (size_t i = 0; i < cx->st->nparts; i++) {
        sr_value_array_append(parts, sr_value_new_int(cx->st->parts[i]));
        sr_value_array_append(epochs, sr_value_new_int(cx->st->epoch));
    }
    sr_body_t d, b;
    sr_body_init(&d, SR_SHAPE_LATENCY);
    sr_body_put_float(&d, SR_B_LATENCY_p50, 0);
    sr_body_put_float(&d, SR_B_LATENCY_p99, 0);
    sr_body_put_int(&d, SR_B_LATENCY_samples, 0);
    sr_body_init(&b, SR_SHAPE_STATUS);
    sr_body_put_str(&b, SR_B_STATUS_node, cx->st->name);
    sr_body_put_str(&b, SR_B_STATUS_client_endpoint, cx->st->endpoint);
    sr_body_put(&b, SR_B_STATUS_partitions, parts);
    sr_body_put(&b, SR_B_STATUS_epochs, epochs);
    sr_body_put_str(&b, SR_B_STATUS_name, cx->st->name);
    sr_body_put(&b, SR_B_STATUS_cluster, s_cluster(cx->st));
    sr_body_put(&b, SR_B_STATUS_workers, sr_value_new_array(0));
    static const sr_bfield_t zero[] = {
        SR_B_STATUS_queued, SR_B_STATUS_batches, SR_B_STATUS_events,
        SR_B_STATUS_reoffered, SR_B_STATUS_expired};
    for (size_t i = 0; i < sizeof zero / sizeof *zero; i++)
        sr_body_put_int(&b, zero[i], 0);
    sr_body_put(&b, SR_B_STATUS_dispatch_ms, sr_body_take(&d));
    sr_body_put_int(&b, SR_B_STATUS_subscriptions,
                    (int64_t)sr_fake_subs_count(cx->st->subs, cx->peer));
    s_reply(cx, sr_body_take(&b));
}

typedef void (*s_handler_fn)(s_ctx_t *cx);

static const struct {
    sr_msg_type_t type;
    s_handler_fn fn;
} s_handlers[] = {
    {SR_MSG_WF_CREATE, s_wf_create}, {SR_MSG_WF_GET, s_wf_get},
    {SR_MSG_WF_LIST, s_wf_list},     {SR_MSG_WF_DELETE, s_wf_delete},
    {SR_MSG_EX_START, s_ex_start},   {SR_MSG_EX_GET, s_ex_get},
    {SR_MSG_EX_LIST, s_ex_list},     {SR_MSG_EX_PAUSE, s_ex_pause},
    {SR_MSG_EX_RESUME, s_ex_resume}, {SR_MSG_EX_CANCEL, s_ex_cancel},
    {SR_MSG_EX_RERUN, s_ex_rerun},   {SR_MSG_TASK_LIST, s_task_list},
    {SR_MSG_EX_DELETE, s_ex_delete}, {SR_MSG_COMPLETE, s_complete},
    {SR_MSG_SUBSCRIBE, s_subscribe}, {SR_MSG_UNSUBSCRIBE, s_unsubscribe},
    {SR_MSG_STATUS, s_status},       {SR_MSG_WF_VALIDATE, s_wf_validate},
};

// Scripted events are played after the answer to the subscriber's next
// request (say, the EX_GET that follows SUBSCRIBE), so that a test sees
// the execution's state before its events.
void
sr_fake_store_handle(sr_fake_store_t *st, const sr_wire_peer_t *peer,
                     const sr_msg_t *req, sr_fake_send_fn *send, void *arg)
{
    s_ctx_t cx = {st, peer, req, send, arg};
    sr_msg_type_t type = sr_msg_type(req);
    if (type == SR_MSG_HEARTBEAT || type == SR_MSG_ERROR)
        return;
    sr_fake_subs_arm(st->subs, peer);
    size_t h = 0, n = sizeof s_handlers / sizeof s_handlers[0];
    while (h < n && s_handlers[h].type != type)
        h++;
    if (h < n)
        s_handlers[h].fn(&cx);
    else
        s_fail(&cx, SR_EPROTO, "%s is not a client request",
               sr_msg_type_name(type));
    sr_fake_out_t out = {send, arg, &st->created};
    sr_fake_subs_play(st->subs, st->executions, &out);
}

// --- seeding --------------------------------------------------------------

void
sr_fake_store_add_execution(sr_fake_store_t *st, const sr_id_t *id,
                            const char *workflow, const char *state)
{
    char text[SR_ID_TEXT_SIZE];
    sr_value_map_put(st->executions, s_key(id, text),
                     s_new_execution(st, id, workflow, state, NULL));
}

// Append `item` to the array at `key` of map `m`, creating it.
static void
s_append(sr_value_t *m, const char *key, sr_value_t *item)
{
    if (!sr_value_map_has(m, key))
        sr_value_map_put(m, key, sr_value_new_array(4));
    sr_value_array_append(sr_value_map_get(m, key), item);
}

void
sr_fake_store_add_task(sr_fake_store_t *st, const sr_id_t *id, const char *name,
                       const char *state)
{
    char text[SR_ID_TEXT_SIZE];
    sr_id_t task_id;
    sr_id_make(sr_id_partition(id), 0, &task_id);
    int64_t ms = sr_id_time_ms(&task_id);
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_TASK_EXECUTION);
    sr_body_put(&b, SR_B_TASK_EXECUTION_id, sr_id_to_value(&task_id));
    sr_body_put_str(&b, SR_B_TASK_EXECUTION_name, name);
    sr_body_put(&b, SR_B_TASK_EXECUTION_execution_id, sr_id_to_value(id));
    sr_body_put_str(&b, SR_B_TASK_EXECUTION_state, state);
    sr_body_put_str(&b, SR_B_TASK_EXECUTION_state_info, NULL);
    sr_body_put(&b, SR_B_TASK_EXECUTION_published, sr_value_new_map(0));
    sr_body_put_time(&b, SR_B_TASK_EXECUTION_created_at, ms ? ms : 1);
    sr_body_put_time(&b, SR_B_TASK_EXECUTION_updated_at, ms ? ms : 1);
    s_append(st->tasks, s_key(id, text), sr_body_take(&b));
}

void
sr_fake_store_add_action(sr_fake_store_t *st, const char *key)
{
    sr_value_map_put(st->actions, key, sr_value_new_str("PENDING"));
}

void
sr_fake_store_add_event(sr_fake_store_t *st, const sr_id_t *id,
                        const char *kind, const char *name, const char *state)
{
    sr_fake_subs_script(st->subs, id, kind, name, state);
}

sr_value_t *
sr_fake_store_execution(sr_fake_store_t *st, const sr_id_t *id)
{
    char text[SR_ID_TEXT_SIZE];
    return sr_value_dup(sr_value_map_get(st->executions, s_key(id, text)));
}
