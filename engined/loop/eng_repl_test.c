// Three engines in one process over ipc://, replicas 3, two partitions:
// STATUS carries each copy's Raft group as its engine sees it (the
// leader's name, term, commit index, the group's replicas and, from the
// leader only, each follower's lag) and the replication counters, every
// body matching the table; a follower stopped shows on the leader as a
// replica that misses the entries committed since, and the commits are
// counted and timed. CLUSTER_MAP's REPLY is checked here too (it needs
// replicated engines).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eng_test_util.h"
#include "sr_body.h"

#define N           3
#define PARTS       2
#define ELECTION_MS 1000

typedef struct {
    char dir[64];
    char data[N][96];
    char client[N][128], worker[N][128];
    uint16_t parts[N][PARTS];
    et_fix_t f[N]; // f[i].eng NULL: engine i is stopped
} s_cluster_t;

static const char *s_names[N] = {"e1", "e2", "e3"};

static const char s_wf[] = "version: '2.0'\n"
                           "wf%d:\n"
                           "  tasks:\n"
                           "    t:\n"
                           "      action: std.noop\n";

// Engine i lists partition i % PARTS first: e1 is the one that should
// lead partition 0 (e3 lists it first too, but comes later in the
// file), e2 partition 1.
static void
s_start(s_cluster_t *c, int i)
{
    eng_config_t cfg = {.name = s_names[i],
                        .client_endpoint = c->client[i],
                        .worker_endpoint = c->worker[i],
                        .data_dir = c->data[i],
                        .npartitions = PARTS,
                        .durability = STORE_NOSYNC,
                        .heartbeat_ms = 200,
                        .replicas = N,
                        .replica_id = (uint64_t)i + 1,
                        .election_ms = ELECTION_MS,
                        .cluster_partitions = PARTS};
    memcpy(cfg.partitions, c->parts[i], sizeof c->parts[i]);
    for (int j = 0; j < N; j++)
        if (j != i)
            cfg.peers[cfg.npeers++] =
                (eng_peer_config_t){.name = s_names[j],
                                    .client = c->client[j],
                                    .worker = c->worker[j],
                                    .partitions = c->parts[j],
                                    .npartitions = PARTS,
                                    .replica_id = (uint64_t)j + 1};
    sr_error_t err;
    if (eng_start(&cfg, &c->f[i].eng, &err))
        fail_msg("%s: %s", s_names[i], err.msg);
    c->f[i].client = zsock_new_dealer(c->client[i]);
    assert_non_null(c->f[i].client);
}

static void
s_stop(s_cluster_t *c, int i)
{
    zsock_destroy(&c->f[i].client);
    eng_stop(&c->f[i].eng);
}

static int
s_setup(void **state)
{
    s_cluster_t *c = calloc(1, sizeof *c);
    assert_non_null(c);
    strcpy(c->dir, "/tmp/sr-repl-XXXXXX");
    assert_non_null(mkdtemp(c->dir));
    for (int i = 0; i < N; i++) {
        snprintf(c->data[i], sizeof c->data[i], "%s/%s", c->dir, s_names[i]);
        snprintf(c->client[i], sizeof c->client[i], "ipc://%s/%s.c", c->dir,
                 s_names[i]);
        snprintf(c->worker[i], sizeof c->worker[i], "ipc://%s/%s.w", c->dir,
                 s_names[i]);
        for (int k = 0; k < PARTS; k++)
            c->parts[i][k] = (uint16_t)((i + k) % PARTS);
    }
    for (int i = 0; i < N; i++)
        s_start(c, i);
    *state = c;
    return 0;
}

static int
s_teardown(void **state)
{
    s_cluster_t *c = *state;
    for (int i = 0; i < N; i++)
        s_stop(c, i);
    et_rmtree(c->dir);
    free(c);
    return 0;
}

// Engine i's STATUS (owned; its body checked against the table).
static sr_value_t *
s_status(s_cluster_t *c, int i)
{
    sr_error_t err;
    sr_value_t *st = et_call(&c->f[i], sr_msg_new(SR_MSG_STATUS), &err);
    if (!st)
        fail_msg("%s: STATUS: %s", s_names[i], err.msg);
    return st;
}

