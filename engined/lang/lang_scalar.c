// Scalar resolution: the implicit types of PyYAML's YAML 1.1 resolver
// (bool, int, float, null; timestamps stay strings) and the explicit tags
// !!str, !!int, !!float, !!bool, !!null and the non-specific "!". Matches
// PyYAML's regular expressions by hand, character by character. Owns
// nothing; reentrant.
#include "lang_scalar.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define S_TAG_PREFIX "tag:yaml.org,2002:"

typedef struct {
    const char *p, *end;
} s_cur_t;

static bool
s_eq(const char *text, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(text, word, len) == 0;
}

static bool
s_is_null(const char *t, size_t n)
{
    return n == 0 || s_eq(t, n, "~") || s_eq(t, n, "null") ||
           s_eq(t, n, "Null") || s_eq(t, n, "NULL");
}

// 1 for a true word, 0 for a false word, -1 otherwise.
static int
s_bool_word(const char *t, size_t n, bool any_case)
{
    static const char *const s_true[] = {"yes",  "Yes", "YES", "true", "True",
                                         "TRUE", "on",  "On",  "ON"};
    static const char *const s_false[] = {
        "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
    char low[8];
    if (any_case && n < sizeof low) {
        for (size_t i = 0; i < n; i++)
            low[i] = (char)(t[i] >= 'A' && t[i] <= 'Z' ? t[i] + 32 : t[i]);
        t = low;
    }
    for (size_t i = 0; i < sizeof s_true / sizeof *s_true; i++)
        if (s_eq(t, n, s_true[i]))
            return 1;
    for (size_t i = 0; i < sizeof s_false / sizeof *s_false; i++)
        if (s_eq(t, n, s_false[i]))
            return 0;
    return -1;
}

static bool
s_in(char c, const char *set)
{
    return c != '\0' && strchr(set, c) != NULL;
}

// Skip characters of `set`; return how many.
static size_t
s_span(s_cur_t *c, const char *set)
{
    size_t n = 0;
    while (c->p < c->end && s_in(*c->p, set)) {
        c->p++;
        n++;
    }
    return n;
}

static bool
s_take(s_cur_t *c, char ch)
{
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

static void
s_sign(s_cur_t *c)
{
    if (c->p < c->end && (*c->p == '-' || *c->p == '+'))
        c->p++;
}

// (?::[0-5]?[0-9])+  -- at least one group.
static bool
s_sexagesimal_tail(s_cur_t *c)
{
    int groups = 0;
    while (c->p < c->end && *c->p == ':') {
        const char *save = c->p++;
        if (c->p < c->end && s_in(*c->p, "012345") && c->p + 1 < c->end &&
            s_in(c->p[1], "0123456789"))
            c->p += 2;
        else if (c->p < c->end && s_in(*c->p, "0123456789"))
            c->p += 1;
        else {
            c->p = save;
            break;
        }
        groups++;
    }
    return groups > 0;
}

static bool
s_is_int(const char *t, size_t n)
{
    static const char *const oct = "01234567_", *const dec = "0123456789_";
    s_cur_t c = {t, t + n};
    s_sign(&c);
    s_cur_t body = c;
    if (s_take(&c, '0')) {
        if (c.p == c.end)
            return true; // 0
        if (s_take(&c, 'b'))
            return s_span(&c, "01_") > 0 && c.p == c.end;
        if (s_take(&c, 'x'))
            return s_span(&c, "0123456789abcdefABCDEF_") > 0 && c.p == c.end;
        return s_span(&c, oct) > 0 && c.p == c.end;
    }
    c = body;
    if (c.p == c.end || !s_in(*c.p, "123456789"))
        return false;
    c.p++;
    s_span(&c, dec);
    if (c.p == c.end)
        return true;
    return s_sexagesimal_tail(&c) && c.p == c.end;
}

// [eE][-+][0-9]+ (optional)
static bool
s_exponent(s_cur_t *c)
{
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p >= c->end || (*c->p != '-' && *c->p != '+'))
            return false;
        c->p++;
        return s_span(c, "0123456789") > 0;
    }
    return true;
}

static bool
s_is_float(const char *t, size_t n)
{
    static const char *const dec = "0123456789_";
    s_cur_t c = {t, t + n};
    if (s_eq(t, n, ".nan") || s_eq(t, n, ".NaN") || s_eq(t, n, ".NAN"))
        return true;
    if (n > 0 && *t == '.' && n > 1 && s_in(t[1], "0123456789")) {
        c.p = t + 1; // \.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
        s_span(&c, dec);
        return s_exponent(&c) && c.p == c.end;
    }
    s_sign(&c);
    s_cur_t after_sign = c;
    if (c.end - c.p == 4 && c.p[0] == '.' &&
        (s_eq(c.p + 1, 3, "inf") || s_eq(c.p + 1, 3, "Inf") ||
         s_eq(c.p + 1, 3, "INF")))
        return true;
    if (c.p == c.end || !s_in(*c.p, "0123456789"))
        return false;
    c.p++;
    s_span(&c, dec);
    if (s_take(&c, '.')) { // [0-9][0-9_]*\.[0-9_]*(exp)?
        s_span(&c, dec);
        return s_exponent(&c) && c.p == c.end;
    }
    c = after_sign; // [0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    c.p++;
    s_span(&c, dec);
    if (!s_sexagesimal_tail(&c) || !s_take(&c, '.'))
        return false;
    s_span(&c, dec);
    return c.p == c.end;
}

// Copy without '_' into buf (NUL-terminated); false when too long.
static bool
s_strip(const char *t, size_t n, char *buf, size_t size)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '_')
            continue;
        if (k + 1 >= size)
            return false;
        buf[k++] = t[i];
    }
    buf[k] = '\0';
    return true;
}

