// A runner for the sim (sim_runner.h) that runs actions with workerd's own
// code (wrk_registry: std.noop, std.echo, std.fail, std.sleep,
// std.async_noop, ...), so the sim's tests and samples exercise the real
// std actions. It lives beside the tests, in its own library: sirocco_sim
// itself links no workerd.
//
// Waiting is virtual: std.sleep's `seconds` (default 1) and std.echo's
// `delay` become the outcome's delay_ms, and the action runs with 0 in
// their place, so it returns at once.
//
// Thread rule: a runner belongs to the thread of the sims using it.
#ifndef SIM_STD_RUNNER_H
#define SIM_STD_RUNNER_H

#include "sim_runner.h"
#include "sr_err.h"

// Fill *self with a runner over a new registry of the built-in actions
// (default configuration, no action folder). Finalise it with
// sim_std_runner_fini after every sim using it is closed.
sr_err_t sim_std_runner_init(sim_runner_t *self, sr_error_t *err);
void sim_std_runner_fini(sim_runner_t *self);

#endif
