// Text forms of values as Python writes them: str() and repr() (what
// Mistral puts in a string with text around an expression), float repr
// (3.0, 1e+16), and json.dumps (ensure_ascii, indent, sort_keys), plus the
// growable, size-limited buffer they write into.
//
// Thread rule: a buffer belongs to one thread. Functions are reentrant.
#ifndef LANG_TEXT_H
#define LANG_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "sr_err.h"
#include "sr_value.h"

typedef struct lang_buf {
    char *data; // NUL-terminated when len > 0 (malloc'd; owned)
    size_t len;
    size_t cap;
    size_t limit; // most bytes allowed; 0 = no limit
} lang_buf_t;

// Append; SR_ETOOBIG past the limit, SR_ENOMEM. The buffer stays valid.
sr_err_t lang_buf_put(lang_buf_t *b, const char *s, size_t n);
sr_err_t lang_buf_puts(lang_buf_t *b, const char *s);
sr_err_t lang_buf_putc(lang_buf_t *b, char c);
// Take the text as a new string value (the buffer is emptied).
sr_err_t lang_buf_take(lang_buf_t *b, sr_value_t **out);
void lang_buf_fini(lang_buf_t *b);

// Python str(v): strings as they are, True/False/None, 3.0, [1, 'a'].
sr_err_t lang_text_str(lang_buf_t *b, const sr_value_t *v);
// Python repr(v): strings quoted ('a', "it's").
sr_err_t lang_text_repr(lang_buf_t *b, const sr_value_t *v);
// Python repr of a float into buf (at least 32 bytes); returns buf.
const char *lang_format_float(double d, char *buf, size_t size);

typedef struct {
    int indent; // < 0: one line with ", " and ": "; else spaces
    bool sort_keys;
    bool html_safe; // Jinja tojson: < > & ' as \u escapes
} lang_json_opts_t;

// Python json.dumps(v, ensure_ascii=True, ...).
sr_err_t lang_text_json(lang_buf_t *b, const sr_value_t *v,
                        const lang_json_opts_t *opts);

// Number of characters (UTF-8 code points) in s[0..len).
size_t lang_utf8_count(const char *s, size_t len);
// Byte offset of character `index` in s[0..len) (len when past the end).
size_t lang_utf8_offset(const char *s, size_t len, size_t index);

#endif
