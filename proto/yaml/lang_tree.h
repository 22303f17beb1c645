// YAML text to a tree of nodes with source positions, refusing hostile
// input: files over the size limit, invalid UTF-8, more than one document,
// nesting deeper than the limit, alias bombs (nodes are counted after alias
// expansion), duplicate keys, unsupported tags. Scalars are resolved as
// PyYAML's safe_load does (lang_scalar.h); merge keys ("<<: *base") are
// applied. Aliases share the anchored node, so the tree is a DAG.
//
// Ownership: a lang_tree_t owns every node; nodes are read-only and valid
// until lang_tree_destroy(). One thread at a time.
#ifndef LANG_TREE_H
#define LANG_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "lang_diag.h"
#include "sr_value.h"

typedef enum {
    LANG_NODE_SCALAR = 0,
    LANG_NODE_SEQ,
    LANG_NODE_MAP
} lang_node_kind_t;

typedef enum {
    LANG_STYLE_PLAIN = 0,
    LANG_STYLE_SINGLE,  // 'text'
    LANG_STYLE_DOUBLE,  // "text"
    LANG_STYLE_LITERAL, // |
    LANG_STYLE_FOLDED,  // >
    LANG_STYLE_FLOW,    // collections written [a, b] or {k: v}
    LANG_STYLE_BLOCK    // collections written one entry per line
} lang_style_t;

typedef struct lang_node lang_node_t;
struct lang_node {
    lang_node_kind_t kind;
    lang_style_t style;
    lang_pos_t pos; // where the node starts (1-based)
    size_t offset;  // byte offset of that start in the source
    // Scalars.
    sr_value_t *value; // resolved value (str, int, float, bool, nil); owned
    const char *str;   // the scalar as text: the string itself, or the
                       // JSON text of a number, bool or null; owned
    size_t len;        // bytes of str (strings may hold NUL bytes)
    bool is_merge;     // the merge key "<<"
    // Collections: sequence items, or map keys and values interleaved
    // (items[2i] is a key, items[2i+1] its value). Borrowed nodes.
    lang_node_t **items;
    size_t nitems;
    // Bookkeeping for the limits: nodes after alias expansion, nesting.
    size_t size;
    int depth;
    lang_node_t *next_alloc; // the tree's allocation list
};

typedef struct lang_tree lang_tree_t;

// What a source may hold, against hostile input.
typedef struct {
    size_t max_bytes; // source size; 0 = 1 MiB
    int max_depth;    // YAML nesting; 0 = 64
    size_t max_nodes; // YAML nodes after alias expansion; 0 = 100,000
} lang_limits_t;

// Parse `text` (len bytes). Problems go to `diags` (positions 1-based).
// Returns SR_EINVAL when a problem stops the reading (syntax, limits,
// encoding, aliases), SR_ENOMEM when memory runs out, else SR_OK with *out
// owned by the caller -- also when problems that leave a usable tree were
// reported (duplicate keys: the first one is kept; scalars that do not
// fit their tag: kept as strings), so callers check `diags` too. A stream
// without any document gives a tree whose root is NULL. The tree borrows
// `text`, which must outlive it.
sr_err_t lang_tree_parse(const char *text, size_t len,
                         const lang_limits_t *limits, lang_tree_t **out,
                         lang_diags_t *diags);
void lang_tree_destroy(lang_tree_t **yaml_p);
const lang_node_t *lang_tree_root(const lang_tree_t *yaml);
// 1-based position of a byte offset of the source.
lang_pos_t lang_tree_pos(const lang_tree_t *yaml, size_t offset);

// The limits with zero fields replaced by their defaults.
lang_limits_t lang_limits_resolve(const lang_limits_t *limits);

// Map helpers. Entries count, key node and value node of entry i.
size_t lang_node_map_len(const lang_node_t *map);
const lang_node_t *lang_node_map_key(const lang_node_t *map, size_t i);
const lang_node_t *lang_node_map_val(const lang_node_t *map, size_t i);
// Value node of `key`, or NULL (also when `map` is not a map).
const lang_node_t *lang_node_map_get(const lang_node_t *map, const char *key);
// True for a scalar whose value is a string.
bool lang_node_is_str(const lang_node_t *node);

#endif
