/* Workflow calls of the client: WF_CREATE and WF_DELETE go to every
 * engine (definitions are content-addressed, so storing one twice is
 * harmless; a create needs only the engines that serve every partition,
 * as one that was down fetches what it lacks from them when it returns,
 * while a delete needs every engine, or the one that missed it would give
 * the definition back), WF_LIST is gathered from every engine and merged,
 * WF_GET and WF_VALIDATE ask one engine. Builds requests and shapes answers;
 * routing is sr_client.c's. Thread rule: the client's thread.
 */
#include "sirocco/client.h"

#include "sr_client_body.h"
#include "sr_client_core.h"

// A request of `type` carrying `definition` in `field`; SR_OK with *out,
// or the error (a missing definition is SR_EINVAL).
static sr_err_t
s_definition_req(sr_msg_type_t type, sr_field_t field, const char *definition,
                 sr_msg_t **out, sr_error_t *err)
{
    if (!definition)
        return sr_error_set(err, SR_EINVAL, "workflow definition is missing");
    sr_msg_t *req = sr_msg_new(type);
    sr_err_t rc = req ? sr_msg_set_str(req, field, definition) : SR_ENOMEM;
    if (rc) {
        sr_msg_destroy(&req);
        return sr_client_build_error(rc, sr_msg_type_name(type), err);
    }
    *out = req;
    return SR_OK;
}

sr_err_t
sr_client_wf_create(sr_client_t *c, const char *definition, int timeout_ms,
                    sr_value_t **workflows, sr_error_t *err)
{
    sr_msg_t *req = NULL;
    sr_value_t *bodies = NULL;
    sr_err_t rc = s_definition_req(SR_MSG_WF_CREATE, SR_F_WF_CREATE_definition,
                                   definition, &req, err);
    if (!rc)
        rc = sr_client_call_covered(c, req, sr_client_deadline(timeout_ms),
                                    SR_OK, SR_CLIENT_FAN_ALL, &bodies, NULL,
                                    err);
    for (size_t i = 0; !rc && i < sr_value_len(bodies); i++)
        if (!sr_value_is(sr_value_array_at(bodies, i), SR_T_NIL)) {
            *workflows = sr_value_ref(sr_value_array_at(bodies, i));
            break; // the first engine that answered
        }
    sr_value_destroy(&bodies);
    sr_msg_destroy(&req);
    return rc;
}

sr_err_t
sr_client_wf_validate(sr_client_t *c, const char *definition, int timeout_ms,
                      sr_value_t **workflows, sr_error_t *err)
{
    sr_msg_t *req = NULL;
    sr_err_t rc = s_definition_req(
        SR_MSG_WF_VALIDATE, SR_F_WF_VALIDATE_definition, definition, &req, err);
    if (!rc)
        rc = sr_client_call_any(c, req, sr_client_deadline(timeout_ms),
                                workflows, err);
    sr_msg_destroy(&req);
    return rc;
}

sr_err_t
sr_client_wf_get(sr_client_t *c, const char *name, const char *version,
                 int timeout_ms, sr_value_t **workflow, sr_error_t *err)
{
    if (!name)
        return sr_error_set(err, SR_EINVAL, "workflow name is missing");
    sr_msg_t *req = sr_msg_new(SR_MSG_WF_GET);
    sr_err_t rc = req ? sr_msg_set_str(req, SR_F_WF_GET_name, name) : SR_ENOMEM;
    if (!rc && version)
        rc = sr_msg_set_str(req, SR_F_WF_GET_version, version);
    if (rc)
        rc = sr_client_build_error(rc, "WF_GET", err);
    else
        rc = sr_client_call_any(c, req, sr_client_deadline(timeout_ms),
                                workflow, err);
    sr_msg_destroy(&req);
    return rc;
}

static sr_err_t
s_wf_list(sr_client_t *c, bool describe, int timeout_ms, sr_value_t **workflows,
          sr_error_t *err)
{
    sr_msg_t *req = sr_msg_new(SR_MSG_WF_LIST);
    sr_value_t *bodies = NULL;
    sr_err_t rc;
    if (!req || (describe && sr_msg_set_bool(req, SR_F_WF_LIST_describe, true)))
        rc = sr_error_set(err, SR_ENOMEM, "WF_LIST: out of memory");
    else
        rc = sr_client_call_lists(c, req, sr_client_deadline(timeout_ms),
                                  &bodies, err);
    if (!rc) {
        sr_value_t *lists[SR_CLIENT_ENGINES_MAX];
        size_t n = sr_value_len(bodies);
        for (size_t i = 0; i < n; i++)
            lists[i] = sr_value_array_at(bodies, i);
        rc = sr_client_body_merge_workflows(lists, n, workflows, err);
    }
    sr_value_destroy(&bodies);
    sr_msg_destroy(&req);
    return rc;
}

sr_err_t
sr_client_wf_list(sr_client_t *c, int timeout_ms, sr_value_t **workflows,
                  sr_error_t *err)
{
    return s_wf_list(c, false, timeout_ms, workflows, err);
}

sr_err_t
sr_client_wf_list_described(sr_client_t *c, int timeout_ms,
                            sr_value_t **workflows, sr_error_t *err)
{
    return s_wf_list(c, true, timeout_ms, workflows, err);
}

sr_err_t
sr_client_wf_delete(sr_client_t *c, const char *name, int timeout_ms,
                    sr_error_t *err)
{
    if (!name)
        return sr_error_set(err, SR_EINVAL, "workflow name is missing");
    sr_msg_t *req = sr_msg_new(SR_MSG_WF_DELETE);
    sr_value_t *bodies = NULL;
    size_t ignored = 0;
    sr_err_t rc =
        req ? sr_msg_set_str(req, SR_F_WF_DELETE_name, name) : SR_ENOMEM;
    if (rc)
        rc = sr_client_build_error(rc, "WF_DELETE", err);
    else
        rc = sr_client_call_all(c, req, sr_client_deadline(timeout_ms),
                                SR_ENOTFOUND, &bodies, &ignored, err);
    if (!rc && ignored == sr_value_len(bodies))
        rc = SR_ENOTFOUND; // err holds the first engine's message
    sr_value_destroy(&bodies);
    sr_msg_destroy(&req);
    return rc;
}
