// Custom actions: executables in the worker's action folder. The action
// `my.action` is the file <folder>/my.action (names of letters, digits,
// '_', '.', '-', not starting with '.'), a regular executable file. It runs
// without a shell; its input arrives as JSON on stdin, its context in
// SIROCCO_* environment variables, and its result is the JSON it prints on
// stdout (nothing printed = null). A non-zero exit is an ERROR whose message
// is its stderr, trimmed and bounded. Printing exactly {"sirocco":
// "pending"} makes it a delegate: the result is PENDING. See docs/actions.md.
//
// Thread rule: reentrant; the folder is read at each call.
#ifndef WRK_EXEC_H
#define WRK_EXEC_H

#include <stdbool.h>

#include "sr_err.h"
#include "sr_value.h"
#include "wrk_action.h"
#include "wrk_proc.h"

// Is `name` allowed as the name of a custom action?
bool wrk_exec_name_ok(const char *name);

// The path of the executable for `name` in `dir`. SR_OK with *path (caller
// frees); SR_EINVAL when the name is not allowed; SR_ENOTFOUND when there
// is no such file, or it is not a regular executable file (the message
// says which).
sr_err_t wrk_exec_find(const char *dir, const char *name, char **path,
                       sr_error_t *err);

// The names of every custom action in `dir`, sorted, as an array of
// strings. Caller owns *out. SR_EIO when the folder cannot be read.
sr_err_t wrk_exec_list(const char *dir, sr_value_t **out, sr_error_t *err);

// Run the executable at `path` (found by wrk_exec_find) for `run`.
void wrk_exec_run(const wrk_run_t *run, const char *path, wrk_result_t *out);

// When the child did not end by itself (timeout, cancel, oversized output)
// or died of a signal: fill `out` with that ERROR and return true.
bool wrk_exec_stopped(const wrk_run_t *run, const wrk_proc_result_t *p,
                      wrk_result_t *out);

// Text of a stream for an error message: surrounding white space removed,
// cut to `limit` bytes (on a UTF-8 boundary) with "..." appended. Caller
// owns the result; NULL when memory runs out.
sr_value_t *wrk_exec_message(const char *text, size_t len, size_t limit);

#endif
