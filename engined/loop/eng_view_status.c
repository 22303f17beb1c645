// STATUS: the node's figures, gathered from each object of the loop
// through its getters (see eng_view_status.h).
// Thread rule: the engine loop's thread.
#include "eng_view_status.h"

#include "eng_clock.h"
#include "eng_view_util.h"

static sr_value_t *
s_member(const char *name, const char *client, const char *worker,
         const uint16_t *parts, size_t nparts)
{
    sr_value_t *m = sr_value_new_map(4);
    sr_value_t *p = sr_value_new_array(nparts);
    for (size_t i = 0; p && i < nparts; i++)
        if (sr_value_array_append(p, sr_value_new_int(parts[i])))
            sr_value_destroy(&p);
    if (!m || !p || eng_vput(m, "name", eng_vtext(name)) ||
        eng_vput(m, "client", eng_vtext(client)) ||
        eng_vput(m, "worker", eng_vtext(worker)) ||
        eng_vput(m, "partitions", sr_value_ref(p)))
        sr_value_destroy(&m);
    sr_value_destroy(&p);
    return m;
}

// A peer's state as this engine sees it: up, down or unknown, and how
// long it has been silent.
static sr_value_t *
s_peer_member(const eng_view_status_src_t *src, size_t i, int64_t now)
{
    const eng_peer_config_t *pc = &src->cfg->peers[i];
    sr_value_t *m = s_member(pc->name, pc->client, pc->worker, pc->partitions,
                             pc->npartitions);
    if (m && i < eng_peers_count(src->peers) &&
        (eng_vput(m, "state", eng_vtext(eng_peers_state(src->peers, i))) ||
         eng_vput(m, "silent_ms",
                  sr_value_new_int(eng_peers_silent_ms(src->peers, i, now)))))
        sr_value_destroy(&m);
    return m;
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
    if (list && sr_value_array_append(
                    list, s_member(c->name,
                                   c->advertise_client ? c->advertise_client
                                                       : c->client_endpoint,
                                   c->advertise_worker ? c->advertise_worker
                                                       : c->worker_endpoint,
                                   mine, eng_parts_count(src->parts))))
        sr_value_destroy(&list);
    int64_t now = eng_now_ms();
    for (size_t i = 0; list && i < c->npeers; i++)
        if (sr_value_array_append(list, s_peer_member(src, i, now)))
            sr_value_destroy(&list);
    return list;
}

sr_err_t
eng_view_status(const eng_view_status_src_t *src, sr_value_t **out,
                sr_error_t *err)
{
    sr_value_t *m = sr_value_new_map(8);
    size_t nparts = eng_parts_count(src->parts);
    sr_value_t *parts = sr_value_new_array(nparts);
    size_t nworkers = eng_workers_count(src->workers);
    sr_value_t *workers = sr_value_new_array(nworkers);
    sr_value_t *epochs = sr_value_new_array(nparts);
    for (size_t i = 0; parts && epochs && i < nparts; i++)
        if (sr_value_array_append(
                parts, sr_value_new_int(eng_parts_number(src->parts, i))) ||
            sr_value_array_append(
                epochs,
                sr_value_new_int((int64_t)eng_parts_epoch(src->parts, i))))
            sr_value_destroy(&parts);
    for (size_t i = 0; workers && i < nworkers; i++) {
        eng_worker_info_t w = eng_workers_info(src->workers, i);
        sr_value_t *p = sr_value_new_map(3);
        if (!p || eng_vput(p, "name", eng_vtext(w.name)) ||
            eng_vput(p, "slots", sr_value_new_int(w.slots)) ||
            eng_vput(p, "used", sr_value_new_int(w.used)) ||
            sr_value_array_append(workers, p))
            sr_value_destroy(&workers);
    }
    sr_err_t rc = m && parts && workers ? SR_OK : SR_ENOMEM;
    if (!rc)
        rc = eng_vput(m, "node", eng_vtext(src->cfg->name));
    if (!rc)
        rc = eng_vput(m, "client_endpoint",
                      eng_vtext(src->cfg->client_endpoint));
    if (!rc)
        rc = eng_vput(m, "partitions", sr_value_ref(parts));
    if (!rc)
        rc = eng_vput(m, "epochs", epochs ? sr_value_ref(epochs) : NULL);
    if (!rc)
        rc = eng_vput(m, "name", eng_vtext(src->cfg->name));
    if (!rc)
        rc = eng_vput(m, "cluster", s_cluster(src));
    if (!rc)
        rc = eng_vput(m, "workers", sr_value_ref(workers));
    if (!rc)
        rc = eng_vput(
            m, "queued",
            sr_value_new_int((int64_t)eng_dispatch_count(src->dispatch)));
    if (!rc)
        rc = eng_vput(m, "batches",
                      sr_value_new_int((int64_t)eng_batch_batches(src->batch)));
    if (!rc)
        rc = eng_vput(m, "events",
                      sr_value_new_int((int64_t)eng_batch_events(src->batch)));
    if (!rc) // TASKs refused by a worker or not confirmed, offered again
        rc = eng_vput(
            m, "reoffered",
            sr_value_new_int((int64_t)eng_workers_reoffered(src->workers)));
    if (!rc) // deleted by the expiration policy (expire-after-s)
        rc = eng_vput(m, "expired",
                      sr_value_new_int((int64_t)eng_expire_count(src->expire)));
    if (!rc && src->auth) // CurveZMQ connections refused so far
        rc = eng_vput(
            m, "curve_refusals",
            sr_value_new_int((int64_t)sr_curve_auth_refusals(src->auth)));
    // Task ready -> GO sent, over the latest samples; ms resolution.
    sr_value_t *lat = sr_value_new_map(3);
    if (!rc && lat &&
        !(rc = eng_vput(lat, "p50",
                        sr_value_new_float(eng_latency_percentile(
                            eng_workers_latency(src->workers), 50)))) &&
        !(rc = eng_vput(lat, "p99",
                        sr_value_new_float(eng_latency_percentile(
                            eng_workers_latency(src->workers), 99)))))
        rc = eng_vput(lat, "samples",
                      sr_value_new_int((int64_t)eng_latency_count(
                          eng_workers_latency(src->workers))));
    if (!rc)
        rc = eng_vput(m, "dispatch_ms", lat ? sr_value_ref(lat) : NULL);
    sr_value_destroy(&lat);
    sr_value_destroy(&parts);
    sr_value_destroy(&epochs);
    sr_value_destroy(&workers);
    if (rc) {
        sr_value_destroy(&m);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    *out = m;
    return SR_OK;
}
