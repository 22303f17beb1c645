// The in-process driver's engine side: one write transaction per event,
// commands after the commit, the virtual clock kept in the partition, and
// reading records back for tests. The inline worker is sim_worker.c.
#include "sim_internal.h"

#include <stdlib.h>
#include <string.h>

#include "lang_doc.h"
#include "sr_value_msgpack.h"
#include "store_docs.h"
#include "store_state.h"

#define S_CLOCK_BASE 1800000000000LL // 2027-01-15: deterministic runs
#define S_CLOCK_KEY  "sim.now"

sr_err_t
sim_decode(const void *data, size_t len, sr_value_t **out, sr_error_t *err)
{
    sr_limits_t lim = {.max_bytes = (size_t)1 << 31, .max_depth = 256};
    return sr_value_decode(data, len, &lim, out, err);
}

static sr_err_t
s_load_clock(sim_t *sim, sr_error_t *err)
{
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(sim->part, false, &txn, err);
    if (rc)
        return rc;
    const void *data = NULL;
    size_t len = 0;
    rc = store_get_raw(txn, STORE_DB_META, S_CLOCK_KEY, strlen(S_CLOCK_KEY),
                       &data, &len, err);
    sim->now = S_CLOCK_BASE;
    if (rc == SR_OK && len == 8)
        sim->now = store_key_get_ms(data);
    store_txn_abort(&txn);
    return rc == SR_ENOTFOUND || rc == SR_OK ? SR_OK : rc;
}

sr_err_t
sim_open(const char *dir, store_durability_t durability,
         const sim_runner_t *runner, sim_t **out, sr_error_t *err)
{
    if (!runner || !runner->run)
        return sr_error_set(err, SR_EINVAL, "a sim needs an action runner");
    sim_t *sim = calloc(1, sizeof *sim);
    if (!sim)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    store_opts_t opts = {.durability = durability,
                         .map_bytes = (size_t)1 << 30};
    core_config_t cfg = {.max_depth = 16};
    sim->runner = *runner;
    sr_err_t rc = store_part_open(dir, 0, &opts, &sim->part, err);
    if (!rc && !(sim->docs = store_docs_new(64)))
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    if (!rc && !(sim->core = core_new(&cfg)))
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    if (!rc)
        rc = s_load_clock(sim, err);
    core_cmds_init(&sim->cmds);
    if (!rc)
        rc = sim_worker_recover(sim, err);
    if (rc) {
        sim_close(&sim);
        return rc;
    }
    *out = sim;
    return SR_OK;
}

void
sim_close(sim_t **sim_p)
{
    sim_t *sim = *sim_p;
    if (!sim)
        return;
    sim_worker_fini(sim);
    core_cmds_fini(&sim->cmds);
    core_destroy(&sim->core);
    store_docs_destroy(&sim->docs);
    store_part_close(&sim->part);
    free(sim);
    *sim_p = NULL;
}

int64_t
sim_now(const sim_t *sim)
{
    return sim->now;
}

store_part_t *
sim_store(sim_t *sim)
{
    return sim->part;
}

size_t
sim_events(const sim_t *sim)
{
    return sim->events;
}

const core_cmds_t *
sim_last_cmds(const sim_t *sim)
{
    return &sim->cmds;
}

