// Reads a task (or task-defaults) map: action/workflow with inline
// parameters merged into input (inline parameters win, as in Mistral's
// merge_dicts), publish, with-items, policies with Mistral's types, join,
// requires and transitions. Keywords are checked against one table whose
// masks tell direct tasks, reverse tasks and task-defaults apart. Results
// live in the document.
#include "lang_load_task.h"

#include <stdint.h>
#include <string.h>

#include "lang_inline.h"
#include "lang_load_clause.h"

enum { S_D = 1, S_R = 2, S_F = 4, S_ALL = 7 };

enum {
    K_ACTION,
    K_WORKFLOW,
    K_INPUT,
    K_PUBLISH,
    K_PUBLISH_ON_ERROR,
    K_WITH_ITEMS,
    K_CONCURRENCY,
    K_KEEP_RESULT,
    K_TARGET,
    K_RETRY,
    K_WAIT_BEFORE,
    K_WAIT_AFTER,
    K_TIMEOUT,
    K_PAUSE_BEFORE,
    K_FAIL_ON,
    K_SAFE_RERUN,
    K_JOIN,
    K_REQUIRES,
    K_ON_SUCCESS,
    K_ON_ERROR,
    K_ON_COMPLETE,
    K_DESCRIPTION,
    K_TAGS,
    K_COUNT
};

static const lang_kw_t s_kws[K_COUNT] = {
    [K_ACTION] = {"action", S_D | S_R, NULL},
    [K_WORKFLOW] = {"workflow", S_D | S_R, NULL},
    [K_INPUT] = {"input", S_D | S_R, NULL},
    [K_PUBLISH] = {"publish", S_D | S_R, NULL},
    [K_PUBLISH_ON_ERROR] = {"publish-on-error", S_D | S_R, NULL},
    [K_WITH_ITEMS] = {"with-items", S_D | S_R, NULL},
    [K_CONCURRENCY] = {"concurrency", S_ALL, NULL},
    [K_KEEP_RESULT] = {"keep-result", S_D | S_R, NULL},
    [K_TARGET] = {"target", S_D | S_R, NULL},
    [K_RETRY] = {"retry", S_ALL, NULL},
    [K_WAIT_BEFORE] = {"wait-before", S_ALL, NULL},
    [K_WAIT_AFTER] = {"wait-after", S_ALL, NULL},
    [K_TIMEOUT] = {"timeout", S_ALL, NULL},
    [K_PAUSE_BEFORE] = {"pause-before", S_ALL, NULL},
    [K_FAIL_ON] = {"fail-on", S_ALL, NULL},
    [K_SAFE_RERUN] = {"safe-rerun", S_ALL, NULL},
    [K_JOIN] = {"join", S_D, "in tasks of direct workflows"},
    [K_REQUIRES] = {"requires", S_R | S_F, "in reverse workflows"},
    [K_ON_SUCCESS] = {"on-success", S_D | S_F, "in direct workflows"},
    [K_ON_ERROR] = {"on-error", S_D | S_F, "in direct workflows"},
    [K_ON_COMPLETE] = {"on-complete", S_D | S_F, "in direct workflows"},
    [K_DESCRIPTION] = {"description", S_D | S_R, NULL},
    [K_TAGS] = {"tags", S_D | S_R, NULL},
};

typedef struct {
    lang_ld_t *ld;
    const lang_node_t *v[K_COUNT]; // values by keyword
    const lang_node_t *k[K_COUNT]; // keys by keyword
    lang_task_t *t;
    bool ok;
} s_task_t;

static lang_vt_t *
s_keep(s_task_t *st, lang_vt_t *vt)
{
    if (!vt)
        st->ok = false;
    return lang_ld_keep(st->ld, vt);
}

