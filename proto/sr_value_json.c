// JSON conversion for values: jansson parses, a small emitter writes. The
// emitter owns a growable buffer per call and nothing else. Reentrant.
#include "sr_value_json.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *data;
    size_t len, cap;
    bool failed;
} s_buf_t;

static void
s_put(s_buf_t *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (b->len + n + 1 > cap)
            cap *= 2;
        char *data = realloc(b->data, cap);
        if (!data) {
            b->failed = true;
            return;
        }
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void
s_puts(s_buf_t *b, const char *s)
{
    s_put(b, s, strlen(s));
}

const char *
sr_format_double(double d, char *buf, size_t size)
{
    if (!isfinite(d)) {
        snprintf(buf, size, "%s",
                 isnan(d) ? "NaN"
                 : d > 0  ? "Infinity"
                          : "-Infinity");
        return buf;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, d);
        if (strtod(buf, NULL) == d)
            break;
    }
    if (!strpbrk(buf, ".eEn")) {
        size_t n = strlen(buf);
        if (n + 3 <= size)
            memcpy(buf + n, ".0", 3);
    }
    return buf;
}

// Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid.
static size_t
s_utf8_len(const unsigned char *s, size_t left)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, min = 0x10000;
    else
        return 0;
    if (n > left)
        return 0;
    unsigned cp = c & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

static void
s_put_string(s_buf_t *b, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    s_put(b, "\"", 1);
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            s_put(b, esc, 2);
            i++;
        } else if (c < 0x20) {
            const char *named = c == '\n'   ? "\\n"
                                : c == '\t' ? "\\t"
                                : c == '\r' ? "\\r"
                                : c == '\b' ? "\\b"
                                : c == '\f' ? "\\f"
                                            : NULL;
            if (named)
                s_puts(b, named);
            else {
                snprintf(esc, sizeof esc, "\\u%04x", c);
                s_puts(b, esc);
            }
            i++;
        } else {
            size_t n = s_utf8_len(p + i, len - i);
            if (n == 0) {
                s_puts(b, "\\ufffd");
                i++;
            } else {
                s_put(b, s + i, n);
                i += n;
            }
        }
    }
    s_put(b, "\"", 1);
}

static void
s_indent(s_buf_t *b, int flags, int depth)
{
    if (!(flags & SR_JSON_PRETTY))
        return;
    s_put(b, "\n", 1);
    for (int i = 0; i < depth; i++)
        s_put(b, "    ", 4);
}

static int
s_key_cmp(const void *x, const void *y)
{
    const sr_value_t *a = *(sr_value_t *const *)x;
    const sr_value_t *b = *(sr_value_t *const *)y;
    return sr_value_compare(a, b);
}

static void s_emit(s_buf_t *b, const sr_value_t *v, int flags, int depth);

static void
s_emit_map(s_buf_t *b, const sr_value_t *v, int flags, int depth)
{
    size_t n = sr_value_len(v);
    if (n == 0) {
        s_puts(b, "{}");
        return;
    }
    sr_value_t **keys = malloc(n * sizeof *keys);
    if (!keys) {
        b->failed = true;
        return;
    }
    for (size_t i = 0; i < n; i++)
        keys[i] = sr_value_map_key(v, i);
    if (flags & SR_JSON_SORT_KEYS)
        qsort(keys, n, sizeof *keys, s_key_cmp);
    const char *sep = (flags & (SR_JSON_SPACED | SR_JSON_PRETTY)) ? ": " : ":";
    s_put(b, "{", 1);
    for (size_t i = 0; i < n; i++) {
        if (i)
            s_puts(b, (flags & SR_JSON_SPACED) && !(flags & SR_JSON_PRETTY)
                          ? ", "
                          : ",");
        s_indent(b, flags, depth + 1);
        s_put_string(b, sr_value_str(keys[i]), sr_value_len(keys[i]));
        s_puts(b, sep);
        s_emit(
            b,
            sr_value_map_getn(v, sr_value_str(keys[i]), sr_value_len(keys[i])),
            flags, depth + 1);
    }
    s_indent(b, flags, depth);
    s_put(b, "}", 1);
    free(keys);
}

static void
s_emit(s_buf_t *b, const sr_value_t *v, int flags, int depth)
{
    char num[40];
    switch (sr_value_type(v)) {
    case SR_T_NIL:
        s_puts(b, "null");
        break;
    case SR_T_BOOL:
        s_puts(b, sr_value_bool(v) ? "true" : "false");
        break;
    case SR_T_INT:
        snprintf(num, sizeof num, "%lld", (long long)sr_value_int(v));
        s_puts(b, num);
        break;
    case SR_T_FLOAT:
        if (!isfinite(sr_value_float(v)))
            s_puts(b, "null");
        else
            s_puts(b, sr_format_double(sr_value_float(v), num, sizeof num));
        break;
    case SR_T_STR:
        s_put_string(b, sr_value_str(v), sr_value_len(v));
        break;
    case SR_T_BIN: {
        size_t len;
        const void *p = sr_value_bin(v, &len);
        size_t cap =
            sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
        char *text = malloc(cap);
        if (!text) {
            b->failed = true;
            return;
        }
        sodium_bin2base64(text, cap, p, len, sodium_base64_VARIANT_ORIGINAL);
        s_put_string(b, text, strlen(text));
        free(text);
        break;
    }
    case SR_T_ARRAY: {
        size_t n = sr_value_len(v);
        if (n == 0) {
            s_puts(b, "[]");
            break;
        }
        s_put(b, "[", 1);
        for (size_t i = 0; i < n; i++) {
            if (i)
                s_puts(b, (flags & SR_JSON_SPACED) && !(flags & SR_JSON_PRETTY)
                              ? ", "
                              : ",");
            s_indent(b, flags, depth + 1);
            s_emit(b, sr_value_array_at(v, i), flags, depth + 1);
        }
        s_indent(b, flags, depth);
        s_put(b, "]", 1);
        break;
    }
    case SR_T_MAP:
        s_emit_map(b, v, flags, depth);
        break;
    }
}

