// Parameters of built-in actions: a static table per action (name, accepted
// types, required or default) that checks an input map before the action
// runs, gives the defaults, and describes the action for the READY message
// and the docs. Bad input fails with a message naming the parameter:
// "std.echo: missing required parameter 'output'".
//
// Thread rule: tables are static and read-only; the functions are reentrant.
#ifndef WRK_PARAMS_H
#define WRK_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

#include "sr_err.h"
#include "sr_value.h"

// Type masks: WRK_T(SR_T_STR) | WRK_T(SR_T_MAP); 0 accepts anything.
#define WRK_T(type)  (1u << (type))
#define WRK_T_NUMBER (WRK_T(SR_T_INT) | WRK_T(SR_T_FLOAT))
#define WRK_T_SCALAR (WRK_T(SR_T_STR) | WRK_T_NUMBER | WRK_T(SR_T_BOOL))

typedef struct {
    const char *name;
    unsigned types;           // WRK_T mask; 0 = any type
    bool is_required;         // else optional; null counts as "not given"
    const char *default_json; // default of an optional parameter; NULL=null
    const char *doc;          // one line for docs and describe
} wrk_param_t;

// Check `input` (a map) against the table: every required parameter
// present, no unknown one, every given value of an accepted type. All
// problems go into one message prefixed with "<action>: ". SR_EINVAL.
sr_err_t wrk_params_check(const char *action, const wrk_param_t *params,
                          size_t n, const sr_value_t *input, sr_error_t *err);

// The defaults of the optional parameters as a map (entries only for
// non-null defaults); NULL in *out when there are none. Caller owns *out.
// SR_EINTERNAL when a default in the table is not valid JSON.
sr_err_t wrk_params_defaults(const wrk_param_t *params, size_t n,
                             sr_value_t **out, sr_error_t *err);

// The table as an array of maps {name, required, default, types, doc}.
// Caller owns *out.
sr_err_t wrk_params_describe(const wrk_param_t *params, size_t n,
                             sr_value_t **out, sr_error_t *err);

// "a number", "a string or a map", "any value": the types of a mask, in
// words, written into buf; returns buf.
const char *wrk_params_types_text(unsigned types, char *buf, size_t size);

#endif
