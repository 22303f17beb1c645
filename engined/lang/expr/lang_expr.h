// Expressions of the Mistral v2 language: YAQL in <% %> and Jinja in {{ }}
// and {% %}, compiled once (when a workflow is loaded) into templates that
// the engine evaluates many times.
//
// A template is a string that may hold expressions. Mistral's rule decides
// the type of the result: a string that is exactly one expression yields the
// expression's value with its type (list, map, number, null ...); text around
// an expression, or several expressions, yield a string in which each value
// is converted with Python's str() (True, None, {'a': 1}). A string without
// expressions yields itself. YAQL and Jinja may not be mixed in one string.
//
// Ownership: templates are immutable after compile. Evaluating one takes
// references on its constant values and on the data (results share them
// instead of copying), and reference counts are not atomic (sr_value.h), so
// a template is evaluated by one thread at a time, like any value.
#ifndef LANG_EXPR_H
#define LANG_EXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_value.h"

typedef struct lang_tmpl lang_tmpl_t;

typedef enum {
    LANG_SYNTAX_NONE = 0, // plain text
    LANG_SYNTAX_YAQL,
    LANG_SYNTAX_JINJA
} lang_syntax_t;

// Compile `text` (len bytes). On error, returns SR_EEXPR, fills `err` with a
// message and sets *err_offset to the byte offset in `text` where the problem
// is (so the loader can report FILE:LINE:COL inside the expression).
// Caller owns *out; free with lang_tmpl_destroy().
sr_err_t lang_tmpl_compile(const char *text, size_t len, lang_tmpl_t **out,
                           size_t *err_offset, sr_error_t *err);

// Compile a bare YAQL expression without delimiters ("$.x + 1").
sr_err_t lang_tmpl_compile_yaql(const char *text, size_t len, lang_tmpl_t **out,
                                size_t *err_offset, sr_error_t *err);

void lang_tmpl_destroy(lang_tmpl_t **tmpl_p);

// True when the template holds no expression (evaluates to its text).
bool lang_tmpl_is_const(const lang_tmpl_t *tmpl);
lang_syntax_t lang_tmpl_syntax(const lang_tmpl_t *tmpl);
// The source text the template was compiled from (borrowed).
const char *lang_tmpl_text(const lang_tmpl_t *tmpl);

// Host functions: Mistral's built-ins that read engine state (task, tasks,
// execution, env, global). The evaluator calls `call` for any function it
// does not implement itself; the host returns SR_ENOTFOUND for a name it does
// not know (the evaluator then reports "unknown function 'NAME'").
// `args` are borrowed; on success *out is owned by the caller.
typedef sr_err_t (*lang_host_fn)(void *user, const char *name,
                                 sr_value_t *const *args, size_t nargs,
                                 sr_value_t **out, sr_error_t *err);

typedef struct {
    const sr_value_t *data; // "$" in YAQL, "_" in Jinja (borrowed)
    lang_host_fn call;      // may be NULL: no host functions
    void *user;             // passed to `call`
    int64_t now_ms;         // value of now(); 0 = the real clock
    size_t max_steps;       // evaluation steps before SR_ETOOBIG; 0 = 1e6
    size_t max_bytes;       // largest string or collection built; 0 = 1 MiB
} lang_eval_ctx_t;

// Evaluate. Caller owns *out (it may share parts of ctx->data). Errors
// (SR_EEXPR; SR_ETOOBIG past max_steps or max_bytes) carry Mistral's
// wording: "Can not evaluate YAQL expression [expression=..., error=...]";
// an error from the host keeps the host's code and message.
// An unknown variable ($.missing, _.missing) is an error naming it.
sr_err_t lang_tmpl_eval(const lang_tmpl_t *tmpl, const lang_eval_ctx_t *ctx,
                        sr_value_t **out, sr_error_t *err);

// Python's str() of a value, as Mistral uses for an expression inside text:
// strings as-is, True/False/None, 3.0, [1, 'a'], {'k': 'v'}.
// Caller frees with free(); NULL on OOM.
char *lang_value_to_text(const sr_value_t *v);

#endif
