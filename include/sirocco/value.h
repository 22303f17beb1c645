// The value model for workflow data: nil, bool, int, float, string, binary,
// array, map (string keys, insertion order kept, like a Python dict). Every
// component holds data in it, and the public API (sirocco/client.h) takes
// and returns it.
//
// Ownership rule: every sr_value_t is reference counted. A function that
// returns `sr_value_t *` from `new`, `dup` or `ref` gives the caller one
// reference, released with sr_value_destroy(&v). Getters (`sr_value_array_at`,
// `sr_value_map_get`, ...) return borrowed pointers valid while the container
// holds them. A value with more than one reference is shared and must not be
// changed: call sr_value_unshare() first (copy on write). nil, true and false
// are immortal singletons.
//
// Functions named `..._put` / `..._append` CONSUME the value they are given,
// also on failure (so `sr_value_map_put(m, "k", sr_value_new_int(1))` never
// leaks); they return SR_ENOMEM when the value is NULL or memory runs out.
//
// Thread rule: reference counts are not atomic; a value belongs to one thread.
// Values cross threads only encoded (msgpack) or deep-copied.
#ifndef SIROCCO_VALUE_H
#define SIROCCO_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sirocco/errors.h"

typedef enum {
    SR_T_NIL = 0,
    SR_T_BOOL,
    SR_T_INT,
    SR_T_FLOAT,
    SR_T_STR,
    SR_T_BIN,
    SR_T_ARRAY,
    SR_T_MAP
} sr_type_t;

typedef struct sr_value sr_value_t;

// Constructors. Return NULL only when memory runs out (nil/bool never).
sr_value_t *sr_value_new_nil(void);
sr_value_t *sr_value_new_bool(bool b);
sr_value_t *sr_value_new_int(int64_t i);
sr_value_t *sr_value_new_float(double d);
sr_value_t *sr_value_new_str(const char *s); // NULL s gives ""
sr_value_t *sr_value_new_strn(const char *s, size_t len);
sr_value_t *sr_value_new_strf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
sr_value_t *sr_value_new_bin(const void *data, size_t len);
sr_value_t *sr_value_new_array(size_t capacity_hint);
sr_value_t *sr_value_new_map(size_t capacity_hint);

// Add a reference; returns v (NULL-safe).
sr_value_t *sr_value_ref(sr_value_t *v);
// Drop a reference and set *v_p to NULL (NULL-safe).
void sr_value_destroy(sr_value_t **v_p);

// Deep copy; caller owns the result. NULL when memory runs out.
sr_value_t *sr_value_dup(const sr_value_t *v);
// Make *v_p safe to change: if shared, replace it by a private deep copy.
sr_err_t sr_value_unshare(sr_value_t **v_p);
bool sr_value_is_shared(const sr_value_t *v);

sr_type_t sr_value_type(const sr_value_t *v);
const char *sr_type_name(sr_type_t type); // "null", "bool", "int", ...
bool sr_value_is(const sr_value_t *v, sr_type_t type);
bool sr_value_is_number(const sr_value_t *v); // int or float

// Scalar getters; a value of another type gives false / 0 / "".
bool sr_value_bool(const sr_value_t *v);
int64_t sr_value_int(const sr_value_t *v);
double sr_value_float(const sr_value_t *v);    // ints are converted
const char *sr_value_str(const sr_value_t *v); // NUL-terminated, borrowed
const void *sr_value_bin(const sr_value_t *v, size_t *len);
// Bytes of a string or binary, items of an array, entries of a map; else 0.
size_t sr_value_len(const sr_value_t *v);

// Arrays.
sr_value_t *sr_value_array_at(const sr_value_t *a, size_t i);    // borrowed
sr_err_t sr_value_array_append(sr_value_t *a, sr_value_t *item); // consumes
sr_err_t sr_value_array_set(sr_value_t *a, size_t i, sr_value_t *item);

// Maps. Keys are strings (any bytes, length-delimited).
sr_value_t *sr_value_map_get(const sr_value_t *m, const char *key);
sr_value_t *sr_value_map_getn(const sr_value_t *m, const char *key, size_t len);
bool sr_value_map_has(const sr_value_t *m, const char *key);
// Insert or replace (a replaced key keeps its position). Consumes `val`.
sr_err_t sr_value_map_put(sr_value_t *m, const char *key, sr_value_t *val);
sr_err_t sr_value_map_putn(sr_value_t *m, const char *key, size_t len,
                           sr_value_t *val);
// Same with a string value as key (borrowed; a reference is taken).
sr_err_t sr_value_map_putv(sr_value_t *m, sr_value_t *key, sr_value_t *val);
bool sr_value_map_del(sr_value_t *m, const char *key);
sr_value_t *sr_value_map_key(const sr_value_t *m, size_t i); // string value
sr_value_t *sr_value_map_val(const sr_value_t *m, size_t i);

// Convenience getters for maps: the entry if present with the given type.
const char *sr_value_map_str(const sr_value_t *m, const char *key);
bool sr_value_map_int(const sr_value_t *m, const char *key, int64_t *out);

// Copy every entry of `src` into `dst` (dst must not be shared). When `deep`,
// map values present in both are merged recursively (Mistral's merge_dicts).
sr_err_t sr_value_map_merge(sr_value_t *dst, const sr_value_t *src, bool deep);

// Structural equality; 1 == 1.0 is true (as in Python and YAQL).
bool sr_value_equal(const sr_value_t *a, const sr_value_t *b);
// Total order: nil < bool < number < string < binary < array < map.
int sr_value_compare(const sr_value_t *a, const sr_value_t *b);
// Python truthiness: nil, false, 0, 0.0, "", [] and {} are false.
bool sr_value_truthy(const sr_value_t *v);

#endif
