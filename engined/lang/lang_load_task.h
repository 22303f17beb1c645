// One task, or the task-defaults section, of a workflow: every task
// keyword of Mistral v2 read into a lang_task_t (the task's own settings;
// lang_load_wf.c merges task-defaults in afterwards).
#ifndef LANG_LOAD_TASK_H
#define LANG_LOAD_TASK_H

#include <stdbool.h>

#include "lang_ld.h"

// Read the task `name` whose map is `node` (is_defaults: the task-defaults
// section, which allows only policies, transitions and requires). The
// workflow's type and task names are in ld. False after a report or OOM;
// *out is filled as far as it could be.
bool lang_load_task(lang_ld_t *ld, const lang_node_t *name,
                    const lang_node_t *node, bool is_defaults,
                    lang_task_t *out);

#endif
