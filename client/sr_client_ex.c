/* Execution, task and delegate-action calls of the client. A request
 * about an existing execution (or action) goes to the owner of the
 * partition in its id; a new execution to the next engine in turn (or the
 * owner of the partition asked for, or of the caller's id's, made by
 * sr_client_ex_new_id from a STATUS); EX_LIST to every engine, merged
 * (or, partial, from those that answer, saying which are missing).
 * Builds requests and shapes answers; routing is sr_client.c's.
 * Thread rule: the client's thread.
 */
#include "sirocco/client.h"

#include <stdio.h>
#include <stdlib.h>

#include "sr_client_body.h"
#include "sr_client_core.h"
#include "sr_client_cover.h"
#include "sr_client_route.h"

// Put an optional map argument into field `f` of `req`.
static sr_err_t
s_set_map(sr_msg_t *req, sr_field_t f, const sr_value_t *v, const char *what,
          sr_error_t *err)
{
    if (!v)
        return SR_OK;
    if (!sr_value_is(v, SR_T_MAP))
        return sr_error_set(err, SR_EINVAL, "%s must be a map, not %s", what,
                            sr_type_name(sr_value_type(v)));
    if (sr_msg_set(req, f, sr_value_dup(v)) != SR_OK)
        return sr_error_set(err, SR_ENOMEM, "%s: out of memory", what);
    return SR_OK;
}

static sr_err_t
s_set_str(sr_msg_t *req, sr_field_t f, const char *s, sr_error_t *err)
{
    if (!s || sr_msg_set_str(req, f, s) == SR_OK)
        return SR_OK;
    return sr_error_set(err, SR_ENOMEM, "%s: out of memory",
                        sr_msg_type_name(sr_msg_type(req)));
}

static sr_err_t
s_build_start(const sr_client_start_t *st, sr_msg_t *req, sr_error_t *err)
{
    sr_err_t rc = s_set_str(req, SR_F_EX_START_workflow, st->workflow, err);
    if (!rc)
        rc = s_set_str(req, SR_F_EX_START_version, st->version, err);
    if (!rc)
        rc = s_set_str(req, SR_F_EX_START_description, st->description, err);
    if (!rc)
        rc = s_set_map(req, SR_F_EX_START_input, st->input, "input", err);
    if (!rc)
        rc = s_set_map(req, SR_F_EX_START_env, st->env, "env", err);
    if (!rc)
        rc = s_set_map(req, SR_F_EX_START_params, st->params, "params", err);
    if (!rc && st->has_partition &&
        sr_msg_set_int(req, SR_F_EX_START_partition, st->partition))
        rc = sr_error_set(err, SR_ENOMEM, "EX_START: out of memory");
    return rc;
}

// The caller's execution id of a start: a UUID laid out as the engines'
// ids are, in the partition asked for (if one is). EINVAL naming the
// field otherwise.
static sr_err_t
s_start_id(const sr_client_start_t *st, sr_id_t *id, sr_error_t *err)
{
    const char *field = "field 'id'";
    sr_err_t rc = sr_client_parse_id(st->id, "start id", id, err);
    if (!rc)
        rc = sr_id_check_layout(id, err);
    if (!rc && st->has_partition && st->partition != sr_id_partition(id)) {
        char text[SR_ID_TEXT_SIZE];
        field = "field 'partition'";
        rc = sr_error_set(
            err, SR_EINVAL, "partition %u is not the partition of id %s (%u)",
            st->partition, sr_id_format(id, text), sr_id_partition(id));
    }
    if (rc && err)
        snprintf(err->where, sizeof err->where, "%s", field);
    return rc;
}

