// Python's text forms of values: str(), repr(), float repr and json.dumps,
// written into a growable buffer with a size limit. Mistral converts every
// value that sits inside text with str(), and json_dump() is json.dumps, so
// these must match Python byte for byte. Reentrant; owns only the buffer.
#include "lang_text.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang_expr.h"

#define S_MAX_DEPTH 256 // deeper containers print as "..."

sr_err_t
lang_buf_put(lang_buf_t *b, const char *s, size_t n)
{
    if (b->limit && (n > b->limit || b->len > b->limit - n))
        return SR_ETOOBIG;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *data = realloc(b->data, cap);
        if (!data)
            return SR_ENOMEM;
        b->data = data;
        b->cap = cap;
    }
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return SR_OK;
}

sr_err_t
lang_buf_puts(lang_buf_t *b, const char *s)
{
    return lang_buf_put(b, s, strlen(s));
}

sr_err_t
lang_buf_putc(lang_buf_t *b, char c)
{
    return lang_buf_put(b, &c, 1);
}

sr_err_t
lang_buf_take(lang_buf_t *b, sr_value_t **out)
{
    sr_value_t *v = sr_value_new_strn(b->data ? b->data : "", b->len);
    if (!v)
        return SR_ENOMEM;
    b->len = 0;
    *out = v;
    return SR_OK;
}

void
lang_buf_fini(lang_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

// Decode the code point at s[*i]; invalid bytes give -1 and advance by one.
static int32_t
s_utf8_next(const char *s, size_t len, size_t *i)
{
    const unsigned char *p = (const unsigned char *)s + *i;
    size_t left = len - *i;
    unsigned c = p[0];
    size_t n;
    uint32_t min, cp;
    if (c < 0x80) {
        *i += 1;
        return (int32_t)c;
    }
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, min = 0x80, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, min = 0x800, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, min = 0x10000, cp = c & 0x07;
    else
        goto bad;
    if (n > left)
        goto bad;
    for (size_t k = 1; k < n; k++) {
        if ((p[k] & 0xc0) != 0x80)
            goto bad;
        cp = (cp << 6) | (p[k] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        goto bad;
    *i += n;
    return (int32_t)cp;
bad:
    *i += 1;
    return -1;
}

size_t
lang_utf8_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; n++)
        s_utf8_next(s, len, &i);
    return n;
}

size_t
lang_utf8_offset(const char *s, size_t len, size_t index)
{
    size_t i = 0;
    for (size_t n = 0; n < index && i < len; n++)
        s_utf8_next(s, len, &i);
    return i;
}

const char *
lang_format_float(double d, char *buf, size_t size)
{
    if (isnan(d)) {
        snprintf(buf, size, "nan");
        return buf;
    }
    if (isinf(d)) {
        snprintf(buf, size, d > 0 ? "inf" : "-inf");
        return buf;
    }
    char sci[40];
    for (int prec = 0; prec <= 16; prec++) {
        snprintf(sci, sizeof sci, "%.*e", prec, d);
        if (strtod(sci, NULL) == d)
            break;
    }
    // sci is [-]D[.DDD]e(+|-)XX: collect the digits and the exponent.
    char digits[24];
    size_t nd = 0;
    const char *p = sci;
    bool neg = *p == '-';
    if (neg)
        p++;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9' && nd + 1 < sizeof digits)
            digits[nd++] = *p;
    digits[nd] = '\0';
    int exp = *p == 'e' ? atoi(p + 1) : 0;
    char out[64];
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    if (exp >= -4 && exp < 16) {
        if (exp < 0) {
            out[o++] = '0';
            out[o++] = '.';
            for (int k = -1; k > exp; k--)
                out[o++] = '0';
            memcpy(out + o, digits, nd);
            o += nd;
        } else {
            for (int k = 0; k <= exp; k++)
                out[o++] = (size_t)k < nd ? digits[k] : '0';
            out[o++] = '.';
            if ((size_t)exp + 1 < nd) {
                memcpy(out + o, digits + exp + 1, nd - (size_t)exp - 1);
                o += nd - (size_t)exp - 1;
            } else {
                out[o++] = '0';
            }
        }
        out[o] = '\0';
    } else {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            memcpy(out + o, digits + 1, nd - 1);
            o += nd - 1;
        }
        snprintf(out + o, sizeof out - o, "e%c%02d", exp < 0 ? '-' : '+',
                 exp < 0 ? -exp : exp);
    }
    snprintf(buf, size, "%s", out);
    return buf;
}

