// Gateway settings: defaults, flags, the YAML file (tokens, hooks with a
// secret or a secret file, a cluster as a list) and every kind of error
// naming its key.
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

static char s_dir[64];

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

static void
defaults_and_flags(void **state)
{
    (void)state;
    gw_config_t c;
    sr_error_t err;
    gw_config_init(&c);
    assert_string_equal(c.listen, "127.0.0.1:8989");
    assert_int_equal(c.max_body_bytes, 1048576);
    assert_int_equal(c.log_level, SR_LOG_INFO);
    assert_int_equal(gw_config_check(&c, &err), SR_EINVAL); // no cluster
    assert_int_equal(gw_config_set(&c, "cluster", "ipc:///x", &err), SR_OK);
    assert_int_equal(gw_config_set(&c, "max_body_bytes", "100", &err), SR_OK);
    assert_int_equal(c.max_body_bytes, 100);
    assert_int_equal(gw_config_set(&c, "idle-clients", "-1", &err), SR_EINVAL);
    assert_non_null(
        strstr(err.msg, "'idle-clients' must be an integer from 0"));
    assert_int_equal(gw_config_set(&c, "idle_clients", "2x", &err), SR_EINVAL);
    assert_int_equal(gw_config_set(&c, "log-level", "loud", &err), SR_EINVAL);
    assert_int_equal(gw_config_set(&c, "colour", "red", &err), SR_EINVAL);
    assert_string_equal(err.msg, "unknown setting 'colour'");
    assert_int_equal(gw_config_set(&c, "hook", "gh:wf", &err), SR_EINVAL);
    assert_int_equal(gw_config_set(&c, "hook", "g/h:wf:secret123", &err),
                     SR_EINVAL);
    assert_int_equal(gw_config_set(&c, "hook", "gh:wf:short", &err), SR_EINVAL);
    assert_int_equal(gw_config_set(&c, "hook", "gh:wf:a:secret:b", &err),
                     SR_OK);
    assert_string_equal(c.hooks[0].secret, "a:secret:b");
    assert_int_equal(gw_config_set(&c, "hook", "gh:wf2:secret123", &err),
                     SR_OK);
    assert_int_equal(gw_config_check(&c, &err), SR_EINVAL);
    assert_string_equal(err.msg, "hook 'gh' is defined twice");
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
    gw_config_t c;
    sr_error_t err;
    gw_config_init(&c);
    if (gw_config_load(&c, s_write("gw.yaml", text), &err))
        fail_msg("%s", err.msg);
    assert_string_equal(c.listen, "[::1]:9000");
    assert_string_equal(c.cluster, "tcp://a:1,tcp://b:2");
    assert_int_equal(c.ntokens, 2);
    assert_int_equal(c.nhooks, 2);
    assert_string_equal(c.hooks[1].secret, "from-a-file-123");
    assert_int_equal(c.max_connections, 10);
    assert_int_equal(c.engine_timeout_ms, 250);
    assert_string_equal(c.curve_secret, "/k/gateway_secret");
    assert_int_equal(gw_config_check(&c, &err), SR_EINVAL);
    assert_non_null(strstr(err.msg, "'curve-secret' needs 'curve-server-key'"));
    assert_int_equal(gw_config_set(&c, "curve-server-key", "/k/server", &err),
                     SR_OK);
    assert_int_equal(gw_config_check(&c, &err), SR_OK);
    gw_config_fini(&c);
}

static void
bad_files_name_the_problem(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
    } cases[] = {
        {"- a\n", "expected a mapping of settings"},
        {"tokens: abc\n", "'tokens' must be a list"},
        {"tokens: [1]\n", "'tokens' lists strings"},
        {"hooks: [x]\n", "each of 'hooks' is a map"},
        {"hooks: [{name: a, workflow: w}]\n", "needs a secret"},
        {"hooks: [{name: a, workflow: w, secret_file: /no/such}]\n",
         "cannot open /no/such"},
        {"idle-clients: {a: 1}\n",
         "'idle-clients' must be a string or a number"},
        {"idle-clients: [\n", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        gw_config_t c;
        sr_error_t err;
        gw_config_init(&c);
        const char *path = s_write("bad.yaml", cases[i].text);
        assert_int_not_equal(gw_config_load(&c, path, &err), SR_OK);
        if (!strstr(err.msg, cases[i].msg) || !strstr(err.msg, path))
            fail_msg("%s: %s", cases[i].text, err.msg);
        gw_config_fini(&c);
    }
    gw_config_t c;
    sr_error_t err;
    gw_config_init(&c);
    assert_int_equal(gw_config_load(&c, "/no/such/file", &err), SR_EIO);
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
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    return system(cmd) ? 1 : rc;
}
