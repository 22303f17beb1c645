// msgpack <-> sr_value_t. Packs with msgpack-c's packer into an sbuffer;
// unpacks with msgpack_unpack_next only after sr_msgpack_check has proved the
// bytes well-formed and within limits, so hostile lengths never reach
// msgpack-c's allocator. Stateless; reentrant.
#include "sr_value_msgpack.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sr_msgpack_internal.h"

// msgpack-c's unpacker holds at most this many nested containers
// (MSGPACK_EMBED_STACK_SIZE, private to msgpack-c) and reports deeper
// input as out of memory; the check refuses it first, as too deep.
#define S_UNPACK_DEPTH_MAX 32

sr_limits_t
sr_limits_resolve(const sr_limits_t *limits)
{
    sr_limits_t out = {SR_DEFAULT_MAX_BYTES, SR_DEFAULT_MAX_DEPTH};
    if (limits && limits->max_bytes)
        out.max_bytes = limits->max_bytes;
    if (limits && limits->max_depth > 0)
        out.max_depth = limits->max_depth;
    return out;
}

sr_err_t
sr_msgpack_pack(msgpack_packer *pk, const sr_value_t *v)
{
    int rc = 0;
    size_t len;
    switch (sr_value_type(v)) {
    case SR_T_NIL:
        rc = msgpack_pack_nil(pk);
        break;
    case SR_T_BOOL:
        rc = sr_value_bool(v) ? msgpack_pack_true(pk) : msgpack_pack_false(pk);
        break;
    case SR_T_INT:
        rc = msgpack_pack_int64(pk, sr_value_int(v));
        break;
    case SR_T_FLOAT:
        rc = msgpack_pack_double(pk, sr_value_float(v));
        break;
    case SR_T_STR:
        len = sr_value_len(v);
        rc = msgpack_pack_str(pk, len);
        if (!rc)
            rc = msgpack_pack_str_body(pk, sr_value_str(v), len);
        break;
    case SR_T_BIN: {
        const void *p = sr_value_bin(v, &len);
        rc = msgpack_pack_bin(pk, len);
        if (!rc)
            rc = msgpack_pack_bin_body(pk, p, len);
        break;
    }
    case SR_T_ARRAY:
        len = sr_value_len(v);
        rc = msgpack_pack_array(pk, len);
        for (size_t i = 0; !rc && i < len; i++)
            rc = (int)sr_msgpack_pack(pk, sr_value_array_at(v, i));
        break;
    case SR_T_MAP:
        len = sr_value_len(v);
        rc = msgpack_pack_map(pk, len);
        for (size_t i = 0; !rc && i < len; i++) {
            rc = (int)sr_msgpack_pack(pk, sr_value_map_key(v, i));
            if (!rc)
                rc = (int)sr_msgpack_pack(pk, sr_value_map_val(v, i));
        }
        break;
    }
    return rc ? SR_ENOMEM : SR_OK;
}

sr_err_t
sr_value_encode(const sr_value_t *v, char **buf, size_t *len)
{
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init(&sbuf);
    // Start small: msgpack-c's first growth is 8 KiB, which makes malloc
    // work hard when thousands of small messages are packed a second.
    if ((sbuf.data = malloc(256)))
        sbuf.alloc = 256;
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
    sr_err_t rc = sr_msgpack_pack(&pk, v);
    if (rc) {
        msgpack_sbuffer_destroy(&sbuf);
        return rc;
    }
    *len = sbuf.size;
    *buf = msgpack_sbuffer_release(&sbuf);
    if (!*buf) { // empty buffer cannot happen: every value packs >= 1 byte
        msgpack_sbuffer_destroy(&sbuf);
        return SR_ENOMEM;
    }
    return SR_OK;
}

// --- structural check -----------------------------------------------------

typedef struct {
    const uint8_t *p;
    size_t left;
    int max_depth;
    sr_error_t *err;
} s_reader_t;

static sr_err_t
s_fail(s_reader_t *r, sr_err_t code, const char *what)
{
    return sr_error_set(r->err, code, "msgpack: %s", what);
}

static sr_err_t
s_take(s_reader_t *r, size_t n)
{
    if (n > r->left)
        return s_fail(r, SR_EPROTO, "truncated data");
    r->p += n;
    r->left -= n;
    return SR_OK;
}

