// The gateway's own endpoints for outside systems: delegate callbacks
// (POST /v1/callbacks/TOKEN completes the pending action that owns the
// token) and webhooks (POST /v1/hooks/NAME starts the hook's workflow
// when the body's HMAC signature is right and its delivery id is new).
// Tokens are checked for shape here and for existence by the engines,
// which keep only their hashes; a token that is malformed, unknown or
// used gets the same 404 and changes nothing.
#include <stdlib.h>
#include <string.h>

#include "gw_routes.h"
#include "gw_shape.h"
#include "sr_value_json.h"

#define S_TOKEN_MAX    256 // the protocol's limit for COMPLETE.token
#define S_DELIVERY_MAX 256

// Delivery id headers, the first present wins.
static const char *const s_delivery_headers[] = {"X-GitHub-Delivery",
                                                 "X-Delivery-Id"};

static sr_err_t
s_unknown_token(sr_error_t *err)
{
    return sr_error_set(err, SR_ENOTFOUND,
                        "unknown, used or expired callback token");
}

// Tokens are URL-safe base64 without padding.
static bool
s_is_token(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > S_TOKEN_MAX)
        return false;
    for (; *t; t++)
        if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') ||
              (*t >= '0' && *t <= '9') || *t == '-' || *t == '_'))
            return false;
    return true;
}

// An error given as any JSON value: strings as they are, others as JSON.
static sr_value_t *
s_error_text(const sr_value_t *v)
{
    if (!v || sr_value_is(v, SR_T_NIL))
        return sr_value_new_str("failed (no details given)");
    if (sr_value_is(v, SR_T_STR))
        return sr_value_ref((sr_value_t *)v);
    char *text = sr_value_to_json(v, SR_JSON_SPACED);
    sr_value_t *s = text ? sr_value_new_str(text) : NULL;
    free(text);
    return s;
}

sr_err_t
gw_callback_parse(gw_t *gw, const gw_req_t *req, gw_call_t *call,
                  sr_error_t *err)
{
    (void)gw;
    if (!s_is_token(call->arg))
        return s_unknown_token(err);
    const char *status = gw_req_query(req, "status");
    const sr_value_t *body = call->body;
    const sr_value_t *error =
        sr_value_is(body, SR_T_MAP) ? sr_value_map_get(body, "error") : NULL;
    bool failed;
    if (!status)
        failed = error && !sr_value_is(error, SR_T_NIL);
    else if (strcmp(status, "success") == 0)
        failed = false;
    else if (strcmp(status, "error") == 0)
        failed = true;
    else
        return sr_error_at(err, SR_EINVAL, "status",
                           "?status must be success or error, not '%.32s'",
                           status);
    sr_value_t *args = sr_value_new_map(3);
    sr_err_t rc = args ? SR_OK : SR_ENOMEM;
    if (!rc)
        rc = sr_value_map_put(args, "token", sr_value_new_str(call->arg));
    if (!rc && failed)
        rc = sr_value_map_put(
            args, "error",
            s_error_text(error && !sr_value_is(error, SR_T_NIL) ? error
                                                                : body));
    else if (!rc)
        rc = sr_value_map_put(args, "output",
                              body ? sr_value_ref(call->body)
                                   : sr_value_new_nil());
    if (rc) {
        sr_value_destroy(&args);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    call->args = args;
    return SR_OK;
}

void
gw_callback_run(gw_t *gw, sr_client_t *c, const gw_call_t *call,
                gw_resp_t *resp)
{
    const char *error = sr_value_map_str(call->args, "error");
    sr_client_completion_t cp = {
        .token = sr_value_map_str(call->args, "token"),
        .error = error,
        .output = error ? NULL : sr_value_map_get(call->args, "output")};
    if (cp.output && sr_value_is(cp.output, SR_T_NIL))
        cp.output = NULL;
    sr_error_t e;
    sr_err_t rc = sr_client_complete(c, &cp, gw_timeout_ms(gw), NULL, &e);
    if (rc == SR_ENOTFOUND || rc == SR_ESTATE)
        rc = s_unknown_token(&e);
    if (rc) {
        gw_answer_error(gw, resp, &e);
        return;
    }
    sr_value_t *body = sr_value_new_map(1);
    if (body && sr_value_map_put(body, "status",
                                 sr_value_new_str(error ? "error" : "success")))
        sr_value_destroy(&body);
    gw_resp_json(resp, 200, &body);
}

// --- webhooks ---------------------------------------------------------------

static const gw_hook_cfg_t *
s_hook(const gw_t *gw, const char *name)
{
    const gw_config_t *cfg = gw_config(gw);
    for (size_t i = 0; i < cfg->nhooks; i++)
        if (strcmp(cfg->hooks[i].name, name) == 0)
            return &cfg->hooks[i];
    return NULL;
}

static const char *
s_delivery(const gw_req_t *req)
{
    for (size_t i = 0;
         i < sizeof s_delivery_headers / sizeof *s_delivery_headers; i++) {
        const char *d = gw_req_header(req, s_delivery_headers[i]);
        if (d && *d)
            return d;
    }
    return NULL;
}

// The body of a signed request: a JSON object (empty body: {}).
static sr_err_t
s_hook_input(const gw_t *gw, const gw_req_t *req, sr_value_t **out,
             sr_error_t *err)
{
    if (req->body_len == 0)
        return (*out = sr_value_new_map(0))
                   ? SR_OK
                   : sr_error_set(err, SR_ENOMEM, "out of memory");
    sr_limits_t lim = {.max_bytes = (size_t)gw_config(gw)->max_body_bytes,
                       .max_depth = (int)gw_config(gw)->json_max_depth};
    sr_value_t *v = NULL;
    if (sr_value_from_json(req->body, req->body_len, &lim, &v, err)) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        return sr_error_set(err, SR_EINVAL,
                            "the body is not valid JSON: %.200s", msg);
    }
    if (!sr_value_is(v, SR_T_MAP)) {
        sr_value_destroy(&v);
        return sr_error_set(err, SR_EINVAL,
                            "the body must be a JSON object (the workflow "
                            "input)");
    }
    *out = v;
    return SR_OK;
}

