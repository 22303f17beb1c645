// The small std.* actions: noop, echo, fail, sleep and async_noop. Each is
// a function of its checked input; waits (sleep, echo's delay) go through
// the run's bound so cancel and deadline end them at once. Those that
// never wait are marked inline (wrk_action.h). Reentrant.
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

// std.echo waits only when given a positive 'delay' (its default is 0).
static bool
s_echo_waits(const sr_value_t *input)
{
    return s_seconds_ms(sr_value_map_get(input, "delay")) > 0;
}

// Every action here but std.sleep (and std.echo with a delay) is a pure
// function of its input: it runs inline, in the node's thread.
static const wrk_action_def_t s_actions[] = {
    {.name = "std.noop",
     .doc = "does nothing; the result is null",
     .run = s_noop,
     .flags = WRK_ACTION_INLINE},
    {.name = "std.echo",
     .doc = "returns 'output', after 'delay' seconds",
     .params = s_echo_params,
     .n_params = S_COUNT(s_echo_params),
     .run = s_echo,
     .flags = WRK_ACTION_INLINE,
     .waits = s_echo_waits},
    {.name = "std.fail",
     .doc = "always fails, with 'error_data' when given",
     .params = s_fail_params,
     .n_params = S_COUNT(s_fail_params),
     .run = s_fail,
     .flags = WRK_ACTION_INLINE},
    {.name = "std.sleep",
     .doc = "sleeps 'seconds'; the result is null",
     .params = s_sleep_params,
     .n_params = S_COUNT(s_sleep_params),
     .run = s_sleep},
    {.name = "std.async_noop",
     .doc = "a delegate that does nothing: PENDING until completed from "
            "outside",
     .run = s_async_noop,
     .flags = WRK_ACTION_INLINE},
};

const wrk_action_def_t *
wrk_std_actions(size_t *count)
{
    *count = S_COUNT(s_actions);
    return s_actions;
}
