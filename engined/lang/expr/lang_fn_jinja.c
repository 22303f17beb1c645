// Jinja tests (`x is defined`, `is none`, `is divisibleby 3`, ...) and the
// filters that apply a test or another filter to each item: map, select,
// reject, selectattr, rejectattr. Tests return booleans; an undefined
// subject reaches `defined`, `undefined` and `none` as NULL.
#include <string.h>

#include "lang_eval.h"
#include "lang_fn.h"
#include "lang_ops.h"

static sr_err_t
s_bool(bool b, sr_value_t **out)
{
    *out = sr_value_new_bool(b);
    return SR_OK;
}

static sr_err_t
s_defined(lang_call_t *c, sr_value_t **out)
{
    return s_bool(c->argv[0] != NULL, out);
}

static sr_err_t
s_undefined(lang_call_t *c, sr_value_t **out)
{
    return s_bool(c->argv[0] == NULL, out);
}

static sr_err_t
s_none(lang_call_t *c, sr_value_t **out)
{
    return s_bool(c->argv[0] && sr_value_type(c->argv[0]) == SR_T_NIL, out);
}

static sr_err_t
s_type_test(lang_call_t *c, sr_value_t **out)
{
    const char *name = c->node->name;
    sr_type_t t = sr_value_type(c->argv[0]);
    bool yes = false;
    if (strcmp(name, "string") == 0)
        yes = t == SR_T_STR;
    else if (strcmp(name, "number") == 0)
        yes = t == SR_T_INT || t == SR_T_FLOAT || t == SR_T_BOOL;
    else if (strcmp(name, "integer") == 0)
        yes = t == SR_T_INT;
    else if (strcmp(name, "float") == 0)
        yes = t == SR_T_FLOAT;
    else if (strcmp(name, "boolean") == 0)
        yes = t == SR_T_BOOL;
    else if (strcmp(name, "true") == 0)
        yes = t == SR_T_BOOL && sr_value_bool(c->argv[0]);
    else if (strcmp(name, "false") == 0)
        yes = t == SR_T_BOOL && !sr_value_bool(c->argv[0]);
    else if (strcmp(name, "mapping") == 0)
        yes = t == SR_T_MAP;
    else if (strcmp(name, "iterable") == 0 || strcmp(name, "sequence") == 0)
        yes = t == SR_T_STR || t == SR_T_ARRAY || t == SR_T_MAP;
    return s_bool(yes, out);
}

// eq, ne, lt, le, gt, ge and their symbol spellings.
static sr_err_t
s_compare_test(lang_call_t *c, sr_value_t **out)
{
    static const struct {
        const char *names[3];
        lang_op_t op;
    } ops[] = {
        {{"eq", "equalto", "=="}, LANG_OP_EQ},
        {{"ne", "!=", NULL}, LANG_OP_NE},
        {{"lt", "lessthan", "<"}, LANG_OP_LT},
        {{"le", "<=", NULL}, LANG_OP_LE},
        {{"gt", "greaterthan", ">"}, LANG_OP_GT},
        {{"ge", ">=", NULL}, LANG_OP_GE},
        {{"in", NULL, NULL}, LANG_OP_IN},
    };
    const char *name = c->node->kind == LANG_N_TEST ? c->node->name : NULL;
    for (size_t i = 0; name && i < sizeof ops / sizeof ops[0]; i++)
        for (size_t k = 0; k < 3 && ops[i].names[k]; k++)
            if (strcmp(name, ops[i].names[k]) == 0)
                return lang_op_binary(c->env, ops[i].op, false, c->argv[0],
                                      c->argv[1], out);
    return lang_fail(c->env, "No test named '%s'.", name ? name : "?");
}

static sr_err_t
s_parity(lang_call_t *c, int64_t div, int64_t want, sr_value_t **out)
{
    int64_t i;
    if (!lang_int(c->argv[0], &i))
        return lang_fn_type(c, 0, "int");
    if (div == 0)
        return lang_fail(c->env, "integer division or modulo by zero");
    int64_t r = div == -1 ? 0 : i % div;
    return s_bool(r == want || (r != 0 && want != 0 && r + div == want), out);
}

static sr_err_t
s_even(lang_call_t *c, sr_value_t **out)
{
    return s_parity(c, 2, 0, out);
}

static sr_err_t
s_odd(lang_call_t *c, sr_value_t **out)
{
    return s_parity(c, 2, 1, out);
}

static sr_err_t
s_divisibleby(lang_call_t *c, sr_value_t **out)
{
    int64_t d;
    sr_err_t rc = lang_fn_int(c, 1, &d);
    return rc == SR_OK ? s_parity(c, d, 0, out) : rc;
}

