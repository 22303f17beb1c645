// YAML for the yaml_dump() and yaml_parse() functions, matching PyYAML's
// safe_dump(default_flow_style=False) and safe_load(): block style, sorted
// keys, strings quoted when they would read back as another type, and YAML
// 1.1 scalars on the way in (yes/no/on/off booleans, 0x10, 1_000, ~).
// libyaml does the parsing and emitting; this file adds the typing rules.
//
// Thread rule: reentrant.
#ifndef LANG_YAML_H
#define LANG_YAML_H

#include <stddef.h>

#include "lang_text.h"
#include "sr_err.h"
#include "sr_value.h"

typedef enum {
    LANG_YAML_STR = 0,
    LANG_YAML_NULL,
    LANG_YAML_BOOL,
    LANG_YAML_INT,
    LANG_YAML_FLOAT,
    LANG_YAML_TIMESTAMP,
    LANG_YAML_MERGE, // <<
    LANG_YAML_VALUE  // =
} lang_yaml_type_t;

// The type YAML 1.1 (PyYAML's resolver) gives a plain scalar.
lang_yaml_type_t lang_yaml_resolve(const char *s, size_t len);

// The value of a plain scalar (new reference); timestamps stay strings.
// SR_EINVAL when an int or float does not fit.
sr_err_t lang_yaml_scalar(const char *s, size_t len, sr_value_t **out);

// Append the YAML text of v. SR_ENOMEM, SR_ETOOBIG (buffer limit) or
// SR_EINVAL (libyaml refused; detail in err).
sr_err_t lang_yaml_dump(const sr_value_t *v, lang_buf_t *out, sr_error_t *err);

// Parse the single document of text[0..len); nesting deeper than
// max_depth, aliases and unknown tags are refused. Caller owns *out.
sr_err_t lang_yaml_parse(const char *text, size_t len, int max_depth,
                         sr_value_t **out, sr_error_t *err);

#endif