sr_err_t
gw_hook_parse(gw_t *gw, const gw_req_t *req, gw_call_t *call, sr_error_t *err)
{
    const gw_hook_cfg_t *h = s_hook(gw, call->arg);
    if (!h)
        return sr_error_set(err, SR_ENOTFOUND, "no hook named '%.64s'",
                            call->arg);
    sr_err_t rc =
        gw_hook_verify(h->secret, gw_req_header(req, GW_SIGNATURE_HEADER),
                       req->body, req->body_len, err);
    const char *delivery = s_delivery(req);
    if (!rc && delivery && strlen(delivery) > S_DELIVERY_MAX)
        rc = sr_error_set(err, SR_EINVAL, "the delivery id is over %d bytes",
                          S_DELIVERY_MAX);
    sr_value_t *input = NULL;
    if (!rc)
        rc = s_hook_input(gw, req, &input, err);
    if (rc)
        return rc;
    sr_value_t *args = sr_value_new_map(4);
    if (!args || sr_value_map_put(args, "hook", sr_value_new_str(h->name)) ||
        sr_value_map_put(args, "workflow", sr_value_new_str(h->workflow)) ||
        sr_value_map_put(args, "input", input) ||
        (delivery &&
         sr_value_map_put(args, "delivery", sr_value_new_str(delivery)))) {
        sr_value_destroy(&args);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    call->args = args;
    return SR_OK;
}

void
gw_hook_run(gw_t *gw, sr_client_t *c, const gw_call_t *call, gw_resp_t *resp)
{
    const char *hook = sr_value_map_str(call->args, "hook");
    const char *delivery = sr_value_map_str(call->args, "delivery");
    if (delivery &&
        !gw_replay_admit(gw_replay(gw), hook, delivery, gw_clock_ms())) {
        gw_resp_error(resp, 401, SR_EAUTH,
                      "delivery '%.64s' of hook '%s' was already received "
                      "(replay refused)",
                      delivery, hook);
        return;
    }
    char desc[400];
    snprintf(desc, sizeof desc, "hook %s%s%.256s", hook,
             delivery ? " delivery " : "", delivery ? delivery : "");
    sr_client_start_t st = {.workflow =
                                sr_value_map_str(call->args, "workflow"),
                            .input = sr_value_map_get(call->args, "input"),
                            .description = desc};
    sr_value_t *ex = NULL;
    sr_error_t e;
    sr_err_t rc = sr_client_ex_start(c, &st, gw_timeout_ms(gw), &ex, &e);
    if (rc) {
        // Nothing started (unless the answer was lost: then keep the id,
        // so a retry cannot start the workflow twice).
        if (delivery && rc != SR_ETIMEDOUT)
            gw_replay_forget(gw_replay(gw), hook, delivery);
        gw_answer_error(gw, resp, &e);
        return;
    }
    sr_value_t *body = gw_shape_execution(ex);
    sr_value_destroy(&ex);
    gw_resp_json(resp, 201, &body);
}
