// STATUS: the node's figures, gathered from each object of the loop
// through its getters (see eng_view_status.h).
// Thread rule: the engine loop's thread.
#include "eng_view_status.h"

#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "eng_clock.h"
#include "sr_body.h"

// Start the STATUS entry of an engine of the cluster in `b`.
static void
s_member(sr_body_t *b, const char *name, const char *client, const char *worker,
         const uint16_t *parts, size_t nparts)
{
    sr_value_t *p = sr_value_new_array(nparts);
    for (size_t i = 0; p && i < nparts; i++)
        if (sr_value_array_append(p, sr_value_new_int(parts[i])))
            sr_value_destroy(&p);
    sr_body_init(b, SR_SHAPE_MEMBER);
    sr_body_put_str(b, SR_B_MEMBER_name, name);
    sr_body_put_str(b, SR_B_MEMBER_client, client);
    sr_body_put_str(b, SR_B_MEMBER_worker, worker);
    sr_body_put(b, SR_B_MEMBER_partitions, p);
}

// A peer's state as this engine sees it: up, down or unknown, and how
// long it has been silent.
static sr_value_t *
s_peer_member(const eng_view_status_src_t *src, size_t i, int64_t now)
{
    const eng_peer_config_t *pc = &src->cfg->peers[i];
    sr_body_t b;
    s_member(&b, pc->name, pc->client, pc->worker, pc->partitions,
             pc->npartitions);
    if (i < eng_peers_count(src->peers)) {
        sr_body_put_str(&b, SR_B_MEMBER_state, eng_peers_state(src->peers, i));
        sr_body_put_int(&b, SR_B_MEMBER_silent_ms,
                        eng_peers_silent_ms(src->peers, i, now));
    }
    return sr_body_take(&b);
}

// Every engine of the cluster (this one first) with its partitions, so
// that a client knowing one engine learns the map, and how this engine
// sees its peers.
static sr_value_t *
s_cluster(const eng_view_status_src_t *src)
{
    sr_value_t *list = sr_value_new_array(src->cfg->npeers + 1);
    uint16_t mine[ENG_MAX_PARTITIONS];
    for (size_t i = 0; i < eng_parts_count(src->parts); i++)
        mine[i] = eng_parts_number(src->parts, i);
    const eng_config_t *c = src->cfg;
    sr_body_t self;
    s_member(&self, c->name,
             c->advertise_client ? c->advertise_client : c->client_endpoint,
             c->advertise_worker ? c->advertise_worker : c->worker_endpoint,
             mine, eng_parts_count(src->parts));
    if (list && sr_value_array_append(list, sr_body_take(&self)))
        sr_value_destroy(&list);
    int64_t now = eng_now_ms();
    for (size_t i = 0; list && i < c->npeers; i++)
        if (!c->peers[i].removed && // a newer map left it out
            sr_value_array_append(list, s_peer_member(src, i, now)))
            sr_value_destroy(&list);
    return list;
}

static sr_value_t *
s_workers(const eng_workers_t *workers)
{
    size_t n = eng_workers_count(workers);
    sr_value_t *list = sr_value_new_array(n);
    for (size_t i = 0; list && i < n; i++) {
        eng_worker_info_t w = eng_workers_info(workers, i);
        sr_body_t b;
        sr_body_init(&b, SR_SHAPE_WORKER);
        sr_body_put_str(&b, SR_B_WORKER_name, w.name);
        sr_body_put_int(&b, SR_B_WORKER_slots, w.slots);
        sr_body_put_int(&b, SR_B_WORKER_used, w.used);
        if (sr_value_array_append(list, sr_body_take(&b)))
            sr_value_destroy(&list);
    }
    return list;
}

// A latency over the latest samples (dispatch, Raft commits).
static sr_value_t *
s_latency(const eng_latency_t *lat)
{
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_LATENCY);
    sr_body_put_float(&b, SR_B_LATENCY_p50, eng_latency_percentile(lat, 50));
    sr_body_put_float(&b, SR_B_LATENCY_p99, eng_latency_percentile(lat, 99));
    sr_body_put_int(&b, SR_B_LATENCY_samples, (int64_t)eng_latency_count(lat));
    sr_body_put_float(&b, SR_B_LATENCY_sum, eng_latency_sum(lat));
    return sr_body_take(&b);
}

