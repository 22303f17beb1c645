// The YAML config file: read with the YAML tree of proto/yaml/ (positions,
// duplicate keys, PyYAML's typing, limits against hostile files), then
// walked by the table of keys: each value goes to sr_cfg_value.c as the
// text of its scalar, each map of a section to its own table. Problems
// name FILE:LINE:COL and the key, at the key for unknown and repeated
// keys, at the value otherwise. Owns the text and the tree while it reads.
// One thread.
#include "sr_cfg_file.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang_tree.h"
#include "sr_cfg_value.h"
#include "sr_value.h"

#define S_MAX_DEPTH 16
#define S_MAX_NODES 100000

typedef struct {
    sr_cfg_t *cfg;
    const char *path;
} s_file_t;

static void s_read_map(s_file_t *f, const sr_cfg_key_t *keys, size_t n,
                       void *base, const lang_node_t *map, const char *prefix,
                       unsigned char *marks);

// "PATH:LINE:COL: key 'KEY': MESSAGE" (without the key part when NULL).
static void s_problem(s_file_t *f, const lang_node_t *node, const char *key,
                      const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
s_problem(s_file_t *f, const lang_node_t *node, const char *key,
          const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (key)
        sr_cfg_problem(f->cfg, "%s:%d:%d: key '%s': %s", f->path,
                       node->pos.line, node->pos.col, key, msg);
    else
        sr_cfg_problem(f->cfg, "%s:%d:%d: %s", f->path, node->pos.line,
                       node->pos.col, msg);
}

static bool
s_is_null(const lang_node_t *node)
{
    return node->kind == LANG_NODE_SCALAR && sr_value_is(node->value, SR_T_NIL);
}

// A scalar's text: the string, or the number or boolean as JSON writes it.
static void
s_set(s_file_t *f, const sr_cfg_key_t *key, void *base, const lang_node_t *node,
      const char *name, bool is_item)
{
    char why[300];
    bool ok = is_item ? sr_cfg_value_add(key, base, node->str, why, sizeof why)
                      : sr_cfg_value_set(key, base, node->str, why, sizeof why);
    if (!ok)
        s_problem(f, node, name, "%s", why);
}

// One item of a section: a map of its keys, or its inline text.
static void
s_read_item(s_file_t *f, const sr_cfg_key_t *key, void *base,
            const lang_node_t *node, const char *name)
{
    char why[300];
    if (node->kind == LANG_NODE_SCALAR) {
        s_set(f, key, base, node, name, false);
        return;
    }
    if (node->kind != LANG_NODE_MAP) {
        s_problem(f, node, name, "expected a map of %s",
                  key->section->inline_keys);
        return;
    }
    void *item = sr_cfg_value_item_add(key, base, why, sizeof why);
    if (!item) {
        s_problem(f, node, name, "%s", why);
        return;
    }
    char prefix[200];
    snprintf(prefix, sizeof prefix, "%s.", name);
    size_t before = sr_cfg_nproblems(f->cfg);
    s_read_map(f, key->section->keys, key->section->nkeys, item, node, prefix,
               NULL);
    if (sr_cfg_nproblems(f->cfg) != before)
        sr_cfg_value_item_drop(key, base);
    else if (!sr_cfg_value_item_check(key, item, why, sizeof why)) {
        s_problem(f, node, name, "%s", why);
        sr_cfg_value_item_drop(key, base);
    }
}

static void
s_read_value(s_file_t *f, const sr_cfg_key_t *key, void *base,
             const lang_node_t *node, const char *name)
{
    bool is_list = sr_cfg_value_is_list(key);
    if (!is_list && node->kind != LANG_NODE_SCALAR) {
        s_problem(f, node, name, "expected a single value");
        return;
    }
    if (!is_list) {
        s_set(f, key, base, node, name, false);
        return;
    }
    if (!(key->flags & SR_CFG_ADD))
        sr_cfg_value_clear(key, base); // this file gives the whole list
    if (key->type == SR_CFG_SECTIONS && node->kind != LANG_NODE_SEQ) {
        s_read_item(f, key, base, node, name); // a list of one
        return;
    }
    if (node->kind == LANG_NODE_SCALAR) {
        s_set(f, key, base, node, name, false);
        return;
    }
    if (node->kind != LANG_NODE_SEQ) {
        s_problem(f, node, name, "expected a list");
        return;
    }
    for (size_t i = 0; i < node->nitems; i++) {
        const lang_node_t *item = node->items[i];
        char item_name[240];
        snprintf(item_name, sizeof item_name, "%s[%zu]", name, i);
        if (key->type == SR_CFG_SECTIONS)
            s_read_item(f, key, base, item, item_name);
        else if (item->kind != LANG_NODE_SCALAR || s_is_null(item))
            s_problem(f, item, item_name, "expected a single value");
        else
            s_set(f, key, base, item, item_name, true);
    }
}

static void
s_read_map(s_file_t *f, const sr_cfg_key_t *keys, size_t n, void *base,
           const lang_node_t *map, const char *prefix, unsigned char *marks)
{
    unsigned char *seen = calloc(n ? n : 1, 1);
    if (!seen) {
        sr_cfg_problem(f->cfg, "%s: out of memory", f->path);
        return;
    }
    for (size_t i = 0; i < lang_node_map_len(map); i++) {
        const lang_node_t *knode = lang_node_map_key(map, i);
        const lang_node_t *vnode = lang_node_map_val(map, i);
        if (!lang_node_is_str(knode)) {
            s_problem(f, knode, NULL, "expected the name of a key");
            continue;
        }
        char name[200];
        snprintf(name, sizeof name, "%s%s", prefix, knode->str);
        const sr_cfg_key_t *key = sr_cfg_value_find(keys, n, knode->str);
        if (!key) {
            s_problem(f, knode, name, "unknown key (see --help)");
            continue;
        }
        size_t k = (size_t)(key - keys);
        if (seen[k]) { // under another spelling: max-batch, max_batch
            s_problem(f, knode, name, "given twice");
            continue;
        }
        seen[k] = 1;
        if (marks && (marks[k] & SR_CFG_MARK_HELD) &&
            !(key->flags & SR_CFG_ADD))
            continue; // a flag gives it
        if (s_is_null(vnode))
            continue; // keeps the default
        s_read_value(f, key, base, vnode, name);
        if (marks)
            marks[k] |= SR_CFG_MARK_GIVEN;
    }
    free(seen);
}

sr_err_t
sr_cfg_file_read(sr_cfg_t *cfg, const sr_cfg_key_t *keys, size_t n,
                 void *values, unsigned char *marks, const char *path)
{
    s_file_t f = {cfg, path};
    size_t before = sr_cfg_nproblems(cfg), len = 0;
    char *text = NULL, why[300];
    if (!sr_cfg_value_read_file(path, SR_CFG_FILE_MAX_BYTES, &text, &len, why,
                                sizeof why)) {
        sr_cfg_problem(cfg, "%s", why);
        return SR_EINVAL;
    }
    lang_limits_t limits = {SR_CFG_FILE_MAX_BYTES, S_MAX_DEPTH, S_MAX_NODES};
    lang_tree_t *tree = NULL;
    lang_diags_t diags = {0};
    sr_err_t rc = lang_tree_parse(text, len, &limits, &tree, &diags);
    for (size_t i = 0; i < diags.count; i++)
        sr_cfg_problem(cfg, "%s:%d:%d: %s", path, diags.items[i].pos.line,
                       diags.items[i].pos.col, diags.items[i].msg);
    lang_diags_fini(&diags);
    const lang_node_t *root = rc == SR_OK ? lang_tree_root(tree) : NULL;
    if (rc == SR_ENOMEM)
        sr_cfg_problem(cfg, "%s: out of memory", path);
    else if (rc == SR_OK && root && !s_is_null(root)) {
        if (root->kind != LANG_NODE_MAP)
            s_problem(&f, root, NULL, "expected a mapping of keys");
        else
            s_read_map(&f, keys, n, values, root, "", marks);
    }
    lang_tree_destroy(&tree);
    free(text);
    return sr_cfg_nproblems(cfg) == before ? SR_OK : SR_EINVAL;
}
