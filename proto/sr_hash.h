// The project's one hash table and its hash. A table is an index: it maps
// a key to the position of its item in an array that the caller owns and
// orders as it likes (insertion order, a dense array scanned in full), so
// the index never copies keys and iteration never depends on hashes. The
// caller keeps each item's hash (32 bits) and hands it back to delete or
// move an item; the table keeps it too, so growing never hashes again.
//
// The hash is SipHash-2-4 (libsodium's crypto_shorthash) under a random
// key drawn once per process: whoever sends keys cannot know which of
// them collide, so hostile input cannot make a table slow (hash flooding).
// Hashes differ from one process to the next: never store or send them.
//
// Thread rule: sr_hash_bytes may be called from any thread; a table
// belongs to one thread.
#ifndef SR_HASH_H
#define SR_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"

#define SR_HASH_NONE SIZE_MAX          // sr_hash_find: no such key
#define SR_HASH_MAX  ((size_t)1 << 30) // most items a table indexes

typedef struct sr_hash_slot sr_hash_slot_t;

// Embedded in its owner: sr_hash_init() before use, sr_hash_fini() after.
typedef struct {
    sr_hash_slot_t *slots; // owned; NULL until the first item
    uint32_t mask;         // slots - 1 (a power of two minus one)
    uint32_t count;        // items indexed
} sr_hash_t;

// Whether the caller's item at `pos` has the key sought: `key` and `len`
// are what was passed to sr_hash_find (bytes, or any object with len 0).
typedef bool(sr_hash_eq_fn)(const void *arg, size_t pos, const void *key,
                            size_t len);

// The keyed hash of `len` bytes (any bytes, len 0 included).
uint32_t sr_hash_bytes(const void *data, size_t len);

void sr_hash_init(sr_hash_t *h);
void sr_hash_fini(sr_hash_t *h);
// Make room for `n` items in all: adds up to n then allocate nothing.
// Errors: SR_ETOOBIG over SR_HASH_MAX, SR_ENOMEM (the table is unchanged).
sr_err_t sr_hash_reserve(sr_hash_t *h, size_t n);

// Items indexed (inline: small maps ask it on every lookup).
static inline size_t
sr_hash_count(const sr_hash_t *h)
{
    return h->count;
}

// The position of the item whose key is sought, or SR_HASH_NONE. `eq` is
// asked only about items whose hash equals `hash`.
size_t sr_hash_find(const sr_hash_t *h, uint32_t hash, sr_hash_eq_fn *eq,
                    const void *arg, const void *key, size_t len);
// Index the item at `pos` (below SR_HASH_MAX), whose key must not be
// indexed yet. Errors as sr_hash_reserve.
sr_err_t sr_hash_add(sr_hash_t *h, uint32_t hash, size_t pos);
// Forget the item at `pos` (it must be indexed, under `hash`).
void sr_hash_del(sr_hash_t *h, uint32_t hash, size_t pos);
// The item at `from` (indexed under `hash`) now sits at `to`, a position
// no other item holds.
void sr_hash_move(sr_hash_t *h, uint32_t hash, size_t from, size_t to);
// Forget every item; the slots stay allocated.
void sr_hash_clear(sr_hash_t *h);

#endif
