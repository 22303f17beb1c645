// Whole-workflow checks and derived data, after every task is read: the
// start tasks and inbound transitions of direct workflows, join sanity
// (Mistral's messages), and cycles among the `requires` of reverse
// workflows (the cycle is named).
#ifndef LANG_CHECK_H
#define LANG_CHECK_H

#include <stdbool.h>

#include "lang_ld.h"

// Check `wf` and fill wf->start and every task's inbound list. False after
// a report or on OOM.
bool lang_check_wf(lang_ld_t *ld, lang_workflow_t *wf);

#endif
