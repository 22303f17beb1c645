// A bounded FIFO of values (the client's queued EVENTs): when it is full
// the oldest item goes, and the loss is counted.
//
// Thread rule: a queue belongs to one thread.
#ifndef SR_CLIENT_QUEUE_H
#define SR_CLIENT_QUEUE_H

#include <stddef.h>

#include "sr_value.h"

typedef struct sr_client_queue sr_client_queue_t;

// An empty queue of at most `capacity` (> 0) items. Caller owns it; free
// with sr_client_queue_destroy(). NULL when memory runs out.
sr_client_queue_t *sr_client_queue_new(size_t capacity);
void sr_client_queue_destroy(sr_client_queue_t **q_p);

// Add `v` at the end, CONSUMING it; a NULL `v` counts as one lost item.
// When full, the oldest item is dropped first. Returns false when an
// item was lost.
bool sr_client_queue_push(sr_client_queue_t *q, sr_value_t *v);
// The oldest item (caller owns it), or NULL when empty.
sr_value_t *sr_client_queue_pop(sr_client_queue_t *q);
size_t sr_client_queue_size(const sr_client_queue_t *q);
// Drop every item (not counted as lost).
void sr_client_queue_clear(sr_client_queue_t *q);
// Items lost so far (queue full, or out of memory).
size_t sr_client_queue_lost(const sr_client_queue_t *q);

#endif
