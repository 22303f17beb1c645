// Reply bodies, read from committed state: an execution, its task
// executions, workflows of the catalog, the node's status. Field names
// follow Mistral's REST API where it has one (workflow_name, state_info,
// created_at ...), so clients of either read the same words.
#include <stdlib.h>
#include <string.h>

#include "eng_internal.h"
#include "eng_view_util.h"

static sr_value_t *
s_exec_body(const core_exec_t *e, bool full)
{
    sr_value_t *m = sr_value_new_map(14);
    sr_err_t rc = m ? SR_OK : SR_ENOMEM;
    if (!rc)
        rc = eng_vput(m, "id", eng_vid(&e->id));
    // Both Mistral's names and the client library's short ones.
    if (!rc)
        rc = eng_vput(m, "workflow_name", eng_vtext(e->wf_name));
    if (!rc)
        rc = eng_vput(m, "workflow", eng_vtext(e->wf_name));
    if (!rc)
        rc = eng_vput(m, "workflow_version", eng_vtext(e->def_hash));
    if (!rc)
        rc = eng_vput(m, "version", eng_vtext(e->def_hash));
    if (!rc)
        rc = eng_vput(m, "created_ms", sr_value_new_int(e->created_ms));
    if (!rc)
        rc = eng_vput(m, "updated_ms", sr_value_new_int(e->updated_ms));
    if (!rc)
        rc = eng_vput(m, "state", eng_vtext(core_ex_state_name(e->state)));
    if (!rc)
        rc = eng_vput(m, "state_info", eng_vtext(e->state_info));
    if (!rc && full)
        rc = eng_vput(m, "input", eng_vref(e->input));
    if (!rc && full)
        rc = eng_vput(m, "output", eng_vref(e->output));
    if (!rc && full)
        rc = eng_vput(m, "params", eng_vref(e->params));
    if (!rc && full)
        rc = eng_vput(m, "description", eng_vtext(e->description));
    if (!rc && !sr_id_is_nil(&e->parent_id))
        rc = eng_vput(m, "parent_id", eng_vid(&e->parent_id));
    if (!rc)
        rc = eng_vput(m, "task_count", sr_value_new_int(e->n_tasks));
    if (!rc)
        rc = eng_vput(m, "created_at", eng_vtime(e->created_ms));
    if (!rc)
        rc = eng_vput(m, "updated_at", eng_vtime(e->updated_ms));
    if (rc)
        sr_value_destroy(&m);
    return m;
}

sr_err_t
eng_view_exec(eng_t *eng, const sr_id_t *id, sr_value_t **out, sr_error_t *err)
{
    store_txn_t *txn = NULL;
    sr_err_t rc = eng_vreader(eng, id, "execution_id", &txn, err);
    if (rc)
        return rc;
    sr_value_t *v = NULL;
    core_exec_t *e = NULL;
    rc = store_get(txn, STORE_DB_EXEC, id->b, 16, &v, err);
    store_txn_abort(&txn);
    if (rc == SR_ENOTFOUND) {
        char t[SR_ID_TEXT_SIZE];
        return sr_error_set(err, SR_ENOTFOUND, "execution %s not found",
                            sr_id_format(id, t));
    }
    if (!rc)
        rc = core_exec_from_value(v, &e, err);
    sr_value_destroy(&v);
    if (rc)
        return rc;
    *out = s_exec_body(e, true);
    core_exec_destroy(&e);
    return *out ? SR_OK : sr_error_set(err, SR_ENOMEM, "out of memory");
}

typedef struct {
    sr_value_t *list;
    const char *state, *workflow;
    sr_error_t *err;
} s_list_t;

static sr_err_t
s_exec_visit(void *arg, const void *key, size_t klen, const void *val,
             size_t vlen)
{
    (void)key;
    s_list_t *l = arg;
    if (klen != 16)
        return SR_OK;
    sr_value_t *v = NULL;
    core_exec_t *e = NULL;
    sr_err_t rc = eng_vdecode(val, vlen, &v, l->err);
    if (!rc)
        rc = core_exec_from_value(v, &e, l->err);
    sr_value_destroy(&v);
    if (rc)
        return rc;
    bool keep =
        sr_id_is_nil(&e->parent_id) &&
        (!l->state || strcmp(core_ex_state_name(e->state), l->state) == 0) &&
        (!l->workflow || strcmp(e->wf_name, l->workflow) == 0);
    if (keep)
        rc = sr_value_array_append(l->list, s_exec_body(e, false));
    core_exec_destroy(&e);
    return rc;
}

