// Which sockets are counted, and into which counters (sr_wire_count.h):
// one table for the process, because a czmq socket has no room for a
// counter of ours. Every sr_wire_send and sr_wire_recv looks its socket
// up here, so the lookup takes no lock: a slot's socket is published with
// a release store after its counter, and a thread only ever finds its own
// sockets, whose slots no other thread changes while it uses them. A
// process that counts nothing pays one atomic load per message. Writers
// (attach, detach) take the lock.
#include "sr_wire_count.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

typedef struct {
    _Atomic(const zsock_t *) sock; // NULL: a free slot
    sr_wire_count_t *_Atomic count;
} s_slot_t;

static s_slot_t s_slots[SR_WIRE_COUNT_MAX];
static atomic_size_t s_used; // slots ever used: lookups scan these
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;

static s_slot_t *
s_find(const zsock_t *sock)
{
    size_t n = atomic_load_explicit(&s_used, memory_order_acquire);
    for (size_t i = 0; i < n; i++)
        if (atomic_load_explicit(&s_slots[i].sock, memory_order_acquire) ==
            sock)
            return &s_slots[i];
    return NULL;
}

sr_err_t
sr_wire_count_attach(zsock_t *sock, sr_wire_count_t *count, sr_error_t *err)
{
    sr_err_t rc = SR_OK;
    pthread_mutex_lock(&s_lock);
    size_t n = atomic_load_explicit(&s_used, memory_order_relaxed);
    s_slot_t *free_slot = NULL;
    for (size_t i = 0; i < n && !free_slot; i++)
        if (!atomic_load_explicit(&s_slots[i].sock, memory_order_relaxed))
            free_slot = &s_slots[i];
    if (s_find(sock))
        rc = sr_error_set(err, SR_EINVAL, "the socket is counted already");
    else if (!free_slot && n == SR_WIRE_COUNT_MAX)
        rc = sr_error_set(err, SR_ENOMEM,
                          "%d sockets are counted already, the most a "
                          "process counts",
                          SR_WIRE_COUNT_MAX);
    if (!rc) {
        bool is_new = !free_slot;
        s_slot_t *slot = is_new ? &s_slots[n] : free_slot;
        atomic_store_explicit(&slot->count, count, memory_order_relaxed);
        atomic_store_explicit(&slot->sock, sock, memory_order_release);
        if (is_new)
            atomic_store_explicit(&s_used, n + 1, memory_order_release);
    }
    pthread_mutex_unlock(&s_lock);
    return rc;
}

void
sr_wire_count_detach(zsock_t *sock)
{
    if (!sock)
        return;
    pthread_mutex_lock(&s_lock);
    s_slot_t *slot = s_find(sock);
    if (slot)
        atomic_store_explicit(&slot->sock, NULL, memory_order_release);
    pthread_mutex_unlock(&s_lock);
}

sr_wire_count_t *
sr_wire_count_of(const zsock_t *sock)
{
    s_slot_t *slot = s_find(sock);
    return slot ? atomic_load_explicit(&slot->count, memory_order_relaxed)
                : NULL;
}