// An engine before protocol 1.5 ignores the id and makes its own: the
// start is then not safe to retry, and the caller must know.
static sr_err_t
s_check_started(const sr_id_t *want, const sr_value_t *ex, sr_error_t *err)
{
    sr_id_t got;
    char text[SR_ID_TEXT_SIZE];
    if (sr_body_id(ex, SR_B_EXECUTION_id, &got) && sr_id_equal(&got, want))
        return SR_OK;
    const char *made = sr_body_str(ex, SR_B_EXECUTION_id);
    return sr_error_set(err, SR_EVERSION,
                        "the engine answered a start with id %s with "
                        "execution %.40s: it speaks a protocol before 1.5, "
                        "which has no start id",
                        sr_id_format(want, text), made ? made : "(no id)");
}

sr_err_t
sr_client_ex_start(sr_client_t *c, const sr_client_start_t *start,
                   int timeout_ms, sr_value_t **execution, sr_error_t *err)
{
    if (!start || !start->workflow)
        return sr_error_set(err, SR_EINVAL, "workflow name is missing");
    sr_id_t id;
    if (start->id && s_start_id(start, &id, err))
        return SR_EINVAL;
    int64_t deadline = sr_client_deadline(timeout_ms);
    sr_msg_t *req = sr_msg_new(SR_MSG_EX_START);
    sr_value_t *ex = NULL;
    sr_err_t rc = req ? s_build_start(start, req, err)
                      : sr_error_set(err, SR_ENOMEM, "EX_START: out of memory");
    if (!rc && start->id && sr_msg_set_id(req, SR_F_EX_START_id, &id))
        rc = sr_error_set(err, SR_ENOMEM, "EX_START: out of memory");
    if (!rc && (start->id || start->has_partition))
        rc = sr_client_call_partition(
            c, start->id ? sr_id_partition(&id) : start->partition, req,
            deadline, &ex, NULL, err);
    else if (!rc)
        rc = sr_client_call_any(c, req, deadline, &ex, err);
    if (!rc && start->id)
        rc = s_check_started(&id, ex, err);
    sr_msg_destroy(&req);
    if (rc)
        sr_value_destroy(&ex);
    else
        *execution = ex;
    return rc;
}

sr_err_t
sr_client_ex_new_id(sr_client_t *c, int timeout_ms, char id[SR_CLIENT_ID_SIZE],
                    sr_error_t *err)
{
    sr_msg_t *req = sr_msg_new(SR_MSG_STATUS);
    sr_value_t *status = NULL;
    sr_err_t rc =
        req ? sr_client_call_any(c, req, sr_client_deadline(timeout_ms),
                                 &status, err)
            : sr_error_set(err, SR_ENOMEM, "STATUS: out of memory");
    sr_msg_destroy(&req);
    if (rc)
        return rc;
    const sr_value_t *parts = sr_body_get(status, SR_B_STATUS_partitions);
    size_t n = sr_value_len(parts);
    uint32_t pick = 0;
    sr_random(&pick, sizeof pick);
    int64_t p =
        n && sr_value_is(parts, SR_T_ARRAY)
            ? sr_client_route_partition(sr_value_array_at(parts, pick % n))
            : -1;
    sr_value_destroy(&status);
    if (p < 0)
        return sr_error_set(err, SR_EPROTO,
                            "STATUS names no partition to make an id in");
    sr_id_t made;
    sr_id_make((uint16_t)p, 0, &made);
    sr_id_format(&made, id);
    return SR_OK;
}

// A request of `type` whose field `idf` names execution `execution_id`.
static sr_err_t
s_about(sr_msg_type_t type, sr_field_t idf, const char *execution_id,
        sr_id_t *id, sr_msg_t **out, sr_error_t *err)
{
    return sr_client_request_about(type, idf, execution_id, "execution id", id,
                                   out, err);
}

sr_err_t
sr_client_ex_get(sr_client_t *c, const char *execution_id, int timeout_ms,
                 sr_value_t **execution, sr_error_t *err)
{
    sr_id_t id;
    sr_msg_t *req = NULL;
    sr_err_t rc = s_about(SR_MSG_EX_GET, SR_F_EX_GET_execution_id, execution_id,
                          &id, &req, err);
    return rc ? rc
              : sr_client_call_owner(c, &req, &id, timeout_ms, execution, err);
}