// List order: the creation time inside the id, then the id's bytes.
static int
s_id_order(const sr_id_t *a, const sr_id_t *b)
{
    int c = memcmp(a->b + 2, b->b + 2, 6);
    return c ? c : memcmp(a->b, b->b, 16);
}

static int
s_cmp_exec(const void *x, const void *y)
{
    sr_id_t a = {{0}}, b = {{0}};
    sr_id_from_value(sr_value_map_get(*(sr_value_t *const *)x, "id"), &a);
    sr_id_from_value(sr_value_map_get(*(sr_value_t *const *)y, "id"), &b);
    return s_id_order(&a, &b);
}

// Sort, then keep `limit` entries strictly after `after`.
static sr_value_t *
s_page(const sr_value_t *all, const sr_id_t *after, int64_t limit)
{
    size_t n = sr_value_len(all);
    sr_value_t **items = malloc((n + 1) * sizeof *items);
    sr_value_t *page = sr_value_new_array(16);
    for (size_t i = 0; items && i < n; i++)
        items[i] = sr_value_array_at(all, i);
    if (items)
        qsort(items, n, sizeof *items, s_cmp_exec);
    for (size_t i = 0; items && page && i < n; i++) {
        sr_id_t id = {{0}};
        sr_id_from_value(sr_value_map_get(items[i], "id"), &id);
        if (after && s_id_order(&id, after) <= 0)
            continue;
        if ((int64_t)sr_value_len(page) >= limit)
            break;
        if (sr_value_array_append(page, sr_value_ref(items[i])))
            sr_value_destroy(&page);
    }
    if (!items)
        sr_value_destroy(&page);
    free(items);
    return page;
}

sr_err_t
eng_view_exec_list(eng_t *eng, const sr_msg_t *req, sr_value_t **out,
                   sr_error_t *err)
{
    s_list_t l = {.list = sr_value_new_array(16),
                  .state = sr_msg_str(req, SR_F_EX_LIST_state),
                  .workflow = sr_msg_str(req, SR_F_EX_LIST_workflow),
                  .err = err};
    sr_id_t after;
    bool has_after = sr_msg_id(req, SR_F_EX_LIST_after, &after);
    int64_t limit = sr_msg_int(req, SR_F_EX_LIST_limit, 1000);
    sr_err_t rc = l.list ? SR_OK : SR_ENOMEM;
    for (size_t i = 0; !rc && i < eng->nparts; i++) {
        store_txn_t *txn = NULL;
        if ((rc = store_txn_begin(eng->parts[i].store, false, &txn, err)))
            break;
        rc = store_scan(txn, STORE_DB_EXEC, NULL, 0, NULL, 0, s_exec_visit, &l,
                        err);
        store_txn_abort(&txn);
    }
    sr_value_t *page =
        rc ? NULL : s_page(l.list, has_after ? &after : NULL, limit);
    sr_value_destroy(&l.list);
    if (!page)
        return rc ? rc : sr_error_set(err, SR_ENOMEM, "out of memory");
    *out = page;
    return SR_OK;
}

sr_value_t *
eng_view_task_body(const core_task_t *t)
{
    sr_value_t *m = sr_value_new_map(12);
    sr_err_t rc = m ? SR_OK : SR_ENOMEM;
    if (!rc)
        rc = eng_vput(m, "id", eng_vid(&t->id));
    if (!rc)
        rc = eng_vput(m, "name", eng_vtext(t->name));
    if (!rc)
        rc = eng_vput(m, "execution_id", eng_vid(&t->exec_id));
    if (!rc)
        rc = eng_vput(m, "state", eng_vtext(core_task_state_name(t->state)));
    if (!rc)
        rc = eng_vput(m, "state_info", eng_vtext(t->state_info));
    if (!rc)
        rc = eng_vput(m, "published", eng_vref(t->published));
    if (!rc)
        rc = eng_vput(m, "result", t->result ? sr_value_ref(t->result) : NULL);
    if (!rc)
        rc = eng_vput(m, "created_at", eng_vtime(t->created_ms));
    if (!rc)
        rc = eng_vput(m, "updated_at", eng_vtime(t->updated_ms));
    if (!rc) // since 1.2
        rc = eng_vput(m, "started_at",
                      t->started_ms ? eng_vtime(t->started_ms) : NULL);
    if (!rc)
        rc = eng_vput(m, "finished_at",
                      t->finished_ms ? eng_vtime(t->finished_ms) : NULL);
    if (rc)
        sr_value_destroy(&m);
    return m;
}

