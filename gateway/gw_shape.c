// Engine bodies into Mistral resources, one builder per resource, each a
// list of puts. Shaping only: the engine loads definitions and describes
// their workflows (WORKFLOW bodies); nothing here reads a definition.
// Pure; reentrant.
#include "gw_shape.h"

#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sr_body.h"
#include "sr_value_json.h"

// Puts into a map, remembering the first failure.
typedef struct {
    sr_value_t *m;
    sr_err_t rc;
} s_w_t;

static void
s_put(s_w_t *w, const char *key, sr_value_t *v)
{
    if (w->rc == SR_OK)
        w->rc = sr_value_map_put(w->m, key, v ? v : sr_value_new_nil());
    else
        sr_value_destroy(&v);
}

// A field of the engine's body, shared (nil when absent).
static sr_value_t *
s_get(const sr_value_t *body, sr_bfield_t f)
{
    sr_value_t *v = sr_body_get(body, f);
    return v ? sr_value_ref(v) : sr_value_new_nil();
}

static sr_value_t *
s_text(const char *s)
{
    return s ? sr_value_new_str(s) : sr_value_new_nil();
}

// Mistral's JSON fields travel as JSON text; an absent value as `null`
// text stays null.
static sr_value_t *
s_json(const sr_value_t *v)
{
    if (!v || sr_value_is(v, SR_T_NIL))
        return sr_value_new_nil();
    char *text = sr_value_to_json(v, SR_JSON_SPACED);
    sr_value_t *s = text ? sr_value_new_str(text) : NULL;
    free(text);
    return s;
}

static sr_value_t *
s_finish(s_w_t *w)
{
    if (w->rc)
        sr_value_destroy(&w->m);
    return w->m;
}

void
gw_shape_workflow_id(const char *name, char out[SR_ID_TEXT_SIZE])
{
    uint8_t h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)"sirocco-workflow",
                              17);
    crypto_hash_sha256_update(&st, (const unsigned char *)name, strlen(name));
    crypto_hash_sha256_final(&st, h);
    sr_id_t id;
    memcpy(id.b, h, SR_ID_SIZE);
    id.b[6] = (uint8_t)((id.b[6] & 0x0f) | 0x80); // version 8
    id.b[8] = (uint8_t)((id.b[8] & 0x3f) | 0x80); // RFC 4122 variant
    sr_id_format(&id, out);
}

static sr_value_t *
s_workflow_id(const char *name)
{
    char id[SR_ID_TEXT_SIZE];
    if (!name)
        return sr_value_new_nil();
    gw_shape_workflow_id(name, id);
    return sr_value_new_str(id);
}

static void
s_common(s_w_t *w)
{
    s_put(w, "workflow_namespace", sr_value_new_str(""));
    s_put(w, "tags", sr_value_new_array(0));
    s_put(w, "project_id", sr_value_new_str(GW_PROJECT));
}

sr_value_t *
gw_shape_execution(const sr_value_t *ex)
{
    const char *wf = sr_body_str(ex, SR_B_EXECUTION_workflow_name);
    const char *desc = sr_body_str(ex, SR_B_EXECUTION_description);
    s_w_t w = {sr_value_new_map(20), SR_OK};
    if (!w.m)
        return NULL;
    s_put(&w, "id", s_get(ex, SR_B_EXECUTION_id));
    s_put(&w, "workflow_id", s_workflow_id(wf));
    s_put(&w, "workflow_name", s_get(ex, SR_B_EXECUTION_workflow_name));
    s_put(&w, "workflow_version", s_get(ex, SR_B_EXECUTION_workflow_version));
    s_put(&w, "description", sr_value_new_str(desc ? desc : ""));
    s_put(&w, "params", s_json(sr_body_get(ex, SR_B_EXECUTION_params)));
    s_put(&w, "task_execution_id", sr_value_new_nil());
    s_put(&w, "root_execution_id", s_get(ex, SR_B_EXECUTION_parent_id));
    s_put(&w, "source_execution_id", sr_value_new_nil());
    s_put(&w, "state", s_get(ex, SR_B_EXECUTION_state));
    s_put(&w, "state_info", s_get(ex, SR_B_EXECUTION_state_info));
    s_put(&w, "input", s_json(sr_body_get(ex, SR_B_EXECUTION_input)));
    s_put(&w, "output", s_json(sr_body_get(ex, SR_B_EXECUTION_output)));
    s_put(&w, "created_at", s_get(ex, SR_B_EXECUTION_created_at));
    s_put(&w, "updated_at", s_get(ex, SR_B_EXECUTION_updated_at));
    s_common(&w);
    return s_finish(&w);
}

static bool
s_is_final(const char *state)
{
    return state &&
           (strcmp(state, "SUCCESS") == 0 || strcmp(state, "ERROR") == 0 ||
            strcmp(state, "CANCELLED") == 0);
}

