// Small builders shared by the reply bodies (eng_view.c,
// eng_view_action.c, eng_view_status.c): map entries put, texts, times and
// ids as clients read them, and the read transaction on the partition of
// an id. No state.
// Thread rule: the partitions' thread (the engine loop's).
#ifndef ENG_VIEW_UTIL_H
#define ENG_VIEW_UTIL_H

#include "core.h"
#include "eng_part.h"
#include "sr_value.h"
#include "store_part.h"

// Put `v` (NULL becomes nil) under `k`; the map takes `v`.
sr_err_t eng_vput(sr_value_t *m, const char *k, sr_value_t *v);
// A string, or nil for NULL.
sr_value_t *eng_vtext(const char *s);
// Mistral's "YYYY-MM-DD HH:MM:SS", or nil for 0.
sr_value_t *eng_vtime(int64_t ms);
// An id as UUID text.
sr_value_t *eng_vid(const sr_id_t *id);
// A new reference, or an empty map for NULL.
sr_value_t *eng_vref(sr_value_t *v);
// A read transaction on the partition of `id`; EUNAVAIL naming `field`
// and the owner when this engine does not hold it.
sr_err_t eng_vreader(const eng_parts_t *parts, const sr_id_t *id,
                     const char *field, store_txn_t **txn, sr_error_t *err);

#endif
