// Map finishing for the YAML tree (lang_tree.c): merge keys and duplicate
// keys. One thread.
#ifndef LANG_TREE_MAP_H
#define LANG_TREE_MAP_H

#include <stddef.h>

#include "lang_tree.h"

typedef struct {
    lang_diags_t *diags; // where problems go
    size_t max_nodes;    // limit on entries created by merge keys
    size_t merged;       // entries created so far
} lang_tree_map_t;

// Apply merge keys to the completed map `m` (items capacity *cap) and drop
// duplicate keys, reporting them; `parent_key` names the map for messages
// ("tasks" -> "duplicate task name"). SR_EINVAL for a problem that stops
// the reading (a bad merge source, too many merged entries), SR_ENOMEM.
sr_err_t lang_tree_map_finish(lang_node_t *m, size_t *cap,
                              const char *parent_key, lang_tree_map_t *p);

#endif
