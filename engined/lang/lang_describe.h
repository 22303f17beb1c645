// A loaded document as plain data for tooling (`sirocco validate --json`):
// workflows with their type, inputs and defaults, tasks with action or
// workflow, transitions (conditions as written), requires, join,
// with-items, policies and inbound transitions; and ad-hoc actions.
// Templates appear as their source text. And a workflow's input as
// Mistral's API shows it, which the engine sends in its WORKFLOW bodies.
// Reentrant.
#ifndef LANG_DESCRIBE_H
#define LANG_DESCRIBE_H

#include "lang_spec.h"
#include "sr_value.h"

// Caller owns *out (a map). SR_ENOMEM when memory runs out.
sr_err_t lang_doc_describe(const lang_doc_t *doc, sr_value_t **out);

// The input parameters of `wf` as one line of text, as Mistral's API shows
// a workflow's `input`: "a, b=1, c=text, d=[1, 2]" (a default string as
// written, a template as its source, any other default as JSON); "" when
// there are none. Caller owns *out (a string value). SR_ENOMEM when memory
// runs out.
sr_err_t lang_workflow_input_text(const lang_workflow_t *wf, sr_value_t **out);

#endif
