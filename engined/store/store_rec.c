// Stored values and records decoded through proto and core_rec; the one
// place that says how far the store trusts its own bytes.
#include "store_rec.h"

#include "sr_value_msgpack.h"

sr_err_t
store_rec_value(const void *data, size_t len, sr_value_t **out, sr_error_t *err)
{
    sr_limits_t lim = {.max_bytes = (size_t)1 << 31, .max_depth = 256};
    sr_err_t rc = sr_value_decode(data, len, &lim, out, err);
    if (rc)
        return sr_error_set(err, SR_ESTORE, "stored record unreadable: %s",
                            err ? err->msg : "");
    return SR_OK;
}

sr_err_t
store_rec_decode(store_rec_t kind, const void *data, size_t len, void **rec,
                 sr_error_t *err)
{
    sr_value_t *v = NULL;
    sr_err_t rc = store_rec_value(data, len, &v, err);
    if (rc)
        return rc;
    if (kind == STORE_REC_EXEC)
        rc = core_exec_from_value(v, (core_exec_t **)rec, err);
    else if (kind == STORE_REC_TASK)
        rc = core_task_from_value(v, (core_task_t **)rec, err);
    else
        rc = core_action_from_value(v, (core_action_t **)rec, err);
    sr_value_destroy(&v);
    return rc;
}

void
store_rec_free(store_rec_t kind, void *rec)
{
    if (kind == STORE_REC_EXEC) {
        core_exec_t *e = rec;
        core_exec_destroy(&e);
    } else if (kind == STORE_REC_TASK) {
        core_task_t *t = rec;
        core_task_destroy(&t);
    } else if (kind == STORE_REC_ACTION) {
        core_action_t *a = rec;
        core_action_destroy(&a);
    }
}