char *
sr_value_to_json(const sr_value_t *v, int flags)
{
    s_buf_t b = {0};
    s_emit(&b, v, flags, 0);
    if (b.failed) {
        free(b.data);
        return NULL;
    }
    return b.data;
}

json_t *
sr_value_to_jansson(const sr_value_t *v)
{
    switch (sr_value_type(v)) {
    case SR_T_NIL:
        return json_null();
    case SR_T_BOOL:
        return json_boolean(sr_value_bool(v));
    case SR_T_INT:
        return json_integer(sr_value_int(v));
    case SR_T_FLOAT:
        return isfinite(sr_value_float(v)) ? json_real(sr_value_float(v))
                                           : json_null();
    case SR_T_STR:
        return json_stringn_nocheck(sr_value_str(v), sr_value_len(v));
    case SR_T_BIN: {
        char *text = sr_value_to_json(v, 0); // base64 in quotes
        if (!text)
            return NULL;
        json_t *j = json_stringn(text + 1, strlen(text) - 2);
        free(text);
        return j;
    }
    case SR_T_ARRAY: {
        json_t *a = json_array();
        for (size_t i = 0; a && i < sr_value_len(v); i++) {
            if (json_array_append_new(
                    a, sr_value_to_jansson(sr_value_array_at(v, i)))) {
                json_decref(a);
                return NULL;
            }
        }
        return a;
    }
    case SR_T_MAP: {
        json_t *o = json_object();
        for (size_t i = 0; o && i < sr_value_len(v); i++) {
            const sr_value_t *k = sr_value_map_key(v, i);
            if (json_object_setn_new_nocheck(
                    o, sr_value_str(k), sr_value_len(k),
                    sr_value_to_jansson(sr_value_map_val(v, i)))) {
                json_decref(o);
                return NULL;
            }
        }
        return o;
    }
    }
    return NULL;
}

static sr_err_t
s_from_jansson(const json_t *j, int depth, int max_depth, sr_value_t **out,
               sr_error_t *err)
{
    if (depth > max_depth)
        return sr_error_set(err, SR_ETOOBIG, "JSON nesting deeper than %d",
                            max_depth);
    sr_value_t *v = NULL;
    switch (json_typeof(j)) {
    case JSON_NULL:
        v = sr_value_new_nil();
        break;
    case JSON_TRUE:
        v = sr_value_new_bool(true);
        break;
    case JSON_FALSE:
        v = sr_value_new_bool(false);
        break;
    case JSON_INTEGER:
        v = sr_value_new_int(json_integer_value(j));
        break;
    case JSON_REAL:
        v = sr_value_new_float(json_real_value(j));
        break;
    case JSON_STRING:
        v = sr_value_new_strn(json_string_value(j), json_string_length(j));
        break;
    case JSON_ARRAY: {
        size_t n = json_array_size(j);
        v = sr_value_new_array(n);
        for (size_t i = 0; v && i < n; i++) {
            sr_value_t *item = NULL;
            sr_err_t rc = s_from_jansson(json_array_get(j, i), depth + 1,
                                         max_depth, &item, err);
            if (!rc)
                rc = sr_value_array_append(v, item);
            if (rc) {
                sr_value_destroy(&v);
                return rc;
            }
        }
        break;
    }
    case JSON_OBJECT: {
        v = sr_value_new_map(json_object_size(j));
        const char *key;
        size_t klen;
        json_t *val;
        json_object_keylen_foreach((json_t *)j, key, klen, val)
        {
            if (!v)
                break;
            sr_value_t *item = NULL;
            sr_err_t rc = s_from_jansson(val, depth + 1, max_depth, &item, err);
            if (!rc)
                rc = sr_value_map_putn(v, key, klen, item);
            if (rc) {
                sr_value_destroy(&v);
                return rc;
            }
        }
        break;
    }
    }
    if (!v)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    *out = v;
    return SR_OK;
}

sr_err_t
sr_value_from_jansson(const json_t *j, int max_depth, sr_value_t **out,
                      sr_error_t *err)
{
    if (!j)
        return sr_error_set(err, SR_EINVAL, "no JSON value");
    return s_from_jansson(
        j, 0, max_depth > 0 ? max_depth : SR_DEFAULT_MAX_DEPTH, out, err);
}

sr_err_t
sr_value_from_json(const char *text, size_t len, const sr_limits_t *limits,
                   sr_value_t **out, sr_error_t *err)
{
    sr_limits_t lim = sr_limits_resolve(limits);
    if (len > lim.max_bytes)
        return sr_error_set(err, SR_ETOOBIG,
                            "JSON text of %zu bytes exceeds the limit of %zu",
                            len, lim.max_bytes);
    json_error_t jerr;
    json_t *j = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!j)
        return sr_error_set(err, SR_EINVAL,
                            "invalid JSON at line %d column %d: %s", jerr.line,
                            jerr.column, jerr.text);
    sr_err_t rc = s_from_jansson(j, 0, lim.max_depth, out, err);
    json_decref(j);
    return rc;
}