static sr_err_t
s_build_list(const sr_client_list_t *f, int64_t limit, sr_msg_t *req,
             sr_error_t *err)
{
    sr_err_t rc = s_set_str(req, SR_F_EX_LIST_state, f->state, err);
    if (!rc)
        rc = s_set_str(req, SR_F_EX_LIST_workflow, f->workflow, err);
    if (!rc && f->after) {
        sr_id_t after;
        rc = sr_client_parse_id(f->after, "page cursor (after)", &after, err);
        if (!rc && sr_msg_set_id(req, SR_F_EX_LIST_after, &after))
            rc = sr_error_set(err, SR_ENOMEM, "EX_LIST: out of memory");
    }
    if (!rc && sr_msg_set_int(req, SR_F_EX_LIST_limit, limit))
        rc = sr_error_set(err, SR_ENOMEM, "EX_LIST: out of memory");
    return rc;
}

// The EX_LIST request of `filter` (NULL: none) and its limit.
static sr_err_t
s_list_request(const sr_client_list_t *filter, sr_msg_t **req, int64_t *limit,
               sr_error_t *err)
{
    sr_client_list_t none = {0};
    const sr_client_list_t *f = filter ? filter : &none;
    if (f->limit < 0)
        return sr_error_set(err, SR_EINVAL, "list limit %lld is negative",
                            (long long)f->limit);
    *limit = f->limit ? f->limit : SR_CLIENT_LIST_LIMIT;
    sr_msg_t *m = sr_msg_new(SR_MSG_EX_LIST);
    sr_err_t rc = m ? s_build_list(f, *limit, m, err)
                    : sr_error_set(err, SR_ENOMEM, "EX_LIST: out of memory");
    if (rc)
        sr_msg_destroy(&m);
    else
        *req = m;
    return rc;
}

// Merge the lists of the engines that answered (nil items are left out).
static sr_err_t
s_merge(const sr_value_t *bodies, int64_t limit, sr_value_t **executions,
        sr_error_t *err)
{
    sr_value_t *lists[SR_CLIENT_ENGINES_MAX];
    size_t n = 0;
    for (size_t i = 0; i < sr_value_len(bodies); i++)
        if (!sr_value_is(sr_value_array_at(bodies, i), SR_T_NIL))
            lists[n++] = sr_value_array_at(bodies, i);
    return sr_client_body_merge_executions(lists, n, (size_t)limit,
                                           SR_B_EXECUTION_id, executions, err);
}

sr_err_t
sr_client_ex_list(sr_client_t *c, const sr_client_list_t *filter,
                  int timeout_ms, sr_value_t **executions, sr_error_t *err)
{
    sr_msg_t *req = NULL;
    sr_value_t *bodies = NULL;
    int64_t limit = 0;
    sr_err_t rc = s_list_request(filter, &req, &limit, err);
    if (!rc)
        rc = sr_client_call_lists(c, req, sr_client_deadline(timeout_ms),
                                  &bodies, err);
    if (!rc)
        rc = s_merge(bodies, limit, executions, err);
    sr_value_destroy(&bodies);
    sr_msg_destroy(&req);
    return rc;
}

// The partitions that the engines that answered (bodies[i] not nil) do
// not serve, of those their STATUS names in the cluster ("cluster": each
// member's "partitions"): an array of numbers, in order. Engines that do
// not answer STATUS in time tell nothing.
static sr_err_t
s_unserved(sr_client_t *c, const sr_value_t *bodies, int64_t deadline_ms,
           sr_value_t **out, sr_error_t *err)
{
    sr_msg_t *req = sr_msg_new(SR_MSG_STATUS);
    sr_client_cover_t *cv = sr_client_cover_new();
    sr_value_t *statuses = NULL;
    sr_error_t errs[SR_CLIENT_ENGINES_MAX];
    size_t failed = 0;
    sr_err_t rc = req && cv ? sr_client_call_each(c, req, deadline_ms,
                                                  &statuses, errs, &failed, err)
                            : sr_error_set(err, SR_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < sr_value_len(statuses); i++) {
        const sr_value_t *st = sr_value_array_at(statuses, i);
        sr_client_cover_name(cv, st);
        if (!sr_value_is(sr_value_array_at(bodies, i), SR_T_NIL))
            sr_client_cover_serve(cv, st, NULL);
    }
    if (!rc)
        rc = sr_client_cover_unserved(cv, out, err);
    sr_value_destroy(&statuses);
    sr_msg_destroy(&req);
    sr_client_cover_destroy(&cv);
    return rc;
}

