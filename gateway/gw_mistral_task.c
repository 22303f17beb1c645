// Mistral's /v2/tasks and /v2/action_executions: task executions (list,
// by execution, get, PUT state RUNNING to run a failed task again) and
// action executions (list, by task, get, PUT state SUCCESS or ERROR with
// an output to complete a delegate action, as Mistral's async actions
// are completed). Each item carries its workflow's name, read once per
// execution and request.
#include <stdlib.h>
#include <string.h>

#include "gw_body.h"
#include "gw_list.h"
#include "gw_routes.h"
#include "gw_shape.h"
#include "sr_body.h"
#include "sr_value_json.h"

// Workflow names by execution id, for one request.
static const char *
s_wf_name(gw_t *gw, sr_client_t *c, sr_value_t *cache, const char *ex_id)
{
    const char *known = sr_value_map_str(cache, ex_id);
    if (known)
        return known;
    sr_value_t *ex = NULL;
    sr_error_t e;
    if (sr_client_ex_get(c, ex_id, gw_timeout_ms(gw), &ex, &e))
        return NULL;
    const char *name = sr_body_str(ex, SR_B_EXECUTION_workflow_name);
    if (name)
        (void)sr_value_map_put(cache, ex_id, sr_value_new_str(name));
    sr_value_destroy(&ex);
    return sr_value_map_str(cache, ex_id);
}

void
gw_task_list_run(gw_t *gw, sr_client_t *c, const gw_call_t *call,
                 gw_resp_t *resp)
{
    const char *only = gw_list_filter(call->args, "workflow_execution_id");
    int64_t max = gw_config(gw)->list_max;
    sr_value_t *items = sr_value_new_array(16), *execs = NULL, *missing = NULL;
    sr_error_t e;
    sr_err_t rc = items ? SR_OK : sr_error_set(&e, SR_ENOMEM, "out of memory");
    if (!rc && only) {
        sr_id_t id;
        rc = sr_id_parse(only, &id) == SR_OK
                 ? gw_tasks_of(gw, c, only, items, &e)
                 : SR_OK; // no such execution
    } else if (!rc) {     // every execution's tasks, up to list-max tasks
        sr_client_list_t f = {.limit = max};
        rc = sr_client_ex_list_partial(c, &f, gw_timeout_ms(gw), &execs,
                                       &missing, &e);
        for (size_t i = 0; !rc && i < sr_value_len(execs) &&
                           (int64_t)sr_value_len(items) < max;
             i++)
            rc = gw_tasks_of(
                gw, c,
                sr_body_str(sr_value_array_at(execs, i), SR_B_EXECUTION_id),
                items, &e);
    }
    if (rc == SR_ENOTFOUND && only)
        rc = SR_OK; // a filter that matches nothing
    if (rc)
        gw_answer_error(gw, resp, &e);
    else
        gw_answer_list(gw, resp, "tasks", items, call->args, missing);
    sr_value_destroy(&missing);
    sr_value_destroy(&execs);
    sr_value_destroy(&items);
}

