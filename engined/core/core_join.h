// Joins (core_join.c): a join task execution collects the arrivals of its
// inbound tasks and is decided (run, failed, or left waiting) as they end.
// Deciding the waiting joins is a follow-up, CORE_FU_JOINS, pushed after a
// task ended (core_flow.c) and by the completion check to force those that
// can only wait (core_exec_end.c).
#ifndef CORE_JOIN_H
#define CORE_JOIN_H

#include "core_run.h"

// Task `src` reaches join task `target` with its outbound context `out`
// and versions `ver` (borrowed): the join's latest execution collects it,
// or a new one starts collecting; then the join is decided.
sr_err_t core_join_arrive(core_run_t *r, core_exec_t *exec,
                          const lang_workflow_t *wf, core_task_t *src,
                          int target, const sr_value_t *out,
                          const sr_value_t *ver);

// Decide the joins of a running execution that wait (after a task ended;
// `force` turns one that can only wait into an ERROR: nothing left can
// reach it). The decisions left to follow-ups are CORE_FU_JOINS.
sr_err_t core_join_decide(core_run_t *r, core_exec_t *exec, bool force);

// Run a follow-up of this room: CORE_FU_JOINS.
sr_err_t core_join_followup(core_run_t *r, const core_followup_t *fu);

#endif
