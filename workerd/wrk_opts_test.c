// Tests of sirocco-workerd's options, read by the config reader (sr_cfg.h)
// with workerd's table: flags, the YAML file, flags winning, every problem
// named (flag, or FILE:LINE:COL and key), the configurations built from
// the options, the table's defaults against the node's, and the example
// file. tests/cfgdoc checks docs/operations.md against the table.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_cfg.h"
#include "sr_cfg_test_util.h"
#include "sr_limits.h"
#include "sr_log.h"
#include "wrk_opts.h"
#include "wrk_test_support.h"

static char *s_dir;
static sr_cfg_t *s_cfg; // the reader of the last s_parse

static int
s_setup(void **state)
{
    (void)state;
    s_dir = wt_tmpdir();
    return 0;
}

static int
s_teardown(void **state)
{
    (void)state;
    wt_rmtree(&s_dir);
    sr_cfg_destroy(&s_cfg);
    return 0;
}

// Parse a NULL-terminated argument list (program name added).
static sr_err_t
s_parse(wrk_opts_t *o, const char *const *args)
{
    return sr_cfg_test_args(wrk_opts_table(), o, &s_cfg, args);
}

static char *
s_file(const char *name, const char *text)
{
    wt_write_file(s_dir, name, text, 0);
    char *path = NULL;
    assert_true(asprintf(&path, "%s/%s", s_dir, name) > 0);
    return path;
}

// Assert that one recorded problem contains `part`.
static void
s_assert_problem(const wrk_opts_t *o, const char *part)
{
    (void)o;
    sr_cfg_test_has(s_cfg, part);
}

static void
flags_set_every_kind_of_key(void **state)
{
    (void)state;
    wrk_opts_t o;
    const char *args[] = {
        "--engine",       "tcp://a:1",   "--engine", "ipc:///b",
        "--slots",        "7",           "--offer",  "std.*",
        "--name",         "w9",          "--target", "blue",
        "--enable-shell", "--log-level", "debug",    "--actions-dir",
        "/srv/actions",   "--grace-ms",  "250",      NULL};
    assert_int_equal(s_parse(&o, args), SR_OK);
    assert_int_equal(o.engines.n, 2);
    assert_string_equal(o.engines.items[1], "ipc:///b");
    assert_int_equal(o.slots, 7);
    assert_true(o.enable_shell);
    assert_int_equal(o.log_level, SR_LOG_DEBUG);
    wrk_node_config_t nc;
    wrk_opts_node_config(&o, &nc);
    assert_string_equal(nc.name, "w9");
    assert_string_equal(nc.target, "blue");
    assert_int_equal(nc.slots, 7);
    assert_int_equal(nc.n_actions, 1);
    assert_string_equal(nc.actions[0], "std.*");
    assert_int_equal(nc.n_engines, 2);
    assert_int_equal(nc.grace_ms, 250);
    assert_int_equal(nc.heartbeat_ms, 1000); // the table's default
    wrk_config_t wc;
    wrk_opts_worker_config(&o, &wc);
    assert_string_equal(wc.action_dir, "/srv/actions");
    assert_true(wc.is_shell_enabled);
    wrk_opts_fini(&o);
}

static void
the_file_gives_keys_and_flags_win(void **state)
{
    (void)state;
    char *path = s_file("w.yaml", "name: from-file\n"
                                  "engines: [tcp://file:1, tcp://file:2]\n"
                                  "slots: 3\n"
                                  "offer:\n  - ops.*\n"
                                  "enable_shell: yes\n"
                                  "target: ~\n"
                                  "heartbeat_ms: 200\n"
                                  "action_timeout_ms: 9000\n");
    wrk_opts_t o;
    const char *args[] = {"--config", path,           "--slots", "12",
                          "--engine", "tcp://flag:1", NULL};
    assert_int_equal(s_parse(&o, args), SR_OK);
    assert_string_equal(o.name, "from-file");
    assert_int_equal(o.slots, 12);
    assert_int_equal(o.engines.n, 1); // the flag's list replaces the file's
    assert_string_equal(o.engines.items[0], "tcp://flag:1");
    assert_string_equal(o.offer.items[0], "ops.*");
    assert_true(o.enable_shell);
    assert_null(o.target);
    assert_int_equal(o.heartbeat_ms, 200);
    assert_int_equal(o.action_timeout_ms, 9000);
    wrk_opts_fini(&o);
    free(path);
}

