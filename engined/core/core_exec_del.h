// Deleting a top-level execution and its whole tree (core_exec_del.c), in
// two steps with the follow-ups of a forced cancel in between (core.c).
#ifndef CORE_EXEC_DEL_H
#define CORE_EXEC_DEL_H

#include "core_run.h"

// Refuse what may not be deleted: SR_ESTATE for a sub-workflow execution,
// and for one that has not finished unless `force`, which cancels it
// (its sub-workflows' follow-ups must reach their parents before
// core_exec_delete).
sr_err_t core_exec_delete_begin(core_run_t *r, core_exec_t *exec, bool force);

// Delete every record of the tree of top-level execution `root`, which
// has finished.
sr_err_t core_exec_delete(core_run_t *r, const sr_id_t *root);

#endif