// action / workflow "NAME k=v ..." -> the name template and the parsed
// parameters (in `in`, to merge into input).
static lang_vt_t *
s_runnable(s_task_t *st, const lang_node_t *node, const char *what,
           lang_inline_t *in)
{
    const char *s = lang_ld_str(st->ld, node, what);
    if (!s)
        return NULL;
    sr_err_t rc = lang_inline_parse(s, node->len, true, in);
    if (rc != SR_OK) {
        if (rc == SR_ENOMEM)
            return lang_ld_oom(st->ld);
        lang_ld_inline_err(st->ld, node, in, what);
        return NULL;
    }
    if (in->name_is_expr)
        return lang_ld_tmpl(st->ld, node, 0, s, in->name_len);
    sr_value_t *name = sr_value_new_strn(s, in->name_len);
    lang_vt_t *vt = name ? lang_vt_new_const(name) : NULL;
    sr_value_destroy(&name);
    return vt ? vt : lang_ld_oom(st->ld);
}

static void
s_input(s_task_t *st, const lang_node_t *owner, const lang_inline_t *in)
{
    const lang_node_t *node = st->v[K_INPUT];
    lang_vt_t *input = NULL;
    if (node && node->kind == LANG_NODE_MAP)
        input = lang_ld_vt(st->ld, node);
    else if (node && lang_ld_is_expr(node))
        input = lang_ld_vt(st->ld, node);
    else if (node) {
        lang_ld_err(st->ld, node, "'input' must be a map or an expression");
        st->ok = false;
        return;
    }
    if (node && !input) {
        st->ok = false;
        return;
    }
    if (owner && in->nparams > 0) {
        if (input && !lang_vt_is_map(input)) {
            lang_ld_err(st->ld, owner,
                        "inline parameters cannot be combined "
                        "with an 'input' expression");
            lang_vt_destroy(&input);
            st->ok = false;
            return;
        }
        if (!input && !(input = lang_vt_new_map())) {
            st->ok = lang_ld_oom(st->ld) != NULL;
            return;
        }
        st->ok &= lang_ld_params_into(st->ld, owner, owner->str, in, input);
    }
    if (input) // else absent: the task's input is {}
        st->t->input = s_keep(st, input);
}

static void
s_action_and_input(s_task_t *st)
{
    const lang_node_t *owner =
        st->v[K_ACTION] ? st->v[K_ACTION] : st->v[K_WORKFLOW];
    lang_inline_t in = {0};
    if (st->v[K_ACTION] && st->v[K_WORKFLOW]) {
        lang_ld_err(st->ld, st->k[K_WORKFLOW],
                    "a task cannot have both 'action' and 'workflow'");
        st->ok = false;
        owner = NULL;
    }
    if (owner) {
        bool is_wf = owner == st->v[K_WORKFLOW];
        lang_vt_t *name = s_keep(
            st, s_runnable(st, owner, is_wf ? "workflow" : "action", &in));
        if (is_wf)
            st->t->workflow = name;
        else
            st->t->action = name;
        if (!name)
            owner = NULL;
    }
    s_input(st, owner, &in);
    lang_inline_fini(&in);
}

static lang_vt_t *
s_map_vt(s_task_t *st, int k)
{
    const lang_node_t *node = st->v[k];
    if (!node)
        return NULL;
    if (!lang_ld_map(st->ld, node, s_kws[k].name)) {
        st->ok = false;
        return NULL;
    }
    return s_keep(st, lang_ld_vt(st->ld, node));
}

static lang_vt_t *
s_int_vt(s_task_t *st, int k)
{
    return st->v[k] ? s_keep(st, lang_ld_int_or_expr(st->ld, st->v[k],
                                                     s_kws[k].name))
                    : NULL;
}

static lang_vt_t *
s_bool_vt(s_task_t *st, int k)
{
    return st->v[k] ? s_keep(st, lang_ld_bool_or_expr(st->ld, st->v[k],
                                                      s_kws[k].name))
                    : NULL;
}

