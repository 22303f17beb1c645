// Name lookup over the built-in tables of every library file (a linear scan
// at compile time only; evaluation uses the resolved pointer), and the small
// helpers the built-ins share for arguments, results and type errors.
#include "lang_fn.h"

#include <stdlib.h>
#include <string.h>

#include "lang_eval.h"
#include "lang_text.h"

typedef struct {
    const lang_fn_table_t *tables;
    const size_t *count;
} s_lib_t;

const lang_builtin_t *
lang_builtin_find(lang_ns_t ns, const char *name, size_t len)
{
    const s_lib_t libs[] = {
        {lang_fn_core_tables, &lang_fn_core_ntables},
        {lang_fn_build_tables, &lang_fn_build_ntables},
        {lang_fn_coll_tables, &lang_fn_coll_ntables},
        {lang_fn_query_tables, &lang_fn_query_ntables},
        {lang_fn_str_tables, &lang_fn_str_ntables},
        {lang_fn_data_tables, &lang_fn_data_ntables},
        {lang_fn_jinja_tables, &lang_fn_jinja_ntables},
    };
    for (size_t l = 0; l < sizeof libs / sizeof libs[0]; l++) {
        for (size_t t = 0; t < *libs[l].count; t++) {
            const lang_fn_table_t *table = &libs[l].tables[t];
            if (table->ns != ns)
                continue;
            for (size_t i = 0; i < table->count; i++) {
                const lang_builtin_t *b = &table->entries[i];
                if (strlen(b->name) == len && memcmp(b->name, name, len) == 0)
                    return b;
            }
        }
    }
    return NULL;
}

sr_err_t
lang_fn_ret(lang_call_t *c, sr_value_t *v, sr_value_t **out)
{
    if (!v)
        return lang_oom(c->env);
    *out = v;
    return SR_OK;
}

bool
lang_fn_is_yaql(const lang_call_t *c)
{
    return (c->node->flags & LANG_F_YAQL) != 0;
}

sr_err_t
lang_fn_type(lang_call_t *c, size_t i, const char *want)
{
    const lang_node_t *n = c->node;
    bool recv =
        (n->flags & (LANG_F_METHOD | LANG_F_FILTER)) || n->kind == LANG_N_TEST;
    const sr_value_t *v = i < c->argc ? c->argv[i] : NULL;
    const char *got = v ? lang_type_name(v) : "nothing";
    if (recv && i == 0 && !(n->flags & LANG_F_YAQL) &&
        (n->flags & LANG_F_METHOD))
        return lang_fail(c->env, "'%s object' has no attribute '%s'", got,
                         n->name);
    if (recv && i == 0)
        return lang_fail(c->env, "%s() applies to %s, not %s", n->name, want,
                         got);
    return lang_fail(c->env, "%s() argument %zu must be %s, not %s", n->name,
                     recv ? i : i + 1, want, got);
}

sr_err_t
lang_fn_str(lang_call_t *c, size_t i, const char **s, size_t *len)
{
    if (i >= c->argc || sr_value_type(c->argv[i]) != SR_T_STR)
        return lang_fn_type(c, i, "str");
    *s = sr_value_str(c->argv[i]);
    if (len)
        *len = sr_value_len(c->argv[i]);
    return SR_OK;
}

sr_err_t
lang_fn_int(lang_call_t *c, size_t i, int64_t *v)
{
    if (i >= c->argc)
        return lang_fn_type(c, i, "int");
    switch (sr_value_type(c->argv[i])) {
    case SR_T_INT:
        *v = sr_value_int(c->argv[i]);
        return SR_OK;
    case SR_T_BOOL:
        *v = sr_value_bool(c->argv[i]);
        return SR_OK;
    default:
        return lang_fn_type(c, i, "int");
    }
}

sr_err_t
lang_fn_push(lang_call_t *c, sr_value_t *list, sr_value_t *item)
{
    if (sr_value_array_append(list, item) != SR_OK)
        return lang_oom(c->env);
    return SR_OK;
}

sr_err_t
lang_fn_items(lang_call_t *c, sr_value_t *v, sr_value_t **list)
{
    sr_type_t t = sr_value_type(v);
    if (t == SR_T_ARRAY) {
        *list = sr_value_ref(v);
        return SR_OK;
    }
    if (t != SR_T_MAP && (t != SR_T_STR || lang_fn_is_yaql(c)))
        return lang_fail(c->env, "%s(): '%s' object is not iterable",
                         c->node->name, lang_type_name(v));
    size_t len = sr_value_len(v);
    const char *s = sr_value_str(v);
    size_t n = t == SR_T_MAP ? len : lang_utf8_count(s, len);
    sr_err_t rc = lang_step(c->env, n);
    sr_value_t *out = rc == SR_OK ? sr_value_new_array(n) : NULL;
    if (rc != SR_OK)
        return rc;
    if (!out)
        return lang_oom(c->env);
    for (size_t i = 0, at = 0; rc == SR_OK && i < n; i++) {
        sr_value_t *item;
        if (t == SR_T_MAP) {
            item = sr_value_ref(sr_value_map_key(v, i));
        } else {
            size_t w = lang_utf8_offset(s + at, len - at, 1);
            item = sr_value_new_strn(s + at, w);
            at += w;
        }
        rc = lang_fn_push(c, out, item);
    }
    if (rc != SR_OK)
        sr_value_destroy(&out);
    else
        *list = out;
    return rc;
}

sr_value_t *
lang_fn_attr(sr_value_t *obj, const char *path)
{
    while (obj && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        sr_value_t *next = NULL;
        if (sr_value_type(obj) == SR_T_MAP) {
            next = sr_value_map_getn(obj, path, n);
        } else if (sr_value_type(obj) == SR_T_ARRAY && n > 0 &&
                   strspn(path, "0123456789") >= n) {
            size_t i = (size_t)strtoull(path, NULL, 10);
            next = i < sr_value_len(obj) ? sr_value_array_at(obj, i) : NULL;
        }
        obj = next;
        path += n + (dot ? 1 : 0);
    }
    return obj;
}
