// The gateway's request and response model: lookups, UTF-8 checks, the
// error-code-to-status table and the JSON error body. Pure functions; no
// sockets, no libmicrohttpd.
#include "gw_http.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sr_value_json.h"

static const char *const s_methods[] = {"GET", "POST", "PUT", "DELETE", "HEAD"};

gw_method_t
gw_method_parse(const char *method)
{
    for (size_t i = 0; i < sizeof s_methods / sizeof *s_methods; i++)
        if (strcmp(method, s_methods[i]) == 0)
            return (gw_method_t)i;
    return GW_OTHER;
}

const char *
gw_method_name(gw_method_t m)
{
    return m < GW_OTHER ? s_methods[m] : "OTHER";
}

const char *
gw_req_query(const gw_req_t *req, const char *key)
{
    for (size_t i = 0; i < req->nquery; i++)
        if (strcmp(req->query[i].key, key) == 0)
            return req->query[i].value ? req->query[i].value : "";
    return NULL;
}

const char *
gw_req_header(const gw_req_t *req, const char *name)
{
    for (size_t i = 0; i < req->nheaders; i++)
        if (strcasecmp(req->headers[i].key, name) == 0)
            return req->headers[i].value ? req->headers[i].value : "";
    return NULL;
}

// Bytes after a lead byte: 0 for ASCII, -1 for a byte that cannot lead.
static int
s_utf8_tail(unsigned char c)
{
    if (c < 0x80)
        return 0;
    if ((c & 0xe0) == 0xc0)
        return 1;
    if ((c & 0xf0) == 0xe0)
        return 2;
    if ((c & 0xf8) == 0xf0)
        return 3;
    return -1;
}

bool
gw_utf8_valid(const char *text, size_t len)
{
    static const uint32_t least[] = {0, 0x80, 0x800, 0x10000};
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < len;) {
        int n = s_utf8_tail(s[i]);
        if (s[i] == 0 || n < 0 || (size_t)n >= len - i)
            return false;
        uint32_t cp = n ? s[i] & (0x3f >> n) : s[i];
        for (int k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < least[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += (size_t)n + 1;
    }
    return true;
}

int
gw_status_of(sr_err_t code)
{
    switch (code) {
    case SR_EINVAL:
    case SR_EPROTO:
    case SR_EEXPR:
        return 400;
    case SR_EAUTH:
        return 401;
    case SR_ENOTFOUND:
        return 404;
    case SR_EEXIST:
    case SR_ESTATE:
        return 409;
    case SR_ETOOBIG:
        return 413;
    case SR_EVERSION:
        return 502;
    case SR_ETIMEDOUT:
    case SR_EUNAVAIL:
    case SR_EIO:
        return 503;
    default:
        return 500;
    }
}

void
gw_resp_fini(gw_resp_t *r)
{
    free(r->body);
    memset(r, 0, sizeof *r);
}

static void
s_set(gw_resp_t *r, int status, const char *ctype, char *body, size_t len)
{
    free(r->body);
    r->status = status;
    r->content_type = ctype;
    r->body = body;
    r->body_len = len;
}

void
gw_resp_text(gw_resp_t *r, int status, const char *content_type, char *text,
             size_t len)
{
    s_set(r, status, content_type, text, len);
}

void
gw_resp_json(gw_resp_t *r, int status, sr_value_t **body_p)
{
    char *text = *body_p ? sr_value_to_json(*body_p, SR_JSON_COMPACT) : NULL;
    sr_value_destroy(body_p);
    if (!text) {
        static const char oom[] = "{\"faultcode\": \"Server\", \"faultstring\":"
                                  " \"out of memory\", \"debuginfo\": null, "
                                  "\"code\": \"ENOMEM\"}";
        text = strdup(oom);
        status = 500;
    }
    s_set(r, status, "application/json", text, text ? strlen(text) : 0);
}

static void
s_error(gw_resp_t *r, int status, sr_err_t code, const char *msg)
{
    sr_value_t *m = sr_value_new_map(4);
    if (m && (sr_value_map_put(
                  m, "faultcode",
                  sr_value_new_str(status < 500 ? "Client" : "Server")) ||
              sr_value_map_put(m, "faultstring", sr_value_new_str(msg)) ||
              sr_value_map_put(m, "debuginfo", sr_value_new_nil()) ||
              sr_value_map_put(m, "code", sr_value_new_str(sr_strerror(code)))))
        sr_value_destroy(&m);
    gw_resp_json(r, status, &m);
}

void
gw_resp_error(gw_resp_t *r, int status, sr_err_t code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s_error(r, status, code, msg);
}

void
gw_resp_from_error(gw_resp_t *r, const sr_error_t *e, int retry_after_s)
{
    char text[sizeof e->where + sizeof e->msg + 4];
    int status = gw_status_of(e->code);
    s_error(r, status, e->code, sr_error_text(e, text, sizeof text));
    if (status == 503)
        r->retry_after_s = retry_after_s;
}
