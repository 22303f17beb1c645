// The piece-by-piece msgpack reader: each call reads the header of the
// next item (type byte, then a length or a number), checks it against
// the bytes left and moves on. It reads only the header formats the
// caller asks for; floats, booleans and ext types are refused as "found"
// types. Stateless apart from the cursor; allocates nothing.
#include "sr_unpack.h"

#include <string.h>

#include "sr_msgpack_internal.h"

typedef enum {
    S_NIL,
    S_BOOL,
    S_INT,
    S_FLOAT,
    S_STR,
    S_BIN,
    S_ARRAY,
    S_MAP,
    S_EXT,
    S_UNUSED, // 0xc1
} s_kind_t;

static const char *const s_kind_names[] = {
    "nil",    "a boolean", "an integer", "a float", "a string",
    "binary", "an array",  "a map",      "an ext",  "the unused type 0xc1"};

// The header of the next item (of an ext only its kind: never read).
typedef struct {
    s_kind_t kind;
    size_t size;    // header bytes (type byte included)
    uint64_t n;     // length (str, bin) or count (array, map)
    int64_t i;      // S_INT: the value
    bool too_large; // S_INT: above the int64 range
} s_head_t;

// Width of the length field after type bytes 0xc4..0xdf (0: none).
static size_t
s_width(uint8_t b)
{
    switch (b) {
    case 0xc4: // bin8
    case 0xc7: // ext8
    case 0xcc: // uint8
    case 0xd0: // int8
    case 0xd9: // str8
        return 1;
    case 0xc5:
    case 0xc8:
    case 0xcd:
    case 0xd1:
    case 0xda:
    case 0xdc: // array16
    case 0xde: // map16
        return 2;
    case 0xc6:
    case 0xc9:
    case 0xca: // float32
    case 0xce:
    case 0xd2:
    case 0xdb:
    case 0xdd: // array32
    case 0xdf: // map32
        return 4;
    case 0xcb: // float64
    case 0xcf:
    case 0xd3:
        return 8;
    default:
        return 0;
    }
}

static s_kind_t
s_kind(uint8_t b)
{
    if (b <= 0x7f || b >= 0xe0 || (b >= 0xcc && b <= 0xd3))
        return S_INT;
    if (b <= 0x8f || b == 0xde || b == 0xdf)
        return S_MAP;
    if (b <= 0x9f || b == 0xdc || b == 0xdd)
        return S_ARRAY;
    if (b <= 0xbf || (b >= 0xd9 && b <= 0xdb))
        return S_STR;
    if (b >= 0xc4 && b <= 0xc6)
        return S_BIN;
    if (b == 0xca || b == 0xcb)
        return S_FLOAT;
    if (b == 0xc0)
        return S_NIL;
    if (b == 0xc2 || b == 0xc3)
        return S_BOOL;
    return b == 0xc1 ? S_UNUSED : S_EXT;
}

// An integer's value from its header; `w` bytes after the type byte.
static void
s_int(s_head_t *h, uint8_t b, const uint8_t *p, size_t w)
{
    if (b <= 0x7f) {
        h->i = b;
    } else if (b >= 0xe0) {
        h->i = (int8_t)b;
    } else if (b <= 0xcf) { // unsigned
        uint64_t u = sr_msgpack_be(p, (int)w);
        h->too_large = u > INT64_MAX;
        h->i = (int64_t)u;
    } else { // signed: sign-extend
        int shift = (int)(64 - 8 * w);
        h->i = (int64_t)(sr_msgpack_be(p, (int)w) << shift) >> shift;
    }
}

// Read the header at the cursor without moving it.
static sr_err_t
s_head(const sr_unpack_t *u, s_head_t *h, sr_error_t *err)
{
    if (!u->left)
        return sr_error_set(err, SR_EPROTO, "msgpack: truncated data");
    uint8_t b = u->p[0];
    size_t w = s_width(b);
    *h = (s_head_t){.kind = s_kind(b), .size = 1 + w};
    if (w >= u->left)
        return sr_error_set(err, SR_EPROTO, "msgpack: truncated header");
    if (h->kind == S_INT)
        s_int(h, b, u->p + 1, w);
    else if (b >= 0x80 && b <= 0xbf)
        h->n = b & (b >= 0xa0 ? 0x1f : 0x0f);
    else if (h->kind != S_FLOAT)
        h->n = sr_msgpack_be(u->p + 1, (int)w);
    return SR_OK;
}

