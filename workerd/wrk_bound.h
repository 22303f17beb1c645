// The time bound of one action run: an end on the monotonic clock (from the
// engine's deadline, an action's own timeout or the worker's default) and
// the run's cancel handle. Actions ask it how long they may still wait and
// sleep through it, so cancel and deadline stop every wait promptly.
//
// Thread rule: a bound is a small value owned by the thread running the
// action; only its cancel handle is shared (see wrk_cancel.h).
#ifndef WRK_BOUND_H
#define WRK_BOUND_H

#include <stdint.h>

#include "wrk_cancel.h"

typedef enum {
    WRK_WAKE_OK = 0,    // the wait ended normally
    WRK_WAKE_CANCELLED, // the cancel handle was set
    WRK_WAKE_TIMEOUT,   // the bound's end was reached
} wrk_wake_t;

typedef struct {
    int64_t end_ms;       // CLOCK_MONOTONIC ms; 0 = unbounded
    wrk_cancel_t *cancel; // borrowed; may be NULL
} wrk_bound_t;

// Wall clock, ms since the epoch (the unit of deadlines).
int64_t wrk_now_ms(void);
// Monotonic clock, ms.
int64_t wrk_mono_ms(void);

// A bound ending at `deadline_ms` (wall clock, 0 = none) or `timeout_ms`
// from now (0 = none), whichever comes first.
wrk_bound_t wrk_bound_make(int64_t deadline_ms, int64_t timeout_ms,
                           wrk_cancel_t *cancel);

// The same bound, ending no later than `timeout_ms` from now (0 = as is).
wrk_bound_t wrk_bound_narrow(const wrk_bound_t *self, int64_t timeout_ms);

// Has the run been cancelled or reached its end? Cancel wins.
wrk_wake_t wrk_bound_check(const wrk_bound_t *self);

// Milliseconds a poll() may wait: the time left, at most `cap_ms` when
// cap_ms >= 0; -1 (forever) when unbounded and cap_ms < 0; 0 when over.
int wrk_bound_poll_ms(const wrk_bound_t *self, int cap_ms);

// Sleep `ms` milliseconds, or less when cancelled or the bound ends first.
wrk_wake_t wrk_bound_sleep(const wrk_bound_t *self, int64_t ms);

// "cancelled" / "timed out" / "" for the wake reason.
const char *wrk_wake_text(wrk_wake_t wake);

#endif
