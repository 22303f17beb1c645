// The evaluator: walks compiled nodes against one evaluation context. An
// environment lives on the caller's stack for one lang_tmpl_eval() call; it
// counts steps, enforces the size limit, holds Jinja variables and the
// pending error. Values: every lang_eval() result is a new reference; data
// reached through $ or _ is returned by reference, never copied.
//
// Thread rule: an environment belongs to the evaluating thread.
#ifndef LANG_EVAL_H
#define LANG_EVAL_H

#include <stdbool.h>
#include <stddef.h>

#include "lang_ast.h"
#include "lang_expr.h"
#include "lang_fn.h"

#define LANG_MAX_VARS 32 // Jinja variables alive at once

typedef struct {
    const char *name;  // borrowed from the template
    sr_value_t *value; // owned
} lang_var_t;

struct lang_env {
    const lang_eval_ctx_t *ctx;
    const char *src;     // template text (for messages)
    sr_value_t *data;    // $ / _ at the root (borrowed; may be NULL)
    sr_value_t *dollar;  // YAQL: the current $ (borrowed)
    bool dollar_is_root; // $ is the data, not a predicate's item
    size_t steps;        // evaluation steps so far
    size_t max_steps;
    size_t max_bytes;
    lang_var_t vars[LANG_MAX_VARS];
    size_t nvars;
    size_t frame;       // first variable of the innermost loop
    bool undefined;     // the pending error is a Jinja undefined value
    size_t depth;       // nodes being evaluated (lang_eval nesting)
    size_t undef_depth; // depth of the node that raised `undefined`
    size_t err_pos;     // YAQL text: source of the failing expression
    size_t err_len;
    char detail[224]; // the pending error, without Mistral's wrapper
};

// Set up / tear down an environment for one evaluation.
void lang_env_init(lang_env_t *e, const char *src, const lang_eval_ctx_t *ctx);
void lang_env_fini(lang_env_t *e);

// Evaluate an expression node. *out is a new reference.
sr_err_t lang_eval(lang_env_t *e, const lang_node_t *n, sr_value_t **out);
// Run template nodes (SEQ, TEXT, OUT, IF, FOR, SET), appending text.
struct lang_buf;
sr_err_t lang_render(lang_env_t *e, const lang_node_t *n, struct lang_buf *buf);

// Record an error (returns SR_EEXPR); _undefined also marks it as a Jinja
// undefined value, which `default` and `is defined` absorb.
sr_err_t lang_fail(lang_env_t *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
sr_err_t lang_fail_undefined(lang_env_t *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
sr_err_t lang_oom(lang_env_t *e);
// Map a buffer or limit failure (SR_ENOMEM, SR_ETOOBIG) to a message.
sr_err_t lang_fail_code(lang_env_t *e, sr_err_t code);
// Count `n` steps; SR_ETOOBIG past the limit.
sr_err_t lang_step(lang_env_t *e, size_t n);
// Refuse a string of `bytes` or a collection of `items` past the limit.
sr_err_t lang_check_bytes(lang_env_t *e, size_t bytes);
sr_err_t lang_check_items(lang_env_t *e, size_t items);

// Python type names for messages: NoneType, bool, int, float, str, list ...
const char *lang_type_name(const sr_value_t *v);

// Arguments of lazy built-ins: evaluate argument i as is, or with $ bound
// to `item` (a YAQL predicate or selector).
sr_err_t lang_call_eval(lang_call_t *c, size_t i, sr_value_t **out);
sr_err_t lang_call_eval_item(lang_call_t *c, size_t i, sr_value_t *item,
                             sr_value_t **out);
// Keyword argument `name`, or positional argument `pos` (receiver = 0) when
// given positionally; NULL when absent. Borrowed.
sr_value_t *lang_call_arg(const lang_call_t *c, size_t pos, const char *name);
// Call the host (ctx->call) by name with evaluated arguments.
sr_err_t lang_call_host(lang_env_t *e, const char *name, sr_value_t **argv,
                        size_t argc, sr_value_t **out);

#endif
