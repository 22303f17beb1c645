// The gateway: HTTP requests in (gw_http.h), calls to the engines out,
// through the client library only. Each request goes through two steps:
//
//   translate  route, method, authentication, body (size, UTF-8, JSON
//              depth) and the route's own checks, into a gw_call_t: the
//              route and its arguments as a map. Pure: no engine is asked.
//   run        the call against the engines, and the answer shaped as
//              the route promises (Mistral's resources under /v2).
//
// The route table (gw_route.c) lists every endpoint with its method,
// pattern, authentication and body kind, and its two functions.
//
// Ownership: a gw_t borrows its configuration (which must outlive it)
// and owns its replay cache and metrics. Thread rule: a gw_t is shared by
// the server's threads (its parts lock themselves); each request brings
// its own sr_client_t.
#ifndef GW_H
#define GW_H

#include <stddef.h>

#include "gw_config.h"
#include "gw_hook.h"
#include "gw_http.h"
#include "gw_metrics.h"
#include "sirocco/client.h"

#define GW_ARG_MAX 1025 // the path argument, NUL included

typedef struct gw gw_t;

// A translated request. `route` indexes the route table; `arg` is the
// path's {} segment ("" when the route has none); `body` the parsed JSON
// body (NULL when none or not JSON); `args` the route's checked arguments.
typedef struct {
    size_t route;
    char arg[GW_ARG_MAX];
    sr_value_t *body; // owned
    sr_value_t *args; // owned map
} gw_call_t;

sr_err_t gw_new(const gw_config_t *cfg, gw_t **out, sr_error_t *err);
void gw_destroy(gw_t **gw_p);

const gw_config_t *gw_config(const gw_t *gw);
gw_replay_t *gw_replay(gw_t *gw);
gw_metrics_t *gw_metrics(gw_t *gw);

// Translate `req`. On failure returns false with the error answer in
// *resp (400, 401, 404, 405, 413 ...); on success *call is filled
// (caller finis it).
bool gw_translate(gw_t *gw, const gw_req_t *req, gw_call_t *call,
                  gw_resp_t *resp);
void gw_call_fini(gw_call_t *call);

// Translate and run `req` with client `c`, and count it in the metrics.
void gw_handle(gw_t *gw, sr_client_t *c, const gw_req_t *req, gw_resp_t *resp);

// Routes, for the metrics labels: how many, and "METHOD PATTERN" of one
// (route_count() is "unmatched").
size_t gw_route_count(void);
const char *const *gw_route_labels(void);

// The engine call timeout for one call, from the configuration.
int gw_timeout_ms(const gw_t *gw);

// The monotonic clock in ms (CLOCK_MONOTONIC), for deadlines and windows.
int64_t gw_clock_ms(void);

#endif
