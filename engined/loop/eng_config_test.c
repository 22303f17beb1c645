// sirocco-engined settings, read by the config reader (sr_cfg.h) with the
// engine's table: flags and files, every error naming the flag or the
// FILE:LINE:COL and key, partition lists, the cluster file and its checks,
// CurveZMQ settings. tests/cfgdoc checks docs/operations.md against the
// table.
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
#include "eng_map.h"
#include "sr_cfg.h"
#include "sr_cfg_test_util.h"

static sr_cfg_t *s_cfg; // the reader of the last s_read

// Read a NULL-terminated argument list (program name added).
static sr_err_t
s_read(eng_settings_t *s, const char *const *args)
{
    return sr_cfg_test_args(eng_settings_table(), s, &s_cfg, args);
}

static void
s_has(const char *part)
{
    sr_cfg_test_has(s_cfg, part);
}

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
    char *path = s_file("name: e9\npartitions: [1, 2, 5]\ndurability: "
                        "nosync\nmax-batch: 64\nexpire-after-s: 86400\n");
    const char *args[] = {"--config", path, "--max_batch", "128", NULL};
    assert_int_equal(s_read(&s, args), SR_OK);
    assert_string_equal(s.cfg.name, "e9");
    assert_int_equal(s.cfg.npartitions, 3);
    assert_int_equal(s.cfg.partitions[2], 5);
    assert_int_equal(s.cfg.durability, STORE_NOSYNC);
    assert_int_equal(s.cfg.max_batch, 128); // the flag wins
    assert_int_equal(s.cfg.expire_after_ms, (int64_t)86400 * 1000);
    assert_string_equal(s.cfg.client_endpoint, "tcp://127.0.0.1:7100");
    assert_string_equal(s.cfg.data_dir, "./sirocco-data");
    assert_int_equal(s.cfg.heartbeat_ms, 1000);
    assert_int_equal(s.cfg.expiry_ms, 0); // the engine's: 5 heartbeats
    unlink(path);
    free(path);
    eng_settings_fini(&s);

    const char *ranges[] = {"--partitions", "0-2,7", NULL};
    assert_int_equal(s_read(&s, ranges), SR_OK);
    assert_int_equal(s.cfg.npartitions, 4);
    assert_int_equal(s.cfg.partitions[3], 7);
    eng_settings_fini(&s);

    const char *src = getenv("SR_SOURCE_DIR");
    char example[4096];
    snprintf(example, sizeof example, "%s/deploy/engined.example.yaml",
             src ? src : "../..");
    const char *ex[] = {"--config", example, NULL};
    assert_int_equal(s_read(&s, ex), SR_OK);
    assert_int_equal(s.cfg.npartitions, 4);
    eng_settings_fini(&s);
}

