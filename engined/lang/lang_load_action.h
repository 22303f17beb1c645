// Ad-hoc actions of a workbook or file: `base` (with inline parameters
// merged into `base-input`), `base-input`, `input`, `output`,
// `description`, `tags`.
#ifndef LANG_LOAD_ACTION_H
#define LANG_LOAD_ACTION_H

#include <stdbool.h>

#include "lang_ld.h"

// Read the action `name` (key node) whose map is `node` into *out. False
// after a report or on OOM.
bool lang_load_action(lang_ld_t *ld, const lang_node_t *name,
                      const lang_node_t *node, lang_action_t *out);

#endif
