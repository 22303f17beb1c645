// Built-ins that make collections: keys(), values(), items(), list(),
// toList(), dict() (YAQL's dict(a => 1) and pair lists, Jinja's
// dict(a=1)) and range(). Map keys made from scalars take their JSON text.
#include "lang_eval.h"
#include "lang_fn.h"
#include "lang_text.h"

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

static const lang_builtin_t s_yaql_funcs[] = {
    {"keys", s_keys, 1, 1, 0},
    {"values", s_values, 1, 1, 0},
    {"items", s_items, 1, 1, 0},
    {"list", s_list_yaql, 0, LANG_MAX_ARGS, 0},
    {"dict", s_dict_yaql, 0, LANG_MAX_ARGS, LANG_FN_LAZY_ALL},
    {"range", s_range, 1, 3, 0},
};

static const lang_builtin_t s_yaql_methods[] = {
    {"keys", s_keys, 1, 1, 0},
    {"values", s_values, 1, 1, 0},
    {"items", s_items, 1, 1, 0},
    {"toList", s_to_list, 1, 1, 0},
};

static const lang_builtin_t s_jinja_funcs[] = {
    {"range", s_range, 1, 3, 0},
    {"dict", s_dict_jinja, 0, LANG_MAX_ARGS, LANG_FN_KEYWORDS},
};

static const lang_builtin_t s_jinja_filters[] = {
    {"list", s_to_list, 1, 1, 0},
    {"items", s_items, 1, 1, 0},
};

static const lang_builtin_t s_jinja_methods[] = {
    {"keys", s_keys, 1, 1, 0},
    {"values", s_values, 1, 1, 0},
    {"items", s_items, 1, 1, 0},
};

const lang_fn_table_t lang_fn_build_tables[] = {
    {LANG_NS_YAQL_FUNC, s_yaql_funcs,
     sizeof s_yaql_funcs / sizeof s_yaql_funcs[0]},
    {LANG_NS_YAQL_METHOD, s_yaql_methods,
     sizeof s_yaql_methods / sizeof s_yaql_methods[0]},
    {LANG_NS_JINJA_FUNC, s_jinja_funcs,
     sizeof s_jinja_funcs / sizeof s_jinja_funcs[0]},
    {LANG_NS_JINJA_FILTER, s_jinja_filters,
     sizeof s_jinja_filters / sizeof s_jinja_filters[0]},
    {LANG_NS_JINJA_METHOD, s_jinja_methods,
     sizeof s_jinja_methods / sizeof s_jinja_methods[0]},
};
const size_t lang_fn_build_ntables =
    sizeof lang_fn_build_tables / sizeof lang_fn_build_tables[0];