// One "VAR in ..." clause of with-items.
static bool
s_item(s_task_t *st, const lang_node_t *node, lang_item_t *out)
{
    size_t var, vlen, rest, rlen;
    if (!lang_node_is_str(node) ||
        lang_inline_items(node->str, node->len, &var, &vlen, &rest, &rlen) !=
            SR_OK) {
        lang_ld_err(st->ld, node,
                    "'with-items' must read 'VAR in [list]' or 'VAR in "
                    "<%% expression %%>'");
        return false;
    }
    if (!(out->var = lang_doc_strndup(st->ld->doc, node->str + var, vlen)))
        return lang_ld_oom(st->ld) != NULL;
    const char *r = node->str + rest;
    lang_vt_t *vt = NULL;
    if (r[0] == '[') {
        lang_pspan_t p = {.key = var,
                          .key_len = vlen,
                          .val = rest,
                          .val_len = rlen,
                          .kind = LANG_PV_FLOW};
        vt = lang_ld_param_vt(st->ld, node, node->str, &p);
        if (vt && !lang_vt_is_list(vt)) {
            lang_ld_err(st->ld, node, "'with-items' needs a list after 'in'");
            lang_vt_destroy(&vt);
        }
    } else if (lang_inline_is_expr(r, rlen))
        vt = lang_ld_tmpl(st->ld, node, rest, r, rlen);
    else
        lang_ld_err(st->ld, node,
                    "'with-items' needs a list or an "
                    "expression after 'in'");
    return (out->values = lang_ld_keep(st->ld, vt)) != NULL;
}

static void
s_with_items(s_task_t *st)
{
    const lang_node_t *node = st->v[K_WITH_ITEMS];
    if (!node)
        return;
    size_t n = node->kind == LANG_NODE_SEQ ? node->nitems : 1;
    if (n == 0 || (node->kind != LANG_NODE_SEQ && !lang_node_is_str(node))) {
        lang_ld_err(st->ld, node,
                    "'with-items' must be a string or a "
                    "non-empty list of strings");
        st->ok = false;
        return;
    }
    lang_item_t *items = lang_doc_alloc(st->ld->doc, n, sizeof *items);
    if (!items) {
        st->ok = lang_ld_oom(st->ld) != NULL;
        return;
    }
    lang_strtab_t *seen = lang_strtab_new(n);
    if (!seen) {
        st->ok = lang_ld_oom(st->ld) != NULL;
        return;
    }
    bool ok = true;
    for (size_t i = 0; i < n && st->ld->oom == SR_OK; i++) {
        const lang_node_t *it =
            node->kind == LANG_NODE_SEQ ? node->items[i] : node;
        if (!s_item(st, it, &items[i])) {
            ok = false;
            continue;
        }
        const char *var = items[i].var;
        if (lang_strtab_get(seen, var, strlen(var))) {
            lang_ld_err(st->ld, it, "'with-items' uses '%s' twice", var);
            ok = false;
        } else if (lang_strtab_put(seen, var, strlen(var), items) != SR_OK)
            lang_ld_oom(st->ld);
    }
    lang_strtab_destroy(&seen);
    ok = ok && st->ld->oom == SR_OK;
    st->ok &= ok;
    if (ok) {
        st->t->items = items;
        st->t->nitems = n;
    }
}

// A retry field value from the map form or the one-line form.
static lang_vt_t *
s_retry_field(s_task_t *st, const lang_node_t *node, const char *key,
              lang_vt_t *vt, bool is_expr)
{
    const sr_value_t *c = vt ? lang_vt_const(vt) : NULL;
    bool is_count = strcmp(key, "count") == 0 || strcmp(key, "delay") == 0;
    bool good =
        vt &&
        (is_count ? (c && sr_value_is(c, SR_T_INT) && sr_value_int(c) >= 0) ||
                        (!c && is_expr)
                  : !c && is_expr);
    if (vt && !good) {
        lang_ld_err(st->ld, node, "'retry.%s' must be %s", key,
                    is_count ? "a non-negative integer or an expression"
                             : "an expression");
        lang_vt_destroy(&vt);
    }
    if (!vt)
        st->ok = false;
    return lang_ld_keep(st->ld, vt);
}

static lang_vt_t **
s_retry_slot(lang_retry_t *r, const char *key, size_t len)
{
    static const char *const names[] = {"count", "delay", "break-on",
                                        "continue-on"};
    lang_vt_t **slots[] = {&r->count, &r->delay, &r->break_on, &r->continue_on};
    for (size_t i = 0; i < 4; i++)
        if (strlen(names[i]) == len && memcmp(names[i], key, len) == 0)
            return slots[i];
    return NULL;
}

