// JSON <-> sr_value_t. Parsing goes through jansson; writing is our own
// small emitter so floats print in their shortest round-trip form (10.1, not
// 10.099999999999999) and the layout can match Python's json.dumps.
#ifndef SR_VALUE_JSON_H
#define SR_VALUE_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "sr_err.h"
#include "sr_limits.h"
#include "sr_value.h"

typedef enum {
    SR_JSON_COMPACT = 0,   // {"a":1,"b":[1,2]}
    SR_JSON_SPACED = 1,    // {"a": 1, "b": [1, 2]}   (Python's default)
    SR_JSON_PRETTY = 2,    // indented by 4 spaces    (json.dumps(indent=4))
    SR_JSON_SORT_KEYS = 4, // map keys in byte order
} sr_json_flags_t;

// Parse JSON text (any value at top level). Errors carry "line L column C".
// Caller owns *out.
sr_err_t sr_value_from_json(const char *text, size_t len,
                            const sr_limits_t *limits, sr_value_t **out,
                            sr_error_t *err);

// Write `v` as JSON. Caller frees the result with free(); NULL on OOM.
// Binary values are written as base64 strings, non-finite floats as null,
// invalid UTF-8 as U+FFFD.
char *sr_value_to_json(const sr_value_t *v, int flags);

// jansson bridges. Caller owns the result (json_decref / sr_value_destroy).
json_t *sr_value_to_jansson(const sr_value_t *v);
sr_err_t sr_value_from_jansson(const json_t *j, int max_depth, sr_value_t **out,
                               sr_error_t *err);

// Shortest text for a double that reads back as the same value ("0.1",
// "1e+100", "3.0"). Writes at most `size` bytes; returns buf.
const char *sr_format_double(double d, char *buf, size_t size);

#endif
