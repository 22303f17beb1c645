// Reference-counted values. Owns every allocation of the value model:
// strings and binaries are stored inline after the header; arrays own their
// items; maps own keys and values, in insertion order, and index them
// with sr_hash once they grow past a few entries (hashing only then).
// Does not parse or encode anything (see sr_value_msgpack.c and
// sr_value_json.c). One thread per value.
#include "sirocco/value.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_hash.h"

// Maps with more entries get an index. Up to this size a linear search
// over the entries' tags costs fewer instructions than SipHash would, and
// even keys chosen to share a tag cost at most this many comparisons each.
#define S_INDEX_MIN 32

typedef struct {
    sr_value_t *key; // string value, owned
    sr_value_t *val; // owned
    uint32_t hash;   // the key's sr_hash_bytes if the map is indexed, else
                     // its s_tag
} s_entry_t;

struct sr_value {
    uint32_t refs; // 0 for immortal singletons
    uint8_t type;
    union {
        bool b;
        int64_t i;
        double f;
        struct {
            size_t len;
            char *ptr; // points into the same allocation, NUL-terminated
        } s;
        struct {
            sr_value_t **items;
            size_t len, cap;
        } a;
        struct {
            s_entry_t *ent;
            size_t len, cap;
            sr_hash_t index; // every entry, or none (a small map)
        } m;
    } u;
};

static sr_value_t s_nil = {.refs = 0, .type = SR_T_NIL};
static sr_value_t s_true = {.refs = 0, .type = SR_T_BOOL, .u.b = true};
static sr_value_t s_false = {.refs = 0, .type = SR_T_BOOL, .u.b = false};

static sr_value_t *
s_alloc(sr_type_t type, size_t extra)
{
    sr_value_t *v = calloc(1, sizeof *v + extra);
    if (v) {
        v->refs = 1;
        v->type = (uint8_t)type;
    }
    return v;
}

sr_value_t *
sr_value_new_nil(void)
{
    return &s_nil;
}

sr_value_t *
sr_value_new_bool(bool b)
{
    return b ? &s_true : &s_false;
}

sr_value_t *
sr_value_new_int(int64_t i)
{
    sr_value_t *v = s_alloc(SR_T_INT, 0);
    if (v)
        v->u.i = i;
    return v;
}

sr_value_t *
sr_value_new_float(double d)
{
    sr_value_t *v = s_alloc(SR_T_FLOAT, 0);
    if (v)
        v->u.f = d;
    return v;
}

static sr_value_t *
s_new_bytes(sr_type_t type, const void *data, size_t len)
{
    if (len > SIZE_MAX - sizeof(sr_value_t) - 1)
        return NULL;
    sr_value_t *v = s_alloc(type, len + 1);
    if (!v)
        return NULL;
    v->u.s.ptr = (char *)(v + 1);
    v->u.s.len = len;
    if (len)
        memcpy(v->u.s.ptr, data, len);
    v->u.s.ptr[len] = '\0';
    return v;
}

sr_value_t *
sr_value_new_strn(const char *s, size_t len)
{
    return s_new_bytes(SR_T_STR, s, s ? len : 0);
}

sr_value_t *
sr_value_new_str(const char *s)
{
    return sr_value_new_strn(s, s ? strlen(s) : 0);
}

sr_value_t *
sr_value_new_strf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    sr_value_t *v = s_alloc(SR_T_STR, (size_t)n + 1);
    if (!v)
        return NULL;
    v->u.s.ptr = (char *)(v + 1);
    v->u.s.len = (size_t)n;
    va_start(ap, fmt);
    vsnprintf(v->u.s.ptr, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return v;
}

sr_value_t *
sr_value_new_bin(const void *data, size_t len)
{
    return s_new_bytes(SR_T_BIN, data, data ? len : 0);
}

sr_value_t *
sr_value_new_array(size_t capacity_hint)
{
    sr_value_t *v = s_alloc(SR_T_ARRAY, 0);
    if (v && capacity_hint) {
        v->u.a.items = calloc(capacity_hint, sizeof *v->u.a.items);
        if (!v->u.a.items) {
            free(v);
            return NULL;
        }
        v->u.a.cap = capacity_hint;
    }
    return v;
}

sr_value_t *
sr_value_new_map(size_t capacity_hint)
{
    sr_value_t *v = s_alloc(SR_T_MAP, 0);
    if (v)
        sr_hash_init(&v->u.m.index);
    if (v && capacity_hint) {
        v->u.m.ent = calloc(capacity_hint, sizeof *v->u.m.ent);
        if (!v->u.m.ent) {
            free(v);
            return NULL;
        }
        v->u.m.cap = capacity_hint;
    }
    return v;
}

