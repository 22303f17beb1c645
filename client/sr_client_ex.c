/* Execution, task and delegate-action calls of the client. A request
 * about an existing execution (or action) goes to the owner of the
 * partition in its id; a new execution to the next engine in turn (or the
 * owner of the partition asked for); EX_LIST to every engine, merged.
 * Builds requests and shapes answers; routing is sr_client.c's.
 * Thread rule: the client's thread.
 */
#include "sirocco/client.h"

#include "sr_client_body.h"
#include "sr_client_core.h"

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

sr_err_t
sr_client_ex_start(sr_client_t *c, const sr_client_start_t *start,
                   int timeout_ms, sr_value_t **execution, sr_error_t *err)
{
    if (!start || !start->workflow)
        return sr_error_set(err, SR_EINVAL, "workflow name is missing");
    int64_t deadline = sr_client_deadline(timeout_ms);
    sr_msg_t *req = sr_msg_new(SR_MSG_EX_START);
    sr_err_t rc = req ? s_build_start(start, req, err)
                      : sr_error_set(err, SR_ENOMEM, "EX_START: out of memory");
    if (!rc && start->has_partition)
        rc = sr_client_call_partition(c, start->partition, req, deadline,
                                      execution, NULL, err);
    else if (!rc)
        rc = sr_client_call_any(c, req, deadline, execution, err);
    sr_msg_destroy(&req);
    return rc;
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

sr_err_t
sr_client_ex_list(sr_client_t *c, const sr_client_list_t *filter,
                  int timeout_ms, sr_value_t **executions, sr_error_t *err)
{
    sr_client_list_t none = {0};
    const sr_client_list_t *f = filter ? filter : &none;
    if (f->limit < 0)
        return sr_error_set(err, SR_EINVAL, "list limit %lld is negative",
                            (long long)f->limit);
    int64_t limit = f->limit ? f->limit : SR_CLIENT_LIST_LIMIT;
    sr_msg_t *req = sr_msg_new(SR_MSG_EX_LIST);
    sr_value_t *bodies = NULL;
    sr_err_t rc = req ? s_build_list(f, limit, req, err)
                      : sr_error_set(err, SR_ENOMEM, "EX_LIST: out of memory");
    if (!rc)
        rc = sr_client_call_all(c, req, sr_client_deadline(timeout_ms), SR_OK,
                                &bodies, NULL, err);
    if (!rc) {
        sr_value_t *lists[SR_CLIENT_ENGINES_MAX];
        size_t n = sr_value_len(bodies);
        for (size_t i = 0; i < n; i++)
            lists[i] = sr_value_array_at(bodies, i);
        rc = sr_client_body_merge_executions(lists, n, (size_t)limit,
                                             executions, err);
    }
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
// it, the others answer ENOTFOUND. The owner's answer is the reply.
static sr_err_t
s_complete_everywhere(sr_client_t *c, const sr_msg_t *req, int64_t deadline,
                      sr_value_t **body, sr_error_t *err)
{
    sr_value_t *bodies = NULL;
    size_t ignored = 0;
    sr_err_t rc = sr_client_call_all(c, req, deadline, SR_ENOTFOUND, &bodies,
                                     &ignored, err);
    if (!rc && ignored == sr_value_len(bodies))
        rc = SR_ENOTFOUND; // err holds the first engine's message
    for (size_t i = 0; !rc && i < sr_value_len(bodies); i++)
        if (!sr_value_is(sr_value_array_at(bodies, i), SR_T_NIL)) {
            *body = sr_value_ref(sr_value_array_at(bodies, i));
            break;
        }
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
