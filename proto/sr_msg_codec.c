// Encoder, decoder and validator of protocol messages: one generic walk
// over the field table of sr_msg.def, no per-message code. Encoding packs
// straight from the message's values into a msgpack-c sbuffer. Decoding
// runs sr_msgpack_check (sizes and structure, before msgpack-c allocates),
// unpacks, and converts field by field, checking type and limit of each
// before its value is built. Owns nothing between calls; reentrant.
#include "sr_msg_codec.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_msgpack_internal.h"

// --- errors ---------------------------------------------------------------

static sr_err_t s_field_error(sr_error_t *err, sr_err_t code,
                              const sr_field_desc_t *fd, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static sr_err_t
s_field_error(sr_error_t *err, sr_err_t code, const sr_field_desc_t *fd,
              const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sr_error_vset(err, code, fmt, ap);
    va_end(ap);
    if (err)
        snprintf(err->where, sizeof err->where, "field '%s'", fd->name);
    return code;
}

// Check a measure against the field's limit: `n` is the bytes of a STR,
// MAP or VALUE, the items of an ARRAY or STRS, the value of an INT or MS.
// `code` is returned for an integer below its minimum.
static sr_err_t
s_check_limit(const sr_field_desc_t *fd, int64_t n, sr_err_t code,
              sr_error_t *err)
{
    const char *msg = sr_msg_type_name(fd->msg);
    switch (fd->type) {
    case SR_FT_INT:
    case SR_FT_MS:
        if (n < fd->limit)
            return s_field_error(
                err, code, fd, "%s: %" PRId64 " is below the minimum %" PRId64,
                msg, n, fd->limit);
        return SR_OK;
    case SR_FT_STR:
    case SR_FT_MAP:
    case SR_FT_VALUE:
        if (fd->limit > 0 && n > fd->limit)
            return s_field_error(err, SR_ETOOBIG, fd,
                                 "%s: %s of %" PRId64
                                 " bytes exceeds the limit of %" PRId64
                                 " bytes",
                                 msg, sr_ftype_name(fd->type), n, fd->limit);
        return SR_OK;
    case SR_FT_ARRAY:
    case SR_FT_STRS:
        if (fd->limit > 0 && n > fd->limit)
            return s_field_error(err, SR_ETOOBIG, fd,
                                 "%s: %" PRId64
                                 " items exceed the limit of %" PRId64,
                                 msg, n, fd->limit);
        return SR_OK;
    default:
        return SR_OK;
    }
}

// --- encoded sizes (minimal msgpack widths) -------------------------------

static size_t
s_str_hdr(size_t n)
{
    return n < 32 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5;
}

static size_t
s_bin_hdr(size_t n)
{
    return n < 256 ? 2 : n < 65536 ? 3 : 5;
}

static size_t
s_items_hdr(size_t n)
{
    return n < 16 ? 1 : n < 65536 ? 3 : 5;
}

static size_t
s_int_size(int64_t i)
{
    if (i >= 0)
        return i < 128           ? 1
               : i < 256         ? 2
               : i < 65536       ? 3
               : i <= UINT32_MAX ? 5
                                 : 9;
    return i >= -32         ? 1
           : i >= INT8_MIN  ? 2
           : i >= INT16_MIN ? 3
           : i >= INT32_MIN ? 5
                            : 9;
}

static size_t
s_value_size(const sr_value_t *v)
{
    size_t n = sr_value_len(v), sum;
    switch (sr_value_type(v)) {
    case SR_T_INT:
        return s_int_size(sr_value_int(v));
    case SR_T_FLOAT:
        return 9;
    case SR_T_STR:
        return s_str_hdr(n) + n;
    case SR_T_BIN:
        return s_bin_hdr(n) + n;
    case SR_T_ARRAY:
        sum = s_items_hdr(n);
        for (size_t i = 0; i < n; i++)
            sum += s_value_size(sr_value_array_at(v, i));
        return sum;
    case SR_T_MAP:
        sum = s_items_hdr(n);
        for (size_t i = 0; i < n; i++)
            sum += s_value_size(sr_value_map_key(v, i)) +
                   s_value_size(sr_value_map_val(v, i));
        return sum;
    default: // nil, bool
        return 1;
    }
}

static size_t
s_object_size(const msgpack_object *o)
{
    size_t sum;
    switch (o->type) {
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
        return o->via.u64 > INT64_MAX ? 9 : s_int_size((int64_t)o->via.u64);
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        return s_int_size(o->via.i64);
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        return 9;
    case MSGPACK_OBJECT_STR:
        return s_str_hdr(o->via.str.size) + o->via.str.size;
    case MSGPACK_OBJECT_BIN:
        return s_bin_hdr(o->via.bin.size) + o->via.bin.size;
    case MSGPACK_OBJECT_ARRAY:
        sum = s_items_hdr(o->via.array.size);
        for (uint32_t i = 0; i < o->via.array.size; i++)
            sum += s_object_size(&o->via.array.ptr[i]);
        return sum;
    case MSGPACK_OBJECT_MAP:
        sum = s_items_hdr(o->via.map.size);
        for (uint32_t i = 0; i < o->via.map.size; i++)
            sum += s_object_size(&o->via.map.ptr[i].key) +
                   s_object_size(&o->via.map.ptr[i].val);
        return sum;
    default:
        return 1;
    }
}

// --- encode ---------------------------------------------------------------

// The measure s_check_limit wants for a value of field `fd`.
static int64_t
s_measure(const sr_field_desc_t *fd, const sr_value_t *v)
{
    switch (fd->type) {
    case SR_FT_INT:
    case SR_FT_MS:
        return sr_value_int(v);
    case SR_FT_STR:
    case SR_FT_ARRAY:
    case SR_FT_STRS:
        return (int64_t)sr_value_len(v);
    case SR_FT_MAP:
    case SR_FT_VALUE:
        return fd->limit > 0 ? (int64_t)s_value_size(v) : 0;
    default:
        return 0;
    }
}

sr_err_t
sr_msg_validate(const sr_msg_t *m, sr_error_t *err)
{
    sr_msg_type_t type = sr_msg_type(m);
    if (type == SR_MSG_NONE)
        return sr_error_set(err, SR_EINVAL, "no message");
    size_t count = sr_msg_field_count(type);
    for (size_t i = 0; i < count; i++) {
        const sr_field_desc_t *fd = sr_field_desc(sr_msg_field_at(type, i));
        const sr_value_t *v = sr_msg_get(m, fd->id);
        if (!v && fd->is_required)
            return s_field_error(
                err, SR_EINVAL, fd, "%s: required %s is missing",
                sr_msg_type_name(type), sr_ftype_name(fd->type));
        sr_err_t rc =
            v ? s_check_limit(fd, s_measure(fd, v), SR_EINVAL, err) : SR_OK;
        if (rc)
            return rc;
    }
    return SR_OK;
}

static int
s_pack_fields(msgpack_packer *pk, const sr_msg_t *m)
{
    sr_msg_type_t type = sr_msg_type(m);
    size_t count = sr_msg_field_count(type), present = 0;
    for (size_t i = 0; i < count; i++)
        present += sr_msg_has(m, sr_msg_field_at(type, i));
    const char *name = sr_msg_type_name(type);
    size_t len = strlen(name);
    int rc = msgpack_pack_array(pk, 4);
    rc = rc ? rc : msgpack_pack_int(pk, SR_PROTO_MAJOR);
    rc = rc ? rc : msgpack_pack_int(pk, SR_PROTO_MINOR);
    rc = rc ? rc : msgpack_pack_str_with_body(pk, name, len);
    rc = rc ? rc : msgpack_pack_map(pk, present);
    for (size_t i = 0; !rc && i < count; i++) {
        const sr_field_desc_t *fd = sr_field_desc(sr_msg_field_at(type, i));
        const sr_value_t *v = sr_msg_get(m, fd->id);
        if (!v)
            continue;
        rc = msgpack_pack_str_with_body(pk, fd->name, fd->name_len);
        rc = rc ? rc : (int)sr_msgpack_pack(pk, v);
    }
    return rc;
}

sr_err_t
sr_msg_encode(const sr_msg_t *m, char **buf, size_t *len, sr_error_t *err)
{
    sr_err_t rc = sr_msg_validate(m, err);
    if (rc)
        return rc;
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init(&sbuf);
    // Start small: msgpack-c's first growth is 8 KiB, which makes malloc
    // work hard when thousands of small messages are packed a second.
    if ((sbuf.data = malloc(256)))
        sbuf.alloc = 256;
    msgpack_packer pk;
    msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
    if (s_pack_fields(&pk, m) != 0) {
        msgpack_sbuffer_destroy(&sbuf);
        return sr_error_set(err, SR_ENOMEM, "out of memory encoding %s",
                            sr_msg_type_name(sr_msg_type(m)));
    }
    *len = sbuf.size;
    *buf = msgpack_sbuffer_release(&sbuf);
    return SR_OK;
}

// --- decode ---------------------------------------------------------------

static const char *
s_object_type_name(const msgpack_object *o)
{
    switch (o->type) {
    case MSGPACK_OBJECT_NIL:
        return "nil";
    case MSGPACK_OBJECT_BOOLEAN:
        return "bool";
    case MSGPACK_OBJECT_POSITIVE_INTEGER:
    case MSGPACK_OBJECT_NEGATIVE_INTEGER:
        return "int";
    case MSGPACK_OBJECT_FLOAT32:
    case MSGPACK_OBJECT_FLOAT64:
        return "float";
    case MSGPACK_OBJECT_STR:
        return "string";
    case MSGPACK_OBJECT_BIN:
        return "binary";
    case MSGPACK_OBJECT_ARRAY:
        return "array";
    case MSGPACK_OBJECT_MAP:
        return "map";
    default:
        return "extension";
    }
}

// Printable copy of at most 40 bytes of untrusted text, for messages.
static const char *
s_printable(const char *p, size_t n, char out[48])
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < 40; i++)
        out[k++] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
    if (n > 40) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = '\0';
    return out;
}

