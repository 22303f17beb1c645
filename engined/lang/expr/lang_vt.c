// Value templates: a tree of constants, compiled templates, lists and maps.
// Owns its children, templates and constant values. Sealing collapses a
// container whose children are all constant into one constant value (the
// children stay, so keys and items can still be listed). Immutable after
// sealing; evaluation only reads (constants are handed out by reference).
#include "lang_vt.h"

#include <stdint.h>

#include <stdlib.h>
#include <string.h>

#include "lang_strtab.h"

#define S_INDEX_FROM 16 // maps this large get a hash index

typedef enum { S_CONST, S_TMPL, S_LIST, S_MAP } s_kind_t;

struct lang_vt {
    s_kind_t kind;
    sr_value_t *value;    // S_CONST, or a sealed constant container; owned
    lang_tmpl_t *tmpl;    // S_TMPL; owned
    lang_vt_t **items;    // S_LIST, S_MAP: children; owned
    char **keys;          // S_MAP: keys; owned
    lang_strtab_t *index; // S_MAP with many keys: key -> position + 1
    size_t n, cap;
};

static lang_vt_t *
s_new(s_kind_t kind)
{
    lang_vt_t *vt = calloc(1, sizeof *vt);
    if (vt)
        vt->kind = kind;
    return vt;
}

// Children for a constant container, so that len/key/at work on it too.
static sr_err_t
s_const_children(lang_vt_t *vt, sr_value_t *v)
{
    bool is_map = sr_value_is(v, SR_T_MAP);
    if (!is_map && !sr_value_is(v, SR_T_ARRAY))
        return SR_OK;
    vt->kind = is_map ? S_MAP : S_LIST;
    size_t n = sr_value_len(v);
    for (size_t i = 0; i < n; i++) {
        sr_value_t *c =
            is_map ? sr_value_map_val(v, i) : sr_value_array_at(v, i);
        lang_vt_t *child = lang_vt_new_const(c);
        sr_err_t rc =
            !child   ? SR_ENOMEM
            : is_map ? lang_vt_map_put(vt, sr_value_str(sr_value_map_key(v, i)),
                                       &child)
                     : lang_vt_list_append(vt, &child);
        lang_vt_destroy(&child);
        if (rc != SR_OK)
            return rc;
    }
    return SR_OK;
}

lang_vt_t *
lang_vt_new_const(sr_value_t *value)
{
    lang_vt_t *vt = s_new(S_CONST);
    if (!vt)
        return NULL;
    if (!value || s_const_children(vt, value) != SR_OK) {
        lang_vt_destroy(&vt);
        return NULL;
    }
    vt->value = sr_value_ref(value);
    return vt;
}

lang_vt_t *
lang_vt_new_tmpl(lang_tmpl_t **tmpl_p)
{
    lang_vt_t *vt = s_new(S_TMPL);
    if (vt) {
        vt->tmpl = *tmpl_p;
        *tmpl_p = NULL;
    }
    return vt;
}

lang_vt_t *
lang_vt_new_list(void)
{
    return s_new(S_LIST);
}

lang_vt_t *
lang_vt_new_map(void)
{
    return s_new(S_MAP);
}

static sr_err_t
s_grow(lang_vt_t *vt)
{
    if (vt->n < vt->cap)
        return SR_OK;
    size_t cap = vt->cap ? vt->cap * 2 : 4;
    lang_vt_t **items = realloc(vt->items, cap * sizeof *items);
    if (!items)
        return SR_ENOMEM;
    vt->items = items;
    if (vt->kind == S_MAP) {
        char **keys = realloc(vt->keys, cap * sizeof *keys);
        if (!keys)
            return SR_ENOMEM;
        vt->keys = keys;
    }
    vt->cap = cap;
    return SR_OK;
}

sr_err_t
lang_vt_list_append(lang_vt_t *list, lang_vt_t **item_p)
{
    if (!*item_p)
        return SR_ENOMEM;
    if (list->kind != S_LIST)
        return SR_EINVAL;
    if (s_grow(list) != SR_OK)
        return SR_ENOMEM;
    list->items[list->n++] = *item_p;
    *item_p = NULL;
    return SR_OK;
}

static size_t
s_find(const lang_vt_t *map, const char *key)
{
    if (map->index)
        return (size_t)(uintptr_t)lang_strtab_get(map->index, key, strlen(key));
    for (size_t i = 0; i < map->n; i++)
        if (strcmp(map->keys[i], key) == 0)
            return i + 1;
    return 0;
}

