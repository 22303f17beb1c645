// Inside the in-process driver: the sim's fields and the inline worker's
// entry points (sim_worker.c), shared by sim.c and sim_worker.c only.
#ifndef SIM_INTERNAL_H
#define SIM_INTERNAL_H

#include "sim.h"
#include "store_docs.h"

// One action offered to the inline worker.
typedef struct {
    sr_id_t action_id;
    uint32_t attempt;
    char *action;
    sr_value_t *input;     // map
    sr_value_t *context;   // map
    bool confirmed;        // GO already given (recovered running action)
    int64_t due;           // sleeping: virtual time its result arrives
    sim_outcome_t outcome; // run: the result to deliver
} sim_job_t;

typedef struct {
    sim_job_t *items;
    size_t n, cap;
} sim_jobs_t;

struct sim {
    store_part_t *part;
    store_docs_t *docs;
    core_t *core;
    sim_runner_t runner; // runs the actions
    core_cmds_t cmds;    // of the last event
    int64_t now;         // virtual clock, ms
    size_t events;
    sim_jobs_t queue;  // offered, in order
    sim_jobs_t sleeps; // running on the virtual clock
};

// One event in one write transaction, then its commands.
sr_err_t sim_step(sim_t *sim, core_event_t *ev, sr_error_t *err);
// Decode a stored msgpack value.
sr_err_t sim_decode(const void *data, size_t len, sr_value_t **out,
                    sr_error_t *err);

// The worker's side: take the commands of a committed event.
sr_err_t sim_worker_commands(sim_t *sim, const core_cmds_t *cmds,
                             sr_error_t *err);
// After open: offer again what was offered, re-deliver what ran.
sr_err_t sim_worker_recover(sim_t *sim, sr_error_t *err);
void sim_worker_fini(sim_t *sim);

#endif
