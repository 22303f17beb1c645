// Protocol messages: the table of sr_msg.def expanded into type and field
// enums and descriptors, and sr_msg_t, one message with its fields. The
// codec (msgpack encode / decode / validate) is in sr_msg_codec.h.
//
// A message holds one value per field of its type (sr_value_t, the value
// model). Every field holds a value of its declared type or nothing: the
// setters refuse anything else, so getters can trust what they return.
// Getters return borrowed pointers, valid until the field is set again or
// the message is destroyed.
//
// Thread rule: a message, like its values, belongs to one thread.
#ifndef SR_MSG_H
#define SR_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_id.h"
#include "sr_value.h"

#include "sr_msg.def" // SR_PROTO_MAJOR, SR_PROTO_MINOR

// Message types. Values are the stable ids of sr_msg.def (never reused);
// SR_MSG_NONE is no message.
typedef enum {
    SR_MSG_NONE = 0,
#define SR_MSG(name, id, direction, doc) SR_MSG_##name = id,
#include "sr_msg.def"
} sr_msg_type_t;

// Fields: SR_F_<MESSAGE>_<field>, the field's wire name kept verbatim so
// that one grep finds the table line, the code and the docs. The
// SR_FMARK_* constants only number the fields; do not use them.
typedef enum {
#define SR_MSG(name, id, direction, doc)                                       \
    SR_FMARK_FIRST_##name, SR_FMARK_PREV_##name = SR_FMARK_FIRST_##name - 1,
#define SR_FIELD(msg, field, type, required, limit, doc) SR_F_##msg##_##field,
#include "sr_msg.def"
    SR_F_COUNT
} sr_field_t;

// Who sends a message (a bit set: a message may flow several ways).
typedef enum {
    SR_DIR_WORKER_TO_ENGINE = 1,
    SR_DIR_ENGINE_TO_WORKER = 2,
    SR_DIR_WORKER_ENGINE = 3, // both ways on the worker endpoint
    SR_DIR_CLIENT_TO_ENGINE = 4,
    SR_DIR_ENGINE_TO_CLIENT = 8,
    SR_DIR_ANY = 15
} sr_msg_dir_t;

// Field types (see sr_msg.def for their wire form). TIME, OBJ and OBJS
// are for REPLY body fields only (sr_body.h); no message field has them.
typedef enum {
    SR_FT_UUID,
    SR_FT_STR,
    SR_FT_INT,
    SR_FT_BOOL,
    SR_FT_FLOAT,
    SR_FT_MS,
    SR_FT_MAP,
    SR_FT_ARRAY,
    SR_FT_STRS,
    SR_FT_VALUE,
    SR_FT_TIME,
    SR_FT_OBJ,
    SR_FT_OBJS
} sr_ftype_t;

// One field of the table. Static; never freed.
typedef struct {
    sr_field_t id;
    sr_msg_type_t msg; // the message it belongs to
    const char *name;  // wire name
    size_t name_len;
    sr_ftype_t type;
    bool is_required;
    int64_t limit; // bytes, items or minimum, per sr_msg.def; 0 = none
    const char *doc;
} sr_field_desc_t;

// --- the table ------------------------------------------------------------

// Number of message types, and the i-th in table order (i < count).
size_t sr_msg_type_count(void);
sr_msg_type_t sr_msg_type_at(size_t i);
bool sr_msg_type_is_valid(sr_msg_type_t type);
// "TASK"; "NONE" for an invalid type. Never NULL.
const char *sr_msg_type_name(sr_msg_type_t type);
// The type named `name` (exact, upper case), or SR_MSG_NONE.
sr_msg_type_t sr_msg_type_parse(const char *name);
sr_msg_type_t sr_msg_type_parsen(const char *name, size_t len);
// The table's doc line and direction of a type ("" / 0 when invalid).
const char *sr_msg_type_doc(sr_msg_type_t type);
sr_msg_dir_t sr_msg_type_dir(sr_msg_type_t type);
// True when `type` may travel in direction `dir` (e.g. what an endpoint
// accepts: sr_msg_flows(t, SR_DIR_WORKER_TO_ENGINE)).
bool sr_msg_flows(sr_msg_type_t type, sr_msg_dir_t dir);

