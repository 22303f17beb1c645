// The spec of a workflow or task as a constant value template (see
// lang_load_spec.c).
#ifndef LANG_LOAD_SPEC_H
#define LANG_LOAD_SPEC_H

#include "lang_ld.h"

// The map `node` (named by the scalar `name`) as a value with `name` and
// `version` first; kept by the document. NULL when `node` is not a map or
// memory ran out (then recorded in ld->oom).
lang_vt_t *lang_ld_spec(lang_ld_t *ld, const lang_node_t *name,
                        const lang_node_t *node);

#endif
