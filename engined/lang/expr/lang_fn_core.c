// Core built-ins: len, str, int, float, bool, switch, coalesce, abs, round
// and Jinja's default filter. Conversions follow Python (int('12'),
// float('1e3')) with YAQL's null rules (int(null) = 0, str(null) = 'null').
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

static const lang_builtin_t s_yaql_funcs[] = {
    {"len", s_len, 1, 1, 0},
    {"str", s_str_yaql, 1, 1, 0},
    {"int", s_int, 1, 1, 0},
    {"float", s_float, 1, 1, 0},
    {"bool", s_bool, 1, 1, 0},
    {"switch", s_switch, 0, LANG_MAX_ARGS, LANG_FN_LAZY_ALL},
    {"coalesce", s_coalesce, 0, LANG_MAX_ARGS, LANG_FN_LAZY_ALL},
    {"abs", s_abs, 1, 1, 0},
    {"round", s_round, 1, 2, 0},
};

static const lang_builtin_t s_yaql_methods[] = {
    {"len", s_len, 1, 1, 0},      {"count", s_len, 1, 1, 0},
    {"str", s_str_yaql, 1, 1, 0}, {"int", s_int, 1, 1, 0},
    {"float", s_float, 1, 1, 0},  {"bool", s_bool, 1, 1, 0},
    {"abs", s_abs, 1, 1, 0},      {"round", s_round, 1, 2, 0},
};

static const lang_builtin_t s_jinja_filters[] = {
    {"length", s_len, 1, 1, 0},
    {"count", s_len, 1, 1, 0},
    {"string", s_string, 1, 1, 0},
    {"int", s_int_jinja, 1, 3, LANG_FN_KEYWORDS},
    {"float", s_float_jinja, 1, 2, LANG_FN_KEYWORDS},
    {"bool", s_bool, 1, 1, 0},
    {"abs", s_abs, 1, 1, 0},
    {"round", s_round, 1, 3, LANG_FN_KEYWORDS},
    {"default", s_default, 1, 3, LANG_FN_UNDEF_OK | LANG_FN_KEYWORDS},
    {"d", s_default, 1, 3, LANG_FN_UNDEF_OK | LANG_FN_KEYWORDS},
};

const lang_fn_table_t lang_fn_core_tables[] = {
    {LANG_NS_YAQL_FUNC, s_yaql_funcs,
     sizeof s_yaql_funcs / sizeof s_yaql_funcs[0]},
    {LANG_NS_YAQL_METHOD, s_yaql_methods,
     sizeof s_yaql_methods / sizeof s_yaql_methods[0]},
    {LANG_NS_JINJA_FILTER, s_jinja_filters,
     sizeof s_jinja_filters / sizeof s_jinja_filters[0]},
};
const size_t lang_fn_core_ntables =
    sizeof lang_fn_core_tables / sizeof lang_fn_core_tables[0];
