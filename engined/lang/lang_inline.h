// The one-line forms of the language, split into pieces (offsets into the
// string, no copies): "std.echo output="Hi" n=1" (a name, or an expression,
// and inline parameters), "fail(msg='done')" (an engine command),
// "count=3 delay=1" (parameters alone), and "x in <% $.list %>" (a
// with-items clause). Values are typed by their form: quoted text, a
// template (holds <% %>, {{ }} or {% %}), a JSON/YAML flow list or map, or
// a bare word (a JSON number, true, false, null, or else a string).
// Reentrant; owns only the parameter array.
#ifndef LANG_INLINE_H
#define LANG_INLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "sr_err.h"

typedef enum {
    LANG_PV_QUOTED = 0, // "text" or 'text' (the span excludes the quotes)
    LANG_PV_TEMPLATE,   // unquoted text holding an expression
    LANG_PV_FLOW,       // [ ... ] or { ... }
    LANG_PV_WORD        // anything else up to a space
} lang_pv_kind_t;

typedef struct lang_pspan {
    size_t key, key_len; // offsets into the parsed string
    size_t val, val_len;
    lang_pv_kind_t kind;
} lang_pspan_t;

typedef struct lang_inline {
    size_t name_len;      // the name or expression is s[0..name_len)
    bool name_is_expr;    // it holds an expression
    bool has_parens;      // "name(k=v)"
    lang_pspan_t *params; // malloc'd; free with lang_inline_fini()
    size_t nparams;
    const char *error; // static message when parsing failed
    size_t error_at;   // offset of the problem
} lang_inline_t;

// Parse "NAME [k=v ...]" (with_name) or "k=v ..." (without). SR_EINVAL
// with out->error / out->error_at set when the text does not fit,
// SR_ENOMEM. Always call lang_inline_fini() afterwards.
sr_err_t lang_inline_parse(const char *s, size_t len, bool with_name,
                           lang_inline_t *out);
void lang_inline_fini(lang_inline_t *in);

// "VAR in REST": the variable and the rest (trimmed). SR_EINVAL when the
// form does not fit.
sr_err_t lang_inline_items(const char *s, size_t len, size_t *var,
                           size_t *var_len, size_t *rest, size_t *rest_len);

// True when the text (trailing spaces ignored) is exactly one expression:
// it starts with <% and ends with %>, or {{ ... }}, or {% ... %}.
bool lang_inline_is_expr(const char *s, size_t len);

#endif