static void
bad_flags_are_each_named(void **state)
{
    (void)state;
    wrk_opts_t o;
    const char *args[] = {"--slots", "0",       "--log-level",
                          "loud",    "--bogus", "--heartbeat-ms",
                          "soon",    "extra",   NULL};
    assert_int_equal(s_parse(&o, args), SR_EINVAL);
    s_assert_problem(&o, "--slots: expected an integer from 1 to 1024, got "
                         "'0'");
    s_assert_problem(&o, "--log-level: expected debug, info, warn, error or "
                         "off, got 'loud'");
    s_assert_problem(&o, "--bogus: unknown flag");
    s_assert_problem(&o, "--heartbeat-ms: expected an integer");
    s_assert_problem(&o, "'extra': unexpected argument");
    wrk_opts_fini(&o);
    const char *none[] = {NULL};
    assert_int_equal(s_parse(&o, none), SR_EINVAL);
    s_assert_problem(&o, "no engines: give --engine ENDPOINT, or 'engines' "
                         "in the config file");
    wrk_opts_fini(&o);
    const char *expiry[] = {"--engine", "ipc:///e",    "--heartbeat-ms",
                            "500",      "--expiry-ms", "400",
                            NULL};
    assert_int_equal(s_parse(&o, expiry), SR_EINVAL);
    s_assert_problem(&o, "expiry_ms: 400 must be above heartbeat_ms, 500");
    wrk_opts_fini(&o);
    const char *curve[] = {"--engine", "ipc:///e", "--curve-secret", "/k/w",
                           NULL};
    assert_int_equal(s_parse(&o, curve), SR_EINVAL);
    s_assert_problem(&o, "curve_secret needs curve_server_key too");
    wrk_opts_fini(&o);
    const char *both[] = {"--engine",    "ipc:///e",           "--curve-secret",
                          "/k/w_secret", "--curve-server-key", "/k/server",
                          NULL};
    assert_int_equal(s_parse(&o, both), SR_OK);
    assert_string_equal(o.curve_secret, "/k/w_secret");
    assert_string_equal(o.curve_server_key, "/k/server");
    wrk_opts_fini(&o);
}

static void
file_problems_name_position_and_key(void **state)
{
    (void)state;
    char *path = s_file("bad.yaml", "engines: tcp://x:1\n"
                                    "slots: [1, 2]\n"
                                    "colour: red\n"
                                    "grace_ms: -5\n"
                                    "offer: {a: 1}\n"
                                    "enable_shell: maybe\n"
                                    "slots: 3\n");
    wrk_opts_t o;
    const char *args[] = {"--config", path, NULL};
    assert_int_equal(s_parse(&o, args), SR_EINVAL);
    s_assert_problem(&o, "bad.yaml:2:8: key 'slots': expected a single value");
    s_assert_problem(&o, "bad.yaml:3:1: key 'colour': unknown key");
    s_assert_problem(&o, "bad.yaml:4:11: key 'grace_ms': expected an integer "
                         "from 1 to");
    s_assert_problem(&o, "bad.yaml:5:8: key 'offer': expected a list");
    s_assert_problem(&o, "bad.yaml:6:15: key 'enable_shell': expected true "
                         "or false, got 'maybe'");
    s_assert_problem(&o, "bad.yaml:7:1: duplicate key 'slots' (first at "
                         "2:1)");
    assert_int_equal(o.engines.n, 1); // a single text is a list of one
    wrk_opts_fini(&o);
    free(path);
}

