// Mistral's /v2/executions: create (by workflow name, workflow id, or a
// source execution to start again with its workflow, input and params;
// under the client's `id`, a second create is answered with the execution
// that exists, 201 as the first, as Mistral does),
// list (the engines filter by state and workflow, gw_list the rest), get,
// update (state PAUSED, RUNNING or CANCELLED: pause, resume, cancel),
// delete (`?force=true` cancels a running one first) and the tasks of one
// execution. Sirocco does not force a final state: a clear refusal.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw_body.h"
#include "gw_list.h"
#include "gw_routes.h"
#include "gw_shape.h"
#include "sr_body.h"
#include "sr_id.h"

static const gw_field_t s_create_fields[] = {
    {"id", GW_F_STR | GW_F_NULL},
    {"workflow_name", GW_F_STR | GW_F_NULL},
    {"workflow_id", GW_F_STR | GW_F_NULL},
    {"workflow_namespace", GW_F_STR | GW_F_NULL},
    {"source_execution_id", GW_F_STR | GW_F_NULL},
    {"description", GW_F_STR | GW_F_NULL},
    {"input", GW_F_STR | GW_F_MAP | GW_F_NULL},
    {"params", GW_F_STR | GW_F_MAP | GW_F_NULL},
    {"tags", GW_F_ANY},
};

// The execution id a client chose (Mistral's `id`, which makes the start
// safe to retry): a UUID laid out as the engines' ids are. Absent or
// empty: the engine makes one.
static sr_err_t
s_check_id(const sr_value_t *body, sr_error_t *err)
{
    const char *text = gw_body_str(body, "id");
    sr_id_t id;
    if (!text || !*text)
        return SR_OK;
    if (sr_id_parse(text, &id) != SR_OK)
        return sr_error_at(err, SR_EINVAL, "id",
                           "'%.64s' is not an execution id (a UUID)", text);
    sr_err_t rc = sr_id_check_layout(&id, err);
    if (rc && err)
        snprintf(err->where, sizeof err->where, "id");
    return rc;
}

static sr_err_t
s_put_str(sr_value_t *args, const sr_value_t *body, const char *key)
{
    const char *s = gw_body_str(body, key);
    return s && *s ? sr_value_map_put(args, key, sr_value_new_str(s)) : SR_OK;
}

// input, params and env (Mistral sends env inside params).
static sr_err_t
s_put_maps(sr_value_t *args, const sr_value_t *body, int depth, sr_error_t *err)
{
    sr_value_t *input = NULL, *params = NULL;
    sr_err_t rc = gw_body_map(body, "input", depth, &input, err);
    if (!rc)
        rc = gw_body_map(body, "params", depth, &params, err);
    sr_value_t *env = params ? sr_value_map_get(params, "env") : NULL;
    if (!rc && env && !sr_value_is(env, SR_T_MAP))
        rc = sr_error_at(err, SR_EINVAL, "params",
                         "params.env must be an object");
    if (!rc && env) {
        rc = sr_value_map_put(args, "env", sr_value_ref(env));
        if (!rc && !(rc = sr_value_unshare(&params)))
            sr_value_map_del(params, "env");
    }
    if (!rc && input)
        rc = sr_value_map_put(args, "input", sr_value_ref(input));
    if (!rc && params)
        rc = sr_value_map_put(args, "params", sr_value_ref(params));
    sr_value_destroy(&input);
    sr_value_destroy(&params);
    return rc;
}

