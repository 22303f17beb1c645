// Tests of the std.* actions through the registry: results, error paths,
// parameter checks, and cancel/deadline of waiting actions.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sr_value_json.h"
#include "wrk_registry.h"
#include "wrk_test_support.h"

static wrk_registry_t *s_reg;

static int
s_setup(void **state)
{
    (void)state;
    sr_error_t err;
    return wrk_registry_new(NULL, &s_reg, &err) == SR_OK ? 0 : -1;
}

static int
s_teardown(void **state)
{
    (void)state;
    wrk_registry_destroy(&s_reg);
    return 0;
}

static void
s_expect(const char *action, const char *input, int status, const char *json)
{
    wrk_result_t r = wt_run(s_reg, action, input, NULL, 0, NULL);
    wt_assert_result(&r, status, json);
    wrk_result_fini(&r);
}

static void
s_expect_error(const char *action, const char *input, const char *part)
{
    wrk_result_t r = wt_run(s_reg, action, input, NULL, 0, NULL);
    wt_assert_error_has(&r, part);
    wrk_result_fini(&r);
}

static void
noop_returns_null(void **state)
{
    (void)state;
    s_expect("std.noop", NULL, WRK_SUCCESS, "null");
    s_expect("std.noop", "{}", WRK_SUCCESS, "null");
}

static void
noop_refuses_unexpected_parameters(void **state)
{
    (void)state;
    s_expect_error("std.noop", "{\"x\": 1}",
                   "std.noop: unexpected parameter 'x'");
}

static void
echo_returns_its_output_of_any_type(void **state)
{
    (void)state;
    s_expect("std.echo", "{\"output\": {\"a\": [1, 2.5, \"x\"]}}", WRK_SUCCESS,
             "{\"a\":[1,2.5,\"x\"]}");
    s_expect("std.echo", "{\"output\": null}", WRK_SUCCESS, "null");
    s_expect("std.echo", "{\"output\": \"hi\", \"delay\": 0.01}", WRK_SUCCESS,
             "\"hi\"");
}

static void
echo_without_output_names_the_missing_parameter(void **state)
{
    (void)state;
    wrk_result_t r = wt_run(s_reg, "std.echo", "{}", NULL, 0, NULL);
    wt_assert_result(&r, WRK_ERROR,
                     "\"std.echo: missing required parameter 'output'\"");
    wrk_result_fini(&r);
}

static void
echo_with_bad_delay_and_extra_parameter_lists_both(void **state)
{
    (void)state;
    s_expect_error("std.echo",
                   "{\"output\": 1, \"delay\": \"soon\", \"merge\": 2}",
                   "'delay' must be a number, not string; unexpected "
                   "parameter 'merge'");
}

static void
input_that_is_not_a_map_is_refused(void **state)
{
    (void)state;
    s_expect_error("std.echo", "[1, 2]",
                   "std.echo: input must be a map, not array");
}

static void
fail_without_data_gives_mistral_message(void **state)
{
    (void)state;
    s_expect("std.fail", NULL, WRK_ERROR,
             "\"Fail action expected exception.\"");
    s_expect("std.fail", "{\"error_data\": \"\"}", WRK_ERROR,
             "\"Fail action expected exception.\"");
}

static void
fail_with_error_data_returns_it(void **state)
{
    (void)state;
    s_expect("std.fail", "{\"error_data\": {\"code\": 42}}", WRK_ERROR,
             "{\"code\":42}");
    s_expect("std.fail", "{\"error_data\": \"boom\"}", WRK_ERROR, "\"boom\"");
}

static void
sleep_sleeps_then_returns_null(void **state)
{
    (void)state;
    int64_t start = wrk_mono_ms();
    s_expect("std.sleep", "{\"seconds\": 0.05}", WRK_SUCCESS, "null");
    assert_true(wrk_mono_ms() - start >= 45);
    s_expect("std.sleep", "{\"seconds\": -3}", WRK_SUCCESS, "null");
}

static void
sleep_refuses_seconds_that_are_not_a_number(void **state)
{
    (void)state;
    s_expect_error("std.sleep", "{\"seconds\": \"ten\"}",
                   "std.sleep: 'seconds' must be a number, not string");
}

static void
sleep_stops_promptly_when_cancelled(void **state)
{
    (void)state;
    wrk_cancel_t *cancel = NULL;
    sr_error_t err;
    assert_int_equal(wrk_cancel_new(&cancel, &err), SR_OK);
    wt_timer_t timer;
    int64_t start = wrk_mono_ms();
    wt_timer_start(&timer, cancel, 50);
    wrk_result_t r =
        wt_run(s_reg, "std.sleep", "{\"seconds\": 30}", NULL, 0, cancel);
    int64_t took = wrk_mono_ms() - start;
    wt_timer_join(&timer);
    wt_assert_result(&r, WRK_ERROR, "\"std.sleep: cancelled\"");
    assert_true(took < 2000);
    wrk_result_fini(&r);
    wrk_cancel_destroy(&cancel);
    assert_null(cancel);
}

