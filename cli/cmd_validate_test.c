// Runs the built `sirocco validate` on valid and invalid files and checks
// exit codes, the FILE:LINE:COL lines on stderr and the --json output.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sr_value_json.h"

static char s_dir[256], s_bin[1024], s_out[512], s_err[512];

static void
s_write(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", s_dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *
s_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

// Run `sirocco validate ARGS` in the temp folder; returns the exit code.
static int
s_run(const char *args)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' validate %s >'%s' 2>'%s'", s_dir,
             s_bin, args, s_out, s_err);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static int
s_setup(void **state)
{
    (void)state;
    const char *build = getenv("SR_BUILD_DIR");
    snprintf(s_bin, sizeof s_bin, "%s/bin/sirocco", build ? build : "..");
    snprintf(s_dir, sizeof s_dir, "/tmp/sirocco-validate-XXXXXX");
    if (!mkdtemp(s_dir))
        return -1;
    snprintf(s_out, sizeof s_out, "%s/stdout", s_dir);
    snprintf(s_err, sizeof s_err, "%s/stderr", s_dir);
    s_write("good.yaml", "version: '2.0'\nwf:\n  input: [a, {b: 1}]\n"
                         "  tasks:\n    t1:\n      action: std.echo "
                         "output=<% $.a %>\n      on-success: t2\n"
                         "    t2: {join: all}\n");
    s_write("bad.yaml", "version: '2.0'\nwf:\n  tasks:\n    task1:\n"
                        "      action: std.noop\n      on-success: task3\n");
    return 0;
}

static int
s_teardown(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void
test_valid_file_exits_zero_silently(void **state)
{
    (void)state;
    assert_int_equal(s_run("good.yaml"), 0);
    assert_string_equal(s_slurp(s_err), "");
    assert_string_equal(s_slurp(s_out), "");
}

static void
test_invalid_file_prints_positions_and_exits_one(void **state)
{
    (void)state;
    assert_int_equal(s_run("bad.yaml"), 1);
    assert_string_equal(s_slurp(s_err),
                        "bad.yaml:6:19: Task 'task3' not found\n");
    assert_int_equal(s_run("good.yaml bad.yaml"), 1);
    assert_int_equal(s_run("missing.yaml"), 1);
    assert_string_equal(s_slurp(s_err), "missing.yaml: cannot read the file: "
                                        "No such file or directory\n");
}

static void
test_usage_errors_exit_two(void **state)
{
    (void)state;
    assert_int_equal(s_run(""), 2);
    assert_non_null(strstr(s_slurp(s_err), "no file given"));
    assert_int_equal(s_run("--bogus good.yaml"), 2);
    assert_non_null(strstr(s_slurp(s_err), "unknown option '--bogus'"));
}

static void
test_json_describes_each_file(void **state)
{
    (void)state;
    assert_int_equal(s_run("--json good.yaml bad.yaml"), 1);
    const char *out = s_slurp(s_out);
    sr_value_t *v = NULL;
    sr_error_t err;
    assert_int_equal(sr_value_from_json(out, strlen(out), NULL, &v, &err),
                     SR_OK);
    assert_int_equal(sr_value_len(v), 2);
    const sr_value_t *good = sr_value_array_at(v, 0);
    assert_string_equal(sr_value_map_str(good, "file"), "good.yaml");
    assert_true(sr_value_bool(sr_value_map_get(good, "valid")));
    const sr_value_t *wf =
        sr_value_array_at(sr_value_map_get(good, "workflows"), 0);
    assert_string_equal(sr_value_map_str(wf, "name"), "wf");
    const sr_value_t *t1 = sr_value_array_at(sr_value_map_get(wf, "tasks"), 0);
    assert_string_equal(sr_value_map_str(t1, "action"), "std.echo");
    const sr_value_t *input = sr_value_map_get(t1, "input");
    assert_string_equal(sr_value_map_str(input, "output"), "<% $.a %>");
    const sr_value_t *b = sr_value_array_at(sr_value_map_get(wf, "input"), 1);
    int64_t def = 0;
    assert_true(sr_value_map_int(b, "default", &def));
    assert_int_equal(def, 1);
    const sr_value_t *t2 = sr_value_array_at(sr_value_map_get(wf, "tasks"), 1);
    assert_string_equal(sr_value_map_str(t2, "join"), "all");
    const sr_value_t *bad = sr_value_array_at(v, 1);
    assert_false(sr_value_bool(sr_value_map_get(bad, "valid")));
    const sr_value_t *e0 =
        sr_value_array_at(sr_value_map_get(bad, "errors"), 0);
    assert_string_equal(sr_value_map_str(e0, "message"),
                        "Task 'task3' not found");
    sr_value_destroy(&v);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_file_exits_zero_silently),
        cmocka_unit_test(test_invalid_file_prints_positions_and_exits_one),
        cmocka_unit_test(test_usage_errors_exit_two),
        cmocka_unit_test(test_json_describes_each_file),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