sr_err_t
gw_ex_create_parse(gw_t *gw, const gw_req_t *req, gw_call_t *call,
                   sr_error_t *err)
{
    (void)req;
    const sr_value_t *b = call->body;
    sr_err_t rc =
        gw_body_check(b, s_create_fields,
                      sizeof s_create_fields / sizeof *s_create_fields, err);
    if (rc)
        return rc;
    const char *ns = gw_body_str(b, "workflow_namespace");
    if (ns && *ns)
        return sr_error_at(err, SR_EINVAL, "workflow_namespace",
                           "Sirocco has one namespace: leave "
                           "workflow_namespace empty");
    if (!gw_body_str(b, "workflow_name") && !gw_body_str(b, "workflow_id") &&
        !gw_body_str(b, "source_execution_id"))
        return sr_error_set(err, SR_EINVAL,
                            "give workflow_name, workflow_id or "
                            "source_execution_id");
    if ((rc = s_check_id(b, err)))
        return rc;
    sr_value_t *args = sr_value_new_map(7);
    rc = args ? SR_OK : SR_ENOMEM;
    for (size_t i = 0; !rc && i < 5; i++) // the string fields
        rc = s_put_str(args, b,
                       (const char *[]){"workflow_name", "workflow_id",
                                        "source_execution_id", "description",
                                        "id"}[i]);
    if (!rc)
        rc = s_put_maps(args, b, (int)gw_config(gw)->json_max_depth, err);
    if (rc) {
        sr_value_destroy(&args);
        return rc == SR_ENOMEM ? sr_error_set(err, rc, "out of memory") : rc;
    }
    call->args = args;
    return SR_OK;
}

// Fill `st` from a source execution: its workflow, and its input and
// params unless the request gives its own. *src keeps the values alive.
static sr_err_t
s_from_source(gw_t *gw, sr_client_t *c, const char *id, sr_client_start_t *st,
              sr_value_t **src, sr_error_t *err)
{
    sr_err_t rc = sr_client_ex_get(c, id, gw_timeout_ms(gw), src, err);
    if (rc)
        return rc;
    if (!st->workflow)
        st->workflow = sr_body_str(*src, SR_B_EXECUTION_workflow_name);
    if (!st->input)
        st->input = sr_body_get(*src, SR_B_EXECUTION_input);
    if (!st->params)
        st->params = sr_body_get(*src, SR_B_EXECUTION_params);
    return SR_OK;
}

void
gw_ex_create_run(gw_t *gw, sr_client_t *c, const gw_call_t *call,
                 gw_resp_t *resp)
{
    const sr_value_t *a = call->args;
    sr_client_start_t st = {.workflow = sr_value_map_str(a, "workflow_name"),
                            .input = sr_value_map_get(a, "input"),
                            .params = sr_value_map_get(a, "params"),
                            .env = sr_value_map_get(a, "env"),
                            .description = sr_value_map_str(a, "description"),
                            .id = sr_value_map_str(a, "id")};
    const char *wid = sr_value_map_str(a, "workflow_id");
    const char *source = sr_value_map_str(a, "source_execution_id");
    char name[GW_ARG_MAX];
    sr_value_t *src = NULL, *ex = NULL;
    sr_error_t e;
    sr_err_t rc = SR_OK;
    if (!st.workflow && wid &&
        !(rc = gw_wf_resolve(gw, c, wid, name, sizeof name, &e)))
        st.workflow = name;
    if (!rc && source)
        rc = s_from_source(gw, c, source, &st, &src, &e);
    if (!rc)
        rc = sr_client_ex_start(c, &st, gw_timeout_ms(gw), &ex, &e);
    sr_value_destroy(&src);
    if (rc) {
        gw_answer_error(gw, resp, &e);
        return;
    }
    sr_value_t *body = gw_shape_execution(ex);
    sr_value_destroy(&ex);
    gw_resp_json(resp, 201, &body);
}

