// Collection built-ins that need no predicate: get, contains, join (YAQL's
// list.join(sep), Jinja's join filter and Python's sep.join(list)), concat,
// indexOf, skip/limit, reverse and append. Results share the items of their
// input by reference.
#include <string.h>

#include "lang_eval.h"
#include "lang_fn.h"
#include "lang_ops.h"
#include "lang_text.h"

// dict.get(key, default=null)
static sr_err_t
s_get(lang_call_t *c, sr_value_t **out)
{
    sr_value_t *m = c->argv[0], *k = c->argv[1];
    if (sr_value_type(m) != SR_T_MAP)
        return lang_fn_type(c, 0, "dict");
    sr_value_t *v = sr_value_type(k) == SR_T_STR
                        ? sr_value_map_getn(m, sr_value_str(k), sr_value_len(k))
                        : NULL;
    if (!v)
        v = c->argc > 2 ? c->argv[2] : sr_value_new_nil();
    *out = sr_value_ref(v);
    return SR_OK;
}

static sr_err_t
s_contains(lang_call_t *c, sr_value_t **out)
{
    bool yes;
    sr_err_t rc = lang_contains(c->env, c->argv[0], c->argv[1], &yes);
    if (rc == SR_OK)
        *out = sr_value_new_bool(yes);
    return rc;
}

// Items joined by sep; `strict` refuses items that are not strings (as
// Python's str.join does), else they are converted with str().
static sr_err_t
s_join_items(lang_call_t *c, sr_value_t *items, const char *sep, size_t seplen,
             const char *attr, bool strict, sr_value_t **out)
{
    lang_buf_t b = {.limit = c->env->max_bytes};
    sr_err_t rc = lang_step(c->env, sr_value_len(items));
    for (size_t i = 0; rc == SR_OK && i < sr_value_len(items); i++) {
        sr_value_t *v = sr_value_array_at(items, i);
        if (attr && !(v = lang_fn_attr(v, attr)))
            v = sr_value_new_nil();
        if (strict && sr_value_type(v) != SR_T_STR)
            rc = lang_fail(c->env,
                           "sequence item %zu: expected str instance, %s "
                           "found",
                           i, lang_type_name(v));
        else if ((i && (rc = lang_buf_put(&b, sep, seplen)) != SR_OK) ||
                 (rc = lang_text_str(&b, v)) != SR_OK)
            rc = lang_fail_code(c->env, rc);
    }
    if (rc == SR_OK && (rc = lang_buf_take(&b, out)) != SR_OK)
        rc = lang_fail_code(c->env, rc);
    lang_buf_fini(&b);
    return rc;
}

// YAQL collection.join(sep) and join(collection, sep).
static sr_err_t
s_join_yaql(lang_call_t *c, sr_value_t **out)
{
    const char *sep;
    size_t len;
    sr_value_t *items = NULL;
    sr_err_t rc = lang_fn_str(c, 1, &sep, &len);
    if (rc == SR_OK && (rc = lang_fn_items(c, c->argv[0], &items)) == SR_OK) {
        rc = s_join_items(c, items, sep, len, NULL, false, out);
        sr_value_destroy(&items);
    }
    return rc;
}

// Jinja filter join(d='', attribute=none).
static sr_err_t
s_join_filter(lang_call_t *c, sr_value_t **out)
{
    sr_value_t *d = lang_call_arg(c, 1, "d");
    sr_value_t *attr = lang_call_arg(c, 2, "attribute");
    if (d && sr_value_type(d) != SR_T_STR)
        return lang_fn_type(c, 1, "str");
    sr_value_t *items = NULL;
    sr_err_t rc = lang_fn_items(c, c->argv[0], &items);
    if (rc == SR_OK) {
        rc = s_join_items(
            c, items, d ? sr_value_str(d) : "", d ? sr_value_len(d) : 0,
            attr && sr_value_type(attr) == SR_T_STR ? sr_value_str(attr) : NULL,
            false, out);
        sr_value_destroy(&items);
    }
    return rc;
}

// Python sep.join(iterable) as a Jinja method on a string.
static sr_err_t
s_str_join(lang_call_t *c, sr_value_t **out)
{
    const char *sep;
    size_t len;
    sr_value_t *items = NULL;
    sr_err_t rc = lang_fn_str(c, 0, &sep, &len);
    if (rc == SR_OK && (rc = lang_fn_items(c, c->argv[1], &items)) == SR_OK) {
        rc = s_join_items(c, items, sep, len, NULL, true, out);
        sr_value_destroy(&items);
    }
    return rc;
}