// Read a big-endian length of `width` bytes.
static sr_err_t
s_length(s_reader_t *r, int width, size_t *n)
{
    if ((size_t)width > r->left)
        return s_fail(r, SR_EPROTO, "truncated length");
    uint64_t v = 0;
    for (int i = 0; i < width; i++)
        v = (v << 8) | r->p[i];
    r->p += width;
    r->left -= (size_t)width;
    *n = (size_t)v;
    return SR_OK;
}

static sr_err_t s_check_one(s_reader_t *r, int depth);

static sr_err_t
s_check_items(s_reader_t *r, size_t items, int depth)
{
    if (depth >= r->max_depth)
        return s_fail(r, SR_ETOOBIG, "nesting deeper than the limit");
    if (items > r->left) // every item takes at least one byte
        return s_fail(r, SR_EPROTO, "container larger than its data");
    for (size_t i = 0; i < items; i++) {
        sr_err_t rc = s_check_one(r, depth + 1);
        if (rc)
            return rc;
    }
    return SR_OK;
}

static sr_err_t
s_check_one(s_reader_t *r, int depth)
{
    if (r->left == 0)
        return s_fail(r, SR_EPROTO, "truncated data");
    uint8_t b = *r->p;
    r->p++;
    r->left--;
    size_t n = 0;
    sr_err_t rc = SR_OK;
    if (b <= 0x7f || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3)
        return SR_OK;
    if (b >= 0x80 && b <= 0x8f)
        return s_check_items(r, (size_t)(b & 0x0f) * 2, depth);
    if (b >= 0x90 && b <= 0x9f)
        return s_check_items(r, b & 0x0f, depth);
    if (b >= 0xa0 && b <= 0xbf)
        return s_take(r, b & 0x1f);
    switch (b) {
    case 0xc4:
    case 0xd9: // bin8, str8
        rc = s_length(r, 1, &n);
        return rc ? rc : s_take(r, n);
    case 0xc5:
    case 0xda:
        rc = s_length(r, 2, &n);
        return rc ? rc : s_take(r, n);
    case 0xc6:
    case 0xdb:
        rc = s_length(r, 4, &n);
        return rc ? rc : s_take(r, n);
    case 0xca:
        return s_take(r, 4);
    case 0xcb:
        return s_take(r, 8);
    case 0xcc:
    case 0xd0:
        return s_take(r, 1);
    case 0xcd:
    case 0xd1:
        return s_take(r, 2);
    case 0xce:
    case 0xd2:
        return s_take(r, 4);
    case 0xcf:
    case 0xd3:
        return s_take(r, 8);
    case 0xdc:
        rc = s_length(r, 2, &n);
        return rc ? rc : s_check_items(r, n, depth);
    case 0xdd:
        rc = s_length(r, 4, &n);
        return rc ? rc : s_check_items(r, n, depth);
    case 0xde:
        rc = s_length(r, 2, &n);
        return rc ? rc : s_check_items(r, n * 2, depth);
    case 0xdf:
        rc = s_length(r, 4, &n);
        return rc ? rc : s_check_items(r, n * 2, depth);
    default: // 0xc1 (never used), ext and fixext types
        return s_fail(r, SR_EPROTO, "unsupported type byte");
    }
}

static sr_err_t
s_check(const void *buf, size_t len, const sr_limits_t *limits, int cap,
        sr_error_t *err)
{
    sr_limits_t lim = sr_limits_resolve(limits);
    if (len > lim.max_bytes)
        return sr_error_set(err, SR_ETOOBIG,
                            "payload of %zu bytes exceeds the limit of %zu",
                            len, lim.max_bytes);
    if (cap && lim.max_depth > cap)
        lim.max_depth = cap;
    s_reader_t r = {buf, len, lim.max_depth, err};
    sr_err_t rc = s_check_one(&r, 0);
    if (!rc && r.left)
        return s_fail(&r, SR_EPROTO, "trailing bytes after the value");
    return rc;
}

