// The loading context shared by the loader's rooms (lang_load*.c,
// lang_check.c) and its helpers: reporting problems at a node, keyword
// tables, type checks with Mistral's rules, and value templates built from
// YAML nodes with expression errors placed at FILE:LINE:COL inside the
// scalar. Out of memory is sticky in `oom` so rooms can go on reporting
// and the entry point returns SR_ENOMEM. One thread.
#ifndef LANG_LD_H
#define LANG_LD_H

#include <stdbool.h>
#include <stddef.h>

#include "lang_doc.h"
#include "lang_strtab.h"
#include "lang_tree.h"

typedef struct {
    lang_doc_t *doc;         // being built
    const lang_tree_t *tree; // the parsed YAML
    const char *src;         // the document's copy of the source
    size_t srclen;
    lang_diags_t *diags;
    const char *wb; // workbook name, or NULL
    sr_err_t oom;   // SR_ENOMEM once memory ran out, else SR_OK
    // The workflow being loaded: its type and task names (-> index + 1).
    lang_wf_type_t wf_type;
    const lang_strtab_t *tasks;
} lang_ld_t;

// Report a problem at a node (NULL: no position).
void lang_ld_err(lang_ld_t *ld, const lang_node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void lang_ld_err_pos(lang_ld_t *ld, lang_pos_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
// Record out-of-memory (returns NULL for convenience).
void *lang_ld_oom(lang_ld_t *ld);

// A keyword of a map section; `where` is a bit mask of contexts that allow
// it, `hint` says where it belongs when found elsewhere (or NULL).
typedef struct {
    const char *name;
    unsigned where;
    const char *hint;
} lang_kw_t;

// Sort the entries of `map` into vals[k] / keys[k] by keyword index k of
// `kws` (n entries). Unknown keywords and keywords not allowed in `mask`
// are reported, naming `what` and the allowed keywords. vals and keys must
// hold n entries; absent keywords stay NULL.
void lang_ld_keywords(lang_ld_t *ld, const lang_node_t *map,
                      const lang_kw_t *kws, size_t n, unsigned mask,
                      const char *what, const lang_node_t **vals,
                      const lang_node_t **keys);

// A non-empty string scalar, or NULL after reporting "'what' must be ...".
const char *lang_ld_str(lang_ld_t *ld, const lang_node_t *node,
                        const char *what);
// True for a map; else reports "'what' must be a map".
bool lang_ld_map(lang_ld_t *ld, const lang_node_t *node, const char *what);
// A list of unique non-empty strings (or one string when `one_ok`), copied
// into the document; false after a report (or OOM).
bool lang_ld_strlist(lang_ld_t *ld, const lang_node_t *node, const char *what,
                     bool one_ok, const char ***out, size_t *n);

// True when the node is a string holding exactly one expression.
bool lang_ld_is_expr(const lang_node_t *node);

// Value templates, owned by the caller (NULL after a report or on OOM):
// any node, string leaves compiled;
lang_vt_t *lang_ld_vt(lang_ld_t *ld, const lang_node_t *node);
// the piece text[0..len) found at byte `voff` of the scalar `node`;
lang_vt_t *lang_ld_tmpl(lang_ld_t *ld, const lang_node_t *node, size_t voff,
                        const char *text, size_t len);
// a value whose string leaves are compiled (errors at byte voff of node);
lang_vt_t *lang_ld_value_vt(lang_ld_t *ld, const lang_node_t *node, size_t voff,
                            const sr_value_t *value);
// a non-negative integer or an expression ("'what' must be ...");
lang_vt_t *lang_ld_int_or_expr(lang_ld_t *ld, const lang_node_t *node,
                               const char *what);
// a boolean or an expression.
lang_vt_t *lang_ld_bool_or_expr(lang_ld_t *ld, const lang_node_t *node,
                                const char *what);
// An inline parameter found by lang_inline_parse() in the string `s` of
// `node` (s is node->str, or a key's text): quoted and template values are
// compiled, bare words read as JSON scalars or strings, flow values as JSON
// or YAML flow collections.
struct lang_pspan;
lang_vt_t *lang_ld_param_vt(lang_ld_t *ld, const lang_node_t *node,
                            const char *s, const struct lang_pspan *p);
// Put every parameter of a parse into the map template `map` (replacing
// keys it has; duplicates among the parameters are reported) and seal it.
struct lang_inline;
bool lang_ld_params_into(lang_ld_t *ld, const lang_node_t *node, const char *s,
                         const struct lang_inline *in, lang_vt_t *map);
// Report a failed lang_inline_parse() of `s` at the right column.
void lang_ld_inline_err(lang_ld_t *ld, const lang_node_t *node,
                        const struct lang_inline *in, const char *what);

// Hand a template to the document (NULL-safe); returns it.
lang_vt_t *lang_ld_keep(lang_ld_t *ld, lang_vt_t *vt);

#endif
