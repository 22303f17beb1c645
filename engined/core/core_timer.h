// A task execution's policy timers: one for wait-before, wait-after or a
// retry delay, and one for its timeout. Arming writes the timer row and
// tells the loop (a TIMER command); disarming deletes the rows. The timer
// that fires comes back as a CORE_EV_TIMER event (core_task.c).
#ifndef CORE_TIMER_H
#define CORE_TIMER_H

#include "core_run.h"

// Arm the task's timer of `kind` (its timeout, or its one policy timer)
// `seconds` from now.
sr_err_t core_timer_arm(core_run_t *r, core_task_t *task,
                        core_timer_kind_t kind, double seconds);

// Disarm the policy timer only (the timeout stays armed).
sr_err_t core_timer_disarm_policy(core_run_t *r, core_task_t *task);

// Disarm both timers.
sr_err_t core_timer_disarm(core_run_t *r, core_task_t *task);

#endif
