// The evaluator: one switch over node kinds, data access with YAQL's and
// Jinja's rules ($.x maps over lists; a missing key at the root is an error,
// deeper it is null; Jinja's missing values are "undefined"), the call path
// to built-ins and the host, and template rendering (text, output, if, for,
// set). Recursion follows the node tree, whose depth the parsers bound.
// Holds no state outside the environment it is given.
#include "lang_eval.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lang_ops.h"
#include "lang_text.h"
#include "sr_limits.h"

#define S_DEFAULT_STEPS 1000000

void
lang_env_init(lang_env_t *e, const char *src, const lang_eval_ctx_t *ctx)
{
    e->ctx = ctx;
    e->src = src;
    e->data = (sr_value_t *)ctx->data; // values are shared by reference
    e->dollar = e->data;
    e->dollar_is_root = true;
    e->steps = 0;
    e->max_steps = ctx->max_steps ? ctx->max_steps : S_DEFAULT_STEPS;
    e->max_bytes = ctx->max_bytes ? ctx->max_bytes : SR_DEFAULT_MAX_BYTES;
    e->nvars = 0;
    e->frame = 0;
    e->undefined = false;
    e->depth = e->undef_depth = 0;
    e->err_pos = e->err_len = 0;
    e->detail[0] = '\0';
}

void
lang_env_fini(lang_env_t *e)
{
    while (e->nvars > 0)
        sr_value_destroy(&e->vars[--e->nvars].value);
}

static sr_err_t
s_vfail(lang_env_t *e, bool undefined, const char *fmt, va_list ap)
{
    vsnprintf(e->detail, sizeof e->detail, fmt, ap);
    e->undefined = undefined;
    return SR_EEXPR;
}

sr_err_t
lang_fail(lang_env_t *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sr_err_t rc = s_vfail(e, false, fmt, ap);
    va_end(ap);
    return rc;
}

sr_err_t
lang_fail_undefined(lang_env_t *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sr_err_t rc = s_vfail(e, true, fmt, ap);
    va_end(ap);
    e->undef_depth = e->depth;
    return rc;
}

sr_err_t
lang_oom(lang_env_t *e)
{
    snprintf(e->detail, sizeof e->detail, "out of memory");
    e->undefined = false;
    return SR_ENOMEM;
}

sr_err_t
lang_fail_code(lang_env_t *e, sr_err_t code)
{
    if (code == SR_ETOOBIG) {
        snprintf(e->detail, sizeof e->detail,
                 "result exceeds the size limit of %zu bytes", e->max_bytes);
        e->undefined = false;
        return code;
    }
    if (code == SR_ENOMEM)
        return lang_oom(e);
    return code;
}

sr_err_t
lang_step(lang_env_t *e, size_t n)
{
    e->steps += n;
    if (e->steps <= e->max_steps)
        return SR_OK;
    snprintf(e->detail, sizeof e->detail,
             "evaluation exceeded the limit of %zu steps", e->max_steps);
    e->undefined = false;
    return SR_ETOOBIG;
}

sr_err_t
lang_check_bytes(lang_env_t *e, size_t bytes)
{
    if (bytes <= e->max_bytes)
        return SR_OK;
    snprintf(e->detail, sizeof e->detail,
             "a string of %zu bytes exceeds the size limit of %zu bytes", bytes,
             e->max_bytes);
    e->undefined = false;
    return SR_ETOOBIG;
}

sr_err_t
lang_check_items(lang_env_t *e, size_t items)
{
    if (items <= e->max_bytes / sizeof(void *))
        return SR_OK;
    snprintf(e->detail, sizeof e->detail,
             "a collection of %zu items exceeds the size limit of %zu bytes",
             items, e->max_bytes);
    e->undefined = false;
    return SR_ETOOBIG;
}

const char *
lang_type_name(const sr_value_t *v)
{
    static const char *const names[] = {"NoneType", "bool",  "int",  "float",
                                        "str",      "bytes", "list", "dict"};
    sr_type_t t = sr_value_type(v);
    return (size_t)t < sizeof names / sizeof names[0] ? names[t] : "object";
}

// Jinja's name of a value in "'dict object' has no attribute 'x'".
static const char *
s_jinja_object(const sr_value_t *v)
{
    switch (sr_value_type(v)) {
    case SR_T_NIL:
        return "None";
    case SR_T_MAP:
        return "'dict object'";
    case SR_T_ARRAY:
        return "'list object'";
    case SR_T_STR:
        return "'str object'";
    case SR_T_INT:
        return "'int object'";
    case SR_T_FLOAT:
        return "'float object'";
    case SR_T_BOOL:
        return "'bool object'";
    default:
        return "'object'";
    }
}

