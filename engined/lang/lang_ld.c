// Helpers of the loading context: problems at nodes, keyword sorting, type
// checks, and value templates compiled from YAML nodes. An expression that
// does not compile is reported at the exact character of the scalar (via
// lang_srcmap). Owns nothing beyond the templates it hands back.
#include "lang_ld.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lang_diag.h"
#include "lang_inline.h"
#include "lang_srcmap.h"
#include "lang_yaml.h"
#include "sr_value_json.h"

static void
s_vadd(lang_ld_t *ld, lang_pos_t pos, const char *fmt, va_list ap)
{
    if (lang_diag_vadd(ld->diags, pos, fmt, ap) != SR_OK)
        ld->oom = SR_ENOMEM;
}

void
lang_ld_err(lang_ld_t *ld, const lang_node_t *at, const char *fmt, ...)
{
    lang_pos_t none = {0, 0};
    va_list ap;
    va_start(ap, fmt);
    s_vadd(ld, at ? at->pos : none, fmt, ap);
    va_end(ap);
}

void
lang_ld_err_pos(lang_ld_t *ld, lang_pos_t pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s_vadd(ld, pos, fmt, ap);
    va_end(ap);
}

void *
lang_ld_oom(lang_ld_t *ld)
{
    ld->oom = SR_ENOMEM;
    return NULL;
}

static void
s_allowed(const lang_kw_t *kws, size_t n, unsigned mask, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        if (!(kws[i].where & mask))
            continue;
        int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
                         kws[i].name);
        used += w > 0 ? (size_t)w : 0;
    }
}

void
lang_ld_keywords(lang_ld_t *ld, const lang_node_t *map, const lang_kw_t *kws,
                 size_t n, unsigned mask, const char *what,
                 const lang_node_t **vals, const lang_node_t **keys)
{
    for (size_t k = 0; k < n; k++)
        vals[k] = keys[k] = NULL;
    for (size_t i = 0; i < lang_node_map_len(map); i++) {
        const lang_node_t *key = lang_node_map_key(map, i);
        size_t k = 0;
        while (k < n && !(strlen(kws[k].name) == key->len &&
                          memcmp(kws[k].name, key->str, key->len) == 0))
            k++;
        if (k < n && (kws[k].where & mask)) {
            vals[k] = lang_node_map_val(map, i);
            keys[k] = key;
            continue;
        }
        if (k < n && kws[k].hint) {
            lang_ld_err(ld, key, "'%s' is only allowed %s", kws[k].name,
                        kws[k].hint);
            continue;
        }
        char allowed[400];
        s_allowed(kws, n, mask, allowed, sizeof allowed);
        lang_ld_err(ld, key, "unknown keyword '%.*s' in %s (allowed: %s)",
                    key->len > 40 ? 40 : (int)key->len, key->str, what,
                    allowed);
    }
}

const char *
lang_ld_str(lang_ld_t *ld, const lang_node_t *node, const char *what)
{
    if (lang_node_is_str(node) && node->len > 0 &&
        strlen(node->str) == node->len)
        return node->str;
    lang_ld_err(ld, node, "'%s' must be a non-empty string", what);
    return NULL;
}

bool
lang_ld_map(lang_ld_t *ld, const lang_node_t *node, const char *what)
{
    if (node && node->kind == LANG_NODE_MAP)
        return true;
    lang_ld_err(ld, node, "'%s' must be a map", what);
    return false;
}

bool
lang_ld_strlist(lang_ld_t *ld, const lang_node_t *node, const char *what,
                bool one_ok, const char ***out, size_t *n)
{
    size_t count = node->kind == LANG_NODE_SEQ ? node->nitems : 1;
    if ((node->kind != LANG_NODE_SEQ && !(one_ok && lang_node_is_str(node))) ||
        count == 0) {
        lang_ld_err(ld, node, "'%s' must be %sa non-empty list of names", what,
                    one_ok ? "a name or " : "");
        return false;
    }
    const char **names = lang_doc_alloc(ld->doc, count, sizeof *names);
    lang_strtab_t *seen = lang_strtab_new(count);
    if (!names || !seen) {
        lang_strtab_destroy(&seen);
        return lang_ld_oom(ld) != NULL;
    }
    bool ok = true;
    for (size_t i = 0; i < count && ld->oom == SR_OK; i++) {
        const lang_node_t *item =
            node->kind == LANG_NODE_SEQ ? node->items[i] : node;
        if (!lang_ld_str(ld, item, what)) {
            ok = false;
            continue;
        }
        if (lang_strtab_get(seen, item->str, item->len)) {
            lang_ld_err(ld, item, "'%s' lists '%s' twice", what, item->str);
            ok = false;
        } else if (lang_strtab_put(seen, item->str, item->len, names) != SR_OK)
            lang_ld_oom(ld);
        if (!(names[i] = lang_doc_strdup(ld->doc, item->str)))
            lang_ld_oom(ld);
    }
    lang_strtab_destroy(&seen);
    ok = ok && ld->oom == SR_OK;
    if (ok) {
        *out = names;
        *n = count;
    }
    return ok;
}

