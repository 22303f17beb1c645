// What runs the sim's actions: a callback the sim is opened with. The sim
// knows no action. Its worker hands each action the engine said GO for to
// the runner and sends the outcome back as the action's RESULT, at once or
// after some virtual time. This header is the whole contract; the tests'
// runner (sim_std_runner.h) runs workerd's real std actions, and a test may
// pass a runner of its own.
//
// Thread rule: the sim calls its runner from the sim's thread, one call at
// a time.
#ifndef SIM_RUNNER_H
#define SIM_RUNNER_H

#include <stdint.h>

#include "core.h"
#include "sr_err.h"
#include "sr_id.h"
#include "sr_value.h"

// One action to run. Everything is borrowed for the length of the call.
typedef struct {
    sr_id_t action_id;
    uint32_t attempt;
    const char *action;        // its name, e.g. "std.echo"
    const sr_value_t *input;   // map, as the workflow gave it
    const sr_value_t *context; // map (execution_id, task_name, action_id,
                               // callback_url, token); {} for an action
                               // found running when the sim was reopened
} sim_call_t;

// What came of one run.
typedef struct {
    core_result_t status; // SUCCESS; ERROR: `value` is the error; PENDING:
                          // a delegate, the engine then waits for COMPLETE
    sr_value_t *value;    // owned: the result or the error; NULL is null
    int64_t delay_ms;     // virtual ms before the result reaches the engine
                          // (a sleep takes no wall time); 0: at once
} sim_outcome_t;

// Run `call` and fill *out, which comes zeroed (SUCCESS, no value, no
// delay). Whatever goes wrong with the action itself (unknown action, bad
// input, its own failure) is an ERROR outcome and SR_OK. Any other code
// (SR_ENOMEM) stops the sim's run with `err`; *out is then left untouched.
typedef sr_err_t(sim_run_fn)(const sim_call_t *call, void *arg,
                             sim_outcome_t *out, sr_error_t *err);

typedef struct {
    sim_run_fn *run;
    void *arg; // given to every call; must outlive the sims using it
} sim_runner_t;

#endif