// {"engines": [{"endpoint", "error"} of each engine left out],
//  "partitions": what no engine that answered serves}.
static sr_err_t
s_missing(sr_client_t *c, const sr_value_t *bodies, const sr_error_t *errs,
          size_t failed, int64_t deadline_ms, sr_value_t **out, sr_error_t *err)
{
    sr_value_t *m = sr_value_new_map(2), *engines = sr_value_new_array(failed);
    sr_value_t *parts = failed ? NULL : sr_value_new_array(0);
    sr_err_t rc = m && engines ? SR_OK : SR_ENOMEM;
    for (size_t i = 0; !rc && i < sr_value_len(bodies); i++) {
        if (errs[i].code == SR_OK)
            continue;
        char text[sizeof errs[i].where + sizeof errs[i].msg + 4];
        sr_value_t *e = sr_value_new_map(2);
        if (!e ||
            sr_value_map_put(
                e, "endpoint",
                sr_value_new_str(sr_client_engine_endpoint(c, i))) ||
            sr_value_map_put(
                e, "error",
                sr_value_new_str(sr_error_text(&errs[i], text, sizeof text))) ||
            sr_value_array_append(engines, e))
            rc = SR_ENOMEM;
    }
    if (!rc && failed)
        rc = s_unserved(c, bodies, deadline_ms, &parts, err);
    if (!rc && (sr_value_map_put(m, "engines", sr_value_ref(engines)) ||
                sr_value_map_put(m, "partitions", sr_value_ref(parts))))
        rc = SR_ENOMEM;
    sr_value_destroy(&engines);
    sr_value_destroy(&parts);
    if (rc) {
        sr_value_destroy(&m);
        return rc == SR_ENOMEM ? sr_error_set(err, rc, "out of memory") : rc;
    }
    *out = m;
    return SR_OK;
}

sr_err_t
sr_client_ex_list_partial(sr_client_t *c, const sr_client_list_t *filter,
                          int timeout_ms, sr_value_t **executions,
                          sr_value_t **missing, sr_error_t *err)
{
    int64_t deadline = sr_client_deadline(timeout_ms);
    sr_msg_t *req = NULL;
    sr_value_t *bodies = NULL, *list = NULL, *gaps = NULL;
    sr_error_t errs[SR_CLIENT_ENGINES_MAX];
    size_t failed = 0;
    int64_t limit = 0;
    sr_err_t rc = s_list_request(filter, &req, &limit, err);
    if (!rc)
        rc = sr_client_call_each(c, req, deadline, &bodies, errs, &failed, err);
    if (!rc && failed == sr_client_engine_count(c)) { // none answered
        if (err)
            *err = errs[0];
        rc = errs[0].code;
    }
    if (!rc)
        rc = s_merge(bodies, limit, &list, err);
    if (!rc)
        rc = s_missing(c, bodies, errs, failed, deadline, &gaps, err);
    if (!rc) {
        *executions = list;
        *missing = gaps;
        list = NULL;
    }
    sr_value_destroy(&list);
    sr_value_destroy(&bodies);
    sr_msg_destroy(&req);
    return rc;
}

