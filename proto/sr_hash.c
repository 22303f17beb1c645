// The hash table (sr_hash.h): open addressing with linear probing over
// slots of (hash, position + 1), at most half full, and deletion by
// backward shift (no tombstones, so probes stay short after deletes). The
// keyed hash is libsodium's SipHash-2-4 under a key made once per process,
// thread-safely, on the first hash. Owns the slots; knows nothing of keys
// beyond the caller's eq function.
#include "sr_hash.h"

#include <assert.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define S_MIN_SLOTS 16         // a power of two
#define S_NO_SLOT   UINT32_MAX // above any slot (at most 2^31 of them)

struct sr_hash_slot {
    uint32_t hash;
    uint32_t pos1; // position + 1; 0 = empty
};

static unsigned char s_key[crypto_shorthash_KEYBYTES];
static pthread_once_t s_key_once = PTHREAD_ONCE_INIT;

static void
s_key_make(void)
{
    if (sodium_init() < 0) {
        // randombytes_buf still reads the OS source (or aborts).
    }
    randombytes_buf(s_key, sizeof s_key);
}

uint32_t
sr_hash_bytes(const void *data, size_t len)
{
    static const unsigned char none; // crypto_shorthash wants a pointer
    unsigned char out[crypto_shorthash_BYTES];
    uint32_t h;
    pthread_once(&s_key_once, s_key_make);
    crypto_shorthash(out, len ? data : &none, len, s_key);
    memcpy(&h, out, sizeof h);
    return h;
}

void
sr_hash_init(sr_hash_t *h)
{
    memset(h, 0, sizeof *h);
}

void
sr_hash_fini(sr_hash_t *h)
{
    free(h->slots);
    memset(h, 0, sizeof *h);
}

// Put (hash, pos1) in the first empty slot from its home.
static void
s_place(sr_hash_slot_t *slots, uint32_t mask, uint32_t hash, uint32_t pos1)
{
    uint32_t i = hash & mask;
    while (slots[i].pos1)
        i = (i + 1) & mask;
    slots[i] = (sr_hash_slot_t){hash, pos1};
}

sr_err_t
sr_hash_reserve(sr_hash_t *h, size_t n)
{
    if (n > SR_HASH_MAX)
        return SR_ETOOBIG;
    size_t cap = h->slots ? (size_t)h->mask + 1 : 0;
    if (n * 2 <= cap)
        return SR_OK;
    size_t want = S_MIN_SLOTS;
    while (want < n * 2)
        want *= 2;
    sr_hash_slot_t *slots = calloc(want, sizeof *slots);
    if (!slots)
        return SR_ENOMEM;
    for (size_t i = 0; i < cap; i++)
        if (h->slots[i].pos1)
            s_place(slots, (uint32_t)(want - 1), h->slots[i].hash,
                    h->slots[i].pos1);
    free(h->slots);
    h->slots = slots;
    h->mask = (uint32_t)(want - 1);
    return SR_OK;
}

size_t
sr_hash_find(const sr_hash_t *h, uint32_t hash, sr_hash_eq_fn *eq,
             const void *arg, const void *key, size_t len)
{
    if (!h->count)
        return SR_HASH_NONE;
    for (uint32_t i = hash & h->mask;; i = (i + 1) & h->mask) {
        const sr_hash_slot_t *s = &h->slots[i];
        if (!s->pos1)
            return SR_HASH_NONE;
        if (s->hash == hash && eq(arg, s->pos1 - 1, key, len))
            return s->pos1 - 1;
    }
}

sr_err_t
sr_hash_add(sr_hash_t *h, uint32_t hash, size_t pos)
{
    if (pos >= SR_HASH_MAX)
        return SR_ETOOBIG;
    size_t room = h->slots ? ((size_t)h->mask + 1) / 2 : 0;
    sr_err_t rc = h->count < room ? SR_OK : sr_hash_reserve(h, room + 1);
    if (rc)
        return rc;
    s_place(h->slots, h->mask, hash, (uint32_t)pos + 1);
    h->count++;
    return SR_OK;
}

// The slot indexing the item at `pos`, or S_NO_SLOT (a caller's bug:
// asserted, and harmless without asserts).
static uint32_t
s_slot_of(const sr_hash_t *h, uint32_t hash, size_t pos)
{
    if (h->count)
        for (uint32_t i = hash & h->mask; h->slots[i].pos1;
             i = (i + 1) & h->mask)
            if (h->slots[i].pos1 == pos + 1)
                return i;
    assert(!"sr_hash: the item is not indexed under this hash");
    return S_NO_SLOT;
}

void
sr_hash_del(sr_hash_t *h, uint32_t hash, size_t pos)
{
    uint32_t hole = s_slot_of(h, hash, pos), mask = h->mask;
    if (hole == S_NO_SLOT)
        return;
    // Shift back every later slot of the run that may sit in the hole: one
    // whose home is not in (hole, j], as seen going forward.
    for (uint32_t j = (hole + 1) & mask; h->slots[j].pos1; j = (j + 1) & mask) {
        uint32_t home = h->slots[j].hash & mask;
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            h->slots[hole] = h->slots[j];
            hole = j;
        }
    }
    h->slots[hole].pos1 = 0;
    h->count--;
}

void
sr_hash_move(sr_hash_t *h, uint32_t hash, size_t from, size_t to)
{
    uint32_t i = s_slot_of(h, hash, from);
    if (i != S_NO_SLOT)
        h->slots[i].pos1 = (uint32_t)to + 1;
}

void
sr_hash_clear(sr_hash_t *h)
{
    if (h->slots)
        memset(h->slots, 0, ((size_t)h->mask + 1) * sizeof *h->slots);
    h->count = 0;
}
