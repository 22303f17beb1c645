// Engine answers (docs/protocol.md reply bodies, ids as text) shaped as
// the resources of Mistral's REST API v2, field for field what
// python-mistralclient reads: executions, task executions, action
// executions and workflows. Mistral's JSON-typed fields (input, output,
// params, published, result) travel as JSON text, as Mistral sends them.
//
// Sirocco has one namespace and no projects: workflow_namespace is "",
// project_id "<default-project>", scope "private". A workflow's id is a
// UUID made from its name (stable across updates). An action's Mistral
// state is RUNNING while Sirocco's is SCHEDULED, RUNNING or PENDING (a
// delegate waiting for its result); `sirocco_state` keeps Sirocco's.
//
// Every function returns a new map or array (caller owns it) or NULL on
// OOM. Pure; reentrant.
#ifndef GW_SHAPE_H
#define GW_SHAPE_H

#include "sr_id.h"
#include "sr_value.h"

#define GW_PROJECT "<default-project>"

// The UUID of workflow `name` (text, 36 characters + NUL).
void gw_shape_workflow_id(const char *name, char out[SR_ID_TEXT_SIZE]);

sr_value_t *gw_shape_execution(const sr_value_t *ex);
// `wf_name` is the workflow of the task's execution (may be NULL).
sr_value_t *gw_shape_task(const sr_value_t *task, const char *wf_name);
sr_value_t *gw_shape_action(const sr_value_t *action, const char *wf_name);

// A workflow of the engine (a WORKFLOW body with its name, input and
// tags) as a Mistral resource; with `definition` (a string; NULL: left
// out) as its text. Without the engine's input (an engine before protocol
// 1.5) `input` is null, and tags are [].
sr_value_t *gw_shape_workflow(const sr_value_t *wf,
                              const sr_value_t *definition);
// Every workflow of `wfs` (an array of WORKFLOW bodies) so, in an array.
sr_value_t *gw_shape_workflows(const sr_value_t *wfs,
                               const sr_value_t *definition);

#endif
