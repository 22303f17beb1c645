// Queries over collections: YAQL's where, select, orderBy, any, all,
// distinct, first, last, sum, min, max, and Jinja's filters of the same
// family (map, select, reject, selectattr, rejectattr, sort, unique, first,
// last, sum, min, max). Predicates and selectors are evaluated once per item
// with $ bound to it; sorting is a stable merge sort; distinct uses a hash
// table, so large collections stay linear.
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lang_eval.h"
#include "lang_fn.h"
#include "lang_ops.h"
#include "sr_hash.h"

static sr_err_t
s_items(lang_call_t *c, sr_value_t **list)
{
    return lang_fn_items(c, c->argv[0], list);
}

// where(pred) and select(expr): one pass with $ bound to each item.
static sr_err_t
s_where_select(lang_call_t *c, bool is_where, sr_value_t **out)
{
    sr_value_t *items = NULL, *res = NULL;
    sr_err_t rc = s_items(c, &items);
    if (rc != SR_OK)
        return rc;
    size_t n = sr_value_len(items);
    if (!(res = sr_value_new_array(is_where ? 0 : n)))
        rc = lang_oom(c->env);
    for (size_t i = 0; rc == SR_OK && i < n; i++) {
        sr_value_t *item = sr_value_array_at(items, i), *v;
        if ((rc = lang_call_eval_item(c, 1, item, &v)) != SR_OK)
            break;
        if (!is_where) {
            rc = lang_fn_push(c, res, v);
        } else {
            if (sr_value_truthy(v))
                rc = lang_fn_push(c, res, sr_value_ref(item));
            sr_value_destroy(&v);
        }
    }
    sr_value_destroy(&items);
    if (rc != SR_OK)
        sr_value_destroy(&res);
    else
        *out = res;
    return rc;
}

static sr_err_t
s_where(lang_call_t *c, sr_value_t **out)
{
    return s_where_select(c, true, out);
}

static sr_err_t
s_select(lang_call_t *c, sr_value_t **out)
{
    return s_where_select(c, false, out);
}

// any(pred?) / all(pred?)
static sr_err_t
s_any_all(lang_call_t *c, bool is_any, sr_value_t **out)
{
    sr_value_t *items = NULL;
    sr_err_t rc = s_items(c, &items);
    bool result = !is_any;
    for (size_t i = 0; rc == SR_OK && i < sr_value_len(items); i++) {
        sr_value_t *item = sr_value_array_at(items, i), *v = NULL;
        bool yes = sr_value_truthy(item);
        if (c->argc > 1 && (rc = lang_call_eval_item(c, 1, item, &v)) == SR_OK)
            yes = sr_value_truthy(v);
        sr_value_destroy(&v);
        if (rc == SR_OK && yes == is_any) {
            result = is_any;
            break;
        }
    }
    if (rc == SR_OK)
        *out = sr_value_new_bool(result);
    sr_value_destroy(&items);
    return rc;
}

static sr_err_t
s_any(lang_call_t *c, sr_value_t **out)
{
    return s_any_all(c, true, out);
}

static sr_err_t
s_all(lang_call_t *c, sr_value_t **out)
{
    return s_any_all(c, false, out);
}

// A lowercase copy of a string (Jinja compares case-insensitively by
// default); other values as they are. New reference.
static sr_value_t *
s_fold(sr_value_t *v, bool fold)
{
    if (!fold || sr_value_type(v) != SR_T_STR)
        return sr_value_ref(v);
    size_t n = sr_value_len(v);
    sr_value_t *copy = sr_value_new_strn(sr_value_str(v), n);
    if (copy) {
        char *s = (char *)sr_value_str(copy);
        for (size_t i = 0; i < n; i++)
            s[i] = (char)tolower((unsigned char)s[i]);
    }
    return copy;
}

static bool
s_same_key(const void *arg, size_t pos, const void *key, size_t len)
{
    (void)len;
    return lang_equal(((sr_value_t *const *)arg)[pos], key);
}