static void
s_retry_line(s_task_t *st, const lang_node_t *node, lang_retry_t *r)
{
    lang_inline_t in;
    sr_err_t rc = lang_inline_parse(node->str, node->len, false, &in);
    if (rc != SR_OK) {
        if (rc == SR_ENOMEM)
            lang_ld_oom(st->ld);
        else
            lang_ld_inline_err(st->ld, node, &in, "'retry'");
        st->ok = false;
    }
    for (size_t i = 0; rc == SR_OK && i < in.nparams; i++) {
        const lang_pspan_t *p = &in.params[i];
        const char *key = node->str + p->key;
        lang_vt_t **slot = s_retry_slot(r, key, p->key_len);
        if (!slot) {
            lang_ld_err(st->ld, node,
                        "unknown keyword '%.*s' in 'retry' (allowed: count, "
                        "delay, break-on, continue-on)",
                        (int)p->key_len, key);
            st->ok = false;
            continue;
        }
        char name[16];
        snprintf(name, sizeof name, "%.*s", (int)p->key_len, key);
        bool is_expr = p->kind == LANG_PV_TEMPLATE &&
                       lang_inline_is_expr(node->str + p->val, p->val_len);
        *slot = s_retry_field(st, node, name,
                              lang_ld_param_vt(st->ld, node, node->str, p),
                              is_expr);
    }
    lang_inline_fini(&in);
}

static void
s_retry_map(s_task_t *st, const lang_node_t *node, lang_retry_t *r)
{
    for (size_t i = 0; i < lang_node_map_len(node); i++) {
        const lang_node_t *k = lang_node_map_key(node, i);
        const lang_node_t *v = lang_node_map_val(node, i);
        lang_vt_t **slot = s_retry_slot(r, k->str, k->len);
        if (!slot) {
            lang_ld_err(st->ld, k,
                        "unknown keyword '%.40s' in 'retry' (allowed: count, "
                        "delay, break-on, continue-on)",
                        k->str);
            st->ok = false;
            continue;
        }
        *slot = s_retry_field(st, v, k->str, lang_ld_vt(st->ld, v),
                              lang_ld_is_expr(v));
    }
}

static void
s_retry(s_task_t *st)
{
    const lang_node_t *node = st->v[K_RETRY];
    if (!node)
        return;
    lang_retry_t *r = lang_doc_alloc(st->ld->doc, 1, sizeof *r);
    if (!r) {
        st->ok = lang_ld_oom(st->ld) != NULL;
        return;
    }
    bool ok = st->ok;
    st->ok = true;
    if (node->kind == LANG_NODE_MAP)
        s_retry_map(st, node, r);
    else if (lang_node_is_str(node) && node->len > 0)
        s_retry_line(st, node, r);
    else {
        lang_ld_err(st->ld, node,
                    "'retry' must be a map or a line like "
                    "'count=3 delay=1'");
        st->ok = false;
    }
    if (st->ok && (!r->count || !r->delay)) {
        lang_ld_err(st->ld, node, "'retry' needs both 'count' and 'delay'");
        st->ok = false;
    }
    if (st->ok)
        st->t->retry = r;
    st->ok &= ok;
}

static void
s_join(s_task_t *st)
{
    const lang_node_t *node = st->v[K_JOIN];
    if (!node)
        return;
    const sr_value_t *v = node->kind == LANG_NODE_SCALAR ? node->value : NULL;
    if (lang_node_is_str(node) && strcmp(node->str, "all") == 0)
        st->t->join = LANG_JOIN_ALL;
    else if (lang_node_is_str(node) && strcmp(node->str, "one") == 0)
        st->t->join = 1;
    else if (v && sr_value_is(v, SR_T_INT) && sr_value_int(v) >= 0 &&
             sr_value_int(v) <= INT32_MAX)
        st->t->join = (int)sr_value_int(v);
    else {
        lang_ld_err(st->ld, node,
                    "'join' must be 'all', 'one' or a non-negative integer");
        st->ok = false;
    }
}