static sr_err_t
s_case_test(lang_call_t *c, sr_value_t **out)
{
    bool upper = strcmp(c->node->name, "upper") == 0, cased = false;
    sr_value_t *v = c->argv[0];
    if (sr_value_type(v) != SR_T_STR)
        return s_bool(false, out);
    const char *s = sr_value_str(v);
    for (size_t i = 0; i < sr_value_len(v); i++) {
        bool is_lower = s[i] >= 'a' && s[i] <= 'z';
        bool is_upper = s[i] >= 'A' && s[i] <= 'Z';
        if (upper ? is_lower : is_upper)
            return s_bool(false, out);
        cased = cased || is_lower || is_upper;
    }
    return s_bool(cased, out);
}

static sr_err_t
s_sameas(lang_call_t *c, sr_value_t **out)
{
    sr_value_t *a = c->argv[0], *b = c->argv[1];
    sr_type_t t = sr_value_type(a);
    bool same =
        a == b || (t == sr_value_type(b) &&
                   (t == SR_T_NIL ||
                    (t == SR_T_BOOL && sr_value_bool(a) == sr_value_bool(b))));
    return s_bool(same, out);
}

// Call built-in `fn` (a test or a filter) on `item` with the arguments of
// `c` from index `from` on.
static sr_err_t
s_apply(lang_call_t *c, const lang_builtin_t *fn, const char *name,
        sr_value_t *item, size_t from, sr_value_t **out)
{
    size_t argc = 1 + (c->argc > from ? c->argc - from : 0);
    if (fn->flags & (LANG_FN_LAZY | LANG_FN_LAZY_ALL))
        return lang_fail(c->env, "'%s' cannot be applied to items", name);
    if (argc < fn->min_args || argc > fn->max_args)
        return lang_fail(c->env, "'%s' takes %u to %u arguments", name,
                         fn->min_args - 1u, fn->max_args - 1u);
    lang_node_t node = *c->node;
    node.name = name;
    node.kind = LANG_N_TEST;
    lang_call_t sub = {.env = c->env, .node = &node, .argc = argc};
    sub.argv[0] = item;
    for (size_t i = 1; i < argc; i++)
        sub.argv[i] = c->argv[from + i - 1];
    return fn->fn(&sub, out);
}

// The test named by argument `at` (none: truthiness) applied to item.
static sr_err_t
s_test_item(lang_call_t *c, size_t at, sr_value_t *item, bool *yes)
{
    if (at >= c->argc) {
        *yes = sr_value_truthy(item);
        return SR_OK;
    }
    const char *name;
    size_t len;
    sr_err_t rc = lang_fn_str(c, at, &name, &len);
    if (rc != SR_OK)
        return rc;
    const lang_builtin_t *fn = lang_builtin_find(LANG_NS_JINJA_TEST, name, len);
    if (!fn)
        return lang_fail(c->env, "No test named '%s'.", name);
    sr_value_t *v;
    if ((rc = s_apply(c, fn, name, item, at + 1, &v)) == SR_OK) {
        *yes = sr_value_truthy(v);
        sr_value_destroy(&v);
    }
    return rc;
}

// select / reject / selectattr / rejectattr
static sr_err_t
s_filter_items(lang_call_t *c, bool by_attr, bool keep, sr_value_t **out)
{
    const char *attr = NULL;
    sr_value_t *items = NULL, *res = NULL;
    sr_err_t rc = by_attr ? lang_fn_str(c, 1, &attr, NULL) : SR_OK;
    if (rc != SR_OK || (rc = lang_fn_items(c, c->argv[0], &items)) != SR_OK)
        return rc;
    if (!(res = sr_value_new_array(0)))
        rc = lang_oom(c->env);
    for (size_t i = 0; rc == SR_OK && i < sr_value_len(items); i++) {
        sr_value_t *item = sr_value_array_at(items, i), *subject = item;
        bool yes = false;
        if (by_attr && !(subject = lang_fn_attr(item, attr))) {
            if (c->argc > 2) { // a test on a missing attribute: undefined
                const char *t = sr_value_str(c->argv[2]);
                yes = strcmp(t, "undefined") == 0;
                if (!yes && strcmp(t, "defined") != 0 && strcmp(t, "none") != 0)
                    rc = lang_fail_undefined(
                        c->env, "'dict object' has no attribute '%s'", attr);
            }
        } else {
            rc = s_test_item(c, by_attr ? 2 : 1, subject, &yes);
        }
        if (rc == SR_OK && yes == keep)
            rc = lang_fn_push(c, res, sr_value_ref(item));
    }
    sr_value_destroy(&items);
    if (rc != SR_OK)
        sr_value_destroy(&res);
    else
        *out = res;
    return rc;
}

sr_err_t
lang_fn_jinja_select(lang_call_t *c, sr_value_t **out)
{
    return s_filter_items(c, false, true, out);
}

sr_err_t
lang_fn_jinja_reject(lang_call_t *c, sr_value_t **out)
{
    return s_filter_items(c, false, false, out);
}