static void
sleep_stops_at_the_deadline(void **state)
{
    (void)state;
    int64_t start = wrk_mono_ms();
    wrk_result_t r =
        wt_run(s_reg, "std.sleep", "{\"seconds\": 30}", NULL, 100, NULL);
    int64_t took = wrk_mono_ms() - start;
    wt_assert_result(&r, WRK_ERROR, "\"std.sleep: timed out\"");
    assert_true(took >= 90 && took < 2000);
    wrk_result_fini(&r);
}

static void
echo_delay_is_cancellable_too(void **state)
{
    (void)state;
    wrk_cancel_t *cancel = NULL;
    sr_error_t err;
    assert_int_equal(wrk_cancel_new(&cancel, &err), SR_OK);
    wt_timer_t timer;
    wt_timer_start(&timer, cancel, 20);
    wrk_result_t r = wt_run(s_reg, "std.echo", "{\"output\": 1, \"delay\": 30}",
                            NULL, 0, cancel);
    wt_timer_join(&timer);
    wt_assert_result(&r, WRK_ERROR, "\"std.echo: cancelled\"");
    wrk_result_fini(&r);
    wrk_cancel_destroy(&cancel);
}

static void
an_action_cancelled_before_it_starts_does_not_run(void **state)
{
    (void)state;
    wrk_cancel_t *cancel = NULL;
    sr_error_t err;
    assert_int_equal(wrk_cancel_new(&cancel, &err), SR_OK);
    wrk_cancel_set(cancel);
    wrk_cancel_set(cancel); // idempotent
    assert_true(wrk_cancel_is_set(cancel));
    wrk_result_t r = wt_run(s_reg, "std.noop", NULL, NULL, 0, cancel);
    wt_assert_result(&r, WRK_ERROR,
                     "\"std.noop: cancelled before it started\"");
    wrk_result_fini(&r);
    wrk_cancel_destroy(&cancel);
}

static void
a_past_deadline_stops_the_action_before_it_starts(void **state)
{
    (void)state;
    wrk_result_t r = wt_run(s_reg, "std.noop", NULL, NULL, -5, NULL);
    wt_assert_result(&r, WRK_ERROR,
                     "\"std.noop: timed out before it started\"");
    wrk_result_fini(&r);
}

static void
async_noop_is_pending(void **state)
{
    (void)state;
    s_expect("std.async_noop", NULL, WRK_PENDING, "null");
}

static void
unknown_action_is_an_error_naming_it(void **state)
{
    (void)state;
    s_expect("action.doesnt_exist", NULL, WRK_ERROR,
             "\"unknown action 'action.doesnt_exist'\"");
    s_expect("", NULL, WRK_ERROR, "\"action name is empty\"");
}

static void
shell_is_disabled_by_default(void **state)
{
    (void)state;
    s_expect("sirocco.shell", "{\"cmd\": \"true\"}", WRK_ERROR,
             "\"action 'sirocco.shell' is disabled on this worker\"");
}

static void
names_list_the_builtins(void **state)
{
    (void)state;
    sr_value_t *names = NULL;
    sr_error_t err;
    assert_int_equal(wrk_registry_names(s_reg, &names, &err), SR_OK);
    char *text = sr_value_to_json(names, SR_JSON_COMPACT);
    assert_string_equal(text, "[\"std.noop\",\"std.echo\",\"std.fail\","
                              "\"std.sleep\",\"std.async_noop\","
                              "\"std.http\"]");
    free(text);
    sr_value_destroy(&names);
}

static void
describe_gives_parameters_with_defaults(void **state)
{
    (void)state;
    sr_value_t *d = NULL;
    sr_error_t err;
    assert_int_equal(wrk_registry_describe(s_reg, "std.sleep", &d, &err),
                     SR_OK);
    char *text = sr_value_to_json(d, SR_JSON_COMPACT);
    assert_non_null(strstr(text, "\"kind\":\"builtin\""));
    assert_non_null(strstr(text, "{\"name\":\"seconds\",\"required\":false,"
                                 "\"default\":1,\"types\":\"a number\""));
    free(text);
    sr_value_destroy(&d);
    assert_int_equal(wrk_registry_describe(s_reg, "std.echo", &d, &err), SR_OK);
    text = sr_value_to_json(d, SR_JSON_COMPACT);
    assert_non_null(strstr(text, "{\"name\":\"output\",\"required\":true,"
                                 "\"default\":null,\"types\":\"any value\""));
    free(text);
    sr_value_destroy(&d);
    assert_int_equal(wrk_registry_describe(s_reg, "nope", &d, &err),
                     SR_ENOTFOUND);
    assert_int_equal(wrk_registry_describe(s_reg, "sirocco.shell", &d, &err),
                     SR_ENOTFOUND);
    assert_non_null(strstr(err.msg, "disabled"));
}