// Copy k's replicas (names), their roles and, when this engine leads
// it, each other replica's lag.
static void
s_group_replicas(const eng_repl_t *repl, size_t k, size_t n, sr_body_t *b)
{
    sr_value_t *names = sr_value_new_array(n);
    sr_value_t *roles = sr_value_new_map(n);
    sr_value_t *lag = NULL;
    for (size_t i = 0; names && roles && i < n; i++) {
        eng_repl_replica_t r;
        eng_repl_replica(repl, k, i, &r);
        if ((r.has_lag && !lag && !(lag = sr_value_new_map(n))) ||
            sr_value_array_append(names, sr_value_new_str(r.name)) ||
            sr_value_map_put(roles, r.name, sr_value_new_str(r.role)) ||
            (r.has_lag &&
             sr_value_map_put(lag, r.name, sr_value_new_int((int64_t)r.lag))))
            sr_value_destroy(&names);
    }
    sr_body_put(b, SR_B_RAFT_GROUP_replicas, names);
    sr_body_put(b, SR_B_RAFT_GROUP_roles, roles);
    if (lag)
        sr_body_put(b, SR_B_RAFT_GROUP_lag, lag);
}

static sr_value_t *
s_group(const eng_repl_t *repl, size_t k)
{
    eng_repl_copy_t c;
    eng_repl_copy(repl, k, &c);
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_RAFT_GROUP);
    sr_body_put_int(&b, SR_B_RAFT_GROUP_partition, c.partition);
    sr_body_put_str(&b, SR_B_RAFT_GROUP_state, c.state);
    sr_body_put_int(&b, SR_B_RAFT_GROUP_term, (int64_t)c.term);
    if (c.leader)
        sr_body_put_str(&b, SR_B_RAFT_GROUP_leader, c.leader);
    sr_body_put_int(&b, SR_B_RAFT_GROUP_commit, (int64_t)c.commit);
    sr_body_put_int(&b, SR_B_RAFT_GROUP_applied, (int64_t)c.applied);
    sr_body_put_int(&b, SR_B_RAFT_GROUP_last_index, (int64_t)c.last_index);
    s_group_replicas(repl, k, c.nreplicas, &b);
    if (c.error[0])
        sr_body_put_str(&b, SR_B_RAFT_GROUP_error, c.error);
    return sr_body_take(&b);
}

// The Raft group of each copy, and the counters.
static sr_value_t *
s_raft(const eng_repl_t *repl)
{
    size_t n = eng_repl_copies(repl);
    sr_value_t *groups = sr_value_new_array(n);
    for (size_t k = 0; groups && k < n; k++)
        if (sr_value_array_append(groups, s_group(repl, k)))
            sr_value_destroy(&groups);
    eng_repl_stats_t st;
    eng_repl_stats(repl, &st);
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_REPLICATION);
    sr_body_put(&b, SR_B_REPLICATION_groups, groups);
    sr_body_put_int(&b, SR_B_REPLICATION_elected, (int64_t)st.elected);
    sr_body_put_int(&b, SR_B_REPLICATION_deposed, (int64_t)st.deposed);
    sr_body_put_int(&b, SR_B_REPLICATION_committed, (int64_t)st.committed);
    sr_body_put_int(&b, SR_B_REPLICATION_failed, (int64_t)st.failed);
    sr_body_put_int(&b, SR_B_REPLICATION_refused, (int64_t)st.refused);
    sr_body_put_int(&b, SR_B_REPLICATION_snapshots_sent,
                    (int64_t)st.snapshots_sent);
    sr_body_put(&b, SR_B_REPLICATION_commit_ms,
                s_latency(eng_repl_commit_latency(repl)));
    return sr_body_take(&b);
}

