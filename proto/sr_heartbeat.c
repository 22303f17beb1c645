// Heartbeat bookkeeping. Owns a dense array of peers (scanned by due and
// expire) and an sr_hash index over it (for touch and sent, which run on
// every message). Removal moves the last peer into the hole. No clock, no
// sockets; one thread.
#include "sr_heartbeat.h"

#include <stdlib.h>
#include <string.h>

#include "sr_hash.h"

typedef struct {
    int64_t heard_ms; // last message from the peer
    int64_t sent_ms;  // last message to the peer
    uint32_t hash;    // sr_hash_bytes of the key
    uint8_t len;
    uint8_t key[SR_HEARTBEAT_KEY_MAX];
} s_peer_t;

struct sr_heartbeat {
    int64_t interval_ms;
    int64_t expiry_ms;
    s_peer_t *peers; // owned; dense
    size_t count, cap;
    sr_hash_t index; // key -> position in peers
};

static bool
s_key_is(const void *arg, size_t pos, const void *key, size_t len)
{
    const s_peer_t *p = (const s_peer_t *)arg + pos;
    return p->len == len && memcmp(p->key, key, len) == 0;
}

static s_peer_t *
s_find(const sr_heartbeat_t *hb, const void *key, size_t len)
{
    if (len == 0 || len > SR_HEARTBEAT_KEY_MAX)
        return NULL;
    size_t at = sr_hash_find(&hb->index, sr_hash_bytes(key, len), s_key_is,
                             hb->peers, key, len);
    return at == SR_HASH_NONE ? NULL : &hb->peers[at];
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
    sr_hash_init(&hb->index);
    return hb;
}

void
sr_heartbeat_destroy(sr_heartbeat_t **hb_p)
{
    if (!hb_p || !*hb_p)
        return;
    free((*hb_p)->peers);
    sr_hash_fini(&(*hb_p)->index);
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
    s_peer_t *p = &hb->peers[hb->count];
    p->hash = sr_hash_bytes(key, len);
    if (sr_hash_add(&hb->index, p->hash, hb->count) != SR_OK)
        return SR_ENOMEM;
    p->heard_ms = p->sent_ms = now_ms;
    p->len = (uint8_t)len;
    memcpy(p->key, key, len);
    hb->count++;
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

// Remove the peer at position i: the last one moves there. Allocates
// nothing, so removal cannot fail.
static void
s_drop(sr_heartbeat_t *hb, size_t i)
{
    sr_hash_del(&hb->index, hb->peers[i].hash, i);
    hb->count--;
    if (i != hb->count) {
        hb->peers[i] = hb->peers[hb->count];
        sr_hash_move(&hb->index, hb->peers[i].hash, hb->count, i);
    }
}

bool
sr_heartbeat_remove(sr_heartbeat_t *hb, const void *key, size_t len)
{
    s_peer_t *p = s_find(hb, key, len);
    if (!p)
        return false;
    s_drop(hb, (size_t)(p - hb->peers));
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