sr_value_t *
sr_value_ref(sr_value_t *v)
{
    if (v && v->refs)
        v->refs++;
    return v;
}

void
sr_value_destroy(sr_value_t **v_p)
{
    if (!v_p || !*v_p)
        return;
    sr_value_t *v = *v_p;
    *v_p = NULL;
    if (v->refs == 0 || --v->refs > 0)
        return;
    if (v->type == SR_T_ARRAY) {
        for (size_t i = 0; i < v->u.a.len; i++)
            sr_value_destroy(&v->u.a.items[i]);
        free(v->u.a.items);
    } else if (v->type == SR_T_MAP) {
        for (size_t i = 0; i < v->u.m.len; i++) {
            sr_value_destroy(&v->u.m.ent[i].key);
            sr_value_destroy(&v->u.m.ent[i].val);
        }
        free(v->u.m.ent);
        sr_hash_fini(&v->u.m.index);
    }
    free(v);
}

bool
sr_value_is_shared(const sr_value_t *v)
{
    return v && v->refs != 1;
}

sr_value_t *
sr_value_dup(const sr_value_t *v)
{
    if (!v)
        return NULL;
    switch ((sr_type_t)v->type) {
    case SR_T_NIL:
    case SR_T_BOOL:
        return (sr_value_t *)v; // immortal singletons
    case SR_T_INT:
        return sr_value_new_int(v->u.i);
    case SR_T_FLOAT:
        return sr_value_new_float(v->u.f);
    case SR_T_STR:
    case SR_T_BIN:
        return s_new_bytes((sr_type_t)v->type, v->u.s.ptr, v->u.s.len);
    case SR_T_ARRAY: {
        sr_value_t *a = sr_value_new_array(v->u.a.len);
        if (!a)
            return NULL;
        for (size_t i = 0; i < v->u.a.len; i++) {
            if (sr_value_array_append(a, sr_value_dup(v->u.a.items[i]))) {
                sr_value_destroy(&a);
                return NULL;
            }
        }
        return a;
    }
    case SR_T_MAP: {
        sr_value_t *m = sr_value_new_map(v->u.m.len);
        if (!m)
            return NULL;
        for (size_t i = 0; i < v->u.m.len; i++) {
            const s_entry_t *e = &v->u.m.ent[i];
            if (sr_value_map_putn(m, e->key->u.s.ptr, e->key->u.s.len,
                                  sr_value_dup(e->val))) {
                sr_value_destroy(&m);
                return NULL;
            }
        }
        return m;
    }
    }
    return NULL;
}

sr_err_t
sr_value_unshare(sr_value_t **v_p)
{
    if (!*v_p || (*v_p)->refs <= 1)
        return SR_OK;
    sr_value_t *copy = sr_value_dup(*v_p);
    if (!copy)
        return SR_ENOMEM;
    sr_value_destroy(v_p);
    *v_p = copy;
    return SR_OK;
}

sr_type_t
sr_value_type(const sr_value_t *v)
{
    return v ? (sr_type_t)v->type : SR_T_NIL;
}

const char *
sr_type_name(sr_type_t type)
{
    static const char *const names[] = {"null",   "bool",   "int",   "float",
                                        "string", "binary", "array", "map"};
    return (unsigned)type < 8 ? names[type] : "unknown";
}

bool
sr_value_is(const sr_value_t *v, sr_type_t type)
{
    return sr_value_type(v) == type;
}

bool
sr_value_is_number(const sr_value_t *v)
{
    return v && (v->type == SR_T_INT || v->type == SR_T_FLOAT);
}

bool
sr_value_bool(const sr_value_t *v)
{
    return v && v->type == SR_T_BOOL && v->u.b;
}

int64_t
sr_value_int(const sr_value_t *v)
{
    if (!v)
        return 0;
    if (v->type == SR_T_INT)
        return v->u.i;
    if (v->type == SR_T_FLOAT && isfinite(v->u.f) && v->u.f < 9.2e18 &&
        v->u.f > -9.2e18)
        return (int64_t)v->u.f;
    return 0;
}

double
sr_value_float(const sr_value_t *v)
{
    if (!v)
        return 0.0;
    if (v->type == SR_T_FLOAT)
        return v->u.f;
    if (v->type == SR_T_INT)
        return (double)v->u.i;
    return 0.0;
}

const char *
sr_value_str(const sr_value_t *v)
{
    return v && v->type == SR_T_STR ? v->u.s.ptr : "";
}

