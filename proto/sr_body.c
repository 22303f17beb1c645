// REPLY body shapes. Expands the SR_REPLY, SR_BODY and SR_BFIELD lines of
// sr_msg.def into static descriptor arrays; builds bodies by field (the
// name comes from the table), reads them back, and checks a whole body
// against its declared shape. Bodies are plain sr_value_t maps: this room
// owns no type of its own but the builder, and does no I/O. The table is
// read-only (any thread); a builder belongs to one thread.
#include "sr_body.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define S_PATH 160 // bytes of a field's path in check messages

// A body field's ITEM names a shape exactly when it is OBJ or OBJS.
#define SR_BFIELD(shape, field, type, required, item, doc)                     \
    _Static_assert(                                                            \
        (SR_FT_##type == SR_FT_OBJ || SR_FT_##type == SR_FT_OBJS) ==           \
            (SR_SHAPE_##item != SR_SHAPE_NONE),                                \
        #shape "." #field ": ITEM is a shape for OBJ, OBJS only");
#include "sr_msg.def"

typedef struct {
    const char *name;
    const char *doc;
} s_shape_desc_t;

static const s_shape_desc_t s_shapes[SR_SHAPE_END] = {
#define SR_BODY(shape, doc) [SR_SHAPE_##shape] = {#shape, doc},
#include "sr_msg.def"
};

// First field of each shape; entry SR_SHAPE_END closes the last shape.
static const int s_first[SR_SHAPE_END + 1] = {
#define SR_BODY(shape, doc) [SR_SHAPE_##shape] = SR_BMARK_FIRST_##shape,
#include "sr_msg.def"
    [SR_SHAPE_END] = SR_B_COUNT};

static const sr_bfield_desc_t s_fields[SR_B_COUNT] = {
#define SR_BFIELD(shape, field, type, required, item, doc)                     \
    [SR_B_##shape##_##field] = {SR_B_##shape##_##field,                        \
                                SR_SHAPE_##shape,                              \
                                #field,                                        \
                                sizeof #field - 1,                             \
                                SR_FT_##type,                                  \
                                SR_##required,                                 \
                                SR_SHAPE_##item,                               \
                                doc},
#define SR_REQUIRED true
#define SR_OPTIONAL false
#include "sr_msg.def"
#undef SR_REQUIRED
#undef SR_OPTIONAL
};

typedef struct {
    sr_reply_kind_t kind;
    sr_shape_t shape;
    const char *doc;
} s_reply_t;

// By message type id; a second SR_REPLY for one message is a compile
// error (-Woverride-init with -Werror).
static const s_reply_t s_replies[256] = {
#define SR_REPLY(msg, kind, shape, doc)                                        \
    [SR_MSG_##msg] = {SR_REPLY_##kind, SR_SHAPE_##shape, doc},
#include "sr_msg.def"
};

// --- the table ------------------------------------------------------------

size_t
sr_shape_count(void)
{
    return SR_SHAPE_END - 1;
}

bool
sr_shape_is_valid(sr_shape_t shape)
{
    return shape > SR_SHAPE_NONE && shape < SR_SHAPE_END;
}

const char *
sr_shape_name(sr_shape_t shape)
{
    return sr_shape_is_valid(shape) ? s_shapes[shape].name : "NONE";
}

const char *
sr_shape_doc(sr_shape_t shape)
{
    return sr_shape_is_valid(shape) ? s_shapes[shape].doc : "";
}

size_t
sr_shape_field_count(sr_shape_t shape)
{
    if (!sr_shape_is_valid(shape))
        return 0;
    return (size_t)(s_first[shape + 1] - s_first[shape]);
}

sr_bfield_t
sr_shape_field_at(sr_shape_t shape, size_t i)
{
    if (i >= sr_shape_field_count(shape))
        return SR_B_COUNT;
    return (sr_bfield_t)(s_first[shape] + (int)i);
}

sr_bfield_t
sr_shape_field_find(sr_shape_t shape, const char *name, size_t len)
{
    for (size_t i = 0; i < sr_shape_field_count(shape); i++) {
        const sr_bfield_desc_t *fd = &s_fields[s_first[shape] + (int)i];
        if (fd->name_len == len && memcmp(fd->name, name, len) == 0)
            return fd->id;
    }
    return SR_B_COUNT;
}

const sr_bfield_desc_t *
sr_bfield_desc(sr_bfield_t f)
{
    return (int)f >= 0 && f < SR_B_COUNT ? &s_fields[f] : NULL;
}

sr_reply_kind_t
sr_reply_of(sr_msg_type_t req, sr_shape_t *shape, const char **doc)
{
    const s_reply_t *r = (unsigned)req < 256 ? &s_replies[req] : NULL;
    if (!r || r->kind == SR_REPLY_NONE)
        return SR_REPLY_NONE;
    if (shape)
        *shape = r->shape;
    if (doc)
        *doc = r->doc;
    return r->kind;
}

// --- values of a type -------------------------------------------------------

static bool
s_is_time(const sr_value_t *v)
{
    static const char form[] = "dddd-dd-dd dd:dd:dd";
    if (!sr_value_is(v, SR_T_STR) || sr_value_len(v) != sizeof form - 1)
        return false;
    const char *s = sr_value_str(v);
    for (size_t i = 0; i < sizeof form - 1; i++)
        if (form[i] == 'd' ? s[i] < '0' || s[i] > '9' : s[i] != form[i])
            return false;
    return true;
}

// Every item of array `a` is of value type `t`.
static bool
s_all(const sr_value_t *a, sr_type_t t)
{
    for (size_t i = 0; i < sr_value_len(a); i++)
        if (!sr_value_is(sr_value_array_at(a, i), t))
            return false;
    return true;
}

// `v` (not nil) has the form of `type`; nested shapes are not looked into.
static bool
s_type_ok(sr_ftype_t type, const sr_value_t *v)
{
    sr_id_t id;
    switch (type) {
    case SR_FT_UUID:
        return sr_id_from_value(v, &id) == SR_OK;
    case SR_FT_STR:
        return sr_value_is(v, SR_T_STR);
    case SR_FT_TIME:
        return s_is_time(v);
    case SR_FT_INT:
    case SR_FT_MS:
        return sr_value_is(v, SR_T_INT);
    case SR_FT_BOOL:
        return sr_value_is(v, SR_T_BOOL);
    case SR_FT_FLOAT:
        return sr_value_is_number(v);
    case SR_FT_MAP:
    case SR_FT_OBJ:
        return sr_value_is(v, SR_T_MAP);
    case SR_FT_ARRAY:
        return sr_value_is(v, SR_T_ARRAY);
    case SR_FT_STRS:
        return sr_value_is(v, SR_T_ARRAY) && s_all(v, SR_T_STR);
    case SR_FT_OBJS:
        return sr_value_is(v, SR_T_ARRAY) && s_all(v, SR_T_MAP);
    case SR_FT_VALUE:
        return true;
    }
    return false;
}

// --- building -------------------------------------------------------------

void
sr_body_init(sr_body_t *b, sr_shape_t shape)
{
    b->shape = shape;
    b->map = sr_value_new_map(sr_shape_field_count(shape));
    b->rc = b->map ? SR_OK : SR_ENOMEM;
}

sr_value_t *
sr_body_take(sr_body_t *b)
{
    sr_value_t *m = b->rc ? NULL : b->map;
    if (b->rc)
        sr_value_destroy(&b->map);
    b->map = NULL;
    return m;
}

void
sr_body_fini(sr_body_t *b)
{
    sr_value_destroy(&b->map);
}

sr_err_t
sr_body_set(sr_value_t *body, sr_bfield_t f, sr_value_t *v)
{
    const sr_bfield_desc_t *fd = sr_bfield_desc(f);
    if (!v)
        return SR_ENOMEM;
    if (!fd || !sr_value_is(body, SR_T_MAP) ||
        (!sr_value_is(v, SR_T_NIL) && !s_type_ok(fd->type, v))) {
        sr_value_destroy(&v);
        return SR_EINVAL;
    }
    return sr_value_map_putn(body, fd->name, fd->name_len, v);
}

sr_err_t
sr_body_put(sr_body_t *b, sr_bfield_t f, sr_value_t *v)
{
    const sr_bfield_desc_t *fd = sr_bfield_desc(f);
    sr_err_t rc = b->rc;
    if (!rc && (!fd || fd->shape != b->shape))
        rc = SR_EINVAL;
    if (!rc)
        rc = sr_body_set(b->map, f, v);
    else
        sr_value_destroy(&v);
    if (rc && !b->rc) {
        sr_value_destroy(&b->map);
        b->rc = rc;
    }
    return rc;
}

sr_err_t
sr_body_put_str(sr_body_t *b, sr_bfield_t f, const char *s)
{
    return sr_body_put(b, f, s ? sr_value_new_str(s) : sr_value_new_nil());
}

sr_err_t
sr_body_put_strn(sr_body_t *b, sr_bfield_t f, const char *s, size_t len)
{
    return sr_body_put(b, f, sr_value_new_strn(s, len));
}

sr_err_t
sr_body_put_int(sr_body_t *b, sr_bfield_t f, int64_t i)
{
    return sr_body_put(b, f, sr_value_new_int(i));
}

sr_err_t
sr_body_put_bool(sr_body_t *b, sr_bfield_t f, bool v)
{
    return sr_body_put(b, f, sr_value_new_bool(v));
}

sr_err_t
sr_body_put_float(sr_body_t *b, sr_bfield_t f, double d)
{
    return sr_body_put(b, f, sr_value_new_float(d));
}

sr_err_t
sr_body_put_id(sr_body_t *b, sr_bfield_t f, const sr_id_t *id)
{
    char text[SR_ID_TEXT_SIZE];
    return sr_body_put(b, f, sr_value_new_str(sr_id_format(id, text)));
}

void
sr_body_time_format(int64_t ms, char out[20])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm) ||
        strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        snprintf(out, 20, "1970-01-01 00:00:00");
}

sr_err_t
sr_body_put_time(sr_body_t *b, sr_bfield_t f, int64_t ms)
{
    char text[20];
    if (!ms)
        return sr_body_put(b, f, sr_value_new_nil());
    sr_body_time_format(ms, text);
    return sr_body_put(b, f, sr_value_new_str(text));
}

sr_err_t
sr_body_put_ref(sr_body_t *b, sr_bfield_t f, const sr_value_t *v)
{
    return sr_body_put(b, f,
                       v ? sr_value_ref((sr_value_t *)v) : sr_value_new_nil());
}

// --- reading --------------------------------------------------------------

sr_value_t *
sr_body_get(const sr_value_t *body, sr_bfield_t f)
{
    const sr_bfield_desc_t *fd = sr_bfield_desc(f);
    if (!fd || !sr_value_is(body, SR_T_MAP))
        return NULL;
    return sr_value_map_getn(body, fd->name, fd->name_len);
}

const char *
sr_body_str(const sr_value_t *body, sr_bfield_t f)
{
    const sr_value_t *v = sr_body_get(body, f);
    return sr_value_is(v, SR_T_STR) ? sr_value_str(v) : NULL;
}

int64_t
sr_body_int(const sr_value_t *body, sr_bfield_t f, int64_t dflt)
{
    const sr_value_t *v = sr_body_get(body, f);
    return sr_value_is(v, SR_T_INT) ? sr_value_int(v) : dflt;
}

double
sr_body_float(const sr_value_t *body, sr_bfield_t f, double dflt)
{
    const sr_value_t *v = sr_body_get(body, f);
    return v && sr_value_is_number(v) ? sr_value_float(v) : dflt;
}

bool
sr_body_id(const sr_value_t *body, sr_bfield_t f, sr_id_t *out)
{
    const sr_value_t *v = sr_body_get(body, f);
    return v && sr_id_from_value(v, out) == SR_OK;
}

// --- checking -------------------------------------------------------------

// A path for messages ("cluster[0].name"), cut to S_PATH - 1 bytes.
__attribute__((format(printf, 2, 3))) static void
s_path(char out[S_PATH], const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, S_PATH, fmt, ap);
    va_end(ap);
}

static sr_err_t s_check_map(sr_shape_t shape, const sr_value_t *map,
                            const char *what, const char *path, int depth,
                            sr_error_t *err);

// A field's value against its type, nested shapes included.
static sr_err_t
s_check_value(const sr_bfield_desc_t *fd, const sr_value_t *v, const char *what,
              const char *path, int depth, sr_error_t *err)
{
    if (!s_type_ok(fd->type, v))
        return sr_error_set(err, SR_EPROTO, "%s: %s: expected %s, got %s", what,
                            path, sr_ftype_name(fd->type),
                            sr_type_name(sr_value_type(v)));
    if (fd->type == SR_FT_OBJ)
        return s_check_map(fd->item, v, what, path, depth + 1, err);
    for (size_t i = 0; fd->type == SR_FT_OBJS && i < sr_value_len(v); i++) {
        char item[S_PATH];
        s_path(item, "%s[%zu]", path, i);
        sr_err_t rc = s_check_map(fd->item, sr_value_array_at(v, i), what, item,
                                  depth + 1, err);
        if (rc)
            return rc;
    }
    return SR_OK;
}

// A map of `shape` at `path` ("" at the top).
static sr_err_t
s_check_map(sr_shape_t shape, const sr_value_t *map, const char *what,
            const char *path, int depth, sr_error_t *err)
{
    const char *sep = path[0] ? "." : "";
    if (depth > 8) // shapes nest two deep; a loop in the table is a bug
        return sr_error_set(err, SR_EINVAL, "%s: %s: shapes nest too deep",
                            what, path);
    if (!sr_value_is(map, SR_T_MAP))
        return sr_error_set(err, SR_EPROTO,
                            "%s: %s%sexpected a map (%s), got %s", what, path,
                            path[0] ? ": " : "", sr_shape_name(shape),
                            sr_type_name(sr_value_type(map)));
    for (size_t i = 0; i < sr_value_len(map); i++) {
        const sr_value_t *key = sr_value_map_key(map, i);
        if (sr_shape_field_find(shape, sr_value_str(key), sr_value_len(key)) ==
            SR_B_COUNT)
            return sr_error_set(err, SR_EPROTO, "%s: %s%s%s: not a field of %s",
                                what, path, sep, sr_value_str(key),
                                sr_shape_name(shape));
    }
    for (size_t i = 0; i < sr_shape_field_count(shape); i++) {
        const sr_bfield_desc_t *fd = &s_fields[sr_shape_field_at(shape, i)];
        const sr_value_t *v = sr_value_map_getn(map, fd->name, fd->name_len);
        char here[S_PATH];
        s_path(here, "%s%s%s", path, sep, fd->name);
        bool none = !v || (sr_value_is(v, SR_T_NIL) && fd->type != SR_FT_VALUE);
        if (none && fd->is_required)
            return sr_error_set(err, SR_EPROTO, "%s: %s: required, %s", what,
                                here, v ? "got null" : "missing");
        if (none)
            continue;
        sr_err_t rc = s_check_value(fd, v, what, here, depth, err);
        if (rc)
            return rc;
    }
    return SR_OK;
}

sr_err_t
sr_body_check(sr_shape_t shape, const sr_value_t *map, const char *what,
              sr_error_t *err)
{
    if (!sr_shape_is_valid(shape))
        return sr_error_set(err, SR_EINVAL, "%s: no such shape", what);
    return s_check_map(shape, map, what, "", 0, err);
}

sr_err_t
sr_reply_check(sr_msg_type_t req, const sr_value_t *body, sr_error_t *err)
{
    sr_shape_t shape = SR_SHAPE_NONE;
    char what[64];
    snprintf(what, sizeof what, "%s reply", sr_msg_type_name(req));
    sr_reply_kind_t kind = sr_reply_of(req, &shape, NULL);
    if (kind == SR_REPLY_NONE)
        return sr_error_set(err, SR_EINVAL, "%s has no REPLY body",
                            sr_msg_type_name(req));
    if (kind == SR_REPLY_ONE)
        return s_check_map(shape, body, what, "", 0, err);
    if (!sr_value_is(body, SR_T_ARRAY))
        return sr_error_set(
            err, SR_EPROTO, "%s: expected an array of %s, got %s", what,
            sr_shape_name(shape), sr_type_name(sr_value_type(body)));
    for (size_t i = 0; i < sr_value_len(body); i++) {
        char item[S_PATH];
        s_path(item, "[%zu]", i);
        sr_err_t rc =
            s_check_map(shape, sr_value_array_at(body, i), what, item, 0, err);
        if (rc)
            return rc;
    }
    return SR_OK;
}
