// Core built-ins: len, str, int, float, bool, keys, values, items, list,
// dict, range, switch, coalesce, abs, round, min/max of two values, and
// Jinja's default filter. Conversions follow Python (int('12'), float('1e3'))
// with YAQL's null rules (int(null) = 0, str(null) = 'null').
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lang_eval.h"
#include "lang_fn.h"
#include "lang_ops.h"
#include "lang_text.h"

static sr_err_t
s_len(lang_call_t *c, sr_value_t **out)
{
    sr_value_t *v = c->argv[0];
    switch (sr_value_type(v)) {
    case SR_T_STR:
        return lang_fn_ret(c,
                           sr_value_new_int((int64_t)lang_utf8_count(
                               sr_value_str(v), sr_value_len(v))),
                           out);
    case SR_T_BIN:
    case SR_T_ARRAY:
    case SR_T_MAP:
        return lang_fn_ret(c, sr_value_new_int((int64_t)sr_value_len(v)), out);
    default:
        return lang_fail(c->env, "object of type '%s' has no len()",
                         lang_type_name(v));
    }
}

static sr_err_t
s_text(lang_call_t *c, const sr_value_t *v, sr_value_t **out)
{
    lang_buf_t b = {.limit = c->env->max_bytes};
    sr_err_t rc = lang_text_str(&b, v);
    if (rc == SR_OK)
        rc = lang_buf_take(&b, out);
    lang_buf_fini(&b);
    return rc == SR_OK ? SR_OK : lang_fail_code(c->env, rc);
}

// YAQL str(): null, true and false in YAQL's spelling; else Python's str().
static sr_err_t
s_str_yaql(lang_call_t *c, sr_value_t **out)
{
    sr_value_t *v = c->argv[0];
    if (sr_value_type(v) == SR_T_NIL)
        return lang_fn_ret(c, sr_value_new_str("null"), out);
    if (sr_value_type(v) == SR_T_BOOL)
        return lang_fn_ret(
            c, sr_value_new_str(sr_value_bool(v) ? "true" : "false"), out);
    return s_text(c, v, out);
}

static sr_err_t
s_string(lang_call_t *c, sr_value_t **out)
{
    if (sr_value_type(c->argv[0]) == SR_T_STR) {
        *out = sr_value_ref(c->argv[0]);
        return SR_OK;
    }
    return s_text(c, c->argv[0], out);
}

// Python int(text, base): spaces around, a sign, digits with single '_'.
static bool
s_parse_int(const char *s, size_t len, int base, int64_t *out)
{
    char buf[72];
    size_t n = 0, i = 0;
    while (i < len && isspace((unsigned char)s[i]))
        i++;
    while (len > i && isspace((unsigned char)s[len - 1]))
        len--;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        buf[n++] = s[i++];
    if (i == len)
        return false;
    for (; i < len; i++) {
        if (s[i] == '_' && n > 0 && isalnum((unsigned char)s[i - 1]) &&
            i + 1 < len && isalnum((unsigned char)s[i + 1]))
            continue;
        if (!isalnum((unsigned char)s[i]) || n + 1 >= sizeof buf)
            return false;
        buf[n++] = s[i];
    }
    buf[n] = '\0';
    char *end;
    errno = 0;
    long long v = strtoll(buf, &end, base);
    if (*end || errno)
        return false;
    *out = v;
    return true;
}

// Python float(text): spaces around, inf, nan, exponents.
static bool
s_parse_float(const char *s, size_t len, double *out)
{
    char buf[128];
    size_t i = 0;
    while (i < len && isspace((unsigned char)s[i]))
        i++;
    while (len > i && isspace((unsigned char)s[len - 1]))
        len--;
    if (i == len || len - i >= sizeof buf || memchr(s + i, 'x', len - i) ||
        memchr(s + i, 'X', len - i))
        return false;
    memcpy(buf, s + i, len - i);
    buf[len - i] = '\0';
    char *end;
    double d = strtod(buf, &end);
    if (*end)
        return false;
    *out = d;
    return true;
}