static sr_err_t
s_want(const s_head_t *h, s_kind_t kind, sr_error_t *err)
{
    if (h->kind == kind)
        return SR_OK;
    return sr_error_set(err, SR_EPROTO, "msgpack: expected %s, found %s",
                        s_kind_names[kind], s_kind_names[h->kind]);
}

// Read the header of an item of `kind`, check that its length or count
// fits the bytes after it, and move past the header.
static sr_err_t
s_expect(sr_unpack_t *u, s_kind_t kind, s_head_t *h, sr_error_t *err)
{
    sr_err_t rc = s_head(u, h, err);
    if (!rc)
        rc = s_want(h, kind, err);
    if (rc)
        return rc;
    size_t after = u->left - h->size;
    size_t unit = kind == S_MAP ? 2 : 1; // bytes per count at least
    if (h->n > after / unit)
        return sr_error_set(err, SR_EPROTO,
                            "msgpack: %s of %llu %s larger than the %zu bytes "
                            "after it",
                            s_kind_names[kind], (unsigned long long)h->n,
                            kind == S_MAP     ? "pairs"
                            : kind == S_ARRAY ? "items"
                                              : "bytes",
                            after);
    u->p += h->size;
    u->left -= h->size;
    return SR_OK;
}

// A container's count.
static sr_err_t
s_count(sr_unpack_t *u, s_kind_t kind, size_t *n, sr_error_t *err)
{
    s_head_t h;
    sr_err_t rc = s_expect(u, kind, &h, err);
    if (!rc)
        *n = (size_t)h.n;
    return rc;
}

void
sr_unpack_init(sr_unpack_t *u, const void *buf, size_t len)
{
    u->p = buf;
    u->left = buf ? len : 0;
}

size_t
sr_unpack_left(const sr_unpack_t *u)
{
    return u->left;
}

sr_err_t
sr_unpack_array(sr_unpack_t *u, size_t *n, sr_error_t *err)
{
    return s_count(u, S_ARRAY, n, err);
}

sr_err_t
sr_unpack_map(sr_unpack_t *u, size_t *n, sr_error_t *err)
{
    return s_count(u, S_MAP, n, err);
}

// The header of an integer, or an error; the cursor has not moved.
static sr_err_t
s_int_head(const sr_unpack_t *u, s_head_t *h, sr_error_t *err)
{
    sr_err_t rc = s_head(u, h, err);
    return rc ? rc : s_want(h, S_INT, err);
}

sr_err_t
sr_unpack_int(sr_unpack_t *u, int64_t *v, sr_error_t *err)
{
    s_head_t h;
    sr_err_t rc = s_int_head(u, &h, err);
    if (!rc && h.too_large)
        rc = sr_error_set(err, SR_EPROTO,
                          "msgpack: integer above the int64 range");
    if (rc)
        return rc;
    u->p += h.size;
    u->left -= h.size;
    *v = h.i;
    return SR_OK;
}

sr_err_t
sr_unpack_uint(sr_unpack_t *u, uint64_t *v, sr_error_t *err)
{
    s_head_t h;
    sr_err_t rc = s_int_head(u, &h, err);
    if (!rc && h.i < 0 && !h.too_large)
        rc = sr_error_set(err, SR_EPROTO,
                          "msgpack: expected an unsigned integer, found %lld",
                          (long long)h.i);
    if (rc)
        return rc;
    u->p += h.size;
    u->left -= h.size;
    *v = (uint64_t)h.i; // too_large: h.i holds the uint64's bits
    return SR_OK;
}

// A string's or a binary's bytes, after its header.
static sr_err_t
s_bytes(sr_unpack_t *u, s_kind_t kind, const void **data, size_t *len,
        sr_error_t *err)
{
    s_head_t h;
    sr_err_t rc = s_expect(u, kind, &h, err);
    if (rc)
        return rc;
    *data = u->p;
    *len = (size_t)h.n;
    u->p += h.n;
    u->left -= (size_t)h.n;
    return SR_OK;
}

sr_err_t
sr_unpack_str(sr_unpack_t *u, const char **s, size_t *len, sr_error_t *err)
{
    const void *data = NULL;
    sr_err_t rc = s_bytes(u, S_STR, &data, len, err);
    if (!rc)
        *s = data;
    return rc;
}

sr_err_t
sr_unpack_bin(sr_unpack_t *u, const void **data, size_t *len, sr_error_t *err)
{
    return s_bytes(u, S_BIN, data, len, err);
}

bool
sr_unpack_nil(sr_unpack_t *u)
{
    if (!u->left || u->p[0] != 0xc0)
        return false;
    u->p++;
    u->left--;
    return true;
}
