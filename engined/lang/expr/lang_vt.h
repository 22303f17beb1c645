// Value templates: a YAML value (scalar, list or map) in which string leaves
// may hold expressions, e.g. a task's `input`, `publish` or `output`.
// Subtrees without expressions are kept as ready constants, so evaluating
// them costs one reference count.
//
// Ownership: built by the loader, owned by the lang_doc_t, immutable after.
#ifndef LANG_VT_H
#define LANG_VT_H

#include <stdbool.h>

#include "lang_expr.h"
#include "sr_err.h"
#include "sr_value.h"

typedef struct lang_vt lang_vt_t;

// Build from a constant value (a reference is taken). A list or map gets
// constant children too, so len/key/at work on it. NULL on OOM.
lang_vt_t *lang_vt_new_const(sr_value_t *value);
// Build from a compiled template (ownership moves in; *tmpl_p set to NULL).
lang_vt_t *lang_vt_new_tmpl(lang_tmpl_t **tmpl_p);
// Containers; children move in with the append/put calls (on failure the
// caller keeps the child). Putting an existing key replaces its value in
// place.
lang_vt_t *lang_vt_new_list(void);
lang_vt_t *lang_vt_new_map(void);
sr_err_t lang_vt_list_append(lang_vt_t *list, lang_vt_t **item_p);
sr_err_t lang_vt_map_put(lang_vt_t *map, const char *key, lang_vt_t **val_p);
// Build from data that may hold expressions in its strings (e.g. an
// execution's env): maps and lists are walked, strings compiled. SR_EEXPR
// with `err` filled when a string does not compile. Sealed. Caller owns
// *out.
sr_err_t lang_vt_from_value(const sr_value_t *value, lang_vt_t **out,
                            sr_error_t *err);
// Collapse constant subtrees into constants (call once when built).
sr_err_t lang_vt_seal(lang_vt_t *vt);
void lang_vt_destroy(lang_vt_t **vt_p);

// Evaluate; caller owns *out. Constants are returned by reference (the
// reference count is not atomic: evaluate one document from one thread at
// a time, or duplicate the result).
sr_err_t lang_vt_eval(const lang_vt_t *vt, const lang_eval_ctx_t *ctx,
                      sr_value_t **out, sr_error_t *err);

// The value when the template is constant (borrowed), else NULL.
const sr_value_t *lang_vt_const(const lang_vt_t *vt);
// For maps: number of entries and their keys (borrowed), in source order,
// and the template of one entry. Lists: count and item. Else 0 / NULL.
size_t lang_vt_len(const lang_vt_t *vt);
const char *lang_vt_key(const lang_vt_t *vt, size_t i);
const lang_vt_t *lang_vt_at(const lang_vt_t *vt, size_t i);
bool lang_vt_is_map(const lang_vt_t *vt);
// The first expression's source text, for messages (borrowed; may be NULL).
const char *lang_vt_text(const lang_vt_t *vt);

// Added by the loader:
// True for a list (also a sealed constant one); lang_vt_is_map's sibling.
bool lang_vt_is_list(const lang_vt_t *vt);
// The compiled template of a single-template vt (borrowed), else NULL.
const lang_tmpl_t *lang_vt_tmpl(const lang_vt_t *vt);
// The value as written in the file: constants as they are, each template
// replaced by its source text (for tooling: `sirocco validate --json`).
// Caller owns *out.
sr_err_t lang_vt_source(const lang_vt_t *vt, sr_value_t **out);

#endif
