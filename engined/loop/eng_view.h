// Reply bodies read from committed state, each in its own read
// transaction on the partitions held: an execution, the executions of
// every partition (EX_LIST), an execution's task executions, and the
// workflows of the catalog (every partition holds it; partition 0's is
// read). A request about a partition held elsewhere gets SR_EUNAVAIL
// naming its owner.
//
// Owns nothing beyond each call; changes nothing. Caller owns *out, which
// is written only on success.
//
// Thread rule: the engine loop's thread (the partitions' owner).
#ifndef ENG_VIEW_H
#define ENG_VIEW_H

#include "core.h"
#include "eng_part.h"
#include "sr_msg.h"
#include "sr_value.h"

sr_err_t eng_view_exec(const eng_parts_t *parts, const sr_id_t *id,
                       sr_value_t **out, sr_error_t *err);
// EX_LIST: top-level executions, filtered and paged as `req` asks.
sr_err_t eng_view_exec_list(const eng_parts_t *parts, const sr_msg_t *req,
                            sr_value_t **out, sr_error_t *err);
sr_err_t eng_view_tasks(const eng_parts_t *parts, const sr_id_t *id,
                        sr_value_t **out, sr_error_t *err);
sr_err_t eng_view_workflow(const eng_parts_t *parts, const char *name,
                           sr_value_t **out, sr_error_t *err);
sr_err_t eng_view_workflow_list(const eng_parts_t *parts, sr_value_t **out,
                                sr_error_t *err);
// A task execution as a reply body; NULL on OOM.
sr_value_t *eng_view_task_body(const core_task_t *t);

#endif