const void *
sr_value_bin(const sr_value_t *v, size_t *len)
{
    if (v && (v->type == SR_T_BIN || v->type == SR_T_STR)) {
        *len = v->u.s.len;
        return v->u.s.ptr;
    }
    *len = 0;
    return "";
}

size_t
sr_value_len(const sr_value_t *v)
{
    if (!v)
        return 0;
    switch ((sr_type_t)v->type) {
    case SR_T_STR:
    case SR_T_BIN:
        return v->u.s.len;
    case SR_T_ARRAY:
        return v->u.a.len;
    case SR_T_MAP:
        return v->u.m.len;
    default:
        return 0;
    }
}

sr_value_t *
sr_value_array_at(const sr_value_t *a, size_t i)
{
    if (!a || a->type != SR_T_ARRAY || i >= a->u.a.len)
        return NULL;
    return a->u.a.items[i];
}

sr_err_t
sr_value_array_append(sr_value_t *a, sr_value_t *item)
{
    if (!item)
        return SR_ENOMEM;
    if (!a || a->type != SR_T_ARRAY) {
        sr_value_destroy(&item);
        return SR_EINVAL;
    }
    if (a->u.a.len == a->u.a.cap) {
        size_t cap = a->u.a.cap ? a->u.a.cap * 2 : 4;
        sr_value_t **items = realloc(a->u.a.items, cap * sizeof *items);
        if (!items) {
            sr_value_destroy(&item);
            return SR_ENOMEM;
        }
        a->u.a.items = items;
        a->u.a.cap = cap;
    }
    a->u.a.items[a->u.a.len++] = item;
    return SR_OK;
}

sr_err_t
sr_value_array_set(sr_value_t *a, size_t i, sr_value_t *item)
{
    if (!item)
        return SR_ENOMEM;
    if (!a || a->type != SR_T_ARRAY || i >= a->u.a.len) {
        sr_value_destroy(&item);
        return SR_EINVAL;
    }
    sr_value_destroy(&a->u.a.items[i]);
    a->u.a.items[i] = item;
    return SR_OK;
}

static bool
s_key_is(const void *arg, size_t pos, const void *key, size_t len)
{
    const sr_value_t *k = ((const s_entry_t *)arg)[pos].key;
    return k->u.s.len == len && memcmp(k->u.s.ptr, key, len) == 0;
}

// A small map's stand-in for a hash: the key's length and first three
// bytes, which tell most keys apart without reading them.
static uint32_t
s_tag(const char *key, size_t len)
{
    uint32_t tag = (uint32_t)(len < 0xff ? len : 0xff) << 24;
    for (size_t i = 0; i < len && i < 3; i++)
        tag |= (uint32_t)(uint8_t)key[i] << (8 * i);
    return tag;
}

static bool
s_indexed(const sr_value_t *m)
{
    return sr_hash_count(&m->u.m.index) != 0;
}

// Index every entry of a map that has outgrown linear search. With room
// made first, no add fails, so an error leaves the entries as they were.
static sr_err_t
s_map_index(sr_value_t *m)
{
    sr_err_t rc = sr_hash_reserve(&m->u.m.index, m->u.m.len);
    for (size_t i = 0; !rc && i < m->u.m.len; i++) {
        s_entry_t *e = &m->u.m.ent[i];
        e->hash = sr_hash_bytes(e->key->u.s.ptr, e->key->u.s.len);
        rc = sr_hash_add(&m->u.m.index, e->hash, i);
    }
    return rc;
}

// Position of `key` in the entries, or -1; *hash gets what an entry of
// this key holds in its `hash`.
static long
s_map_find(const sr_value_t *m, const char *key, size_t len, uint32_t *hash)
{
    if (s_indexed(m)) {
        *hash = sr_hash_bytes(key, len);
        size_t pos =
            sr_hash_find(&m->u.m.index, *hash, s_key_is, m->u.m.ent, key, len);
        return pos == SR_HASH_NONE ? -1 : (long)pos;
    }
    *hash = s_tag(key, len);
    for (size_t i = 0; i < m->u.m.len; i++)
        if (m->u.m.ent[i].hash == *hash && s_key_is(m->u.m.ent, i, key, len))
            return (long)i;
    return -1;
}

sr_value_t *
sr_value_map_getn(const sr_value_t *m, const char *key, size_t len)
{
    if (!m || m->type != SR_T_MAP || (!key && len))
        return NULL;
    if (!key)
        key = "";
    uint32_t hash;
    long pos = s_map_find(m, key, len, &hash);
    return pos < 0 ? NULL : m->u.m.ent[pos].val;
}