static sr_err_t
s_repr_str(lang_buf_t *b, const char *s, size_t len, char prefix)
{
    bool has_single = memchr(s, '\'', len) != NULL;
    bool has_double = memchr(s, '"', len) != NULL;
    char quote = has_single && !has_double ? '"' : '\'';
    sr_err_t rc = SR_OK;
    if (prefix)
        rc = lang_buf_putc(b, prefix);
    if (rc == SR_OK)
        rc = lang_buf_putc(b, quote);
    size_t i = 0;
    while (rc == SR_OK && i < len) {
        size_t at = i;
        int32_t cp = prefix ? (unsigned char)s[i++] : s_utf8_next(s, len, &i);
        char esc[12];
        if (cp == quote || cp == '\\') {
            esc[0] = '\\';
            esc[1] = (char)cp;
            rc = lang_buf_put(b, esc, 2);
        } else if (cp == '\n' || cp == '\r' || cp == '\t') {
            esc[0] = '\\';
            esc[1] = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
            rc = lang_buf_put(b, esc, 2);
        } else if (cp < 0) {
            snprintf(esc, sizeof esc, "\\x%02x", (unsigned char)s[at]);
            rc = lang_buf_puts(b, esc);
        } else if (cp < 0x20 || cp == 0x7f ||
                   (prefix ? cp >= 0x80 : (cp >= 0x80 && cp <= 0xa0)) ||
                   (!prefix && cp == 0xad)) {
            snprintf(esc, sizeof esc, "\\x%02x", (unsigned)cp);
            rc = lang_buf_puts(b, esc);
        } else {
            rc = lang_buf_put(b, s + at, i - at);
        }
    }
    return rc == SR_OK ? lang_buf_putc(b, quote) : rc;
}

static sr_err_t s_text(lang_buf_t *b, const sr_value_t *v, bool repr,
                       int depth);

static sr_err_t
s_container(lang_buf_t *b, const sr_value_t *v, int depth)
{
    bool is_map = sr_value_type(v) == SR_T_MAP;
    size_t n = sr_value_len(v);
    sr_err_t rc = lang_buf_putc(b, is_map ? '{' : '[');
    if (depth >= S_MAX_DEPTH && n)
        return rc == SR_OK ? lang_buf_puts(b, is_map ? "...}" : "...]") : rc;
    for (size_t i = 0; rc == SR_OK && i < n; i++) {
        if (i)
            rc = lang_buf_put(b, ", ", 2);
        if (rc == SR_OK && is_map) {
            const sr_value_t *k = sr_value_map_key(v, i);
            if ((rc = s_repr_str(b, sr_value_str(k), sr_value_len(k), 0)) ==
                SR_OK)
                rc = lang_buf_put(b, ": ", 2);
        }
        if (rc == SR_OK)
            rc = s_text(
                b, is_map ? sr_value_map_val(v, i) : sr_value_array_at(v, i),
                true, depth + 1);
    }
    return rc == SR_OK ? lang_buf_putc(b, is_map ? '}' : ']') : rc;
}

static sr_err_t
s_text(lang_buf_t *b, const sr_value_t *v, bool repr, int depth)
{
    char num[40];
    switch (sr_value_type(v)) {
    case SR_T_NIL:
        return lang_buf_puts(b, "None");
    case SR_T_BOOL:
        return lang_buf_puts(b, sr_value_bool(v) ? "True" : "False");
    case SR_T_INT:
        snprintf(num, sizeof num, "%lld", (long long)sr_value_int(v));
        return lang_buf_puts(b, num);
    case SR_T_FLOAT:
        return lang_buf_puts(
            b, lang_format_float(sr_value_float(v), num, sizeof num));
    case SR_T_STR:
        if (!repr)
            return lang_buf_put(b, sr_value_str(v), sr_value_len(v));
        return s_repr_str(b, sr_value_str(v), sr_value_len(v), 0);
    case SR_T_BIN: {
        size_t len;
        const void *p = sr_value_bin(v, &len);
        return s_repr_str(b, p, len, 'b');
    }
    case SR_T_ARRAY:
    case SR_T_MAP:
        return s_container(b, v, depth);
    }
    return SR_OK;
}

sr_err_t
lang_text_str(lang_buf_t *b, const sr_value_t *v)
{
    return s_text(b, v, false, 0);
}

sr_err_t
lang_text_repr(lang_buf_t *b, const sr_value_t *v)
{
    return s_text(b, v, true, 0);
}

char *
lang_value_to_text(const sr_value_t *v)
{
    lang_buf_t b = {0};
    if (lang_text_str(&b, v) != SR_OK || lang_buf_putc(&b, '\0') != SR_OK) {
        lang_buf_fini(&b);
        return NULL;
    }
    return b.data;
}

