// Heartbeat bookkeeping. Owns a dense array of peers (scanned by due and
// expire) and an open-addressing index over it (for touch and sent, which
// run on every message). Removal swaps the last peer into the hole and
// rebuilds the index: peers come and go rarely, messages flow constantly.
// No clock, no sockets; one thread.
#include "sr_heartbeat.h"

#include <stdlib.h>
#include <string.h>

#define S_INDEX_MIN 16 // slots of the smallest index; a power of two

typedef struct {
    int64_t heard_ms; // last message from the peer
    int64_t sent_ms;  // last message to the peer
    uint32_t hash;
    uint8_t len;
    uint8_t key[SR_HEARTBEAT_KEY_MAX];
} s_peer_t;

struct sr_heartbeat {
    int64_t interval_ms;
    int64_t expiry_ms;
    s_peer_t *peers; // owned; dense
    size_t count, cap;
    uint32_t *index; // owned; slot -> peer position + 1, 0 = empty
    size_t slots;    // power of two, > 2 * count
};

static uint32_t
s_hash(const void *key, size_t len)
{
    const uint8_t *p = key;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

// Index slot holding `key`, or the empty slot where it would go.
static size_t
s_probe(const sr_heartbeat_t *hb, const void *key, size_t len, uint32_t hash)
{
    size_t mask = hb->slots - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        uint32_t at = hb->index[i];
        if (!at)
            return i;
        const s_peer_t *p = &hb->peers[at - 1];
        if (p->hash == hash && p->len == len && memcmp(p->key, key, len) == 0)
            return i;
    }
}

static s_peer_t *
s_find(const sr_heartbeat_t *hb, const void *key, size_t len)
{
    if (len == 0 || len > SR_HEARTBEAT_KEY_MAX)
        return NULL;
    uint32_t at = hb->index[s_probe(hb, key, len, s_hash(key, len))];
    return at ? &hb->peers[at - 1] : NULL;
}

// Rebuild the index with `slots` slots (a power of two > 2 * count).
static sr_err_t
s_reindex(sr_heartbeat_t *hb, size_t slots)
{
    uint32_t *index = calloc(slots, sizeof *index);
    if (!index)
        return SR_ENOMEM;
    free(hb->index);
    hb->index = index;
    hb->slots = slots;
    for (size_t i = 0; i < hb->count; i++) {
        const s_peer_t *p = &hb->peers[i];
        hb->index[s_probe(hb, p->key, p->len, p->hash)] = (uint32_t)(i + 1);
    }
    return SR_OK;
}

sr_heartbeat_t *
sr_heartbeat_new(int64_t interval_ms, int64_t expiry_ms)
{
    if (interval_ms <= 0 || expiry_ms <= 0)
        return NULL;
    sr_heartbeat_t *hb = calloc(1, sizeof *hb);
    if (!hb)
        return NULL;
    hb->interval_ms = interval_ms;
    hb->expiry_ms = expiry_ms;
    if (s_reindex(hb, S_INDEX_MIN) != SR_OK) {
        free(hb);
        return NULL;
    }
    return hb;
}

void
sr_heartbeat_destroy(sr_heartbeat_t **hb_p)
{
    if (!hb_p || !*hb_p)
        return;
    free((*hb_p)->peers);
    free((*hb_p)->index);
    free(*hb_p);
    *hb_p = NULL;
}

static sr_err_t
s_add(sr_heartbeat_t *hb, const void *key, size_t len, int64_t now_ms)
{
    if (hb->count == hb->cap) {
        size_t cap = hb->cap ? hb->cap * 2 : 8;
        s_peer_t *peers = realloc(hb->peers, cap * sizeof *peers);
        if (!peers)
            return SR_ENOMEM;
        hb->peers = peers;
        hb->cap = cap;
    }
    if (2 * (hb->count + 1) >= hb->slots &&
        s_reindex(hb, hb->slots * 2) != SR_OK)
        return SR_ENOMEM;
    s_peer_t *p = &hb->peers[hb->count];
    p->heard_ms = p->sent_ms = now_ms;
    p->hash = s_hash(key, len);
    p->len = (uint8_t)len;
    memcpy(p->key, key, len);
    hb->index[s_probe(hb, key, len, p->hash)] = (uint32_t)(++hb->count);
    return SR_OK;
}

