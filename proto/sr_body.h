// REPLY bodies: the SR_REPLY, SR_BODY and SR_BFIELD lines of sr_msg.def
// expanded into shape and field enums and descriptors, a builder that puts
// a shape's fields by their table names, getters that read them back, and
// a check of a whole body against the shape its request declares.
//
// A body field is named SR_B_<SHAPE>_<field>, the field's wire name kept
// verbatim (as SR_F_ for messages), so that the name is written once: in
// the table. Bodies are plain maps (sr_value_t); getters return borrowed
// pointers, valid while the body lives.
//
// Thread rule: the table is read-only (any thread); a builder and the
// values it makes belong to one thread.
#ifndef SR_BODY_H
#define SR_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_id.h"
#include "sr_msg.h"
#include "sr_value.h"

// Shapes, numbered from 1 in table order; SR_SHAPE_NONE is no shape.
typedef enum {
    SR_SHAPE_NONE = 0,
#define SR_BODY(shape, doc) SR_SHAPE_##shape,
#include "sr_msg.def"
    SR_SHAPE_END // one past the last
} sr_shape_t;

// Body fields: SR_B_<SHAPE>_<field>. The SR_BMARK_* constants only number
// the fields; do not use them.
typedef enum {
#define SR_BODY(shape, doc)                                                    \
    SR_BMARK_FIRST_##shape, SR_BMARK_PREV_##shape = SR_BMARK_FIRST_##shape - 1,
#define SR_BFIELD(shape, field, type, required, item, doc)                     \
    SR_B_##shape##_##field,
#include "sr_msg.def"
    SR_B_COUNT
} sr_bfield_t;

// What a REPLY body is: one map of the shape, or an array of them.
typedef enum {
    SR_REPLY_NONE = 0, // the message has no REPLY
    SR_REPLY_ONE,
    SR_REPLY_LIST
} sr_reply_kind_t;

// One body field of the table. Static; never freed.
typedef struct {
    sr_bfield_t id;
    sr_shape_t shape; // the shape it belongs to
    const char *name; // wire name
    size_t name_len;
    sr_ftype_t type;
    bool is_required;
    sr_shape_t item; // OBJ, OBJS: the shape of the map(s); else NONE
    const char *doc;
} sr_bfield_desc_t;

// --- the table ------------------------------------------------------------

// Shapes are 1 .. sr_shape_count().
size_t sr_shape_count(void);
bool sr_shape_is_valid(sr_shape_t shape);
// "EXECUTION"; "NONE" for an invalid shape. Never NULL.
const char *sr_shape_name(sr_shape_t shape);
// The table's doc line ("" when invalid).
const char *sr_shape_doc(sr_shape_t shape);
// Fields of a shape, in table order (i < count).
size_t sr_shape_field_count(sr_shape_t shape);
sr_bfield_t sr_shape_field_at(sr_shape_t shape, size_t i);
// The field of `shape` named `name`, or SR_B_COUNT.
sr_bfield_t sr_shape_field_find(sr_shape_t shape, const char *name, size_t len);
// The descriptor of a field; NULL when `f` is not a field.
const sr_bfield_desc_t *sr_bfield_desc(sr_bfield_t f);

// The REPLY body declared for request `req`: its kind (SR_REPLY_NONE when
// none), and its shape and doc line through the optional out-params.
sr_reply_kind_t sr_reply_of(sr_msg_type_t req, sr_shape_t *shape,
                            const char **doc);

// --- building -------------------------------------------------------------

// A body being built: a map, and the first failure of its puts. Embed it
// (sr_body_init), put fields, then sr_body_take. Puts after a failure do
// nothing but free their value.
typedef struct {
    sr_shape_t shape;
    sr_value_t *map; // owned; NULL once a put failed or after take
    sr_err_t rc;     // first failure
} sr_body_t;

