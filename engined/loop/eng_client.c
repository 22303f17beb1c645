// The client endpoint: requests that change state become operations of
// the batch (answered after the commit), reads are answered at once from a
// read transaction, COMPLETE finishes delegates (by action id or token),
// and requests about other engines' partitions go to them. Borrows all it
// uses (see eng_client.h).
// Thread rule: the engine loop's thread.
#include "eng_client.h"

#include <stdlib.h>
#include <string.h>

#include "eng_clock.h"
#include "eng_reply.h"
#include "eng_view.h"
#include "eng_view_action.h"
#include "lang_doc.h"
#include "sr_body.h"
#include "sr_log.h"

struct eng_client {
    zsock_t *sock;      // borrowed: the client endpoint
    eng_parts_t *parts; // borrowed
    eng_peers_t *peers; // borrowed
    eng_batch_t *batch; // borrowed
    eng_subs_t *subs;   // borrowed
    store_docs_t *docs; // borrowed
    eng_client_status_fn *status;
    void *status_arg;
    eng_client_map_fn *map;
    void *map_arg;
    size_t next_part; // round robin for new executions
};

static void
s_fail(eng_client_t *self, const sr_wire_in_t *in, sr_err_t code,
       const char *field, const char *fmt, const char *arg)
{
    sr_error_t e;
    sr_error_set(&e, code, fmt, arg ? arg : "");
    if (field)
        snprintf(e.where, sizeof e.where, "field '%s'", field);
    eng_reply_error(self->sock, &in->peer, in->req_id, &e);
}

// EUNAVAIL naming the owner of `partition` (see eng_parts_not_here).
static void
s_not_here(eng_client_t *self, const sr_wire_in_t *in, uint16_t partition,
           const char *field)
{
    sr_error_t e;
    eng_parts_not_here(self->parts, partition, &e);
    snprintf(e.where, sizeof e.where, "field '%s'", field);
    eng_reply_error(self->sock, &in->peer, in->req_id, &e);
}

// A new operation for the batch on the partition of execution `id`.
static eng_op_t *
s_op(eng_client_t *self, sr_wire_in_t *in, const sr_id_t *id,
     core_event_kind_t kind)
{
    size_t pi = 0;
    if (!eng_parts_find(self->parts, sr_id_partition(id), &pi)) {
        s_not_here(self, in, sr_id_partition(id),
                   kind == CORE_EV_COMPLETE ? "action_id" : "execution_id");
        return NULL;
    }
    eng_op_t *op = eng_batch_add(self->batch);
    if (!op) {
        s_fail(self, in, SR_ENOMEM, NULL, "out of memory%s", NULL);
        return NULL;
    }
    op->kind = ENG_OP_EVENT;
    op->type = in->type;
    op->peer = in->peer;
    op->req_id = in->req_id;
    op->part = pi;
    op->ev.kind = kind;
    op->ev.exec_id = *id;
    op->msg = in->msg;
    in->msg = NULL;
    return op;
}

// An EX_START's `id`, chosen by the client, is laid out as the engines'
// ids are, and `partition`, when given too, is the id's. False when
// refused (answered EINVAL); before routing, so that any engine refuses.
static bool
s_start_id_ok(eng_client_t *self, sr_wire_in_t *in)
{
    sr_id_t id;
    sr_error_t e;
    if (in->type != SR_MSG_EX_START ||
        !sr_msg_id(in->msg, SR_F_EX_START_id, &id))
        return true;
    if (sr_id_check_layout(&id, &e)) {
        snprintf(e.where, sizeof e.where, "field 'id'");
        eng_reply_error(self->sock, &in->peer, in->req_id, &e);
        return false;
    }
    int64_t want = sr_msg_int(in->msg, SR_F_EX_START_partition, -1);
    if (want >= 0 && want != sr_id_partition(&id)) {
        char text[SR_ID_TEXT_SIZE];
        sr_error_at(&e, SR_EINVAL, "field 'partition'",
                    "partition %lld is not the partition of id %s (%u)",
                    (long long)want, sr_id_format(&id, text),
                    sr_id_partition(&id));
        eng_reply_error(self->sock, &in->peer, in->req_id, &e);
        return false;
    }
    return true;
}

