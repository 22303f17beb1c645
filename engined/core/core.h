// The engine's state machine: (workflow spec, durable state, event) ->
// (state changes, commands). Pure: no sockets, no LMDB, no clock (time
// arrives in the event), no threads. State is reached through core_state_t;
// commands are data the caller carries out AFTER it has committed the
// state changes.
//
// Thread rule: a core_t is used by one thread (the engine loop).
#ifndef CORE_H
#define CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core_cmd.h"
#include "core_event.h"
#include "core_rec.h"
#include "core_state.h"
#include "sr_err.h"

typedef struct {
    // Base of the callback URL given to delegate actions; the token is
    // appended. NULL: no URL in the action context.
    const char *callback_url;
    // Limits on what expressions may build.
    size_t max_expr_steps, max_value_bytes;
    // Nesting limit of sub-workflows.
    int max_depth;
} core_config_t;

typedef struct core core_t;

// Caller owns the result; NULL on OOM. `cfg` is copied (strings too).
core_t *core_new(const core_config_t *cfg);
void core_destroy(core_t **core_p);

// Apply one event. State changes go through `st`; commands are appended to
// `cmds`. Workflow-level failures (a task error, a bad expression in a
// workflow) are outcomes recorded in state, not errors. The return value is
// an error only when the event is refused (SR_ENOTFOUND: no such
// execution/action; SR_EINVAL: bad start input, with `err` saying what;
// SR_ESTATE: not allowed in the current state, e.g. DELETE of a
// sub-workflow execution or of a running one without `force`) or the
// state could not be read or written (then the caller aborts the
// transaction). A worker's RESULT for an action execution that does not
// exist (deleted with its execution) is ignored: SR_OK, no command.
sr_err_t core_step(core_t *core, core_state_t *st, const core_event_t *ev,
                   core_cmds_t *cmds, sr_error_t *err);

#endif
