// Shapes of the engines' REPLY bodies as the client hands them out: ids
// as UUID text, and lists gathered from several engines merged into one.
// Pure functions on values: no sockets.
//
// Thread rule: values belong to the caller's thread.
#ifndef SR_CLIENT_BODY_H
#define SR_CLIENT_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "sr_body.h"
#include "sr_err.h"
#include "sr_value.h"

// Rewrite, through nested maps and arrays, every 16-byte binary stored
// under a key "id" or ending in "_id" as its 36-character UUID text.
// *v_p is unshared first when it is shared. Errors: SR_ENOMEM.
sr_err_t sr_client_body_norm(sr_value_t **v_p);

// Merge the execution lists of `n` engines (executions or action
// executions: `id` is their shape's id field, SR_B_EXECUTION_id or
// SR_B_ACTION_EXECUTION_id), each the answer to a request for at most
// `limit` items, into one array ordered by (creation time of the id, id),
// an id seen twice kept once, at most `limit` items. Each
// engine returns its first `limit` matches, so these hold every item of
// the first `limit` overall: the result is what one engine owning every
// partition would answer. Items are shared with the inputs (references).
// Caller owns *out. Errors: SR_EPROTO when a
// list is not an array or an item has no valid "id" (the message names
// the engine index and item), SR_ENOMEM.
sr_err_t sr_client_body_merge_executions(sr_value_t *const *lists, size_t n,
                                         size_t limit, sr_bfield_t id,
                                         sr_value_t **out, sr_error_t *err);

// Merge the workflow lists of `n` engines: one item per name (the one
// with the greater created_ms when engines disagree), sorted by name.
// Errors: SR_EPROTO (not an array, an item without a string "name"),
// SR_ENOMEM.
sr_err_t sr_client_body_merge_workflows(sr_value_t *const *lists, size_t n,
                                        sr_value_t **out, sr_error_t *err);

#endif