static sr_err_t
s_to_int(lang_call_t *c, sr_value_t *v, int base, int64_t *out)
{
    double d;
    switch (sr_value_type(v)) {
    case SR_T_NIL:
        *out = 0;
        return SR_OK;
    case SR_T_BOOL:
    case SR_T_INT:
        lang_int(v, out);
        return SR_OK;
    case SR_T_FLOAT:
        d = sr_value_float(v);
        if (!isfinite(d) || d >= 9.2233720368547758e18 ||
            d < -9.2233720368547758e18)
            return lang_fail(c->env, "cannot convert float %s to integer",
                             isnan(d) ? "NaN" : "infinity or a huge value");
        *out = (int64_t)d;
        return SR_OK;
    case SR_T_STR:
        if (s_parse_int(sr_value_str(v), sr_value_len(v), base, out))
            return SR_OK;
        return lang_fail(c->env,
                         "invalid literal for int() with base %d: '%.60s'",
                         base, sr_value_str(v));
    default:
        return lang_fail(c->env,
                         "int() argument must be a string or a number, not "
                         "'%s'",
                         lang_type_name(v));
    }
}

static sr_err_t
s_int(lang_call_t *c, sr_value_t **out)
{
    int64_t i;
    sr_err_t rc = s_to_int(c, c->argv[0], 10, &i);
    return rc == SR_OK ? lang_fn_ret(c, sr_value_new_int(i), out) : rc;
}

static sr_err_t
s_to_float(lang_call_t *c, sr_value_t *v, double *out)
{
    if (sr_value_type(v) == SR_T_NIL) {
        *out = 0;
        return SR_OK;
    }
    if (lang_num(v, out))
        return SR_OK;
    if (sr_value_type(v) == SR_T_STR &&
        s_parse_float(sr_value_str(v), sr_value_len(v), out))
        return SR_OK;
    if (sr_value_type(v) == SR_T_STR)
        return lang_fail(c->env, "could not convert string to float: '%.60s'",
                         sr_value_str(v));
    return lang_fail(c->env,
                     "float() argument must be a string or a number, not "
                     "'%s'",
                     lang_type_name(v));
}

static sr_err_t
s_float(lang_call_t *c, sr_value_t **out)
{
    double d;
    sr_err_t rc = s_to_float(c, c->argv[0], &d);
    return rc == SR_OK ? lang_fn_ret(c, sr_value_new_float(d), out) : rc;
}

// Jinja int(default=0, base=10): a failed conversion gives the default;
// '3.5' converts through float as Jinja does.
static sr_err_t
s_int_jinja(lang_call_t *c, sr_value_t **out)
{
    sr_value_t *v = c->argv[0], *def = lang_call_arg(c, 1, "default");
    sr_value_t *basev = lang_call_arg(c, 2, "base");
    int64_t base = 10, i;
    double d;
    if (basev && (!lang_int(basev, &base) || base < 2 || base > 36))
        return lang_fail(c->env, "int(): base must be 2 to 36");
    if (sr_value_type(v) == SR_T_STR &&
        s_parse_int(sr_value_str(v), sr_value_len(v), (int)base, &i))
        return lang_fn_ret(c, sr_value_new_int(i), out);
    if (sr_value_type(v) != SR_T_NIL && s_to_float(c, v, &d) == SR_OK &&
        isfinite(d) && fabs(d) < 9.2e18)
        return lang_fn_ret(c, sr_value_new_int((int64_t)d), out);
    if (def) {
        *out = sr_value_ref(def);
        return SR_OK;
    }
    return lang_fn_ret(c, sr_value_new_int(0), out);
}

static sr_err_t
s_float_jinja(lang_call_t *c, sr_value_t **out)
{
    sr_value_t *def = lang_call_arg(c, 1, "default");
    double d;
    if (sr_value_type(c->argv[0]) != SR_T_NIL &&
        s_to_float(c, c->argv[0], &d) == SR_OK)
        return lang_fn_ret(c, sr_value_new_float(d), out);
    if (def) {
        *out = sr_value_ref(def);
        return SR_OK;
    }
    return lang_fn_ret(c, sr_value_new_float(0), out);
}

static sr_err_t
s_bool(lang_call_t *c, sr_value_t **out)
{
    *out = sr_value_new_bool(sr_value_truthy(c->argv[0]));
    return SR_OK;
}