static sr_err_t
s_ok(lang_env_t *e, sr_value_t *v, sr_value_t **out)
{
    if (!v)
        return lang_oom(e);
    *out = v;
    return SR_OK;
}

// YAQL `.key`: maps give the entry (null when missing, an error at the
// root), lists map over their items.
static sr_err_t
s_attr_yaql(lang_env_t *e, const lang_node_t *n, sr_value_t *obj, bool root,
            sr_value_t **out)
{
    const char *key = sr_value_str(n->value);
    size_t len = sr_value_len(n->value);
    switch (sr_value_type(obj)) {
    case SR_T_MAP: {
        sr_value_t *v = sr_value_map_getn(obj, key, len);
        if (!v && root)
            return lang_fail(e, "The key '%.*s' is not found in the context",
                             (int)(len > 64 ? 64 : len), key);
        *out = sr_value_ref(v ? v : sr_value_new_nil());
        return SR_OK;
    }
    case SR_T_ARRAY: {
        size_t count = sr_value_len(obj);
        sr_err_t rc = lang_step(e, count);
        sr_value_t *list = rc == SR_OK ? sr_value_new_array(count) : NULL;
        if (rc != SR_OK)
            return rc;
        if (!list)
            return lang_oom(e);
        for (size_t i = 0; rc == SR_OK && i < count; i++) {
            sr_value_t *item;
            rc = s_attr_yaql(e, n, sr_value_array_at(obj, i), false, &item);
            if (rc == SR_OK && sr_value_array_append(list, item) != SR_OK)
                rc = lang_oom(e);
        }
        if (rc != SR_OK)
            sr_value_destroy(&list);
        else
            *out = list;
        return rc;
    }
    case SR_T_NIL:
        if (n->flags & LANG_F_NULLSAFE) {
            *out = sr_value_new_nil();
            return SR_OK;
        }
        return lang_fail(e, "cannot read key '%.*s' of null",
                         (int)(len > 64 ? 64 : len), key);
    default:
        return lang_fail(e, "cannot read key '%.*s' of type '%s'",
                         (int)(len > 64 ? 64 : len), key, lang_type_name(obj));
    }
}

static sr_err_t
s_attr(lang_env_t *e, const lang_node_t *n, sr_value_t **out)
{
    sr_value_t *obj;
    bool root = n->kids[0]->kind == LANG_N_DOLLAR && e->dollar_is_root;
    if (root && !e->data)
        return lang_fail(e, "The key '%s' is not found in the context",
                         n->name);
    sr_err_t rc = lang_eval(e, n->kids[0], &obj);
    if (rc != SR_OK)
        return rc;
    if (n->flags & LANG_F_YAQL) {
        rc = s_attr_yaql(e, n, obj, root, out);
    } else {
        sr_value_t *v = sr_value_type(obj) == SR_T_MAP
                            ? sr_value_map_getn(obj, sr_value_str(n->value),
                                                sr_value_len(n->value))
                            : NULL;
        if (v)
            *out = sr_value_ref(v);
        else
            rc = lang_fail_undefined(e, "%s has no attribute '%s'",
                                     s_jinja_object(obj), n->name);
    }
    sr_value_destroy(&obj);
    return rc;
}

static sr_err_t
s_missing(lang_env_t *e, bool yaql, const char *what, const sr_value_t *obj)
{
    if (yaql)
        return lang_fail(e, "%s", what);
    return lang_fail_undefined(e, "%s has no element: %s", s_jinja_object(obj),
                               what);
}

