// Helpers shared by the semantic tests of the in-process driver: a sim over
// a temporary folder, inline workflow definitions, events built in one line,
// and the durable records read back for exact assertions. Every helper
// fails the running cmocka test (with a message) instead of returning an
// error, except where a test checks the error itself (t_apply).
//
// Thread rule: a t_sim_t and what it returns belong to the test's thread.
#ifndef SIM_TEST_UTIL_H
#define SIM_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "sim.h"

typedef struct {
    char dir[64];        // the temporary folder holding the partition
    sim_runner_t runner; // workerd's real actions (sim_std_runner.h)
    sim_t *sim;          // owned
    sr_id_t id;          // the execution t_start started last
    sr_error_t err;      // of the last t_apply
} t_sim_t;

// Open a sim (STORE_NOSYNC) over a new temporary folder; its actions are
// workerd's real ones, waits on the virtual clock.
void t_open(t_sim_t *t);
// Close it and remove the folder.
void t_close(t_sim_t *t);
// cmocka setup / teardown: *state is a t_sim_t opened for each test.
int t_setup(void **state);
int t_teardown(void **state);
// Close and reopen the same folder (what a restart does).
void t_reopen(t_sim_t *t);

// Define the workflows of a YAML document; the test fails when invalid.
void t_define(t_sim_t *t, const char *yaml);
// Start `wf` with `input_json` (NULL: none) and, for reverse workflows,
// `task_name` (NULL: none). Fails the test when refused; sets t->id.
void t_start(t_sim_t *t, const char *wf, const char *input_json,
             const char *task_name);
// Run until idle (bounded); fails the test on any error.
void t_run(t_sim_t *t);
// Apply at most `n` events; returns whether the sim is idle.
bool t_step(t_sim_t *t, size_t n);

// Apply an event; returns its code (its message in t->err).
sr_err_t t_apply(t_sim_t *t, core_event_t ev);
// Shorthands for execution events on t->id.
sr_err_t t_exec_event(t_sim_t *t, core_event_kind_t kind, const char *msg);
sr_err_t t_rerun(t_sim_t *t, const char *task, bool reset);
// COMPLETE a delegate with `json` (NULL: null) as result or error.
sr_err_t t_complete(t_sim_t *t, const sr_id_t *action_id, bool ok,
                    const char *json);

// The execution record (caller destroys with core_exec_destroy).
core_exec_t *t_exec(t_sim_t *t, const sr_id_t *id);

// Task executions of an execution in creation order.
typedef struct {
    core_task_t **items;
    size_t n;
} t_tasks_t;
t_tasks_t t_tasks(t_sim_t *t, const sr_id_t *id);
void t_tasks_free(t_tasks_t *ts);

// An execution run until idle: its record and its task executions.
typedef struct {
    core_exec_t *e;
    t_tasks_t ts;
} t_ran_t;
// Run until idle and read back the execution t->id. Free with t_ran_free.
t_ran_t t_finish(t_sim_t *t);
// Define `yaml`, start its workflow `wf` (no input), then t_finish.
t_ran_t t_run_wf(t_sim_t *t, const char *yaml);
void t_ran_free(t_ran_t *r);
// The latest execution of task `name`; fails the test when there is none.
const core_task_t *t_task(const t_tasks_t *ts, const char *name);
// Executions of task `name`.
size_t t_count(const t_tasks_t *ts, const char *name);

// Action executions of one task execution (exec id + seq), sorted by unit
// then creation time; seq UINT32_MAX: every task; exec_id NULL: every
// execution.
typedef struct {
    core_action_t **items;
    size_t n;
} t_actions_t;
t_actions_t t_actions(t_sim_t *t, const sr_id_t *exec_id, uint32_t seq);
void t_actions_free(t_actions_t *as);
// Units of `task` in state `u`.
size_t t_units(const core_task_t *task, core_unit_state_t u);
// The current action (or child execution) id of unit `item` of the
// latest execution of task `name` of t->id.
sr_id_t t_unit_id(t_sim_t *t, const char *name, uint32_t item);
// A copy of action execution `id` (caller destroys).
core_action_t *t_action(t_sim_t *t, const sr_id_t *id);

// Commands of kind `kind` in the last event's command list.
size_t t_cmds(t_sim_t *t, core_cmd_kind_t kind);

// Value helpers: a value from JSON (caller destroys); `v` equals `json`
// (types exact; NULL `v` stands for "absent" and never matches).
sr_value_t *t_json(const char *json);
void t_json_eq_at(const char *file, int line, const sr_value_t *v,
                  const char *json);
#define T_JSON(v, json) t_json_eq_at(__FILE__, __LINE__, v, json)
// `text` (may be NULL) contains `want`.
void t_contains_at(const char *file, int line, const char *text,
                   const char *want);
#define T_CONTAINS(text, want) t_contains_at(__FILE__, __LINE__, text, want)

#endif
