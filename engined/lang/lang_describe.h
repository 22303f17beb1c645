// A loaded document as plain data for tooling (`sirocco validate --json`):
// workflows with their type, inputs and defaults, tasks with action or
// workflow, transitions (conditions as written), requires, join,
// with-items, policies and inbound transitions; and ad-hoc actions.
// Templates appear as their source text. Reentrant.
#ifndef LANG_DESCRIBE_H
#define LANG_DESCRIBE_H

#include "lang_spec.h"
#include "sr_value.h"

// Caller owns *out (a map). SR_ENOMEM when memory runs out.
sr_err_t lang_doc_describe(const lang_doc_t *doc, sr_value_t **out);

#endif
