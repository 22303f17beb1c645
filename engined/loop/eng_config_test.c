// sirocco-engined settings: flags and files, every error naming the key,
// partition lists, the cluster file and its checks, CurveZMQ settings.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eng_config.h"

static char *
s_file(const char *text)
{
    char *path = strdup("/tmp/sr-engcfg-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void
settings_from_flags_and_files(void **state)
{
    (void)state;
    eng_settings_t s;
    sr_error_t err;
    eng_settings_init(&s);
    char *path = s_file("name: e9\npartitions: [1, 2, 5]\ndurability: "
                        "nosync\nmax-batch: 64\nexpire-after-s: 86400\n");
    assert_int_equal(eng_settings_load(&s, path, &err), SR_OK);
    assert_int_equal(eng_settings_set(&s, "max_batch", "128", &err), SR_OK);
    assert_int_equal(eng_settings_finish(&s, &err), SR_OK);
    assert_string_equal(s.cfg.name, "e9");
    assert_int_equal(s.cfg.npartitions, 3);
    assert_int_equal(s.cfg.partitions[2], 5);
    assert_int_equal(s.cfg.durability, STORE_NOSYNC);
    assert_int_equal(s.cfg.max_batch, 128); // the flag wins
    assert_int_equal(s.cfg.expire_after_ms, (int64_t)86400 * 1000);
    assert_string_equal(s.cfg.client_endpoint, "tcp://127.0.0.1:7100");
    unlink(path);
    free(path);
    eng_settings_fini(&s);

    const char *src = getenv("SR_SOURCE_DIR");
    char example[4096];
    snprintf(example, sizeof example, "%s/deploy/engined.example.yaml",
             src ? src : "../..");
    eng_settings_init(&s);
    assert_int_equal(eng_settings_load(&s, example, &err), SR_OK);
    assert_int_equal(s.cfg.npartitions, 4);
    eng_settings_fini(&s);
}

static void
errors_name_the_setting(void **state)
{
    (void)state;
    eng_settings_t s;
    sr_error_t err;
    eng_settings_init(&s);
    assert_int_equal(eng_settings_set(&s, "max-batch", "lots", &err),
                     SR_EINVAL);
    assert_non_null(strstr(err.msg, "max-batch"));
    assert_int_equal(eng_settings_set(&s, "durability", "maybe", &err),
                     SR_EINVAL);
    assert_non_null(strstr(err.msg, "durability"));
    assert_int_equal(eng_settings_set(&s, "expire-after-s", "-1", &err),
                     SR_EINVAL);
    assert_non_null(strstr(err.msg, "'expire-after-s' must be an integer"));
    assert_int_equal(eng_settings_set(&s, "expire_after_s", "0", &err), SR_OK);
    assert_int_equal(s.cfg.expire_after_ms, 0);
    assert_int_equal(eng_settings_set(&s, "colour", "blue", &err), SR_EINVAL);
    assert_non_null(strstr(err.msg, "colour"));
    assert_int_equal(eng_settings_set(&s, "partitions", "3-1", &err),
                     SR_EINVAL);
    char *path = s_file("name: [1]\n");
    assert_int_equal(eng_settings_load(&s, path, &err), SR_EINVAL);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "'name'"));
    unlink(path);
    free(path);
    eng_settings_fini(&s);
}

static void
cluster_file_gives_endpoints_partitions_and_peers(void **state)
{
    (void)state;
    char *path = s_file("partitions: 4\nengines:\n"
                        "  - {name: a, client: tcp://h1:1, worker: tcp://h1:2,"
                        " partitions: 0-1, bind-client: 'tcp://*:1'}\n"
                        "  - {name: b, client: tcp://h2:1, worker: tcp://h2:2,"
                        " partitions: [2, 3]}\n");
    eng_settings_t s;
    sr_error_t err;
    eng_settings_init(&s);
    assert_int_equal(eng_settings_set(&s, "cluster", path, &err), SR_OK);
    assert_int_equal(eng_settings_set(&s, "name", "a", &err), SR_OK);
    assert_int_equal(eng_settings_finish(&s, &err), SR_OK);
    assert_string_equal(s.cfg.client_endpoint, "tcp://*:1");
    assert_string_equal(s.cfg.worker_endpoint, "tcp://h1:2");
    assert_int_equal(s.cfg.npartitions, 2);
    assert_int_equal(s.cfg.npeers, 1);
    assert_string_equal(s.cfg.peers[0].name, "b");
    assert_int_equal(s.cfg.peers[0].partitions[1], 3);
    eng_settings_fini(&s);
    unlink(path);
    free(path);

    static const struct {
        const char *text, *needle;
    } bad[] = {
        {"partitions: 2\nengines:\n  - {name: a, client: c, worker: w, "
         "partitions: 0}\n",
         "partition 1 has no owner"},
        {"partitions: 1\nengines:\n  - {name: a, client: c, worker: w, "
         "partitions: 0}\n  - {name: a, client: c, worker: w, partitions: "
         "0}\n",
         "used twice"},
        {"partitions: 1\nengines:\n  - {name: a, worker: w, partitions: 0}\n",
         "engines[0]"},
        {"engines: []\n", "engines"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *p = s_file(bad[i].text);
        eng_cluster_t c;
        assert_int_equal(eng_cluster_load(p, &c, &err), SR_EINVAL);
        if (!strstr(err.msg, bad[i].needle))
            fail_msg("'%s' lacks '%s'", err.msg, bad[i].needle);
        unlink(p);
        free(p);
    }
}

static void
curve_settings_come_in_pairs(void **state)
{
    (void)state;
    eng_settings_t s;
    sr_error_t err;
    eng_settings_init(&s);
    char *path = s_file("curve_secret: /k/server_secret\n"
                        "curve-allow: /k/allowed\n");
    assert_int_equal(eng_settings_load(&s, path, &err), SR_OK);
    assert_int_equal(eng_settings_finish(&s, &err), SR_OK);
    assert_string_equal(s.cfg.curve_secret, "/k/server_secret");
    assert_string_equal(s.cfg.curve_allow, "/k/allowed");
    eng_settings_fini(&s);
    unlink(path);
    free(path);
    // One without the other is refused, naming both.
    eng_settings_init(&s);
    assert_int_equal(eng_settings_set(&s, "curve-secret", "/k/s", &err), SR_OK);
    assert_int_equal(eng_settings_finish(&s, &err), SR_EINVAL);
    assert_non_null(strstr(err.msg, "'curve-secret' needs 'curve-allow'"));
    eng_settings_fini(&s);
    eng_settings_init(&s);
    assert_int_equal(eng_settings_set(&s, "curve_allow", "/k/a", &err), SR_OK);
    assert_int_equal(eng_settings_finish(&s, &err), SR_EINVAL);
    assert_non_null(strstr(err.msg, "'curve-allow' needs 'curve-secret'"));
    eng_settings_fini(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(settings_from_flags_and_files),
        cmocka_unit_test(errors_name_the_setting),
        cmocka_unit_test(cluster_file_gives_endpoints_partitions_and_peers),
        cmocka_unit_test(curve_settings_come_in_pairs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
