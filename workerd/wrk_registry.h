// The actions a worker offers, and the one call that runs them.
//
// A registry knows the built-in actions (std.noop, std.echo, std.fail,
// std.sleep, std.async_noop, std.http), sirocco.shell when the configuration
// enables it, and the custom executables of the configured action folder
// (read at each call, so new files are picked up). wrk_registry_run looks an
// action up by name, checks its input against the action's parameters and
// runs it synchronously in the calling thread, bounded by the call's
// deadline and cancel handle.
//
// Thread rule: once created, a registry is read-only; any number of threads
// may call names/describe/run at once. Values given to and returned by a
// call belong to the calling thread. Destroy it after every call returned.
#ifndef WRK_REGISTRY_H
#define WRK_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_value.h"
#include "wrk_action.h"
#include "wrk_cancel.h"
#include "wrk_config.h"

typedef struct wrk_registry wrk_registry_t;

// One action to run. Everything is borrowed for the length of the call.
typedef struct {
    const char *action;        // name, e.g. "std.echo"
    const sr_value_t *input;   // map of parameters; NULL = {}
    const sr_value_t *context; // map: execution_id, task_name, action_id,
                               // callback_url, token; NULL = {}
    int64_t deadline_ms;       // wall clock ms since the epoch; 0 = none
    wrk_cancel_t *cancel;      // set from another thread to stop; may be NULL
} wrk_call_t;

// A registry for `config` (NULL = defaults; copied, action_dir too).
// SR_EINVAL when the action folder is given but is not a readable folder.
// Caller owns *out.
sr_err_t wrk_registry_new(const wrk_config_t *config, wrk_registry_t **out,
                          sr_error_t *err);

void wrk_registry_destroy(wrk_registry_t **self_p);

// The resolved configuration (limits filled in). Borrowed.
const wrk_config_t *wrk_registry_config(const wrk_registry_t *self);

// Names of every action offered now, built-ins first, then custom ones
// sorted (a file named like a built-in is hidden by it). Caller owns *out.
// SR_EIO when the action folder cannot be read.
sr_err_t wrk_registry_names(const wrk_registry_t *self, sr_value_t **out,
                            sr_error_t *err);

// {name, kind: "builtin"|"executable", doc, params: [{name, required,
// default, types, doc}] or null when any input is accepted}. SR_ENOTFOUND
// for an action not offered (the message says why). Caller owns *out.
sr_err_t wrk_registry_describe(const wrk_registry_t *self, const char *name,
                               sr_value_t **out, sr_error_t *err);

// True when `action` is a built-in marked WRK_ACTION_INLINE that does
// not wait on this `input` (wrk_action.h): it may run in the caller's
// thread without ever blocking it. False for every other action,
// custom executables included. Reads nothing but the registry.
bool wrk_registry_is_inline(const wrk_registry_t *self, const char *action,
                            const sr_value_t *input);

// Run one action to its end (or to PENDING for a delegate). Every failure
// of the action itself -- unknown or disabled action, bad input, timeout,
// cancel, the action's own error -- is an ERROR result, so this returns
// SR_OK with *out filled in all those cases (value never NULL); it returns
// SR_ENOMEM, leaving *out untouched, only when memory ran out. Caller
// finalises *out with wrk_result_fini.
sr_err_t wrk_registry_run(const wrk_registry_t *self, const wrk_call_t *call,
                          wrk_result_t *out, sr_error_t *err);

#endif
