// The message table and the message object. Expands sr_msg.def into the
// static descriptor arrays, and owns sr_msg_t: one allocation holding a
// value slot per field of its type. Setters keep the invariant that a slot
// is NULL or holds a value of the field's type. Does no encoding (see
// sr_msg_codec.c) and no I/O. The table is read-only: any thread may read
// it; a message belongs to one thread.
#include "sr_msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Dense index of each type in table order.
enum {
#define SR_MSG(name, id, direction, doc) S_IDX_##name,
#include "sr_msg.def"
    S_MSG_COUNT
};

typedef struct {
    sr_msg_type_t type;
    const char *name;
    size_t name_len;
    sr_msg_dir_t dir;
    const char *doc;
} s_msg_desc_t;

static const s_msg_desc_t s_msgs[S_MSG_COUNT] = {
#define SR_MSG(name, id, direction, doc)                                       \
    [S_IDX_##name] = {SR_MSG_##name, #name, sizeof #name - 1,                  \
                      SR_DIR_##direction, doc},
#include "sr_msg.def"
};

// First field of each type; entry S_MSG_COUNT closes the last type.
static const int s_first[S_MSG_COUNT + 1] = {
#define SR_MSG(name, id, direction, doc) [S_IDX_##name] = SR_FMARK_FIRST_##name,
#include "sr_msg.def"
    [S_MSG_COUNT] = SR_F_COUNT};

// Type id -> dense index + 1 (0 = no such type). A duplicate id is a
// compile error (-Woverride-init with -Werror) and fails sr_msg_test.
#define SR_MSG(name, id, direction, doc)                                       \
    _Static_assert((id) > 0 && (id) < 256, "message id out of range");
#include "sr_msg.def"
static const uint8_t s_index[256] = {
#define SR_MSG(name, id, direction, doc) [id] = S_IDX_##name + 1,
#include "sr_msg.def"
};

// Message fields take the wire types; TIME, OBJ and OBJS are for bodies.
#define SR_FIELD(msg, field, type, required, limit, doc)                       \
    _Static_assert(SR_FT_##type <= SR_FT_VALUE,                                \
                   #msg "." #field ": a body type in a message");
#include "sr_msg.def"

static const sr_field_desc_t s_fields[SR_F_COUNT] = {
#define SR_FIELD(msg, field, type, required, limit, doc)                       \
    [SR_F_##msg##_##                                                           \
        field] = {SR_F_##msg##_##field, SR_MSG_##msg, #field,                  \
                  sizeof #field - 1,    SR_FT_##type, SR_##required,           \
                  (int64_t)(limit),     doc},
#define SR_REQUIRED true
#define SR_OPTIONAL false
#include "sr_msg.def"
#undef SR_REQUIRED
#undef SR_OPTIONAL
};

static const char *const s_ftype_names[] = {
    [SR_FT_UUID] = "uuid",   [SR_FT_STR] = "string",  [SR_FT_INT] = "int",
    [SR_FT_BOOL] = "bool",   [SR_FT_FLOAT] = "float", [SR_FT_MS] = "ms",
    [SR_FT_MAP] = "map",     [SR_FT_ARRAY] = "array", [SR_FT_STRS] = "strings",
    [SR_FT_VALUE] = "value", [SR_FT_TIME] = "time",   [SR_FT_OBJ] = "object",
    [SR_FT_OBJS] = "objects"};

struct sr_msg {
    sr_msg_type_t type;
    uint32_t minor;     // the sender's protocol minor version
    int first;          // first field id of the type
    int count;          // fields of the type
    sr_value_t *vals[]; // count slots; owned; NULL = absent
};

// --- the table ------------------------------------------------------------

// Dense index of a type, or -1.
static int
s_idx(sr_msg_type_t type)
{
    if ((unsigned)type >= 256)
        return -1;
    return (int)s_index[type] - 1;
}

size_t
sr_msg_type_count(void)
{
    return S_MSG_COUNT;
}

sr_msg_type_t
sr_msg_type_at(size_t i)
{
    return i < S_MSG_COUNT ? s_msgs[i].type : SR_MSG_NONE;
}

bool
sr_msg_type_is_valid(sr_msg_type_t type)
{
    return s_idx(type) >= 0;
}

const char *
sr_msg_type_name(sr_msg_type_t type)
{
    int i = s_idx(type);
    return i < 0 ? "NONE" : s_msgs[i].name;
}

sr_msg_type_t
sr_msg_type_parsen(const char *name, size_t len)
{
    for (int i = 0; i < S_MSG_COUNT; i++)
        if (s_msgs[i].name_len == len && memcmp(s_msgs[i].name, name, len) == 0)
            return s_msgs[i].type;
    return SR_MSG_NONE;
}

sr_msg_type_t
sr_msg_type_parse(const char *name)
{
    return name ? sr_msg_type_parsen(name, strlen(name)) : SR_MSG_NONE;
}

const char *
sr_msg_type_doc(sr_msg_type_t type)
{
    int i = s_idx(type);
    return i < 0 ? "" : s_msgs[i].doc;
}

sr_msg_dir_t
sr_msg_type_dir(sr_msg_type_t type)
{
    int i = s_idx(type);
    return i < 0 ? 0 : s_msgs[i].dir;
}

bool
sr_msg_flows(sr_msg_type_t type, sr_msg_dir_t dir)
{
    return dir && (sr_msg_type_dir(type) & dir) == dir;
}

size_t
sr_msg_field_count(sr_msg_type_t type)
{
    int i = s_idx(type);
    return i < 0 ? 0 : (size_t)(s_first[i + 1] - s_first[i]);
}

sr_field_t
sr_msg_field_at(sr_msg_type_t type, size_t i)
{
    if (i >= sr_msg_field_count(type))
        return SR_F_COUNT;
    return (sr_field_t)(s_first[s_idx(type)] + (int)i);
}

sr_field_t
sr_msg_field_find(sr_msg_type_t type, const char *name, size_t len)
{
    int i = s_idx(type);
    if (i < 0)
        return SR_F_COUNT;
    for (int f = s_first[i]; f < s_first[i + 1]; f++)
        if (s_fields[f].name_len == len &&
            memcmp(s_fields[f].name, name, len) == 0)
            return (sr_field_t)f;
    return SR_F_COUNT;
}

const sr_field_desc_t *
sr_field_desc(sr_field_t f)
{
    return (int)f >= 0 && f < SR_F_COUNT ? &s_fields[f] : NULL;
}

const char *
sr_ftype_name(sr_ftype_t type)
{
    if ((unsigned)type >= sizeof s_ftype_names / sizeof s_ftype_names[0])
        return "?";
    return s_ftype_names[type];
}

// --- messages -------------------------------------------------------------

sr_msg_t *
sr_msg_new(sr_msg_type_t type)
{
    int i = s_idx(type);
    if (i < 0)
        return NULL;
    int count = s_first[i + 1] - s_first[i];
    sr_msg_t *m = calloc(1, sizeof *m + (size_t)count * sizeof m->vals[0]);
    if (!m)
        return NULL;
    m->type = type;
    m->minor = SR_PROTO_MINOR;
    m->first = s_first[i];
    m->count = count;
    return m;
}

sr_msg_t *
sr_msg_dup(const sr_msg_t *m)
{
    sr_msg_t *copy = sr_msg_new(m->type);
    if (copy)
        copy->minor = m->minor;
    for (int i = 0; copy && i < m->count; i++)
        copy->vals[i] = m->vals[i] ? sr_value_ref(m->vals[i]) : NULL;
    return copy;
}

void
sr_msg_destroy(sr_msg_t **m_p)
{
    if (!m_p || !*m_p)
        return;
    sr_msg_t *m = *m_p;
    for (int i = 0; i < m->count; i++)
        sr_value_destroy(&m->vals[i]);
    free(m);
    *m_p = NULL;
}

sr_msg_type_t
sr_msg_type(const sr_msg_t *m)
{
    return m ? m->type : SR_MSG_NONE;
}

uint32_t
sr_msg_minor(const sr_msg_t *m)
{
    return m ? m->minor : 0;
}

void
sr_msg_set_minor(sr_msg_t *m, uint32_t minor)
{
    m->minor = minor;
}

// Slot of field `f` in `m`, or NULL when `f` is not a field of m's type.
static sr_value_t **
s_slot(const sr_msg_t *m, sr_field_t f)
{
    if (!m || (int)f < m->first || (int)f >= m->first + m->count)
        return NULL;
    return (sr_value_t **)&m->vals[(int)f - m->first];
}

static bool
s_all_strings(const sr_value_t *a)
{
    size_t n = sr_value_len(a);
    for (size_t i = 0; i < n; i++)
        if (!sr_value_is(sr_value_array_at(a, i), SR_T_STR))
            return false;
    return true;
}

// Bring `*v_p` to the representation of `type`, or refuse it.
static sr_err_t
s_conform(sr_ftype_t type, sr_value_t **v_p)
{
    sr_value_t *v = *v_p;
    sr_type_t t = sr_value_type(v);
    sr_id_t id;
    switch (type) {
    case SR_FT_UUID:
        if (t == SR_T_BIN && sr_value_len(v) == SR_ID_SIZE)
            return SR_OK;
        if (t != SR_T_STR || sr_value_len(v) != SR_ID_TEXT_SIZE - 1 ||
            sr_id_parse(sr_value_str(v), &id) != SR_OK)
            return SR_EINVAL;
        sr_value_destroy(v_p);
        *v_p = sr_id_to_value(&id);
        return *v_p ? SR_OK : SR_ENOMEM;
    case SR_FT_STR:
        return t == SR_T_STR ? SR_OK : SR_EINVAL;
    case SR_FT_INT:
    case SR_FT_MS:
        return t == SR_T_INT ? SR_OK : SR_EINVAL;
    case SR_FT_BOOL:
        return t == SR_T_BOOL ? SR_OK : SR_EINVAL;
    case SR_FT_FLOAT:
        if (t == SR_T_FLOAT)
            return SR_OK;
        if (t != SR_T_INT)
            return SR_EINVAL;
        *v_p = sr_value_new_float((double)sr_value_int(v));
        sr_value_destroy(&v);
        return *v_p ? SR_OK : SR_ENOMEM;
    case SR_FT_MAP:
        return t == SR_T_MAP ? SR_OK : SR_EINVAL;
    case SR_FT_ARRAY:
        return t == SR_T_ARRAY ? SR_OK : SR_EINVAL;
    case SR_FT_STRS:
        return t == SR_T_ARRAY && s_all_strings(v) ? SR_OK : SR_EINVAL;
    case SR_FT_VALUE:
        return SR_OK;
    case SR_FT_TIME: // body types: no message field has them
    case SR_FT_OBJ:
    case SR_FT_OBJS:
        return SR_EINVAL;
    }
    return SR_EINVAL;
}

sr_err_t
sr_msg_set(sr_msg_t *m, sr_field_t f, sr_value_t *v)
{
    sr_value_t **slot = s_slot(m, f);
    if (!v)
        return SR_ENOMEM;
    if (!slot) {
        sr_value_destroy(&v);
        return SR_EINVAL;
    }
    sr_ftype_t type = s_fields[f].type;
    if (sr_value_is(v, SR_T_NIL) && type != SR_FT_VALUE) {
        sr_value_destroy(slot);
        return SR_OK;
    }
    sr_err_t rc = s_conform(type, &v);
    if (rc) {
        sr_value_destroy(&v);
        return rc;
    }
    sr_value_destroy(slot);
    *slot = v;
    return SR_OK;
}

sr_err_t
sr_msg_set_str(sr_msg_t *m, sr_field_t f, const char *s)
{
    return sr_msg_set(m, f, sr_value_new_str(s));
}

sr_err_t
sr_msg_set_strn(sr_msg_t *m, sr_field_t f, const char *s, size_t len)
{
    return sr_msg_set(m, f, sr_value_new_strn(s, len));
}

sr_err_t
sr_msg_set_int(sr_msg_t *m, sr_field_t f, int64_t i)
{
    return sr_msg_set(m, f, sr_value_new_int(i));
}

sr_err_t
sr_msg_set_bool(sr_msg_t *m, sr_field_t f, bool b)
{
    return sr_msg_set(m, f, sr_value_new_bool(b));
}

sr_err_t
sr_msg_set_id(sr_msg_t *m, sr_field_t f, const sr_id_t *id)
{
    return sr_msg_set(m, f, sr_id_to_value(id));
}

sr_value_t *
sr_msg_get(const sr_msg_t *m, sr_field_t f)
{
    sr_value_t **slot = s_slot(m, f);
    return slot ? *slot : NULL;
}

bool
sr_msg_has(const sr_msg_t *m, sr_field_t f)
{
    return sr_msg_get(m, f) != NULL;
}

const char *
sr_msg_str(const sr_msg_t *m, sr_field_t f)
{
    sr_value_t *v = sr_msg_get(m, f);
    return sr_value_is(v, SR_T_STR) ? sr_value_str(v) : NULL;
}

int64_t
sr_msg_int(const sr_msg_t *m, sr_field_t f, int64_t dflt)
{
    sr_value_t *v = sr_msg_get(m, f);
    return sr_value_is(v, SR_T_INT) ? sr_value_int(v) : dflt;
}

bool
sr_msg_bool(const sr_msg_t *m, sr_field_t f, bool dflt)
{
    sr_value_t *v = sr_msg_get(m, f);
    return sr_value_is(v, SR_T_BOOL) ? sr_value_bool(v) : dflt;
}

bool
sr_msg_id(const sr_msg_t *m, sr_field_t f, sr_id_t *out)
{
    sr_value_t *v = sr_msg_get(m, f);
    return v && sr_id_from_value(v, out) == SR_OK;
}

sr_value_t *
sr_msg_take(sr_msg_t *m, sr_field_t f)
{
    sr_value_t **slot = s_slot(m, f);
    if (!slot)
        return NULL;
    sr_value_t *v = *slot;
    *slot = NULL;
    return v;
}

int64_t
sr_msg_req_id(const sr_msg_t *m)
{
    sr_field_t f = sr_msg_field_find(sr_msg_type(m), "req_id", 6);
    return sr_msg_int(m, f, -1);
}

// --- ERROR messages -------------------------------------------------------

// The name in a location of the form "field 'name'", or NULL.
static const char *
s_where_field(const char *where, size_t *len)
{
    static const char prefix[] = "field '";
    size_t n = strlen(where);
    if (n < sizeof prefix || strncmp(where, prefix, sizeof prefix - 1) != 0 ||
        where[n - 1] != '\'')
        return NULL;
    *len = n - sizeof prefix;
    return where + sizeof prefix - 1;
}

sr_msg_t *
sr_msg_error_new(const sr_error_t *err, int64_t req_id)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_ERROR);
    if (!m)
        return NULL;
    sr_err_t code = err && err->code != SR_OK ? err->code : SR_EINTERNAL;
    const char *msg = err && err->msg[0] ? err->msg : sr_strerror(code);
    const char *where = err ? err->where : "";
    size_t flen = 0;
    const char *field = s_where_field(where, &flen);
    sr_err_t rc = sr_msg_set_str(m, SR_F_ERROR_code, sr_strerror(code));
    if (!rc && field)
        rc = sr_msg_set_strn(m, SR_F_ERROR_field, field, flen);
    if (!rc && (field || !where[0]))
        rc = sr_msg_set_str(m, SR_F_ERROR_message, msg);
    else if (!rc)
        rc = sr_msg_set(m, SR_F_ERROR_message,
                        sr_value_new_strf("%s: %s", where, msg));
    if (!rc && req_id >= 0)
        rc = sr_msg_set_int(m, SR_F_ERROR_req_id, req_id);
    if (rc)
        sr_msg_destroy(&m);
    return m;
}

sr_err_t
sr_msg_to_error(const sr_msg_t *m, sr_error_t *err)
{
    if (sr_msg_type(m) != SR_MSG_ERROR)
        return SR_EINVAL;
    const char *name = sr_msg_str(m, SR_F_ERROR_code);
    const char *text = sr_msg_str(m, SR_F_ERROR_message);
    const char *field = sr_msg_str(m, SR_F_ERROR_field);
    sr_err_t code = SR_EPROTO;
    bool known = false;
    for (int c = 1; name && c < SR_ERR_COUNT && !known; c++)
        if (strcmp(sr_strerror((sr_err_t)c), name) == 0) {
            code = (sr_err_t)c;
            known = true;
        }
    if (known)
        sr_error_set(err, code, "%s", text ? text : "");
    else
        sr_error_set(err, code, "%s: %s", name ? name : "no code",
                     text ? text : "");
    if (err && field)
        snprintf(err->where, sizeof err->where, "field '%s'", field);
    return code;
}
