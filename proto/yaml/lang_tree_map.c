// Finishing a YAML map of the tree: merge keys ("<<: *base" or a list of
// aliases; explicit keys win, earlier sources win over later ones) and
// duplicate keys (reported, the first kept), with the merged entries
// counted against the node limit. Owns nothing past a call.
#include "lang_tree_map.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lang_diag.h"
#include "lang_strtab.h"

static sr_err_t s_fatal(lang_tree_map_t *p, lang_pos_t pos, const char *fmt,
                        ...) __attribute__((format(printf, 3, 4)));

static sr_err_t
s_fatal(lang_tree_map_t *p, lang_pos_t pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sr_err_t rc = lang_diag_vadd(p->diags, pos, fmt, ap);
    va_end(ap);
    return rc == SR_OK ? SR_EINVAL : rc;
}

static const char *
s_dup_what(const char *parent_key)
{
    if (!parent_key)
        return "key";
    if (strcmp(parent_key, "tasks") == 0)
        return "task name";
    if (strcmp(parent_key, "workflows") == 0)
        return "workflow name";
    if (strcmp(parent_key, "actions") == 0)
        return "action name";
    return "key";
}

static sr_err_t
s_dup(lang_tree_map_t *p, const lang_node_t *key, const lang_node_t *first,
      const char *parent_key)
{
    return lang_diag_add(
        p->diags, key->pos, "duplicate %s '%.*s' (first at %d:%d)",
        s_dup_what(parent_key), key->len > 64 ? 64 : (int)key->len, key->str,
        first->pos.line, first->pos.col);
}

// Without merge keys: drop duplicates (keeping the first) and report them.
static sr_err_t
s_map_dedupe(lang_tree_map_t *p, lang_node_t *m, const char *parent_key)
{
    size_t n = m->nitems / 2, kept = 0;
    lang_strtab_t *seen = lang_strtab_new(n);
    if (!seen)
        return SR_ENOMEM;
    sr_err_t rc = SR_OK;
    for (size_t i = 0; i < n && rc == SR_OK; i++) {
        lang_node_t *k = m->items[2 * i], *v = m->items[2 * i + 1];
        const lang_node_t *first = lang_strtab_get(seen, k->str, k->len);
        if (first) {
            rc = s_dup(p, k, first, parent_key);
            continue;
        }
        rc = lang_strtab_put(seen, k->str, k->len, k);
        m->items[2 * kept] = k;
        m->items[2 * kept + 1] = v;
        kept++;
    }
    m->nitems = 2 * kept;
    lang_strtab_destroy(&seen);
    return rc;
}

typedef struct {
    lang_node_t **items;  // merged entries, keys and values interleaved
    size_t n, cap;        // n counts nodes (2 per entry)
    bool *is_explicit;    // per entry
    lang_strtab_t *index; // key -> entry number + 1
} s_merge_t;

static sr_err_t
s_merge_add(s_merge_t *mg, lang_node_t *k, lang_node_t *v, bool is_explicit)
{
    if (mg->n + 2 > mg->cap) {
        size_t cap = mg->cap ? mg->cap * 2 : 16;
        lang_node_t **items = realloc(mg->items, cap * sizeof *items);
        if (!items)
            return SR_ENOMEM;
        mg->items = items;
        bool *ex = realloc(mg->is_explicit, cap / 2 * sizeof *ex);
        if (!ex)
            return SR_ENOMEM;
        mg->is_explicit = ex;
        mg->cap = cap;
    }
    size_t entry = mg->n / 2;
    mg->items[mg->n++] = k;
    mg->items[mg->n++] = v;
    mg->is_explicit[entry] = is_explicit;
    return lang_strtab_put(mg->index, k->str, k->len,
                           (void *)(uintptr_t)(entry + 1));
}

static sr_err_t
s_merge_source(lang_tree_map_t *p, s_merge_t *mg, const lang_node_t *src)
{
    if (src->kind != LANG_NODE_MAP)
        return s_fatal(p, src->pos,
                       "the merge key '<<' needs a mapping or a list of "
                       "mappings");
    sr_err_t rc = SR_OK;
    for (size_t i = 0; i + 1 < src->nitems && rc == SR_OK; i += 2) {
        lang_node_t *k = src->items[i];
        if (!lang_strtab_get(mg->index, k->str, k->len))
            rc = s_merge_add(mg, k, src->items[i + 1], false);
    }
    return rc;
}

static sr_err_t
s_merge_explicit(lang_tree_map_t *p, s_merge_t *mg, lang_node_t *k,
                 lang_node_t *v, const char *parent_key)
{
    uintptr_t at = (uintptr_t)lang_strtab_get(mg->index, k->str, k->len);
    if (at == 0)
        return s_merge_add(mg, k, v, true);
    if (mg->is_explicit[at - 1])
        return s_dup(p, k, mg->items[2 * (at - 1)], parent_key);
    mg->items[2 * (at - 1)] = k; // an explicit key overrides a merged one
    mg->items[2 * (at - 1) + 1] = v;
    mg->is_explicit[at - 1] = true;
    return SR_OK;
}

// With merge keys: merged entries first (earlier sources win), then the
// explicit ones, which override merged keys in place.
static sr_err_t
s_map_merge(lang_tree_map_t *p, lang_node_t *m, size_t *cap,
            const char *parent_key)
{
    s_merge_t mg = {0};
    mg.index = lang_strtab_new(m->nitems);
    if (!mg.index)
        return SR_ENOMEM;
    sr_err_t rc = SR_OK;
    for (size_t i = 0; i + 1 < m->nitems && rc == SR_OK; i += 2) {
        const lang_node_t *v = m->items[i + 1];
        if (!m->items[i]->is_merge)
            continue;
        if (v->kind == LANG_NODE_SEQ)
            for (size_t j = 0; j < v->nitems && rc == SR_OK; j++)
                rc = s_merge_source(p, &mg, v->items[j]);
        else
            rc = s_merge_source(p, &mg, v);
    }
    for (size_t i = 0; i + 1 < m->nitems && rc == SR_OK; i += 2)
        if (!m->items[i]->is_merge)
            rc = s_merge_explicit(p, &mg, m->items[i], m->items[i + 1],
                                  parent_key);
    p->merged += mg.n / 2;
    if (rc == SR_OK && p->merged > p->max_nodes)
        rc = s_fatal(p, m->pos,
                     "more than %zu YAML nodes after merge keys "
                     "(alias bomb?)",
                     p->max_nodes);
    if (rc == SR_OK) {
        free(m->items);
        m->items = mg.items;
        m->nitems = mg.n;
        *cap = mg.cap;
        mg.items = NULL;
    }
    free(mg.items);
    free(mg.is_explicit);
    lang_strtab_destroy(&mg.index);
    return rc;
}

sr_err_t
lang_tree_map_finish(lang_node_t *m, size_t *cap, const char *parent_key,
                     lang_tree_map_t *p)
{
    for (size_t i = 0; i + 1 < m->nitems; i += 2)
        if (m->items[i]->is_merge)
            return s_map_merge(p, m, cap, parent_key);
    return s_map_dedupe(p, m, parent_key);
}