// The items without repeats (first occurrence kept), keyed by keys[i].
static sr_err_t
s_distinct_by(lang_call_t *c, sr_value_t *items, sr_value_t **keys,
              sr_value_t **out)
{
    size_t n = sr_value_len(items);
    sr_hash_t seen; // keys[i] of the items kept -> i
    sr_hash_init(&seen);
    sr_value_t *res = sr_value_new_array(0);
    sr_err_t rc = res && sr_hash_reserve(&seen, n) == SR_OK
                      ? lang_step(c->env, n)
                      : lang_oom(c->env);
    for (size_t i = 0; rc == SR_OK && i < n; i++) {
        uint32_t h = lang_hash(keys[i]);
        if (sr_hash_find(&seen, h, s_same_key, keys, keys[i], 0) !=
            SR_HASH_NONE)
            continue;
        if (sr_hash_add(&seen, h, i) != SR_OK)
            rc = lang_oom(c->env);
        else
            rc =
                lang_fn_push(c, res, sr_value_ref(sr_value_array_at(items, i)));
    }
    sr_hash_fini(&seen);
    if (rc != SR_OK)
        sr_value_destroy(&res);
    else
        *out = res;
    return rc;
}

// Keys of each item: the item, attribute= of it, or a selector's value.
static sr_err_t
s_keys_of(lang_call_t *c, sr_value_t *items, const char *attr, size_t lambda,
          bool fold, sr_value_t ***keys_p)
{
    size_t n = sr_value_len(items);
    sr_value_t **keys = calloc(n ? n : 1, sizeof *keys);
    sr_err_t rc = keys ? SR_OK : lang_oom(c->env);
    for (size_t i = 0; rc == SR_OK && i < n; i++) {
        sr_value_t *item = sr_value_array_at(items, i), *k = item;
        if (lambda) {
            if ((rc = lang_call_eval_item(c, lambda, item, &k)) != SR_OK)
                break;
        } else if (attr) {
            k = lang_fn_attr(item, attr);
            if (!k)
                k = sr_value_new_nil();
            sr_value_ref(k);
        } else {
            sr_value_ref(k);
        }
        keys[i] = s_fold(k, fold);
        sr_value_destroy(&k);
        if (!keys[i])
            rc = lang_oom(c->env);
    }
    if (rc != SR_OK) {
        for (size_t i = 0; keys && i < n; i++)
            sr_value_destroy(&keys[i]);
        free(keys);
        return rc;
    }
    *keys_p = keys;
    return SR_OK;
}

static void
s_free_keys(sr_value_t **keys, size_t n)
{
    for (size_t i = 0; keys && i < n; i++)
        sr_value_destroy(&keys[i]);
    free(keys);
}

static const char *
s_attr_arg(lang_call_t *c, size_t pos)
{
    sr_value_t *a = lang_call_arg(c, pos, "attribute");
    return a && sr_value_type(a) == SR_T_STR ? sr_value_str(a) : NULL;
}

static bool
s_flag(lang_call_t *c, size_t pos, const char *name, bool dflt)
{
    sr_value_t *v = lang_call_arg(c, pos, name);
    return v ? sr_value_truthy(v) : dflt;
}

// YAQL distinct() / toSet(), Jinja unique(case_sensitive, attribute).
static sr_err_t
s_distinct(lang_call_t *c, sr_value_t **out)
{
    bool yaql = lang_fn_is_yaql(c);
    bool fold = !yaql && !s_flag(c, 1, "case_sensitive", false);
    const char *attr = yaql ? NULL : s_attr_arg(c, 2);
    sr_value_t *items = NULL, **keys = NULL;
    sr_err_t rc = s_items(c, &items);
    if (rc == SR_OK &&
        (rc = s_keys_of(c, items, attr, 0, fold, &keys)) == SR_OK)
        rc = s_distinct_by(c, items, keys, out);
    s_free_keys(keys, sr_value_len(items));
    sr_value_destroy(&items);
    return rc;
}