// A start for no partition in particular, on an engine that serves none
// now (replicated partitions: it leads none): to the leader of one.
static void
s_start_elsewhere(eng_client_t *self, sr_wire_in_t *in)
{
    size_t cap = eng_parts_capacity(self->parts);
    for (size_t t = 0; t < cap && !eng_peers_is_peer(&in->peer); t++) {
        uint16_t number =
            eng_parts_copy_number(self->parts, self->next_part++ % cap);
        int owner = eng_parts_owner(self->parts, number);
        if (owner >= 0) {
            eng_peers_forward(self->peers, in, (size_t)owner, number);
            return;
        }
    }
    s_not_here(self, in, cap ? eng_parts_copy_number(self->parts, 0) : 0,
               "partition");
}

static void
s_start(eng_client_t *self, sr_wire_in_t *in)
{
    sr_msg_t *m = in->msg;
    if (!eng_parts_count(self->parts) &&
        !sr_msg_has(m, SR_F_EX_START_partition) &&
        !sr_msg_has(m, SR_F_EX_START_id)) {
        s_start_elsewhere(self, in);
        return;
    }
    size_t pi = eng_parts_count(self->parts)
                    ? self->next_part++ % eng_parts_count(self->parts)
                    : 0;
    uint16_t want = (uint16_t)sr_msg_int(m, SR_F_EX_START_partition, 0);
    if (sr_msg_has(m, SR_F_EX_START_partition) &&
        !eng_parts_find(self->parts, want, &pi)) {
        s_not_here(self, in, want, "partition");
        return;
    }
    // The client's id (checked, and routed here by its partition), or a
    // new one. With the client's, a start already made under it is found
    // in the batch's write transaction (core_exec_start).
    sr_id_t id;
    if (!sr_msg_id(m, SR_F_EX_START_id, &id))
        sr_id_make(eng_parts_number(self->parts, pi), eng_now_ms(), &id);
    eng_op_t *op = s_op(self, in, &id, CORE_EV_START);
    if (!op)
        return;
    op->ev.wf_name = sr_msg_str(op->msg, SR_F_EX_START_workflow);
    op->ev.def_hash = sr_msg_str(op->msg, SR_F_EX_START_version);
    op->ev.input = sr_msg_get(op->msg, SR_F_EX_START_input);
    op->ev.env = sr_msg_get(op->msg, SR_F_EX_START_env);
    op->ev.params = sr_msg_get(op->msg, SR_F_EX_START_params);
    op->ev.description = sr_msg_str(op->msg, SR_F_EX_START_description);
}

// Names and versions that key the catalog or name a task: a request with
// one empty is refused before it reaches the store (the codec refuses NUL
// bytes already).
static const struct {
    sr_msg_type_t type;
    sr_field_t field;
} s_names[] = {
    {SR_MSG_WF_GET, SR_F_WF_GET_name},
    {SR_MSG_WF_GET, SR_F_WF_GET_version},
    {SR_MSG_WF_DELETE, SR_F_WF_DELETE_name},
    {SR_MSG_EX_START, SR_F_EX_START_workflow},
    {SR_MSG_EX_START, SR_F_EX_START_version},
    {SR_MSG_EX_RERUN, SR_F_EX_RERUN_task},
};

// False when a name field of the request is refused (answered EINVAL).
static bool
s_names_ok(eng_client_t *self, sr_wire_in_t *in)
{
    for (size_t k = 0; k < sizeof s_names / sizeof *s_names; k++) {
        const sr_value_t *v = sr_msg_get(in->msg, s_names[k].field);
        if (s_names[k].type != in->type || !v)
            continue;
        if (!sr_value_len(v)) {
            const char *field = sr_field_desc(s_names[k].field)->name;
            s_fail(self, in, SR_EINVAL, field, "'%s' must not be empty", field);
            return false;
        }
    }
    return true;
}

