// Template rendering: text, {{ }} output converted with Python's str(),
// {% if %}, {% for %} (with loop.index and friends, and else) and
// {% set %}. Jinja variables live on the environment's small stack; a loop
// body gets a fresh frame per iteration, so nothing set inside a loop leaks
// out of it (as in Jinja).
#include <string.h>

#include "lang_eval.h"
#include "lang_ops.h"
#include "lang_text.h"

#define LANG_MAX_SET_DEPTH 128

static sr_err_t
s_push(lang_env_t *e, const char *name, sr_value_t *value)
{
    if (!value)
        return lang_oom(e);
    if (e->nvars == LANG_MAX_VARS) {
        sr_value_destroy(&value);
        return lang_fail(e, "too many variables (limit %d)", LANG_MAX_VARS);
    }
    e->vars[e->nvars].name = name;
    e->vars[e->nvars].value = value;
    e->nvars++;
    return SR_OK;
}

static void
s_pop_to(lang_env_t *e, size_t count)
{
    while (e->nvars > count)
        sr_value_destroy(&e->vars[--e->nvars].value);
}

// Depth of v, counting at most `limit` + 1; each container visited is a
// step, so the walk stays within the evaluation's budget.
static sr_err_t
s_depth(lang_env_t *e, const sr_value_t *v, size_t limit, size_t *depth)
{
    sr_type_t t = sr_value_type(v);
    *depth = 0;
    if (t != SR_T_ARRAY && t != SR_T_MAP)
        return SR_OK;
    if (limit == 0) {
        *depth = 1;
        return SR_OK;
    }
    sr_err_t rc = lang_step(e, 1);
    for (size_t i = 0; rc == SR_OK && i < sr_value_len(v); i++) {
        size_t d;
        rc = s_depth(e,
                     t == SR_T_ARRAY ? sr_value_array_at(v, i)
                                     : sr_value_map_val(v, i),
                     limit - 1, &d);
        if (rc == SR_OK && d > *depth)
            *depth = d;
    }
    *depth += 1;
    return rc;
}

// {% set %}: replace a variable of the current frame, or add one. A value
// may not nest deeper than LANG_MAX_SET_DEPTH: repeated sets such as
// {% set x = [x] %} could otherwise build values deep enough to exhaust
// the stack of whoever walks them later.
static sr_err_t
s_set(lang_env_t *e, const char *name, sr_value_t *value)
{
    size_t depth;
    sr_err_t rc = s_depth(e, value, LANG_MAX_SET_DEPTH, &depth);
    if (rc == SR_OK && depth > LANG_MAX_SET_DEPTH)
        rc = lang_fail(e, "value of '%s' is nested too deeply (limit %d)", name,
                       LANG_MAX_SET_DEPTH);
    if (rc != SR_OK) {
        sr_value_destroy(&value);
        return rc;
    }
    for (size_t i = e->nvars; i-- > e->frame;) {
        if (strcmp(e->vars[i].name, name) == 0) {
            sr_value_destroy(&e->vars[i].value);
            e->vars[i].value = value;
            return SR_OK;
        }
    }
    return s_push(e, name, value);
}

static sr_err_t
s_loop_info(lang_env_t *e, size_t i, size_t n)
{
    sr_value_t *m = sr_value_new_map(8);
    if (!m || sr_value_map_put(m, "index", sr_value_new_int((int64_t)i + 1)) ||
        sr_value_map_put(m, "index0", sr_value_new_int((int64_t)i)) ||
        sr_value_map_put(m, "revindex", sr_value_new_int((int64_t)(n - i))) ||
        sr_value_map_put(m, "revindex0",
                         sr_value_new_int((int64_t)(n - i - 1))) ||
        sr_value_map_put(m, "first", sr_value_new_bool(i == 0)) ||
        sr_value_map_put(m, "last", sr_value_new_bool(i + 1 == n)) ||
        sr_value_map_put(m, "length", sr_value_new_int((int64_t)n))) {
        sr_value_destroy(&m);
        return lang_oom(e);
    }
    return s_push(e, "loop", m);
}

