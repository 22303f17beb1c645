// YAML scalars to values, resolved as PyYAML's safe_load does (YAML 1.1,
// implicit rules in lang_yaml.h):
// plain `1` is an int, `'1'` a string, `yes`/`True`/`on` are bools, `~`,
// `null` and the empty plain scalar are null, `1.5`, `.inf`, `1_000.0` and
// `1:30.5` are floats, `0x1F`, `017` (octal), `0b101` and `1:30` are ints.
// Timestamps stay strings. Reentrant; owns nothing.
#ifndef LANG_SCALAR_H
#define LANG_SCALAR_H

#include <stdbool.h>
#include <stddef.h>

#include "sr_err.h"
#include "sr_value.h"

// Resolve a scalar. `tag` is the explicit tag as libyaml expands it
// ("tag:yaml.org,2002:str", "!") or NULL; `is_plain` tells a plain scalar
// from a quoted or block one. On success *out is owned by the caller. On a
// bad value (an int out of the 64-bit range, an unsupported tag, "!!int x")
// returns SR_EINVAL and sets *problem to a static message.
sr_err_t lang_scalar_resolve(const char *text, size_t len, bool is_plain,
                             const char *tag, sr_value_t **out,
                             const char **problem);

// True when `text` is exactly one of YAML 1.1's merge key "<<".
bool lang_scalar_is_merge(const char *text, size_t len, bool is_plain,
                          const char *tag);

#endif
