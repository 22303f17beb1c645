// The engines' STATUS figures as Prometheus text: an engine with
// replicated partitions gets the sirocco_raft_* samples (elections,
// leadership lost, commit latency in seconds with its sum and count,
// each follower's lag of the partitions it leads, snapshots sent), one
// without replication and one that did not answer get none, and every
// family is declared once whoever has samples; an engine that tells its
// CPU time, memory and message counters (protocol 1.7) gets them in
// seconds, bytes and one sample per socket, an older one none.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gw_engine_metrics.h"
#include "sr_body.h"

static sr_value_t *
s_latency(double p50, double p99, int64_t samples, double sum)
{
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_LATENCY);
    sr_body_put_float(&b, SR_B_LATENCY_p50, p50);
    sr_body_put_float(&b, SR_B_LATENCY_p99, p99);
    sr_body_put_int(&b, SR_B_LATENCY_samples, samples);
    sr_body_put_float(&b, SR_B_LATENCY_sum, sum);
    return sr_body_take(&b);
}

// Partition `p`'s group, led here (with its followers' `lag`) or followed.
static sr_value_t *
s_group(int p, const char *state, sr_value_t *lag)
{
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_RAFT_GROUP);
    sr_body_put_int(&b, SR_B_RAFT_GROUP_partition, p);
    sr_body_put_str(&b, SR_B_RAFT_GROUP_state, state);
    sr_body_put_int(&b, SR_B_RAFT_GROUP_term, 3);
    sr_body_put_int(&b, SR_B_RAFT_GROUP_commit, 40);
    sr_body_put_int(&b, SR_B_RAFT_GROUP_applied, 40);
    sr_body_put_int(&b, SR_B_RAFT_GROUP_last_index, 41);
    sr_value_t *names = sr_value_new_array(0), *roles = sr_value_new_map(0);
    sr_body_put(&b, SR_B_RAFT_GROUP_replicas, names);
    sr_body_put(&b, SR_B_RAFT_GROUP_roles, roles);
    if (lag)
        sr_body_put(&b, SR_B_RAFT_GROUP_lag, lag);
    sr_value_t *g = sr_body_take(&b);
    assert_non_null(g);
    return g;
}

// A STATUS with one worker of 4 slots and, when `replicated`, the Raft
// figures: partition 0 led (e2 0 behind, we"ird 5), partition 1 followed.
static sr_value_t *
s_status(bool replicated)
{
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_STATUS);
    sr_value_t *parts = sr_value_new_array(1);
    sr_value_array_append(parts, sr_value_new_int(0));
    sr_body_put(&b, SR_B_STATUS_partitions, parts);
    sr_body_t w;
    sr_body_init(&w, SR_SHAPE_WORKER);
    sr_body_put_str(&w, SR_B_WORKER_name, "w1");
    sr_body_put_int(&w, SR_B_WORKER_slots, 4);
    sr_body_put_int(&w, SR_B_WORKER_used, 1);
    sr_value_t *workers = sr_value_new_array(1);
    sr_value_array_append(workers, sr_body_take(&w));
    sr_body_put(&b, SR_B_STATUS_workers, workers);
    sr_body_put(&b, SR_B_STATUS_dispatch_ms, s_latency(2, 9, 10, 30));
    if (replicated) {
        sr_value_t *lag = sr_value_new_map(2);
        sr_value_map_put(lag, "e2", sr_value_new_int(0));
        sr_value_map_put(lag, "we\"ird", sr_value_new_int(5));
        sr_value_t *groups = sr_value_new_array(2);
        sr_value_array_append(groups, s_group(0, "leader", lag));
        sr_value_array_append(groups, s_group(1, "follower", NULL));
        sr_body_t r;
        sr_body_init(&r, SR_SHAPE_REPLICATION);
        sr_body_put(&r, SR_B_REPLICATION_groups, groups);
        sr_body_put_int(&r, SR_B_REPLICATION_elected, 2);
        sr_body_put_int(&r, SR_B_REPLICATION_deposed, 1);
        sr_body_put_int(&r, SR_B_REPLICATION_committed, 7);
        sr_body_put_int(&r, SR_B_REPLICATION_failed, 0);
        sr_body_put_int(&r, SR_B_REPLICATION_refused, 0);
        sr_body_put_int(&r, SR_B_REPLICATION_snapshots_sent, 1);
        sr_body_put(&r, SR_B_REPLICATION_commit_ms, s_latency(1.5, 4, 7, 12.5));
        sr_body_put(&b, SR_B_STATUS_raft, sr_body_take(&r));
    }
    sr_value_t *st = sr_body_take(&b);
    assert_non_null(st);
    return st;
}

// How many lines of `text` are exactly `line`.
static int
s_lines(const char *text, const char *line)
{
    int n = 0;
    size_t len = strlen(line);
    for (const char *p = text; (p = strstr(p, line)); p += len)
        if ((p == text || p[-1] == '\n') && p[len] == '\n')
            n++;
    return n;
}

// The Prometheus text of three engines' STATUS (NULL: did not answer),
// at endpoints tcp://a:1, tcp://b:2 and tcp://c:3. Owned.
static char *
s_render(sr_value_t *const *st)
{
    const char *eps[] = {"tcp://a:1", "tcp://b:2", "tcp://c:3"};
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    gw_engine_metrics_render(out, 3, eps, st);
    assert_int_equal(fclose(out), 0);
    return text;
}

// Fail unless each of the `n` lines of `want` is in `text` once.
static void
s_expect_once(const char *text, const char *const *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s_lines(text, want[i]) != 1)
            fail_msg("not once: %s\nin:\n%s", want[i], text);
}

