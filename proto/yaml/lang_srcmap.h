// Where a byte of a scalar's value sits in the YAML source, so an error at
// byte N of an expression can be reported at FILE:LINE:COL inside a plain,
// single-quoted, double-quoted (escapes), literal (|) or folded (>)
// scalar, including multi-line ones. Reentrant; owns nothing.
#ifndef LANG_SRCMAP_H
#define LANG_SRCMAP_H

#include <stddef.h>

#include "lang_tree.h"

// Byte offset in `src` of byte `voff` of the value of the scalar that
// starts at byte `start` (its first character, opening quote or block
// indicator) and is written in `style`. Returns `start` when the offset
// cannot be found (it never points outside the source).
size_t lang_srcmap_offset(const char *src, size_t len, size_t start,
                          lang_style_t style, size_t voff);

#endif