static sr_err_t
s_wrong_type(const sr_field_desc_t *fd, const msgpack_object *o,
             sr_error_t *err)
{
    return s_field_error(err, SR_EPROTO, fd, "%s: expected %s, got %s",
                         sr_msg_type_name(fd->msg), sr_ftype_name(fd->type),
                         s_object_type_name(o));
}

static bool
s_is_int(const msgpack_object *o)
{
    return o->type == MSGPACK_OBJECT_POSITIVE_INTEGER ||
           o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER;
}

// The int64 value of an integer object; false when above the range.
static bool
s_int_of(const msgpack_object *o, int64_t *out)
{
    if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        *out = o->via.i64;
        return true;
    }
    if (o->via.u64 > INT64_MAX)
        return false;
    *out = (int64_t)o->via.u64;
    return true;
}

static sr_err_t
s_decode_uuid(const sr_field_desc_t *fd, const msgpack_object *o,
              sr_value_t **out, sr_error_t *err)
{
    sr_id_t id;
    char text[SR_ID_TEXT_SIZE];
    if (o->type == MSGPACK_OBJECT_BIN && o->via.bin.size == SR_ID_SIZE) {
        memcpy(id.b, o->via.bin.ptr, SR_ID_SIZE);
    } else if (o->type == MSGPACK_OBJECT_STR &&
               o->via.str.size == SR_ID_TEXT_SIZE - 1) {
        memcpy(text, o->via.str.ptr, SR_ID_TEXT_SIZE - 1);
        text[SR_ID_TEXT_SIZE - 1] = '\0';
        if (sr_id_parse(text, &id) != SR_OK)
            return s_field_error(err, SR_EPROTO, fd, "%s: malformed UUID",
                                 sr_msg_type_name(fd->msg));
    } else {
        return s_field_error(
            err, SR_EPROTO, fd,
            "%s: expected a 16-byte binary or a 36-character UUID, got %s",
            sr_msg_type_name(fd->msg), s_object_type_name(o));
    }
    *out = sr_id_to_value(&id);
    return *out ? SR_OK : sr_error_set(err, SR_ENOMEM, "out of memory");
}

