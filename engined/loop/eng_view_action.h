// Reply bodies added by protocol 1.2, read from committed state: one task
// execution by id (TASK_GET), action executions (ACTION_LIST, paged and
// filtered by execution or task) and one by id (ACTION_GET).
//
// Owns nothing beyond each call; changes nothing. Caller owns *out, which
// is written only on success.
//
// Thread rule: the engine loop's thread (the partitions' owner).
#ifndef ENG_VIEW_ACTION_H
#define ENG_VIEW_ACTION_H

#include "eng_part.h"
#include "sr_msg.h"
#include "sr_value.h"

sr_err_t eng_view_task_get(const eng_parts_t *parts, const sr_msg_t *req,
                           sr_value_t **out, sr_error_t *err);
sr_err_t eng_view_actions(const eng_parts_t *parts, const sr_msg_t *req,
                          sr_value_t **out, sr_error_t *err);
sr_err_t eng_view_action(const eng_parts_t *parts, const sr_id_t *id,
                         sr_value_t **out, sr_error_t *err);

#endif