// keys(), values() and items() of a dict, in insertion order.
static sr_err_t
s_dict_part(lang_call_t *c, int part, sr_value_t **out)
{
    sr_value_t *m = c->argv[0];
    if (sr_value_type(m) != SR_T_MAP)
        return lang_fn_type(c, 0, "dict");
    size_t n = sr_value_len(m);
    sr_err_t rc = lang_step(c->env, n);
    sr_value_t *list = rc == SR_OK ? sr_value_new_array(n) : NULL;
    if (rc != SR_OK)
        return rc;
    if (!list)
        return lang_oom(c->env);
    for (size_t i = 0; rc == SR_OK && i < n; i++) {
        sr_value_t *item;
        if (part == 0) {
            item = sr_value_ref(sr_value_map_key(m, i));
        } else if (part == 1) {
            item = sr_value_ref(sr_value_map_val(m, i));
        } else if ((item = sr_value_new_array(2)) &&
                   (sr_value_array_append(
                        item, sr_value_ref(sr_value_map_key(m, i))) ||
                    sr_value_array_append(
                        item, sr_value_ref(sr_value_map_val(m, i))))) {
            sr_value_destroy(&item);
        }
        rc = item ? lang_fn_push(c, list, item) : lang_oom(c->env);
    }
    if (rc != SR_OK)
        sr_value_destroy(&list);
    else
        *out = list;
    return rc;
}

static sr_err_t
s_keys(lang_call_t *c, sr_value_t **out)
{
    return s_dict_part(c, 0, out);
}

static sr_err_t
s_values(lang_call_t *c, sr_value_t **out)
{
    return s_dict_part(c, 1, out);
}

static sr_err_t
s_items(lang_call_t *c, sr_value_t **out)
{
    return s_dict_part(c, 2, out);
}

// YAQL list(a, b, ...): the arguments as a list; list(x) of one list is x.
static sr_err_t
s_list_yaql(lang_call_t *c, sr_value_t **out)
{
    if (c->argc == 1 && sr_value_type(c->argv[0]) == SR_T_ARRAY) {
        *out = sr_value_ref(c->argv[0]);
        return SR_OK;
    }
    sr_value_t *list = sr_value_new_array(c->argc);
    sr_err_t rc = list ? SR_OK : lang_oom(c->env);
    for (size_t i = 0; rc == SR_OK && i < c->argc; i++)
        rc = lang_fn_push(c, list, sr_value_ref(c->argv[i]));
    if (rc != SR_OK)
        sr_value_destroy(&list);
    else
        *out = list;
    return rc;
}

// Jinja list filter and YAQL toList(): the items of a collection.
static sr_err_t
s_to_list(lang_call_t *c, sr_value_t **out)
{
    return lang_fn_items(c, c->argv[0], out);
}

// A map key from a value: strings as they are, scalars as JSON text.
static sr_err_t
s_key(lang_call_t *c, sr_value_t *k, sr_value_t **out)
{
    if (sr_value_type(k) == SR_T_STR) {
        *out = sr_value_ref(k);
        return SR_OK;
    }
    if (sr_value_type(k) == SR_T_ARRAY || sr_value_type(k) == SR_T_MAP)
        return lang_fail(c->env, "unhashable type: '%s'", lang_type_name(k));
    lang_buf_t b = {0};
    lang_json_opts_t o = {.indent = -1};
    sr_err_t rc = lang_text_json(&b, k, &o);
    if (rc == SR_OK)
        rc = lang_buf_take(&b, out);
    lang_buf_fini(&b);
    return rc == SR_OK ? SR_OK : lang_fail_code(c->env, rc);
}

static sr_err_t
s_put(lang_call_t *c, sr_value_t *map, sr_value_t *k, sr_value_t *v)
{
    sr_value_t *key;
    sr_err_t rc = s_key(c, k, &key);
    if (rc == SR_OK) {
        if (sr_value_map_putv(map, key, sr_value_ref(v)) != SR_OK)
            rc = lang_oom(c->env);
        sr_value_destroy(&key);
    }
    return rc;
}