// concat(...): strings joined, or collections chained.
static sr_err_t
s_concat(lang_call_t *c, sr_value_t **out)
{
    bool strings = true;
    for (size_t i = 0; i < c->argc; i++)
        strings = strings && sr_value_type(c->argv[i]) == SR_T_STR;
    if (strings && c->argc > 0) {
        lang_buf_t b = {.limit = c->env->max_bytes};
        sr_err_t rc = SR_OK;
        for (size_t i = 0; rc == SR_OK && i < c->argc; i++)
            rc = lang_buf_put(&b, sr_value_str(c->argv[i]),
                              sr_value_len(c->argv[i]));
        if (rc == SR_OK)
            rc = lang_buf_take(&b, out);
        lang_buf_fini(&b);
        return rc == SR_OK ? SR_OK : lang_fail_code(c->env, rc);
    }
    sr_value_t *res = sr_value_new_array(0);
    sr_err_t rc = res ? SR_OK : lang_oom(c->env);
    for (size_t i = 0; rc == SR_OK && i < c->argc; i++) {
        sr_value_t *items = NULL;
        if ((rc = lang_fn_items(c, c->argv[i], &items)) != SR_OK)
            break;
        size_t n = sr_value_len(items);
        if ((rc = lang_check_items(c->env, sr_value_len(res) + n)) == SR_OK)
            rc = lang_step(c->env, n);
        for (size_t k = 0; rc == SR_OK && k < n; k++)
            rc =
                lang_fn_push(c, res, sr_value_ref(sr_value_array_at(items, k)));
        sr_value_destroy(&items);
    }
    if (rc != SR_OK)
        sr_value_destroy(&res);
    else
        *out = res;
    return rc;
}

// indexOf(x): position in a list, or of a substring (in characters); -1.
static sr_err_t
s_index_of(lang_call_t *c, sr_value_t **out)
{
    sr_value_t *v = c->argv[0], *x = c->argv[1];
    int64_t pos = -1;
    if (sr_value_type(v) == SR_T_STR) {
        const char *s = sr_value_str(v), *sub;
        size_t len = sr_value_len(v), sublen;
        sr_err_t rc = lang_fn_str(c, 1, &sub, &sublen);
        if (rc != SR_OK)
            return rc;
        const char *hit = memmem(s, len, sub, sublen);
        if (hit)
            pos = (int64_t)lang_utf8_count(s, (size_t)(hit - s));
    } else if (sr_value_type(v) == SR_T_ARRAY) {
        sr_err_t rc = lang_step(c->env, sr_value_len(v));
        if (rc != SR_OK)
            return rc;
        for (size_t i = 0; i < sr_value_len(v) && pos < 0; i++)
            if (lang_equal(sr_value_array_at(v, i), x))
                pos = (int64_t)i;
    } else {
        return lang_fn_type(c, 0, "list or str");
    }
    return lang_fn_ret(c, sr_value_new_int(pos), out);
}

// skip(n) / limit(n): the items after the first n, or the first n.
static sr_err_t
s_slice(lang_call_t *c, bool skip, sr_value_t **out)
{
    int64_t n;
    sr_value_t *items = NULL;
    sr_err_t rc = lang_fn_int(c, 1, &n);
    if (rc != SR_OK || (rc = lang_fn_items(c, c->argv[0], &items)) != SR_OK)
        return rc;
    size_t len = sr_value_len(items);
    size_t k = n < 0 ? 0 : (size_t)n > len ? len : (size_t)n;
    size_t from = skip ? k : 0, to = skip ? len : k;
    sr_value_t *res = sr_value_new_array(to - from);
    rc = res ? lang_step(c->env, to - from) : lang_oom(c->env);
    for (size_t i = from; rc == SR_OK && i < to; i++)
        rc = lang_fn_push(c, res, sr_value_ref(sr_value_array_at(items, i)));
    sr_value_destroy(&items);
    if (rc != SR_OK)
        sr_value_destroy(&res);
    else
        *out = res;
    return rc;
}

static sr_err_t
s_skip(lang_call_t *c, sr_value_t **out)
{
    return s_slice(c, true, out);
}