sr_value_t *
sr_value_map_get(const sr_value_t *m, const char *key)
{
    return key ? sr_value_map_getn(m, key, strlen(key)) : NULL;
}

bool
sr_value_map_has(const sr_value_t *m, const char *key)
{
    return sr_value_map_get(m, key) != NULL;
}

// Insert `val` under the string value `key` (both consumed).
static sr_err_t
s_map_insert(sr_value_t *m, sr_value_t *key, sr_value_t *val)
{
    uint32_t hash;
    long pos = s_map_find(m, key->u.s.ptr, key->u.s.len, &hash);
    if (pos >= 0) {
        sr_value_destroy(&key);
        sr_value_destroy(&m->u.m.ent[pos].val);
        m->u.m.ent[pos].val = val;
        return SR_OK;
    }
    if (m->u.m.len == m->u.m.cap) {
        size_t cap = m->u.m.cap ? m->u.m.cap * 2 : 4;
        s_entry_t *ent = realloc(m->u.m.ent, cap * sizeof *ent);
        if (!ent)
            goto nomem;
        m->u.m.ent = ent;
        m->u.m.cap = cap;
    }
    m->u.m.ent[m->u.m.len++] = (s_entry_t){key, val, hash};
    sr_err_t rc = SR_OK;
    if (s_indexed(m))
        rc = sr_hash_add(&m->u.m.index, hash, m->u.m.len - 1);
    else if (m->u.m.len > S_INDEX_MIN)
        rc = s_map_index(m);
    if (rc) {
        m->u.m.len--;
        goto nomem;
    }
    return SR_OK;
nomem:
    sr_value_destroy(&key);
    sr_value_destroy(&val);
    return SR_ENOMEM;
}

sr_err_t
sr_value_map_putn(sr_value_t *m, const char *key, size_t len, sr_value_t *val)
{
    if (!val)
        return SR_ENOMEM;
    if (!m || m->type != SR_T_MAP || (!key && len)) {
        sr_value_destroy(&val);
        return SR_EINVAL;
    }
    sr_value_t *k = sr_value_new_strn(key ? key : "", len);
    if (!k) {
        sr_value_destroy(&val);
        return SR_ENOMEM;
    }
    return s_map_insert(m, k, val);
}

sr_err_t
sr_value_map_put(sr_value_t *m, const char *key, sr_value_t *val)
{
    return sr_value_map_putn(m, key, key ? strlen(key) : 0, val);
}

sr_err_t
sr_value_map_putv(sr_value_t *m, sr_value_t *key, sr_value_t *val)
{
    if (!val)
        return SR_ENOMEM;
    if (!m || m->type != SR_T_MAP || !key || key->type != SR_T_STR) {
        sr_value_destroy(&val);
        return SR_EINVAL;
    }
    return s_map_insert(m, sr_value_ref(key), val);
}

bool
sr_value_map_del(sr_value_t *m, const char *key)
{
    if (!m || m->type != SR_T_MAP || !key)
        return false;
    uint32_t hash;
    long pos = s_map_find(m, key, strlen(key), &hash);
    if (pos < 0)
        return false;
    s_entry_t *ent = m->u.m.ent;
    size_t len = m->u.m.len;
    sr_value_destroy(&ent[pos].key);
    sr_value_destroy(&ent[pos].val);
    if (s_indexed(m)) { // the later entries move down by one
        sr_hash_del(&m->u.m.index, hash, (size_t)pos);
        for (size_t i = (size_t)pos + 1; i < len; i++)
            sr_hash_move(&m->u.m.index, ent[i].hash, i, i - 1);
    }
    memmove(&ent[pos], &ent[pos + 1], (len - (size_t)pos - 1) * sizeof *ent);
    m->u.m.len--;
    return true;
}

sr_value_t *
sr_value_map_key(const sr_value_t *m, size_t i)
{
    if (!m || m->type != SR_T_MAP || i >= m->u.m.len)
        return NULL;
    return m->u.m.ent[i].key;
}

sr_value_t *
sr_value_map_val(const sr_value_t *m, size_t i)
{
    if (!m || m->type != SR_T_MAP || i >= m->u.m.len)
        return NULL;
    return m->u.m.ent[i].val;
}

const char *
sr_value_map_str(const sr_value_t *m, const char *key)
{
    const sr_value_t *v = sr_value_map_get(m, key);
    return v && v->type == SR_T_STR ? v->u.s.ptr : NULL;
}