sr_value_t *
gw_shape_task(const sr_value_t *t, const char *wf_name)
{
    s_w_t w = {sr_value_new_map(22), SR_OK};
    if (!w.m)
        return NULL;
    s_put(&w, "id", s_get(t, SR_B_TASK_EXECUTION_id));
    s_put(&w, "name", s_get(t, SR_B_TASK_EXECUTION_name));
    s_put(&w, "type", sr_value_new_str("ACTION"));
    s_put(&w, "workflow_name", s_text(wf_name));
    s_put(&w, "workflow_id", s_workflow_id(wf_name));
    s_put(&w, "workflow_execution_id",
          s_get(t, SR_B_TASK_EXECUTION_execution_id));
    s_put(&w, "state", s_get(t, SR_B_TASK_EXECUTION_state));
    s_put(&w, "state_info", s_get(t, SR_B_TASK_EXECUTION_state_info));
    s_put(&w, "result", s_json(sr_body_get(t, SR_B_TASK_EXECUTION_result)));
    s_put(&w, "published",
          s_json(sr_body_get(t, SR_B_TASK_EXECUTION_published)));
    s_put(&w, "processed",
          sr_value_new_bool(
              s_is_final(sr_body_str(t, SR_B_TASK_EXECUTION_state))));
    s_put(&w, "runtime_context", sr_value_new_str("{}"));
    s_put(&w, "reset", sr_value_new_bool(false));
    s_put(&w, "env", sr_value_new_nil());
    s_put(&w, "created_at", s_get(t, SR_B_TASK_EXECUTION_created_at));
    s_put(&w, "updated_at", s_get(t, SR_B_TASK_EXECUTION_updated_at));
    s_put(&w, "started_at", s_get(t, SR_B_TASK_EXECUTION_started_at));
    s_put(&w, "finished_at", s_get(t, SR_B_TASK_EXECUTION_finished_at));
    s_common(&w);
    return s_finish(&w);
}

// Mistral's action output: {"result": value} once there is one.
static sr_value_t *
s_action_output(const sr_value_t *a, const char *state)
{
    if (!s_is_final(state))
        return sr_value_new_nil();
    sr_value_t *m = sr_value_new_map(1);
    if (m &&
        sr_value_map_put(m, "result", s_get(a, SR_B_ACTION_EXECUTION_result)))
        sr_value_destroy(&m);
    sr_value_t *text = m ? s_json(m) : NULL;
    sr_value_destroy(&m);
    return text;
}

sr_value_t *
gw_shape_action(const sr_value_t *a, const char *wf_name)
{
    const char *state = sr_body_str(a, SR_B_ACTION_EXECUTION_state);
    bool final = s_is_final(state);
    s_w_t w = {sr_value_new_map(22), SR_OK};
    if (!w.m)
        return NULL;
    s_put(&w, "id", s_get(a, SR_B_ACTION_EXECUTION_id));
    s_put(&w, "name", s_get(a, SR_B_ACTION_EXECUTION_name));
    s_put(&w, "workflow_name", s_text(wf_name));
    s_put(&w, "task_name", s_get(a, SR_B_ACTION_EXECUTION_task_name));
    s_put(&w, "task_execution_id", s_get(a, SR_B_ACTION_EXECUTION_task_id));
    s_put(&w, "workflow_execution_id",
          s_get(a, SR_B_ACTION_EXECUTION_execution_id));
    s_put(&w, "state", s_text(final || !state ? state : "RUNNING"));
    s_put(&w, "sirocco_state", s_text(state));
    s_put(&w, "state_info", s_get(a, SR_B_ACTION_EXECUTION_state_info));
    s_put(&w, "description", sr_value_new_str(""));
    s_put(&w, "accepted", sr_value_new_bool(final));
    s_put(&w, "input", s_json(sr_body_get(a, SR_B_ACTION_EXECUTION_input)));
    s_put(&w, "output", s_action_output(a, state));
    s_put(&w, "params", sr_value_new_str("{}"));
    s_put(&w, "attempt", s_get(a, SR_B_ACTION_EXECUTION_attempt));
    s_put(&w, "created_at", s_get(a, SR_B_ACTION_EXECUTION_created_at));
    s_put(&w, "updated_at", s_get(a, SR_B_ACTION_EXECUTION_updated_at));
    s_common(&w);
    return s_finish(&w);
}

// --- workflows ----------------------------------------------------------

sr_value_t *
gw_shape_workflow(const sr_value_t *wf, const sr_value_t *definition)
{
    const char *name = sr_body_str(wf, SR_B_WORKFLOW_name);
    sr_value_t *tags = sr_body_get(wf, SR_B_WORKFLOW_tags);
    if (!sr_value_is(tags, SR_T_ARRAY))
        tags = NULL;
    s_w_t w = {sr_value_new_map(12), SR_OK};
    if (!w.m)
        return NULL;
    s_put(&w, "id", s_workflow_id(name));
    s_put(&w, "name", s_text(name));
    s_put(&w, "namespace", sr_value_new_str(""));
    s_put(&w, "input", s_text(sr_body_str(wf, SR_B_WORKFLOW_input)));
    s_put(&w, "tags", tags ? sr_value_ref(tags) : sr_value_new_array(0));
    s_put(&w, "scope", sr_value_new_str("private"));
    s_put(&w, "project_id", sr_value_new_str(GW_PROJECT));
    s_put(&w, "created_at", sr_value_new_nil());
    s_put(&w, "updated_at", sr_value_new_nil());
    if (definition)
        s_put(&w, "definition", sr_value_ref((sr_value_t *)definition));
    return s_finish(&w);
}

sr_value_t *
gw_shape_workflows(const sr_value_t *wfs, const sr_value_t *definition)
{
    size_t n = sr_value_is(wfs, SR_T_ARRAY) ? sr_value_len(wfs) : 0;
    sr_value_t *a = sr_value_new_array(n);
    for (size_t i = 0; a && i < n; i++)
        if (sr_value_array_append(
                a, gw_shape_workflow(sr_value_array_at(wfs, i), definition)))
            sr_value_destroy(&a);
    return a;
}
