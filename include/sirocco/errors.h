// Error codes and error details shared by every Sirocco component, and
// returned by the public API (sirocco/client.h).
//
// A function that can fail returns sr_err_t. When a person will read the
// error, the function also fills an sr_error_t with a message that names the
// field (protocol, HTTP) or gives FILE:LINE:COL (YAML). Thread rule: an
// sr_error_t belongs to the caller's thread.
#ifndef SIROCCO_ERRORS_H
#define SIROCCO_ERRORS_H

#include <stdarg.h>
#include <stddef.h>

typedef enum {
    SR_OK = 0,
    SR_ENOMEM,    // out of memory
    SR_EINVAL,    // invalid argument or input
    SR_EPROTO,    // malformed protocol message
    SR_EVERSION,  // protocol major version mismatch
    SR_ETOOBIG,   // payload or value over its limit
    SR_ENOTFOUND, // no such object
    SR_EEXIST,    // object already exists
    SR_ESTORE,    // storage (LMDB) failure
    SR_EIO,       // operating system or socket failure
    SR_ETIMEDOUT, // a bounded wait ran out
    SR_ESTATE,    // operation not allowed in the object's current state
    SR_EEXPR,     // expression parse or evaluation error
    SR_EUNAVAIL,  // partition or service unavailable
    SR_EAUTH,     // authentication or authorization failure
    SR_EINTERNAL, // broken invariant; a bug
    SR_ERR_COUNT
} sr_err_t;

// Detail of one error. `code` is SR_OK when nothing was recorded.
typedef struct {
    sr_err_t code;
    char where[64]; // field name or FILE:LINE:COL; may be empty
    char msg[256];  // human text, without the location
} sr_error_t;

// Short stable name of a code, e.g. "EINVAL". Never NULL.
const char *sr_strerror(sr_err_t code);

// Clear `err` (NULL-safe).
void sr_error_clear(sr_error_t *err);

// Record `code` with a printf-style message; returns `code` so callers can
// write `return sr_error_set(err, SR_EINVAL, "...")`. NULL-safe on `err`.
sr_err_t sr_error_set(sr_error_t *err, sr_err_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
sr_err_t sr_error_vset(sr_error_t *err, sr_err_t code, const char *fmt,
                       va_list ap);

// Same, with a location ("field 'x'" or "file.yaml:3:7").
sr_err_t sr_error_at(sr_error_t *err, sr_err_t code, const char *where,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

// Write "where: msg" (or "msg") into buf; returns buf.
const char *sr_error_text(const sr_error_t *err, char *buf, size_t size);

#endif