// YAQL set(a, b, ...): the distinct arguments; set(list) of one list.
static sr_err_t
s_set(lang_call_t *c, sr_value_t **out)
{
    sr_value_t *items = NULL;
    if (c->argc == 1 && sr_value_type(c->argv[0]) == SR_T_ARRAY) {
        items = sr_value_ref(c->argv[0]);
    } else if ((items = sr_value_new_array(c->argc))) {
        for (size_t i = 0; i < c->argc; i++)
            if (sr_value_array_append(items, sr_value_ref(c->argv[i])) != SR_OK)
                sr_value_destroy(&items);
    }
    if (!items)
        return lang_oom(c->env);
    sr_value_t **keys = NULL;
    sr_err_t rc = s_keys_of(c, items, NULL, 0, false, &keys);
    if (rc == SR_OK)
        rc = s_distinct_by(c, items, keys, out);
    s_free_keys(keys, sr_value_len(items));
    sr_value_destroy(&items);
    return rc;
}

typedef struct {
    lang_env_t *env;
    sr_value_t **keys;
    bool reverse, yaql;
    sr_err_t rc;
} s_sort_t;

static int
s_cmp(s_sort_t *s, size_t a, size_t b)
{
    int cmp = 0;
    if (s->rc == SR_OK)
        s->rc = lang_order(s->env, s->keys[a], s->keys[b], s->yaql, &cmp);
    return s->reverse ? -cmp : cmp;
}

// Stable merge sort of idx[0..n) (tmp has room for n).
static void
s_merge_sort(s_sort_t *s, size_t *idx, size_t *tmp, size_t n)
{
    if (n < 2 || s->rc != SR_OK)
        return;
    size_t half = n / 2;
    s_merge_sort(s, idx, tmp, half);
    s_merge_sort(s, idx + half, tmp, n - half);
    size_t i = 0, j = half, k = 0;
    while (i < half && j < n)
        tmp[k++] = s_cmp(s, idx[i], idx[j]) <= 0 ? idx[i++] : idx[j++];
    while (i < half)
        tmp[k++] = idx[i++];
    while (j < n)
        tmp[k++] = idx[j++];
    memcpy(idx, tmp, n * sizeof *idx);
}

static sr_err_t
s_sorted(lang_call_t *c, sr_value_t *items, sr_value_t **keys, bool reverse,
         sr_value_t **out)
{
    size_t n = sr_value_len(items);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    size_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    s_sort_t s = {.env = c->env,
                  .keys = keys,
                  .reverse = reverse,
                  .yaql = lang_fn_is_yaql(c),
                  .rc = SR_OK};
    sr_value_t *res = sr_value_new_array(n);
    if (!idx || !tmp || !res)
        s.rc = lang_oom(c->env);
    size_t log = 1;
    while ((1ULL << log) < n)
        log++;
    if (s.rc == SR_OK)
        s.rc = lang_step(c->env, n * log);
    for (size_t i = 0; s.rc == SR_OK && i < n; i++)
        idx[i] = i;
    if (s.rc == SR_OK)
        s_merge_sort(&s, idx, tmp, n);
    for (size_t i = 0; s.rc == SR_OK && i < n; i++)
        s.rc = lang_fn_push(c, res,
                            sr_value_ref(sr_value_array_at(items, idx[i])));
    free(idx);
    free(tmp);
    if (s.rc != SR_OK)
        sr_value_destroy(&res);
    else
        *out = res;
    return s.rc;
}

// YAQL orderBy(selector) / orderByDescending(selector).
static sr_err_t
s_order_by(lang_call_t *c, bool reverse, sr_value_t **out)
{
    sr_value_t *items = NULL, **keys = NULL;
    sr_err_t rc = s_items(c, &items);
    if (rc == SR_OK &&
        (rc = s_keys_of(c, items, NULL, 1, false, &keys)) == SR_OK)
        rc = s_sorted(c, items, keys, reverse, out);
    s_free_keys(keys, sr_value_len(items));
    sr_value_destroy(&items);
    return rc;
}

static sr_err_t
s_order_asc(lang_call_t *c, sr_value_t **out)
{
    return s_order_by(c, false, out);
}

static sr_err_t
s_order_desc(lang_call_t *c, sr_value_t **out)
{
    return s_order_by(c, true, out);
}