// The items a for loop walks: a list's items, a dict's keys, a string's
// characters. *out is a new list.
static sr_err_t
s_iterable(lang_env_t *e, sr_value_t *v, sr_value_t **out)
{
    sr_type_t t = sr_value_type(v);
    if (t == SR_T_ARRAY) {
        *out = sr_value_ref(v);
        return SR_OK;
    }
    if (t != SR_T_MAP && t != SR_T_STR)
        return lang_fail(e, "'%s' object is not iterable", lang_type_name(v));
    size_t n = t == SR_T_MAP
                   ? sr_value_len(v)
                   : lang_utf8_count(sr_value_str(v), sr_value_len(v));
    sr_value_t *list = sr_value_new_array(n);
    if (!list)
        return lang_oom(e);
    const char *s = sr_value_str(v);
    size_t at = 0, len = sr_value_len(v);
    for (size_t i = 0; i < n; i++) {
        sr_value_t *item;
        if (t == SR_T_MAP) {
            item = sr_value_ref(sr_value_map_key(v, i));
        } else {
            size_t w = lang_utf8_offset(s + at, len - at, 1);
            item = sr_value_new_strn(s + at, w);
            at += w;
        }
        if (sr_value_array_append(list, item) != SR_OK) {
            sr_value_destroy(&list);
            return lang_oom(e);
        }
    }
    *out = list;
    return SR_OK;
}

static sr_err_t
s_bind_item(lang_env_t *e, const lang_node_t *n, sr_value_t *item)
{
    if (n->nnames == 1)
        return s_push(e, n->names[0], sr_value_ref(item));
    size_t have = sr_value_type(item) == SR_T_ARRAY ? sr_value_len(item) : 0;
    if (sr_value_type(item) != SR_T_ARRAY)
        return lang_fail(e, "cannot unpack non-iterable %s object",
                         lang_type_name(item));
    if (have != n->nnames)
        return lang_fail(e, "%s values to unpack (expected %u, got %zu)",
                         have > n->nnames ? "too many" : "not enough",
                         (unsigned)n->nnames, have);
    sr_err_t rc = SR_OK;
    for (size_t k = 0; rc == SR_OK && k < n->nnames; k++)
        rc = s_push(e, n->names[k], sr_value_ref(sr_value_array_at(item, k)));
    return rc;
}

static sr_err_t
s_for(lang_env_t *e, const lang_node_t *n, lang_buf_t *buf)
{
    sr_value_t *v = NULL, *items = NULL;
    sr_err_t rc = lang_eval(e, n->kids[0], &v);
    if (rc == SR_OK)
        rc = s_iterable(e, v, &items);
    sr_value_destroy(&v);
    if (rc != SR_OK)
        return rc;
    size_t count = sr_value_len(items);
    size_t frame = e->frame, base = e->nvars;
    for (size_t i = 0; rc == SR_OK && i < count; i++) {
        e->frame = base;
        if ((rc = lang_step(e, 1)) == SR_OK &&
            (rc = s_bind_item(e, n, sr_value_array_at(items, i))) == SR_OK &&
            (rc = s_loop_info(e, i, count)) == SR_OK)
            rc = lang_render(e, n->kids[1], buf);
        s_pop_to(e, base);
    }
    e->frame = frame;
    sr_value_destroy(&items);
    if (rc == SR_OK && count == 0 && n->kids[2])
        rc = lang_render(e, n->kids[2], buf);
    return rc;
}

static sr_err_t
s_out(lang_env_t *e, const lang_node_t *n, lang_buf_t *buf)
{
    sr_value_t *v;
    sr_err_t rc = lang_eval(e, n->kids[0], &v);
    if (rc == SR_OK) {
        if ((rc = lang_text_str(buf, v)) != SR_OK)
            rc = lang_fail_code(e, rc);
        sr_value_destroy(&v);
    }
    if (rc != SR_OK) {
        e->err_pos = n->pos;
        e->err_len = n->len;
    }
    return rc;
}

sr_err_t
lang_render(lang_env_t *e, const lang_node_t *n, lang_buf_t *buf)
{
    sr_err_t rc = lang_step(e, 1);
    if (rc != SR_OK)
        return rc;
    sr_value_t *v = NULL;
    switch ((lang_kind_t)n->kind) {
    case LANG_N_SEQ:
        for (size_t i = 0; rc == SR_OK && i < n->nkids; i++)
            rc = lang_render(e, n->kids[i], buf);
        return rc;
    case LANG_N_TEXT:
        rc = lang_buf_put(buf, sr_value_str(n->value), sr_value_len(n->value));
        return rc == SR_OK ? SR_OK : lang_fail_code(e, rc);
    case LANG_N_OUT:
        return s_out(e, n, buf);
    case LANG_N_IF:
        if ((rc = lang_eval(e, n->kids[0], &v)) != SR_OK)
            return rc;
        bool yes = sr_value_truthy(v);
        sr_value_destroy(&v);
        if (yes)
            return lang_render(e, n->kids[1], buf);
        return n->kids[2] ? lang_render(e, n->kids[2], buf) : SR_OK;
    case LANG_N_FOR:
        return s_for(e, n, buf);
    case LANG_N_SET:
        if ((rc = lang_eval(e, n->kids[0], &v)) != SR_OK)
            return rc;
        return s_set(e, n->name, v);
    default:
        return lang_fail(e, "an expression cannot be used as a statement");
    }
}