// EX_PAUSE, EX_RESUME, EX_CANCEL: an id and an optional reason.
static sr_err_t
s_change(sr_client_t *c, sr_msg_type_t type, sr_field_t idf, sr_field_t whyf,
         const char *execution_id, const char *reason, int timeout_ms,
         sr_value_t **execution, sr_error_t *err)
{
    sr_id_t id;
    sr_msg_t *req = NULL;
    sr_err_t rc = s_about(type, idf, execution_id, &id, &req, err);
    if (!rc)
        rc = s_set_str(req, whyf, reason, err);
    if (rc) {
        sr_msg_destroy(&req);
        return rc;
    }
    return sr_client_call_owner(c, &req, &id, timeout_ms, execution, err);
}

sr_err_t
sr_client_ex_pause(sr_client_t *c, const char *execution_id, const char *reason,
                   int timeout_ms, sr_value_t **execution, sr_error_t *err)
{
    return s_change(c, SR_MSG_EX_PAUSE, SR_F_EX_PAUSE_execution_id,
                    SR_F_EX_PAUSE_reason, execution_id, reason, timeout_ms,
                    execution, err);
}

sr_err_t
sr_client_ex_resume(sr_client_t *c, const char *execution_id,
                    const char *reason, int timeout_ms, sr_value_t **execution,
                    sr_error_t *err)
{
    return s_change(c, SR_MSG_EX_RESUME, SR_F_EX_RESUME_execution_id,
                    SR_F_EX_RESUME_reason, execution_id, reason, timeout_ms,
                    execution, err);
}

sr_err_t
sr_client_ex_cancel(sr_client_t *c, const char *execution_id,
                    const char *reason, int timeout_ms, sr_value_t **execution,
                    sr_error_t *err)
{
    return s_change(c, SR_MSG_EX_CANCEL, SR_F_EX_CANCEL_execution_id,
                    SR_F_EX_CANCEL_reason, execution_id, reason, timeout_ms,
                    execution, err);
}

sr_err_t
sr_client_ex_rerun(sr_client_t *c, const char *execution_id, const char *task,
                   int flags, int timeout_ms, sr_value_t **execution,
                   sr_error_t *err)
{
    if (!task)
        return sr_error_set(err, SR_EINVAL, "task name is missing");
    sr_id_t id;
    sr_msg_t *req = NULL;
    sr_err_t rc = s_about(SR_MSG_EX_RERUN, SR_F_EX_RERUN_execution_id,
                          execution_id, &id, &req, err);
    if (!rc)
        rc = s_set_str(req, SR_F_EX_RERUN_task, task, err);
    if (!rc && (flags & SR_CLIENT_RERUN_RESET) &&
        sr_msg_set_bool(req, SR_F_EX_RERUN_reset, true))
        rc = sr_error_set(err, SR_ENOMEM, "EX_RERUN: out of memory");
    if (rc) {
        sr_msg_destroy(&req);
        return rc;
    }
    return sr_client_call_owner(c, &req, &id, timeout_ms, execution, err);
}

sr_err_t
sr_client_ex_delete(sr_client_t *c, const char *execution_id, bool force,
                    int timeout_ms, sr_value_t **reply, sr_error_t *err)
{
    sr_id_t id;
    sr_msg_t *req = NULL;
    sr_err_t rc = s_about(SR_MSG_EX_DELETE, SR_F_EX_DELETE_execution_id,
                          execution_id, &id, &req, err);
    if (!rc && force && sr_msg_set_bool(req, SR_F_EX_DELETE_force, true))
        rc = sr_error_set(err, SR_ENOMEM, "EX_DELETE: out of memory");
    if (rc) {
        sr_msg_destroy(&req);
        return rc;
    }
    sr_value_t *b = NULL;
    rc = sr_client_call_owner(c, &req, &id, timeout_ms, &b, err);
    if (!rc && reply)
        *reply = b;
    else
        sr_value_destroy(&b);
    return rc;
}

sr_err_t
sr_client_task_list(sr_client_t *c, const char *execution_id, int timeout_ms,
                    sr_value_t **tasks, sr_error_t *err)
{
    sr_id_t id;
    sr_msg_t *req = NULL;
    sr_err_t rc = s_about(SR_MSG_TASK_LIST, SR_F_TASK_LIST_execution_id,
                          execution_id, &id, &req, err);
    return rc ? rc : sr_client_call_owner(c, &req, &id, timeout_ms, tasks, err);
}