// Every workflow of a document is named within the protocol's limit for
// names, so that each can be read, started and deleted by name.
static bool
s_doc_names_ok(eng_client_t *self, sr_wire_in_t *in, const lang_doc_t *doc)
{
    int64_t max = sr_field_desc(SR_F_WF_GET_name)->limit;
    for (size_t i = 0; i < lang_doc_nworkflows(doc); i++) {
        const char *name = lang_doc_workflow_at(doc, i)->name;
        if ((int64_t)strlen(name) > max) {
            sr_error_t e;
            sr_error_set(&e, SR_EINVAL,
                         "workflow name '%.40s...' has %zu bytes; names "
                         "are at most %lld bytes",
                         name, strlen(name), (long long)max);
            snprintf(e.where, sizeof e.where, "field 'definition'");
            eng_reply_error(self->sock, &in->peer, in->req_id, &e);
            return false;
        }
    }
    return true;
}

// The definition of a WF_CREATE or WF_VALIDATE (in `field`), loaded: the
// document (caller owns it), or NULL once the request was answered:
// EINVAL with every problem, one per line, as "definition:LINE:COL:
// message", or a workflow name over the protocol's limit.
static lang_doc_t *
s_wf_load(eng_client_t *self, sr_wire_in_t *in, sr_field_t field)
{
    const char *text = sr_msg_str(in->msg, field);
    lang_doc_t *doc = NULL;
    lang_diags_t diags = {0};
    if (lang_doc_parse("definition", text, strlen(text), NULL, &doc, &diags)) {
        char msg[4000] = "";
        for (size_t i = 0; i < diags.count; i++) {
            size_t n = strlen(msg);
            snprintf(msg + n, sizeof msg - n, "%sdefinition:%d:%d: %s",
                     i ? "\n" : "", diags.items[i].pos.line,
                     diags.items[i].pos.col, diags.items[i].msg);
        }
        lang_diags_fini(&diags);
        s_fail(self, in, SR_EINVAL, "definition", "%s", msg);
        return NULL;
    }
    lang_diags_fini(&diags);
    if (!s_doc_names_ok(self, in, doc))
        lang_doc_destroy(&doc);
    return doc;
}

// One WORKFLOW body per workflow of `doc`, described, with `created_ms`
// unless it is 0. NULL on OOM.
static sr_value_t *
s_described(const lang_doc_t *doc, int64_t created_ms)
{
    sr_value_t *list = sr_value_new_array(lang_doc_nworkflows(doc));
    for (size_t i = 0; list && i < lang_doc_nworkflows(doc); i++) {
        sr_body_t b;
        eng_view_wf_describe(&b, doc, lang_doc_workflow_at(doc, i));
        if (created_ms)
            sr_body_put_int(&b, SR_B_WORKFLOW_created_ms, created_ms);
        if (sr_value_array_append(list, sr_body_take(&b)))
            sr_value_destroy(&list);
    }
    return list;
}

static void
s_wf_create(eng_client_t *self, sr_wire_in_t *in)
{
    lang_doc_t *doc = s_wf_load(self, in, SR_F_WF_CREATE_definition);
    if (!doc)
        return;
    const lang_doc_t *kept = store_docs_adopt(self->docs, &doc);
    // The catalog lives in every partition: executions start anywhere.
    eng_op_t *op =
        eng_batch_add_def(self->batch, eng_parts_count(self->parts), kept);
    if (op) { // one reply, from the first partition
        op->type = in->type;
        op->peer = in->peer;
        op->req_id = in->req_id;
    }
}

// A dry run of WF_CREATE: the same checks and descriptions; nothing is
// stored, nor kept in the document cache.
static void
s_wf_validate(eng_client_t *self, sr_wire_in_t *in)
{
    lang_doc_t *doc = s_wf_load(self, in, SR_F_WF_VALIDATE_definition);
    if (!doc)
        return;
    sr_value_t *body = s_described(doc, 0);
    lang_doc_destroy(&doc);
    if (body)
        eng_reply(self->sock, &in->peer, in->req_id, body);
    else
        s_fail(self, in, SR_ENOMEM, NULL, "out of memory%s", NULL);
}

