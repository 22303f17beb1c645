// The messages a loop sends one peer in a turn (sr_wire_batch.h): each
// encoded as it is added, kept in order, and sent at the flush as itself,
// or several together as BATCH messages built through the message table
// (a BATCH is an ordinary message whose items are encoded messages). Owns
// the encoded bytes until they leave; borrows the socket at the flush.
#include "sr_wire_batch.h"

#include <stdlib.h>
#include <string.h>

#include "sr_msg_codec.h"

// Bytes of a BATCH besides its items' bytes: the envelope
// [1, minor, "BATCH", {"messages": [...]}] takes under 32, each item's
// binary header at most 5.
#define S_ENVELOPE_BYTES 32
#define S_ITEM_BYTES     5

typedef struct {
    char *buf; // owned (malloc'd by sr_msg_encode); NULL once sent
    size_t len;
    sr_msg_type_t type;
} s_item_t;

struct sr_wire_batch {
    s_item_t *items; // owned, n in use
    size_t n, cap;
};

sr_wire_batch_t *
sr_wire_batch_new(void)
{
    return calloc(1, sizeof(sr_wire_batch_t));
}

void
sr_wire_batch_destroy(sr_wire_batch_t **self_p)
{
    sr_wire_batch_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    sr_wire_batch_clear(self);
    free(self->items);
    free(self);
    *self_p = NULL;
}

sr_err_t
sr_wire_batch_add(sr_wire_batch_t *self, const sr_msg_t *m, sr_error_t *err)
{
    if (self->n == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 16;
        s_item_t *items = realloc(self->items, cap * sizeof *items);
        if (!items)
            return sr_error_set(err, SR_ENOMEM, "%s: out of memory",
                                sr_msg_type_name(sr_msg_type(m)));
        self->items = items;
        self->cap = cap;
    }
    s_item_t *it = &self->items[self->n];
    sr_err_t rc = sr_msg_encode(m, &it->buf, &it->len, err);
    if (rc)
        return rc;
    it->type = sr_msg_type(m);
    self->n++;
    return SR_OK;
}

size_t
sr_wire_batch_count(const sr_wire_batch_t *self)
{
    return self->n;
}

void
sr_wire_batch_clear(sr_wire_batch_t *self)
{
    for (size_t i = 0; i < self->n; i++)
        free(self->items[i].buf);
    self->n = 0;
}

bool
sr_wire_batch_understood(uint32_t minor)
{
    return minor >= SR_WIRE_BATCH_MINOR;
}

// The end of the frame that starts at item `from`: as many items as the
// count and byte limits allow, at least one.
static size_t
s_frame_end(const sr_wire_batch_t *self, size_t from, size_t max_bytes)
{
    size_t bytes = S_ENVELOPE_BYTES, to = from;
    while (to < self->n && to - from < SR_WIRE_BATCH_MAX) {
        bytes += self->items[to].len + S_ITEM_BYTES;
        if (bytes > max_bytes && to > from)
            break;
        to++;
    }
    return to;
}

// Items [from, to) as one BATCH message.
static sr_err_t
s_send_batch(sr_wire_batch_t *self, size_t from, size_t to, zsock_t *sock,
             const sr_wire_peer_t *peer, sr_error_t *err)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_BATCH);
    sr_value_t *list = m ? sr_value_new_array(to - from) : NULL;
    for (size_t i = from; list && i < to; i++)
        if (sr_value_array_append(
                list, sr_value_new_bin(self->items[i].buf, self->items[i].len)))
            sr_value_destroy(&list);
    sr_err_t rc;
    if (!list || sr_msg_set(m, SR_F_BATCH_messages, list)) // takes list
        rc = sr_error_set(err, SR_ENOMEM, "BATCH: out of memory");
    else
        rc = sr_wire_send(sock, peer, m, err);
    sr_msg_destroy(&m);
    return rc;
}

sr_err_t
sr_wire_batch_flush(sr_wire_batch_t *self, zsock_t *sock,
                    const sr_wire_peer_t *peer, bool use_batch,
                    const sr_limits_t *limits, size_t *frames, sr_error_t *err)
{
    size_t max_bytes = sr_limits_resolve(limits).max_bytes, sent = 0;
    sr_err_t first = SR_OK;
    for (size_t from = 0, to; from < self->n; from = to) {
        to = use_batch ? s_frame_end(self, from, max_bytes) : from + 1;
        sr_error_t e;
        s_item_t *it = &self->items[from];
        sr_err_t rc =
            to - from > 1
                ? s_send_batch(self, from, to, sock, peer, &e)
                : sr_wire_send_encoded(sock, peer, &it->buf, it->len,
                                       sr_msg_type_name(it->type), &e);
        if (rc == SR_OK)
            sent++;
        else if (first == SR_OK) {
            first = rc;
            if (err)
                *err = e;
        }
    }
    sr_wire_batch_clear(self);
    if (frames)
        *frames = sent;
    return first;
}