static sr_err_t
s_index(lang_vt_t *map)
{
    if (!map->index) {
        if (map->n < S_INDEX_FROM)
            return SR_OK;
        if (!(map->index = lang_strtab_new(map->n * 2)))
            return SR_ENOMEM;
        for (size_t i = 0; i + 1 < map->n; i++)
            if (lang_strtab_put(map->index, map->keys[i], strlen(map->keys[i]),
                                (void *)(uintptr_t)(i + 1)) != SR_OK)
                return SR_ENOMEM;
    }
    const char *k = map->keys[map->n - 1];
    return lang_strtab_put(map->index, k, strlen(k), (void *)(uintptr_t)map->n);
}

sr_err_t
lang_vt_map_put(lang_vt_t *map, const char *key, lang_vt_t **val_p)
{
    if (!*val_p)
        return SR_ENOMEM;
    if (map->kind != S_MAP)
        return SR_EINVAL;
    size_t at = s_find(map, key);
    sr_value_destroy(&map->value); // no longer sealed
    if (at > 0) {                  // replace, keep the position
        lang_vt_destroy(&map->items[at - 1]);
        map->items[at - 1] = *val_p;
        *val_p = NULL;
        return SR_OK;
    }
    if (s_grow(map) != SR_OK)
        return SR_ENOMEM;
    char *k = strdup(key);
    if (!k)
        return SR_ENOMEM;
    map->keys[map->n] = k;
    map->items[map->n++] = *val_p;
    *val_p = NULL;
    return s_index(map);
}

sr_err_t
lang_vt_seal(lang_vt_t *vt)
{
    if (vt->kind == S_CONST || vt->kind == S_TMPL)
        return SR_OK;
    bool all_const = true;
    for (size_t i = 0; i < vt->n; i++) {
        sr_err_t rc = lang_vt_seal(vt->items[i]);
        if (rc != SR_OK)
            return rc;
        all_const = all_const && vt->items[i]->value;
    }
    if (!all_const || vt->value)
        return SR_OK;
    sr_value_t *v =
        vt->kind == S_MAP ? sr_value_new_map(vt->n) : sr_value_new_array(vt->n);
    sr_err_t rc = v ? SR_OK : SR_ENOMEM;
    for (size_t i = 0; i < vt->n && rc == SR_OK; i++) {
        sr_value_t *c = sr_value_ref(vt->items[i]->value);
        rc = vt->kind == S_MAP ? sr_value_map_put(v, vt->keys[i], c)
                               : sr_value_array_append(v, c);
    }
    if (rc == SR_OK)
        vt->value = v;
    else
        sr_value_destroy(&v);
    return rc;
}

void
lang_vt_destroy(lang_vt_t **vt_p)
{
    if (!vt_p || !*vt_p)
        return;
    lang_vt_t *vt = *vt_p;
    for (size_t i = 0; i < vt->n; i++) {
        lang_vt_destroy(&vt->items[i]);
        if (vt->keys)
            free(vt->keys[i]);
    }
    free(vt->items);
    free(vt->keys);
    lang_strtab_destroy(&vt->index);
    sr_value_destroy(&vt->value);
    lang_tmpl_destroy(&vt->tmpl);
    free(vt);
    *vt_p = NULL;
}

sr_err_t
lang_vt_eval(const lang_vt_t *vt, const lang_eval_ctx_t *ctx, sr_value_t **out,
             sr_error_t *err)
{
    if (vt->value) {
        *out = sr_value_ref(vt->value);
        return SR_OK;
    }
    if (vt->kind == S_TMPL)
        return lang_tmpl_eval(vt->tmpl, ctx, out, err);
    bool is_map = vt->kind == S_MAP;
    sr_value_t *v =
        is_map ? sr_value_new_map(vt->n) : sr_value_new_array(vt->n);
    if (!v)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    sr_err_t rc = SR_OK;
    for (size_t i = 0; i < vt->n && rc == SR_OK; i++) {
        sr_value_t *c = NULL;
        rc = lang_vt_eval(vt->items[i], ctx, &c, err);
        if (rc == SR_OK) {
            rc = is_map ? sr_value_map_put(v, vt->keys[i], c)
                        : sr_value_array_append(v, c);
            if (rc != SR_OK)
                sr_error_set(err, rc, "out of memory");
        }
    }
    if (rc != SR_OK) {
        sr_value_destroy(&v);
        return rc;
    }
    *out = v;
    return SR_OK;
}

const sr_value_t *
lang_vt_const(const lang_vt_t *vt)
{
    return vt->value;
}

size_t
lang_vt_len(const lang_vt_t *vt)
{
    return vt->kind == S_MAP || vt->kind == S_LIST ? vt->n : 0;
}

