// The built-in function library shared by YAQL and Jinja: one C function per
// operation, reached through name tables per namespace (YAQL functions and
// methods, Jinja globals, filters, methods and tests). Parsers resolve names
// once at compile time; a name no table knows goes to the host at run time.
//
// Calling convention: the evaluator fills a lang_call_t. Eager built-ins get
// evaluated arguments in argv (the receiver or filter subject first);
// built-ins flagged LANG_FN_LAZY evaluate their own arguments with
// lang_call_eval*() (predicates, switch cases). Arguments are borrowed; *out
// is a new reference. Errors go through lang_fail() (lang_eval.h).
#ifndef LANG_FN_H
#define LANG_FN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lang_ast.h"
#include "sr_err.h"
#include "sr_value.h"

typedef enum {
    LANG_NS_YAQL_FUNC = 0,
    LANG_NS_YAQL_METHOD,
    LANG_NS_JINJA_FUNC,
    LANG_NS_JINJA_FILTER,
    LANG_NS_JINJA_METHOD,
    LANG_NS_JINJA_TEST,
    LANG_NS_COUNT
} lang_ns_t;

enum {
    LANG_FN_LAZY = 1 << 0,     // arguments after the first are not evaluated
    LANG_FN_LAZY_ALL = 1 << 1, // no argument is evaluated
    LANG_FN_UNDEF_OK = 1 << 2, // an undefined first argument arrives NULL
    LANG_FN_KEYWORDS = 1 << 3  // accepts keyword arguments
};

typedef struct lang_env lang_env_t;

typedef struct {
    lang_env_t *env;
    const lang_node_t *node;                // the call node
    size_t argc;                            // arguments, receiver included
    sr_value_t *argv[LANG_MAX_ARGS];        // evaluated (eager) or NULL
    const char *names[LANG_MAX_ARGS];       // keyword of each, or NULL
    const lang_node_t *args[LANG_MAX_ARGS]; // argument nodes (PAIR unwrapped
                                            // for keywords); NULL receiver
} lang_call_t;

typedef sr_err_t (*lang_builtin_fn)(lang_call_t *c, sr_value_t **out);

typedef struct lang_builtin {
    const char *name;
    lang_builtin_fn fn;
    unsigned char min_args, max_args; // receiver included
    unsigned char flags;              // LANG_FN_*
} lang_builtin_t;

// The built-in `name` of namespace `ns`, or NULL.
const lang_builtin_t *lang_builtin_find(lang_ns_t ns, const char *name,
                                        size_t len);

// Helpers for built-ins. Errors name the function (c->node->name).
// A new value as the result: SR_ENOMEM when v is NULL.
sr_err_t lang_fn_ret(lang_call_t *c, sr_value_t *v, sr_value_t **out);
// "name() argument 2 must be str, not int" for argument i.
sr_err_t lang_fn_type(lang_call_t *c, size_t i, const char *want);
// Argument i as a string / an integer (a type error otherwise).
sr_err_t lang_fn_str(lang_call_t *c, size_t i, const char **s, size_t *len);
sr_err_t lang_fn_int(lang_call_t *c, size_t i, int64_t *v);
// The items of a collection as a list (new reference): a list itself, a
// dict's keys; in Jinja also a string's characters.
sr_err_t lang_fn_items(lang_call_t *c, sr_value_t *v, sr_value_t **list);
// Append `item` (consumed) to `list`; SR_ENOMEM on failure.
sr_err_t lang_fn_push(lang_call_t *c, sr_value_t *list, sr_value_t *item);
// Jinja attribute lookup for attribute= arguments: "a.b" or "0"
// (borrowed; NULL when missing).
sr_value_t *lang_fn_attr(sr_value_t *obj, const char *path);
// True for YAQL calls.
bool lang_fn_is_yaql(const lang_call_t *c);

// Jinja filters that apply tests or filters to each item (lang_fn_jinja.c).
sr_err_t lang_fn_jinja_map(lang_call_t *c, sr_value_t **out);
sr_err_t lang_fn_jinja_select(lang_call_t *c, sr_value_t **out);
sr_err_t lang_fn_jinja_reject(lang_call_t *c, sr_value_t **out);
sr_err_t lang_fn_jinja_selectattr(lang_call_t *c, sr_value_t **out);
sr_err_t lang_fn_jinja_rejectattr(lang_call_t *c, sr_value_t **out);

// Tables contributed by each library file (sorted or not; searched linearly
// at compile time only).
typedef struct {
    lang_ns_t ns;
    const lang_builtin_t *entries;
    size_t count;
} lang_fn_table_t;

extern const lang_fn_table_t lang_fn_core_tables[];
extern const size_t lang_fn_core_ntables;
extern const lang_fn_table_t lang_fn_build_tables[];
extern const size_t lang_fn_build_ntables;
extern const lang_fn_table_t lang_fn_coll_tables[];
extern const size_t lang_fn_coll_ntables;
extern const lang_fn_table_t lang_fn_query_tables[];
extern const size_t lang_fn_query_ntables;
extern const lang_fn_table_t lang_fn_str_tables[];
extern const size_t lang_fn_str_ntables;
extern const lang_fn_table_t lang_fn_data_tables[];
extern const size_t lang_fn_data_ntables;
extern const lang_fn_table_t lang_fn_jinja_tables[];
extern const size_t lang_fn_jinja_ntables;

#endif