static sr_err_t
s_index_value(lang_env_t *e, bool yaql, sr_value_t *obj, sr_value_t *idx,
              sr_value_t **out)
{
    int64_t i;
    char what[96];
    sr_type_t t = sr_value_type(obj);
    if (t == SR_T_MAP) {
        sr_value_t *v = NULL;
        if (sr_value_type(idx) == SR_T_STR)
            v = sr_value_map_getn(obj, sr_value_str(idx), sr_value_len(idx));
        if (v) {
            *out = sr_value_ref(v);
            return SR_OK;
        }
        lang_buf_t b = {.limit = 64};
        lang_text_repr(&b, idx);
        snprintf(what, sizeof what, "The key %s is not found",
                 b.data ? b.data : "?");
        lang_buf_fini(&b);
        return s_missing(e, yaql, what, obj);
    }
    if (t != SR_T_ARRAY && t != SR_T_STR)
        return lang_fail(e, "'%s' object is not subscriptable",
                         lang_type_name(obj));
    if (!lang_int(idx, &i))
        return lang_fail(e, "%s indices must be integers, not %s",
                         lang_type_name(obj), lang_type_name(idx));
    size_t count = t == SR_T_ARRAY
                       ? sr_value_len(obj)
                       : lang_utf8_count(sr_value_str(obj), sr_value_len(obj));
    if (i < 0)
        i += (int64_t)count;
    if (i < 0 || (uint64_t)i >= count) {
        snprintf(what, sizeof what, "%s index out of range",
                 t == SR_T_ARRAY ? "list" : "string");
        return s_missing(e, yaql, what, obj);
    }
    if (t == SR_T_ARRAY) {
        *out = sr_value_ref(sr_value_array_at(obj, (size_t)i));
        return SR_OK;
    }
    const char *s = sr_value_str(obj);
    size_t len = sr_value_len(obj);
    size_t a = lang_utf8_offset(s, len, (size_t)i);
    size_t b = lang_utf8_offset(s + a, len - a, 1) + a;
    return s_ok(e, sr_value_new_strn(s + a, b - a), out);
}

static sr_err_t
s_index(lang_env_t *e, const lang_node_t *n, sr_value_t **out)
{
    bool yaql = n->flags & LANG_F_YAQL;
    sr_value_t *obj = NULL, *idx = NULL;
    sr_err_t rc = lang_eval(e, n->kids[0], &obj);
    if (rc == SR_OK)
        rc = lang_eval(e, n->kids[1], &idx);
    if (rc == SR_OK)
        rc = s_index_value(e, yaql, obj, idx, out);
    if (rc == SR_EEXPR && n->nkids > 2 && sr_value_type(obj) == SR_T_MAP)
        rc = lang_eval(e, n->kids[2], out); // $.d['k', default]
    sr_value_destroy(&obj);
    sr_value_destroy(&idx);
    return rc;
}

static sr_err_t
s_list(lang_env_t *e, const lang_node_t *n, sr_value_t **out)
{
    sr_value_t *list = sr_value_new_array(n->nkids);
    if (!list)
        return lang_oom(e);
    sr_err_t rc = SR_OK;
    for (size_t i = 0; rc == SR_OK && i < n->nkids; i++) {
        sr_value_t *item;
        if ((rc = lang_eval(e, n->kids[i], &item)) == SR_OK &&
            sr_value_array_append(list, item) != SR_OK)
            rc = lang_oom(e);
    }
    if (rc != SR_OK)
        sr_value_destroy(&list);
    else
        *out = list;
    return rc;
}

// Map keys are strings; scalars are converted as JSON would (1 -> "1").
static sr_err_t
s_key(lang_env_t *e, sr_value_t *k, sr_value_t **out)
{
    char buf[40];
    switch (sr_value_type(k)) {
    case SR_T_STR:
        *out = sr_value_ref(k);
        return SR_OK;
    case SR_T_NIL:
        return s_ok(e, sr_value_new_str("null"), out);
    case SR_T_BOOL:
        return s_ok(e, sr_value_new_str(sr_value_bool(k) ? "true" : "false"),
                    out);
    case SR_T_INT:
        snprintf(buf, sizeof buf, "%lld", (long long)sr_value_int(k));
        return s_ok(e, sr_value_new_str(buf), out);
    case SR_T_FLOAT:
        return s_ok(e,
                    sr_value_new_str(
                        lang_format_float(sr_value_float(k), buf, sizeof buf)),
                    out);
    default:
        return lang_fail(e, "unhashable type: '%s'", lang_type_name(k));
    }
}

static sr_err_t
s_map(lang_env_t *e, const lang_node_t *n, sr_value_t **out)
{
    sr_value_t *map = sr_value_new_map(n->nkids / 2);
    if (!map)
        return lang_oom(e);
    sr_err_t rc = SR_OK;
    for (size_t i = 0; rc == SR_OK && i + 1 < n->nkids; i += 2) {
        sr_value_t *k = NULL, *key = NULL, *v = NULL;
        if ((rc = lang_eval(e, n->kids[i], &k)) == SR_OK &&
            (rc = s_key(e, k, &key)) == SR_OK &&
            (rc = lang_eval(e, n->kids[i + 1], &v)) == SR_OK &&
            sr_value_map_putv(map, key, v) != SR_OK)
            rc = lang_oom(e);
        sr_value_destroy(&k);
        sr_value_destroy(&key);
    }
    if (rc != SR_OK)
        sr_value_destroy(&map);
    else
        *out = map;
    return rc;
}