// dict(list of [key, value]) or dict(a dict).
static sr_err_t
s_dict_from(lang_call_t *c, sr_value_t *src, sr_value_t *map)
{
    if (sr_value_type(src) == SR_T_MAP)
        return sr_value_map_merge(map, src, false) == SR_OK ? SR_OK
                                                            : lang_oom(c->env);
    if (sr_value_type(src) != SR_T_ARRAY)
        return lang_fail(c->env, "dict(): expected key-value pairs, not %s",
                         lang_type_name(src));
    sr_err_t rc = lang_step(c->env, sr_value_len(src));
    for (size_t i = 0; rc == SR_OK && i < sr_value_len(src); i++) {
        sr_value_t *pair = sr_value_array_at(src, i);
        if (sr_value_type(pair) != SR_T_ARRAY || sr_value_len(pair) != 2)
            return lang_fail(c->env,
                             "dict(): item %zu is not a [key, value] "
                             "pair",
                             i);
        rc = s_put(c, map, sr_value_array_at(pair, 0),
                   sr_value_array_at(pair, 1));
    }
    return rc;
}

// YAQL dict(a => 1, b => 2) or dict([[k, v], ...]).
static sr_err_t
s_dict_yaql(lang_call_t *c, sr_value_t **out)
{
    sr_value_t *map = sr_value_new_map(c->argc);
    sr_err_t rc = map ? SR_OK : lang_oom(c->env);
    for (size_t i = 0; rc == SR_OK && i < c->argc; i++) {
        const lang_node_t *arg = c->args[i];
        sr_value_t *k = NULL, *v = NULL;
        if (arg->kind != LANG_N_PAIR) {
            if ((rc = lang_eval(c->env, arg, &v)) == SR_OK)
                rc = s_dict_from(c, v, map);
        } else if ((rc = lang_eval(c->env, arg->kids[0], &k)) == SR_OK &&
                   (rc = lang_eval(c->env, arg->kids[1], &v)) == SR_OK) {
            rc = s_put(c, map, k, v);
        }
        sr_value_destroy(&k);
        sr_value_destroy(&v);
    }
    if (rc != SR_OK)
        sr_value_destroy(&map);
    else
        *out = map;
    return rc;
}

// Jinja dict(a=1, b=2) (and an optional dict or pair list first).
static sr_err_t
s_dict_jinja(lang_call_t *c, sr_value_t **out)
{
    sr_value_t *map = sr_value_new_map(c->argc);
    sr_err_t rc = map ? SR_OK : lang_oom(c->env);
    for (size_t i = 0; rc == SR_OK && i < c->argc; i++) {
        if (!c->names[i]) {
            rc = s_dict_from(c, c->argv[i], map);
        } else if (sr_value_map_put(map, c->names[i],
                                    sr_value_ref(c->argv[i])) != SR_OK) {
            rc = lang_oom(c->env);
        }
    }
    if (rc != SR_OK)
        sr_value_destroy(&map);
    else
        *out = map;
    return rc;
}

static sr_err_t
s_range(lang_call_t *c, sr_value_t **out)
{
    int64_t start = 0, stop, step = 1;
    sr_err_t rc = lang_fn_int(c, c->argc == 1 ? 0 : 1, &stop);
    if (rc == SR_OK && c->argc > 1)
        rc = lang_fn_int(c, 0, &start);
    if (rc == SR_OK && c->argc > 2)
        rc = lang_fn_int(c, 2, &step);
    if (rc != SR_OK)
        return rc;
    if (step == 0)
        return lang_fail(c->env, "range() arg 3 must not be zero");
    uint64_t n = 0;
    if (step > 0 && stop > start)
        n = ((uint64_t)stop - (uint64_t)start - 1) / (uint64_t)step + 1;
    else if (step < 0 && start > stop)
        n = ((uint64_t)start - (uint64_t)stop - 1) / (0 - (uint64_t)step) + 1;
    if ((rc = lang_check_items(c->env, n)) != SR_OK ||
        (rc = lang_step(c->env, n)) != SR_OK)
        return rc;
    sr_value_t *list = sr_value_new_array(n);
    rc = list ? SR_OK : lang_oom(c->env);
    for (uint64_t i = 0; rc == SR_OK && i < n; i++)
        rc = lang_fn_push(
            c, list,
            sr_value_new_int((int64_t)((uint64_t)start + i * (uint64_t)step)));
    if (rc != SR_OK)
        sr_value_destroy(&list);
    else
        *out = list;
    return rc;
}

