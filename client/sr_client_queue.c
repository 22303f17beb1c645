/* A ring buffer of owned values with a fixed capacity, for the events a
 * client receives while it does something else. Losing the oldest item
 * beats growing without bound when nobody reads. Knows nothing of what
 * the values are. Thread rule: one thread.
 */
#include "sr_client_queue.h"

#include <stdbool.h>
#include <stdlib.h>

struct sr_client_queue {
    sr_value_t **items; // capacity slots, owned
    size_t capacity;
    size_t head;  // index of the oldest item
    size_t count; // items held
    size_t lost;  // items dropped or never queued
};

sr_client_queue_t *
sr_client_queue_new(size_t capacity)
{
    if (capacity == 0)
        return NULL;
    sr_client_queue_t *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->items = calloc(capacity, sizeof *q->items);
    if (!q->items) {
        free(q);
        return NULL;
    }
    q->capacity = capacity;
    return q;
}

void
sr_client_queue_destroy(sr_client_queue_t **q_p)
{
    if (!q_p || !*q_p)
        return;
    sr_client_queue_clear(*q_p);
    free((*q_p)->items);
    free(*q_p);
    *q_p = NULL;
}

bool
sr_client_queue_push(sr_client_queue_t *q, sr_value_t *v)
{
    if (!v) {
        q->lost++;
        return false;
    }
    bool is_whole = true;
    if (q->count == q->capacity) {
        sr_value_t *old = sr_client_queue_pop(q);
        sr_value_destroy(&old);
        q->lost++;
        is_whole = false;
    }
    q->items[(q->head + q->count) % q->capacity] = v;
    q->count++;
    return is_whole;
}

sr_value_t *
sr_client_queue_pop(sr_client_queue_t *q)
{
    if (q->count == 0)
        return NULL;
    sr_value_t *v = q->items[q->head];
    q->items[q->head] = NULL;
    q->head = (q->head + 1) % q->capacity;
    q->count--;
    return v;
}

size_t
sr_client_queue_size(const sr_client_queue_t *q)
{
    return q->count;
}

void
sr_client_queue_clear(sr_client_queue_t *q)
{
    for (sr_value_t *v; (v = sr_client_queue_pop(q)) != NULL;)
        sr_value_destroy(&v);
    q->head = 0;
}

size_t
sr_client_queue_lost(const sr_client_queue_t *q)
{
    return q->lost;
}