static sr_err_t
s_limit(lang_call_t *c, sr_value_t **out)
{
    return s_slice(c, false, out);
}

// reverse(): a list backwards; Jinja also reverses strings.
static sr_err_t
s_reverse(lang_call_t *c, sr_value_t **out)
{
    sr_value_t *items = NULL;
    bool is_str = sr_value_type(c->argv[0]) == SR_T_STR;
    sr_err_t rc = lang_fn_items(c, c->argv[0], &items);
    if (rc != SR_OK)
        return rc;
    size_t n = sr_value_len(items);
    sr_value_t *res = is_str ? NULL : sr_value_new_array(n);
    lang_buf_t b = {.limit = c->env->max_bytes};
    if (!is_str && !res)
        rc = lang_oom(c->env);
    for (size_t i = n; rc == SR_OK && i-- > 0;) {
        sr_value_t *item = sr_value_array_at(items, i);
        if (!is_str)
            rc = lang_fn_push(c, res, sr_value_ref(item));
        else if ((rc = lang_buf_put(&b, sr_value_str(item),
                                    sr_value_len(item))) != SR_OK)
            rc = lang_fail_code(c->env, rc);
    }
    if (rc == SR_OK && is_str && (rc = lang_buf_take(&b, &res)) != SR_OK)
        rc = lang_fail_code(c->env, rc);
    lang_buf_fini(&b);
    sr_value_destroy(&items);
    if (rc != SR_OK)
        sr_value_destroy(&res);
    else
        *out = res;
    return rc;
}

// collection.append(a, b, ...): a new list with the values added.
static sr_err_t
s_append(lang_call_t *c, sr_value_t **out)
{
    sr_value_t *items = NULL;
    sr_err_t rc = lang_fn_items(c, c->argv[0], &items);
    if (rc != SR_OK)
        return rc;
    size_t n = sr_value_len(items);
    sr_value_t *res = sr_value_new_array(n + c->argc - 1);
    rc = res ? lang_check_items(c->env, n + c->argc) : lang_oom(c->env);
    for (size_t i = 0; rc == SR_OK && i < n; i++)
        rc = lang_fn_push(c, res, sr_value_ref(sr_value_array_at(items, i)));
    for (size_t i = 1; rc == SR_OK && i < c->argc; i++)
        rc = lang_fn_push(c, res, sr_value_ref(c->argv[i]));
    sr_value_destroy(&items);
    if (rc != SR_OK)
        sr_value_destroy(&res);
    else
        *out = res;
    return rc;
}

static const lang_builtin_t s_yaql[] = {
    {"get", s_get, 2, 3, 0},          {"contains", s_contains, 2, 2, 0},
    {"join", s_join_yaql, 2, 2, 0},   {"concat", s_concat, 1, LANG_MAX_ARGS, 0},
    {"indexOf", s_index_of, 2, 2, 0}, {"skip", s_skip, 2, 2, 0},
    {"limit", s_limit, 2, 2, 0},      {"take", s_limit, 2, 2, 0},
    {"reverse", s_reverse, 1, 1, 0},  {"append", s_append, 1, LANG_MAX_ARGS, 0},
};

static const lang_builtin_t s_jinja_filters[] = {
    {"join", s_join_filter, 1, 3, LANG_FN_KEYWORDS},
    {"reverse", s_reverse, 1, 1, 0},
};

static const lang_builtin_t s_jinja_methods[] = {
    {"get", s_get, 2, 3, 0},
    {"join", s_str_join, 2, 2, 0},
};

const lang_fn_table_t lang_fn_coll_tables[] = {
    {LANG_NS_YAQL_METHOD, s_yaql, sizeof s_yaql / sizeof s_yaql[0]},
    {LANG_NS_YAQL_FUNC, s_yaql, sizeof s_yaql / sizeof s_yaql[0]},
    {LANG_NS_JINJA_FILTER, s_jinja_filters,
     sizeof s_jinja_filters / sizeof s_jinja_filters[0]},
    {LANG_NS_JINJA_METHOD, s_jinja_methods,
     sizeof s_jinja_methods / sizeof s_jinja_methods[0]},
};
const size_t lang_fn_coll_ntables =
    sizeof lang_fn_coll_tables / sizeof lang_fn_coll_tables[0];