// Jinja sort(reverse=false, case_sensitive=false, attribute=none).
static sr_err_t
s_sort(lang_call_t *c, sr_value_t **out)
{
    bool reverse = s_flag(c, 1, "reverse", false);
    bool fold = !s_flag(c, 2, "case_sensitive", false);
    sr_value_t *items = NULL, **keys = NULL;
    sr_err_t rc = s_items(c, &items);
    if (rc == SR_OK &&
        (rc = s_keys_of(c, items, s_attr_arg(c, 3), 0, fold, &keys)) == SR_OK)
        rc = s_sorted(c, items, keys, reverse, out);
    s_free_keys(keys, sr_value_len(items));
    sr_value_destroy(&items);
    return rc;
}

// first(default?) / last(default?); Jinja's filters give undefined.
static sr_err_t
s_end(lang_call_t *c, bool first, sr_value_t **out)
{
    sr_value_t *items = NULL;
    sr_err_t rc = s_items(c, &items);
    if (rc != SR_OK)
        return rc;
    size_t n = sr_value_len(items);
    if (n > 0)
        *out = sr_value_ref(sr_value_array_at(items, first ? 0 : n - 1));
    else if (c->argc > 1)
        *out = sr_value_ref(c->argv[1]);
    else if (lang_fn_is_yaql(c))
        rc = lang_fail(c->env, "%s(): the collection is empty", c->node->name);
    else
        rc = lang_fail_undefined(c->env, "No %s item, sequence was empty.",
                                 first ? "first" : "last");
    sr_value_destroy(&items);
    return rc;
}

static sr_err_t
s_first(lang_call_t *c, sr_value_t **out)
{
    return s_end(c, true, out);
}

static sr_err_t
s_last(lang_call_t *c, sr_value_t **out)
{
    return s_end(c, false, out);
}

// YAQL sum(initial?) with +; Jinja sum(attribute=none, start=0).
static sr_err_t
s_sum(lang_call_t *c, sr_value_t **out)
{
    bool yaql = lang_fn_is_yaql(c);
    const char *attr = yaql ? NULL : s_attr_arg(c, 1);
    sr_value_t *start = lang_call_arg(c, yaql ? 1 : 2, yaql ? NULL : "start");
    sr_value_t *items = NULL, *acc = start ? sr_value_ref(start) : NULL;
    sr_err_t rc = s_items(c, &items);
    for (size_t i = 0; rc == SR_OK && i < sr_value_len(items); i++) {
        sr_value_t *v = sr_value_array_at(items, i), *next;
        if (attr && !(v = lang_fn_attr(v, attr)))
            v = sr_value_new_nil();
        if (!acc && yaql) {
            acc = sr_value_ref(v);
            continue;
        }
        if (!acc && !(acc = sr_value_new_int(0)))
            rc = lang_oom(c->env);
        if (rc == SR_OK && (rc = lang_op_binary(c->env, LANG_OP_ADD, yaql, acc,
                                                v, &next)) == SR_OK) {
            sr_value_destroy(&acc);
            acc = next;
        }
    }
    sr_value_destroy(&items);
    if (rc == SR_OK && !acc && !(acc = sr_value_new_int(0)))
        rc = lang_oom(c->env);
    if (rc != SR_OK)
        sr_value_destroy(&acc);
    else
        *out = acc;
    return rc;
}

