// Data flow: the context expressions see, Mistral's engine functions
// (task, tasks, execution, env, global), context versioning, and evaluation
// of the workflow's templates with errors worded as Mistral words them.
#ifndef CORE_CTX_H
#define CORE_CTX_H

#include "core_run.h"

// Evaluate `vt` for `exec` (and `task`, when the expression belongs to a
// task; NULL for workflow-level expressions), with `extra` (a map, e.g. the
// with-items variables; may be NULL) on top of the task's inbound context.
// `final_ctx` (may be NULL) replaces the task context for workflow output.
// A NULL `vt` evaluates to `dflt` (a reference is taken; may be NULL).
// SR_EEXPR: the expression failed; r->err holds Mistral's message.
sr_err_t core_eval(core_run_t *r, core_exec_t *exec, core_task_t *task,
                   const sr_value_t *extra, const sr_value_t *final_ctx,
                   const lang_vt_t *vt, sr_value_t *dflt, sr_value_t **out);

// Evaluate a condition (NULL = true) to its truth.
sr_err_t core_eval_bool(core_run_t *r, core_exec_t *exec, core_task_t *task,
                        const lang_vt_t *vt, bool dflt, bool *out);

// Evaluate to a number of seconds (policies); negative and non-numbers are
// errors naming `what`.
sr_err_t core_eval_seconds(core_run_t *r, core_exec_t *exec, core_task_t *task,
                           const lang_vt_t *vt, const char *what, double *out);

// The task's outbound context: inbound context updated with published.
// Caller owns the result.
sr_value_t *core_ctx_outbound(const core_task_t *task);

// Versions for the outbound context: in_ver with every published leaf
// bumped (Mistral's context versioning). Caller owns the result.
sr_value_t *core_ver_outbound(const core_task_t *task);
// Bump the versions of every leaf of `published` in `ver` (unshared map).
sr_err_t core_ver_bump(sr_value_t *ver, const sr_value_t *published);

// Merge `right` into `*left` (both maps; *left unshared as needed) keeping
// for each leaf the value with the higher version; versions merge by max.
sr_err_t core_ver_merge(sr_value_t **left, sr_value_t **left_ver,
                        const sr_value_t *right, const sr_value_t *right_ver);

// The map task(name) returns for a task execution; `wf` (may be NULL: spec
// null) is the workflow it belongs to. Caller owns it.
sr_value_t *core_task_dict(const core_task_t *task, const lang_workflow_t *wf);

// The target task of a reverse workflow (params: task_name) as a spec
// index; SR_EINVAL with r->err saying why when there is none.
sr_err_t core_ctx_target(core_run_t *r, const core_exec_t *exec,
                         const lang_workflow_t *wf, int *out);

// The final context: the merged outbound contexts of the end tasks
// (direct: every completed task that led nowhere; reverse: the target).
// Caller owns the result.
sr_err_t core_ctx_final(core_run_t *r, core_exec_t *exec, sr_value_t **out);

#endif
