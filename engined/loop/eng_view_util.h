// Small helpers shared by the reply bodies (eng_view.c,
// eng_view_action.c): a value put as a map that is never nil, and the
// read transaction on the partition of an id. Bodies are built with the
// table's builder (sr_body.h). No state.
// Thread rule: the partitions' thread (the engine loop's).
#ifndef ENG_VIEW_UTIL_H
#define ENG_VIEW_UTIL_H

#include "core.h"
#include "eng_part.h"
#include "sr_body.h"
#include "sr_value.h"
#include "store_part.h"

// Put a new reference to `v` under `f`, or an empty map for NULL.
sr_err_t eng_vmap(sr_body_t *b, sr_bfield_t f, sr_value_t *v);
// A read transaction on the partition of `id`; EUNAVAIL naming `field`
// and the owner when this engine does not hold it.
sr_err_t eng_vreader(const eng_parts_t *parts, const sr_id_t *id,
                     const char *field, store_txn_t **txn, sr_error_t *err);

#endif