// switch(cond => value, ...): the value of the first true condition.
static sr_err_t
s_switch(lang_call_t *c, sr_value_t **out)
{
    for (size_t i = 0; i < c->argc; i++) {
        const lang_node_t *arg = c->args[i];
        if (arg->kind != LANG_N_PAIR)
            return lang_fail(c->env, "switch() arguments must be "
                                     "'condition => value'");
        sr_value_t *cond;
        sr_err_t rc = lang_eval(c->env, arg->kids[0], &cond);
        if (rc != SR_OK)
            return rc;
        bool yes = sr_value_truthy(cond);
        sr_value_destroy(&cond);
        if (yes)
            return lang_eval(c->env, arg->kids[1], out);
    }
    *out = sr_value_new_nil();
    return SR_OK;
}

// coalesce(a, b, ...): the first value that is not null.
static sr_err_t
s_coalesce(lang_call_t *c, sr_value_t **out)
{
    for (size_t i = 0; i < c->argc; i++) {
        sr_value_t *v;
        sr_err_t rc = lang_call_eval(c, i, &v);
        if (rc != SR_OK)
            return rc;
        if (sr_value_type(v) != SR_T_NIL) {
            *out = v;
            return SR_OK;
        }
        sr_value_destroy(&v);
    }
    *out = sr_value_new_nil();
    return SR_OK;
}

static sr_err_t
s_abs(lang_call_t *c, sr_value_t **out)
{
    int64_t i;
    double d;
    if (lang_int(c->argv[0], &i)) {
        if (i == INT64_MIN)
            return lang_fail(c->env, "integer overflow");
        return lang_fn_ret(c, sr_value_new_int(i < 0 ? -i : i), out);
    }
    if (lang_num(c->argv[0], &d))
        return lang_fn_ret(c, sr_value_new_float(fabs(d)), out);
    return lang_fn_type(c, 0, "a number");
}

// Python round(x, n): half to even; ints stay ints. Jinja's method
// 'floor' / 'ceil' give floats.
static sr_err_t
s_round(lang_call_t *c, sr_value_t **out)
{
    sr_value_t *nd = lang_call_arg(c, 1, "precision");
    sr_value_t *method = lang_call_arg(c, 2, "method");
    int64_t digits = 0, i;
    double d;
    if (nd && !lang_int(nd, &digits))
        return lang_fn_type(c, 1, "int");
    if (!lang_num(c->argv[0], &d))
        return lang_fn_type(c, 0, "a number");
    if (digits > 300)
        digits = 300;
    if (digits < -300)
        digits = -300;
    double scale = pow(10, (double)digits);
    const char *m = method ? sr_value_str(method) : "common";
    if (strcmp(m, "floor") == 0 || strcmp(m, "ceil") == 0)
        return lang_fn_ret(
            c,
            sr_value_new_float(
                (m[0] == 'f' ? floor(d * scale) : ceil(d * scale)) / scale),
            out);
    if (strcmp(m, "common") != 0)
        return lang_fail(c->env, "round(): method must be common, ceil or "
                                 "floor");
    double r = digits >= 0 ? nearbyint(d * scale) / scale
                           : nearbyint(d / pow(10, (double)-digits)) *
                                 pow(10, (double)-digits);
    if (lang_int(c->argv[0], &i))
        return lang_fn_ret(c, sr_value_new_int(digits >= 0 ? i : (int64_t)r),
                           out);
    return lang_fn_ret(c, sr_value_new_float(isfinite(r) ? r : d), out);
}

// Jinja default(value, default='', boolean=false).
static sr_err_t
s_default(lang_call_t *c, sr_value_t **out)
{
    sr_value_t *v = c->argv[0], *def = lang_call_arg(c, 1, "default_value");
    sr_value_t *boolean = lang_call_arg(c, 2, "boolean");
    bool use =
        !v || (boolean && sr_value_truthy(boolean) && !sr_value_truthy(v));
    if (!use) {
        *out = sr_value_ref(v);
        return SR_OK;
    }
    return lang_fn_ret(c, def ? sr_value_ref(def) : sr_value_new_str(""), out);
}

