// A cancel handle for one running action. The daemon's thread sets it; the
// thread running the action notices at once because the handle carries an
// eventfd that becomes readable (and stays readable) when set, so every wait
// of an action polls it next to its own descriptors.
//
// Thread rule: wrk_cancel_set and wrk_cancel_is_set may be called from any
// thread; new and destroy belong to the owner, who destroys the handle only
// after the action has returned.
#ifndef WRK_CANCEL_H
#define WRK_CANCEL_H

#include <stdbool.h>

#include "sr_err.h"

typedef struct wrk_cancel wrk_cancel_t;

// A handle that is not set. Caller owns *out (wrk_cancel_destroy).
sr_err_t wrk_cancel_new(wrk_cancel_t **out, sr_error_t *err);

// NULL-safe; sets *self_p to NULL.
void wrk_cancel_destroy(wrk_cancel_t **self_p);

// Ask the action to stop. Idempotent; never fails.
void wrk_cancel_set(wrk_cancel_t *self);

// True once set. NULL gives false.
bool wrk_cancel_is_set(const wrk_cancel_t *self);

// Descriptor that polls readable once set (never read it). -1 for NULL.
int wrk_cancel_fd(const wrk_cancel_t *self);

#endif
