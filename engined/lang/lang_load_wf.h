// One workflow: its keywords (type, description, tags, input, output,
// output-on-error, vars, task-defaults, tasks), its tasks, and the merge of
// task-defaults into every task the way Mistral does it.
#ifndef LANG_LOAD_WF_H
#define LANG_LOAD_WF_H

#include <stdbool.h>

#include "lang_ld.h"

// Read the workflow `name` (key node) whose map is `node` into *out. In a
// workbook (ld->wb set) the full name is "<workbook>.<name>". False after a
// report or on OOM.
bool lang_load_wf(lang_ld_t *ld, const lang_node_t *name,
                  const lang_node_t *node, lang_workflow_t *out);

// Input parameters: a list of names and single-key maps `name: default`
// (shared with ad-hoc actions). False after a report.
bool lang_load_params(lang_ld_t *ld, const lang_node_t *node,
                      lang_param_t **out, size_t *n);

#endif
