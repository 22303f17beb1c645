// The source text of a workflow file: checked to be UTF-8, with a table of
// line starts so byte offsets and YAML marks (line and column in
// characters) convert both ways. Line breaks are those of YAML 1.1: LF, CR,
// CRLF, NEL, LS and PS. A leading byte order mark counts as one column, as
// libyaml counts it.
//
// Ownership: a lang_src_t borrows the text and owns its line table.
#ifndef LANG_SRC_H
#define LANG_SRC_H

#include <stddef.h>

#include "lang_diag.h"

typedef struct {
    const char *text; // borrowed
    size_t len;
    size_t *lines; // byte offset where each line starts; owned
    size_t nlines;
    // Last conversion, to walk forward from it on long lines.
    size_t last_line, last_col, last_offset;
} lang_src_t;

// Check the text and build the line table. Invalid UTF-8 gives SR_EINVAL
// with the position and value of the first bad byte in *bad_pos and
// *bad_byte; SR_ENOMEM when memory runs out.
sr_err_t lang_src_init(lang_src_t *t, const char *text, size_t len,
                       lang_pos_t *bad_pos, unsigned *bad_byte);
void lang_src_fini(lang_src_t *t);

// Byte offset of (line, column), both 0-based, columns in characters.
// Remembers the last answer, so increasing positions on one line cost
// linear time in total.
size_t lang_src_offset(lang_src_t *t, size_t line, size_t col);
// 1-based position of a byte offset (columns in characters).
lang_pos_t lang_src_pos(const lang_src_t *t, size_t offset);

#endif