static void
errors_name_the_setting(void **state)
{
    (void)state;
    eng_settings_t s;
    const char *args[] = {"--max-batch",
                          "lots",
                          "--durability",
                          "maybe",
                          "--expire-after-s",
                          "-1",
                          "--colour",
                          "blue",
                          "--partitions",
                          "3-1",
                          NULL};
    assert_int_equal(s_read(&s, args), SR_EINVAL);
    s_has("--max-batch: expected an integer from 1 to 1048576, got 'lots'");
    s_has("--durability: expected sync or nosync, got 'maybe'");
    s_has("--expire-after-s: expected an integer from 0 to 316224000, got "
          "'-1'");
    s_has("--colour: unknown flag (see --help)");
    s_has("--partitions: expected a partition N or a range A-B, from 0 to "
          "65535, got '3-1'");
    eng_settings_fini(&s);
    const char *zero[] = {"--expire_after_s", "0", NULL};
    assert_int_equal(s_read(&s, zero), SR_OK);
    assert_int_equal(s.cfg.expire_after_ms, 0);
    eng_settings_fini(&s);

    char *path = s_file("name: [1]\nheartbeat-ms: 5\n");
    const char *file[] = {"--config", path, NULL};
    assert_int_equal(s_read(&s, file), SR_EINVAL);
    char want[256];
    snprintf(want, sizeof want, "%s:1:7: key 'name': expected a single value",
             path);
    s_has(want);
    snprintf(want, sizeof want,
             "%s:2:15: key 'heartbeat-ms': expected an integer from 10 to "
             "3600000, got '5'",
             path);
    s_has(want);
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
    const char *args[] = {"--cluster", path, "--name", "a", NULL};
    assert_int_equal(s_read(&s, args), SR_OK);
    assert_string_equal(s.cfg.client_endpoint, "tcp://*:1");
    assert_string_equal(s.cfg.worker_endpoint, "tcp://h1:2");
    assert_int_equal(s.cfg.npartitions, 2);
    assert_int_equal(s.cfg.npeers, 1);
    assert_string_equal(s.cfg.peers[0].name, "b");
    assert_int_equal(s.cfg.peers[0].partitions[1], 3);
    eng_settings_fini(&s);
    // What flags give stays: the cluster file fills the rest.
    const char *flags[] = {"--cluster", path,        "--name",       "a",
                           "--client",  "tcp://*:9", "--partitions", "1",
                           NULL};
    assert_int_equal(s_read(&s, flags), SR_OK);
    assert_string_equal(s.cfg.client_endpoint, "tcp://*:9");
    assert_string_equal(s.cfg.worker_endpoint, "tcp://h1:2");
    assert_int_equal(s.cfg.npartitions, 1);
    assert_int_equal(s.cfg.replicas, 1);
    eng_settings_fini(&s);
    const char *nobody[] = {"--cluster", path, "--name", "z", NULL};
    assert_int_equal(s_read(&s, nobody), SR_EINVAL);
    s_has("no engine named 'z' (give --name)");
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
        {"partitions: 2\nreplicas: 2\nengines:\n  - {name: a, client: c, "
         "worker: w, partitions: 0-1}\n  - {name: b, client: c, worker: w, "
         "partitions: 1}\n",
         "partition 0 is held by 1 engines; replicas is 2"},
        {"partitions: 1\nreplicas: 2\nengines:\n  - {name: a, client: c, "
         "worker: w, partitions: [0, 0]}\n  - {name: b, client: c, worker: w, "
         "partitions: 0}\n",
         "partition 0 listed twice"},
        {"partitions: 1\nreplicas: 3\nengines:\n  - {name: a, client: c, "
         "worker: w, partitions: 0}\n  - {name: b, client: c, worker: w, "
         "partitions: 0}\n",
         "replicas: copies of each partition, 1 to 7 and at most the number "
         "of engines"},
        {"partitions: 1\nengines:\n  - {name: a, client: c, worker: w, "
         "partitions: 0}\n  - {name: b, client: c, worker: w, partitions: "
         "0}\n",
         "partition 0 has another owner"},
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

// replicas: each partition held by that many engines; the replica ids
// are the engines' places in the file.
static void
cluster_file_with_replicas(void **state)
{
    (void)state;
    char *path = s_file("partitions: 3\nreplicas: 2\nengines:\n"
                        "  - {name: a, client: c1, worker: w1, partitions: "
                        "[0, 1]}\n"
                        "  - {name: b, client: c2, worker: w2, partitions: "
                        "[1, 2]}\n"
                        "  - {name: c, client: c3, worker: w3, partitions: "
                        "[2, 0]}\n");
    eng_settings_t s;
    const char *args[] = {"--cluster", path, "--name", "b", NULL};
    assert_int_equal(s_read(&s, args), SR_OK);
    assert_int_equal(s.cfg.replicas, 2);
    assert_int_equal(s.cfg.replica_id, 2);
    assert_int_equal(s.cfg.npartitions, 2);
    assert_int_equal(s.cfg.npeers, 2);
    assert_string_equal(s.cfg.peers[0].name, "a");
    assert_int_equal(s.cfg.peers[0].replica_id, 1);
    assert_string_equal(s.cfg.peers[1].name, "c");
    assert_int_equal(s.cfg.peers[1].replica_id, 3);
    assert_int_equal(s.cfg.election_ms, 1000);
    eng_settings_fini(&s);
    unlink(path);
    free(path);
}

static void
curve_settings_come_in_pairs(void **state)
{
    (void)state;
    eng_settings_t s;
    char *path = s_file("curve_secret: /k/server_secret\n"
                        "curve-allow: /k/allowed\n");
    const char *args[] = {"--config", path, NULL};
    assert_int_equal(s_read(&s, args), SR_OK);
    assert_string_equal(s.cfg.curve_secret, "/k/server_secret");
    assert_string_equal(s.cfg.curve_allow, "/k/allowed");
    eng_settings_fini(&s);
    unlink(path);
    free(path);
    // One without the other is refused, naming both.
    const char *secret[] = {"--curve-secret", "/k/s", NULL};
    assert_int_equal(s_read(&s, secret), SR_EINVAL);
    s_has("'curve-secret' needs 'curve-allow'");
    eng_settings_fini(&s);
    const char *allow[] = {"--curve_allow", "/k/a", NULL};
    assert_int_equal(s_read(&s, allow), SR_EINVAL);
    s_has("'curve-allow' needs 'curve-secret'");
    eng_settings_fini(&s);
}

#define S_MAP_HEAD "partitions: 3\nreplicas: 2\n"
#define S_A        "  - {name: a, id: 1, client: c1, worker: w1, "
#define S_B        "  - {name: b, id: 2, client: c2, worker: w2, "
#define S_C        "  - {name: c, id: 5, client: c3, worker: w3, "

// A newer cluster map taken online: ids and version read, what may not
// change refused (naming it) with nothing changed, an older version
// refused, the same version taken as done, and a newer one taken: the
// copies it gives this engine said, a new peer appended with its id, a
// peer left out marked removed, the file written over.
static void
cluster_map_taken_online(void **state)
{
    (void)state;
    char *path =
        s_file(S_MAP_HEAD "engines:\n" S_A "partitions: [0, 1]}\n" S_B
                          "partitions: [1, 2, 0]}\n" S_C "partitions: [2]}\n");
    eng_settings_t s;
    const char *args[] = {"--cluster", path, "--name", "a", NULL};
    assert_int_equal(s_read(&s, args), SR_OK);
    assert_int_equal(s.cfg.map_version, 0);
    assert_int_equal(s.cfg.cluster_partitions, 3);
    assert_int_equal(s.cfg.npeers, 2);
    assert_int_equal(s.cfg.peers[1].replica_id, 5);
    eng_map_t *map = eng_map_new();
    eng_map_change_t ch;
    sr_error_t err;
    static const struct {
        const char *text, *needle;
        sr_err_t code;
    } bad[] = {
        {"partitions: 4\nreplicas: 2\nversion: 1\nengines:\n" S_A
         "partitions: [0, 1, 3]}\n" S_B "partitions: [1, 2, 0, 3]}\n" S_C
         "partitions: [2]}\n",
         "partitions: 4, not 3", SR_EINVAL},
        {S_MAP_HEAD "version: 1\nengines:\n" S_A "partitions: [0, 1]}\n"
                    "  - {name: b, id: 3, client: c2, worker: w2, "
                    "partitions: [1, 2, 0]}\n" S_C "partitions: [2]}\n",
         "id 3, not 2", SR_EINVAL},
        {S_MAP_HEAD "version: 1\nengines:\n" S_A "partitions: [0, 1]}\n"
                    "  - {name: b, id: 2, client: c9, worker: w2, "
                    "partitions: [1, 2, 0]}\n" S_C "partitions: [2]}\n",
         "its endpoints change", SR_EINVAL},
        {S_MAP_HEAD "version: 1\nengines:\n" S_A "partitions: [0, 1]}\n" S_B
                    "partitions: [1, 2]}\n"
                    "  - {name: d, id: 5, client: c4, worker: w4, "
                    "partitions: [2, 0]}\n",
         "id 5 is another engine's", SR_EINVAL},
        {S_MAP_HEAD "version: 1\nengines:\n" S_A "partitions: [0, 1]}\n" S_B
                    "partitions: [1, 2, 0]}\n",
         "partition 2 is held by 1 engines", SR_EINVAL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(eng_map_take(map, &s.cfg, bad[i].text,
                                      strlen(bad[i].text), &ch, &err),
                         bad[i].code);
        if (!strstr(err.msg, bad[i].needle))
            fail_msg("'%s' lacks '%s'", err.msg, bad[i].needle);
        assert_int_equal(s.cfg.map_version, 0);
        assert_int_equal(s.cfg.npeers, 2);
    }
    // The same version: nothing to do.
    const char *same =
        S_MAP_HEAD "engines:\n" S_A "partitions: [0, 1]}\n" S_B
                   "partitions: [1, 2, 0]}\n" S_C "partitions: [2]}\n";
    assert_int_equal(eng_map_take(map, &s.cfg, same, strlen(same), &ch, &err),
                     SR_OK);
    assert_false(ch.changed);
    // Newer: d joins, c leaves, a takes partition 2.
    const char *next =
        S_MAP_HEAD "version: 2\nengines:\n" S_A "partitions: [0, 1, 2]}\n" S_B
                   "partitions: [1, 0]}\n"
                   "  - {name: d, id: 6, client: c4, worker: w4, "
                   "partitions: [2]}\n";
    assert_int_equal(eng_map_take(map, &s.cfg, next, strlen(next), &ch, &err),
                     SR_OK);
    assert_true(ch.changed);
    assert_int_equal(ch.nadded, 1);
    assert_int_equal(ch.added[0], 2);
    assert_int_equal(s.cfg.map_version, 2);
    assert_int_equal(s.cfg.npartitions, 3);
    assert_int_equal(s.cfg.npeers, 3);
    assert_true(s.cfg.peers[1].removed); // c
    assert_int_equal(s.cfg.peers[1].npartitions, 0);
    assert_string_equal(s.cfg.peers[2].name, "d");
    assert_int_equal(s.cfg.peers[2].replica_id, 6);
    assert_false(s.cfg.left);
    FILE *f = fopen(path, "r");
    char text[1024] = "";
    assert_non_null(f);
    assert_true(fread(text, 1, sizeof text - 1, f) > 0);
    fclose(f);
    assert_string_equal(text, next);
    // Older: refused.
    assert_int_equal(eng_map_take(map, &s.cfg, same, strlen(same), &ch, &err),
                     SR_ESTATE);
    // One that leaves this engine out: it is left.
    const char *out = "partitions: 3\nreplicas: 2\nversion: 3\nengines:\n" S_B
                      "partitions: [1, 2, 0]}\n"
                      "  - {name: d, id: 6, client: c4, worker: w4, "
                      "partitions: [0, 1, 2]}\n";
    assert_int_equal(eng_map_take(map, &s.cfg, out, strlen(out), &ch, &err),
                     SR_OK);
    assert_true(s.cfg.left);
    assert_int_equal(ch.nadded, 0);
    eng_map_destroy(&map);
    eng_settings_fini(&s);
    unlink(path);
    free(path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(settings_from_flags_and_files),
        cmocka_unit_test(errors_name_the_setting),
        cmocka_unit_test(cluster_file_gives_endpoints_partitions_and_peers),
        cmocka_unit_test(cluster_file_with_replicas),
        cmocka_unit_test(cluster_map_taken_online),
        cmocka_unit_test(curve_settings_come_in_pairs),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    sr_cfg_destroy(&s_cfg);
    return rc;
}
