// The engine's durable records: executions, task executions, action
// executions, timers. The state machine reads and changes them; the store
// keeps them (msgpack of core_*_to_value) keyed by id.
//
// Ownership: every pointer field is owned by its record (strings malloc'd,
// values hold one reference) and released by the record's destroy. Records
// are plain data with no thread affinity beyond their owner's.
#ifndef CORE_REC_H
#define CORE_REC_H

#include <stdbool.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_id.h"
#include "sr_value.h"

typedef enum {
    CORE_EX_RUNNING = 0,
    CORE_EX_PAUSED,
    CORE_EX_SUCCESS,
    CORE_EX_ERROR,
    CORE_EX_CANCELLED,
} core_ex_state_t;

typedef enum {
    CORE_T_WAITING = 0, // created; waiting for a join, a pause or a slot
    CORE_T_RUNNING,
    CORE_T_DELAYED, // wait-before, wait-after or a retry delay
    CORE_T_PAUSED,  // pause-before
    CORE_T_SUCCESS,
    CORE_T_ERROR,
    CORE_T_CANCELLED,
} core_task_state_t;

typedef enum {
    CORE_A_SCHEDULED = 0, // waiting for a worker (queued or offered)
    CORE_A_RUNNING,       // a worker was told GO
    CORE_A_PENDING,       // delegate: waiting for COMPLETE
    CORE_A_SUCCESS,
    CORE_A_ERROR,
    CORE_A_CANCELLED,
} core_action_state_t;

// Per-unit state of a task's actions (one unit, or one per with-items item).
typedef enum {
    CORE_U_PENDING = 0, // not started yet (concurrency) or waiting to retry
    CORE_U_RUNNING,     // action or sub-workflow in flight
    CORE_U_SUCCESS,
    CORE_U_ERROR,
    CORE_U_CANCELLED,
} core_unit_state_t;

typedef enum {
    CORE_TIMER_WAIT_BEFORE = 1, // task: start after wait-before
    CORE_TIMER_WAIT_AFTER,      // task: complete after wait-after
    CORE_TIMER_RETRY,           // task: run again after retry delay
    CORE_TIMER_TIMEOUT,         // task: timeout policy
    CORE_TIMER_SLEEP,           // action: virtual std.sleep (sim driver)
} core_timer_kind_t;

// Mistral's time format for API fields: "2026-11-23 12:00:00" (UTC).
void core_format_time(int64_t ms, char out[20]);

const char *core_ex_state_name(core_ex_state_t s);
const char *core_task_state_name(core_task_state_t s);
const char *core_action_state_name(core_action_state_t s);
bool core_ex_state_parse(const char *text, core_ex_state_t *out);
bool core_ex_state_is_final(core_ex_state_t s);
bool core_task_state_is_final(core_task_state_t s);
bool core_action_state_is_final(core_action_state_t s);

typedef struct {
    sr_id_t id;
    char *wf_name;
    char *def_hash; // 64 hex digits of the definition the execution runs
    char *description;
    sr_id_t parent_id;   // nil for a top-level execution
    uint32_t parent_seq; // parent task execution
    int32_t parent_item; // with-items index in the parent task, or -1
    sr_id_t root_id;     // top-level ancestor (itself when top-level)
    core_ex_state_t state;
    char *state_info;   // NULL when none
    sr_value_t *input;  // map
    sr_value_t *params; // map (task_name, env, ...)
    sr_value_t *env;    // map (root's env, read by env())
    sr_value_t *ctx;    // map: vars + globally published variables
    sr_value_t *output; // set when finished; else NULL
    sr_value_t *latest; // map: task name -> seq of its latest execution
    int64_t created_ms, updated_ms;
    uint32_t next_seq; // seq of the next task execution
    uint32_t n_active; // task executions not final
    uint32_t n_tasks;  // task executions created
    uint32_t n_joins;  // active task executions that are joins still waiting
} core_exec_t;