sr_err_t
sr_heartbeat_touch(sr_heartbeat_t *hb, const void *key, size_t len,
                   int64_t now_ms)
{
    if (len == 0 || len > SR_HEARTBEAT_KEY_MAX)
        return SR_EINVAL;
    s_peer_t *p = s_find(hb, key, len);
    if (!p)
        return s_add(hb, key, len, now_ms);
    p->heard_ms = now_ms;
    return SR_OK;
}

void
sr_heartbeat_sent(sr_heartbeat_t *hb, const void *key, size_t len,
                  int64_t now_ms)
{
    s_peer_t *p = s_find(hb, key, len);
    if (p)
        p->sent_ms = now_ms;
}

// Remove the peer at position i (swap with the last); the index must be
// rebuilt afterwards.
static void
s_drop(sr_heartbeat_t *hb, size_t i)
{
    hb->count--;
    if (i != hb->count)
        hb->peers[i] = hb->peers[hb->count];
}

// Rebuild the index after removals, at the same size (no allocation, so
// removal cannot fail).
static void
s_reindex_in_place(sr_heartbeat_t *hb)
{
    memset(hb->index, 0, hb->slots * sizeof *hb->index);
    for (size_t i = 0; i < hb->count; i++) {
        const s_peer_t *p = &hb->peers[i];
        hb->index[s_probe(hb, p->key, p->len, p->hash)] = (uint32_t)(i + 1);
    }
}

bool
sr_heartbeat_remove(sr_heartbeat_t *hb, const void *key, size_t len)
{
    s_peer_t *p = s_find(hb, key, len);
    if (!p)
        return false;
    s_drop(hb, (size_t)(p - hb->peers));
    s_reindex_in_place(hb);
    return true;
}

bool
sr_heartbeat_has(const sr_heartbeat_t *hb, const void *key, size_t len)
{
    return s_find(hb, key, len) != NULL;
}

size_t
sr_heartbeat_size(const sr_heartbeat_t *hb)
{
    return hb->count;
}

size_t
sr_heartbeat_due(sr_heartbeat_t *hb, int64_t now_ms, sr_heartbeat_fn *fn,
                 void *arg)
{
    size_t n = 0;
    for (size_t i = 0; i < hb->count; i++) {
        s_peer_t *p = &hb->peers[i];
        if (now_ms - p->sent_ms < hb->interval_ms)
            continue;
        if (fn)
            fn(p->key, p->len, arg);
        p->sent_ms = now_ms;
        n++;
    }
    return n;
}

size_t
sr_heartbeat_expire(sr_heartbeat_t *hb, int64_t now_ms, sr_heartbeat_fn *fn,
                    void *arg)
{
    size_t n = 0;
    for (size_t i = 0; i < hb->count;) {
        s_peer_t *p = &hb->peers[i];
        if (now_ms - p->heard_ms < hb->expiry_ms) {
            i++;
            continue;
        }
        if (fn)
            fn(p->key, p->len, arg);
        s_drop(hb, i); // the last peer moves to i: look at i again
        n++;
    }
    if (n)
        s_reindex_in_place(hb);
    return n;
}

int64_t
sr_heartbeat_next_ms(const sr_heartbeat_t *hb)
{
    int64_t next = INT64_MAX;
    for (size_t i = 0; i < hb->count; i++) {
        const s_peer_t *p = &hb->peers[i];
        int64_t due = p->sent_ms + hb->interval_ms;
        int64_t expiry = p->heard_ms + hb->expiry_ms;
        if (due < next)
            next = due;
        if (expiry < next)
            next = expiry;
    }
    return next;
}
