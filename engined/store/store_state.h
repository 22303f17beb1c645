// The core's state interface (core_state.h) over one write transaction of a
// partition, with a per-batch cache: records are decoded once, changed in
// place by the core and encoded once at store_state_flush().
//
// Thread rule: one store_state per write transaction, the loop's thread.
#ifndef STORE_STATE_H
#define STORE_STATE_H

#include "core_state.h"
#include "store_docs.h"
#include "store_part.h"

typedef struct store_state store_state_t;

// Wrap `txn` (borrowed; must outlive the state) and the engine's document
// cache (borrowed). Caller owns the result; NULL on OOM.
store_state_t *store_state_new(store_txn_t *txn, store_docs_t *docs);
// Write every dirty record into the transaction. Call before commit.
sr_err_t store_state_flush(store_state_t *st, sr_error_t *err);
// Drop the cache (after commit or abort).
void store_state_destroy(store_state_t **st_p);
// The core's view of this state.
core_state_t *store_state_core(store_state_t *st);
// The first error an op met that the core's interface could not carry
// (e.g. a failed write inside *_dirty); SR_OK when none.
sr_err_t store_state_error(const store_state_t *st, sr_error_t *err);

#endif