static sr_err_t
s_task_visit(void *arg, const void *key, size_t klen, const void *val,
             size_t vlen)
{
    (void)key;
    (void)klen;
    s_list_t *l = arg;
    sr_value_t *v = NULL;
    core_task_t *t = NULL;
    sr_err_t rc = eng_vdecode(val, vlen, &v, l->err);
    if (!rc)
        rc = core_task_from_value(v, &t, l->err);
    sr_value_destroy(&v);
    if (!rc)
        rc = sr_value_array_append(l->list, eng_view_task_body(t));
    core_task_destroy(&t);
    return rc;
}

sr_err_t
eng_view_tasks(eng_t *eng, const sr_id_t *id, sr_value_t **out, sr_error_t *err)
{
    sr_value_t *probe = NULL;
    sr_err_t rc = eng_view_exec(eng, id, &probe, err);
    sr_value_destroy(&probe);
    if (rc)
        return rc;
    store_txn_t *txn = NULL;
    if ((rc = eng_vreader(eng, id, "execution_id", &txn, err)))
        return rc;
    s_list_t l = {.list = sr_value_new_array(8), .err = err};
    rc = l.list ? store_scan(txn, STORE_DB_TASK, id->b, 16, NULL, 0,
                             s_task_visit, &l, err)
                : SR_ENOMEM;
    store_txn_abort(&txn);
    if (rc) {
        sr_value_destroy(&l.list);
        return rc == SR_ENOMEM ? sr_error_set(err, rc, "out of memory") : rc;
    }
    *out = l.list;
    return SR_OK;
}