bool
lang_ld_is_expr(const lang_node_t *node)
{
    return lang_node_is_str(node) && lang_inline_is_expr(node->str, node->len);
}

lang_vt_t *
lang_ld_tmpl(lang_ld_t *ld, const lang_node_t *node, size_t voff,
             const char *text, size_t len)
{
    lang_tmpl_t *t = NULL;
    size_t off = 0;
    sr_error_t err = {0};
    sr_err_t rc = lang_tmpl_compile(text, len, &t, &off, &err);
    if (rc == SR_ENOMEM)
        return lang_ld_oom(ld);
    if (rc != SR_OK) {
        size_t at = lang_srcmap_offset(ld->src, ld->srclen, node->offset,
                                       node->style, voff + off);
        lang_ld_err_pos(ld, lang_tree_pos(ld->tree, at), "%s", err.msg);
        return NULL;
    }
    if (lang_tmpl_is_const(t)) {
        lang_tmpl_destroy(&t);
        sr_value_t *v = sr_value_new_strn(text, len);
        lang_vt_t *vt = v ? lang_vt_new_const(v) : NULL;
        sr_value_destroy(&v);
        return vt ? vt : lang_ld_oom(ld);
    }
    lang_vt_t *vt = lang_vt_new_tmpl(&t);
    lang_tmpl_destroy(&t);
    return vt ? vt : lang_ld_oom(ld);
}

// Containers: children built by `child(i)`; NULL when one fails.
static lang_vt_t *s_build(lang_ld_t *ld, const lang_node_t *node, bool top);

static lang_vt_t *
s_container(lang_ld_t *ld, const lang_node_t *node)
{
    bool is_map = node->kind == LANG_NODE_MAP;
    lang_vt_t *vt = is_map ? lang_vt_new_map() : lang_vt_new_list();
    if (!vt)
        return lang_ld_oom(ld);
    bool ok = true;
    size_t n = is_map ? lang_node_map_len(node) : node->nitems;
    for (size_t i = 0; i < n; i++) {
        const lang_node_t *c =
            is_map ? lang_node_map_val(node, i) : node->items[i];
        lang_vt_t *cv = s_build(ld, c, false);
        if (!cv) {
            ok = false;
            continue;
        }
        sr_err_t rc =
            is_map ? lang_vt_map_put(vt, lang_node_map_key(node, i)->str, &cv)
                   : lang_vt_list_append(vt, &cv);
        if (rc != SR_OK) {
            lang_vt_destroy(&cv);
            ok = lang_ld_oom(ld) != NULL;
        }
    }
    if (!ok)
        lang_vt_destroy(&vt);
    return vt;
}

static lang_vt_t *
s_build(lang_ld_t *ld, const lang_node_t *node, bool top)
{
    lang_vt_t *vt;
    if (node->kind != LANG_NODE_SCALAR)
        vt = s_container(ld, node);
    else if (lang_node_is_str(node))
        vt = lang_ld_tmpl(ld, node, 0, node->str, node->len);
    else if (!(vt = lang_vt_new_const(node->value)))
        return lang_ld_oom(ld);
    if (vt && top && lang_vt_seal(vt) != SR_OK) {
        lang_vt_destroy(&vt);
        return lang_ld_oom(ld);
    }
    return vt;
}

lang_vt_t *
lang_ld_vt(lang_ld_t *ld, const lang_node_t *node)
{
    return s_build(ld, node, true);
}

static lang_vt_t *
s_value_vt(lang_ld_t *ld, const lang_node_t *node, size_t voff,
           const sr_value_t *v)
{
    if (sr_value_is(v, SR_T_STR))
        return lang_ld_tmpl(ld, node, voff, sr_value_str(v), sr_value_len(v));
    bool is_map = sr_value_is(v, SR_T_MAP);
    if (!is_map && !sr_value_is(v, SR_T_ARRAY)) {
        lang_vt_t *vt = lang_vt_new_const((sr_value_t *)v);
        return vt ? vt : lang_ld_oom(ld);
    }
    lang_vt_t *vt = is_map ? lang_vt_new_map() : lang_vt_new_list();
    if (!vt)
        return lang_ld_oom(ld);
    for (size_t i = 0; i < sr_value_len(v); i++) {
        lang_vt_t *c = s_value_vt(ld, node, voff,
                                  is_map ? sr_value_map_val(v, i)
                                         : sr_value_array_at(v, i));
        sr_err_t rc =
            !c ? SR_EINVAL
            : is_map
                ? lang_vt_map_put(vt, sr_value_str(sr_value_map_key(v, i)), &c)
                : lang_vt_list_append(vt, &c);
        if (rc != SR_OK) {
            if (c)
                lang_ld_oom(ld);
            lang_vt_destroy(&c);
            lang_vt_destroy(&vt);
            return NULL;
        }
    }
    return vt;
}

