// Collecting validation problems: the loader's rooms add diagnostics with a
// position and a printf-style message; lang_spec.h's lang_diags_* functions
// sort, print and free them. Thread rule: a lang_diags_t belongs to one
// thread.
#ifndef LANG_DIAG_H
#define LANG_DIAG_H

#include <stdarg.h>

#include "lang_spec.h"

// Append one diagnostic. Returns SR_ENOMEM when memory runs out (the
// diagnostic is then lost), else SR_OK. Messages longer than the message
// buffer are cut with "...".
sr_err_t lang_diag_add(lang_diags_t *diags, lang_pos_t pos, const char *fmt,
                       ...) __attribute__((format(printf, 3, 4)));
sr_err_t lang_diag_vadd(lang_diags_t *diags, lang_pos_t pos, const char *fmt,
                        va_list ap);

// Sort by position (line, then column), keeping the order of equal ones.
void lang_diags_sort(lang_diags_t *diags);

#endif
