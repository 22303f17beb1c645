// The small std.* actions: noop, echo, fail, sleep and async_noop. Each is
// a function of its checked input; waits (sleep, echo's delay) go through
// the run's bound so cancel and deadline end them at once. Reentrant.
#include "wrk_std.h"

#include <math.h>

static void
s_noop(const wrk_run_t *run, wrk_result_t *out)
{
    (void)run;
    wrk_result_success(out, sr_value_new_nil());
}

static void
s_async_noop(const wrk_run_t *run, wrk_result_t *out)
{
    (void)run;
    wrk_result_pending(out);
}

// Seconds -> milliseconds; negative, NaN and absent give 0 (as Mistral).
static int64_t
s_seconds_ms(const sr_value_t *seconds)
{
    double s = seconds ? sr_value_float(seconds) : 0.0;
    if (!(s > 0.0))
        return 0;
    if (s > 1e12)
        s = 1e12; // about 31,700 years: "forever", without overflow
    return (int64_t)llround(s * 1000.0);
}

// Sleep through the run's bound; false (with `out` filled) when stopped.
static bool
s_wait(const wrk_run_t *run, int64_t ms, wrk_result_t *out)
{
    wrk_wake_t wake = wrk_bound_sleep(run->bound, ms);
    if (wake == WRK_WAKE_OK)
        return true;
    wrk_result_error(out, run->action, "%s", wrk_wake_text(wake));
    return false;
}

static void
s_echo(const wrk_run_t *run, wrk_result_t *out)
{
    if (!s_wait(run, s_seconds_ms(wrk_run_arg(run, "delay")), out))
        return;
    const sr_value_t *output = wrk_run_arg(run, "output");
    wrk_result_success(out, output ? sr_value_dup(output) : sr_value_new_nil());
}

static void
s_fail(const wrk_run_t *run, wrk_result_t *out)
{
    const sr_value_t *data = wrk_run_arg(run, "error_data");
    if (sr_value_truthy(data))
        wrk_result_error_value(out, sr_value_dup(data));
    else
        wrk_result_error_value(
            out, sr_value_new_str("Fail action expected exception."));
}

static void
s_sleep(const wrk_run_t *run, wrk_result_t *out)
{
    if (s_wait(run, s_seconds_ms(wrk_run_arg(run, "seconds")), out))
        wrk_result_success(out, sr_value_new_nil());
}

static const wrk_param_t s_echo_params[] = {
    {"output", 0, true, NULL, "the value to return"},
    {"delay", WRK_T_NUMBER, false, "0", "seconds to wait before returning"},
};

static const wrk_param_t s_fail_params[] = {
    {"error_data", 0, false, NULL,
     "the error to fail with; when absent or empty the error is the message "
     "\"Fail action expected exception.\""},
};

static const wrk_param_t s_sleep_params[] = {
    {"seconds", WRK_T_NUMBER, false, "1",
     "seconds to sleep (fractions allowed, negative means 0)"},
};

#define S_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const wrk_action_def_t s_actions[] = {
    {"std.noop", "does nothing; the result is null", NULL, 0, s_noop},
    {"std.echo", "returns 'output', after 'delay' seconds", s_echo_params,
     S_COUNT(s_echo_params), s_echo},
    {"std.fail", "always fails, with 'error_data' when given", s_fail_params,
     S_COUNT(s_fail_params), s_fail},
    {"std.sleep", "sleeps 'seconds'; the result is null", s_sleep_params,
     S_COUNT(s_sleep_params), s_sleep},
    {"std.async_noop",
     "a delegate that does nothing: PENDING until completed from outside", NULL,
     0, s_async_noop},
};

const wrk_action_def_t *
wrk_std_actions(size_t *count)
{
    *count = S_COUNT(s_actions);
    return s_actions;
}