static sr_err_t
s_decode_scalar(const sr_field_desc_t *fd, const msgpack_object *o,
                sr_value_t **out, sr_error_t *err)
{
    int64_t i = 0;
    sr_err_t rc = SR_OK;
    switch (fd->type) {
    case SR_FT_STR:
        if (o->type != MSGPACK_OBJECT_STR)
            return s_wrong_type(fd, o, err);
        if (memchr(o->via.str.ptr, '\0', o->via.str.size))
            return s_field_error(err, SR_EPROTO, fd,
                                 "%s: string contains a NUL byte",
                                 sr_msg_type_name(fd->msg));
        rc = s_check_limit(fd, o->via.str.size, SR_EPROTO, err);
        *out = rc ? NULL : sr_value_new_strn(o->via.str.ptr, o->via.str.size);
        break;
    case SR_FT_INT:
    case SR_FT_MS:
        if (!s_is_int(o))
            return s_wrong_type(fd, o, err);
        if (!s_int_of(o, &i))
            return s_field_error(err, SR_EPROTO, fd,
                                 "%s: integer above the int64 range",
                                 sr_msg_type_name(fd->msg));
        rc = s_check_limit(fd, i, SR_EPROTO, err);
        *out = rc ? NULL : sr_value_new_int(i);
        break;
    case SR_FT_BOOL:
        if (o->type != MSGPACK_OBJECT_BOOLEAN)
            return s_wrong_type(fd, o, err);
        *out = sr_value_new_bool(o->via.boolean);
        break;
    default: // SR_FT_FLOAT
        if (o->type == MSGPACK_OBJECT_FLOAT32 ||
            o->type == MSGPACK_OBJECT_FLOAT64)
            *out = sr_value_new_float(o->via.f64);
        else if (s_is_int(o) && s_int_of(o, &i))
            *out = sr_value_new_float((double)i);
        else
            return s_wrong_type(fd, o, err);
        break;
    }
    if (!rc && !*out)
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    return rc;
}

