// Size limits applied when decoding untrusted bytes (msgpack, JSON).
#ifndef SR_LIMITS_H
#define SR_LIMITS_H

#include <stddef.h>

#define SR_1MIB              ((size_t)1 << 20)
#define SR_DEFAULT_MAX_BYTES SR_1MIB
#define SR_DEFAULT_MAX_DEPTH 64

typedef struct {
    size_t max_bytes; // whole payload; 0 = SR_DEFAULT_MAX_BYTES
    int max_depth;    // nesting of arrays and maps; 0 = SR_DEFAULT_MAX_DEPTH
} sr_limits_t;

// The limits to use when `limits` is NULL or has zero fields.
sr_limits_t sr_limits_resolve(const sr_limits_t *limits);

#endif