static void
unreadable_files_are_named(void **state)
{
    (void)state;
    char *path = s_file("broken.yaml", "engines: [a, b\nslots: 2\n");
    wrk_opts_t o;
    const char *args[] = {"--config", path, NULL};
    assert_int_equal(s_parse(&o, args), SR_EINVAL);
    s_assert_problem(&o, "broken.yaml:");
    wrk_opts_fini(&o);
    free(path);
    path = s_file("list.yaml", "- a\n- b\n");
    const char *args2[] = {"--config", path, NULL};
    assert_int_equal(s_parse(&o, args2), SR_EINVAL);
    s_assert_problem(&o, "list.yaml:1:1: expected a mapping of keys");
    wrk_opts_fini(&o);
    free(path);
    const char *args3[] = {"--config", "/nonexistent/w.yaml", NULL};
    assert_int_equal(s_parse(&o, args3), SR_EINVAL);
    s_assert_problem(&o, "/nonexistent/w.yaml: cannot open: No such file");
    wrk_opts_fini(&o);
    const char *args4[] = {"--config", s_dir, NULL};
    assert_int_equal(s_parse(&o, args4), SR_EINVAL);
    s_assert_problem(&o, "cannot read");
    wrk_opts_fini(&o);
}

static void
help_and_version_need_nothing_else(void **state)
{
    (void)state;
    wrk_opts_t o;
    const char *help[] = {"--help", NULL};
    assert_int_equal(s_parse(&o, help), SR_OK);
    assert_true(sr_cfg_is_help(s_cfg));
    wrk_opts_fini(&o);
    const char *version[] = {"--version", NULL};
    assert_int_equal(s_parse(&o, version), SR_OK);
    assert_true(sr_cfg_is_version(s_cfg));
    wrk_opts_fini(&o);
}

// The table's defaults are the node's and the registry's, which the
// embedded worker of `sirocco run` gets with zeros.
static void
defaults_are_the_nodes(void **state)
{
    (void)state;
    wrk_opts_t o;
    const char *args[] = {"--engine", "ipc:///e", NULL};
    assert_int_equal(s_parse(&o, args), SR_OK);
    assert_int_equal(o.slots, WRK_NODE_DEFAULT_SLOTS);
    assert_int_equal(o.heartbeat_ms, WRK_NODE_DEFAULT_HEARTBEAT_MS);
    assert_int_equal(o.expiry_ms, 0); // the node's: 5 heartbeats
    assert_int_equal(o.resend_ms, WRK_NODE_DEFAULT_RESEND_MS);
    assert_int_equal(o.grace_ms, WRK_NODE_DEFAULT_GRACE_MS);
    assert_int_equal(o.max_message_bytes, SR_DEFAULT_MAX_BYTES);
    assert_int_equal(o.output_limit_bytes, WRK_DEFAULT_OUTPUT_LIMIT);
    assert_int_equal(o.http_limit_bytes, WRK_DEFAULT_HTTP_LIMIT);
    assert_int_equal(o.kill_grace_ms, WRK_DEFAULT_KILL_GRACE_MS);
    assert_int_equal(o.action_timeout_ms, 0);
    assert_false(o.enable_shell);
    assert_int_equal(o.log_level, SR_LOG_INFO);
    wrk_opts_fini(&o);
}

static void
the_example_config_is_valid(void **state)
{
    (void)state;
    const char *src = getenv("SR_SOURCE_DIR");
    assert_non_null(src);
    char path[4096];
    snprintf(path, sizeof path, "%s/deploy/workerd.example.yaml", src);
    wrk_opts_t o;
    const char *args[] = {"--config", path, NULL};
    sr_err_t rc = s_parse(&o, args);
    if (rc != SR_OK)
        fail_msg("%s: %s", path, sr_cfg_problem_at(s_cfg, 0));
    assert_string_equal(o.name, "worker-1");
    assert_int_equal(o.slots, 64);
    wrk_opts_fini(&o);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flags_set_every_kind_of_key),
        cmocka_unit_test(the_file_gives_keys_and_flags_win),
        cmocka_unit_test(bad_flags_are_each_named),
        cmocka_unit_test(file_problems_name_position_and_key),
        cmocka_unit_test(unreadable_files_are_named),
        cmocka_unit_test(help_and_version_need_nothing_else),
        cmocka_unit_test(defaults_are_the_nodes),
        cmocka_unit_test(the_example_config_is_valid),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