// Accumulate digits of `base` into an unsigned magnitude with overflow
// checks. Returns false on overflow or a bad digit or no digit.
static bool
s_digits(const char *s, unsigned base, uint64_t *acc)
{
    if (*s == '\0')
        return false;
    for (; *s; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (*s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (*s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            return false;
        if (d >= base || *acc > (UINT64_MAX - d) / base)
            return false;
        *acc = *acc * base + d;
    }
    return true;
}

static sr_err_t
s_make_int(const char *t, size_t n, sr_value_t **out, const char **problem)
{
    char buf[128];
    *problem = "integer out of the 64-bit range";
    if (!s_strip(t, n, buf, sizeof buf) || buf[0] == '\0')
        return SR_EINVAL;
    char *s = buf;
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    uint64_t mag = 0;
    bool ok;
    if (strcmp(s, "0") == 0)
        ok = true;
    else if (strncmp(s, "0b", 2) == 0)
        ok = s_digits(s + 2, 2, &mag);
    else if (strncmp(s, "0x", 2) == 0)
        ok = s_digits(s + 2, 16, &mag);
    else if (s[0] == '0')
        ok = s_digits(s, 8, &mag);
    else if (strchr(s, ':')) {
        ok = true;
        char *save = NULL;
        for (char *part = strtok_r(s, ":", &save); part && ok;
             part = strtok_r(NULL, ":", &save)) {
            uint64_t d = 0;
            ok = s_digits(part, 10, &d) && mag <= (UINT64_MAX - d) / 60;
            mag = mag * 60 + d;
        }
    } else
        ok = s_digits(s, 10, &mag);
    if (!ok) {
        if (s_is_int(t, n))
            return SR_EINVAL; // well-formed but too large
        *problem = "not an integer";
        return SR_EINVAL;
    }
    if (neg ? mag > (uint64_t)INT64_MAX + 1 : mag > (uint64_t)INT64_MAX)
        return SR_EINVAL;
    int64_t v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    *out = sr_value_new_int(v);
    return *out ? SR_OK : SR_ENOMEM;
}

static sr_err_t
s_make_float(const char *t, size_t n, sr_value_t **out, const char **problem)
{
    char buf[128];
    *problem = "not a number";
    if (!s_strip(t, n, buf, sizeof buf) || buf[0] == '\0')
        return SR_EINVAL;
    for (char *p = buf; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
    char *s = buf;
    double sign = *s == '-' ? -1.0 : 1.0;
    if (*s == '-' || *s == '+')
        s++;
    double v;
    if (strcmp(s, ".inf") == 0)
        v = INFINITY;
    else if (strcmp(s, ".nan") == 0)
        v = NAN;
    else if (strchr(s, ':')) {
        v = 0.0;
        char *save = NULL;
        for (char *part = strtok_r(s, ":", &save); part;
             part = strtok_r(NULL, ":", &save)) {
            char *end;
            double d = strtod(part, &end);
            if (*end != '\0' || end == part)
                return SR_EINVAL;
            v = v * 60 + d;
        }
    } else {
        char *end;
        v = strtod(s, &end);
        if (*end != '\0' || end == s || s_in(*s, "xXnNiI"))
            return SR_EINVAL;
    }
    *out = sr_value_new_float(sign * v);
    return *out ? SR_OK : SR_ENOMEM;
}

static sr_err_t
s_resolve_tagged(const char *t, size_t n, const char *tag, sr_value_t **out,
                 const char **problem)
{
    if (strcmp(tag, "!") == 0 || strcmp(tag, S_TAG_PREFIX "str") == 0 ||
        strcmp(tag, S_TAG_PREFIX "timestamp") == 0) {
        *out = sr_value_new_strn(t, n);
        return *out ? SR_OK : SR_ENOMEM;
    }
    if (strcmp(tag, S_TAG_PREFIX "null") == 0) {
        *out = sr_value_new_nil();
        return SR_OK;
    }
    if (strcmp(tag, S_TAG_PREFIX "bool") == 0) {
        int b = s_bool_word(t, n, true);
        *problem = "not a boolean";
        if (b < 0)
            return SR_EINVAL;
        *out = sr_value_new_bool(b == 1);
        return SR_OK;
    }
    if (strcmp(tag, S_TAG_PREFIX "int") == 0)
        return s_make_int(t, n, out, problem);
    if (strcmp(tag, S_TAG_PREFIX "float") == 0)
        return s_make_float(t, n, out, problem);
    *problem = "unsupported YAML tag";
    return SR_EINVAL;
}

sr_err_t
lang_scalar_resolve(const char *text, size_t len, bool is_plain,
                    const char *tag, sr_value_t **out, const char **problem)
{
    *problem = NULL;
    if (tag)
        return s_resolve_tagged(text, len, tag, out, problem);
    if (is_plain) {
        if (s_is_null(text, len)) {
            *out = sr_value_new_nil();
            return SR_OK;
        }
        int b = s_bool_word(text, len, false);
        if (b >= 0) {
            *out = sr_value_new_bool(b == 1);
            return SR_OK;
        }
        if (s_is_float(text, len))
            return s_make_float(text, len, out, problem);
        if (s_is_int(text, len))
            return s_make_int(text, len, out, problem);
    }
    *out = sr_value_new_strn(text, len);
    return *out ? SR_OK : SR_ENOMEM;
}

bool
lang_scalar_is_merge(const char *text, size_t len, bool is_plain,
                     const char *tag)
{
    if (tag)
        return strcmp(tag, S_TAG_PREFIX "merge") == 0;
    return is_plain && s_eq(text, len, "<<");
}
