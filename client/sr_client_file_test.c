// Tests of clients opened on a cluster file: the endpoints of a YAML
// cluster file and of a cluster.json, a client that reaches both fake
// engines through a file, endpoint lists passed through untouched, and
// clear errors for files that are missing, malformed or name no engine.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sr_client_test_util.h"

static sr_fx_t s_fx;
static char s_path[256];

static int
s_setup(void **state)
{
    (void)state;
    return sr_fx_setup(&s_fx);
}

static int
s_teardown(void **state)
{
    (void)state;
    const char *names[] = {"cluster.yaml", "cluster.json", "c.yaml", "c.json"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(s_path, sizeof s_path, "%s/%s", s_fx.dir, names[i]);
        unlink(s_path);
    }
    sr_fx_teardown(&s_fx);
    return 0;
}

// Write `text` to DIR/name; returns the path.
static const char *
s_write(const char *name, const char *text)
{
    snprintf(s_path, sizeof s_path, "%s/%s", s_fx.dir, name);
    FILE *f = fopen(s_path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return s_path;
}

// The YAML cluster file of the two fake engines.
static const char *
s_write_yaml(void)
{
    char text[1024];
    snprintf(text, sizeof text,
             "partitions: 4\n"
             "engines:\n"
             "  - name: a\n    client: %s\n    worker: ipc://x\n"
             "    partitions: 0-1\n"
             "  - name: b\n    client: %s\n    worker: ipc://y\n"
             "    partitions: [2, 3]\n",
             s_fx.ep[0], s_fx.ep[1]);
    return s_write("cluster.yaml", text);
}

// Expect sr_client_cluster_endpoints(cluster) to fail with `code` and a
// message containing `part`.
static void
s_expect_error(const char *cluster, sr_err_t code, const char *part)
{
    char *eps = NULL;
    sr_error_t err;
    assert_int_equal(sr_client_cluster_endpoints(cluster, &eps, &err), code);
    assert_null(eps);
    if (!strstr(err.msg, part))
        fail_msg("error '%s' lacks '%s'", err.msg, part);
}

static void
a_yaml_cluster_file_gives_the_client_endpoints_in_order(void **state)
{
    (void)state;
    const char *path = s_write_yaml();
    assert_true(sr_client_is_cluster_file(path));
    char *eps = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_cluster_endpoints(path, &eps, &err), &err);
    assert_string_equal(eps, s_fx.both);
    free(eps);
}

static void
a_cluster_json_gives_the_client_endpoints(void **state)
{
    (void)state;
    char text[1024];
    snprintf(text, sizeof text,
             "{\"partitions\": 4, \"processes\": [], \"engines\": ["
             "{\"name\": \"a\", \"client\": \"%s\"},"
             "{\"name\": \"b\", \"client\": \"%s\"}]}",
             s_fx.ep[0], s_fx.ep[1]);
    const char *path = s_write("cluster.json", text);
    char *eps = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_cluster_endpoints(path, &eps, &err), &err);
    assert_string_equal(eps, s_fx.both);
    free(eps);
}

static void
endpoint_lists_are_taken_as_they_are(void **state)
{
    (void)state;
    assert_false(sr_client_is_cluster_file(s_fx.both));
    assert_false(sr_client_is_cluster_file(""));
    assert_false(sr_client_is_cluster_file(NULL));
    assert_false(sr_client_is_cluster_file("nonsense"));
    assert_false(sr_client_is_cluster_file("a.yaml,b.yaml"));
    assert_true(sr_client_is_cluster_file("missing.yml"));
    assert_true(sr_client_is_cluster_file(s_fx.dir)); // exists: a path
    char *eps = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_cluster_endpoints(s_fx.both, &eps, &err), &err);
    assert_string_equal(eps, s_fx.both);
    free(eps);
}

static void
a_client_opened_on_a_cluster_file_reaches_every_engine(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open(s_write_yaml());
    assert_int_equal(sr_client_engine_count(c), 2);
    assert_string_equal(sr_client_engine_endpoint(c, 1), s_fx.ep[1]);
    for (size_t i = 0; i < 2; i++) {
        sr_value_t *st = NULL;
        sr_error_t err;
        sr_fx_ok(sr_client_status(c, i, SR_FX_WAIT_MS, &st, &err), &err);
        sr_value_destroy(&st);
    }
    sr_client_close(&c);
}

static void
bad_cluster_files_are_refused_with_the_reason(void **state)
{
    (void)state;
    char missing[256];
    snprintf(missing, sizeof missing, "%s/none.yaml", s_fx.dir);
    s_expect_error(missing, SR_EINVAL, "cannot open");
    s_expect_error(s_write("c.yaml", "engines: [a: b"), SR_EINVAL, "c.yaml");
    s_expect_error(s_write("c.yaml", "- 1\n"), SR_EINVAL, "a mapping");
    s_expect_error(s_write("c.yaml", "engines: []\n"), SR_EINVAL,
                   "engines: a list of 1 to");
    s_expect_error(s_write("c.yaml", "engines:\n  - name: a\n"), SR_EINVAL,
                   "engines[0].client: an endpoint is required");
    s_expect_error(s_write("c.json", "{\"engines\": [{\"client\": 5}]}"),
                   SR_EINVAL, "engines[0].client");
    s_expect_error(s_write("c.json", "{\"engines\": "), SR_EINVAL, "c.json");
    sr_client_t *c = NULL;
    sr_error_t err;
    assert_int_equal(sr_client_open(missing, NULL, &c, &err), SR_EINVAL);
    assert_null(c);
    assert_non_null(strstr(err.msg, "none.yaml"));
}

#define S_TEST(f) cmocka_unit_test_setup_teardown(f, s_setup, s_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        S_TEST(a_yaml_cluster_file_gives_the_client_endpoints_in_order),
        S_TEST(a_cluster_json_gives_the_client_endpoints),
        S_TEST(endpoint_lists_are_taken_as_they_are),
        S_TEST(a_client_opened_on_a_cluster_file_reaches_every_engine),
        S_TEST(bad_cluster_files_are_refused_with_the_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