// Shape each item of `list` with `shape` (second argument: wf_name).
static sr_err_t
s_shape_all(const sr_value_t *list, sr_value_t *(*shape)(const sr_value_t *),
            sr_value_t **out, sr_error_t *err)
{
    sr_value_t *a = sr_value_new_array(sr_value_len(list));
    sr_err_t rc = a ? SR_OK : SR_ENOMEM;
    for (size_t i = 0; !rc && i < sr_value_len(list); i++) {
        sr_value_t *r = shape(sr_value_array_at(list, i));
        rc = r ? sr_value_array_append(a, r) : SR_ENOMEM;
    }
    if (rc) {
        sr_value_destroy(&a);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    *out = a;
    return SR_OK;
}

// Answer {"<key>": items filtered, sorted and paged by the query}, and
// "sirocco_missing" when engines were left out (`missing`, a map of
// sr_client_ex_list_partial; NULL or nothing missing: none).
void
gw_answer_list(gw_t *gw, gw_resp_t *resp, const char *key,
               const sr_value_t *items, const sr_value_t *query,
               const sr_value_t *missing)
{
    sr_value_t *page = NULL, *body = NULL;
    sr_error_t e;
    if (gw_list_apply(items, query, &page, &e)) {
        gw_answer_error(gw, resp, &e);
        return;
    }
    bool is_partial = sr_value_len(sr_value_map_get(missing, "engines")) > 0;
    body = sr_value_new_map(2);
    if (body && sr_value_map_put(body, key, page))
        sr_value_destroy(&body);
    else if (!body)
        sr_value_destroy(&page);
    if (body && is_partial &&
        sr_value_map_put(body, "sirocco_missing", sr_value_dup(missing)))
        sr_value_destroy(&body);
    gw_resp_json(resp, 200, &body);
}

void
gw_ex_list_run(gw_t *gw, sr_client_t *c, const gw_call_t *call, gw_resp_t *resp)
{
    sr_client_list_t f = {.state = gw_list_filter(call->args, "state"),
                          .workflow =
                              gw_list_filter(call->args, "workflow_name"),
                          .limit = gw_config(gw)->list_max};
    sr_value_t *list = NULL, *items = NULL, *missing = NULL;
    sr_error_t e;
    if (sr_client_ex_list_partial(c, &f, gw_timeout_ms(gw), &list, &missing,
                                  &e) ||
        s_shape_all(list, gw_shape_execution, &items, &e))
        gw_answer_error(gw, resp, &e);
    else
        gw_answer_list(gw, resp, "executions", items, call->args, missing);
    sr_value_destroy(&items);
    sr_value_destroy(&list);
    sr_value_destroy(&missing);
}

void
gw_ex_get_run(gw_t *gw, sr_client_t *c, const gw_call_t *call, gw_resp_t *resp)
{
    sr_value_t *ex = NULL;
    sr_error_t e;
    if (sr_client_ex_get(c, call->arg, gw_timeout_ms(gw), &ex, &e)) {
        gw_answer_error(gw, resp, &e);
        return;
    }
    sr_value_t *body = gw_shape_execution(ex);
    sr_value_destroy(&ex);
    gw_resp_json(resp, 200, &body);
}

static const gw_field_t s_update_fields[] = {
    {"id", GW_F_STR | GW_F_NULL},
    {"state", GW_F_STR | GW_F_NULL},
    {"state_info", GW_F_STR | GW_F_NULL},
    {"description", GW_F_STR | GW_F_NULL},
    {"params", GW_F_STR | GW_F_MAP | GW_F_NULL},
};

sr_err_t
gw_ex_update_parse(gw_t *gw, const gw_req_t *req, gw_call_t *call,
                   sr_error_t *err)
{
    sr_err_t rc =
        gw_parse_id_body(gw, req, call, s_update_fields,
                         sizeof s_update_fields / sizeof *s_update_fields, err);
    if (rc)
        return rc;
    const char *state = gw_body_str(call->body, "state");
    if (gw_body_str(call->body, "description") ||
        sr_value_map_get(call->body, "params"))
        return sr_error_set(err, SR_EINVAL,
                            "Sirocco changes only the state of an execution "
                            "(description and env are fixed at its start)");
    if (!state)
        return sr_error_at(err, SR_EINVAL, "state",
                           "give the new state: PAUSED, RUNNING or CANCELLED");
    if (strcmp(state, "PAUSED") != 0 && strcmp(state, "RUNNING") != 0 &&
        strcmp(state, "CANCELLED") != 0)
        return sr_error_at(err, SR_EINVAL, "state",
                           "state '%.32s' cannot be set: use PAUSED, RUNNING "
                           "or CANCELLED (Sirocco does not force SUCCESS or "
                           "ERROR)",
                           state);
    const char *info = gw_body_str(call->body, "state_info");
    call->args = sr_value_new_map(2);
    if (!call->args ||
        sr_value_map_put(call->args, "state", sr_value_new_str(state)) ||
        (info &&
         sr_value_map_put(call->args, "reason", sr_value_new_str(info))))
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    return SR_OK;
}

void
gw_ex_update_run(gw_t *gw, sr_client_t *c, const gw_call_t *call,
                 gw_resp_t *resp)
{
    const char *state = sr_value_map_str(call->args, "state");
    const char *reason = sr_value_map_str(call->args, "reason");
    sr_value_t *ex = NULL;
    sr_error_t e;
    int t = gw_timeout_ms(gw);
    sr_err_t rc = strcmp(state, "PAUSED") == 0
                      ? sr_client_ex_pause(c, call->arg, reason, t, &ex, &e)
                  : strcmp(state, "RUNNING") == 0
                      ? sr_client_ex_resume(c, call->arg, reason, t, &ex, &e)
                      : sr_client_ex_cancel(c, call->arg, reason, t, &ex, &e);
    if (rc) {
        gw_answer_error(gw, resp, &e);
        return;
    }
    sr_value_t *body = gw_shape_execution(ex);
    sr_value_destroy(&ex);
    gw_resp_json(resp, 200, &body);
}

// DELETE's query: `force` (python-mistralclient sends force=True).
sr_err_t
gw_ex_delete_parse(gw_t *gw, const gw_req_t *req, gw_call_t *call,
                   sr_error_t *err)
{
    sr_err_t rc = gw_parse_id(gw, req, call, err);
    if (rc)
        return rc;
    const char *force = gw_req_query(req, "force");
    bool is_force = false;
    if (force && (!strcasecmp(force, "true") || !strcmp(force, "1") ||
                  !strcasecmp(force, "yes")))
        is_force = true;
    else if (force && strcasecmp(force, "false") && strcmp(force, "0") &&
             strcasecmp(force, "no"))
        return sr_error_at(err, SR_EINVAL, "force",
                           "query 'force' must be true or false, not "
                           "'%.32s'",
                           force);
    call->args = sr_value_new_map(1);
    if (!call->args ||
        sr_value_map_put(call->args, "force", sr_value_new_bool(is_force)))
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    return SR_OK;
}

// 204 as Mistral; 404 unknown, 409 not finished (without force) or a
// sub-workflow execution.
void
gw_ex_delete_run(gw_t *gw, sr_client_t *c, const gw_call_t *call,
                 gw_resp_t *resp)
{
    bool force = sr_value_bool(sr_value_map_get(call->args, "force"));
    sr_error_t e;
    if (sr_client_ex_delete(c, call->arg, force, gw_timeout_ms(gw), NULL, &e))
        gw_answer_error(gw, resp, &e);
    else
        gw_resp_text(resp, 204, NULL, NULL, 0);
}

// The tasks of execution `id` shaped, appended to `items`.
sr_err_t
gw_tasks_of(gw_t *gw, sr_client_t *c, const char *id, sr_value_t *items,
            sr_error_t *err)
{
    sr_value_t *ex = NULL, *tasks = NULL;
    sr_err_t rc = sr_client_ex_get(c, id, gw_timeout_ms(gw), &ex, err);
    if (!rc)
        rc = sr_client_task_list(c, id, gw_timeout_ms(gw), &tasks, err);
    const char *wf = sr_body_str(ex, SR_B_EXECUTION_workflow_name);
    for (size_t i = 0; !rc && i < sr_value_len(tasks); i++) {
        sr_value_t *t = gw_shape_task(sr_value_array_at(tasks, i), wf);
        rc = t ? sr_value_array_append(items, t)
               : sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    sr_value_destroy(&tasks);
    sr_value_destroy(&ex);
    return rc;
}

void
gw_ex_tasks_run(gw_t *gw, sr_client_t *c, const gw_call_t *call,
                gw_resp_t *resp)
{
    sr_value_t *items = sr_value_new_array(8);
    sr_error_t e;
    if (!items)
        gw_resp_error(resp, 500, SR_ENOMEM, "out of memory");
    else if (gw_tasks_of(gw, c, call->arg, items, &e))
        gw_answer_error(gw, resp, &e);
    else
        gw_answer_list(gw, resp, "tasks", items, call->args, NULL);
    sr_value_destroy(&items);
}
