// Tests of the sirocco.shell action: off unless enabled, then /bin/sh -c
// with env and cwd, exit codes, and time bounds.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_value_json.h"
#include "wrk_registry.h"
#include "wrk_test_support.h"

static wrk_registry_t *s_on, *s_off;

static int
s_setup(void **state)
{
    (void)state;
    wrk_config_t cfg = {.is_shell_enabled = true, .kill_grace_ms = 200};
    sr_error_t err;
    if (wrk_registry_new(&cfg, &s_on, &err) != SR_OK ||
        wrk_registry_new(NULL, &s_off, &err) != SR_OK)
        return -1;
    return 0;
}

static int
s_teardown(void **state)
{
    (void)state;
    wrk_registry_destroy(&s_on);
    wrk_registry_destroy(&s_off);
    return 0;
}

static int
s_offers(const wrk_registry_t *reg, const char *name)
{
    sr_value_t *names = NULL;
    sr_error_t err;
    assert_int_equal(wrk_registry_names(reg, &names, &err), SR_OK);
    int found = 0;
    for (size_t i = 0; i < sr_value_len(names); i++)
        found |= !strcmp(sr_value_str(sr_value_array_at(names, i)), name);
    sr_value_destroy(&names);
    return found;
}

static void
shell_is_refused_and_not_offered_when_disabled(void **state)
{
    (void)state;
    wrk_result_t r =
        wt_run(s_off, "sirocco.shell", "{\"cmd\": \"echo hi\"}", NULL, 0, NULL);
    wt_assert_result(&r, WRK_ERROR,
                     "\"action 'sirocco.shell' is disabled on this worker\"");
    wrk_result_fini(&r);
    assert_false(s_offers(s_off, "sirocco.shell"));
    assert_true(s_offers(s_on, "sirocco.shell"));
}

static void
shell_returns_stdout_stderr_and_exit_code(void **state)
{
    (void)state;
    wrk_result_t r =
        wt_run(s_on, "sirocco.shell",
               "{\"cmd\": \"echo hi; echo oops >&2; echo \\\"$SIROCCO_TASK_"
               "NAME\\\"\"}",
               "{\"task_name\": \"t7\"}", 10000, NULL);
    wt_assert_result(&r, WRK_SUCCESS,
                     "{\"stdout\":\"hi\\nt7\\n\",\"stderr\":\"oops\\n\","
                     "\"exit_code\":0}");
    wrk_result_fini(&r);
}

static void
shell_non_zero_exit_is_an_error_with_the_outputs(void **state)
{
    (void)state;
    wrk_result_t r =
        wt_run(s_on, "sirocco.shell", "{\"cmd\": \"echo partial; exit 2\"}",
               NULL, 10000, NULL);
    wt_assert_result(&r, WRK_ERROR,
                     "{\"stdout\":\"partial\\n\",\"stderr\":\"\","
                     "\"exit_code\":2}");
    wrk_result_fini(&r);
}

static void
shell_env_and_cwd_are_applied(void **state)
{
    (void)state;
    char *dir = wt_tmpdir();
    char real[PATH_MAX];
    assert_non_null(realpath(dir, real));
    char input[PATH_MAX + 200];
    snprintf(input, sizeof input,
             "{\"cmd\": \"printf '%%s %%s %%s %%s' \\\"$FOO\\\" \\\"$N\\\" "
             "\\\"$B\\\" \\\"$(pwd -P)\\\"\", \"env\": {\"FOO\": \"bar baz\", "
             "\"N\": 3, \"B\": true}, \"cwd\": \"%s\"}",
             dir);
    wrk_result_t r = wt_run(s_on, "sirocco.shell", input, NULL, 10000, NULL);
    assert_int_equal(r.status, WRK_SUCCESS);
    char expected[PATH_MAX + 40];
    snprintf(expected, sizeof expected, "bar baz 3 true %s", real);
    assert_string_equal(sr_value_map_str(r.value, "stdout"), expected);
    wrk_result_fini(&r);
    wt_rmtree(&dir);
}

static void
shell_bad_env_and_cwd_are_clear_errors(void **state)
{
    (void)state;
    struct {
        const char *input, *part;
    } cases[] = {
        {"{\"cmd\": \"true\", \"env\": {\"A\": [1]}}",
         "sirocco.shell: env 'A' must be a string, number or bool"},
        {"{\"cmd\": \"true\", \"env\": {\"A=B\": \"x\"}}",
         "environment variable name 'A=B' is not valid"},
        {"{\"cmd\": \"true\", \"cwd\": \"/nonexistent/sirocco\"}",
         "cwd '/nonexistent/sirocco' is not a directory"},
        {"{\"env\": {}}", "missing required parameter 'cmd'"},
        {"{\"cmd\": [\"ls\"]}", "'cmd' must be a string, not array"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wrk_result_t r =
            wt_run(s_on, "sirocco.shell", cases[i].input, NULL, 10000, NULL);
        wt_assert_error_has(&r, cases[i].part);
        wrk_result_fini(&r);
    }
}

static void
shell_is_bounded_by_the_deadline(void **state)
{
    (void)state;
    int64_t start = wrk_mono_ms();
    wrk_result_t r = wt_run(s_on, "sirocco.shell", "{\"cmd\": \"sleep 30\"}",
                            NULL, 200, NULL);
    assert_true(wrk_mono_ms() - start < 3000);
    wt_assert_result(&r, WRK_ERROR, "\"sirocco.shell: timed out\"");
    wrk_result_fini(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shell_is_refused_and_not_offered_when_disabled),
        cmocka_unit_test(shell_returns_stdout_stderr_and_exit_code),
        cmocka_unit_test(shell_non_zero_exit_is_an_error_with_the_outputs),
        cmocka_unit_test(shell_env_and_cwd_are_applied),
        cmocka_unit_test(shell_bad_env_and_cwd_are_clear_errors),
        cmocka_unit_test(shell_is_bounded_by_the_deadline),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