static void
replicated_engines_get_the_raft_families(void **state)
{
    (void)state;
    sr_value_t *st[] = {s_status(true), s_status(false), NULL};
    char *text = s_render(st);
    static const char *const want[] = {
        "sirocco_engine_up{engine=\"tcp://a:1\"} 1",
        "sirocco_engine_up{engine=\"tcp://c:3\"} 0",
        "sirocco_engine_worker_slots{engine=\"tcp://b:2\"} 4",
        "sirocco_engine_dispatch_ms{engine=\"tcp://b:2\",quantile=\"0.99\"} 9",
        "# TYPE sirocco_raft_elections_total counter",
        "sirocco_raft_elections_total{engine=\"tcp://a:1\"} 2",
        "# TYPE sirocco_raft_leader_changes_total counter",
        "sirocco_raft_leader_changes_total{engine=\"tcp://a:1\"} 1",
        "# TYPE sirocco_raft_commit_latency_seconds summary",
        "sirocco_raft_commit_latency_seconds{engine=\"tcp://a:1\","
        "quantile=\"0.5\"} 0.0015",
        "sirocco_raft_commit_latency_seconds{engine=\"tcp://a:1\","
        "quantile=\"0.99\"} 0.0040000000000000001",
        "sirocco_raft_commit_latency_seconds_sum{engine=\"tcp://a:1\"} "
        "0.012500000000000001",
        "sirocco_raft_commit_latency_seconds_count{engine=\"tcp://a:1\"} 7",
        "# TYPE sirocco_raft_follower_lag_entries gauge",
        "sirocco_raft_follower_lag_entries{engine=\"tcp://a:1\","
        "partition=\"0\",follower=\"e2\"} 0",
        "sirocco_raft_follower_lag_entries{engine=\"tcp://a:1\","
        "partition=\"0\",follower=\"we\\\"ird\"} 5",
        "# TYPE sirocco_raft_snapshots_sent_total counter",
        "sirocco_raft_snapshots_sent_total{engine=\"tcp://a:1\"} 1",
    };
    s_expect_once(text, want, sizeof want / sizeof *want);
    // Only the replicated engine's samples, and no follower's.
    int raft = 0;
    for (const char *p = text; (p = strstr(p, "\nsirocco_raft_")); p++)
        raft++;
    assert_int_equal(raft, 9);
    assert_null(strstr(text, "partition=\"1\""));
    assert_null(strstr(text, "sirocco_raft_elections_total{engine=\"tcp://b"));
    free(text);
    for (size_t i = 0; i < 3; i++)
        sr_value_destroy(&st[i]);
}

// The messages of each socket: 1, 2 (client), 3, 4 (worker), 5, 6 (peers).
static sr_value_t *
s_messages(void)
{
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_MESSAGES);
    sr_body_put_int(&b, SR_B_MESSAGES_client_received, 1);
    sr_body_put_int(&b, SR_B_MESSAGES_client_sent, 2);
    sr_body_put_int(&b, SR_B_MESSAGES_worker_received, 3);
    sr_body_put_int(&b, SR_B_MESSAGES_worker_sent, 4);
    sr_body_put_int(&b, SR_B_MESSAGES_peers_received, 5);
    sr_body_put_int(&b, SR_B_MESSAGES_peers_sent, 6);
    return sr_body_take(&b);
}

static void
engines_tell_their_cpu_memory_and_messages(void **state)
{
    (void)state;
    sr_value_t *st[] = {s_status(false), s_status(false), NULL};
    assert_int_equal(
        sr_body_set(st[0], SR_B_STATUS_cpu_us, sr_value_new_int(2500000)),
        SR_OK);
    assert_int_equal(
        sr_body_set(st[0], SR_B_STATUS_rss_bytes, sr_value_new_int(12345678)),
        SR_OK);
    assert_int_equal(sr_body_set(st[0], SR_B_STATUS_messages, s_messages()),
                     SR_OK);
    char *text = s_render(st);
    static const char *const want[] = {
        "# TYPE sirocco_engine_cpu_seconds_total counter",
        "sirocco_engine_cpu_seconds_total{engine=\"tcp://a:1\"} 2.5",
        "# TYPE sirocco_engine_resident_memory_bytes gauge",
        "sirocco_engine_resident_memory_bytes{engine=\"tcp://a:1\"} 12345678",
        "# TYPE sirocco_engine_messages_received_total counter",
        "sirocco_engine_messages_received_total{engine=\"tcp://a:1\","
        "socket=\"client\"} 1",
        "sirocco_engine_messages_received_total{engine=\"tcp://a:1\","
        "socket=\"worker\"} 3",
        "sirocco_engine_messages_received_total{engine=\"tcp://a:1\","
        "socket=\"peers\"} 5",
        "# TYPE sirocco_engine_messages_sent_total counter",
        "sirocco_engine_messages_sent_total{engine=\"tcp://a:1\","
        "socket=\"client\"} 2",
        "sirocco_engine_messages_sent_total{engine=\"tcp://a:1\","
        "socket=\"worker\"} 4",
        "sirocco_engine_messages_sent_total{engine=\"tcp://a:1\","
        "socket=\"peers\"} 6",
    };
    s_expect_once(text, want, sizeof want / sizeof *want);
    // The engine of an older protocol, and the silent one: no samples.
    assert_null(strstr(text, "cpu_seconds_total{engine=\"tcp://b"));
    assert_null(strstr(text, "memory_bytes{engine=\"tcp://b"));
    assert_null(strstr(text, "messages_sent_total{engine=\"tcp://b"));
    assert_null(strstr(text, "cpu_seconds_total{engine=\"tcp://c"));
    free(text);
    for (size_t i = 0; i < 3; i++)
        sr_value_destroy(&st[i]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(replicated_engines_get_the_raft_families),
        cmocka_unit_test(engines_tell_their_cpu_memory_and_messages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