bool
sr_value_map_int(const sr_value_t *m, const char *key, int64_t *out)
{
    const sr_value_t *v = sr_value_map_get(m, key);
    if (!v || v->type != SR_T_INT)
        return false;
    *out = v->u.i;
    return true;
}

sr_err_t
sr_value_map_merge(sr_value_t *dst, const sr_value_t *src, bool deep)
{
    if (!dst || dst->type != SR_T_MAP || !src || src->type != SR_T_MAP)
        return SR_EINVAL;
    for (size_t i = 0; i < src->u.m.len; i++) {
        const s_entry_t *e = &src->u.m.ent[i];
        if (deep && e->val->type == SR_T_MAP) {
            uint32_t hash;
            long pos = s_map_find(dst, e->key->u.s.ptr, e->key->u.s.len, &hash);
            if (pos >= 0 && dst->u.m.ent[pos].val->type == SR_T_MAP) {
                sr_err_t rc = sr_value_unshare(&dst->u.m.ent[pos].val);
                if (!rc)
                    rc =
                        sr_value_map_merge(dst->u.m.ent[pos].val, e->val, true);
                if (rc)
                    return rc;
                continue;
            }
        }
        sr_err_t rc = sr_value_map_putv(dst, e->key, sr_value_ref(e->val));
        if (rc)
            return rc;
    }
    return SR_OK;
}

bool
sr_value_equal(const sr_value_t *a, const sr_value_t *b)
{
    return sr_value_compare(a, b) == 0;
}

static int
s_rank(const sr_value_t *v)
{
    switch (sr_value_type(v)) {
    case SR_T_NIL:
        return 0;
    case SR_T_BOOL:
        return 1;
    case SR_T_INT:
    case SR_T_FLOAT:
        return 2;
    case SR_T_STR:
        return 3;
    case SR_T_BIN:
        return 4;
    case SR_T_ARRAY:
        return 5;
    case SR_T_MAP:
        return 6;
    }
    return 7;
}

static int
s_cmp_bytes(const sr_value_t *a, const sr_value_t *b)
{
    size_t n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
    int c = memcmp(a->u.s.ptr, b->u.s.ptr, n);
    if (c)
        return c < 0 ? -1 : 1;
    return a->u.s.len < b->u.s.len ? -1 : a->u.s.len > b->u.s.len;
}

static int
s_cmp_numbers(const sr_value_t *a, const sr_value_t *b)
{
    if (a->type == SR_T_INT && b->type == SR_T_INT)
        return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
    double x = sr_value_float(a), y = sr_value_float(b);
    if (isnan(x) || isnan(y))
        return isnan(x) - isnan(y);
    return x < y ? -1 : x > y;
}

int
sr_value_compare(const sr_value_t *a, const sr_value_t *b)
{
    int ra = s_rank(a), rb = s_rank(b);
    if (ra != rb)
        return ra < rb ? -1 : 1;
    switch (sr_value_type(a)) {
    case SR_T_NIL:
        return 0;
    case SR_T_BOOL:
        return (int)a->u.b - (int)b->u.b;
    case SR_T_INT:
    case SR_T_FLOAT:
        return s_cmp_numbers(a, b);
    case SR_T_STR:
    case SR_T_BIN:
        return s_cmp_bytes(a, b);
    case SR_T_ARRAY:
        for (size_t i = 0; i < a->u.a.len && i < b->u.a.len; i++) {
            int c = sr_value_compare(a->u.a.items[i], b->u.a.items[i]);
            if (c)
                return c;
        }
        return a->u.a.len < b->u.a.len ? -1 : a->u.a.len > b->u.a.len;
    case SR_T_MAP:
        // Maps compare as sets of entries: order of insertion is ignored.
        if (a->u.m.len != b->u.m.len)
            return a->u.m.len < b->u.m.len ? -1 : 1;
        for (size_t i = 0; i < a->u.m.len; i++) {
            const s_entry_t *e = &a->u.m.ent[i];
            const sr_value_t *other =
                sr_value_map_getn(b, e->key->u.s.ptr, e->key->u.s.len);
            if (!other)
                return 1;
            int c = sr_value_compare(e->val, other);
            if (c)
                return c;
        }
        return 0;
    }
    return 0;
}

bool
sr_value_truthy(const sr_value_t *v)
{
    switch (sr_value_type(v)) {
    case SR_T_NIL:
        return false;
    case SR_T_BOOL:
        return v->u.b;
    case SR_T_INT:
        return v->u.i != 0;
    case SR_T_FLOAT:
        return v->u.f != 0.0;
    default:
        return sr_value_len(v) != 0;
    }
}
