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

#include "core_rec.h"
#include "core_state.h"
#include "sr_err.h"
#include "sr_id.h"
#include "sr_value.h"

typedef enum {
    CORE_EV_START = 1, // start an execution (id chosen by the caller)
    CORE_EV_RESULT,    // an action's result from a worker
    CORE_EV_COMPLETE,  // a delegate action completed (COMPLETE message)
    CORE_EV_CONFIRM,   // a worker asks whether it may start an action
    CORE_EV_TIMER,     // a timer is due
    CORE_EV_PAUSE,
    CORE_EV_RESUME,
    CORE_EV_CANCEL,
    CORE_EV_RERUN,       // rerun a failed task
    CORE_EV_WORKER_LOST, // the worker running an action is gone
    CORE_EV_DELETE,      // delete a finished top-level execution
    CORE_EV_REOFFER,     // an offered action's TASK was refused or lost
} core_event_kind_t;

typedef enum {
    CORE_RESULT_SUCCESS = 0,
    CORE_RESULT_ERROR,
    CORE_RESULT_PENDING, // delegate: completes later through COMPLETE
} core_result_t;

// One event. Every pointer is borrowed for the duration of core_step.
typedef struct {
    core_event_kind_t kind;
    int64_t now_ms;
    sr_id_t exec_id;           // START, PAUSE, RESUME, CANCEL, RERUN, DELETE
    sr_id_t action_id;         // RESULT, COMPLETE, CONFIRM, WORKER_LOST,
                               // REOFFER
    uint32_t attempt;          // RESULT, CONFIRM, REOFFER, WORKER_LOST
                               // (0 = any)
    const char *worker;        // CONFIRM, WORKER_LOST, RESULT
    core_result_t status;      // RESULT, COMPLETE
    const sr_value_t *output;  // RESULT, COMPLETE: result or error value
    const char *wf_name;       // START
    const char *def_hash;      // START: version; NULL = newest by name
    const sr_value_t *input;   // START (map, may be NULL)
    const sr_value_t *env;     // START (map, may be NULL)
    const sr_value_t *params;  // START (map, may be NULL; task_name ...)
    const char *description;   // START
    const char *task_name;     // RERUN
    bool reset;                // RERUN: reset with-items
    bool force;                // DELETE: cancel a running execution first
    const char *msg;           // PAUSE, CANCEL: reason; WORKER_LOST: how
                               // it was lost (NULL: "no heartbeat");
                               // CONFIRM when fenced: the HALT reason
    bool fenced;               // CONFIRM: the TASK came from an earlier
                               // owner of the partition (older epoch): GO
                               // only again to the worker already running
                               // that attempt, never a first GO
    const core_timer_t *timer; // TIMER
} core_event_t;

typedef enum {
    CORE_CMD_DISPATCH = 1, // offer an action to a worker (TASK)
    CORE_CMD_CANCEL,       // stop an action running on a worker
    CORE_CMD_GO,           // answer to CONFIRM: start
    CORE_CMD_HALT,         // answer to CONFIRM: do not start
    CORE_CMD_TIMER,        // a timer was armed (the loop tracks the earliest)
    CORE_CMD_NOTIFY,       // an execution or task changed state
} core_cmd_kind_t;

// One command. Strings and values are owned by the command list.
typedef struct {
    core_cmd_kind_t kind;
    sr_id_t exec_id;
    sr_id_t action_id;   // DISPATCH, CANCEL, GO, HALT
    sr_id_t task_id;     // DISPATCH
    uint32_t attempt;    // DISPATCH, CANCEL, GO, HALT
    char *action;        // DISPATCH: action name
    char *target;        // DISPATCH: target group, or NULL
    char *task_name;     // DISPATCH, NOTIFY (task events)
    char *worker;        // CANCEL, GO, HALT: the worker concerned
    char *text;          // HALT: reason; NOTIFY: state_info
    char *token;         // DISPATCH: delegate callback token (text)
    sr_value_t *input;   // DISPATCH
    sr_value_t *context; // DISPATCH: execution / task / callback info
    bool safe_rerun;     // DISPATCH
    int64_t deadline_ms; // DISPATCH: 0 = none
    int64_t due_ms;      // TIMER
    bool is_task;        // NOTIFY: task event (else execution event)
    const char *state;   // NOTIFY: state name (static string); DELETED
                         // when the execution was deleted
    bool is_final;       // NOTIFY: the execution reached a final state
} core_cmd_t;

typedef struct {
    core_cmd_t *items;
    size_t count, cap;
} core_cmds_t;

void core_cmds_init(core_cmds_t *cmds);
void core_cmds_fini(core_cmds_t *cmds);
void core_cmds_clear(core_cmds_t *cmds);
// Drop the commands after the first `count` (an aborted transaction's).
void core_cmds_truncate(core_cmds_t *cmds, size_t count);

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

// Mistral's time format for API fields: "2026-11-23 12:00:00" (UTC).
void core_format_time(int64_t ms, char out[20]);

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