// MAP, ARRAY, STRS, VALUE: check shape and limit, then convert.
static sr_err_t
s_decode_tree(const sr_field_desc_t *fd, const msgpack_object *o,
              sr_value_t **out, sr_error_t *err)
{
    sr_err_t rc;
    if (fd->type == SR_FT_MAP && o->type != MSGPACK_OBJECT_MAP)
        return s_wrong_type(fd, o, err);
    if (fd->type == SR_FT_ARRAY || fd->type == SR_FT_STRS) {
        if (o->type != MSGPACK_OBJECT_ARRAY)
            return s_wrong_type(fd, o, err);
        rc = s_check_limit(fd, o->via.array.size, SR_EPROTO, err);
        if (rc)
            return rc;
        for (uint32_t i = 0; fd->type == SR_FT_STRS && i < o->via.array.size;
             i++) {
            const msgpack_object *item = &o->via.array.ptr[i];
            if (item->type != MSGPACK_OBJECT_STR ||
                memchr(item->via.str.ptr, '\0', item->via.str.size))
                return s_field_error(err, SR_EPROTO, fd,
                                     "%s: item %" PRIu32
                                     " is not a string without NUL bytes",
                                     sr_msg_type_name(fd->msg), i);
        }
    } else if (fd->limit > 0) {
        rc = s_check_limit(fd, (int64_t)s_object_size(o), SR_EPROTO, err);
        if (rc)
            return rc;
    }
    rc = sr_msgpack_to_value(o, out, err);
    if (rc && err)
        snprintf(err->where, sizeof err->where, "field '%s'", fd->name);
    return rc;
}

static sr_err_t
s_decode_value(const sr_field_desc_t *fd, const msgpack_object *o,
               sr_value_t **out, sr_error_t *err)
{
    switch (fd->type) {
    case SR_FT_UUID:
        return s_decode_uuid(fd, o, out, err);
    case SR_FT_STR:
    case SR_FT_INT:
    case SR_FT_MS:
    case SR_FT_BOOL:
    case SR_FT_FLOAT:
        return s_decode_scalar(fd, o, out, err);
    default:
        return s_decode_tree(fd, o, out, err);
    }
}

