// The dispatch queue: TASKs made from the committed DISPATCH commands,
// in order, each waiting until a worker that offers its action in its
// target group has a free slot; offered to the worker sessions after
// every batch and whenever the loop is idle (credit-based dispatch: a
// worker never gets more TASKs than its free slots).
//
// Owns the TASKs waiting. Knows no session: the worker sessions given at
// creation pick the worker and send.
//
// Thread rule: the engine loop's thread.
#ifndef ENG_DISPATCH_H
#define ENG_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "eng_workers.h"
#include "sr_err.h"

typedef struct eng_dispatch eng_dispatch_t;

// An empty queue offering to `workers` (borrowed: it must outlive the
// queue). NULL when out of memory.
eng_dispatch_t *eng_dispatch_new(eng_workers_t *workers);
// Drop every TASK waiting. NULL-safe; sets *self_p to NULL.
void eng_dispatch_destroy(eng_dispatch_t **self_p);

// The TASK of a committed DISPATCH command of a partition in `epoch`, at
// the end of the queue. SR_ENOMEM only (nothing queued).
sr_err_t eng_dispatch_add(eng_dispatch_t *self, const core_cmd_t *cmd,
                          uint64_t epoch);
// Offer every TASK waiting, in order; those no worker takes stay.
void eng_dispatch_send(eng_dispatch_t *self);
// TASKs waiting.
size_t eng_dispatch_count(const eng_dispatch_t *self);
// Forget the TASKs of `partition` (this engine stopped serving it; its
// new leader offers its actions again). Returns how many.
size_t eng_dispatch_drop(eng_dispatch_t *self, uint16_t partition);

#endif
