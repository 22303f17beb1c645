// String built-ins with Python's semantics: case changes (ASCII letters
// only), split, replace, startsWith/endsWith, trim/strip, substring,
// format ('{0} {name}'), isEmpty, find. YAQL names (toUpper, trimLeft) and
// Jinja names (upper, lstrip) reach the same code. Jinja filters convert a
// non-string subject with str() first, as Jinja does.
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang_eval.h"
#include "lang_fn.h"
#include "lang_ops.h"
#include "lang_text.h"

// The subject string; *tmp holds a converted copy when one was needed.
static sr_err_t
s_subject(lang_call_t *c, const char **s, size_t *len, sr_value_t **tmp)
{
    *tmp = NULL;
    sr_value_t *v = c->argv[0];
    if (sr_value_type(v) != SR_T_STR) {
        if (!(c->node->flags & LANG_F_FILTER))
            return lang_fn_type(c, 0, "str");
        lang_buf_t b = {.limit = c->env->max_bytes};
        sr_err_t rc = lang_text_str(&b, v);
        if (rc == SR_OK)
            rc = lang_buf_take(&b, tmp);
        lang_buf_fini(&b);
        if (rc != SR_OK)
            return lang_fail_code(c->env, rc);
        v = *tmp;
    }
    *s = sr_value_str(v);
    *len = sr_value_len(v);
    return SR_OK;
}

static sr_err_t
s_take(lang_call_t *c, lang_buf_t *b, sr_err_t rc, sr_value_t **out)
{
    if (rc == SR_OK)
        rc = lang_buf_take(b, out);
    lang_buf_fini(b);
    return rc == SR_OK ? SR_OK : lang_fail_code(c->env, rc);
}

enum { S_UPPER, S_LOWER, S_CAPITALIZE, S_TITLE };

static sr_err_t
s_case(lang_call_t *c, int mode, sr_value_t **out)
{
    const char *s;
    size_t len;
    sr_value_t *tmp;
    sr_err_t rc = s_subject(c, &s, &len, &tmp);
    if (rc != SR_OK)
        return rc;
    sr_value_t *res = sr_value_new_strn(s, len);
    sr_value_destroy(&tmp);
    if (!res)
        return lang_oom(c->env);
    char *p = (char *)sr_value_str(res); // a new value nobody else holds
    bool prev_letter = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)p[i];
        bool up = mode == S_UPPER || (mode == S_CAPITALIZE && i == 0) ||
                  (mode == S_TITLE && !prev_letter);
        p[i] = (char)(up ? toupper(ch) : tolower(ch));
        prev_letter = isalpha(ch);
    }
    *out = res;
    return SR_OK;
}

static sr_err_t
s_upper(lang_call_t *c, sr_value_t **out)
{
    return s_case(c, S_UPPER, out);
}

static sr_err_t
s_lower(lang_call_t *c, sr_value_t **out)
{
    return s_case(c, S_LOWER, out);
}

static sr_err_t
s_capitalize(lang_call_t *c, sr_value_t **out)
{
    return s_case(c, S_CAPITALIZE, out);
}

static sr_err_t
s_title(lang_call_t *c, sr_value_t **out)
{
    return s_case(c, S_TITLE, out);
}

static bool
s_space(char ch)
{
    return ch == ' ' || (ch >= '\t' && ch <= '\r') || ch == '\x1c' ||
           ch == '\x1d' || ch == '\x1e' || ch == '\x1f';
}

static sr_err_t
s_push_part(lang_call_t *c, sr_value_t *list, const char *s, size_t n)
{
    return lang_fn_push(c, list, sr_value_new_strn(s, n));
}

// Python str.split(sep=None, maxsplit=-1).
static sr_err_t
s_split(lang_call_t *c, sr_value_t **out)
{
    const char *s, *sep = NULL;
    size_t len, seplen = 0;
    int64_t max = -1;
    sr_value_t *sepv = lang_call_arg(c, 1, "sep");
    sr_value_t *maxv = lang_call_arg(c, 2, "maxsplit");
    sr_err_t rc = lang_fn_str(c, 0, &s, &len);
    if (rc != SR_OK)
        return rc;
    if (sepv && sr_value_type(sepv) != SR_T_NIL) {
        if (sr_value_type(sepv) != SR_T_STR)
            return lang_fn_type(c, 1, "str");
        sep = sr_value_str(sepv);
        if (!(seplen = sr_value_len(sepv)))
            return lang_fail(c->env, "empty separator");
    }
    if (maxv && !lang_int(maxv, &max))
        return lang_fn_type(c, 2, "int");
    sr_value_t *list = sr_value_new_array(0);
    rc = list ? lang_step(c->env, len) : lang_oom(c->env);
    size_t i = 0;
    while (rc == SR_OK) {
        if (!sep)
            while (i < len && s_space(s[i]))
                i++;
        if (!sep && i == len)
            break;
        const char *hit = NULL;
        if (max != 0) {
            if (sep) {
                hit = memmem(s + i, len - i, sep, seplen);
            } else {
                size_t j = i;
                while (j < len && !s_space(s[j]))
                    j++;
                hit = j < len ? s + j : NULL;
            }
        }
        if (!hit) {
            rc = s_push_part(c, list, s + i, len - i);
            break;
        }
        rc = s_push_part(c, list, s + i, (size_t)(hit - s) - i);
        i = (size_t)(hit - s) + (sep ? seplen : 1);
        if (max > 0)
            max--;
    }
    if (rc != SR_OK)
        sr_value_destroy(&list);
    else
        *out = list;
    return rc;
}