#define F(name, fn, lo, hi, flags)                                             \
    {                                                                          \
        name, fn, lo, hi, flags                                                \
    }

static const lang_builtin_t s_yaql_funcs[] = {
    F("len", s_len, 1, 1, 0),
    F("str", s_str_yaql, 1, 1, 0),
    F("int", s_int, 1, 1, 0),
    F("float", s_float, 1, 1, 0),
    F("bool", s_bool, 1, 1, 0),
    F("keys", s_keys, 1, 1, 0),
    F("values", s_values, 1, 1, 0),
    F("items", s_items, 1, 1, 0),
    F("list", s_list_yaql, 0, LANG_MAX_ARGS, 0),
    F("dict", s_dict_yaql, 0, LANG_MAX_ARGS, LANG_FN_LAZY_ALL),
    F("range", s_range, 1, 3, 0),
    F("switch", s_switch, 0, LANG_MAX_ARGS, LANG_FN_LAZY_ALL),
    F("coalesce", s_coalesce, 0, LANG_MAX_ARGS, LANG_FN_LAZY_ALL),
    F("abs", s_abs, 1, 1, 0),
    F("round", s_round, 1, 2, 0),
};

static const lang_builtin_t s_yaql_methods[] = {
    F("len", s_len, 1, 1, 0),      F("count", s_len, 1, 1, 0),
    F("keys", s_keys, 1, 1, 0),    F("values", s_values, 1, 1, 0),
    F("items", s_items, 1, 1, 0),  F("toList", s_to_list, 1, 1, 0),
    F("str", s_str_yaql, 1, 1, 0), F("int", s_int, 1, 1, 0),
    F("float", s_float, 1, 1, 0),  F("bool", s_bool, 1, 1, 0),
    F("abs", s_abs, 1, 1, 0),      F("round", s_round, 1, 2, 0),
};

static const lang_builtin_t s_jinja_funcs[] = {
    F("range", s_range, 1, 3, 0),
    F("dict", s_dict_jinja, 0, LANG_MAX_ARGS, LANG_FN_KEYWORDS),
};

static const lang_builtin_t s_jinja_filters[] = {
    F("length", s_len, 1, 1, 0),
    F("count", s_len, 1, 1, 0),
    F("string", s_string, 1, 1, 0),
    F("int", s_int_jinja, 1, 3, LANG_FN_KEYWORDS),
    F("float", s_float_jinja, 1, 2, LANG_FN_KEYWORDS),
    F("bool", s_bool, 1, 1, 0),
    F("list", s_to_list, 1, 1, 0),
    F("items", s_items, 1, 1, 0),
    F("abs", s_abs, 1, 1, 0),
    F("round", s_round, 1, 3, LANG_FN_KEYWORDS),
    F("default", s_default, 1, 3, LANG_FN_UNDEF_OK | LANG_FN_KEYWORDS),
    F("d", s_default, 1, 3, LANG_FN_UNDEF_OK | LANG_FN_KEYWORDS),
};

static const lang_builtin_t s_jinja_methods[] = {
    F("keys", s_keys, 1, 1, 0),
    F("values", s_values, 1, 1, 0),
    F("items", s_items, 1, 1, 0),
};

#define T(ns, arr)                                                             \
    {                                                                          \
        ns, arr, sizeof arr / sizeof arr[0]                                    \
    }

const lang_fn_table_t lang_fn_core_tables[] = {
    T(LANG_NS_YAQL_FUNC, s_yaql_funcs),
    T(LANG_NS_YAQL_METHOD, s_yaql_methods),
    T(LANG_NS_JINJA_FUNC, s_jinja_funcs),
    T(LANG_NS_JINJA_FILTER, s_jinja_filters),
    T(LANG_NS_JINJA_METHOD, s_jinja_methods),
};
const size_t lang_fn_core_ntables =
    sizeof lang_fn_core_tables / sizeof lang_fn_core_tables[0];
