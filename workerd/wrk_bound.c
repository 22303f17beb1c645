// Time bounds of action runs: clock reads, the end of a run, and a sleep
// that wakes on the run's cancel handle. Owns nothing; reentrant.
#include "wrk_bound.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <time.h>

static int64_t
s_clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
wrk_now_ms(void)
{
    return s_clock_ms(CLOCK_REALTIME);
}

int64_t
wrk_mono_ms(void)
{
    return s_clock_ms(CLOCK_MONOTONIC);
}

// Earliest of two ends where 0 means "none".
static int64_t
s_earliest(int64_t a, int64_t b)
{
    if (a == 0)
        return b;
    if (b == 0)
        return a;
    return a < b ? a : b;
}

wrk_bound_t
wrk_bound_make(int64_t deadline_ms, int64_t timeout_ms, wrk_cancel_t *cancel)
{
    wrk_bound_t b = {.end_ms = 0, .cancel = cancel};
    int64_t mono = wrk_mono_ms();
    if (deadline_ms > 0) {
        int64_t left = deadline_ms - wrk_now_ms();
        // An end of exactly 0 would mean "none"; keep it in the past.
        b.end_ms = mono + (left > 0 ? left : -1);
        if (b.end_ms == 0)
            b.end_ms = -1;
    }
    if (timeout_ms > 0)
        b.end_ms = s_earliest(b.end_ms, mono + timeout_ms);
    return b;
}

wrk_bound_t
wrk_bound_narrow(const wrk_bound_t *self, int64_t timeout_ms)
{
    wrk_bound_t b = *self;
    if (timeout_ms > 0)
        b.end_ms = s_earliest(b.end_ms, wrk_mono_ms() + timeout_ms);
    return b;
}

wrk_wake_t
wrk_bound_check(const wrk_bound_t *self)
{
    if (wrk_cancel_is_set(self->cancel))
        return WRK_WAKE_CANCELLED;
    if (self->end_ms != 0 && wrk_mono_ms() >= self->end_ms)
        return WRK_WAKE_TIMEOUT;
    return WRK_WAKE_OK;
}

int
wrk_bound_poll_ms(const wrk_bound_t *self, int cap_ms)
{
    if (self->end_ms == 0)
        return cap_ms;
    int64_t left = self->end_ms - wrk_mono_ms();
    if (left <= 0)
        return 0;
    if (cap_ms >= 0 && left > cap_ms)
        return cap_ms;
    return left > INT_MAX ? INT_MAX : (int)left;
}

wrk_wake_t
wrk_bound_sleep(const wrk_bound_t *self, int64_t ms)
{
    int64_t until = wrk_mono_ms() + (ms > 0 ? ms : 0);
    for (;;) {
        wrk_wake_t wake = wrk_bound_check(self);
        if (wake != WRK_WAKE_OK)
            return wake;
        int64_t left = until - wrk_mono_ms();
        if (left <= 0)
            return WRK_WAKE_OK;
        int cap = left > INT_MAX ? INT_MAX : (int)left;
        struct pollfd pfd = {.fd = wrk_cancel_fd(self->cancel),
                             .events = POLLIN};
        // poll() ignores a negative fd, so a missing handle is a plain sleep.
        // Should poll itself fail, nap briefly instead of spinning.
        if (poll(&pfd, 1, wrk_bound_poll_ms(self, cap)) < 0 && errno != EINTR) {
            struct timespec nap = {0, 10 * 1000000L};
            nanosleep(&nap, NULL);
        }
    }
}

const char *
wrk_wake_text(wrk_wake_t wake)
{
    switch (wake) {
    case WRK_WAKE_CANCELLED:
        return "cancelled";
    case WRK_WAKE_TIMEOUT:
        return "timed out";
    default:
        return "";
    }
}