// Python str.replace(old, new, count=-1).
static sr_err_t
s_replace(lang_call_t *c, sr_value_t **out)
{
    const char *s, *old, *new;
    size_t len, oldlen, newlen;
    sr_value_t *tmp, *countv = lang_call_arg(c, 3, "count");
    int64_t count = -1;
    if (countv && sr_value_type(countv) != SR_T_NIL &&
        !lang_int(countv, &count))
        return lang_fn_type(c, 3, "int");
    sr_err_t rc = lang_fn_str(c, 1, &old, &oldlen);
    if (rc == SR_OK)
        rc = lang_fn_str(c, 2, &new, &newlen);
    if (rc != SR_OK || (rc = s_subject(c, &s, &len, &tmp)) != SR_OK)
        return rc;
    lang_buf_t b = {.limit = c->env->max_bytes};
    size_t i = 0;
    rc = lang_step(c->env, len);
    while (rc == SR_OK && count != 0) {
        const char *hit = oldlen ? memmem(s + i, len - i, old, oldlen)
                                 : (i <= len ? s + i : NULL);
        if (!hit)
            break;
        size_t at = (size_t)(hit - s);
        if ((rc = lang_buf_put(&b, s + i, at - i)) == SR_OK)
            rc = lang_buf_put(&b, new, newlen);
        i = at + oldlen;
        if (!oldlen && rc == SR_OK) { // an empty `old` matches between chars
            if (i >= len) {
                i = len + 1;
                break;
            }
            size_t w = lang_utf8_offset(s + i, len - i, 1);
            rc = lang_buf_put(&b, s + i, w);
            i += w;
        }
        if (count > 0)
            count--;
    }
    if (rc == SR_OK && i < len)
        rc = lang_buf_put(&b, s + i, len - i);
    sr_value_destroy(&tmp);
    return s_take(c, &b, rc, out);
}

// startsWith / endsWith: YAQL takes several candidates, Jinja one or a list.
static sr_err_t
s_affix(lang_call_t *c, bool start, sr_value_t **out)
{
    const char *s;
    size_t len;
    sr_err_t rc = lang_fn_str(c, 0, &s, &len);
    bool yes = false;
    for (size_t i = 1; rc == SR_OK && i < c->argc && !yes; i++) {
        sr_value_t *cand = c->argv[i];
        size_t n = sr_value_type(cand) == SR_T_ARRAY ? sr_value_len(cand) : 1;
        for (size_t k = 0; k < n && !yes; k++) {
            sr_value_t *a = sr_value_type(cand) == SR_T_ARRAY
                                ? sr_value_array_at(cand, k)
                                : cand;
            if (sr_value_type(a) != SR_T_STR)
                return lang_fn_type(c, i, "str");
            size_t al = sr_value_len(a);
            yes = al <= len &&
                  memcmp(start ? s : s + len - al, sr_value_str(a), al) == 0;
        }
    }
    if (rc == SR_OK)
        *out = sr_value_new_bool(yes);
    return rc;
}

static sr_err_t
s_starts(lang_call_t *c, sr_value_t **out)
{
    return s_affix(c, true, out);
}

static sr_err_t
s_ends(lang_call_t *c, sr_value_t **out)
{
    return s_affix(c, false, out);
}

// Is the character at s[i] (w bytes) one of `chars` (all whitespace when
// chars is NULL)?
static bool
s_in_set(const char *s, size_t w, const char *chars, size_t nchars)
{
    if (!chars)
        return w == 1 && s_space(*s);
    for (size_t k = 0; k < nchars;) {
        size_t cw = lang_utf8_offset(chars + k, nchars - k, 1);
        if (cw == w && memcmp(chars + k, s, w) == 0)
            return true;
        k += cw;
    }
    return false;
}

