// What one action run gets and gives back, shared by every action runner
// (std.*, std.http, custom executables, sirocco.shell) and the registry.
//
// A run reads a wrk_run_t (all borrowed) and fills a wrk_result_t. An action
// never returns an sr_err_t: everything that goes wrong while running it,
// from bad input to a timeout, is an ERROR result the workflow can handle.
// The only exception is memory running out while building the result, seen
// as a result whose value is NULL.
//
// Thread rule: a run and its result belong to the thread running the action.
#ifndef WRK_ACTION_H
#define WRK_ACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_value.h"
#include "wrk_bound.h"
#include "wrk_config.h"
#include "wrk_params.h"

typedef enum {
    WRK_SUCCESS = 0, // value is the action's result
    WRK_ERROR,       // value is a string message or the error data
    WRK_PENDING,     // delegate: the result comes later through COMPLETE
} wrk_status_t;

// "SUCCESS", "ERROR", "PENDING".
const char *wrk_status_name(wrk_status_t status);

typedef struct {
    wrk_status_t status;
    sr_value_t *value; // owned; nil for PENDING; NULL only when out of memory
} wrk_result_t;

// Drop the value (NULL-safe) and reset to SUCCESS with no value.
void wrk_result_fini(wrk_result_t *self);

// Fill a result, dropping any previous value. `_success`, `_error_value`
// consume `value` (NULL stands for "out of memory").
void wrk_result_success(wrk_result_t *self, sr_value_t *value);
void wrk_result_error_value(wrk_result_t *self, sr_value_t *value);
void wrk_result_pending(wrk_result_t *self);
// ERROR whose value is the message "<action>: <text>".
void wrk_result_error(wrk_result_t *self, const char *action, const char *fmt,
                      ...) __attribute__((format(printf, 3, 4)));

// Everything an action implementation may read. All borrowed.
typedef struct {
    const char *action;         // the name asked for
    const sr_value_t *input;    // a map, checked against the parameters
    const sr_value_t *defaults; // defaults of optional parameters, or NULL
    const sr_value_t *context;  // a map (execution_id, task_name, ...)
    int64_t deadline_ms;        // wall clock; 0 = none
    const wrk_config_t *config; // resolved limits
    const wrk_bound_t *bound;   // deadline + cancel of this run
} wrk_run_t;

// The parameter `name`: the input's entry unless absent or null, else its
// default, else NULL. Borrowed: never ref a default (it is shared by every
// thread); copy it with sr_value_dup when it must outlive the call.
const sr_value_t *wrk_run_arg(const wrk_run_t *run, const char *name);

// A string entry of the context ("execution_id", ...), or NULL.
const char *wrk_run_context_str(const wrk_run_t *run, const char *key);

typedef void (*wrk_action_fn)(const wrk_run_t *run, wrk_result_t *out);

// What a worker node may do with a built-in action (its `flags`).
typedef enum {
    // Pure and quick: it never blocks, so a node runs it in its own thread
    // on GO and sends the RESULT in the same turn, with no hand-off to an
    // action thread (wrk_machine.c). An action that blocks (I/O, a child
    // process, a wait) must never carry it: it would stop the node.
    WRK_ACTION_INLINE = 1u << 0,
} wrk_action_flag_t;

// For an INLINE action that waits on some inputs (std.echo's `delay`):
// true when `input` (the TASK's, maybe not a map) makes it wait; it then
// runs in an action thread like any other. Reentrant.
typedef bool (*wrk_action_waits_fn)(const sr_value_t *input);

// A built-in action: its name, one line of doc, its parameters and code.
typedef struct {
    const char *name;
    const char *doc;
    const wrk_param_t *params;
    size_t n_params;
    wrk_action_fn run;
    unsigned flags;            // wrk_action_flag_t bits
    wrk_action_waits_fn waits; // INLINE only; NULL = never waits
} wrk_action_def_t;

#endif
