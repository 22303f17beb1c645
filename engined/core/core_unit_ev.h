// Worker-facing events of action units (core_unit_ev.c): RESULT and
// COMPLETE, CONFIRM (GO or HALT from durable state), the loss of a worker,
// and a TASK offered again.
#ifndef CORE_UNIT_EV_H
#define CORE_UNIT_EV_H

#include "core_run.h"

sr_err_t core_unit_on_result(core_run_t *r, const core_event_t *ev);
sr_err_t core_unit_on_confirm(core_run_t *r, const core_event_t *ev);
sr_err_t core_unit_on_worker_lost(core_run_t *r, const core_event_t *ev);
// A TASK refused, not confirmed in time, or offered before a restart: the
// action is offered again as the next attempt (a new TASK and token) if it
// still waits for a worker in the attempt the event names (0: any); one
// confirmed, ended or offered again meanwhile is left alone.
sr_err_t core_unit_on_reoffer(core_run_t *r, const core_event_t *ev);

#endif