sr_err_t
sr_msgpack_check(const void *buf, size_t len, const sr_limits_t *limits,
                 sr_error_t *err)
{
    return s_check(buf, len, limits, S_UNPACK_DEPTH_MAX, err);
}

// --- direct decoding --------------------------------------------------------
// sr_value_decode builds values straight from bytes already checked by
// s_check, so its depth is bounded by the caller's limit only, not by
// msgpack-c's unpacker stack (stored records nest user data deeply).

uint64_t
sr_msgpack_be(const uint8_t *p, int width)
{
    uint64_t v = 0;
    for (int i = 0; i < width; i++)
        v = (v << 8) | p[i];
    return v;
}

static sr_value_t *s_build(s_reader_t *r, sr_err_t *rc);

static sr_value_t *
s_build_seq(s_reader_t *r, size_t n, bool map, sr_err_t *rc)
{
    sr_value_t *v = map ? sr_value_new_map(n) : sr_value_new_array(n);
    for (size_t i = 0; v && i < n && !*rc; i++) {
        if (map) {
            uint8_t b = *r->p;
            size_t klen = 0;
            int w = b >= 0xa0 && b <= 0xbf ? 0
                    : b == 0xd9            ? 1
                    : b == 0xda            ? 2
                    : b == 0xdb            ? 4
                                           : -1;
            if (w < 0) {
                *rc = s_fail(r, SR_EPROTO, "map key is not a string");
                break;
            }
            klen = w ? (size_t)sr_msgpack_be(r->p + 1, w) : (size_t)(b & 0x1f);
            const char *key = (const char *)r->p + 1 + w;
            r->p += 1 + (size_t)w + klen;
            r->left -= 1 + (size_t)w + klen;
            sr_value_t *val = s_build(r, rc);
            if (!*rc && sr_value_map_putn(v, key, klen, val))
                *rc = SR_ENOMEM;
        } else {
            sr_value_t *item = s_build(r, rc);
            if (!*rc && sr_value_array_append(v, item))
                *rc = SR_ENOMEM;
        }
    }
    if (!v && !*rc)
        *rc = SR_ENOMEM;
    if (*rc)
        sr_value_destroy(&v);
    return v;
}

static sr_value_t *
s_build_bytes(s_reader_t *r, int width, bool bin)
{
    size_t n = (size_t)sr_msgpack_be(r->p, width);
    const char *p = (const char *)r->p + width;
    r->p += (size_t)width + n;
    r->left -= (size_t)width + n;
    return bin ? sr_value_new_bin(p, n) : sr_value_new_strn(p, n);
}

static sr_value_t *
s_build_num(s_reader_t *r, uint8_t b, sr_err_t *rc)
{
    static const int widths[] = {4, 8, 1, 2, 4, 8, 1, 2, 4, 8}; // 0xca..0xd3
    int w = widths[b - 0xca];
    uint64_t u = sr_msgpack_be(r->p, w);
    r->p += w;
    r->left -= (size_t)w;
    if (b == 0xca) {
        uint32_t bits = (uint32_t)u;
        float f;
        memcpy(&f, &bits, 4);
        return sr_value_new_float(f);
    }
    if (b == 0xcb) {
        double d;
        memcpy(&d, &u, 8);
        return sr_value_new_float(d);
    }
    if (b <= 0xcf) { // unsigned
        if (u > INT64_MAX) {
            *rc = s_fail(r, SR_EPROTO, "integer above the int64 range");
            return NULL;
        }
        return sr_value_new_int((int64_t)u);
    }
    int shift = 64 - 8 * w; // sign-extend
    return sr_value_new_int((int64_t)(u << shift) >> shift);
}