static void
s_wf_delete(eng_client_t *self, sr_wire_in_t *in)
{
    const char *name = sr_msg_str(in->msg, SR_F_WF_DELETE_name);
    char hash[65];
    sr_error_t e;
    if (eng_view_workflow_hash(self->parts, name, hash, &e)) {
        eng_reply_error(self->sock, &in->peer, in->req_id, &e);
        return;
    }
    for (size_t pi = 0; pi < eng_parts_count(self->parts); pi++) {
        eng_op_t *op = eng_batch_add(self->batch);
        if (!op)
            return;
        op->kind = ENG_OP_WF_DELETE;
        op->part = pi;
        op->text = strdup(name);
        if (pi == 0) {
            op->type = in->type;
            op->peer = in->peer;
            op->req_id = in->req_id;
        }
    }
}

static void
s_complete(eng_client_t *self, sr_wire_in_t *in)
{
    sr_msg_t *m = in->msg;
    sr_id_t id;
    sr_error_t e;
    if (!sr_msg_id(m, SR_F_COMPLETE_action_id, &id)) {
        const char *token = sr_msg_str(m, SR_F_COMPLETE_token);
        if (!token) {
            s_fail(self, in, SR_EPROTO, "action_id",
                   "COMPLETE needs action_id or token%s", NULL);
            return;
        }
        if (eng_parts_token_lookup(self->parts, token, &id, &e)) {
            if (eng_peers_count(self->peers) && !eng_peers_is_peer(&in->peer))
                eng_peers_broadcast(self->peers, in, in->req_id >= 0);
            else if (in->req_id >= 0)
                eng_reply_error(self->sock, &in->peer, in->req_id, &e);
            return;
        }
    }
    eng_op_t *op = s_op(self, in, &id, CORE_EV_COMPLETE);
    if (!op)
        return;
    op->ev.action_id = id;
    const char *status = sr_msg_str(op->msg, SR_F_COMPLETE_status);
    bool ok = strcmp(status, "success") == 0;
    if (!ok && strcmp(status, "error") != 0) {
        op->failed = true;
        sr_error_set(&op->err, SR_EINVAL,
                     "status must be 'success' or 'error', not '%s'", status);
        snprintf(op->err.where, sizeof op->err.where, "field 'status'");
    }
    op->ev.status = ok ? CORE_RESULT_SUCCESS : CORE_RESULT_ERROR;
    op->value = ok ? sr_msg_take(op->msg, SR_F_COMPLETE_output)
                : sr_msg_has(op->msg, SR_F_COMPLETE_error)
                    ? sr_msg_take(op->msg, SR_F_COMPLETE_error)
                    : sr_msg_take(op->msg, SR_F_COMPLETE_output);
    op->ev.output = op->value;
    op->ev.worker = "client";
}

// The body of a request that was done and has nothing to say.
static sr_value_t *
s_empty(void)
{
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_EMPTY);
    return sr_body_take(&b);
}

static void
s_subscribe(eng_client_t *self, sr_wire_in_t *in)
{
    if (eng_subs_add(self->subs, in, eng_now_ms())) {
        s_fail(self, in, SR_ENOMEM, NULL, "out of memory%s", NULL);
        return;
    }
    eng_reply(self->sock, &in->peer, in->req_id, s_empty());
}

