// The std.http action: one HTTP request with libcurl, with Mistral's
// parameters (url, method, params, body, json, headers, cookies, auth,
// timeout, allow_redirects, proxies, verify) and result map (see
// wrk_http_resp.h). A status outside 200..306 is an ERROR carrying the
// result map, as in Mistral; a transport failure is an ERROR with curl's
// message. The response body is bounded (wrk_config_t.http_limit_bytes)
// and the run's cancel handle and deadline stop the transfer at once.
//
// Thread rule: reentrant. wrk_http_global_init must run before the first
// request (wrk_registry_new does it) and is safe to call more than once.
#ifndef WRK_HTTP_H
#define WRK_HTTP_H

#include "sr_err.h"
#include "wrk_action.h"

extern const wrk_action_def_t wrk_http_action;

// libcurl's process-wide set-up, done once. SR_EINTERNAL on failure.
sr_err_t wrk_http_global_init(sr_error_t *err);

#endif