enum { S_BOTH = 3, S_LEFT = 1, S_RIGHT = 2 };

static sr_err_t
s_strip(lang_call_t *c, int sides, sr_value_t **out)
{
    const char *s, *chars = NULL;
    size_t len, nchars = 0;
    sr_value_t *tmp, *cv = lang_call_arg(c, 1, "chars");
    if (cv && sr_value_type(cv) != SR_T_NIL) {
        if (sr_value_type(cv) != SR_T_STR)
            return lang_fn_type(c, 1, "str");
        chars = sr_value_str(cv);
        nchars = sr_value_len(cv);
    }
    sr_err_t rc = s_subject(c, &s, &len, &tmp);
    if (rc != SR_OK)
        return rc;
    size_t a = 0, b = len;
    while ((sides & S_LEFT) && a < b) {
        size_t w = lang_utf8_offset(s + a, b - a, 1);
        if (!s_in_set(s + a, w, chars, nchars))
            break;
        a += w;
    }
    while ((sides & S_RIGHT) && b > a) {
        size_t k = b - 1;
        while (k > a && ((unsigned char)s[k] & 0xc0) == 0x80)
            k--;
        if (!s_in_set(s + k, b - k, chars, nchars))
            break;
        b = k;
    }
    rc = lang_fn_ret(c, sr_value_new_strn(s + a, b - a), out);
    sr_value_destroy(&tmp);
    return rc;
}

static sr_err_t
s_trim(lang_call_t *c, sr_value_t **out)
{
    return s_strip(c, S_BOTH, out);
}

static sr_err_t
s_trim_left(lang_call_t *c, sr_value_t **out)
{
    return s_strip(c, S_LEFT, out);
}

static sr_err_t
s_trim_right(lang_call_t *c, sr_value_t **out)
{
    return s_strip(c, S_RIGHT, out);
}

// YAQL substring(start, length=-1), in characters.
static sr_err_t
s_substring(lang_call_t *c, sr_value_t **out)
{
    const char *s;
    size_t len;
    int64_t start, length = -1;
    sr_err_t rc = lang_fn_str(c, 0, &s, &len);
    if (rc == SR_OK)
        rc = lang_fn_int(c, 1, &start);
    if (rc == SR_OK && c->argc > 2)
        rc = lang_fn_int(c, 2, &length);
    if (rc != SR_OK)
        return rc;
    int64_t n = (int64_t)lang_utf8_count(s, len);
    if (start < 0)
        start += n;
    if (start < 0)
        start = 0;
    if (length < 0 || length > n)
        length = n;
    int64_t end = start + length > n ? n : start + length;
    if (start > n)
        start = n;
    size_t a = lang_utf8_offset(s, len, (size_t)start);
    size_t b = lang_utf8_offset(s, len, (size_t)end);
    return lang_fn_ret(c, sr_value_new_strn(s + a, b - a), out);
}

// Python str.format with {}, {0} and {name} fields (no format specs).
static sr_err_t
s_format(lang_call_t *c, sr_value_t **out)
{
    const char *s;
    size_t len, next = 1;
    sr_err_t rc = lang_fn_str(c, 0, &s, &len);
    lang_buf_t b = {.limit = c->env->max_bytes};
    for (size_t i = 0; rc == SR_OK && i < len; i++) {
        if ((s[i] == '{' || s[i] == '}') && i + 1 < len && s[i + 1] == s[i]) {
            rc = lang_buf_putc(&b, s[i++]);
            continue;
        }
        if (s[i] == '}')
            rc = lang_fail(c->env, "Single '}' encountered in format string");
        if (s[i] != '{') {
            if (rc == SR_OK)
                rc = lang_buf_putc(&b, s[i]);
            continue;
        }
        const char *close = memchr(s + i, '}', len - i);
        if (!close)
            return lang_fail(c->env, "Single '{' encountered in format string");
        size_t n = (size_t)(close - s) - i - 1;
        const char *field = s + i + 1;
        sr_value_t *v = NULL;
        if (memchr(field, ':', n) || memchr(field, '!', n) ||
            memchr(field, '.', n) || memchr(field, '[', n))
            return lang_fail(c->env, "format(): only {}, {N} and {name} "
                                     "fields are supported");
        if (n == 0) {
            v = next < c->argc ? c->argv[next++] : NULL;
        } else if (strspn(field, "0123456789") >= n) {
            size_t k = (size_t)strtoul(field, NULL, 10) + 1;
            v = k < c->argc && !c->names[k] ? c->argv[k] : NULL;
        } else {
            char name[64];
            snprintf(name, sizeof name, "%.*s", (int)n, field);
            v = lang_call_arg(c, SIZE_MAX, name);
        }
        if (!v)
            rc = lang_fail(c->env, "format(): no value for field '{%.*s}'",
                           (int)(n > 32 ? 32 : n), field);
        else if ((rc = lang_text_str(&b, v)) != SR_OK)
            rc = lang_fail_code(c->env, rc);
        i += n + 1;
    }
    return s_take(c, &b, rc, out);
}

