// The events core_step applies (core.h): what arrives from workers,
// clients, timers and the engine loop, as plain data. Every pointer in an
// event is borrowed for the duration of core_step.
#ifndef CORE_EVENT_H
#define CORE_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "core_rec.h"
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

#endif