static sr_err_t
s_json_str(lang_buf_t *b, const char *s, size_t len, bool html)
{
    sr_err_t rc = lang_buf_putc(b, '"');
    size_t i = 0;
    while (rc == SR_OK && i < len) {
        size_t at = i;
        int32_t cp = s_utf8_next(s, len, &i);
        char esc[16];
        const char *named = cp == '"'    ? "\\\""
                            : cp == '\\' ? "\\\\"
                            : cp == '\n' ? "\\n"
                            : cp == '\r' ? "\\r"
                            : cp == '\t' ? "\\t"
                            : cp == '\b' ? "\\b"
                            : cp == '\f' ? "\\f"
                                         : NULL;
        bool html_char =
            html && (cp == '<' || cp == '>' || cp == '&' || cp == '\'');
        if (named) {
            rc = lang_buf_puts(b, named);
        } else if (cp >= 0x20 && cp < 0x7f && !html_char) {
            rc = lang_buf_put(b, s + at, 1);
        } else if (cp < 0) {
            rc = lang_buf_puts(b, "\\ufffd");
        } else if (cp >= 0x10000) {
            uint32_t u = (uint32_t)cp - 0x10000;
            snprintf(esc, sizeof esc, "\\u%04x\\u%04x", 0xd800 + (u >> 10),
                     0xdc00 + (u & 0x3ff));
            rc = lang_buf_puts(b, esc);
        } else {
            snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
            rc = lang_buf_puts(b, esc);
        }
    }
    return rc == SR_OK ? lang_buf_putc(b, '"') : rc;
}

static sr_err_t
s_json_newline(lang_buf_t *b, const lang_json_opts_t *o, int depth)
{
    sr_err_t rc = lang_buf_putc(b, '\n');
    for (int i = 0; rc == SR_OK && i < depth * o->indent; i++)
        rc = lang_buf_putc(b, ' ');
    return rc;
}

static int
s_key_cmp(const void *x, const void *y)
{
    const sr_value_t *a = *(sr_value_t *const *)x;
    const sr_value_t *b = *(sr_value_t *const *)y;
    size_t la = sr_value_len(a), lb = sr_value_len(b);
    int c = memcmp(sr_value_str(a), sr_value_str(b), la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

static sr_err_t s_json(lang_buf_t *b, const sr_value_t *v,
                       const lang_json_opts_t *o, int depth);

static sr_err_t
s_json_container(lang_buf_t *b, const sr_value_t *v, const lang_json_opts_t *o,
                 int depth)
{
    bool is_map = sr_value_type(v) == SR_T_MAP;
    size_t n = sr_value_len(v);
    if (n == 0)
        return lang_buf_puts(b, is_map ? "{}" : "[]");
    if (depth >= S_MAX_DEPTH)
        return SR_ETOOBIG;
    sr_value_t **keys = NULL;
    if (is_map) {
        if (!(keys = malloc(n * sizeof *keys)))
            return SR_ENOMEM;
        for (size_t i = 0; i < n; i++)
            keys[i] = sr_value_map_key(v, i);
        if (o->sort_keys)
            qsort(keys, n, sizeof *keys, s_key_cmp);
    }
    sr_err_t rc = lang_buf_putc(b, is_map ? '{' : '[');
    for (size_t i = 0; rc == SR_OK && i < n; i++) {
        if (i)
            rc = lang_buf_puts(b, o->indent >= 0 ? "," : ", ");
        if (rc == SR_OK && o->indent >= 0)
            rc = s_json_newline(b, o, depth + 1);
        const sr_value_t *item = sr_value_array_at(v, i);
        if (rc == SR_OK && is_map) {
            const sr_value_t *k = keys[i];
            item = sr_value_map_getn(v, sr_value_str(k), sr_value_len(k));
            if ((rc = s_json_str(b, sr_value_str(k), sr_value_len(k),
                                 o->html_safe)) == SR_OK)
                rc = lang_buf_put(b, ": ", 2);
        }
        if (rc == SR_OK)
            rc = s_json(b, item, o, depth + 1);
    }
    free(keys);
    if (rc == SR_OK && o->indent >= 0)
        rc = s_json_newline(b, o, depth);
    return rc == SR_OK ? lang_buf_putc(b, is_map ? '}' : ']') : rc;
}

static sr_err_t
s_json(lang_buf_t *b, const sr_value_t *v, const lang_json_opts_t *o, int depth)
{
    char num[40];
    switch (sr_value_type(v)) {
    case SR_T_NIL:
        return lang_buf_puts(b, "null");
    case SR_T_BOOL:
        return lang_buf_puts(b, sr_value_bool(v) ? "true" : "false");
    case SR_T_INT:
        snprintf(num, sizeof num, "%lld", (long long)sr_value_int(v));
        return lang_buf_puts(b, num);
    case SR_T_FLOAT: {
        double d = sr_value_float(v);
        if (isnan(d))
            return lang_buf_puts(b, "NaN");
        if (isinf(d))
            return lang_buf_puts(b, d > 0 ? "Infinity" : "-Infinity");
        return lang_buf_puts(b, lang_format_float(d, num, sizeof num));
    }
    case SR_T_STR:
        return s_json_str(b, sr_value_str(v), sr_value_len(v), o->html_safe);
    case SR_T_BIN: {
        size_t len;
        const char *p = sr_value_bin(v, &len);
        return s_json_str(b, p, len, o->html_safe);
    }
    case SR_T_ARRAY:
    case SR_T_MAP:
        return s_json_container(b, v, o, depth);
    }
    return SR_OK;
}

sr_err_t
lang_text_json(lang_buf_t *b, const sr_value_t *v, const lang_json_opts_t *opts)
{
    return s_json(b, v, opts, 0);
}