static sr_err_t
s_build_complete(const sr_client_completion_t *cp, sr_msg_t *req,
                 sr_id_t *action, sr_error_t *err)
{
    sr_err_t rc = SR_OK;
    if (cp->action_id) {
        rc = sr_client_parse_id(cp->action_id, "action id", action, err);
        if (!rc && sr_msg_set_id(req, SR_F_COMPLETE_action_id, action))
            rc = sr_error_set(err, SR_ENOMEM, "COMPLETE: out of memory");
    }
    if (!rc)
        rc = s_set_str(req, SR_F_COMPLETE_token, cp->token, err);
    if (!rc)
        rc = s_set_str(req, SR_F_COMPLETE_status,
                       cp->error ? "error" : "success", err);
    if (!rc)
        rc = s_set_str(req, SR_F_COMPLETE_error, cp->error, err);
    if (!rc && !cp->error &&
        sr_msg_set(req, SR_F_COMPLETE_output,
                   cp->output ? sr_value_dup(cp->output) : sr_value_new_nil()))
        rc = sr_error_set(err, SR_ENOMEM, "COMPLETE: out of memory");
    return rc;
}

// COMPLETE by token to every engine: only the owner of the token knows
// it, the others answer ENOTFOUND. The owner's answer is the reply, and
// ends the call; ENOTFOUND needs the answers of engines that serve every
// partition (an engine that is down may hold the token otherwise).
static sr_err_t
s_complete_everywhere(sr_client_t *c, const sr_msg_t *req, int64_t deadline,
                      sr_value_t **body, sr_error_t *err)
{
    sr_value_t *bodies = NULL;
    size_t ignored = 0;
    sr_err_t rc =
        sr_client_call_covered(c, req, deadline, SR_ENOTFOUND,
                               SR_CLIENT_FAN_ONE_REPLY, &bodies, &ignored, err);
    bool is_found = false;
    for (size_t i = 0; !rc && !is_found && i < sr_value_len(bodies); i++)
        if (!sr_value_is(sr_value_array_at(bodies, i), SR_T_NIL)) {
            *body = sr_value_ref(sr_value_array_at(bodies, i));
            is_found = true;
        }
    if (!rc && !is_found) // err holds the first engine's message
        rc = ignored ? SR_ENOTFOUND
                     : sr_error_set(err, SR_ENOTFOUND, "no engine knows it");
    sr_value_destroy(&bodies);
    return rc;
}

sr_err_t
sr_client_complete(sr_client_t *c, const sr_client_completion_t *completion,
                   int timeout_ms, sr_value_t **reply, sr_error_t *err)
{
    const sr_client_completion_t *cp = completion;
    if (!cp || !cp->action_id == !cp->token)
        return sr_error_set(err, SR_EINVAL,
                            "name the action by its id or by its token "
                            "(exactly one)");
    if (cp->error && cp->output)
        return sr_error_set(err, SR_EINVAL,
                            "an action ends with a result or an error, "
                            "not both");
    sr_id_t action;
    sr_value_t *b = NULL;
    int64_t deadline = sr_client_deadline(timeout_ms);
    sr_msg_t *req = sr_msg_new(SR_MSG_COMPLETE);
    sr_err_t rc = req ? s_build_complete(cp, req, &action, err)
                      : sr_error_set(err, SR_ENOMEM, "COMPLETE: out of memory");
    if (!rc && cp->action_id)
        rc = sr_client_call_partition(c, sr_id_partition(&action), req,
                                      deadline, &b, NULL, err);
    else if (!rc && sr_client_engine_count(c) == 1)
        rc = sr_client_call_any(c, req, deadline, &b, err);
    else if (!rc)
        rc = s_complete_everywhere(c, req, deadline, &b, err);
    sr_msg_destroy(&req);
    if (!rc && reply)
        *reply = b;
    else
        sr_value_destroy(&b);
    return rc;
}
