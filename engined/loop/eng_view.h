// Reply bodies read from committed state, each in its own read
// transaction on the partitions held: an execution, the executions of
// every partition (EX_LIST), an execution's task executions, and the
// workflows of the catalog (every partition holds it; partition 0's is
// read), described from their loaded definitions (input and tags). A
// request about a partition held elsewhere gets SR_EUNAVAIL naming its
// owner.
//
// Owns nothing beyond each call; changes no state (a definition read to
// describe a workflow may enter the borrowed document cache). Caller owns
// *out, which is written only on success.
//
// Thread rule: the engine loop's thread (the partitions' owner).
#ifndef ENG_VIEW_H
#define ENG_VIEW_H

#include "core.h"
#include "eng_part.h"
#include "lang_doc.h"
#include "sr_body.h"
#include "sr_msg.h"
#include "sr_value.h"
#include "store_docs.h"

sr_err_t eng_view_exec(const eng_parts_t *parts, const sr_id_t *id,
                       sr_value_t **out, sr_error_t *err);
// EX_LIST: top-level executions, filtered and paged as `req` asks.
sr_err_t eng_view_exec_list(const eng_parts_t *parts, const sr_msg_t *req,
                            sr_value_t **out, sr_error_t *err);
sr_err_t eng_view_tasks(const eng_parts_t *parts, const sr_id_t *id,
                        sr_value_t **out, sr_error_t *err);
// The newest hash of workflow `name` (into hash[65]); SR_ENOTFOUND naming
// it, for field 'name'.
sr_err_t eng_view_workflow_hash(const eng_parts_t *parts, const char *name,
                                char hash[65], sr_error_t *err);
// WF_GET's body: the workflow described, with its definition; `docs` is
// the document cache its definition is loaded through.
sr_err_t eng_view_workflow(const eng_parts_t *parts, store_docs_t *docs,
                           const char *name, sr_value_t **out, sr_error_t *err);
// WF_LIST's body: each workflow's name and version, and with `docs` (the
// document cache, NULL for names and versions only) described with its
// input and tags (WF_LIST's describe).
sr_err_t eng_view_workflow_list(const eng_parts_t *parts, store_docs_t *docs,
                                sr_value_t **out, sr_error_t *err);
// Start in `b` the WORKFLOW body of `wf` of `doc`: name, version, input
// (Mistral's line) and tags; the caller may put more, then takes it.
void eng_view_wf_describe(sr_body_t *b, const lang_doc_t *doc,
                          const lang_workflow_t *wf);
// A task execution as a reply body; NULL on OOM.
sr_value_t *eng_view_task_body(const core_task_t *t);

#endif
