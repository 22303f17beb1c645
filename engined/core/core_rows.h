// Rows sorted by byte key, each holding a value (a reference), for the
// in-memory state's tables (core_mem.c), and the keys of those tables:
// keys compare as memcmp, shorter first, as LMDB orders them. A copy
// shares the values, which are never changed in place: a put replaces a
// row's value.
//
// Thread rule: a core_rows_t belongs to one thread.
#ifndef CORE_ROWS_H
#define CORE_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_id.h"
#include "sr_value.h"

#define CORE_ROWS_KEYMAX 32 // bytes of the longest key

typedef struct {
    uint8_t key[CORE_ROWS_KEYMAX];
    uint8_t klen;
    sr_value_t *val; // owned reference
} core_row_t;

typedef struct {
    core_row_t *rows; // sorted by key
    size_t n, cap;
} core_rows_t;

// The position of the first row not below `key`; *found when it is `key`.
size_t core_rows_seek(const core_rows_t *t, const uint8_t *key, size_t klen,
                      bool *found);
// The value under `key` (borrowed), or NULL.
const sr_value_t *core_rows_get(const core_rows_t *t, const uint8_t *key,
                                size_t klen);
// Put `val` (taken, also on failure) under `key`.
sr_err_t core_rows_put(core_rows_t *t, const uint8_t *key, size_t klen,
                       sr_value_t *val);
// Delete the row under `key`, if there is one.
void core_rows_del(core_rows_t *t, const uint8_t *key, size_t klen);
// Drop every row.
void core_rows_clear(core_rows_t *t);
// Make `dst` a copy of `src` sharing its values.
sr_err_t core_rows_copy(core_rows_t *dst, const core_rows_t *src);

// Keys that sort as the store's (their length is returned): a task
// execution's, by execution then seq (big-endian); a timer's, by due time
// (its sign bit flipped) then id. Ids sort by the time in them as they are.
size_t core_rows_task_key(uint8_t key[CORE_ROWS_KEYMAX], const sr_id_t *exec_id,
                          uint32_t seq);
size_t core_rows_timer_key(uint8_t key[CORE_ROWS_KEYMAX], int64_t due_ms,
                           const sr_id_t *id);
// The due time and id a timer's key holds.
void core_rows_timer_at(const uint8_t key[CORE_ROWS_KEYMAX], int64_t *due_ms,
                        sr_id_t *id);

#endif