static sr_err_t
s_name(lang_env_t *e, const lang_node_t *n, sr_value_t **out)
{
    for (size_t i = e->nvars; i-- > 0;) {
        if (strcmp(e->vars[i].name, n->name) == 0) {
            *out = sr_value_ref(e->vars[i].value);
            return SR_OK;
        }
    }
    if (strcmp(n->name, "_") == 0) {
        *out = e->data ? sr_value_ref(e->data) : sr_value_new_nil();
        return SR_OK;
    }
    // Mistral also puts __env, __execution and __task_execution at the top.
    sr_value_t *v = strncmp(n->name, "__", 2) == 0
                        ? sr_value_map_get(e->data, n->name)
                        : NULL;
    if (v) {
        *out = sr_value_ref(v);
        return SR_OK;
    }
    return lang_fail_undefined(e, "'%s' is undefined", n->name);
}

sr_err_t lang_eval_slice(lang_env_t *e, const lang_node_t *n, sr_value_t **out);
sr_err_t lang_eval_call(lang_env_t *e, const lang_node_t *n, sr_value_t **out);

static sr_err_t s_eval(lang_env_t *e, const lang_node_t *n, sr_value_t **out);

// An undefined value is soft (`default` and `is defined` absorb it) only
// for the node that produced it; using it any further is an error, as with
// Jinja's StrictUndefined.
sr_err_t
lang_eval(lang_env_t *e, const lang_node_t *n, sr_value_t **out)
{
    sr_err_t rc = lang_step(e, 1);
    if (rc != SR_OK)
        return rc;
    size_t depth = ++e->depth;
    rc = s_eval(e, n, out);
    if (rc != SR_OK && e->undefined && e->undef_depth > depth)
        e->undefined = false;
    e->depth--;
    return rc;
}

static sr_err_t
s_eval(lang_env_t *e, const lang_node_t *n, sr_value_t **out)
{
    sr_err_t rc = SR_OK;
    sr_value_t *a = NULL, *b = NULL;
    switch ((lang_kind_t)n->kind) {
    case LANG_N_CONST:
        *out = sr_value_ref(n->value);
        return SR_OK;
    case LANG_N_DOLLAR:
        *out = e->dollar ? sr_value_ref(e->dollar) : sr_value_new_nil();
        return SR_OK;
    case LANG_N_NAME:
        return s_name(e, n, out);
    case LANG_N_ATTR:
        return s_attr(e, n, out);
    case LANG_N_INDEX:
        return s_index(e, n, out);
    case LANG_N_SLICE:
        return lang_eval_slice(e, n, out);
    case LANG_N_LIST:
        return s_list(e, n, out);
    case LANG_N_MAP:
        return s_map(e, n, out);
    case LANG_N_UNARY:
        if ((rc = lang_eval(e, n->kids[0], &a)) == SR_OK)
            rc = lang_op_unary(e, (lang_op_t)n->op, a, out);
        break;
    case LANG_N_BINARY:
        if ((rc = lang_eval(e, n->kids[0], &a)) == SR_OK &&
            (rc = lang_eval(e, n->kids[1], &b)) == SR_OK)
            rc = lang_op_binary(e, (lang_op_t)n->op, n->flags & LANG_F_YAQL, a,
                                b, out);
        break;
    case LANG_N_AND:
    case LANG_N_OR:
        if ((rc = lang_eval(e, n->kids[0], &a)) != SR_OK)
            break;
        if (sr_value_truthy(a) == (n->kind == LANG_N_OR)) {
            *out = a;
            return SR_OK;
        }
        rc = lang_eval(e, n->kids[1], out);
        break;
    case LANG_N_COND:
        if ((rc = lang_eval(e, n->kids[0], &a)) != SR_OK)
            break;
        if (sr_value_truthy(a))
            rc = lang_eval(e, n->kids[1], out);
        else if (n->kids[2])
            rc = lang_eval(e, n->kids[2], out);
        else
            rc = lang_fail_undefined(e, "the inline if-expression evaluated "
                                        "to false and no else section was "
                                        "defined");
        break;
    case LANG_N_CALL:
    case LANG_N_TEST:
        return lang_eval_call(e, n, out);
    case LANG_N_PAIR:
        return lang_fail(e, "'=>' is only allowed in dicts and function "
                            "arguments");
    default:
        return lang_fail(e, "a statement cannot be used as a value");
    }
    sr_value_destroy(&a);
    sr_value_destroy(&b);
    return rc;
}
