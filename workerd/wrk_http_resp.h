// The response side of std.http: libcurl callbacks that collect the status
// line, headers, cookies and body of the final response (bounded), and the
// Mistral-shaped result map built from them:
//   {content, status, headers, url, encoding, reason, cookies, elapsed}
// `content` is the body parsed as JSON when it is JSON (as Mistral's
// resp.json() does), else the text, or binary when it is not UTF-8.
//
// Thread rule: one response belongs to the thread running the request.
#ifndef WRK_HTTP_RESP_H
#define WRK_HTTP_RESP_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "sr_value.h"

typedef struct {
    size_t limit;        // body bytes allowed
    bool is_over;        // the body went past the limit
    bool is_oom;         // memory ran out while collecting
    char *body;          // owned, NUL-terminated
    size_t len, cap;     //
    sr_value_t *headers; // owned map of the last response's headers
    sr_value_t *cookies; // owned map name -> value from Set-Cookie
    char reason[128];    // reason phrase of the status line
} wrk_http_resp_t;

void wrk_http_resp_init(wrk_http_resp_t *self, size_t limit);
void wrk_http_resp_fini(wrk_http_resp_t *self);

// CURLOPT_WRITEFUNCTION / CURLOPT_HEADERFUNCTION with the response as data.
size_t wrk_http_resp_on_body(char *ptr, size_t size, size_t n, void *self);
size_t wrk_http_resp_on_header(char *ptr, size_t size, size_t n, void *self);

// The result map of a finished transfer on `h`. Caller owns it; NULL when
// memory runs out.
sr_value_t *wrk_http_resp_result(wrk_http_resp_t *self, CURL *h);

#endif