// Fields of a type, in table order (i < count).
size_t sr_msg_field_count(sr_msg_type_t type);
sr_field_t sr_msg_field_at(sr_msg_type_t type, size_t i);
// The field of `type` named `name`, or SR_F_COUNT.
sr_field_t sr_msg_field_find(sr_msg_type_t type, const char *name, size_t len);
// The descriptor of a field; NULL when `f` is not a field.
const sr_field_desc_t *sr_field_desc(sr_field_t f);
// "uuid", "string", "int", "bool", "float", "ms", "map", "array",
// "strings", "value", "time", "object", "objects".
const char *sr_ftype_name(sr_ftype_t type);

// --- messages -------------------------------------------------------------

typedef struct sr_msg sr_msg_t;

// A message of `type` with no field set. Caller owns it; free with
// sr_msg_destroy(). NULL when `type` is invalid or memory runs out.
sr_msg_t *sr_msg_new(sr_msg_type_t type);
// A copy sharing the field values (references); NULL on OOM. Setting a
// field of either replaces that field's value there only.
sr_msg_t *sr_msg_dup(const sr_msg_t *m);
// Free a message and its values; sets *m_p to NULL (NULL-safe).
void sr_msg_destroy(sr_msg_t **m_p);
sr_msg_type_t sr_msg_type(const sr_msg_t *m);
// The protocol minor version of the node that sent `m`, read from its
// envelope by sr_msg_decode; SR_PROTO_MINOR for a message made here. What
// a peer understands (e.g. BATCH, since 7) follows from it. The encoder
// always writes SR_PROTO_MINOR.
uint32_t sr_msg_minor(const sr_msg_t *m);
void sr_msg_set_minor(sr_msg_t *m, uint32_t minor);

// Set field `f` to `v`, CONSUMING `v` also on failure (like
// sr_value_map_put). A nil value clears the field, except for VALUE fields
// where nil is a value. A UUID field takes a 16-byte binary or a UUID
// string (stored as binary); FLOAT takes an int too. Errors: SR_EINVAL
// when `f` is not a field of this type or `v` has the wrong type,
// SR_ENOMEM when `v` is NULL or memory runs out.
sr_err_t sr_msg_set(sr_msg_t *m, sr_field_t f, sr_value_t *v);
sr_err_t sr_msg_set_str(sr_msg_t *m, sr_field_t f, const char *s);
sr_err_t sr_msg_set_strn(sr_msg_t *m, sr_field_t f, const char *s, size_t len);
sr_err_t sr_msg_set_int(sr_msg_t *m, sr_field_t f, int64_t i);
sr_err_t sr_msg_set_bool(sr_msg_t *m, sr_field_t f, bool b);
sr_err_t sr_msg_set_id(sr_msg_t *m, sr_field_t f, const sr_id_t *id);

// Borrowed value of a field; NULL when absent or not a field of `m`.
sr_value_t *sr_msg_get(const sr_msg_t *m, sr_field_t f);
bool sr_msg_has(const sr_msg_t *m, sr_field_t f);
// Typed getters: the field's value, or NULL / `dflt` / false when absent.
const char *sr_msg_str(const sr_msg_t *m, sr_field_t f);
int64_t sr_msg_int(const sr_msg_t *m, sr_field_t f, int64_t dflt);
bool sr_msg_bool(const sr_msg_t *m, sr_field_t f, bool dflt);
bool sr_msg_id(const sr_msg_t *m, sr_field_t f, sr_id_t *out);
// Remove a field's value and give it to the caller (who owns it; free
// with sr_value_destroy). NULL when absent.
sr_value_t *sr_msg_take(sr_msg_t *m, sr_field_t f);
// The `req_id` field of any message that has one, else -1.
int64_t sr_msg_req_id(const sr_msg_t *m);

// --- ERROR messages -------------------------------------------------------

// An ERROR message from an error: code = sr_strerror(err->code), message
// = err->msg, field = the name in err->where when it reads "field 'x'"
// (any other location is prefixed to the message). req_id < 0 = none.
// Caller owns the result; NULL when memory runs out.
sr_msg_t *sr_msg_error_new(const sr_error_t *err, int64_t req_id);
// Read an ERROR message back into `err` (where = "field 'x'" when the
// message names a field) and return its code. A code this node does not
// know becomes SR_EPROTO with the code's name kept in the text. Returns
// SR_EINVAL without touching `err` when `m` is not an ERROR.
sr_err_t sr_msg_to_error(const sr_msg_t *m, sr_error_t *err);

#endif
