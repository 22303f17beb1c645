// Problems found in a source file, each at a position: the YAML reader
// (lang_tree.c) and the workflow loader's rooms add them with a
// printf-style message; callers sort, print and free them. Thread rule: a
// lang_diags_t belongs to one thread.
#ifndef LANG_DIAG_H
#define LANG_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "sr_err.h"

typedef struct {
    int line, col; // 1-based position in the source; 0 when unknown
} lang_pos_t;

// One problem, "FILE:LINE:COL: message".
typedef struct {
    lang_pos_t pos;
    char msg[512];
} lang_diag_t;

typedef struct {
    lang_diag_t *items; // owned; free with lang_diags_fini()
    size_t count;
} lang_diags_t;

// Append one diagnostic. Returns SR_ENOMEM when memory runs out (the
// diagnostic is then lost), else SR_OK. Messages longer than the message
// buffer are cut with "...".
sr_err_t lang_diag_add(lang_diags_t *diags, lang_pos_t pos, const char *fmt,
                       ...) __attribute__((format(printf, 3, 4)));
sr_err_t lang_diag_vadd(lang_diags_t *diags, lang_pos_t pos, const char *fmt,
                        va_list ap);

// Sort by position (line, then column), keeping the order of equal ones.
void lang_diags_sort(lang_diags_t *diags);
void lang_diags_fini(lang_diags_t *diags);
// Print each diagnostic as "FILE:LINE:COL: message\n".
void lang_diags_print(const lang_diags_t *diags, const char *file, FILE *out);

#endif