// Task execution `id` shaped (with its workflow's name).
static sr_err_t
s_task(gw_t *gw, sr_client_t *c, const char *id, sr_value_t **out,
       sr_error_t *err)
{
    sr_value_t *t = NULL, *cache = sr_value_new_map(1);
    sr_err_t rc =
        cache ? sr_client_task_get(c, id, NULL, gw_timeout_ms(gw), &t, err)
              : sr_error_set(err, SR_ENOMEM, "out of memory");
    if (!rc) {
        const char *wf = s_wf_name(
            gw, c, cache, sr_body_str(t, SR_B_TASK_EXECUTION_execution_id));
        if (!(*out = gw_shape_task(t, wf)))
            rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    sr_value_destroy(&t);
    sr_value_destroy(&cache);
    return rc;
}

void
gw_task_get_run(gw_t *gw, sr_client_t *c, const gw_call_t *call,
                gw_resp_t *resp)
{
    sr_value_t *body = NULL;
    sr_error_t e;
    if (s_task(gw, c, call->arg, &body, &e))
        gw_answer_error(gw, resp, &e);
    else
        gw_resp_json(resp, 200, &body);
}

static const gw_field_t s_task_fields[] = {
    {"id", GW_F_STR | GW_F_NULL},
    {"state", GW_F_STR},
    {"reset", GW_F_BOOL | GW_F_NULL},
    {"env", GW_F_STR | GW_F_MAP | GW_F_NULL},
};

sr_err_t
gw_task_update_parse(gw_t *gw, const gw_req_t *req, gw_call_t *call,
                     sr_error_t *err)
{
    sr_err_t rc =
        gw_parse_id_body(gw, req, call, s_task_fields,
                         sizeof s_task_fields / sizeof *s_task_fields, err);
    if (rc)
        return rc;
    const char *state = gw_body_str(call->body, "state");
    if (!state || strcmp(state, "RUNNING") != 0)
        return sr_error_at(err, SR_EINVAL, "state",
                           "a task execution can only be set RUNNING (run "
                           "again)");
    const sr_value_t *reset = sr_value_map_get(call->body, "reset");
    call->args = sr_value_new_map(1);
    if (!call->args ||
        sr_value_map_put(call->args, "reset",
                         sr_value_new_bool(!reset || sr_value_truthy(reset))))
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    return SR_OK;
}

void
gw_task_update_run(gw_t *gw, sr_client_t *c, const gw_call_t *call,
                   gw_resp_t *resp)
{
    sr_value_t *t = NULL, *ex = NULL, *body = NULL;
    sr_error_t e;
    int flags = sr_value_truthy(sr_value_map_get(call->args, "reset"))
                    ? SR_CLIENT_RERUN_RESET
                    : SR_CLIENT_RERUN_FAILED_ITEMS;
    sr_err_t rc =
        sr_client_task_get(c, call->arg, NULL, gw_timeout_ms(gw), &t, &e);
    if (!rc)
        rc = sr_client_ex_rerun(
            c, sr_body_str(t, SR_B_TASK_EXECUTION_execution_id),
            sr_body_str(t, SR_B_TASK_EXECUTION_name), flags, gw_timeout_ms(gw),
            &ex, &e);
    if (!rc)
        rc = s_task(gw, c, call->arg, &body, &e);
    if (rc)
        gw_answer_error(gw, resp, &e);
    else
        gw_resp_json(resp, 200, &body);
    sr_value_destroy(&t);
    sr_value_destroy(&ex);
}

// --- action executions ------------------------------------------------------

static void
s_actions(gw_t *gw, sr_client_t *c, const gw_call_t *call, gw_resp_t *resp,
          const sr_client_action_filter_t *f)
{
    sr_value_t *list = NULL, *items = NULL, *cache = sr_value_new_map(4);
    sr_error_t e;
    sr_err_t rc =
        cache ? sr_client_action_list(c, f, gw_timeout_ms(gw), &list, &e)
              : sr_error_set(&e, SR_ENOMEM, "out of memory");
    if (!rc && !(items = sr_value_new_array(sr_value_len(list))))
        rc = sr_error_set(&e, SR_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < sr_value_len(list); i++) {
        const sr_value_t *a = sr_value_array_at(list, i);
        const char *wf = s_wf_name(
            gw, c, cache, sr_body_str(a, SR_B_ACTION_EXECUTION_execution_id));
        sr_value_t *r = gw_shape_action(a, wf);
        rc = r ? sr_value_array_append(items, r)
               : sr_error_set(&e, SR_ENOMEM, "out of memory");
    }
    if (rc)
        gw_answer_error(gw, resp, &e);
    else
        gw_answer_list(gw, resp, "action_executions", items, call->args, NULL);
    sr_value_destroy(&items);
    sr_value_destroy(&list);
    sr_value_destroy(&cache);
}

void
gw_action_list_run(gw_t *gw, sr_client_t *c, const gw_call_t *call,
                   gw_resp_t *resp)
{
    sr_client_action_filter_t f = {
        .task_id = gw_list_filter(call->args, "task_execution_id"),
        .execution_id = gw_list_filter(call->args, "workflow_execution_id"),
        .limit = gw_config(gw)->list_max};
    sr_id_t id;
    if ((f.task_id && sr_id_parse(f.task_id, &id)) ||
        (f.execution_id && sr_id_parse(f.execution_id, &id))) {
        sr_value_t *none = sr_value_new_array(0);
        gw_answer_list(gw, resp, "action_executions", none, call->args, NULL);
        sr_value_destroy(&none);
        return;
    }
    s_actions(gw, c, call, resp, &f);
}

void
gw_task_actions_run(gw_t *gw, sr_client_t *c, const gw_call_t *call,
                    gw_resp_t *resp)
{
    sr_client_action_filter_t f = {.task_id = call->arg,
                                   .limit = gw_config(gw)->list_max};
    s_actions(gw, c, call, resp, &f);
}

// Action execution `id` shaped.
static sr_err_t
s_action(gw_t *gw, sr_client_t *c, const char *id, sr_value_t **out,
         sr_error_t *err)
{
    sr_value_t *a = NULL, *cache = sr_value_new_map(1);
    sr_err_t rc = cache
                      ? sr_client_action_get(c, id, gw_timeout_ms(gw), &a, err)
                      : sr_error_set(err, SR_ENOMEM, "out of memory");
    if (!rc) {
        const char *wf = s_wf_name(
            gw, c, cache, sr_body_str(a, SR_B_ACTION_EXECUTION_execution_id));
        if (!(*out = gw_shape_action(a, wf)))
            rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    sr_value_destroy(&a);
    sr_value_destroy(&cache);
    return rc;
}

void
gw_action_get_run(gw_t *gw, sr_client_t *c, const gw_call_t *call,
                  gw_resp_t *resp)
{
    sr_value_t *body = NULL;
    sr_error_t e;
    if (s_action(gw, c, call->arg, &body, &e))
        gw_answer_error(gw, resp, &e);
    else
        gw_resp_json(resp, 200, &body);
}

static const gw_field_t s_action_fields[] = {
    {"id", GW_F_STR | GW_F_NULL},
    {"state", GW_F_STR | GW_F_NULL},
    {"output", GW_F_ANY},
};

// Mistral clients send the output as a value or as JSON text.
static sr_value_t *
s_output(const sr_value_t *v, int depth)
{
    if (!v)
        return sr_value_new_nil();
    if (!sr_value_is(v, SR_T_STR))
        return sr_value_ref((sr_value_t *)v);
    sr_limits_t lim = {.max_bytes = sr_value_len(v) + 1, .max_depth = depth};
    sr_value_t *parsed = NULL;
    if (sr_value_from_json(sr_value_str(v), sr_value_len(v), &lim, &parsed,
                           NULL) == SR_OK)
        return parsed;
    return sr_value_ref((sr_value_t *)v);
}

sr_err_t
gw_action_update_parse(gw_t *gw, const gw_req_t *req, gw_call_t *call,
                       sr_error_t *err)
{
    sr_err_t rc =
        gw_parse_id_body(gw, req, call, s_action_fields,
                         sizeof s_action_fields / sizeof *s_action_fields, err);
    if (rc)
        return rc;
    const char *state = gw_body_str(call->body, "state");
    if (!state)
        state = "SUCCESS"; // an output alone completes it
    bool failed = strcmp(state, "ERROR") == 0;
    if (!failed && strcmp(state, "SUCCESS") != 0)
        return sr_error_at(err, SR_EINVAL, "state",
                           "an action execution is completed with state "
                           "SUCCESS or ERROR, not '%.32s'",
                           state);
    sr_value_t *out = s_output(sr_value_map_get(call->body, "output"),
                               (int)gw_config(gw)->json_max_depth);
    sr_value_t *error = NULL;
    if (failed && out && !sr_value_is(out, SR_T_STR)) {
        char *text = sr_value_is(out, SR_T_NIL)
                         ? NULL
                         : sr_value_to_json(out, SR_JSON_SPACED);
        error = sr_value_new_str(text ? text : "Unknown error");
        free(text);
    } else if (failed)
        error = out ? sr_value_ref(out) : NULL;
    call->args = sr_value_new_map(2);
    rc = call->args && out && (!failed || error) ? SR_OK : SR_ENOMEM;
    if (!rc)
        rc = failed ? sr_value_map_put(call->args, "error", sr_value_ref(error))
                    : sr_value_map_put(call->args, "output", sr_value_ref(out));
    sr_value_destroy(&out);
    sr_value_destroy(&error);
    return rc ? sr_error_set(err, SR_ENOMEM, "out of memory") : SR_OK;
}

void
gw_action_update_run(gw_t *gw, sr_client_t *c, const gw_call_t *call,
                     gw_resp_t *resp)
{
    const sr_value_t *output = sr_value_map_get(call->args, "output");
    sr_client_completion_t cp = {
        .action_id = call->arg,
        .error = sr_value_map_str(call->args, "error"),
        .output = output && !sr_value_is(output, SR_T_NIL) ? output : NULL};
    sr_value_t *body = NULL, *now = NULL;
    sr_error_t e;
    // The engine takes a second result for a finished action as a harmless
    // duplicate; a client asking for it is told it came too late.
    sr_err_t rc =
        sr_client_action_get(c, call->arg, gw_timeout_ms(gw), &now, &e);
    const char *state = sr_body_str(now, SR_B_ACTION_EXECUTION_state);
    if (!rc && state &&
        (strcmp(state, "SUCCESS") == 0 || strcmp(state, "ERROR") == 0 ||
         strcmp(state, "CANCELLED") == 0))
        rc = sr_error_set(&e, SR_ESTATE,
                          "action execution %s is not waiting for a result: "
                          "it ended %s",
                          call->arg, state);
    sr_value_destroy(&now);
    if (!rc)
        rc = sr_client_complete(c, &cp, gw_timeout_ms(gw), NULL, &e);
    if (!rc)
        rc = s_action(gw, c, call->arg, &body, &e);
    if (rc)
        gw_answer_error(gw, resp, &e);
    else
        gw_resp_json(resp, 200, &body);
}
