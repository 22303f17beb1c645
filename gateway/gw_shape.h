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
// Every function returns a new map (caller owns it) or NULL on OOM.
// Pure; reentrant.
#ifndef GW_SHAPE_H
#define GW_SHAPE_H

#include <stdbool.h>
#include <stddef.h>

#include "sr_err.h"
#include "sr_id.h"
#include "sr_value.h"

#define GW_PROJECT "<default-project>"

// The UUID of workflow `name` (text, 36 characters + NUL).
void gw_shape_workflow_id(const char *name, char out[SR_ID_TEXT_SIZE]);

sr_value_t *gw_shape_execution(const sr_value_t *ex);
// `wf_name` is the workflow of the task's execution (may be NULL).
sr_value_t *gw_shape_task(const sr_value_t *task, const char *wf_name);
sr_value_t *gw_shape_action(const sr_value_t *action, const char *wf_name);

// The workflows of a definition (YAML text) as Mistral resources: all of
// them, or only `name` (NULL = all). With `with_definition`, each carries
// the text. SR_EINVAL with "definition:LINE:COL: ..." lines when the text
// does not load. Caller owns *out (an array).
sr_err_t gw_shape_workflows(const char *text, size_t len, const char *name,
                            bool with_definition, sr_value_t **out,
                            sr_error_t *err);

#endif
