// YAML values as PyYAML's safe_load() reads them: YAML 1.1 scalars on the
// way in (yes/no/on/off booleans, 0x10, 1_000, ~), one document, no
// aliases. libyaml does the parsing; this room adds the typing rules,
// which the YAML tree (lang_tree.h) and the dump (lang_yaml_dump.h) share.
// Config and cluster files, and the yaml_parse() function of expressions,
// are read with lang_yaml_parse().
//
// Thread rule: reentrant.
#ifndef LANG_YAML_H
#define LANG_YAML_H

#include <stddef.h>

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

// Parse the single document of text[0..len); nesting deeper than
// max_depth, aliases and unknown tags are refused. Caller owns *out.
sr_err_t lang_yaml_parse(const char *text, size_t len, int max_depth,
                         sr_value_t **out, sr_error_t *err);

#endif