// Start an empty body of `shape` (SR_ENOMEM is kept for take).
void sr_body_init(sr_body_t *b, sr_shape_t shape);
// The map built (caller owns it; free with sr_value_destroy), or NULL when
// a put failed; b->rc then says why. The builder is empty afterwards.
sr_value_t *sr_body_take(sr_body_t *b);
// Drop what was built (NULL-safe as to b->map).
void sr_body_fini(sr_body_t *b);

// Put `v` under field `f`, CONSUMING `v` also on failure. Nil is taken for
// any field (the table says which may be nil; sr_reply_check checks). An
// id (UUID) is a 16-byte binary or its text. Errors, also kept in b->rc:
// SR_EINVAL when `f` is not a field of the body's shape or `v` has
// another type, SR_ENOMEM when `v` is NULL or memory runs out.
sr_err_t sr_body_put(sr_body_t *b, sr_bfield_t f, sr_value_t *v);
// The same for a string (NULL: nil), an integer, a bool, a float, an id
// (as its text), a time (unix ms as TIME text; 0: nil) and a shared value
// (a new reference; NULL: nil).
sr_err_t sr_body_put_str(sr_body_t *b, sr_bfield_t f, const char *s);
sr_err_t sr_body_put_strn(sr_body_t *b, sr_bfield_t f, const char *s,
                          size_t len);
sr_err_t sr_body_put_int(sr_body_t *b, sr_bfield_t f, int64_t i);
sr_err_t sr_body_put_bool(sr_body_t *b, sr_bfield_t f, bool v);
sr_err_t sr_body_put_float(sr_body_t *b, sr_bfield_t f, double d);
sr_err_t sr_body_put_id(sr_body_t *b, sr_bfield_t f, const sr_id_t *id);
sr_err_t sr_body_put_time(sr_body_t *b, sr_bfield_t f, int64_t ms);
sr_err_t sr_body_put_ref(sr_body_t *b, sr_bfield_t f, const sr_value_t *v);

// Set field `f` of an existing body map (a new or changed value), CONSUMING
// `v` also on failure, with the checks of sr_body_put but the shape's:
// SR_EINVAL when `body` is not a map or `v` has another type, SR_ENOMEM.
sr_err_t sr_body_set(sr_value_t *body, sr_bfield_t f, sr_value_t *v);

// Mistral's time text of unix ms `ms` ("YYYY-MM-DD HH:MM:SS", UTC).
void sr_body_time_format(int64_t ms, char out[20]);

// --- reading --------------------------------------------------------------

// The value of field `f` in map `body` (borrowed), or NULL when absent.
sr_value_t *sr_body_get(const sr_value_t *body, sr_bfield_t f);
// A string field, or NULL when absent, nil or not a string.
const char *sr_body_str(const sr_value_t *body, sr_bfield_t f);
// An integer field, or `dflt`.
int64_t sr_body_int(const sr_value_t *body, sr_bfield_t f, int64_t dflt);
// A number field (int or float), or `dflt`.
double sr_body_float(const sr_value_t *body, sr_bfield_t f, double dflt);
// An id field (binary or text) into *out; false when absent or not an id.
bool sr_body_id(const sr_value_t *body, sr_bfield_t f, sr_id_t *out);

// --- checking -------------------------------------------------------------

// Check that `body` is exactly what the table declares for the REPLY to
// request `req`: the kind (a map, or an array of maps), every required
// field present (not nil unless VALUE), every field of its type, nested
// OBJ and OBJS fields of their shapes, and no field the shape does not
// declare. This is what an engine of this version sends; a client must not
// refuse more fields (a newer minor version may add some). Errors:
// SR_EPROTO naming the request and the path ("EX_LIST reply: [2].state:
// expected string, got int"), SR_EINVAL when `req` has no REPLY body.
sr_err_t sr_reply_check(sr_msg_type_t req, const sr_value_t *body,
                        sr_error_t *err);
// The same for one map of `shape`; `what` starts the error message.
sr_err_t sr_body_check(sr_shape_t shape, const sr_value_t *map,
                       const char *what, sr_error_t *err);

#endif