// Partition p's group in STATUS `st` (borrowed).
static const sr_value_t *
s_group(const sr_value_t *st, int p)
{
    const sr_value_t *raft = sr_body_get(st, SR_B_STATUS_raft);
    assert_non_null(raft);
    const sr_value_t *groups = sr_body_get(raft, SR_B_REPLICATION_groups);
    for (size_t k = 0; k < sr_value_len(groups); k++) {
        const sr_value_t *g = sr_value_array_at(groups, k);
        if (sr_body_int(g, SR_B_RAFT_GROUP_partition, -1) == p)
            return g;
    }
    fail_msg("no group of partition %d", p);
    return NULL;
}

static bool
s_serves(const sr_value_t *st, int p)
{
    const sr_value_t *parts = sr_body_get(st, SR_B_STATUS_partitions);
    for (size_t k = 0; k < sr_value_len(parts); k++)
        if (sr_value_int(sr_value_array_at(parts, k)) == p)
            return true;
    return false;
}

// Step until engine `leader[p]` serves partition p, for every p.
static void
s_wait_leaders(s_cluster_t *c, const int leader[PARTS])
{
    for (int tries = 0;; tries++) {
        bool all = true;
        for (int p = 0; p < PARTS; p++) {
            sr_value_t *st = s_status(c, leader[p]);
            all &= s_serves(st, p);
            sr_value_destroy(&st);
        }
        if (all)
            return;
        if (tries == 200)
            fail_msg("the preferred leaders do not serve within 10 s");
        usleep(50 * 1000);
    }
}

static bool
s_has_str(const sr_value_t *a, const char *s)
{
    for (size_t k = 0; k < sr_value_len(a); k++)
        if (strcmp(sr_value_str(sr_value_array_at(a, k)), s) == 0)
            return true;
    return false;
}

// A map's integer under `key`, or -1.
static int64_t
s_map_int(const sr_value_t *m, const char *key)
{
    const sr_value_t *v = sr_value_map_get(m, key);
    return v ? sr_value_int(v) : -1;
}

static void
status_shows_each_copys_raft_group_and_the_followers_lag(void **state)
{
    s_cluster_t *c = *state;
    const int leader[PARTS] = {0, 1};
    s_wait_leaders(c, leader);
    for (int p = 0; p < PARTS; p++)
        for (int i = 0; i < N; i++) {
            sr_value_t *st = s_status(c, i);
            const sr_value_t *g = s_group(st, p);
            bool leads = i == leader[p];
            assert_string_equal(sr_body_str(g, SR_B_RAFT_GROUP_state),
                                leads ? "leader" : "follower");
            assert_true(sr_body_int(g, SR_B_RAFT_GROUP_term, 0) >= 1);
            assert_true(sr_body_int(g, SR_B_RAFT_GROUP_commit, 0) >= 1);
            // Followers may hear of the leader's commit a heartbeat later.
            if (leads)
                assert_int_equal(sr_body_int(g, SR_B_RAFT_GROUP_commit, 0),
                                 sr_body_int(g, SR_B_RAFT_GROUP_last_index, 0));
            const sr_value_t *replicas =
                sr_body_get(g, SR_B_RAFT_GROUP_replicas);
            const sr_value_t *roles = sr_body_get(g, SR_B_RAFT_GROUP_roles);
            // In the configuration's order: the booting engine's first.
            assert_int_equal(sr_value_len(replicas), N);
            for (int j = 0; j < N; j++) {
                assert_true(s_has_str(replicas, s_names[j]));
                assert_string_equal(
                    sr_value_str(sr_value_map_get(roles, s_names[j])), "voter");
            }
            const sr_value_t *lag = sr_body_get(g, SR_B_RAFT_GROUP_lag);
            if (leads) {
                assert_string_equal(sr_body_str(g, SR_B_RAFT_GROUP_leader),
                                    s_names[i]);
                assert_int_equal(sr_value_len(lag), N - 1);
                assert_null(sr_value_map_get(lag, s_names[i]));
            } else
                assert_null(lag);
            const sr_value_t *raft = sr_body_get(st, SR_B_STATUS_raft);
            if (leads)
                assert_true(sr_body_int(raft, SR_B_REPLICATION_elected, 0) >=
                            1);
            assert_int_equal(
                sr_body_int(raft, SR_B_REPLICATION_snapshots_sent, -1), 0);
            sr_value_destroy(&st);
        }

    // e3 stops; what e1 commits for partition 0 is not on e3's copy.
    s_stop(c, 2);
    char wf[256];
    for (int k = 0; k < 3; k++) {
        snprintf(wf, sizeof wf, s_wf, k);
        et_create(&c->f[0], wf);
    }
    sr_value_t *st = s_status(c, 0);
    const sr_value_t *g = s_group(st, 0);
    const sr_value_t *lag = sr_body_get(g, SR_B_RAFT_GROUP_lag);
    assert_true(s_map_int(lag, "e3") >= 3);
    assert_true(s_map_int(lag, "e2") >= 0);
    assert_true(s_map_int(lag, "e2") < s_map_int(lag, "e3"));
    const sr_value_t *raft = sr_body_get(st, SR_B_STATUS_raft);
    assert_true(sr_body_int(raft, SR_B_REPLICATION_committed, 0) >= 3);
    const sr_value_t *lat = sr_body_get(raft, SR_B_REPLICATION_commit_ms);
    assert_true(sr_body_int(lat, SR_B_LATENCY_samples, 0) >= 3);
    assert_true(sr_body_float(lat, SR_B_LATENCY_sum, 0) > 0);
    assert_true(sr_body_float(lat, SR_B_LATENCY_p99, -1) >=
                sr_body_float(lat, SR_B_LATENCY_p50, -1));
    assert_true(sr_body_float(lat, SR_B_LATENCY_p50, -1) > 0);
    print_message("commit latency p50 %.3f ms, p99 %.3f ms over %lld\n",
                  sr_body_float(lat, SR_B_LATENCY_p50, -1),
                  sr_body_float(lat, SR_B_LATENCY_p99, -1),
                  (long long)sr_body_int(lat, SR_B_LATENCY_samples, 0));
    sr_value_destroy(&st);
}

