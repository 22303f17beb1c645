// Collects one HTTP response through libcurl's callbacks and shapes it as
// Mistral's std.http result. Owns the body buffer and header maps of one
// response; one thread.
#include "wrk_http_resp.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sr_value_json.h"

void
wrk_http_resp_init(wrk_http_resp_t *self, size_t limit)
{
    memset(self, 0, sizeof *self);
    self->limit = limit;
}

void
wrk_http_resp_fini(wrk_http_resp_t *self)
{
    free(self->body);
    sr_value_destroy(&self->headers);
    sr_value_destroy(&self->cookies);
    memset(self, 0, sizeof *self);
}

size_t
wrk_http_resp_on_body(char *ptr, size_t size, size_t n, void *data)
{
    wrk_http_resp_t *self = data;
    size_t bytes = size * n;
    if (bytes > self->limit - self->len) {
        self->is_over = true;
        return 0; // makes curl stop with CURLE_WRITE_ERROR
    }
    if (self->len + bytes + 1 > self->cap) {
        size_t cap = self->cap ? self->cap : 4096;
        while (cap < self->len + bytes + 1)
            cap *= 2;
        char *body = realloc(self->body, cap);
        if (!body) {
            self->is_oom = true;
            return 0;
        }
        self->body = body;
        self->cap = cap;
    }
    memcpy(self->body + self->len, ptr, bytes);
    self->len += bytes;
    self->body[self->len] = '\0';
    return bytes;
}

// A new status line starts a new response (redirect, 100 Continue): forget
// the previous one's headers and keep its reason phrase.
static void
s_status_line(wrk_http_resp_t *self, const char *line, size_t len)
{
    sr_value_destroy(&self->headers);
    sr_value_destroy(&self->cookies);
    self->reason[0] = '\0';
    const char *sp = memchr(line, ' ', len);
    if (!sp)
        return;
    const char *reason = memchr(sp + 1, ' ', len - (size_t)(sp + 1 - line));
    if (!reason)
        return;
    size_t rlen = len - (size_t)(reason + 1 - line);
    if (rlen >= sizeof self->reason)
        rlen = sizeof self->reason - 1;
    memcpy(self->reason, reason + 1, rlen);
    self->reason[rlen] = '\0';
}

// Record "Set-Cookie: name=value; ..." as name -> value.
static bool
s_cookie(wrk_http_resp_t *self, const char *v, size_t len)
{
    const char *eq = memchr(v, '=', len);
    if (!eq)
        return true;
    const char *semi = memchr(eq, ';', len - (size_t)(eq - v));
    size_t vlen = (size_t)((semi ? semi : v + len) - (eq + 1));
    if (!self->cookies && !(self->cookies = sr_value_new_map(4)))
        return false;
    return sr_value_map_putn(self->cookies, v, (size_t)(eq - v),
                             sr_value_new_strn(eq + 1, vlen)) == SR_OK;
}

// Add one header; a repeated name joins the values with ", " as requests.
static bool
s_header(wrk_http_resp_t *self, const char *name, size_t nlen, const char *v,
         size_t vlen)
{
    if (!self->headers && !(self->headers = sr_value_new_map(16)))
        return false;
    const sr_value_t *old = sr_value_map_getn(self->headers, name, nlen);
    sr_value_t *val =
        old ? sr_value_new_strf("%s, %.*s", sr_value_str(old), (int)vlen, v)
            : sr_value_new_strn(v, vlen);
    if (sr_value_map_putn(self->headers, name, nlen, val) != SR_OK)
        return false;
    if (nlen == 10 && strncasecmp(name, "set-cookie", 10) == 0)
        return s_cookie(self, v, vlen);
    return true;
}

size_t
wrk_http_resp_on_header(char *ptr, size_t size, size_t n, void *data)
{
    wrk_http_resp_t *self = data;
    size_t bytes = size * n, len = bytes;
    while (len && (ptr[len - 1] == '\r' || ptr[len - 1] == '\n'))
        len--;
    if (len >= 5 && strncmp(ptr, "HTTP/", 5) == 0) {
        s_status_line(self, ptr, len);
        return bytes;
    }
    const char *colon = memchr(ptr, ':', len);
    if (!colon || colon == ptr || isspace((unsigned char)ptr[0]))
        return bytes; // blank line, or an obsolete folded line
    const char *v = colon + 1;
    size_t vlen = len - (size_t)(v - ptr);
    while (vlen && isspace((unsigned char)v[0]))
        v++, vlen--;
    while (vlen && isspace((unsigned char)v[vlen - 1]))
        vlen--;
    if (!s_header(self, ptr, (size_t)(colon - ptr), v, vlen)) {
        self->is_oom = true;
        return 0;
    }
    return bytes;
}

static bool
s_utf8_ok(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n = c < 0x80         ? 1
                   : (c >> 5) == 6  ? 2
                   : (c >> 4) == 14 ? 3
                   : (c >> 3) == 30 ? 4
                                    : 0;
        if (n == 0 || (c >= 0xC0 && c < 0xC2) || i + n > len)
            return false;
        for (size_t k = 1; k < n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
        i += n;
    }
    return true;
}

static sr_value_t *
s_content(const wrk_http_resp_t *self)
{
    if (self->len == 0)
        return sr_value_new_str("");
    sr_limits_t limits = {.max_bytes = self->len + 1, .max_depth = 0};
    sr_value_t *v = NULL;
    sr_error_t err;
    if (sr_value_from_json(self->body, self->len, &limits, &v, &err) == SR_OK)
        return v;
    if (s_utf8_ok((const unsigned char *)self->body, self->len))
        return sr_value_new_strn(self->body, self->len);
    return sr_value_new_bin(self->body, self->len);
}

// The charset parameter of the Content-Type, or nil.
static sr_value_t *
s_encoding(const wrk_http_resp_t *self)
{
    const char *ct = NULL;
    for (size_t i = 0; i < sr_value_len(self->headers); i++)
        if (strcasecmp(sr_value_str(sr_value_map_key(self->headers, i)),
                       "content-type") == 0)
            ct = sr_value_str(sr_value_map_val(self->headers, i));
    const char *cs = ct ? strcasestr(ct, "charset=") : NULL;
    if (!cs)
        return sr_value_new_nil();
    cs += 8;
    if (*cs == '"')
        cs++;
    size_t len = strcspn(cs, "\"; \t");
    return sr_value_new_strn(cs, len);
}

static sr_value_t *
s_map_or_empty(sr_value_t *m)
{
    return m ? sr_value_ref(m) : sr_value_new_map(0);
}

sr_value_t *
wrk_http_resp_result(wrk_http_resp_t *self, CURL *h)
{
    long status = 0;
    char *url = NULL;
    double elapsed = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &url);
    curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &elapsed);
    sr_value_t *m = sr_value_new_map(8);
    if (m && (sr_value_map_put(m, "content", s_content(self)) ||
              sr_value_map_put(m, "status", sr_value_new_int(status)) ||
              sr_value_map_put(m, "headers", s_map_or_empty(self->headers)) ||
              sr_value_map_put(m, "url", sr_value_new_str(url ? url : "")) ||
              sr_value_map_put(m, "encoding", s_encoding(self)) ||
              sr_value_map_put(m, "reason", sr_value_new_str(self->reason)) ||
              sr_value_map_put(m, "cookies", s_map_or_empty(self->cookies)) ||
              sr_value_map_put(m, "elapsed", sr_value_new_float(elapsed))))
        sr_value_destroy(&m);
    return m;
}