typedef struct {
    sr_id_t exec_id;
    uint32_t seq; // creation order within the execution
    sr_id_t id;
    char *name;
    int32_t spec_index; // index in the workflow's tasks
    core_task_state_t state;
    char *state_info;
    sr_value_t *in_ctx;    // map: inbound context
    sr_value_t *in_ver;    // map: context versions (dotted key -> int)
    sr_value_t *published; // map, or NULL before publishing
    sr_value_t *result;    // result (NULL while running or keep-result off)
    sr_value_t *arrived;   // join: array of inbound task names arrived
    sr_value_t *items;     // with-items: the item maps (array), or NULL
    sr_value_t *results;   // with-items: per-unit results (array)
    sr_value_t *units;     // binary: one core_unit_state_t per unit
    sr_value_t *unit_ids;  // array: per-unit action or child execution id
    uint32_t n_units;      // 1, or the with-items count (0 = empty list)
    uint32_t concurrency;  // 0 = unlimited
    uint32_t retry_no;     // retries done so far
    sr_value_t *next;      // names of the tasks its transitions led to
    sr_value_t *backlog;   // after a `pause` command: transition entries
                           // (clause << 16 | index) to run on resume
    bool processed;        // transitions evaluated after completion
    bool handled;          // an ERROR handled by on-error
    bool fatal;            // ERROR that fails the workflow at once
    bool held;             // waiting only because the execution is paused
    bool joining;          // a join task execution still collecting inbound
    bool pause_passed;     // pause-before already honoured
    uint8_t outcome;       // wait-after: the state to complete with
    int64_t timer_due;     // due time of the armed timer, or 0
    sr_id_t timer_id;
    int64_t timeout_due; // timeout policy timer, or 0
    sr_id_t timeout_id;
    int64_t created_ms, updated_ms, started_ms, finished_ms;
} core_task_t;

typedef struct {
    sr_id_t id;
    sr_id_t exec_id;
    uint32_t seq; // task execution
    int32_t item; // unit index (0 for a task without with-items)
    uint32_t attempt;
    char *action; // the action a worker runs (base of an ad-hoc action)
    char *adhoc;  // ad-hoc action name whose output applies, or NULL
    char *target; // NULL: any worker
    sr_value_t *input;
    core_action_state_t state;
    char *worker;       // the worker told GO, or NULL
    sr_value_t *result; // success value, or the error value
    uint8_t token_hash[32];
    bool has_token;
    bool safe_rerun;
    int64_t deadline_ms; // 0 = none
    int64_t created_ms, started_ms, finished_ms;
} core_action_t;

typedef struct {
    int64_t due_ms;
    sr_id_t id; // unique per timer
    core_timer_kind_t kind;
    sr_id_t exec_id;
    uint32_t seq;
    int32_t item;
    sr_id_t action_id; // CORE_TIMER_SLEEP only
} core_timer_t;

core_exec_t *core_exec_new(void);
void core_exec_destroy(core_exec_t **e_p);
core_task_t *core_task_new(void);
void core_task_destroy(core_task_t **t_p);
core_action_t *core_action_new(void);
void core_action_destroy(core_action_t **a_p);

// Record <-> value (a map with short keys, what the store encodes).
// to_value: caller owns the result; NULL on OOM.
sr_value_t *core_exec_to_value(const core_exec_t *e);
sr_err_t core_exec_from_value(const sr_value_t *v, core_exec_t **out,
                              sr_error_t *err);
sr_value_t *core_task_to_value(const core_task_t *t);
sr_err_t core_task_from_value(const sr_value_t *v, core_task_t **out,
                              sr_error_t *err);
sr_value_t *core_action_to_value(const core_action_t *a);
sr_err_t core_action_from_value(const sr_value_t *v, core_action_t **out,
                                sr_error_t *err);
sr_value_t *core_timer_to_value(const core_timer_t *t);
sr_err_t core_timer_from_value(const sr_value_t *v, core_timer_t *out,
                               sr_error_t *err);

// Replace a string field: frees the old one, copies `text` (NULL clears).
sr_err_t core_set_str(char **field, const char *text);
// Replace a value field: drops the old reference, takes `v` (may be NULL).
void core_set_value(sr_value_t **field, sr_value_t *v);

// The state of unit `item` of a task execution (task->units; PENDING past
// its end), and its change (the vector is copied, as values may be shared).
core_unit_state_t core_unit_state(const core_task_t *task, uint32_t item);
sr_err_t core_unit_set_state(core_task_t *task, uint32_t item,
                             core_unit_state_t state);

// A list of task names in a record (a task's `next`, a join's `arrived`):
// whether it holds `name`, and adding it once (*list made when NULL).
bool core_names_has(const sr_value_t *list, const char *name);
sr_err_t core_names_add(sr_value_t **list, const char *name);

#endif