// The cluster file of `c`, version `version`.
static void
s_map_text(const s_cluster_t *c, int version, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size,
                                "partitions: %d\nreplicas: %d\nversion: "
                                "%d\nengines:\n",
                                PARTS, N, version);
    for (int i = 0; i < N && n < size; i++)
        n += (size_t)snprintf(out + n, size - n,
                              "  - name: %s\n    client: %s\n    worker: "
                              "%s\n    partitions: [%u, %u]\n",
                              s_names[i], c->client[i], c->worker[i],
                              c->parts[i][0], c->parts[i][1]);
    assert_true(n < size);
}

// CLUSTER_MAP of version `version`: the body (checked against the table
// by et_call) says the engine's version and whether it changed.
static void
s_take_map(s_cluster_t *c, int i, int version, bool changed)
{
    char text[2048];
    s_map_text(c, version, text, sizeof text);
    sr_msg_t *m = sr_msg_new(SR_MSG_CLUSTER_MAP);
    assert_int_equal(sr_msg_set_str(m, SR_F_CLUSTER_MAP_map, text), SR_OK);
    sr_error_t err;
    sr_value_t *body = et_call(&c->f[i], m, &err);
    if (!body)
        fail_msg("CLUSTER_MAP: %s", err.msg);
    assert_int_equal(sr_body_int(body, SR_B_MAP_TAKEN_version, -1), version);
    assert_int_equal(sr_value_bool(sr_body_get(body, SR_B_MAP_TAKEN_changed)),
                     changed);
    sr_value_destroy(&body);
}

// A replicated engine takes a cluster map (the same one again: nothing
// changed; a newer version of the same engines: taken), and says so in
// its REPLY, whose body matches the table (loop.eng_reply cannot: its
// engine does not replicate).
static void
a_replicated_engine_answers_cluster_map(void **state)
{
    s_cluster_t *c = *state;
    s_take_map(c, 0, 0, false);
    s_take_map(c, 0, 1, true);
    s_take_map(c, 0, 1, false);
    sr_value_t *st = s_status(c, 0);
    assert_int_equal(sr_body_int(st, SR_B_STATUS_map_version, -1), 1);
    sr_value_destroy(&st);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            status_shows_each_copys_raft_group_and_the_followers_lag, s_setup,
            s_teardown),
        cmocka_unit_test_setup_teardown(a_replicated_engine_answers_cluster_map,
                                        s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