// Requests answered from a read transaction.
static void
s_read(eng_client_t *self, sr_wire_in_t *in)
{
    sr_msg_t *m = in->msg;
    sr_value_t *body = NULL;
    sr_error_t e;
    sr_err_t rc = SR_OK;
    sr_id_t id;
    switch (in->type) {
    case SR_MSG_EX_GET:
        sr_msg_id(m, SR_F_EX_GET_execution_id, &id);
        rc = eng_view_exec(self->parts, &id, &body, &e);
        break;
    case SR_MSG_EX_LIST:
        rc = eng_view_exec_list(self->parts, m, &body, &e);
        break;
    case SR_MSG_TASK_LIST:
        sr_msg_id(m, SR_F_TASK_LIST_execution_id, &id);
        rc = eng_view_tasks(self->parts, &id, &body, &e);
        break;
    case SR_MSG_WF_GET:
        rc = eng_view_workflow(self->parts, self->docs,
                               sr_msg_str(m, SR_F_WF_GET_name), &body, &e);
        break;
    case SR_MSG_WF_LIST:
        rc = eng_view_workflow_list(
            self->parts,
            sr_msg_bool(m, SR_F_WF_LIST_describe, false) ? self->docs : NULL,
            &body, &e);
        break;
    case SR_MSG_TASK_GET:
        rc = eng_view_task_get(self->parts, m, &body, &e);
        break;
    case SR_MSG_ACTION_LIST:
        rc = eng_view_actions(self->parts, m, &body, &e);
        break;
    case SR_MSG_ACTION_GET:
        sr_msg_id(m, SR_F_ACTION_GET_action_id, &id);
        rc = eng_view_action(self->parts, &id, &body, &e);
        break;
    default: // STATUS, with what the asking client holds here
        rc = self->status(self->status_arg, &body, &e);
        if (!rc && sr_body_set(body, SR_B_STATUS_subscriptions,
                               sr_value_new_int((int64_t)eng_subs_count(
                                   self->subs, &in->peer)))) {
            sr_value_destroy(&body);
            rc = sr_error_set(&e, SR_ENOMEM, "STATUS: out of memory");
        }
        break;
    }
    if (rc)
        eng_reply_error(self->sock, &in->peer, in->req_id, &e);
    else
        eng_reply(self->sock, &in->peer, in->req_id, body);
}

static const struct {
    sr_msg_type_t type;
    core_event_kind_t kind;
    sr_field_t id;
} s_exec_ops[] = {
    {SR_MSG_EX_PAUSE, CORE_EV_PAUSE, SR_F_EX_PAUSE_execution_id},
    {SR_MSG_EX_RESUME, CORE_EV_RESUME, SR_F_EX_RESUME_execution_id},
    {SR_MSG_EX_CANCEL, CORE_EV_CANCEL, SR_F_EX_CANCEL_execution_id},
    {SR_MSG_EX_RERUN, CORE_EV_RERUN, SR_F_EX_RERUN_execution_id},
    {SR_MSG_EX_DELETE, CORE_EV_DELETE, SR_F_EX_DELETE_execution_id},
};

static void
s_exec_op(eng_client_t *self, sr_wire_in_t *in, size_t k)
{
    sr_id_t id;
    sr_msg_id(in->msg, s_exec_ops[k].id, &id);
    eng_op_t *op = s_op(self, in, &id, s_exec_ops[k].kind);
    if (!op)
        return;
    if (in->type == SR_MSG_EX_PAUSE)
        op->ev.msg = sr_msg_str(op->msg, SR_F_EX_PAUSE_reason);
    else if (in->type == SR_MSG_EX_CANCEL)
        op->ev.msg = sr_msg_str(op->msg, SR_F_EX_CANCEL_reason);
    else if (in->type == SR_MSG_EX_RERUN) {
        op->ev.task_name = sr_msg_str(op->msg, SR_F_EX_RERUN_task);
        op->ev.reset = sr_msg_bool(op->msg, SR_F_EX_RERUN_reset, false);
    } else if (in->type == SR_MSG_EX_DELETE)
        op->ev.force = sr_msg_bool(op->msg, SR_F_EX_DELETE_force, false);
}

