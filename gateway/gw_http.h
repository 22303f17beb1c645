// An HTTP request and response as the gateway's handlers see them, with
// no libmicrohttpd in sight (gw_server.c converts), so that handlers, the
// tests and the fuzz target share one model. Errors are JSON bodies in
// the shape Mistral's API (and python-mistralclient) uses:
//   {"faultcode": "Client", "faultstring": "...", "debuginfo": null,
//    "code": "ENOTFOUND"}
// with the status that fits the error code (gw_status_of).
//
// Ownership: a request borrows everything it points to; a response owns
// its body (gw_resp_fini). Thread rule: one request, one thread.
#ifndef GW_HTTP_H
#define GW_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "sr_err.h"
#include "sr_value.h"

typedef enum {
    GW_GET = 0,
    GW_POST,
    GW_PUT,
    GW_DELETE,
    GW_HEAD,
    GW_OTHER, // any other method: 405
} gw_method_t;

typedef struct {
    const char *key;
    const char *value; // may be NULL (a query key without '=')
} gw_kv_t;

typedef struct {
    gw_method_t method;
    const char *path; // decoded path, "/v2/executions/ID"; may hold NUL
    size_t path_len;  // its length (a decoded %00 does not end it)
    const gw_kv_t *query;
    size_t nquery;
    const gw_kv_t *headers;
    size_t nheaders;
    const char *body; // not NUL-terminated; may hold NUL bytes
    size_t body_len;
} gw_req_t;

typedef struct {
    int status;
    char *body; // owned
    size_t body_len;
    const char *content_type; // static text
    int retry_after_s;        // > 0: send Retry-After
    const char *header_name;  // one more header (static text), e.g. Allow
    const char *header_value; // its value (static text)
} gw_resp_t;

gw_method_t gw_method_parse(const char *method);
const char *gw_method_name(gw_method_t m);

// A query value (the first one) or a header (case-insensitive name);
// NULL when absent. Borrowed from the request.
const char *gw_req_query(const gw_req_t *req, const char *key);
const char *gw_req_header(const gw_req_t *req, const char *name);

// True when text[0..len) is valid UTF-8 without NUL bytes.
bool gw_utf8_valid(const char *text, size_t len);

// The status for an error code: EINVAL/EPROTO/EEXPR 400, EAUTH 401,
// ENOTFOUND 404, EEXIST/ESTATE 409, ETOOBIG 413, ETIMEDOUT/EUNAVAIL/EIO
// 503, EVERSION 502, others 500.
int gw_status_of(sr_err_t code);

// Set a JSON response, consuming *body_p (also on failure, which gives a
// 500). Replaces what the response held.
void gw_resp_json(gw_resp_t *r, int status, sr_value_t **body_p);
// An error response with `status` and the code's name.
void gw_resp_error(gw_resp_t *r, int status, sr_err_t code, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));
// An error response from `e` (status by its code; "where: msg" as text).
// A 503 gets Retry-After `retry_after_s`.
void gw_resp_from_error(gw_resp_t *r, const sr_error_t *e, int retry_after_s);
// A plain-text response; takes `text` (malloc'd).
void gw_resp_text(gw_resp_t *r, int status, const char *content_type,
                  char *text, size_t len);
void gw_resp_fini(gw_resp_t *r);

#endif