const char *
lang_vt_key(const lang_vt_t *vt, size_t i)
{
    return vt->kind == S_MAP && i < vt->n ? vt->keys[i] : NULL;
}

const lang_vt_t *
lang_vt_at(const lang_vt_t *vt, size_t i)
{
    return (vt->kind == S_MAP || vt->kind == S_LIST) && i < vt->n ? vt->items[i]
                                                                  : NULL;
}

bool
lang_vt_is_map(const lang_vt_t *vt)
{
    return vt->kind == S_MAP;
}

bool
lang_vt_is_list(const lang_vt_t *vt)
{
    return vt->kind == S_LIST;
}

const char *
lang_vt_text(const lang_vt_t *vt)
{
    if (vt->kind == S_TMPL)
        return lang_tmpl_text(vt->tmpl);
    for (size_t i = 0; i < lang_vt_len(vt); i++) {
        const char *t = lang_vt_text(vt->items[i]);
        if (t)
            return t;
    }
    return NULL;
}

const lang_tmpl_t *
lang_vt_tmpl(const lang_vt_t *vt)
{
    return vt->kind == S_TMPL ? vt->tmpl : NULL;
}

sr_err_t
lang_vt_source(const lang_vt_t *vt, sr_value_t **out)
{
    if (vt->value) {
        *out = sr_value_ref(vt->value);
        return SR_OK;
    }
    if (vt->kind == S_TMPL) {
        *out = sr_value_new_str(lang_tmpl_text(vt->tmpl));
        return *out ? SR_OK : SR_ENOMEM;
    }
    bool is_map = vt->kind == S_MAP;
    sr_value_t *v =
        is_map ? sr_value_new_map(vt->n) : sr_value_new_array(vt->n);
    sr_err_t rc = v ? SR_OK : SR_ENOMEM;
    for (size_t i = 0; i < vt->n && rc == SR_OK; i++) {
        sr_value_t *c = NULL;
        rc = lang_vt_source(vt->items[i], &c);
        if (rc == SR_OK)
            rc = is_map ? sr_value_map_put(v, vt->keys[i], c)
                        : sr_value_array_append(v, c);
    }
    if (rc != SR_OK) {
        sr_value_destroy(&v);
        return rc;
    }
    *out = v;
    return SR_OK;
}

// One node of lang_vt_from_value (not sealed).
static sr_err_t
s_from_value(const sr_value_t *v, int depth, lang_vt_t **out, sr_error_t *err)
{
    if (depth > 64)
        return sr_error_set(err, SR_EEXPR, "value nested too deeply");
    lang_vt_t *vt = NULL;
    sr_err_t rc = SR_OK;
    if (sr_value_is(v, SR_T_STR)) {
        lang_tmpl_t *t = NULL;
        size_t off = 0;
        rc = lang_tmpl_compile(sr_value_str(v), sr_value_len(v), &t, &off, err);
        if (rc)
            return rc;
        vt = lang_tmpl_is_const(t) ? lang_vt_new_const((sr_value_t *)v)
                                   : lang_vt_new_tmpl(&t);
        lang_tmpl_destroy(&t);
    } else if (sr_value_is(v, SR_T_MAP) || sr_value_is(v, SR_T_ARRAY)) {
        bool map = sr_value_is(v, SR_T_MAP);
        vt = map ? lang_vt_new_map() : lang_vt_new_list();
        for (size_t i = 0; vt && !rc && i < sr_value_len(v); i++) {
            lang_vt_t *child = NULL;
            rc = s_from_value(map ? sr_value_map_val(v, i)
                                  : sr_value_array_at(v, i),
                              depth + 1, &child, err);
            if (!rc)
                rc = map ? lang_vt_map_put(
                               vt, sr_value_str(sr_value_map_key(v, i)), &child)
                         : lang_vt_list_append(vt, &child);
            lang_vt_destroy(&child);
        }
    } else
        vt = lang_vt_new_const((sr_value_t *)v);
    if (!rc && !vt)
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    if (rc) {
        lang_vt_destroy(&vt);
        return rc;
    }
    *out = vt;
    return SR_OK;
}

sr_err_t
lang_vt_from_value(const sr_value_t *value, lang_vt_t **out, sr_error_t *err)
{
    lang_vt_t *vt = NULL;
    sr_err_t rc = s_from_value(value, 0, &vt, err);
    if (!rc && (rc = lang_vt_seal(vt)))
        sr_error_set(err, rc, "out of memory");
    if (rc) {
        lang_vt_destroy(&vt);
        return rc;
    }
    *out = vt;
    return SR_OK;
}
