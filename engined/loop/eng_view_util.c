// Builders shared by the reply bodies (see eng_view_util.h).
#include "eng_view_util.h"

#include <stdio.h>

sr_err_t
eng_vmap(sr_body_t *b, sr_bfield_t f, sr_value_t *v)
{
    return sr_body_put(b, f, v ? sr_value_ref(v) : sr_value_new_map(0));
}

sr_err_t
eng_vreader(const eng_parts_t *parts, const sr_id_t *id, const char *field,
            store_txn_t **txn, sr_error_t *err)
{
    size_t pi = 0;
    if (!eng_parts_find(parts, sr_id_partition(id), &pi)) {
        eng_parts_not_here(parts, sr_id_partition(id), err);
        snprintf(err->where, sizeof err->where, "field '%s'", field);
        return SR_EUNAVAIL;
    }
    return store_txn_begin(eng_parts_store(parts, pi), false, txn, err);
}
