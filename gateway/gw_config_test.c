// Gateway settings, read by the config reader (sr_cfg.h) with the
// gateway's table: defaults, flags, the YAML file (tokens, hooks with a
// secret or a secret file, a cluster as a list) and every kind of error
// naming its key. tests/cfgdoc checks docs/gateway.md against the table.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gw_config.h"
#include "sr_cfg_test_util.h"
#include "sr_log.h"

static char s_dir[64];
static sr_cfg_t *s_cfg; // the reader of the last s_read

static const char *
s_write(const char *name, const char *text)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", s_dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

// Read a NULL-terminated argument list (program name added).
static sr_err_t
s_read(gw_config_t *c, const char *const *args)
{
    return sr_cfg_test_args(gw_config_table(), c, &s_cfg, args);
}

static void
s_has(const char *part)
{
    sr_cfg_test_has(s_cfg, part);
}

static void
defaults_and_flags(void **state)
{
    (void)state;
    gw_config_t c;
    const char *none[] = {NULL};
    assert_int_equal(s_read(&c, none), SR_EINVAL);
    s_has("no cluster: give --cluster ENDPOINTS, or 'cluster' in the config "
          "file");
    assert_string_equal(c.listen, "127.0.0.1:8989");
    assert_int_equal(c.max_body_bytes, 1048576);
    assert_int_equal(c.log_level, SR_LOG_INFO);
    gw_config_fini(&c);

    const char *good[] = {"--cluster", "ipc:///x", "--max_body_bytes",
                          "100",       "--hook",   "gh:wf:a:secret:b",
                          NULL};
    assert_int_equal(s_read(&c, good), SR_OK);
    assert_string_equal(c.cluster, "ipc:///x");
    assert_int_equal(c.max_body_bytes, 100);
    assert_string_equal(c.hooks[0].secret, "a:secret:b");
    gw_config_fini(&c);

    const char *bad[] = {"--cluster", "ipc:///x",    "--idle-clients",
                         "-1",        "--log-level", "loud",
                         "--colour",  "red",         "--hook",
                         "gh:wf",     "--hook",      "g/h:wf:secret123",
                         "--hook",    "gh:wf:short", NULL};
    assert_int_equal(s_read(&c, bad), SR_EINVAL);
    s_has("--idle-clients: expected an integer from 0 to 1024, got '-1'");
    s_has("--log-level: expected debug, info, warn, error or off, got 'loud'");
    s_has("--colour: unknown flag (see --help)");
    s_has("--hook: expected NAME:WORKFLOW:SECRET");
    s_has("--hook: name: expected letters, digits, '-', '_' or '.', got "
          "'g/h'");
    s_has("--hook: secret: expected at least 8 bytes");
    gw_config_fini(&c);

    const char *twice[] = {
        "--cluster", "ipc:///x",         "--hook", "gh:wf:secret123",
        "--hook",    "gh:wf2:secret123", NULL};
    assert_int_equal(s_read(&c, twice), SR_EINVAL);
    s_has("hook 'gh' is defined twice");
    gw_config_fini(&c);
}

static void
a_yaml_file_sets_everything(void **state)
{
    (void)state;
    s_write("secret", "from-a-file-123\n");
    char text[512];
    snprintf(text, sizeof text,
             "listen: '[::1]:9000'\n"
             "cluster: [tcp://a:1, tcp://b:2]\n"
             "tokens: [aaaaaaaaaaaaaaaa1, bbbbbbbbbbbbbbbb2]\n"
             "hooks:\n"
             "  - {name: gh, workflow: on_push, secret: inline-secret}\n"
             "  - {name: ci, workflow: on_ci, secret_file: %s/secret}\n"
             "max_connections: 10\n"
             "engine-timeout-ms: 250\n"
             "curve_secret: /k/gateway_secret\n",
             s_dir);
    char path[128];
    snprintf(path, sizeof path, "%s", s_write("gw.yaml", text));
    gw_config_t c;
    const char *args[] = {"--config", path, "--token", "cccccccccccccccc3",
                          NULL};
    assert_int_equal(s_read(&c, args), SR_EINVAL);
    s_has("'curve-secret' needs 'curve-server-key'");
    gw_config_fini(&c);

    const char *both[] = {
        "--config",           path,        "--token", "cccccccccccccccc3",
        "--curve-server-key", "/k/server", NULL};
    if (s_read(&c, both))
        fail_msg("%s", sr_cfg_problem_at(s_cfg, 0));
    assert_string_equal(c.listen, "[::1]:9000");
    assert_string_equal(c.cluster, "tcp://a:1,tcp://b:2");
    assert_int_equal(c.ntokens, 3); // a flag adds to the file's tokens
    assert_int_equal(c.nhooks, 2);
    assert_string_equal(c.hooks[1].secret, "from-a-file-123");
    assert_null(c.hooks[1].secret_file);
    assert_int_equal(c.max_connections, 10);
    assert_int_equal(c.engine_timeout_ms, 250);
    assert_string_equal(c.curve_secret, "/k/gateway_secret");
    gw_config_fini(&c);

    // The flag's cluster replaces the file's; "a,b" is the same list.
    const char *flag[] = {
        "--config",           path,        "--cluster", "tcp://c:3,tcp://d:4",
        "--curve-server-key", "/k/server", NULL};
    assert_int_equal(s_read(&c, flag), SR_OK);
    assert_string_equal(c.cluster, "tcp://c:3,tcp://d:4");
    assert_int_equal(c.ncluster_items, 2);
    gw_config_fini(&c);
}

static void
bad_files_name_the_problem(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"- a\n", ":1:1: expected a mapping of keys"},
        {"tokens: abc\n", ":1:9: key 'tokens': expected at least 16 bytes"},
        {"tokens: [{a: 1}]\n",
         ":1:10: key 'tokens[0]': expected a single value"},
        {"hooks: [x]\n", ":1:9: key 'hooks[0]': expected NAME:WORKFLOW:SECRET"},
        {"hooks: [{name: a, workflow: w}]\n",
         ":1:9: key 'hooks[0]': hook 'a' needs a secret"},
        {"hooks: [{name: a, secret: 12345678}]\n",
         ":1:9: key 'hooks[0]': no workflow"},
        {"hooks: [{name: a, workflow: w, secret_file: /no/such}]\n",
         ":1:45: key 'hooks[0].secret_file': /no/such: cannot open"},
        {"idle-clients: {a: 1}\n",
         ":1:15: key 'idle-clients': expected a single value"},
        {"idle-clients: [\n", ":2:1: "},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gw_config_t c;
        char path[128], want[256];
        snprintf(path, sizeof path, "%s", s_write("bad.yaml", cases[i].text));
        const char *args[] = {"--cluster", "ipc:///x", "--config", path, NULL};
        assert_int_equal(s_read(&c, args), SR_EINVAL);
        snprintf(want, sizeof want, "%s%s", path, cases[i].msg);
        s_has(want);
        gw_config_fini(&c);
    }
    gw_config_t c;
    const char *missing[] = {"--config", "/no/such/file", NULL};
    assert_int_equal(s_read(&c, missing), SR_EINVAL);
    s_has("/no/such/file: cannot open: No such file or directory");
    gw_config_fini(&c);
}

int
main(void)
{
    strcpy(s_dir, "/tmp/sr-gwcfg-XXXXXX");
    if (!mkdtemp(s_dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_and_flags),
        cmocka_unit_test(a_yaml_file_sets_everything),
        cmocka_unit_test(bad_files_name_the_problem),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    sr_cfg_destroy(&s_cfg);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    return system(cmd) ? 1 : rc;
}
