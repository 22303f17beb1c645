// YAML text of a value as PyYAML's safe_dump(default_flow_style=False)
// writes it: block style, sorted keys, strings quoted when they would read
// back as another type. It serves the yaml_dump() function of expressions.
//
// Thread rule: reentrant.
#ifndef LANG_YAML_DUMP_H
#define LANG_YAML_DUMP_H

#include "lang_text.h"
#include "sr_err.h"
#include "sr_value.h"

// Append the YAML text of v. SR_ENOMEM, SR_ETOOBIG (buffer limit) or
// SR_EINVAL (libyaml refused; detail in err).
sr_err_t lang_yaml_dump(const sr_value_t *v, lang_buf_t *out, sr_error_t *err);

#endif
