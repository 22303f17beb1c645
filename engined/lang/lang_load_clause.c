// Reads transition clauses. Each entry is parsed with lang_inline (task
// names, engine commands fail/succeed/pause/noop with optional msg=...),
// conditions must be single expressions, and targets must name a task of
// the workflow (Mistral's "Task 'x' not found"). Owns nothing; results
// live in the document.
#include "lang_load_clause.h"

#include <stdint.h>
#include <string.h>

#include "lang_inline.h"

static const struct {
    const char *name;
    lang_cmd_t cmd;
} s_cmds[] = {
    {"fail", LANG_CMD_FAIL},
    {"succeed", LANG_CMD_SUCCEED},
    {"pause", LANG_CMD_PAUSE},
    {"noop", LANG_CMD_NOOP},
};

static lang_cmd_t
s_cmd(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof s_cmds / sizeof *s_cmds; i++)
        if (strlen(s_cmds[i].name) == len &&
            memcmp(s_cmds[i].name, name, len) == 0)
            return s_cmds[i].cmd;
    return LANG_CMD_NONE;
}

// The msg=... of an engine command.
static bool
s_cmd_params(lang_ld_t *ld, const lang_node_t *node, const lang_inline_t *in,
             lang_next_t *out)
{
    const char *s = node->str;
    for (size_t i = 0; i < in->nparams; i++) {
        const lang_pspan_t *p = &in->params[i];
        if (out->cmd == LANG_CMD_NOOP || p->key_len != 3 ||
            memcmp(s + p->key, "msg", 3) != 0) {
            lang_ld_err(ld, node, "engine command '%.*s' takes %s, not '%.*s'",
                        (int)in->name_len, s,
                        out->cmd == LANG_CMD_NOOP ? "no parameter"
                                                  : "only 'msg'",
                        (int)p->key_len, s + p->key);
            return false;
        }
        out->msg = lang_ld_keep(ld, lang_ld_param_vt(ld, node, s, p));
        if (!out->msg)
            return false;
    }
    return true;
}

// One entry: `text` names the target (a task or a command), `cond` is its
// condition node or NULL.
static bool
s_entry(lang_ld_t *ld, const lang_node_t *text, const lang_node_t *cond,
        lang_next_t *out)
{
    out->pos = text->pos;
    out->task_index = -1;
    if (!lang_node_is_str(text) || text->len == 0) {
        lang_ld_err(ld, text,
                    "a transition must name a task or an engine command");
        return false;
    }
    lang_inline_t in;
    sr_err_t rc = lang_inline_parse(text->str, text->len, true, &in);
    bool ok = rc == SR_OK;
    if (rc == SR_ENOMEM)
        lang_ld_oom(ld);
    else if (rc != SR_OK)
        lang_ld_inline_err(ld, text, &in, "the transition");
    else if (in.name_is_expr) {
        lang_ld_err(ld, text,
                    "a transition must name a task or an engine "
                    "command, not an expression");
        ok = false;
    }
    if (ok && (out->cmd = s_cmd(text->str, in.name_len)) != LANG_CMD_NONE)
        ok = s_cmd_params(ld, text, &in, out);
    else if (ok && (in.nparams > 0 || in.has_parens)) {
        lang_ld_err(ld, text,
                    "unknown engine command '%.*s' (allowed: fail, succeed, "
                    "pause, noop)",
                    (int)in.name_len, text->str);
        ok = false;
    } else if (ok) {
        uintptr_t at =
            (uintptr_t)lang_strtab_get(ld->tasks, text->str, in.name_len);
        if (at == 0) {
            lang_ld_err(ld, text, "Task '%.*s' not found", (int)in.name_len,
                        text->str);
            ok = false;
        } else if (!(out->task =
                         lang_doc_strndup(ld->doc, text->str, in.name_len)))
            ok = lang_ld_oom(ld) != NULL;
        out->task_index = (int)at - 1;
    }
    lang_inline_fini(&in);
    if (ok && cond) {
        if (!lang_ld_is_expr(cond)) {
            lang_ld_err(ld, cond,
                        "a transition condition must be an "
                        "expression (<%% ... %%> or {{ ... }})");
            return false;
        }
        ok = (out->when = lang_ld_keep(ld, lang_ld_vt(ld, cond))) != NULL;
    }
    return ok;
}

// A list item or the whole value: "name" or {name: condition}.
static bool
s_item(lang_ld_t *ld, const lang_node_t *item, lang_next_t *out)
{
    if (item->kind == LANG_NODE_MAP && lang_node_map_len(item) == 1)
        return s_entry(ld, lang_node_map_key(item, 0),
                       lang_node_map_val(item, 0), out);
    if (item->kind != LANG_NODE_SCALAR) {
        lang_ld_err(ld, item,
                    "a transition must be a task name, an engine "
                    "command or a single 'name: condition' pair");
        return false;
    }
    return s_entry(ld, item, NULL, out);
}

