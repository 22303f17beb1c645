// The sim's inline worker: what a sirocco-workerd does for its engine,
// without sockets, threads or sleeping. It keeps the actions offered to it
// in order and the results that wait for virtual time, and runs an action
// through the sim's runner (sim_runner.h) when told to. It applies no event
// and reads no partition: the driver (sim.c) hands it the commands of each
// committed event, takes its jobs one at a time, and sends their CONFIRMs
// and RESULTs itself.
//
// Thread rule: a worker belongs to its sim's thread.
#ifndef SIM_WORKER_H
#define SIM_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "core.h"
#include "sim_runner.h"
#include "sr_err.h"
#include "sr_id.h"
#include "sr_value.h"

typedef struct sim_worker sim_worker_t;

// One action the worker holds, or that was taken from it (the taker then
// owns it and finalises it with sim_job_fini).
typedef struct {
    sr_id_t action_id;
    uint32_t attempt;
    char *action;          // owned
    sr_value_t *input;     // map; owned reference
    sr_value_t *context;   // map; owned reference
    bool is_confirmed;     // GO given (before a reopen, for an action that
                           // was running: its result is sent again)
    int64_t due_ms;        // once run: virtual time its result is sent
    sim_outcome_t outcome; // once run: the result (value owned)
} sim_job_t;

// Drop what the job owns and zero it (NULL-safe inside).
void sim_job_fini(sim_job_t *job);

// A worker running actions through `runner` (copied). NULL when memory
// runs out. Caller owns it.
sim_worker_t *sim_worker_new(const sim_runner_t *runner);
void sim_worker_destroy(sim_worker_t **self_p);

// Offer an action (after the ones offered before). `input` and `context`
// are borrowed (the worker adds a reference; NULL: {}). SR_ENOMEM.
sr_err_t sim_worker_offer(sim_worker_t *self, const sr_id_t *action_id,
                          uint32_t attempt, const char *action,
                          sr_value_t *input, sr_value_t *context,
                          bool is_confirmed);
// The commands of a committed event: DISPATCH offers its action; CANCEL
// drops the action, offered or with its result waiting. Others are for the
// driver. SR_ENOMEM.
sr_err_t sim_worker_commands(sim_worker_t *self, const core_cmds_t *cmds,
                             sr_error_t *err);

// Take the first offered action into *job; false when none is offered.
bool sim_worker_take_offer(sim_worker_t *self, sim_job_t *job);
// Run a confirmed job through the runner at virtual time `now_ms`: fills
// its outcome and due_ms. Fails as the runner did (the job is unchanged).
sr_err_t sim_worker_run(sim_worker_t *self, sim_job_t *job, int64_t now_ms,
                        sr_error_t *err);
// Keep a job that was run until its due time: takes *job (zeroed). On
// SR_ENOMEM the caller keeps it.
sr_err_t sim_worker_hold(sim_worker_t *self, sim_job_t *job, sr_error_t *err);
// The due time of the earliest held result; false when none is held.
bool sim_worker_next_due(const sim_worker_t *self, int64_t *due_ms);
// Take the earliest held result (the first held, among equal due times)
// into *job; false when none is held.
bool sim_worker_take_due(sim_worker_t *self, sim_job_t *job);

#endif
