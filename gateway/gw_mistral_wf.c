// Mistral's /v2/workflows: create (POST, YAML text; 409 when a workflow
// of the file exists), update (PUT, every workflow must exist; Sirocco
// stores the new text as a new version, running executions keep theirs),
// validate, list, get and delete. A workflow is named in a path by its
// name or by the id gw_shape_workflow_id gives it. An engine loads and
// describes definitions (WF_VALIDATE, then WF_CREATE to store): a bad
// file gets 400 with the engine's LINE:COL message before anything is
// stored. Nothing here reads a definition.
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gw_list.h"
#include "gw_routes.h"
#include "gw_shape.h"
#include "sr_body.h"

sr_err_t
gw_wf_text_parse(gw_t *gw, const gw_req_t *req, gw_call_t *call,
                 sr_error_t *err)
{
    (void)gw;
    if (req->body_len == 0)
        return sr_error_set(err, SR_EINVAL,
                            "send the workflow definition (YAML text) as the "
                            "body");
    sr_value_t *args = sr_value_new_map(1);
    if (!args ||
        sr_value_map_put(args, "text",
                         sr_value_new_strn(req->body, req->body_len))) {
        sr_value_destroy(&args);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    call->args = args;
    return SR_OK;
}

// The workflows of the request's definition as an engine checked them
// (WF_VALIDATE), as Mistral resources with the definition: SR_OK with
// *wfs, SR_EINVAL with the engine's message ("definition:LINE:COL: ..."
// lines) for a definition that does not load, or another error of the
// call.
static sr_err_t
s_validate(gw_t *gw, sr_client_t *c, const gw_call_t *call, sr_value_t **wfs,
           sr_error_t *err)
{
    const sr_value_t *text = sr_value_map_get(call->args, "text");
    sr_value_t *bodies = NULL;
    sr_err_t rc = sr_client_wf_validate(c, sr_value_str(text),
                                        gw_timeout_ms(gw), &bodies, err);
    sr_value_t *shaped = rc ? NULL : gw_shape_workflows(bodies, text);
    sr_value_destroy(&bodies);
    if (!rc && !shaped)
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    if (!rc)
        *wfs = shaped;
    return rc;
}

// s_validate for create and update: false once `resp` holds the answer
// (400 with the engine's message for a definition that does not load).
static bool
s_loaded(gw_t *gw, sr_client_t *c, const gw_call_t *call, sr_value_t **wfs,
         gw_resp_t *resp)
{
    sr_error_t e;
    sr_err_t rc = s_validate(gw, c, call, wfs, &e);
    if (rc == SR_EINVAL)
        gw_resp_error(resp, 400, SR_EINVAL, "%s", e.msg);
    else if (rc)
        gw_answer_error(gw, resp, &e);
    return rc == SR_OK;
}

// SR_OK when workflow `name` exists, SR_ENOTFOUND when not.
static sr_err_t
s_exists(gw_t *gw, sr_client_t *c, const char *name, sr_error_t *err)
{
    sr_value_t *wf = NULL;
    sr_err_t rc = sr_client_wf_get(c, name, NULL, gw_timeout_ms(gw), &wf, err);
    sr_value_destroy(&wf);
    return rc;
}

// Every workflow of the file must exist (`want` SR_OK) or not (ENOTFOUND).
static bool
s_check_names(gw_t *gw, sr_client_t *c, const sr_value_t *wfs, sr_err_t want,
              gw_resp_t *resp)
{
    for (size_t i = 0; i < sr_value_len(wfs); i++) {
        const char *name = sr_value_map_str(sr_value_array_at(wfs, i), "name");
        sr_error_t e;
        sr_err_t rc = s_exists(gw, c, name, &e);
        if (rc == want)
            continue;
        if (rc == SR_OK)
            gw_resp_error(resp, 409, SR_EEXIST,
                          "workflow '%s' already exists (PUT updates it)",
                          name);
        else if (rc == SR_ENOTFOUND)
            gw_resp_error(resp, 404, SR_ENOTFOUND,
                          "workflow '%s' not found (POST creates it)", name);
        else
            gw_answer_error(gw, resp, &e);
        return false;
    }
    return true;
}

static bool
s_store(gw_t *gw, sr_client_t *c, const gw_call_t *call, gw_resp_t *resp)
{
    sr_value_t *stored = NULL;
    sr_error_t e;
    if (sr_client_wf_create(c, sr_value_map_str(call->args, "text"),
                            gw_timeout_ms(gw), &stored, &e)) {
        gw_answer_error(gw, resp, &e);
        return false;
    }
    sr_value_destroy(&stored);
    return true;
}

static void
s_answer_list(gw_resp_t *resp, int status, const sr_value_t *wfs)
{
    sr_value_t *body = sr_value_new_map(1);
    if (body &&
        sr_value_map_put(body, "workflows", sr_value_ref((sr_value_t *)wfs)))
        sr_value_destroy(&body);
    gw_resp_json(resp, status, &body);
}

void
gw_wf_create_run(gw_t *gw, sr_client_t *c, const gw_call_t *call,
                 gw_resp_t *resp)
{
    sr_value_t *wfs = NULL;
    if (s_loaded(gw, c, call, &wfs, resp) &&
        s_check_names(gw, c, wfs, SR_ENOTFOUND, resp) &&
        s_store(gw, c, call, resp))
        s_answer_list(resp, 201, wfs);
    sr_value_destroy(&wfs);
}

// The workflow of `wfs` named by `ident` (name or id), or NULL.
static sr_value_t *
s_pick(const sr_value_t *wfs, const char *ident)
{
    for (size_t i = 0; i < sr_value_len(wfs); i++) {
        sr_value_t *w = sr_value_array_at(wfs, i);
        if (strcmp(sr_value_map_str(w, "name"), ident) == 0 ||
            strcmp(sr_value_map_str(w, "id"), ident) == 0)
            return w;
    }
    return NULL;
}

void
gw_wf_update_run(gw_t *gw, sr_client_t *c, const gw_call_t *call,
                 gw_resp_t *resp)
{
    sr_value_t *wfs = NULL;
    if (!s_loaded(gw, c, call, &wfs, resp))
        return;
    sr_value_t *one = call->arg[0] ? s_pick(wfs, call->arg) : NULL;
    if (call->arg[0] && !one)
        gw_resp_error(resp, 400, SR_EINVAL,
                      "the definition does not define workflow '%.200s'",
                      call->arg);
    else if (s_check_names(gw, c, wfs, SR_OK, resp) &&
             s_store(gw, c, call, resp)) {
        if (one) {
            sr_value_t *body = sr_value_ref(one);
            gw_resp_json(resp, 200, &body);
        } else
            s_answer_list(resp, 200, wfs);
    }
    sr_value_destroy(&wfs);
}

void
gw_wf_validate_run(gw_t *gw, sr_client_t *c, const gw_call_t *call,
                   gw_resp_t *resp)
{
    sr_value_t *wfs = NULL;
    sr_error_t e;
    sr_err_t rc = s_validate(gw, c, call, &wfs, &e);
    sr_value_destroy(&wfs);
    if (rc && rc != SR_EINVAL) {
        gw_answer_error(gw, resp, &e);
        return;
    }
    const char *error = rc ? e.msg : NULL;
    sr_value_t *body = sr_value_new_map(2);
    if (body &&
        (sr_value_map_put(body, "valid", sr_value_new_bool(!error)) ||
         (error && sr_value_map_put(body, "error", sr_value_new_str(error)))))
        sr_value_destroy(&body);
    gw_resp_json(resp, 200, &body);
}

sr_err_t
gw_wf_resolve(gw_t *gw, sr_client_t *c, const char *ident, char *name,
              size_t size, sr_error_t *err)
{
    sr_id_t id;
    if (sr_id_parse(ident, &id) != SR_OK) {
        snprintf(name, size, "%s", ident);
        return SR_OK;
    }
    sr_value_t *all = NULL;
    sr_err_t rc = sr_client_wf_list(c, gw_timeout_ms(gw), &all, err);
    for (size_t i = 0; !rc && i < sr_value_len(all); i++) {
        const char *n = sr_value_map_str(sr_value_array_at(all, i), "name");
        char wid[SR_ID_TEXT_SIZE];
        gw_shape_workflow_id(n, wid);
        if (strcasecmp(wid, ident) == 0) {
            snprintf(name, size, "%s", n);
            sr_value_destroy(&all);
            return SR_OK;
        }
    }
    sr_value_destroy(&all);
    return rc ? rc
              : sr_error_set(err, SR_ENOTFOUND, "workflow '%s' not found",
                             ident);
}

void
gw_wf_list_run(gw_t *gw, sr_client_t *c, const gw_call_t *call, gw_resp_t *resp)
{
    sr_value_t *all = NULL, *items = NULL, *page = NULL;
    sr_error_t e;
    if (sr_client_wf_list_described(c, gw_timeout_ms(gw), &all, &e)) {
        gw_answer_error(gw, resp, &e);
        return;
    }
    size_t n = sr_value_len(all);
    if ((int64_t)n > gw_config(gw)->list_max)
        n = (size_t)gw_config(gw)->list_max;
    items = sr_value_new_array(n);
    sr_err_t rc = items ? SR_OK : SR_ENOMEM;
    for (size_t i = 0; !rc && i < n; i++)
        rc = sr_value_array_append(
            items, gw_shape_workflow(sr_value_array_at(all, i), NULL));
    if (rc)
        sr_error_set(&e, SR_ENOMEM, "out of memory");
    else
        rc = gw_list_apply(items, call->args, &page, &e);
    if (rc)
        gw_answer_error(gw, resp, &e);
    else
        s_answer_list(resp, 200, page);
    sr_value_destroy(&page);
    sr_value_destroy(&items);
    sr_value_destroy(&all);
}

void
gw_wf_get_run(gw_t *gw, sr_client_t *c, const gw_call_t *call, gw_resp_t *resp)
{
    char name[GW_ARG_MAX];
    sr_value_t *wf = NULL, *r = NULL;
    sr_error_t e;
    sr_err_t rc = gw_wf_resolve(gw, c, call->arg, name, sizeof name, &e);
    if (!rc)
        rc = sr_client_wf_get(c, name, NULL, gw_timeout_ms(gw), &wf, &e);
    if (!rc &&
        !(r = gw_shape_workflow(wf, sr_body_get(wf, SR_B_WORKFLOW_definition))))
        rc = sr_error_set(&e, SR_ENOMEM, "out of memory");
    sr_value_destroy(&wf);
    if (rc)
        gw_answer_error(gw, resp, &e);
    else
        gw_resp_json(resp, 200, &r);
}

void
gw_wf_delete_run(gw_t *gw, sr_client_t *c, const gw_call_t *call,
                 gw_resp_t *resp)
{
    char name[GW_ARG_MAX];
    sr_error_t e;
    if (gw_wf_resolve(gw, c, call->arg, name, sizeof name, &e) ||
        sr_client_wf_delete(c, name, gw_timeout_ms(gw), &e))
        gw_answer_error(gw, resp, &e);
    else
        gw_resp_text(resp, 204, NULL, NULL, 0);
}