static sr_err_t
s_decode_fields(sr_msg_t *m, const msgpack_object *fields, sr_error_t *err)
{
    sr_msg_type_t type = sr_msg_type(m);
    uint64_t seen = 0; // bit i: field i of the type was given
    for (uint32_t k = 0; k < fields->via.map.size; k++) {
        const msgpack_object_kv *kv = &fields->via.map.ptr[k];
        if (kv->key.type != MSGPACK_OBJECT_STR)
            return sr_error_set(
                err, SR_EPROTO, "%s: field names must be strings, got %s",
                sr_msg_type_name(type), s_object_type_name(&kv->key));
        sr_field_t f =
            sr_msg_field_find(type, kv->key.via.str.ptr, kv->key.via.str.size);
        const sr_field_desc_t *fd = sr_field_desc(f);
        if (!fd) // unknown: a newer minor version may add optional fields
            continue;
        uint64_t bit = (uint64_t)1 << (f - sr_msg_field_at(type, 0));
        if (seen & bit)
            return s_field_error(err, SR_EPROTO, fd, "%s: field given twice",
                                 sr_msg_type_name(type));
        seen |= bit;
        if (kv->val.type == MSGPACK_OBJECT_NIL && fd->type != SR_FT_VALUE)
            continue; // nil = absent
        sr_value_t *v = NULL;
        sr_err_t rc = s_decode_value(fd, &kv->val, &v, err);
        if (!rc && sr_msg_set(m, f, v) != SR_OK)
            rc = s_field_error(err, SR_EINTERNAL, fd,
                               "%s: decoded value refused",
                               sr_msg_type_name(type));
        if (rc)
            return rc;
    }
    return SR_OK;
}

static sr_err_t
s_check_required(const sr_msg_t *m, sr_error_t *err)
{
    sr_msg_type_t type = sr_msg_type(m);
    size_t count = sr_msg_field_count(type);
    for (size_t i = 0; i < count; i++) {
        const sr_field_desc_t *fd = sr_field_desc(sr_msg_field_at(type, i));
        if (fd->is_required && !sr_msg_has(m, fd->id))
            return s_field_error(
                err, SR_EPROTO, fd, "%s: required %s is missing",
                sr_msg_type_name(type), sr_ftype_name(fd->type));
    }
    return SR_OK;
}

