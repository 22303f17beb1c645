// Checks of JSON request bodies for the /v2 routes: the body is an object,
// its keys are the route's (an unknown key is refused, naming it, as
// Mistral's API does), each of the expected type; and Mistral's
// JSON-typed fields, which clients send as objects or as JSON text.
//
// Pure functions; errors are SR_EINVAL naming the field.
#ifndef GW_BODY_H
#define GW_BODY_H

#include <stddef.h>

#include "sr_err.h"
#include "sr_value.h"

typedef enum {
    GW_F_NULL = 1,   // null (treated as absent)
    GW_F_STR = 2,    // string
    GW_F_MAP = 4,    // object
    GW_F_BOOL = 8,   // true / false
    GW_F_ANY = 0xff, // anything
} gw_kind_t;

typedef struct {
    const char *name;
    int kinds; // gw_kind_t bits
} gw_field_t;

// `body` (may be NULL: SR_EINVAL "send a JSON object") is an object whose
// keys are among fields[0..n) with their kinds.
sr_err_t gw_body_check(const sr_value_t *body, const gw_field_t *fields,
                       size_t n, sr_error_t *err);

// The string of `key`, or NULL when absent or null.
const char *gw_body_str(const sr_value_t *body, const char *key);

// A map given under `key` as an object or as the JSON text of one; *out
// is NULL when absent, null or "". Caller owns *out.
sr_err_t gw_body_map(const sr_value_t *body, const char *key, int max_depth,
                     sr_value_t **out, sr_error_t *err);

#endif
