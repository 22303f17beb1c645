// Helpers shared by the core's unit tests (core_*_test.c): a core over an
// in-memory state (core_mem.h), a clock the test moves, workflows defined
// from YAML in one line, events applied one per batch as the engine loop
// applies them, a worker the test plays by hand (what was dispatched, its
// CONFIRM and RESULT), a log of what the commands said, and records read
// back. Every helper fails the running cmocka test (with a message)
// instead of returning an error, except those that return a code for the
// test to check.
//
// Thread rule: a ct_t and what it lends belong to the test's thread.
#ifndef CORE_TEST_UTIL_H
#define CORE_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core.h"
#include "core_mem.h"

// What a DISPATCH offered, as the worker saw it.
typedef struct {
    sr_id_t exec_id, action_id;
    uint32_t attempt;
    char task[64];     // the task execution's name
    sr_value_t *input; // owned
    bool open;         // neither answered nor cancelled yet
} ct_offer_t;

typedef struct {
    core_t *core;
    core_mem_t *mem;
    int64_t now;        // the clock, in ms; every event carries it
    sr_id_t id;         // the execution ct_start started last
    core_cmds_t cmds;   // the commands of the last event
    sr_error_t err;     // of the last event
    ct_offer_t *offers; // every action offered, newest attempt only
    size_t noffers, capoffers;
    char *log; // what the commands said since the last ct_log_clear
    size_t loglen, logcap;
    sr_id_t *ids; // executions seen, and their workflow names
    char **names;
    size_t nids, capids;
    void **lent; // records lent to the test, freed at teardown
    void (**lent_free)(void *);
    size_t nlent, caplent;
} ct_t;

// cmocka setup / teardown: *state is a ct_t over an empty partition, its
// clock at 2027-01-15.
int ct_setup(void **state);
int ct_teardown(void **state);

// Define the workflows of a YAML document; the test fails when invalid.
void ct_define(ct_t *c, const char *yaml);
// Start workflow `wf` with `input_json` (NULL: none); sets c->id. The
// test fails when the start is refused.
void ct_start(ct_t *c, const char *wf, const char *input_json);
// Start with start parameters (`params_json`, e.g. a reverse workflow's
// task_name); returns the code.
sr_err_t ct_start_with(ct_t *c, const char *wf, const char *input_json,
                       const char *params_json);

// Apply an event at the clock's time, in a batch of its own; returns its
// code (its message in c->err).
sr_err_t ct_apply(ct_t *c, core_event_t ev);
// An execution event (PAUSE, RESUME, CANCEL...) on c->id.
sr_err_t ct_exec_event(ct_t *c, core_event_kind_t kind, const char *msg);

// The first open offer for task `task`; the test fails when there is none.
const ct_offer_t *ct_offer(ct_t *c, const char *task);
// How many offers for task `task` are open.
size_t ct_open(const ct_t *c, const char *task);
// The worker: CONFIRM an offer (the answer is in c->cmds), send its
// RESULT (`json`: the output or the error; NULL: null).
sr_err_t ct_confirm(ct_t *c, const ct_offer_t *o);
sr_err_t ct_result(ct_t *c, const ct_offer_t *o, core_result_t status,
                   const char *json);
// Confirm and answer the first open offer of `task` with success
// (`json`: its output) or error; the test fails on a refusal.
void ct_finish(ct_t *c, const char *task, const char *json);
void ct_fail(ct_t *c, const char *task, const char *json);

// Move the clock by `ms` and fire every timer due by then, in order.
void ct_tick(ct_t *c, int64_t ms);

// Records as committed, lent until teardown (the test fails when absent).
// ct_exec(c, NULL) is c->id's; ct_task is the latest execution of `name`
// in `exec` (NULL: c->id); ct_child the sub-workflow execution unit `item`
// of task `name` runs.
const core_exec_t *ct_exec(ct_t *c, const sr_id_t *id);
const core_task_t *ct_task(ct_t *c, const sr_id_t *exec, const char *name);
const core_exec_t *ct_child(ct_t *c, const char *name, uint32_t item);
const core_action_t *ct_action(ct_t *c, const sr_id_t *id);
// How many executions of task `name` c->id made.
size_t ct_count(ct_t *c, const char *name);
// Commands of `kind` among the last event's.
size_t ct_cmds(const ct_t *c, core_cmd_kind_t kind);

// The log of the commands since it was last checked or cleared, one entry
// each, "; " between: "(wf) RUNNING" for an execution's state (by workflow
// name), "a SUCCESS" for a task's, "dispatch a" (attempt n: "dispatch
// a#n"), "cancel a", "go a", "halt a: why", "timer +ms". CT_LOG checks it,
// then clears it.
void ct_log_clear(ct_t *c);
void ct_log_is_at(const char *file, int line, ct_t *c, const char *want);
#define CT_LOG(c, want) ct_log_is_at(__FILE__, __LINE__, c, want)

// A value from JSON (caller destroys); `v` is `json` (types exact; NULL
// stands for absent and never matches).
sr_value_t *ct_json(const char *json);
void ct_json_is_at(const char *file, int line, const sr_value_t *v,
                   const char *json);
#define CT_JSON(v, json) ct_json_is_at(__FILE__, __LINE__, v, json)

#endif