static sr_value_t *
s_build(s_reader_t *r, sr_err_t *rc)
{
    uint8_t b = *r->p++;
    r->left--;
    if (b <= 0x7f)
        return sr_value_new_int(b);
    if (b >= 0xe0)
        return sr_value_new_int((int8_t)b);
    if (b <= 0x8f)
        return s_build_seq(r, b & 0x0f, true, rc);
    if (b <= 0x9f)
        return s_build_seq(r, b & 0x0f, false, rc);
    if (b <= 0xbf) {
        size_t n = b & 0x1f;
        const char *p = (const char *)r->p;
        r->p += n;
        r->left -= n;
        return sr_value_new_strn(p, n);
    }
    switch (b) {
    case 0xc0:
        return sr_value_new_nil();
    case 0xc2:
    case 0xc3:
        return sr_value_new_bool(b == 0xc3);
    case 0xc4:
    case 0xc5:
    case 0xc6:
        return s_build_bytes(r, 1 << (b - 0xc4), true);
    case 0xd9:
    case 0xda:
    case 0xdb:
        return s_build_bytes(r, 1 << (b - 0xd9), false);
    case 0xdc:
    case 0xdd:
    case 0xde:
    case 0xdf: {
        int w = b == 0xdc || b == 0xde ? 2 : 4;
        size_t n = (size_t)sr_msgpack_be(r->p, w);
        r->p += w;
        r->left -= (size_t)w;
        return s_build_seq(r, n, b >= 0xde, rc);
    }
    default:
        if (b >= 0xca && b <= 0xd3)
            return s_build_num(r, b, rc);
        *rc = s_fail(r, SR_EPROTO, "unsupported type byte");
        return NULL;
    }
}

// --- conversion -----------------------------------------------------------

sr_err_t
sr_msgpack_to_value(const msgpack_object *o, sr_value_t **out, sr_error_t *err)
{
    sr_value_t *v = NULL;
    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        v = sr_value_new_nil();
        break;
    case MSGPACK_OBJECT_BOOLEAN:
        v = sr_value_new_bool(o->via.boolean);
        break;
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        if (o->via.u64 > INT64_MAX)
            return sr_error_set(err, SR_EPROTO,
                                "msgpack: integer above the int64 range");
        v = sr_value_new_int((int64_t)o->via.u64);
        break;
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        v = sr_value_new_int(o->via.i64);
        break;
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        v = sr_value_new_float(o->via.f64);
        break;
    case MSGPACK_OBJECT_STR:
        v = sr_value_new_strn(o->via.str.ptr, o->via.str.size);
        break;
    case MSGPACK_OBJECT_BIN:
        v = sr_value_new_bin(o->via.bin.ptr, o->via.bin.size);
        break;
    case MSGPACK_OBJECT_ARRAY:
        v = sr_value_new_array(o->via.array.size);
        for (uint32_t i = 0; v && i < o->via.array.size; i++) {
            sr_value_t *item = NULL;
            sr_err_t rc = sr_msgpack_to_value(&o->via.array.ptr[i], &item, err);
            if (!rc)
                rc = sr_value_array_append(v, item);
            if (rc) {
                sr_value_destroy(&v);
                return rc;
            }
        }
        break;
    case MSGPACK_OBJECT_MAP:
        v = sr_value_new_map(o->via.map.size);
        for (uint32_t i = 0; v && i < o->via.map.size; i++) {
            const msgpack_object_kv *kv = &o->via.map.ptr[i];
            if (kv->key.type != MSGPACK_OBJECT_STR) {
                sr_value_destroy(&v);
                return sr_error_set(err, SR_EPROTO,
                                    "msgpack: map key is not a string");
            }
            sr_value_t *val = NULL;
            sr_err_t rc = sr_msgpack_to_value(&kv->val, &val, err);
            if (!rc)
                rc = sr_value_map_putn(v, kv->key.via.str.ptr,
                                       kv->key.via.str.size, val);
            if (rc) {
                sr_value_destroy(&v);
                return rc;
            }
        }
        break;
    default:
        return sr_error_set(err, SR_EPROTO, "msgpack: unsupported type");
    }
    if (!v)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    *out = v;
    return SR_OK;
}

sr_err_t
sr_value_decode(const void *buf, size_t len, const sr_limits_t *limits,
                sr_value_t **out, sr_error_t *err)
{
    sr_err_t rc = s_check(buf, len, limits, 0, err);
    if (rc)
        return rc;
    s_reader_t r = {buf, len, 0, err};
    sr_value_t *v = s_build(&r, &rc);
    if (!rc && !v)
        rc = SR_ENOMEM;
    if (rc) {
        sr_value_destroy(&v);
        return rc == SR_ENOMEM ? sr_error_set(err, rc, "out of memory") : rc;
    }
    *out = v;
    return SR_OK;
}
