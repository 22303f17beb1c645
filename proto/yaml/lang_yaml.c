// The YAML 1.1 resolver of PyYAML: which plain scalars are null, bool, int,
// float or a timestamp, and their values (0x1F, 0o17 as 017, 1_000, 1:30,
// .inf). The emitter and parser (lang_yaml_io.c) rely on it. Pure functions.
#include "lang_yaml.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool
s_eq(const char *s, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(s, word, len) == 0;
}

static bool
s_any(const char *s, size_t len, const char *const *words)
{
    for (; *words; words++)
        if (s_eq(s, len, *words))
            return true;
    return false;
}

// Count of chars from `set` at s[i..len).
static size_t
s_span(const char *s, size_t i, size_t len, const char *set)
{
    size_t k = i;
    while (k < len && strchr(set, s[k]))
        k++;
    return k - i;
}

// (:[0-5]?[0-9])+ at s[*i]; advances on success.
static bool
s_sexagesimal(const char *s, size_t len, size_t *i)
{
    size_t k = *i, groups = 0;
    while (k < len && s[k] == ':') {
        size_t d = s_span(s, k + 1, len, "0123456789");
        if (d < 1 || d > 2 || (d == 2 && s[k + 1] > '5'))
            break;
        k += 1 + d;
        groups++;
    }
    if (groups)
        *i = k;
    return groups > 0;
}

static bool
s_is_int(const char *s, size_t len)
{
    size_t i = len && (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (i + 2 <= len && s[i] == '0' && (s[i + 1] == 'b' || s[i + 1] == 'x')) {
        const char *set = s[i + 1] == 'b' ? "01_" : "0123456789abcdefABCDEF_";
        size_t n = s_span(s, i + 2, len, set);
        return n > 0 && i + 2 + n == len;
    }
    if (i < len && s[i] == '0')
        return i + 1 == len ||
               i + 1 + s_span(s, i + 1, len, "01234567_") == len;
    if (i >= len || s[i] < '1' || s[i] > '9')
        return false;
    i += 1 + s_span(s, i + 1, len, "0123456789_");
    if (i < len && s[i] == ':' && !s_sexagesimal(s, len, &i))
        return false;
    return i == len;
}

// [eE][-+][0-9]+ at s[*i] (optional).
static void
s_exponent(const char *s, size_t len, size_t *i)
{
    if (*i + 2 < len && (s[*i] == 'e' || s[*i] == 'E') &&
        (s[*i + 1] == '-' || s[*i + 1] == '+')) {
        size_t d = s_span(s, *i + 2, len, "0123456789");
        if (d)
            *i += 2 + d;
    }
}

static bool
s_is_float(const char *s, size_t len)
{
    static const char *const inf[] = {".inf", ".Inf", ".INF", NULL};
    static const char *const nan[] = {".nan", ".NaN", ".NAN", NULL};
    if (s_any(s, len, nan))
        return true;
    size_t i = len && (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (s_any(s + i, len - i, inf))
        return true;
    if (i == 0 && len > 1 && s[0] == '.') { // .5 (no sign allowed)
        size_t k = 1 + s_span(s, 1, len, "0123456789_");
        if (k == 1)
            return false;
        s_exponent(s, len, &k);
        return k == len;
    }
    if (i >= len || !isdigit((unsigned char)s[i]))
        return false;
    i += 1 + s_span(s, i + 1, len, "0123456789_");
    bool sexa = i < len && s[i] == ':' && s_sexagesimal(s, len, &i);
    if (i >= len || s[i] != '.')
        return false;
    i += 1 + s_span(s, i + 1, len, "0123456789_");
    if (!sexa)
        s_exponent(s, len, &i);
    return i == len;
}

static bool
s_digits(const char *s, size_t len, size_t *i, size_t lo, size_t hi)
{
    size_t d = s_span(s, *i, len, "0123456789");
    if (d < lo || d > hi)
        return false;
    *i += d;
    return true;
}

static bool
s_is_timestamp(const char *s, size_t len)
{
    size_t i = 0;
    if (len == 10 && s_digits(s, len, &i, 4, 4) && s[4] == '-' &&
        (i = 5, s_digits(s, len, &i, 2, 2)) && s[7] == '-' &&
        (i = 8, s_digits(s, len, &i, 2, 2)))
        return true;
    i = 0;
    if (!s_digits(s, len, &i, 4, 4) || i >= len || s[i++] != '-' ||
        !s_digits(s, len, &i, 1, 2) || i >= len || s[i++] != '-' ||
        !s_digits(s, len, &i, 1, 2) || i >= len)
        return false;
    if (s[i] == 'T' || s[i] == 't')
        i++;
    else if (!s_span(s, i, len, " \t"))
        return false;
    else
        i += s_span(s, i, len, " \t");
    if (!s_digits(s, len, &i, 1, 2) || i >= len || s[i++] != ':' ||
        !s_digits(s, len, &i, 2, 2) || i >= len || s[i++] != ':' ||
        !s_digits(s, len, &i, 2, 2))
        return false;
    if (i < len && s[i] == '.')
        i += 1 + s_span(s, i + 1, len, "0123456789");
    i += s_span(s, i, len, " \t");
    if (i < len && s[i] == 'Z') {
        i++;
    } else if (i < len && (s[i] == '-' || s[i] == '+')) {
        i++;
        if (!s_digits(s, len, &i, 1, 2))
            return false;
        if (i < len && s[i] == ':' && (i++, !s_digits(s, len, &i, 2, 2)))
            return false;
    }
    return i == len;
}

lang_yaml_type_t
lang_yaml_resolve(const char *s, size_t len)
{
    static const char *const bools[] = {
        "yes",  "Yes",  "YES",   "no",    "No",    "NO", "true",
        "True", "TRUE", "false", "False", "FALSE", "on", "On",
        "ON",   "off",  "Off",   "OFF",   NULL};
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    if (s_any(s, len, nulls))
        return LANG_YAML_NULL;
    if (s_any(s, len, bools))
        return LANG_YAML_BOOL;
    if (s_is_int(s, len))
        return LANG_YAML_INT;
    if (s_is_float(s, len))
        return LANG_YAML_FLOAT;
    if (s_is_timestamp(s, len))
        return LANG_YAML_TIMESTAMP;
    if (s_eq(s, len, "<<"))
        return LANG_YAML_MERGE;
    if (s_eq(s, len, "="))
        return LANG_YAML_VALUE;
    return LANG_YAML_STR;
}

// Digits of s without '_' into buf; false when too long.
static bool
s_clean(const char *s, size_t len, char *buf, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '_')
            continue;
        if (n + 1 >= size)
            return false;
        buf[n++] = s[i];
    }
    buf[n] = '\0';
    return true;
}

