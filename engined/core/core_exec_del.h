// Deleting a top-level execution and its whole tree (core_exec_del.c).
#ifndef CORE_EXEC_DEL_H
#define CORE_EXEC_DEL_H

#include "core_run.h"

// Delete a finished top-level execution and everything of its tree.
// SR_ESTATE for a sub-workflow execution, and for one that has not
// finished unless `force` (which cancels it first).
sr_err_t core_exec_delete(core_run_t *r, core_exec_t *exec, bool force);

#endif