sr_err_t
lang_fn_jinja_selectattr(lang_call_t *c, sr_value_t **out)
{
    return s_filter_items(c, true, true, out);
}

sr_err_t
lang_fn_jinja_rejectattr(lang_call_t *c, sr_value_t **out)
{
    return s_filter_items(c, true, false, out);
}

// map(attribute='x', default=v) or map('filter', args...).
sr_err_t
lang_fn_jinja_map(lang_call_t *c, sr_value_t **out)
{
    sr_value_t *attr = lang_call_arg(c, SIZE_MAX, "attribute");
    sr_value_t *dflt = lang_call_arg(c, SIZE_MAX, "default");
    const lang_builtin_t *fn = NULL;
    const char *name = NULL;
    size_t len;
    sr_err_t rc = SR_OK;
    if (attr && sr_value_type(attr) != SR_T_STR)
        return lang_fail(c->env, "map(): attribute must be a string");
    if (!attr) {
        if ((rc = lang_fn_str(c, 1, &name, &len)) != SR_OK)
            return rc;
        if (!(fn = lang_builtin_find(LANG_NS_JINJA_FILTER, name, len)))
            return lang_fail(c->env, "No filter named '%s'.", name);
    }
    sr_value_t *items = NULL, *res = NULL;
    if ((rc = lang_fn_items(c, c->argv[0], &items)) != SR_OK)
        return rc;
    if (!(res = sr_value_new_array(sr_value_len(items))))
        rc = lang_oom(c->env);
    for (size_t i = 0; rc == SR_OK && i < sr_value_len(items); i++) {
        sr_value_t *item = sr_value_array_at(items, i), *v = NULL;
        if (fn) {
            rc = s_apply(c, fn, name, item, 2, &v);
        } else if ((v = lang_fn_attr(item, sr_value_str(attr))) || dflt) {
            v = sr_value_ref(v ? v : dflt);
        } else {
            rc = lang_fail_undefined(
                c->env, "%s has no attribute '%s'",
                sr_value_type(item) == SR_T_MAP ? "'dict object'" : "the item",
                sr_value_str(attr));
        }
        if (rc == SR_OK)
            rc = lang_fn_push(c, res, v);
    }
    sr_value_destroy(&items);
    if (rc != SR_OK)
        sr_value_destroy(&res);
    else
        *out = res;
    return rc;
}

static const lang_builtin_t s_tests[] = {
    {"defined", s_defined, 1, 1, LANG_FN_UNDEF_OK},
    {"undefined", s_undefined, 1, 1, LANG_FN_UNDEF_OK},
    {"none", s_none, 1, 1, LANG_FN_UNDEF_OK},
    {"string", s_type_test, 1, 1, 0},
    {"number", s_type_test, 1, 1, 0},
    {"integer", s_type_test, 1, 1, 0},
    {"float", s_type_test, 1, 1, 0},
    {"boolean", s_type_test, 1, 1, 0},
    {"true", s_type_test, 1, 1, 0},
    {"false", s_type_test, 1, 1, 0},
    {"mapping", s_type_test, 1, 1, 0},
    {"iterable", s_type_test, 1, 1, 0},
    {"sequence", s_type_test, 1, 1, 0},
    {"eq", s_compare_test, 2, 2, 0},
    {"equalto", s_compare_test, 2, 2, 0},
    {"==", s_compare_test, 2, 2, 0},
    {"ne", s_compare_test, 2, 2, 0},
    {"!=", s_compare_test, 2, 2, 0},
    {"lt", s_compare_test, 2, 2, 0},
    {"lessthan", s_compare_test, 2, 2, 0},
    {"<", s_compare_test, 2, 2, 0},
    {"le", s_compare_test, 2, 2, 0},
    {"<=", s_compare_test, 2, 2, 0},
    {"gt", s_compare_test, 2, 2, 0},
    {"greaterthan", s_compare_test, 2, 2, 0},
    {">", s_compare_test, 2, 2, 0},
    {"ge", s_compare_test, 2, 2, 0},
    {">=", s_compare_test, 2, 2, 0},
    {"in", s_compare_test, 2, 2, 0},
    {"even", s_even, 1, 1, 0},
    {"odd", s_odd, 1, 1, 0},
    {"divisibleby", s_divisibleby, 2, 2, 0},
    {"lower", s_case_test, 1, 1, 0},
    {"upper", s_case_test, 1, 1, 0},
    {"sameas", s_sameas, 2, 2, 0},
};

const lang_fn_table_t lang_fn_jinja_tables[] = {
    {LANG_NS_JINJA_TEST, s_tests, sizeof s_tests / sizeof s_tests[0]},
};
const size_t lang_fn_jinja_ntables =
    sizeof lang_fn_jinja_tables / sizeof lang_fn_jinja_tables[0];