lang_vt_t *
lang_ld_value_vt(lang_ld_t *ld, const lang_node_t *node, size_t voff,
                 const sr_value_t *value)
{
    lang_vt_t *vt = s_value_vt(ld, node, voff, value);
    if (vt && lang_vt_seal(vt) != SR_OK) {
        lang_vt_destroy(&vt);
        return lang_ld_oom(ld);
    }
    return vt;
}

lang_vt_t *
lang_ld_int_or_expr(lang_ld_t *ld, const lang_node_t *node, const char *what)
{
    if ((node->kind == LANG_NODE_SCALAR && sr_value_is(node->value, SR_T_INT) &&
         sr_value_int(node->value) >= 0) ||
        lang_ld_is_expr(node))
        return lang_ld_vt(ld, node);
    lang_ld_err(ld, node,
                "'%s' must be a non-negative integer or an expression", what);
    return NULL;
}

lang_vt_t *
lang_ld_bool_or_expr(lang_ld_t *ld, const lang_node_t *node, const char *what)
{
    if ((node->kind == LANG_NODE_SCALAR &&
         sr_value_is(node->value, SR_T_BOOL)) ||
        lang_ld_is_expr(node))
        return lang_ld_vt(ld, node);
    lang_ld_err(ld, node, "'%s' must be true, false or an expression", what);
    return NULL;
}

lang_vt_t *
lang_ld_keep(lang_ld_t *ld, lang_vt_t *vt)
{
    if (vt && !lang_doc_keep(ld->doc, vt))
        return lang_ld_oom(ld);
    return vt;
}

lang_vt_t *
lang_ld_param_vt(lang_ld_t *ld, const lang_node_t *node, const char *s,
                 const lang_pspan_t *p)
{
    const char *v = s + p->val;
    if (p->kind == LANG_PV_QUOTED || p->kind == LANG_PV_TEMPLATE)
        return lang_ld_tmpl(ld, node, p->val, v, p->val_len);
    sr_value_t *value = NULL;
    sr_error_t err = {0};
    if (p->kind == LANG_PV_WORD) {
        if (sr_value_from_json(v, p->val_len, NULL, &value, &err) != SR_OK ||
            sr_value_is(value, SR_T_STR)) {
            sr_value_destroy(&value);
            return lang_ld_tmpl(ld, node, p->val, v, p->val_len);
        }
    } else if (sr_value_from_json(v, p->val_len, NULL, &value, &err) != SR_OK &&
               lang_yaml_parse(v, p->val_len, 32, &value, &err) != SR_OK) {
        size_t at = lang_srcmap_offset(ld->src, ld->srclen, node->offset,
                                       node->style, p->val);
        lang_ld_err_pos(ld, lang_tree_pos(ld->tree, at),
                        "parameter '%.*s' is not a valid list or map: %s",
                        (int)p->key_len, s + p->key, err.msg);
        return NULL;
    }
    lang_vt_t *vt = lang_ld_value_vt(ld, node, p->val, value);
    sr_value_destroy(&value);
    return vt;
}

bool
lang_ld_params_into(lang_ld_t *ld, const lang_node_t *node, const char *s,
                    const lang_inline_t *in, lang_vt_t *map)
{
    lang_strtab_t *seen = lang_strtab_new(in->nparams);
    if (!seen)
        return lang_ld_oom(ld) != NULL;
    bool ok = true;
    for (size_t i = 0; i < in->nparams && ld->oom == SR_OK; i++) {
        const lang_pspan_t *p = &in->params[i];
        char key[128];
        snprintf(key, sizeof key, "%.*s", (int)p->key_len, s + p->key);
        bool twice = lang_strtab_get(seen, s + p->key, p->key_len) != NULL;
        if (!twice &&
            lang_strtab_put(seen, s + p->key, p->key_len, map) != SR_OK)
            lang_ld_oom(ld);
        if (twice) {
            lang_ld_err(ld, node, "parameter '%s' is given twice", key);
            ok = false;
            continue;
        }
        lang_vt_t *vt = lang_ld_param_vt(ld, node, s, p);
        if (!vt) {
            ok = false;
            continue;
        }
        if (lang_vt_map_put(map, key, &vt) != SR_OK) {
            lang_vt_destroy(&vt);
            ok = lang_ld_oom(ld) != NULL;
        }
    }
    lang_strtab_destroy(&seen);
    if (lang_vt_seal(map) != SR_OK)
        lang_ld_oom(ld);
    return ok && ld->oom == SR_OK;
}

void
lang_ld_inline_err(lang_ld_t *ld, const lang_node_t *node,
                   const lang_inline_t *in, const char *what)
{
    size_t at = lang_srcmap_offset(ld->src, ld->srclen, node->offset,
                                   node->style, in->error_at);
    lang_ld_err_pos(ld, lang_tree_pos(ld->tree, at), "cannot read %s: %s", what,
                    in->error);
}
