// The functions behind the gateway's routes, by file: gw_v1.c (delegate
// callbacks, webhooks), gw_ops.c (version roots, health, metrics),
// gw_mistral_wf.c, gw_mistral_ex.c and gw_mistral_task.c (Mistral's REST
// API v2). The table that ties them to methods and paths is gw_route.c.
//
// A parse function checks the request and fills call->args (pure: it
// asks no engine); it returns an error code whose status gw_status_of
// gives, with the message in `err`. A run function asks the engines
// through `c` and writes the answer. Thread rule: the request's thread.
#ifndef GW_ROUTES_H
#define GW_ROUTES_H

#include "gw.h"
#include "gw_body.h"

typedef sr_err_t(gw_parse_fn)(gw_t *gw, const gw_req_t *req, gw_call_t *call,
                              sr_error_t *err);
typedef void(gw_run_fn)(gw_t *gw, sr_client_t *c, const gw_call_t *call,
                        gw_resp_t *resp);

// Shared parse functions (gw_route.c): the path argument is an id (a
// UUID; anything else is a 404 for `what`), or a list query.
gw_parse_fn gw_parse_id, gw_parse_list;

// The path argument is an id and the JSON body an object of `fields`
// (gw_body_check).
sr_err_t gw_parse_id_body(gw_t *gw, const gw_req_t *req, gw_call_t *call,
                          const gw_field_t *fields, size_t n, sr_error_t *err);

// gw_v1.c
gw_parse_fn gw_callback_parse, gw_hook_parse;
gw_run_fn gw_callback_run, gw_hook_run;

// gw_ops.c
gw_run_fn gw_root_run, gw_v2_root_run, gw_health_run, gw_metrics_run;

// gw_mistral_wf.c
gw_parse_fn gw_wf_text_parse;
gw_run_fn gw_wf_create_run, gw_wf_update_run, gw_wf_validate_run,
    gw_wf_list_run, gw_wf_get_run, gw_wf_delete_run;

// gw_mistral_ex.c
gw_parse_fn gw_ex_create_parse, gw_ex_update_parse, gw_ex_delete_parse;
gw_run_fn gw_ex_create_run, gw_ex_list_run, gw_ex_get_run, gw_ex_update_run,
    gw_ex_delete_run, gw_ex_tasks_run;

// gw_mistral_task.c
gw_parse_fn gw_task_update_parse, gw_action_update_parse;
gw_run_fn gw_task_list_run, gw_task_get_run, gw_task_update_run,
    gw_action_list_run, gw_task_actions_run, gw_action_get_run,
    gw_action_update_run;

// The name of the workflow `ident` names: itself, or the workflow whose
// id (gw_shape_workflow_id) it is. SR_ENOTFOUND when no workflow has it.
sr_err_t gw_wf_resolve(gw_t *gw, sr_client_t *c, const char *ident, char *name,
                       size_t size, sr_error_t *err);

// Answer {"<key>": items filtered, sorted and paged by `query` (a
// gw_list_query map)}, with "sirocco_missing": `missing` when it names
// engines left out (a map of sr_client_ex_list_partial; NULL: none)
// (gw_mistral_ex.c).
void gw_answer_list(gw_t *gw, gw_resp_t *resp, const char *key,
                    const sr_value_t *items, const sr_value_t *query,
                    const sr_value_t *missing);
// Append the tasks of execution `id`, shaped, to `items`
// (gw_mistral_ex.c).
sr_err_t gw_tasks_of(gw_t *gw, sr_client_t *c, const char *id,
                     sr_value_t *items, sr_error_t *err);

// Helpers for run functions (gw_route.c): answer an engine error
// (503s carry Retry-After), and the route's pattern for messages.
void gw_answer_error(gw_t *gw, gw_resp_t *resp, const sr_error_t *e);

#endif
