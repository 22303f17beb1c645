// Keys for hash-flooding tests and benchmarks (issue 16): keys crafted to
// collide under the hash every table of the project used before sr_hash
// (32-bit FNV-1a, unseeded), and ordinary keys of the same shape to
// compare with, and the time maps of them take to decode. Compiled into
// tests and benchmarks only, never into a library.
//
// Thread rule: none (no shared state).
#ifndef SR_HASH_FLOOD_H
#define SR_HASH_FLOOD_H

#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"

#define SR_HASH_FLOOD_LEN  11 // bytes of every key (printable ASCII)
#define SR_HASH_FLOOD_BITS 20 // low bits of FNV-1a the crafted keys share

// `n` keys of SR_HASH_FLOOD_LEN characters, all different, each followed
// by a NUL: key i starts at i * (SR_HASH_FLOOD_LEN + 1). Crafted keys
// share the low SR_HASH_FLOOD_BITS bits of their FNV-1a hash, so a table
// indexed by those bits (up to 2^20 slots) puts them all in one run and
// fills in time quadratic in n. Caller frees the result with free(); NULL
// when memory runs out.
char *sr_hash_flood_crafted(size_t n);
char *sr_hash_flood_plain(size_t n);

typedef enum { SR_HASH_FLOOD_MSGPACK, SR_HASH_FLOOD_JSON } sr_hash_flood_form_t;

// The best CPU seconds of `runs` decodes of a map of the `n` keys (laid
// out as above), each to the integer 1, written as msgpack bytes
// (sr_value_decode, as an execution's input comes from a client) or JSON
// text (sr_value_from_json, as `--input` and the REST API read it). Each
// decoded map must hold the n keys. Negative when a decode fails or memory
// runs out, with the reason in *err.
double sr_hash_flood_decode(const char *keys, size_t n,
                            sr_hash_flood_form_t form, int runs,
                            sr_error_t *err);

// 32-bit FNV-1a as the old tables computed it (offset basis 2166136261,
// prime 16777619), to check that crafted keys do collide.
uint32_t sr_hash_flood_fnv1a(const void *data, size_t len);

// CPU seconds this process has used (timings that a busy machine
// disturbs less than wall time).
double sr_hash_flood_cpu(void);

#endif