// isEmpty(): null, a blank string or an empty collection.
static sr_err_t
s_is_empty(lang_call_t *c, sr_value_t **out)
{
    sr_value_t *v = c->argv[0];
    bool empty = sr_value_type(v) == SR_T_NIL;
    if (sr_value_type(v) == SR_T_STR) {
        empty = true;
        for (size_t i = 0; i < sr_value_len(v) && empty; i++)
            empty = s_space(sr_value_str(v)[i]);
    } else if (sr_value_type(v) == SR_T_ARRAY || sr_value_type(v) == SR_T_MAP) {
        empty = sr_value_len(v) == 0;
    }
    *out = sr_value_new_bool(empty);
    return SR_OK;
}

// Python str.find(sub): character index or -1.
static sr_err_t
s_find(lang_call_t *c, sr_value_t **out)
{
    const char *s, *sub;
    size_t len, sublen;
    sr_err_t rc = lang_fn_str(c, 0, &s, &len);
    if (rc == SR_OK)
        rc = lang_fn_str(c, 1, &sub, &sublen);
    if (rc != SR_OK)
        return rc;
    const char *hit = memmem(s, len, sub, sublen);
    return lang_fn_ret(
        c,
        sr_value_new_int(hit ? (int64_t)lang_utf8_count(s, (size_t)(hit - s))
                             : -1),
        out);
}

static const lang_builtin_t s_yaql[] = {
    {"toUpper", s_upper, 1, 1, 0},
    {"toLower", s_lower, 1, 1, 0},
    {"split", s_split, 1, 3, 0},
    {"replace", s_replace, 3, 4, 0},
    {"startsWith", s_starts, 2, LANG_MAX_ARGS, 0},
    {"endsWith", s_ends, 2, LANG_MAX_ARGS, 0},
    {"trim", s_trim, 1, 2, 0},
    {"trimLeft", s_trim_left, 1, 2, 0},
    {"trimRight", s_trim_right, 1, 2, 0},
    {"substring", s_substring, 2, 3, 0},
    {"format", s_format, 1, LANG_MAX_ARGS, 0},
    {"isEmpty", s_is_empty, 1, 1, 0},
};

static const lang_builtin_t s_jinja_filters[] = {
    {"upper", s_upper, 1, 1, 0},
    {"lower", s_lower, 1, 1, 0},
    {"capitalize", s_capitalize, 1, 1, 0},
    {"title", s_title, 1, 1, 0},
    {"trim", s_trim, 1, 2, LANG_FN_KEYWORDS},
    {"replace", s_replace, 3, 4, LANG_FN_KEYWORDS},
};

static const lang_builtin_t s_jinja_methods[] = {
    {"upper", s_upper, 1, 1, 0},
    {"lower", s_lower, 1, 1, 0},
    {"capitalize", s_capitalize, 1, 1, 0},
    {"title", s_title, 1, 1, 0},
    {"strip", s_trim, 1, 2, 0},
    {"lstrip", s_trim_left, 1, 2, 0},
    {"rstrip", s_trim_right, 1, 2, 0},
    {"split", s_split, 1, 3, LANG_FN_KEYWORDS},
    {"replace", s_replace, 3, 4, 0},
    {"startswith", s_starts, 2, 2, 0},
    {"endswith", s_ends, 2, 2, 0},
    {"format", s_format, 1, LANG_MAX_ARGS, LANG_FN_KEYWORDS},
    {"find", s_find, 2, 2, 0},
};

const lang_fn_table_t lang_fn_str_tables[] = {
    {LANG_NS_YAQL_METHOD, s_yaql, sizeof s_yaql / sizeof s_yaql[0]},
    {LANG_NS_YAQL_FUNC, s_yaql, sizeof s_yaql / sizeof s_yaql[0]},
    {LANG_NS_JINJA_FILTER, s_jinja_filters,
     sizeof s_jinja_filters / sizeof s_jinja_filters[0]},
    {LANG_NS_JINJA_METHOD, s_jinja_methods,
     sizeof s_jinja_methods / sizeof s_jinja_methods[0]},
};
const size_t lang_fn_str_ntables =
    sizeof lang_fn_str_tables / sizeof lang_fn_str_tables[0];
