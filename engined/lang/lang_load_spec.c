// The spec of a workflow or task as Mistral's expression functions show
// it (task().spec, execution().spec): the YAML map as written, plus `name`
// and `version`. Built once per document from the tree and kept by the
// document as a constant template. Owns nothing past a call.
#include "lang_load_spec.h"

#include "lang_vt.h"

static sr_err_t
s_value(const lang_node_t *node, sr_value_t **out)
{
    if (node->kind == LANG_NODE_SCALAR) {
        *out = node->value ? sr_value_ref(node->value) : sr_value_new_nil();
        return *out ? SR_OK : SR_ENOMEM;
    }
    bool map = node->kind == LANG_NODE_MAP;
    size_t n = map ? lang_node_map_len(node) : node->nitems;
    sr_value_t *v = map ? sr_value_new_map(n) : sr_value_new_array(n);
    if (!v)
        return SR_ENOMEM;
    sr_err_t rc = SR_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        sr_value_t *item = NULL;
        rc = s_value(map ? lang_node_map_val(node, i) : node->items[i], &item);
        if (rc)
            break;
        if (map) {
            const lang_node_t *k = lang_node_map_key(node, i);
            rc = sr_value_map_putn(v, k->str, k->len, item);
        } else
            rc = sr_value_array_append(v, item);
    }
    if (rc)
        sr_value_destroy(&v);
    *out = v;
    return rc;
}

lang_vt_t *
lang_ld_spec(lang_ld_t *ld, const lang_node_t *name, const lang_node_t *node)
{
    if (!node || node->kind != LANG_NODE_MAP || ld->oom)
        return NULL;
    sr_value_t *spec = sr_value_new_map(lang_node_map_len(node) + 2);
    if (!spec ||
        sr_value_map_put(spec, "name",
                         sr_value_new_strn(name->str, name->len)) ||
        sr_value_map_put(spec, "version", sr_value_new_str("2.0")))
        goto oom;
    for (size_t i = 0; i < lang_node_map_len(node); i++) {
        const lang_node_t *k = lang_node_map_key(node, i);
        sr_value_t *item = NULL;
        if (s_value(lang_node_map_val(node, i), &item) ||
            sr_value_map_putn(spec, k->str, k->len, item))
            goto oom;
    }
    lang_vt_t *vt = lang_vt_new_const(spec);
    sr_value_destroy(&spec);
    if (!vt || !lang_doc_keep(ld->doc, vt))
        return lang_ld_oom(ld);
    return vt;
oom:
    sr_value_destroy(&spec);
    return lang_ld_oom(ld);
}