// min() / max() of a collection.
static sr_err_t
s_extreme(lang_call_t *c, bool want_max, sr_value_t **out)
{
    bool yaql = lang_fn_is_yaql(c);
    if (yaql && c->argc == 2) { // YAQL min(a, b) / max(a, b)
        int cmp;
        if (c->node->flags & LANG_F_METHOD)
            return lang_fail(c->env, "%s() takes no arguments", c->node->name);
        sr_err_t rc = lang_order(c->env, c->argv[0], c->argv[1], true, &cmp);
        if (rc == SR_OK)
            *out = sr_value_ref(c->argv[(cmp < 0) == want_max ? 1 : 0]);
        return rc;
    }
    bool fold = !yaql && !s_flag(c, 1, "case_sensitive", false);
    sr_value_t *items = NULL, **keys = NULL;
    sr_err_t rc = s_items(c, &items);
    size_t n = rc == SR_OK ? sr_value_len(items) : 0, best = 0;
    if (rc == SR_OK)
        rc =
            s_keys_of(c, items, yaql ? NULL : s_attr_arg(c, 2), 0, fold, &keys);
    for (size_t i = 1; rc == SR_OK && i < n; i++) {
        int cmp;
        if ((rc = lang_order(c->env, keys[i], keys[best], yaql, &cmp)) ==
                SR_OK &&
            (want_max ? cmp > 0 : cmp < 0))
            best = i;
    }
    if (rc == SR_OK && n == 0)
        rc = yaql ? lang_fail(c->env, "%s() arg is an empty sequence",
                              c->node->name)
                  : lang_fail_undefined(c->env, "No aggregated item, "
                                                "sequence was empty.");
    if (rc == SR_OK)
        *out = sr_value_ref(sr_value_array_at(items, best));
    s_free_keys(keys, n);
    sr_value_destroy(&items);
    return rc;
}

static sr_err_t
s_min(lang_call_t *c, sr_value_t **out)
{
    return s_extreme(c, false, out);
}

static sr_err_t
s_max(lang_call_t *c, sr_value_t **out)
{
    return s_extreme(c, true, out);
}

static const lang_builtin_t s_yaql[] = {
    {"where", s_where, 2, 2, LANG_FN_LAZY},
    {"select", s_select, 2, 2, LANG_FN_LAZY},
    {"any", s_any, 1, 2, LANG_FN_LAZY},
    {"all", s_all, 1, 2, LANG_FN_LAZY},
    {"orderBy", s_order_asc, 2, 2, LANG_FN_LAZY},
    {"orderByDescending", s_order_desc, 2, 2, LANG_FN_LAZY},
    {"distinct", s_distinct, 1, 1, 0},
    {"toSet", s_distinct, 1, 1, 0},
    {"first", s_first, 1, 2, 0},
    {"last", s_last, 1, 2, 0},
    {"sum", s_sum, 1, 2, 0},
    {"min", s_min, 1, 2, 0},
    {"max", s_max, 1, 2, 0},
};

static const lang_builtin_t s_yaql_funcs[] = {
    {"set", s_set, 0, LANG_MAX_ARGS, 0},
};

static const lang_builtin_t s_jinja_filters[] = {
    {"first", s_first, 1, 1, 0},
    {"last", s_last, 1, 1, 0},
    {"sum", s_sum, 1, 3, LANG_FN_KEYWORDS},
    {"min", s_min, 1, 3, LANG_FN_KEYWORDS},
    {"max", s_max, 1, 3, LANG_FN_KEYWORDS},
    {"unique", s_distinct, 1, 3, LANG_FN_KEYWORDS},
    {"sort", s_sort, 1, 4, LANG_FN_KEYWORDS},
    {"map", lang_fn_jinja_map, 1, LANG_MAX_ARGS, LANG_FN_KEYWORDS},
    {"select", lang_fn_jinja_select, 1, LANG_MAX_ARGS, 0},
    {"reject", lang_fn_jinja_reject, 1, LANG_MAX_ARGS, 0},
    {"selectattr", lang_fn_jinja_selectattr, 2, LANG_MAX_ARGS, 0},
    {"rejectattr", lang_fn_jinja_rejectattr, 2, LANG_MAX_ARGS, 0},
};

const lang_fn_table_t lang_fn_query_tables[] = {
    {LANG_NS_YAQL_METHOD, s_yaql, sizeof s_yaql / sizeof s_yaql[0]},
    {LANG_NS_YAQL_FUNC, s_yaql, sizeof s_yaql / sizeof s_yaql[0]},
    {LANG_NS_YAQL_FUNC, s_yaql_funcs,
     sizeof s_yaql_funcs / sizeof s_yaql_funcs[0]},
    {LANG_NS_JINJA_FILTER, s_jinja_filters,
     sizeof s_jinja_filters / sizeof s_jinja_filters[0]},
};
const size_t lang_fn_query_ntables =
    sizeof lang_fn_query_tables / sizeof lang_fn_query_tables[0];
