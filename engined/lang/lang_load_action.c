// Reads one ad-hoc action. The base is a plain action name; its inline
// parameters are merged into base-input (they win, as in Mistral). Owns
// nothing; results live in the document.
#include "lang_load_action.h"

#include <stdio.h>
#include <string.h>

#include "lang_inline.h"
#include "lang_load_wf.h"

enum {
    K_BASE,
    K_BASE_INPUT,
    K_INPUT,
    K_OUTPUT,
    K_DESCRIPTION,
    K_TAGS,
    K_VERSION,
    K_COUNT
};

static const lang_kw_t s_kws[K_COUNT] = {
    [K_BASE] = {"base", 1, NULL},
    [K_BASE_INPUT] = {"base-input", 1, NULL},
    [K_INPUT] = {"input", 1, NULL},
    [K_OUTPUT] = {"output", 1, NULL},
    [K_DESCRIPTION] = {"description", 1, NULL},
    [K_TAGS] = {"tags", 1, NULL},
    [K_VERSION] = {"version", 1, NULL},
};

static bool
s_base(lang_ld_t *ld, const lang_node_t *base, const lang_node_t *base_input,
       lang_action_t *out)
{
    const char *s = lang_ld_str(ld, base, "base");
    if (!s)
        return false;
    lang_inline_t in;
    sr_err_t rc = lang_inline_parse(s, base->len, true, &in);
    bool ok = rc == SR_OK;
    if (rc == SR_ENOMEM)
        lang_ld_oom(ld);
    else if (rc != SR_OK)
        lang_ld_inline_err(ld, base, &in, "'base'");
    else if (in.name_is_expr) {
        lang_ld_err(ld, base, "'base' must name an action, not an expression");
        ok = false;
    } else if (!(out->base = lang_doc_strndup(ld->doc, s, in.name_len)))
        ok = lang_ld_oom(ld) != NULL;
    lang_vt_t *bi = NULL;
    if (ok && base_input && lang_ld_map(ld, base_input, "base-input"))
        ok = (bi = lang_ld_vt(ld, base_input)) != NULL;
    else if (ok && base_input)
        ok = false;
    if (ok && !bi && in.nparams > 0 && !(bi = lang_vt_new_map()))
        ok = lang_ld_oom(ld) != NULL;
    if (ok && in.nparams > 0)
        ok = lang_ld_params_into(ld, base, s, &in, bi);
    lang_inline_fini(&in);
    if (bi)
        out->base_input = lang_ld_keep(ld, bi);
    return ok && (!bi || out->base_input);
}

bool
lang_load_action(lang_ld_t *ld, const lang_node_t *name,
                 const lang_node_t *node, lang_action_t *out)
{
    char *full;
    if (ld->wb) {
        size_t n = strlen(ld->wb) + 1 + name->len;
        if ((full = lang_doc_alloc(ld->doc, n + 1, 1)))
            snprintf(full, n + 1, "%s.%s", ld->wb, name->str);
    } else
        full = lang_doc_strndup(ld->doc, name->str, name->len);
    if (!full)
        return lang_ld_oom(ld) != NULL;
    out->name = full;
    out->pos = name->pos;
    if (node->kind != LANG_NODE_MAP) {
        lang_ld_err(ld, node, "action '%.64s' must be a map", name->str);
        return false;
    }
    const lang_node_t *v[K_COUNT], *k[K_COUNT];
    size_t before = ld->diags->count;
    lang_ld_keywords(ld, node, s_kws, K_COUNT, 1, "an action", v, k);
    bool ok = ld->diags->count == before;
    if (!v[K_BASE]) {
        lang_ld_err(ld, name, "action '%.64s' needs a 'base'", name->str);
        ok = false;
    } else
        ok &= s_base(ld, v[K_BASE], v[K_BASE_INPUT], out);
    if (v[K_INPUT])
        ok &= lang_load_params(ld, v[K_INPUT], &out->inputs, &out->ninputs);
    if (v[K_OUTPUT] && !(v[K_OUTPUT]->kind == LANG_NODE_SCALAR &&
                         sr_value_is(v[K_OUTPUT]->value, SR_T_NIL)))
        ok &= (out->output = lang_ld_keep(ld, lang_ld_vt(ld, v[K_OUTPUT]))) !=
              NULL;
    if (v[K_DESCRIPTION])
        ok &= lang_ld_str(ld, v[K_DESCRIPTION], "description") != NULL;
    if (v[K_TAGS]) {
        const char **tags;
        size_t ntags;
        ok &= lang_ld_strlist(ld, v[K_TAGS], "tags", false, &tags, &ntags);
    }
    return ok;
}
