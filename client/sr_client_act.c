/* Reads of protocol 1.2: one task execution by id, and action executions
 * (one by id, or a list). A request naming an id goes to the owner of
 * the partition in the id; a list without one goes to every engine and
 * the lists are merged by creation time. Builds requests and shapes
 * answers; routing is sr_client.c's. Thread rule: the client's thread.
 */
#include "sirocco/client.h"

#include "sr_client_body.h"
#include "sr_client_core.h"

sr_err_t
sr_client_task_get(sr_client_t *c, const char *task_id,
                   const char *execution_id, int timeout_ms, sr_value_t **task,
                   sr_error_t *err)
{
    sr_id_t id, ex;
    sr_msg_t *req = NULL;
    sr_err_t rc =
        sr_client_request_about(SR_MSG_TASK_GET, SR_F_TASK_GET_task_id, task_id,
                                "task execution id", &id, &req, err);
    if (!rc && execution_id) {
        rc = sr_client_parse_id(execution_id, "execution id", &ex, err);
        if (!rc && sr_msg_set_id(req, SR_F_TASK_GET_execution_id, &ex))
            rc = sr_error_set(err, SR_ENOMEM, "TASK_GET: out of memory");
    }
    if (rc) {
        sr_msg_destroy(&req);
        return rc;
    }
    return sr_client_call_owner(c, &req, &id, timeout_ms, task, err);
}

// Put the id given as text into field `f` (when there is one); *id is
// the parsed id.
static sr_err_t
s_set_id(sr_msg_t *req, sr_field_t f, const char *text, const char *what,
         sr_id_t *id, sr_error_t *err)
{
    if (!text)
        return SR_OK;
    sr_err_t rc = sr_client_parse_id(text, what, id, err);
    if (!rc && sr_msg_set_id(req, f, id))
        rc = sr_error_set(err, SR_ENOMEM, "ACTION_LIST: out of memory");
    return rc;
}

static sr_err_t
s_build_list(const sr_client_action_filter_t *f, int64_t limit, sr_msg_t *req,
             sr_id_t *owner, sr_error_t *err)
{
    sr_id_t after;
    sr_err_t rc = s_set_id(req, SR_F_ACTION_LIST_execution_id, f->execution_id,
                           "execution id", owner, err);
    if (!rc) // the task, when given, decides where the request goes
        rc = s_set_id(req, SR_F_ACTION_LIST_task_id, f->task_id,
                      "task execution id", owner, err);
    if (!rc)
        rc = s_set_id(req, SR_F_ACTION_LIST_after, f->after,
                      "page cursor (after)", &after, err);
    if (!rc && sr_msg_set_int(req, SR_F_ACTION_LIST_limit, limit))
        rc = sr_error_set(err, SR_ENOMEM, "ACTION_LIST: out of memory");
    return rc;
}

// Every engine's list, merged (ids sort by creation time, as executions).
static sr_err_t
s_list_all(sr_client_t *c, const sr_msg_t *req, int64_t limit, int timeout_ms,
           sr_value_t **actions, sr_error_t *err)
{
    sr_value_t *bodies = NULL;
    sr_err_t rc = sr_client_call_lists(c, req, sr_client_deadline(timeout_ms),
                                       &bodies, err);
    if (!rc) {
        sr_value_t *lists[SR_CLIENT_ENGINES_MAX];
        size_t n = sr_value_len(bodies);
        for (size_t i = 0; i < n; i++)
            lists[i] = sr_value_array_at(bodies, i);
        rc = sr_client_body_merge_executions(
            lists, n, (size_t)limit, SR_B_ACTION_EXECUTION_id, actions, err);
    }
    sr_value_destroy(&bodies);
    return rc;
}

sr_err_t
sr_client_action_list(sr_client_t *c, const sr_client_action_filter_t *filter,
                      int timeout_ms, sr_value_t **actions, sr_error_t *err)
{
    sr_client_action_filter_t none = {0};
    const sr_client_action_filter_t *f = filter ? filter : &none;
    if (f->limit < 0)
        return sr_error_set(err, SR_EINVAL, "list limit %lld is negative",
                            (long long)f->limit);
    int64_t limit = f->limit ? f->limit : SR_CLIENT_LIST_LIMIT;
    sr_id_t owner;
    sr_msg_t *req = sr_msg_new(SR_MSG_ACTION_LIST);
    sr_err_t rc =
        req ? s_build_list(f, limit, req, &owner, err)
            : sr_error_set(err, SR_ENOMEM, "ACTION_LIST: out of memory");
    if (!rc && (f->execution_id || f->task_id))
        return sr_client_call_owner(c, &req, &owner, timeout_ms, actions, err);
    if (!rc)
        rc = s_list_all(c, req, limit, timeout_ms, actions, err);
    sr_msg_destroy(&req);
    return rc;
}

sr_err_t
sr_client_action_get(sr_client_t *c, const char *action_id, int timeout_ms,
                     sr_value_t **action, sr_error_t *err)
{
    sr_id_t id;
    sr_msg_t *req = NULL;
    sr_err_t rc = sr_client_request_about(
        SR_MSG_ACTION_GET, SR_F_ACTION_GET_action_id, action_id,
        "action execution id", &id, &req, err);
    return rc ? rc
              : sr_client_call_owner(c, &req, &id, timeout_ms, action, err);
}