// Read [major, minor, "TYPE", {fields}] and check the version and type.
static sr_err_t
s_envelope(const msgpack_object *o, sr_msg_type_t *type, uint32_t *sender_minor,
           const msgpack_object **fields, sr_error_t *err)
{
    char buf[48];
    if (o->type != MSGPACK_OBJECT_ARRAY || o->via.array.size < 2 ||
        o->via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
        o->via.array.ptr[1].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return sr_error_set(err, SR_EPROTO,
                            "not a Sirocco message: expected an array "
                            "[major, minor, type, fields]");
    const msgpack_object *it = o->via.array.ptr;
    uint64_t major = it[0].via.u64, minor = it[1].via.u64;
    if (major != SR_PROTO_MAJOR)
        return sr_error_set(err, SR_EVERSION,
                            "peer speaks protocol %" PRIu64 ".%" PRIu64
                            ", this node speaks %d.%d",
                            major, minor, SR_PROTO_MAJOR, SR_PROTO_MINOR);
    if (o->via.array.size != 4)
        return sr_error_set(err, SR_EPROTO,
                            "expected [major, minor, type, fields], got an "
                            "array of %" PRIu32 " items",
                            o->via.array.size);
    if (it[2].type != MSGPACK_OBJECT_STR)
        return sr_error_set(err, SR_EPROTO,
                            "message type must be a string, got %s",
                            s_object_type_name(&it[2]));
    *type = sr_msg_type_parsen(it[2].via.str.ptr, it[2].via.str.size);
    if (*type == SR_MSG_NONE)
        return sr_error_set(
            err, SR_EPROTO,
            "unknown message type '%s' (peer speaks protocol %" PRIu64
            ".%" PRIu64 ", this node speaks %d.%d)",
            s_printable(it[2].via.str.ptr, it[2].via.str.size, buf), major,
            minor, SR_PROTO_MAJOR, SR_PROTO_MINOR);
    if (it[3].type != MSGPACK_OBJECT_MAP)
        return sr_error_set(err, SR_EPROTO, "%s: fields must be a map, got %s",
                            sr_msg_type_name(*type),
                            s_object_type_name(&it[3]));
    *fields = &it[3];
    *sender_minor = minor > UINT32_MAX ? UINT32_MAX : (uint32_t)minor;
    return SR_OK;
}

// A message unpacked: its objects in a zone of its own, sized to the
// message. (msgpack_unpack_next would take an 8 KiB zone for every
// message, an allocation large enough to make malloc consolidate its
// free lists each time: 3% of an engine's time under load.)
typedef struct {
    msgpack_zone zone;
    msgpack_object data;
    bool inited;
} s_unpacked_t;

static void
s_unpacked_fini(s_unpacked_t *up)
{
    if (up->inited)
        msgpack_zone_destroy(&up->zone);
    up->inited = false;
}

// Check then unpack `buf` into `up` (zeroed by the caller; finish it with
// s_unpacked_fini whatever the outcome).
static sr_err_t
s_unpack(const void *buf, size_t len, const sr_limits_t *limits,
         s_unpacked_t *up, sr_error_t *err)
{
    sr_err_t rc = sr_msgpack_check(buf, len, limits, err);
    if (rc)
        return rc;
    // Objects take about as many bytes as four times the message; more
    // chunks are added as needed.
    size_t chunk = len < 64 ? 256 : len > 2048 ? 8192 : 4 * len;
    if (!msgpack_zone_init(&up->zone, chunk))
        return sr_error_set(err, SR_ENOMEM, "msgpack: out of memory");
    up->inited = true;
    size_t off = 0;
    msgpack_unpack_return ret =
        msgpack_unpack(buf, len, &off, &up->zone, &up->data);
    if (ret == MSGPACK_UNPACK_SUCCESS || ret == MSGPACK_UNPACK_EXTRA_BYTES)
        return SR_OK;
    if (ret == MSGPACK_UNPACK_NOMEM_ERROR)
        return sr_error_set(err, SR_ENOMEM, "msgpack: out of memory");
    return sr_error_set(err, SR_EPROTO, "msgpack: malformed data");
}

sr_err_t
sr_msg_decode(const void *buf, size_t len, const sr_limits_t *limits,
              sr_msg_t **out, sr_error_t *err)
{
    s_unpacked_t up = {0};
    sr_msg_t *m = NULL;
    sr_msg_type_t type = SR_MSG_NONE;
    uint32_t minor = 0;
    const msgpack_object *fields = NULL;
    sr_err_t rc = s_unpack(buf, len, limits, &up, err);
    if (!rc)
        rc = s_envelope(&up.data, &type, &minor, &fields, err);
    if (!rc && !(m = sr_msg_new(type)))
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    if (!rc)
        sr_msg_set_minor(m, minor);
    if (!rc)
        rc = s_decode_fields(m, fields, err);
    if (!rc)
        rc = s_check_required(m, err);
    s_unpacked_fini(&up);
    if (rc) {
        sr_msg_destroy(&m);
        return rc;
    }
    *out = m;
    return SR_OK;
}

void
sr_msg_peek(const void *buf, size_t len, const sr_limits_t *limits,
            sr_msg_type_t *type, int64_t *req_id)
{
    *type = SR_MSG_NONE;
    *req_id = -1;
    s_unpacked_t up = {0};
    if (s_unpack(buf, len, limits, &up, NULL) == SR_OK &&
        up.data.type == MSGPACK_OBJECT_ARRAY && up.data.via.array.size >= 4) {
        const msgpack_object *it = up.data.via.array.ptr;
        if (it[2].type == MSGPACK_OBJECT_STR)
            *type = sr_msg_type_parsen(it[2].via.str.ptr, it[2].via.str.size);
        for (uint32_t k = 0;
             it[3].type == MSGPACK_OBJECT_MAP && k < it[3].via.map.size; k++) {
            const msgpack_object_kv *kv = &it[3].via.map.ptr[k];
            if (kv->key.type == MSGPACK_OBJECT_STR &&
                kv->key.via.str.size == 6 &&
                memcmp(kv->key.via.str.ptr, "req_id", 6) == 0 &&
                kv->val.type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
                kv->val.via.u64 <= INT64_MAX)
                *req_id = (int64_t)kv->val.via.u64;
        }
    }
    s_unpacked_fini(&up);
}