// The messages of each socket since the start.
static sr_value_t *
s_messages(const eng_view_status_src_t *src)
{
    static const sr_wire_count_t none = {0};
    const sr_wire_count_t *c = src->client_count ? src->client_count : &none;
    const sr_wire_count_t *w = src->worker_count ? src->worker_count : &none;
    const sr_wire_count_t *p = src->peers_count ? src->peers_count : &none;
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_MESSAGES);
    sr_body_put_int(&b, SR_B_MESSAGES_client_received, (int64_t)c->received);
    sr_body_put_int(&b, SR_B_MESSAGES_client_sent, (int64_t)c->sent);
    sr_body_put_int(&b, SR_B_MESSAGES_worker_received, (int64_t)w->received);
    sr_body_put_int(&b, SR_B_MESSAGES_worker_sent, (int64_t)w->sent);
    sr_body_put_int(&b, SR_B_MESSAGES_peers_received, (int64_t)p->received);
    sr_body_put_int(&b, SR_B_MESSAGES_peers_sent, (int64_t)p->sent);
    return sr_body_take(&b);
}

// The process's resident memory in bytes (Linux: /proc/self/statm), or
// -1 where the system does not tell it.
static int64_t
s_rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long long size = 0, resident = -1;
    if (f && fscanf(f, "%lld %lld", &size, &resident) != 2)
        resident = -1;
    if (f)
        fclose(f);
    long page = sysconf(_SC_PAGESIZE);
    return resident >= 0 && page > 0 ? (int64_t)resident * page : -1;
}

// The process's CPU time (user and system) and resident memory.
static void
s_process(sr_body_t *b)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        sr_body_put_int(
            b, SR_B_STATUS_cpu_us,
            (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
                (int64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec));
    int64_t rss = s_rss_bytes();
    if (rss >= 0)
        sr_body_put_int(b, SR_B_STATUS_rss_bytes, rss);
}

sr_err_t
eng_view_status(const eng_view_status_src_t *src, sr_value_t **out,
                sr_error_t *err)
{
    size_t nparts = eng_parts_count(src->parts);
    sr_value_t *parts = sr_value_new_array(nparts);
    sr_value_t *epochs = sr_value_new_array(nparts);
    for (size_t i = 0; parts && epochs && i < nparts; i++)
        if (sr_value_array_append(
                parts, sr_value_new_int(eng_parts_number(src->parts, i))) ||
            sr_value_array_append(
                epochs,
                sr_value_new_int((int64_t)eng_parts_epoch(src->parts, i))))
            sr_value_destroy(&parts);
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_STATUS);
    sr_body_put_str(&b, SR_B_STATUS_node, src->cfg->name);
    sr_body_put_str(&b, SR_B_STATUS_client_endpoint, src->cfg->client_endpoint);
    sr_body_put(&b, SR_B_STATUS_partitions, parts);
    sr_body_put(&b, SR_B_STATUS_epochs, epochs);
    sr_body_put_str(&b, SR_B_STATUS_name, src->cfg->name);
    sr_body_put(&b, SR_B_STATUS_cluster, s_cluster(src));
    sr_body_put(&b, SR_B_STATUS_workers, s_workers(src->workers));
    sr_body_put_int(&b, SR_B_STATUS_queued,
                    (int64_t)eng_dispatch_count(src->dispatch));
    sr_body_put_int(&b, SR_B_STATUS_batches,
                    (int64_t)eng_batch_batches(src->batch));
    sr_body_put_int(&b, SR_B_STATUS_events,
                    (int64_t)eng_batch_events(src->batch));
    // TASKs refused by a worker or not confirmed, offered again
    sr_body_put_int(&b, SR_B_STATUS_reoffered,
                    (int64_t)eng_workers_reoffered(src->workers));
    // deleted by the expiration policy (expire-after-s)
    sr_body_put_int(&b, SR_B_STATUS_expired,
                    (int64_t)eng_expire_count(src->expire));
    if (src->auth) // CurveZMQ connections refused so far
        sr_body_put_int(&b, SR_B_STATUS_curve_refusals,
                        (int64_t)sr_curve_auth_refusals(src->auth));
    sr_body_put(&b, SR_B_STATUS_dispatch_ms,
                s_latency(eng_workers_latency(src->workers)));
    if (src->repl)
        sr_body_put(&b, SR_B_STATUS_raft, s_raft(src->repl));
    s_process(&b);
    sr_body_put(&b, SR_B_STATUS_messages, s_messages(src));
    if (!(*out = sr_body_take(&b)))
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    return SR_OK;
}