static void
registry_refuses_a_missing_action_folder(void **state)
{
    (void)state;
    wrk_config_t cfg = {.action_dir = "/nonexistent/sirocco/actions"};
    wrk_registry_t *reg = NULL;
    sr_error_t err;
    assert_int_equal(wrk_registry_new(&cfg, &reg, &err), SR_EINVAL);
    assert_null(reg);
    assert_non_null(strstr(err.msg, "/nonexistent/sirocco/actions"));
}

// wrk_registry_is_inline for `action` with input from JSON (NULL = none).
static bool
s_is_inline(const char *action, const char *input_json)
{
    sr_value_t *input = NULL;
    sr_error_t err;
    if (input_json)
        assert_int_equal(sr_value_from_json(input_json, strlen(input_json),
                                            NULL, &input, &err),
                         SR_OK);
    bool is_inline = wrk_registry_is_inline(s_reg, action, input);
    sr_value_destroy(&input);
    return is_inline;
}

static void
the_builtins_that_never_wait_run_inline(void **state)
{
    (void)state;
    assert_true(s_is_inline("std.noop", NULL));
    assert_true(s_is_inline("std.noop", "{}"));
    assert_true(s_is_inline("std.echo", "{\"output\": 1}"));
    assert_true(s_is_inline("std.echo", "{\"output\": 1, \"delay\": 0}"));
    assert_true(s_is_inline("std.echo", "{\"output\": 1, \"delay\": -2}"));
    // bad input fails at once (a parameter error), so inline too
    assert_true(s_is_inline("std.echo", "{\"delay\": \"soon\"}"));
    assert_true(s_is_inline("std.echo", "[1, 2]"));
    assert_true(s_is_inline("std.fail", "{\"error_data\": 3}"));
    assert_true(s_is_inline("std.async_noop", NULL));
}

static void
actions_that_wait_or_block_never_run_inline(void **state)
{
    (void)state;
    assert_false(s_is_inline("std.echo", "{\"output\": 1, \"delay\": 0.5}"));
    assert_false(s_is_inline("std.echo", "{\"output\": 1, \"delay\": 2}"));
    assert_false(s_is_inline("std.sleep", "{\"seconds\": 0}"));
    assert_false(s_is_inline("std.sleep", NULL));
    assert_false(s_is_inline("std.http", "{\"url\": \"http://x\"}"));
    assert_false(s_is_inline("sirocco.shell", NULL));
    assert_false(s_is_inline("no.such_action", NULL));
    assert_false(s_is_inline("", NULL));
    assert_false(wrk_registry_is_inline(s_reg, NULL, NULL));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(noop_returns_null),
        cmocka_unit_test(noop_refuses_unexpected_parameters),
        cmocka_unit_test(echo_returns_its_output_of_any_type),
        cmocka_unit_test(echo_without_output_names_the_missing_parameter),
        cmocka_unit_test(echo_with_bad_delay_and_extra_parameter_lists_both),
        cmocka_unit_test(input_that_is_not_a_map_is_refused),
        cmocka_unit_test(fail_without_data_gives_mistral_message),
        cmocka_unit_test(fail_with_error_data_returns_it),
        cmocka_unit_test(sleep_sleeps_then_returns_null),
        cmocka_unit_test(sleep_refuses_seconds_that_are_not_a_number),
        cmocka_unit_test(sleep_stops_promptly_when_cancelled),
        cmocka_unit_test(sleep_stops_at_the_deadline),
        cmocka_unit_test(echo_delay_is_cancellable_too),
        cmocka_unit_test(an_action_cancelled_before_it_starts_does_not_run),
        cmocka_unit_test(a_past_deadline_stops_the_action_before_it_starts),
        cmocka_unit_test(async_noop_is_pending),
        cmocka_unit_test(unknown_action_is_an_error_naming_it),
        cmocka_unit_test(shell_is_disabled_by_default),
        cmocka_unit_test(names_list_the_builtins),
        cmocka_unit_test(describe_gives_parameters_with_defaults),
        cmocka_unit_test(registry_refuses_a_missing_action_folder),
        cmocka_unit_test(the_builtins_that_never_wait_run_inline),
        cmocka_unit_test(actions_that_wait_or_block_never_run_inline),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
