// Stored records as the store reads them back: values decoded with the
// store's own limits (its own data: large and deep allowed), and the
// records of executions, task executions and action executions made from
// them (core_rec.h) and freed by kind, for the rooms that handle records
// of any kind (the state cache, the typed reads).
//
// Private to engined/store (tests/check_repo.sh). Pure functions; any
// thread.
#ifndef STORE_REC_H
#define STORE_REC_H

#include <stddef.h>

#include "core_rec.h"
#include "sr_err.h"
#include "sr_value.h"

typedef enum {
    STORE_REC_EXEC = 1, // core_exec_t
    STORE_REC_TASK,     // core_task_t
    STORE_REC_ACTION,   // core_action_t
} store_rec_t;

// Decode a stored value. Caller owns *out. SR_ESTORE when unreadable.
sr_err_t store_rec_value(const void *data, size_t len, sr_value_t **out,
                         sr_error_t *err);
// Decode a stored record of `kind` into *rec (caller owns it; free with
// store_rec_free). SR_ESTORE when unreadable.
sr_err_t store_rec_decode(store_rec_t kind, const void *data, size_t len,
                          void **rec, sr_error_t *err);
// Free a record of `kind` (NULL-safe).
void store_rec_free(store_rec_t kind, void *rec);

#endif
