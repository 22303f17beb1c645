// STATUS: the node's figures, gathered from each object of the loop
// through its getters (see eng_view_status.h).
// Thread rule: the engine loop's thread.
#include "eng_view_status.h"

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

// Task ready -> GO sent, over the latest samples; ms resolution.
static sr_value_t *
s_dispatch(const eng_latency_t *lat)
{
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_DISPATCH);
    sr_body_put_float(&b, SR_B_DISPATCH_p50, eng_latency_percentile(lat, 50));
    sr_body_put_float(&b, SR_B_DISPATCH_p99, eng_latency_percentile(lat, 99));
    sr_body_put_int(&b, SR_B_DISPATCH_samples, (int64_t)eng_latency_count(lat));
    return sr_body_take(&b);
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
                s_dispatch(eng_workers_latency(src->workers)));
    if (!(*out = sr_body_take(&b)))
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    return SR_OK;
}
