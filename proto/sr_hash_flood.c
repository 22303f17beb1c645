// Crafted and plain keys for hash-flooding tests (sr_hash_flood.h). The
// low bits of FNV-1a depend only on the low bits of its state, and each
// step can be undone (the prime is odd): a table gives, for every state,
// three characters that lead from it to state 0; a key is then a prefix,
// two characters, and the three the table gives for the state reached
// (meet in the middle). Owns nothing beyond the keys it returns.
#include "sr_hash_flood.h"

#include "sr_value.h"
#include "sr_value_json.h"
#include "sr_value_msgpack.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define S_MASK      ((1u << SR_HASH_FLOOD_BITS) - 1)
#define S_BASIS     2166136261u
#define S_PRIME     16777619u
#define S_PRIME_INV 899433627u // S_PRIME * S_PRIME_INV == 1 (mod 2^32)
#define S_PREFIX    6          // characters, then 2 chosen, then 3 solved

static const char s_abc[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

uint32_t
sr_hash_flood_fnv1a(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t h = S_BASIS;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * S_PRIME;
    return h;
}

// Character k (0 = first) of the base-64 digits of `v`, `digits` long.
static char
s_digit(uint64_t v, int k, int digits)
{
    return s_abc[(v >> (6 * (digits - 1 - k))) & 63];
}

char *
sr_hash_flood_plain(size_t n)
{
    char *keys = malloc(n * (SR_HASH_FLOOD_LEN + 1) + 1);
    for (size_t i = 0; keys && i < n; i++) {
        char *k = keys + i * (SR_HASH_FLOOD_LEN + 1);
        uint64_t v = (uint64_t)i * 0x9e3779b97f4a7c15u; // a bijection
        k[0] = 'k';
        for (int d = 0; d < SR_HASH_FLOOD_LEN - 1; d++)
            k[1 + d] = s_digit(v, d, SR_HASH_FLOOD_LEN - 1);
        k[SR_HASH_FLOOD_LEN] = '\0';
    }
    return keys;
}

char *
sr_hash_flood_crafted(size_t n)
{
    char *keys = malloc(n * (SR_HASH_FLOOD_LEN + 1) + 1);
    uint32_t *tail = calloc((size_t)S_MASK + 1, sizeof *tail);
    if (!keys || !tail) {
        free(keys);
        free(tail);
        return NULL;
    }
    // tail[s] = t + 1: the three characters of t lead from state s to 0.
    for (uint32_t t = 0; t < 64 * 64 * 64; t++) {
        uint32_t h = 0;
        for (int k = 2; k >= 0; k--)
            h = ((h * S_PRIME_INV) ^ (uint8_t)s_digit(t, k, 3)) & S_MASK;
        tail[h] = t + 1;
    }
    size_t made = 0;
    for (uint64_t prefix = 0; made < n; prefix++) {
        char key[SR_HASH_FLOOD_LEN + 1];
        for (int d = 0; d < S_PREFIX; d++)
            key[d] = s_digit(prefix, d, S_PREFIX);
        uint32_t h0 = sr_hash_flood_fnv1a(key, S_PREFIX);
        for (uint32_t mid = 0; mid < 64 * 64 && made < n; mid++) {
            key[S_PREFIX] = s_digit(mid, 0, 2);
            key[S_PREFIX + 1] = s_digit(mid, 1, 2);
            uint32_t h = (h0 ^ (uint8_t)key[S_PREFIX]) * S_PRIME;
            h = (h ^ (uint8_t)key[S_PREFIX + 1]) * S_PRIME;
            uint32_t t = tail[h & S_MASK];
            if (!t)
                continue;
            for (int k = 0; k < 3; k++)
                key[S_PREFIX + 2 + k] = s_digit(t - 1, k, 3);
            key[SR_HASH_FLOOD_LEN] = '\0';
            memcpy(keys + made++ * (SR_HASH_FLOOD_LEN + 1), key, sizeof key);
        }
    }
    free(tail);
    return keys;
}

// How a map is written: its head, and around each key (after the first,
// `sep` comes before `before`), then its tail.
typedef struct {
    const char *head, *before, *after, *sep, *tail;
    size_t head_len, before_len, after_len, sep_len, tail_len;
} s_form_t;

static char *
s_write(const s_form_t *f, const char *keys, size_t n, size_t *len)
{
    size_t each = f->sep_len + f->before_len + SR_HASH_FLOOD_LEN + f->after_len;
    char *buf = malloc(f->head_len + n * each + f->tail_len + 1);
    if (!buf)
        return NULL;
    char *p = buf;
    memcpy(p, f->head, f->head_len);
    p += f->head_len;
    for (size_t i = 0; i < n; i++) {
        if (i) {
            memcpy(p, f->sep, f->sep_len);
            p += f->sep_len;
        }
        memcpy(p, f->before, f->before_len);
        memcpy(p + f->before_len, keys + i * (SR_HASH_FLOOD_LEN + 1),
               SR_HASH_FLOOD_LEN);
        p += f->before_len + SR_HASH_FLOOD_LEN;
        memcpy(p, f->after, f->after_len);
        p += f->after_len;
    }
    memcpy(p, f->tail, f->tail_len);
    p += f->tail_len;
    *p = '\0';
    *len = (size_t)(p - buf);
    return buf;
}

static char *
s_msgpack(const char *keys, size_t n, size_t *len)
{
    // map 32 and its count (big-endian), then fixstr keys of
    // SR_HASH_FLOOD_LEN (< 32) bytes and positive fixint values.
    char head[5] = {(char)0xdf, (char)(n >> 24), (char)(n >> 16),
                    (char)(n >> 8), (char)n};
    char before = (char)(0xa0 | SR_HASH_FLOOD_LEN), after = 0x01;
    s_form_t f = {head, &before, &after, "", "", 5, 1, 1, 0, 0};
    return s_write(&f, keys, n, len);
}

static char *
s_json(const char *keys, size_t n, size_t *len)
{
    s_form_t f = {"{", "\"", "\":1", ",", "}", 1, 1, 3, 1, 1};
    return s_write(&f, keys, n, len);
}

double
sr_hash_flood_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

// Decode the n keys' map from `buf`; SR_OK when it holds them all.
static sr_err_t
s_decode_one(const char *keys, size_t n, const char *buf, size_t len,
             sr_hash_flood_form_t form, sr_error_t *err)
{
    sr_limits_t limits = {.max_bytes = len + 1};
    sr_value_t *v = NULL;
    sr_err_t rc = form == SR_HASH_FLOOD_JSON
                      ? sr_value_from_json(buf, len, &limits, &v, err)
                      : sr_value_decode(buf, len, &limits, &v, err);
    if (!rc && sr_value_len(v) != n)
        rc = sr_error_set(err, SR_EINTERNAL, "%zu keys decoded, not %zu",
                          sr_value_len(v), n);
    for (size_t i = 0; !rc && i < n; i += 1 + n / 64) {
        const char *k = keys + i * (SR_HASH_FLOOD_LEN + 1);
        if (sr_value_int(sr_value_map_get(v, k)) != 1)
            rc = sr_error_set(err, SR_EINTERNAL, "key %s not found", k);
    }
    sr_value_destroy(&v);
    return rc;
}

double
sr_hash_flood_decode(const char *keys, size_t n, sr_hash_flood_form_t form,
                     int runs, sr_error_t *err)
{
    size_t len;
    char *buf = form == SR_HASH_FLOOD_JSON ? s_json(keys, n, &len)
                                           : s_msgpack(keys, n, &len);
    if (!buf) {
        sr_error_set(err, SR_ENOMEM, "out of memory");
        return -1;
    }
    double best = -1;
    for (int r = 0; r < runs; r++) {
        double t0 = sr_hash_flood_cpu();
        if (s_decode_one(keys, n, buf, len, form, err)) {
            best = -1;
            break;
        }
        double t = sr_hash_flood_cpu() - t0;
        if (best < 0 || t < best)
            best = t;
    }
    free(buf);
    return best;
}