sr_err_t
eng_view_workflow(eng_t *eng, const char *name, sr_value_t **out,
                  sr_error_t *err)
{
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(eng->parts[0].store, false, &txn, err);
    if (rc)
        return rc;
    char hash[65];
    char *text = NULL;
    size_t len = 0;
    rc = store_def_for_name(txn, name, hash, err);
    if (!rc)
        rc = store_def_text(txn, hash, &text, &len, err);
    store_txn_abort(&txn);
    if (rc == SR_ENOTFOUND) {
        sr_error_set(err, SR_ENOTFOUND, "workflow '%s' not found", name);
        snprintf(err->where, sizeof err->where, "field 'name'");
    }
    if (rc)
        return rc;
    sr_value_t *m = sr_value_new_map(3);
    rc = m ? SR_OK : SR_ENOMEM;
    if (!rc)
        rc = eng_vput(m, "name", eng_vtext(name));
    if (!rc)
        rc = eng_vput(m, "version", eng_vtext(hash));
    if (!rc)
        rc = eng_vput(m, "definition", sr_value_new_strn(text, len));
    free(text);
    if (rc) {
        sr_value_destroy(&m);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    *out = m;
    return SR_OK;
}

static sr_err_t
s_name_visit(void *arg, const char *name, size_t len, const char *hash)
{
    s_list_t *l = arg;
    sr_value_t *m = sr_value_new_map(2);
    sr_err_t rc = m ? SR_OK : SR_ENOMEM;
    if (!rc)
        rc = eng_vput(m, "name", sr_value_new_strn(name, len));
    if (!rc)
        rc = eng_vput(m, "version", sr_value_new_strn(hash, 64));
    if (rc)
        sr_value_destroy(&m);
    return rc ? rc : sr_value_array_append(l->list, m);
}

sr_err_t
eng_view_workflow_list(eng_t *eng, sr_value_t **out, sr_error_t *err)
{
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(eng->parts[0].store, false, &txn, err);
    if (rc)
        return rc;
    s_list_t l = {.list = sr_value_new_array(8), .err = err};
    rc = l.list ? store_def_names(txn, s_name_visit, &l, err) : SR_ENOMEM;
    store_txn_abort(&txn);
    if (rc) {
        sr_value_destroy(&l.list);
        return rc == SR_ENOMEM ? sr_error_set(err, rc, "out of memory") : rc;
    }
    *out = l.list;
    return SR_OK;
}

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
s_peer_member(const eng_t *eng, size_t i, int64_t now)
{
    const eng_peer_config_t *pc = &eng->cfg.peers[i];
    sr_value_t *m = s_member(pc->name, pc->client, pc->worker, pc->partitions,
                             pc->npartitions);
    if (m && i < eng->npeers &&
        (eng_vput(m, "state", eng_vtext(eng_peer_state(eng, i))) ||
         eng_vput(m, "silent_ms",
                  sr_value_new_int(eng_peer_silent_ms(eng, i, now)))))
        sr_value_destroy(&m);
    return m;
}

// Every engine of the cluster (this one first) with its partitions, so
// that a client knowing one engine learns the map, and how this engine
// sees its peers.
static sr_value_t *
s_cluster(const eng_t *eng)
{
    sr_value_t *list = sr_value_new_array(eng->cfg.npeers + 1);
    uint16_t mine[ENG_MAX_PARTITIONS];
    for (size_t i = 0; i < eng->nparts; i++)
        mine[i] = eng->parts[i].number;
    const eng_config_t *c = &eng->cfg;
    if (list &&
        sr_value_array_append(
            list,
            s_member(eng->name,
                     c->advertise_client ? c->advertise_client : eng->client_ep,
                     c->advertise_worker ? c->advertise_worker : eng->worker_ep,
                     mine, eng->nparts)))
        sr_value_destroy(&list);
    int64_t now = eng_now_ms();
    for (size_t i = 0; list && i < c->npeers; i++)
        if (sr_value_array_append(list, s_peer_member(eng, i, now)))
            sr_value_destroy(&list);
    return list;
}

sr_err_t
eng_view_status(eng_t *eng, sr_value_t **out, sr_error_t *err)
{
    sr_value_t *m = sr_value_new_map(8);
    sr_value_t *parts = sr_value_new_array(eng->nparts);
    sr_value_t *workers = sr_value_new_array(eng->nworkers);
    sr_value_t *epochs = sr_value_new_array(eng->nparts);
    for (size_t i = 0; parts && epochs && i < eng->nparts; i++)
        if (sr_value_array_append(parts,
                                  sr_value_new_int(eng->parts[i].number)) ||
            sr_value_array_append(
                epochs, sr_value_new_int((int64_t)eng->parts[i].epoch)))
            sr_value_destroy(&parts);
    for (size_t i = 0; workers && i < eng->nworkers; i++) {
        const eng_worker_t *w = &eng->workers[i];
        sr_value_t *p = sr_value_new_map(3);
        if (!p || eng_vput(p, "name", eng_vtext(w->name)) ||
            eng_vput(p, "slots", sr_value_new_int(w->slots)) ||
            eng_vput(p, "used", sr_value_new_int(w->used)) ||
            sr_value_array_append(workers, p))
            sr_value_destroy(&workers);
    }
    sr_err_t rc = m && parts && workers ? SR_OK : SR_ENOMEM;
    if (!rc)
        rc = eng_vput(m, "node", eng_vtext(eng->name));
    if (!rc)
        rc = eng_vput(m, "client_endpoint", eng_vtext(eng->client_ep));
    if (!rc)
        rc = eng_vput(m, "partitions", sr_value_ref(parts));
    if (!rc)
        rc = eng_vput(m, "epochs", epochs ? sr_value_ref(epochs) : NULL);
    if (!rc)
        rc = eng_vput(m, "name", eng_vtext(eng->name));
    if (!rc)
        rc = eng_vput(m, "cluster", s_cluster(eng));
    if (!rc)
        rc = eng_vput(m, "workers", sr_value_ref(workers));
    if (!rc)
        rc = eng_vput(m, "queued", sr_value_new_int((int64_t)eng->nqueue));
    if (!rc)
        rc = eng_vput(m, "batches",
                      sr_value_new_int((int64_t)eng_batch_batches(eng->batch)));
    if (!rc)
        rc = eng_vput(m, "events",
                      sr_value_new_int((int64_t)eng_batch_events(eng->batch)));
    if (!rc) // TASKs refused by a worker or not confirmed, offered again
        rc =
            eng_vput(m, "reoffered", sr_value_new_int((int64_t)eng->reoffered));
    if (!rc) // deleted by the expiration policy (expire-after-s)
        rc = eng_vput(m, "expired", sr_value_new_int((int64_t)eng->expired));
    if (!rc && eng->auth) // CurveZMQ connections refused so far
        rc = eng_vput(
            m, "curve_refusals",
            sr_value_new_int((int64_t)sr_curve_auth_refusals(eng->auth)));
    // Task ready -> GO sent, over the latest samples; ms resolution.
    sr_value_t *lat = sr_value_new_map(3);
    if (!rc && lat &&
        !(rc = eng_vput(lat, "p50",
                        sr_value_new_float(eng_work_latency(eng, 50)))) &&
        !(rc = eng_vput(lat, "p99",
                        sr_value_new_float(eng_work_latency(eng, 99)))))
        rc = eng_vput(lat, "samples", sr_value_new_int((int64_t)eng->nlat));
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
