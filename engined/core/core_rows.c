// Rows sorted by key (core_rows.h): binary search over one array, copies
// that share the rows' values, and the keys of the in-memory state.
#include "core_rows.h"

#include <stdlib.h>
#include <string.h>

static void
s_be(uint8_t *out, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)v;
}

static int
s_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

// The first row not below `key`; *found when it is `key`.
size_t
core_rows_seek(const core_rows_t *t, const uint8_t *key, size_t klen,
               bool *found)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s_cmp(t->rows[mid].key, t->rows[mid].klen, key, klen) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < t->n && !s_cmp(t->rows[lo].key, t->rows[lo].klen, key, klen);
    return lo;
}

const sr_value_t *
core_rows_get(const core_rows_t *t, const uint8_t *key, size_t klen)
{
    bool found;
    size_t i = core_rows_seek(t, key, klen, &found);
    return found ? t->rows[i].val : NULL;
}

// Put `val` (taken) under `key`.
sr_err_t
core_rows_put(core_rows_t *t, const uint8_t *key, size_t klen, sr_value_t *val)
{
    bool found;
    size_t i = core_rows_seek(t, key, klen, &found);
    if (found) {
        sr_value_destroy(&t->rows[i].val);
        t->rows[i].val = val;
        return SR_OK;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        core_row_t *rows = realloc(t->rows, cap * sizeof *rows);
        if (!rows) {
            sr_value_destroy(&val);
            return SR_ENOMEM;
        }
        t->rows = rows;
        t->cap = cap;
    }
    memmove(&t->rows[i + 1], &t->rows[i], (t->n - i) * sizeof *t->rows);
    memcpy(t->rows[i].key, key, klen);
    t->rows[i].klen = (uint8_t)klen;
    t->rows[i].val = val;
    t->n++;
    return SR_OK;
}

void
core_rows_del(core_rows_t *t, const uint8_t *key, size_t klen)
{
    bool found;
    size_t i = core_rows_seek(t, key, klen, &found);
    if (!found)
        return;
    sr_value_destroy(&t->rows[i].val);
    memmove(&t->rows[i], &t->rows[i + 1], (t->n - i - 1) * sizeof *t->rows);
    t->n--;
}

void
core_rows_clear(core_rows_t *t)
{
    for (size_t i = 0; i < t->n; i++)
        sr_value_destroy(&t->rows[i].val);
    free(t->rows);
    memset(t, 0, sizeof *t);
}

// `dst` becomes a copy of `src` whose rows share the values.
sr_err_t
core_rows_copy(core_rows_t *dst, const core_rows_t *src)
{
    memset(dst, 0, sizeof *dst);
    if (!src->n)
        return SR_OK;
    if (!(dst->rows = malloc(src->n * sizeof *dst->rows)))
        return SR_ENOMEM;
    memcpy(dst->rows, src->rows, src->n * sizeof *dst->rows);
    for (size_t i = 0; i < src->n; i++)
        sr_value_ref(dst->rows[i].val);
    dst->n = dst->cap = src->n;
    return SR_OK;
}

size_t
core_rows_task_key(uint8_t key[CORE_ROWS_KEYMAX], const sr_id_t *exec_id,
                   uint32_t seq)
{
    memcpy(key, exec_id->b, 16);
    s_be(key + 16, seq, 4);
    return 20;
}

size_t
core_rows_timer_key(uint8_t key[CORE_ROWS_KEYMAX], int64_t due_ms,
                    const sr_id_t *id)
{
    s_be(key, (uint64_t)due_ms ^ ((uint64_t)1 << 63), 8);
    memcpy(key + 8, id->b, 16);
    return 24;
}

void
core_rows_timer_at(const uint8_t key[CORE_ROWS_KEYMAX], int64_t *due_ms,
                   sr_id_t *id)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | key[i];
    *due_ms = (int64_t)(u ^ ((uint64_t)1 << 63));
    memcpy(id->b, key + 8, 16);
}