// Requests about one partition, and the field that names it.
static const struct {
    sr_msg_type_t type;
    sr_field_t field;
} s_routed[] = {
    {SR_MSG_EX_GET, SR_F_EX_GET_execution_id},
    {SR_MSG_EX_PAUSE, SR_F_EX_PAUSE_execution_id},
    {SR_MSG_EX_RESUME, SR_F_EX_RESUME_execution_id},
    {SR_MSG_EX_CANCEL, SR_F_EX_CANCEL_execution_id},
    {SR_MSG_EX_RERUN, SR_F_EX_RERUN_execution_id},
    {SR_MSG_EX_DELETE, SR_F_EX_DELETE_execution_id},
    {SR_MSG_TASK_LIST, SR_F_TASK_LIST_execution_id},
    {SR_MSG_TASK_GET, SR_F_TASK_GET_task_id},
    {SR_MSG_ACTION_GET, SR_F_ACTION_GET_action_id},
    {SR_MSG_ACTION_LIST, SR_F_ACTION_LIST_task_id}, // else its execution
    {SR_MSG_ACTION_LIST, SR_F_ACTION_LIST_execution_id},
    {SR_MSG_COMPLETE, SR_F_COMPLETE_action_id},
    {SR_MSG_EX_START, SR_F_EX_START_id}, // else its partition, if given
    {SR_MSG_EX_START, SR_F_EX_START_partition},
};

// A request for a partition owned elsewhere goes to its owner (or gets
// EUNAVAIL). True when it was dealt with here.
static bool
s_route(eng_client_t *self, sr_wire_in_t *in)
{
    uint16_t part = 0;
    const char *field = NULL; // the field naming the partition
    for (size_t k = 0; !field && k < sizeof s_routed / sizeof *s_routed; k++) {
        if (s_routed[k].type != in->type)
            continue;
        sr_id_t id;
        const char *name = sr_field_desc(s_routed[k].field)->name;
        if (s_routed[k].field == SR_F_EX_START_partition) {
            field = sr_msg_has(in->msg, s_routed[k].field) ? name : NULL;
            part = (uint16_t)sr_msg_int(in->msg, s_routed[k].field, 0);
        } else if (sr_msg_id(in->msg, s_routed[k].field, &id)) {
            field = name;
            part = sr_id_partition(&id);
        }
    }
    if (!field || eng_parts_find(self->parts, part, NULL))
        return false;
    int owner =
        eng_peers_is_peer(&in->peer) ? -1 : eng_parts_owner(self->parts, part);
    if (owner >= 0)
        eng_peers_forward(self->peers, in, (size_t)owner, part);
    else
        s_not_here(self, in, part, field);
    return true;
}

eng_client_t *
eng_client_new(const eng_client_deps_t *deps)
{
    eng_client_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    *self = (eng_client_t){.sock = deps->sock,
                           .parts = deps->parts,
                           .peers = deps->peers,
                           .batch = deps->batch,
                           .subs = deps->subs,
                           .docs = deps->docs,
                           .status = deps->status,
                           .status_arg = deps->status_arg,
                           .map = deps->map,
                           .map_arg = deps->map_arg};
    return self;
}

void
eng_client_destroy(eng_client_t **self_p)
{
    free(*self_p);
    *self_p = NULL;
}

// CLUSTER_MAP: the node takes the map at once (it changes no partition
// state; the groups move the replicas later).
static void
s_map(eng_client_t *self, sr_wire_in_t *in)
{
    const sr_value_t *v = sr_msg_get(in->msg, SR_F_CLUSTER_MAP_map);
    sr_value_t *body = NULL;
    sr_error_t e;
    if (self->map(self->map_arg, sr_value_str(v), sr_value_len(v), &body, &e)) {
        snprintf(e.where, sizeof e.where, "field 'map'");
        eng_reply_error(self->sock, &in->peer, in->req_id, &e);
        return;
    }
    eng_reply(self->sock, &in->peer, in->req_id, body);
}

