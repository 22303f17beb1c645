// Builders shared by the reply bodies (see eng_view_util.h).
#include "eng_view_util.h"

#include <stdio.h>

sr_err_t
eng_vput(sr_value_t *m, const char *k, sr_value_t *v)
{
    return sr_value_map_put(m, k, v ? v : sr_value_new_nil());
}

sr_value_t *
eng_vtext(const char *s)
{
    return s ? sr_value_new_str(s) : sr_value_new_nil();
}

sr_value_t *
eng_vtime(int64_t ms)
{
    if (!ms)
        return sr_value_new_nil();
    char t[20];
    core_format_time(ms, t);
    return sr_value_new_str(t);
}

sr_value_t *
eng_vid(const sr_id_t *id)
{
    char t[SR_ID_TEXT_SIZE];
    return sr_value_new_str(sr_id_format(id, t));
}

sr_value_t *
eng_vref(sr_value_t *v)
{
    return v ? sr_value_ref(v) : sr_value_new_map(0);
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