// a:b:c in base 60.
static double
s_base60(const char *s)
{
    double v = 0;
    while (*s) {
        v = v * 60 + strtod(s, (char **)&s);
        if (*s == ':')
            s++;
    }
    return v;
}

static sr_err_t
s_int_value(const char *s, size_t len, sr_value_t **out)
{
    char buf[96];
    if (!s_clean(s, len, buf, sizeof buf))
        return SR_EINVAL;
    char *p = buf;
    bool neg = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    int base = 10;
    if (p[0] == '0' && p[1] == 'b')
        base = 2, p += 2;
    else if (p[0] == '0' && p[1] == 'x')
        base = 16, p += 2;
    else if (p[0] == '0' && p[1])
        base = 8, p += 1;
    if (strchr(p, ':')) {
        double v = s_base60(p);
        if (v > 9.2e18)
            return SR_EINVAL;
        *out = sr_value_new_int(neg ? -(int64_t)v : (int64_t)v);
        return *out ? SR_OK : SR_ENOMEM;
    }
    errno = 0;
    unsigned long long u = strtoull(p, NULL, base);
    if (errno || u > (neg ? (unsigned long long)INT64_MAX + 1 : INT64_MAX))
        return SR_EINVAL;
    *out = sr_value_new_int(neg ? (int64_t)(0 - u) : (int64_t)u);
    return *out ? SR_OK : SR_ENOMEM;
}

static sr_err_t
s_float_value(const char *s, size_t len, sr_value_t **out)
{
    char buf[128];
    if (!s_clean(s, len, buf, sizeof buf))
        return SR_EINVAL;
    for (char *p = buf; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    char *p = buf + (buf[0] == '-' || buf[0] == '+');
    double sign = buf[0] == '-' ? -1 : 1, v;
    if (strcmp(p, ".inf") == 0)
        v = sign * INFINITY;
    else if (strcmp(p, ".nan") == 0)
        v = NAN;
    else if (strchr(p, ':'))
        v = sign * s_base60(p);
    else
        v = strtod(buf, NULL);
    *out = sr_value_new_float(v);
    return *out ? SR_OK : SR_ENOMEM;
}

sr_err_t
lang_yaml_scalar(const char *s, size_t len, sr_value_t **out)
{
    switch (lang_yaml_resolve(s, len)) {
    case LANG_YAML_NULL:
        *out = sr_value_new_nil();
        return SR_OK;
    case LANG_YAML_BOOL:
        *out = sr_value_new_bool(strchr("yYtToO", s[0]) &&
                                 !(len >= 2 && (s[1] == 'f' || s[1] == 'F')));
        return SR_OK;
    case LANG_YAML_INT:
        return s_int_value(s, len, out);
    case LANG_YAML_FLOAT:
        return s_float_value(s, len, out);
    default:
        *out = sr_value_new_strn(s, len);
        return *out ? SR_OK : SR_ENOMEM;
    }
}