void
eng_client_recv(eng_client_t *self, sr_wire_in_t *in)
{
    if (!s_names_ok(self, in) || !s_start_id_ok(self, in) || s_route(self, in))
        return;
    eng_subs_heard(self->subs, &in->peer, eng_now_ms());
    for (size_t k = 0; k < sizeof s_exec_ops / sizeof *s_exec_ops; k++)
        if (s_exec_ops[k].type == in->type) {
            s_exec_op(self, in, k);
            return;
        }
    switch (in->type) {
    case SR_MSG_EX_START:
        s_start(self, in);
        return;
    case SR_MSG_WF_CREATE:
    case SR_MSG_WF_DELETE:
        // Definitions live on every engine: the peers get a copy. An
        // engine that serves no partition now (it leads none) stores
        // nothing itself: the first peer's answer is relayed.
        if (eng_peers_count(self->peers) && !eng_peers_is_peer(&in->peer))
            eng_peers_broadcast(self->peers, in,
                                eng_parts_count(self->parts) == 0);
        if (eng_parts_count(self->parts) == 0) {
            if (eng_peers_is_peer(&in->peer) || !eng_peers_count(self->peers))
                s_fail(self, in, SR_EUNAVAIL, NULL,
                       "this engine serves no partition now%s", NULL);
            return;
        }
        if (in->type == SR_MSG_WF_CREATE)
            s_wf_create(self, in);
        else
            s_wf_delete(self, in);
        return;
    case SR_MSG_WF_VALIDATE:
        s_wf_validate(self, in);
        return;
    case SR_MSG_COMPLETE:
        s_complete(self, in);
        return;
    case SR_MSG_SUBSCRIBE:
        s_subscribe(self, in);
        return;
    case SR_MSG_UNSUBSCRIBE:
        eng_subs_remove(self->subs, &in->peer);
        eng_reply(self->sock, &in->peer, in->req_id, s_empty());
        return;
    case SR_MSG_EX_GET:
    case SR_MSG_EX_LIST:
    case SR_MSG_TASK_LIST:
    case SR_MSG_WF_GET:
    case SR_MSG_WF_LIST:
    case SR_MSG_TASK_GET:
    case SR_MSG_ACTION_LIST:
    case SR_MSG_ACTION_GET:
    case SR_MSG_STATUS:
        s_read(self, in);
        return;
    case SR_MSG_CLUSTER_MAP:
        s_map(self, in);
        return;
    case SR_MSG_HEARTBEAT:
        if (eng_peers_is_peer(&in->peer))
            eng_peers_heard(self->peers, in);
        return;
    case SR_MSG_ERROR:
        return;
    default:
        s_fail(self, in, SR_EPROTO, NULL,
               "%s is not accepted on the client endpoint",
               sr_msg_type_name(in->type));
    }
}

// After the commit: the reply of a state-changing request.
void
eng_client_answer(eng_client_t *self, const eng_op_t *op)
{
    if (op->req_id < 0)
        return;
    if (op->failed) {
        eng_reply_error(self->sock, &op->peer, op->req_id, &op->err);
        return;
    }
    sr_value_t *body = NULL;
    sr_error_t e;
    sr_err_t rc = SR_OK;
    if (op->kind == ENG_OP_WF_CREATE)
        body = s_described(op->doc, eng_now_ms());
    else if (op->kind == ENG_OP_WF_DELETE)
        body = s_empty();
    else if (op->type == SR_MSG_COMPLETE) {
        sr_body_t b;
        sr_body_init(&b, SR_SHAPE_COMPLETED);
        sr_body_put_id(&b, SR_B_COMPLETED_action_id, &op->ev.action_id);
        sr_body_put_str(&b, SR_B_COMPLETED_state,
                        op->ev.status == CORE_RESULT_SUCCESS ? "SUCCESS"
                                                             : "ERROR");
        body = sr_body_take(&b);
    } else if (op->type == SR_MSG_EX_DELETE) {
        sr_body_t b;
        sr_body_init(&b, SR_SHAPE_DELETED);
        sr_body_put_id(&b, SR_B_DELETED_id, &op->ev.exec_id);
        sr_body_put_str(&b, SR_B_DELETED_state, "DELETED");
        body = sr_body_take(&b);
    } else
        rc = eng_view_exec(self->parts, &op->ev.exec_id, &body, &e);
    if (!rc && !body)
        rc = sr_error_set(&e, SR_ENOMEM, "out of memory");
    if (rc) {
        sr_value_destroy(&body);
        eng_reply_error(self->sock, &op->peer, op->req_id, &e);
    } else
        eng_reply(self->sock, &op->peer, op->req_id, body);
}
