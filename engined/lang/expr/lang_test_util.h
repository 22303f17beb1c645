// Helpers shared by the expression tests: evaluate a template against
// JSON data with a small fake host (task(), env(), fail()), and compare
// results as JSON text so types are exact (3 is not 3.0).
#ifndef LANG_TEST_UTIL_H
#define LANG_TEST_UTIL_H

#include "lang_expr.h"

// Evaluate; returns the error code and fills *out (owned) or err.
sr_err_t t_run(const char *text, const char *data_json,
               const lang_eval_ctx_t *base, sr_value_t **out, sr_error_t *err);

void t_expect_at(const char *file, int line, const char *text,
                 const char *data_json, const char *want_json);
void t_expect_err_at(const char *file, int line, const char *text,
                     const char *data_json, sr_err_t code, const char *want);
void t_expect_text_at(const char *file, int line, const char *text,
                      const char *data_json, const char *want);

// text evaluated against data gives the JSON value want_json.
#define T_EXPECT(text, data, want)                                             \
    t_expect_at(__FILE__, __LINE__, text, data, want)
// text evaluated against data gives a string equal to want.
#define T_TEXT(text, data, want)                                               \
    t_expect_text_at(__FILE__, __LINE__, text, data, want)
// text fails with `code` and a message containing `want`.
#define T_ERR(text, data, code, want)                                          \
    t_expect_err_at(__FILE__, __LINE__, text, data, code, want)

// JSON text of v with sorted keys (caller frees).
char *t_json(const sr_value_t *v);

#endif