// Apply one event in one write transaction; carry out its commands after
// the commit.
sr_err_t
sim_step(sim_t *sim, core_event_t *ev, sr_error_t *err)
{
    ev->now_ms = sim->now;
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(sim->part, true, &txn, err);
    if (rc)
        return rc;
    store_state_t *st = store_state_new(txn, sim->docs);
    if (!st) {
        store_txn_abort(&txn);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    core_cmds_clear(&sim->cmds);
    rc = core_step(sim->core, store_state_core(st), ev, &sim->cmds, err);
    if (!rc)
        rc = store_state_flush(st, err);
    uint8_t clock[8];
    store_key_ms(clock, sim->now);
    if (!rc)
        rc = store_put_raw(txn, STORE_DB_META, S_CLOCK_KEY, strlen(S_CLOCK_KEY),
                           clock, 8, err);
    store_state_destroy(&st);
    if (rc) {
        store_txn_abort(&txn);
        core_cmds_clear(&sim->cmds);
        return rc;
    }
    if ((rc = store_txn_commit(&txn, err)))
        return rc;
    sim->events++;
    return sim_worker_commands(sim, &sim->cmds, err);
}

sr_err_t
sim_apply(sim_t *sim, core_event_t *ev, sr_error_t *err)
{
    return sim_step(sim, ev, err);
}

sr_err_t
sim_define(sim_t *sim, const char *file, const char *text, size_t len,
           lang_diags_t *diags, sr_error_t *err)
{
    lang_doc_t *doc = NULL;
    sr_err_t rc = lang_doc_parse(file, text, len, NULL, &doc, diags);
    if (rc)
        return sr_error_set(err, rc, "%s: the workflow is invalid", file);
    store_txn_t *txn = NULL;
    rc = store_txn_begin(sim->part, true, &txn, err);
    if (!rc && (rc = store_def_put(txn, doc, sim->now, err)))
        store_txn_abort(&txn);
    if (!rc)
        rc = store_txn_commit(&txn, err);
    if (!rc)
        store_docs_adopt(sim->docs, &doc);
    lang_doc_destroy(&doc);
    return rc;
}

sr_err_t
sim_start(sim_t *sim, const char *wf_name, const sr_value_t *input,
          const sr_value_t *env, const sr_value_t *params, sr_id_t *id,
          sr_error_t *err)
{
    sr_id_t made;
    sr_id_make(0, sim->now, &made);
    core_event_t ev = {.kind = CORE_EV_START,
                       .exec_id = made,
                       .wf_name = wf_name,
                       .input = input,
                       .env = env,
                       .params = params};
    sr_err_t rc = sim_step(sim, &ev, err);
    if (!rc)
        *id = made;
    return rc;
}

sr_err_t
sim_exec(sim_t *sim, const sr_id_t *id, core_exec_t **out, sr_error_t *err)
{
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(sim->part, false, &txn, err);
    if (rc)
        return rc;
    sr_value_t *v = NULL;
    rc = store_get(txn, STORE_DB_EXEC, id->b, 16, &v, err);
    store_txn_abort(&txn);
    if (!rc)
        rc = core_exec_from_value(v, out, err);
    sr_value_destroy(&v);
    return rc;
}

// Collect decoded records of one database (optionally under a prefix).
typedef struct {
    bool tasks; // else actions
    void **items;
    size_t n, cap;
    sr_error_t *err;
} s_collect_t;

static sr_err_t
s_collect(void *arg, const void *key, size_t klen, const void *val, size_t vlen)
{
    (void)key;
    (void)klen;
    s_collect_t *c = arg;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        void **items = realloc(c->items, cap * sizeof *items);
        if (!items)
            return SR_ENOMEM;
        c->items = items;
        c->cap = cap;
    }
    sr_value_t *v = NULL;
    sr_err_t rc = sim_decode(val, vlen, &v, c->err);
    if (!rc && c->tasks)
        rc = core_task_from_value(v, (core_task_t **)&c->items[c->n], c->err);
    else if (!rc)
        rc = core_action_from_value(v, (core_action_t **)&c->items[c->n],
                                    c->err);
    sr_value_destroy(&v);
    if (!rc)
        c->n++;
    return rc;
}

static sr_err_t
s_scan(sim_t *sim, s_collect_t *c, store_db_t db, const void *prefix,
       size_t plen)
{
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(sim->part, false, &txn, c->err);
    if (rc)
        return rc;
    rc = store_scan(txn, db, prefix, plen, NULL, 0, s_collect, c, c->err);
    store_txn_abort(&txn);
    return rc;
}

sr_err_t
sim_tasks(sim_t *sim, const sr_id_t *exec_id, core_task_t ***out, size_t *n,
          sr_error_t *err)
{
    s_collect_t c = {.tasks = true, .err = err};
    sr_err_t rc = s_scan(sim, &c, STORE_DB_TASK, exec_id->b, 16);
    if (rc) {
        sim_tasks_free((core_task_t **)c.items, c.n);
        return rc;
    }
    *out = (core_task_t **)c.items;
    *n = c.n;
    return SR_OK;
}

void
sim_tasks_free(core_task_t **tasks, size_t n)
{
    for (size_t i = 0; i < n; i++)
        core_task_destroy(&tasks[i]);
    free(tasks);
}

sr_err_t
sim_actions(sim_t *sim, core_action_t ***out, size_t *n, sr_error_t *err)
{
    s_collect_t c = {.tasks = false, .err = err};
    sr_err_t rc = s_scan(sim, &c, STORE_DB_ACTION, NULL, 0);
    if (rc) {
        sim_actions_free((core_action_t **)c.items, c.n);
        return rc;
    }
    *out = (core_action_t **)c.items;
    *n = c.n;
    return SR_OK;
}

void
sim_actions_free(core_action_t **actions, size_t n)
{
    for (size_t i = 0; i < n; i++)
        core_action_destroy(&actions[i]);
    free(actions);
}

sr_err_t
sim_queue_count(sim_t *sim, size_t *out, sr_error_t *err)
{
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(sim->part, false, &txn, err);
    if (!rc)
        rc = store_count(txn, STORE_DB_QUEUE, out, err);
    store_txn_abort(&txn);
    return rc;
}
