// The commands core_step returns (core.h): what must happen outside once
// the step's state changes are committed, as plain data, and the list
// that holds them.
//
// Thread rule: a command list belongs to the thread that runs the step.
#ifndef CORE_CMD_H
#define CORE_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_id.h"
#include "sr_value.h"

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
// Append a command; its owned fields are taken (freed on failure too).
// SR_ENOMEM when the list cannot grow.
sr_err_t core_cmds_push(core_cmds_t *cmds, core_cmd_t *cmd);

#endif
