// Mistral's execution expiration policy (`expire-after-s`): top-level
// executions finished longer ago than that are deleted, as EX_DELETE does,
// by DELETE operations of the batch, a bounded number per partition and
// pass (see eng_expire.c).
//
// Owns where each partition's next pass reads on and the count of its
// deletions. Reads the partitions; deletes nothing itself: the batch
// applies the operations, and the node tells it each one committed.
//
// Thread rule: the engine loop's thread.
#ifndef ENG_EXPIRE_H
#define ENG_EXPIRE_H

#include <stdint.h>

#include "eng_batch.h"
#include "eng_part.h"

#define ENG_EXPIRE_EVERY_MS 2000

typedef struct eng_expire eng_expire_t;

// The policy over `parts`, giving its operations to `batch` (both
// borrowed: they must outlive it); `after_ms` <= 0: it never deletes.
// NULL when out of memory.
eng_expire_t *eng_expire_new(eng_parts_t *parts, eng_batch_t *batch,
                             int64_t after_ms);
// NULL-safe; sets *self_p to NULL.
void eng_expire_destroy(eng_expire_t **self_p);

// Every ENG_EXPIRE_EVERY_MS: add DELETE operations for the top-level
// executions finished more than `after_ms` before `now_ms`. Failures are
// logged; the next pass tries again.
void eng_expire_due(eng_expire_t *self, int64_t now_ms);

// One of its DELETE operations was committed.
void eng_expire_deleted(eng_expire_t *self);
// Executions deleted by the policy since the start.
uint64_t eng_expire_count(const eng_expire_t *self);

#endif