static void
s_requires(s_task_t *st)
{
    const lang_node_t *node = st->v[K_REQUIRES];
    if (!node)
        return;
    if (!lang_ld_strlist(st->ld, node, "requires", true, &st->t->requires,
                         &st->t->nrequires)) {
        st->ok = false;
        return;
    }
    for (size_t i = 0; i < st->t->nrequires; i++)
        if (!lang_strtab_get(st->ld->tasks, st->t->requires[i],
                             strlen(st->t->requires[i]))) {
            lang_ld_err(st->ld,
                        node->kind == LANG_NODE_SEQ ? node->items[i] : node,
                        "Task '%s' not found", st->t->requires[i]);
            st->ok = false;
        }
}

static void
s_transitions(s_task_t *st)
{
    for (int on = 0; on < LANG_ON_COUNT; on++) {
        int k = K_ON_SUCCESS + on;
        const lang_node_t *node = st->v[k];
        if (node && !(node->kind == LANG_NODE_SCALAR &&
                      sr_value_is(node->value, SR_T_NIL)))
            st->ok &=
                lang_load_clause(st->ld, node, s_kws[k].name, &st->t->on[on]);
    }
}

static void
s_policies(s_task_t *st)
{
    lang_task_t *t = st->t;
    t->concurrency = s_int_vt(st, K_CONCURRENCY);
    t->wait_before = s_int_vt(st, K_WAIT_BEFORE);
    t->wait_after = s_int_vt(st, K_WAIT_AFTER);
    t->timeout = s_int_vt(st, K_TIMEOUT);
    t->pause_before = s_bool_vt(st, K_PAUSE_BEFORE);
    t->fail_on = s_bool_vt(st, K_FAIL_ON);
    t->keep_result = s_bool_vt(st, K_KEEP_RESULT);
    t->safe_rerun = s_bool_vt(st, K_SAFE_RERUN);
    if (st->v[K_TARGET] && lang_ld_str(st->ld, st->v[K_TARGET], "target"))
        t->target = s_keep(st, lang_ld_vt(st->ld, st->v[K_TARGET]));
    else if (st->v[K_TARGET])
        st->ok = false;
    s_retry(st);
}

static void
s_about(s_task_t *st)
{
    if (st->v[K_DESCRIPTION]) {
        const char *d =
            lang_ld_str(st->ld, st->v[K_DESCRIPTION], "description");
        if (d && !(st->t->description = lang_doc_strdup(st->ld->doc, d)))
            lang_ld_oom(st->ld);
        st->ok &= d != NULL;
    }
    if (st->v[K_TAGS])
        st->ok &= lang_ld_strlist(st->ld, st->v[K_TAGS], "tags", false,
                                  &st->t->tags, &st->t->ntags);
}

bool
lang_load_task(lang_ld_t *ld, const lang_node_t *name, const lang_node_t *node,
               bool is_defaults, lang_task_t *out)
{
    s_task_t st = {.ld = ld, .t = out, .ok = true};
    out->pos = name->pos;
    if (!(out->name = lang_doc_strndup(ld->doc, name->str, name->len)))
        return lang_ld_oom(ld) != NULL;
    const char *what = is_defaults ? "task-defaults" : "a task";
    if (node->kind != LANG_NODE_MAP) {
        if (is_defaults)
            lang_ld_err(ld, node, "'task-defaults' must be a map");
        else
            lang_ld_err(ld, node, "task '%.64s' must be a map", out->name);
        return false;
    }
    unsigned mask = is_defaults                     ? S_F
                    : ld->wf_type == LANG_WF_DIRECT ? S_D
                                                    : S_R;
    size_t before = ld->diags->count;
    lang_ld_keywords(ld, node, s_kws, K_COUNT, mask, what, st.v, st.k);
    st.ok = ld->diags->count == before;
    s_action_and_input(&st);
    out->publish = s_map_vt(&st, K_PUBLISH);
    out->publish_on_error = s_map_vt(&st, K_PUBLISH_ON_ERROR);
    s_with_items(&st);
    s_policies(&st);
    s_join(&st);
    s_requires(&st);
    s_transitions(&st);
    s_about(&st);
    return st.ok;
}