// Equal YAML values (JSON Schema's uniqueItems): same kind, same scalar
// text and type, same entries in the same order.
static bool
s_same(const lang_node_t *a, const lang_node_t *b)
{
    if (a == b)
        return true;
    if (a->kind != b->kind)
        return false;
    if (a->kind == LANG_NODE_SCALAR)
        return a->len == b->len && memcmp(a->str, b->str, a->len) == 0 &&
               sr_value_type(a->value) == sr_value_type(b->value);
    if (a->nitems != b->nitems)
        return false;
    for (size_t i = 0; i < a->nitems; i++)
        if (!s_same(a->items[i], b->items[i]))
            return false;
    return true;
}

// Mistral's transition lists hold unique items.
static bool
s_unique(lang_ld_t *ld, const lang_node_t *seq, const char *what)
{
    for (size_t i = 1; i < seq->nitems; i++)
        for (size_t j = 0; j < i; j++)
            if (s_same(seq->items[i], seq->items[j])) {
                lang_ld_err(ld, seq->items[i],
                            "'%s' has non-unique elements (item %zu repeats "
                            "item %zu)",
                            what, i + 1, j + 1);
                return false;
            }
    return true;
}

static bool
s_next(lang_ld_t *ld, const lang_node_t *node, const char *what,
       lang_clause_t *out)
{
    size_t n = node->kind == LANG_NODE_SEQ ? node->nitems : 1;
    if (n == 0) {
        lang_ld_err(ld, node, "'%s' must not be an empty list", what);
        return false;
    }
    if (node->kind == LANG_NODE_SEQ && !s_unique(ld, node, what))
        return false;
    out->next = lang_doc_alloc(ld->doc, n, sizeof *out->next);
    if (!out->next)
        return lang_ld_oom(ld) != NULL;
    bool ok = true;
    for (size_t i = 0; i < n; i++)
        ok &= s_item(ld, node->kind == LANG_NODE_SEQ ? node->items[i] : node,
                     &out->next[i]);
    out->count = ok ? n : 0;
    return ok;
}

// publish: {branch: {...}, global: {...}} or a plain map (= branch).
static bool
s_publish(lang_ld_t *ld, const lang_node_t *node, lang_clause_t *out)
{
    if (!lang_ld_map(ld, node, "publish"))
        return false;
    const lang_node_t *branch = lang_node_map_get(node, "branch");
    const lang_node_t *global = lang_node_map_get(node, "global");
    const lang_node_t *atomic = lang_node_map_get(node, "atomic");
    size_t scoped = (branch != NULL) + (global != NULL) + (atomic != NULL);
    if (scoped == 0) {
        out->publish = lang_ld_keep(ld, lang_ld_vt(ld, node));
        return out->publish != NULL;
    }
    if (scoped != lang_node_map_len(node)) {
        lang_ld_err(ld, node,
                    "'publish' mixes scopes (branch, global) with "
                    "plain variables");
        return false;
    }
    if (atomic) {
        lang_ld_err(ld, atomic, "'publish: atomic' is not supported");
        return false;
    }
    bool ok = true;
    if (branch && lang_ld_map(ld, branch, "publish.branch"))
        ok &= (out->publish = lang_ld_keep(ld, lang_ld_vt(ld, branch))) != NULL;
    else if (branch)
        ok = false;
    if (global && lang_ld_map(ld, global, "publish.global"))
        ok &= (out->publish_global =
                   lang_ld_keep(ld, lang_ld_vt(ld, global))) != NULL;
    else if (global)
        ok = false;
    return ok;
}

static bool
s_is_dict_form(const lang_node_t *node)
{
    size_t n = lang_node_map_len(node), known = 0;
    if (lang_node_map_get(node, "next"))
        known++;
    if (lang_node_map_get(node, "publish"))
        known++;
    return known > 0 && (known == n || n > 1);
}

bool
lang_load_clause(lang_ld_t *ld, const lang_node_t *node, const char *what,
                 lang_clause_t *out)
{
    memset(out, 0, sizeof *out);
    if (node->kind == LANG_NODE_MAP && s_is_dict_form(node)) {
        bool ok = true;
        for (size_t i = 0; i < lang_node_map_len(node); i++) {
            const lang_node_t *k = lang_node_map_key(node, i);
            if (strcmp(k->str, "next") != 0 && strcmp(k->str, "publish") != 0) {
                lang_ld_err(ld, k,
                            "unknown keyword '%s' in '%s' (allowed: next, "
                            "publish)",
                            k->str, what);
                ok = false;
            }
        }
        const lang_node_t *next = lang_node_map_get(node, "next");
        const lang_node_t *publish = lang_node_map_get(node, "publish");
        if (next)
            ok &= s_next(ld, next, what, out);
        if (publish)
            ok &= s_publish(ld, publish, out);
        return ok;
    }
    return s_next(ld, node, what, out);
}
