// The in-process driver: the engine's side (partition, core, virtual
// clock), the inline worker (sim_worker.h) on the other, and the loop
// between them. Each event is one write transaction whose commands go to
// the worker after the commit. The loop runs the worker's offered actions
// first (CONFIRM, run on GO, RESULT now or held for later), else jumps the
// clock to the earliest held result or stored timer. Opening a partition
// offers its open actions again (they are read from the dispatch queue).
// Records are read back for tests. The sim runs no action itself.
#include "sim.h"

#include <stdlib.h>
#include <string.h>

#include "lang_doc.h"
#include "sim_worker.h"
#include "sr_value_msgpack.h"
#include "store_docs.h"
#include "store_state.h"

#define S_CLOCK_BASE 1800000000000LL // 2027-01-15: deterministic runs
#define S_CLOCK_KEY  "sim.now"

struct sim {
    store_part_t *part;
    store_docs_t *docs;
    core_t *core;
    sim_worker_t *worker;
    core_cmds_t cmds; // of the last event
    int64_t now;      // virtual clock, ms
    size_t events;    // applied since open
};

// Decode a stored msgpack value.
static sr_err_t
s_decode(const void *data, size_t len, sr_value_t **out, sr_error_t *err)
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

// Reopening reads the dispatch queue (the open actions), as the engine
// node does: waiting ones are offered again, running ones re-delivered.
typedef struct {
    sim_t *sim;
    store_txn_t *txn;
    sr_error_t *err;
} s_recover_t;

static sr_err_t
s_recover_visit(void *arg, const void *key, size_t klen, const void *val,
                size_t vlen)
{
    (void)val;
    (void)vlen;
    s_recover_t *rv = arg;
    if (klen != 24)
        return sr_error_set(rv->err, SR_ESTORE, "queue key of %zu bytes", klen);
    const void *data = NULL;
    size_t len = 0;
    sr_err_t rc =
        store_get_raw(rv->txn, STORE_DB_ACTION, (const uint8_t *)key + 8, 16,
                      &data, &len, rv->err);
    if (rc == SR_ENOTFOUND) { // a stale entry: skipped
        sr_error_clear(rv->err);
        return SR_OK;
    }
    sr_value_t *v = NULL;
    core_action_t *a = NULL;
    if (!rc)
        rc = s_decode(data, len, &v, rv->err);
    if (!rc)
        rc = core_action_from_value(v, &a, rv->err);
    sr_value_destroy(&v);
    if (!rc && (a->state == CORE_A_SCHEDULED || a->state == CORE_A_RUNNING) &&
        sim_worker_offer(rv->sim->worker, &a->id, a->attempt, a->action,
                         a->input, NULL, a->state == CORE_A_RUNNING))
        rc = sr_error_set(rv->err, SR_ENOMEM, "out of memory");
    core_action_destroy(&a);
    return rc;
}

static sr_err_t
s_recover(sim_t *sim, sr_error_t *err)
{
    s_recover_t rv = {sim, NULL, err};
    sr_err_t rc = store_txn_begin(sim->part, false, &rv.txn, err);
    if (rc)
        return rc;
    rc = store_scan(rv.txn, STORE_DB_QUEUE, NULL, 0, NULL, 0, s_recover_visit,
                    &rv, err);
    store_txn_abort(&rv.txn);
    return rc;
}

// Send a job's result. One for an attempt that is no longer current is
// refused (SR_ESTATE) and dropped, as a worker drops it.
static sr_err_t
s_deliver(sim_t *sim, const sim_job_t *job, sr_error_t *err)
{
    core_event_t ev = {
        .kind = CORE_EV_RESULT,
        .action_id = job->action_id,
        .attempt = job->attempt,
        .worker = "sim",
        .status = job->outcome.status,
        .output = job->outcome.value,
    };
    sr_err_t rc = sim_apply(sim, &ev, err);
    if (rc == SR_ESTATE) {
        sr_error_clear(err);
        rc = SR_OK;
    }
    return rc;
}

static bool
s_go_given(const core_cmds_t *cmds, const sr_id_t *action_id)
{
    for (size_t i = 0; i < cmds->count; i++)
        if (cmds->items[i].kind == CORE_CMD_GO &&
            sr_id_equal(&cmds->items[i].action_id, action_id))
            return true;
    return false;
}

// An offered action: CONFIRM it (unless it ran before a reopen), run it on
// GO, and send its result now or hold it for its virtual time.
static sr_err_t
s_run_offered(sim_t *sim, sim_job_t *job, sr_error_t *err)
{
    sr_err_t rc = SR_OK;
    if (!job->is_confirmed) {
        core_event_t ev = {.kind = CORE_EV_CONFIRM,
                           .action_id = job->action_id,
                           .attempt = job->attempt,
                           .worker = "sim"};
        rc = sim_apply(sim, &ev, err);
        job->is_confirmed = !rc && s_go_given(&sim->cmds, &job->action_id);
    }
    if (!rc && job->is_confirmed)
        rc = sim_worker_run(sim->worker, job, sim->now, err);
    if (!rc && job->is_confirmed)
        rc = job->due_ms > sim->now ? sim_worker_hold(sim->worker, job, err)
                                    : s_deliver(sim, job, err);
    sim_job_fini(job);
    return rc;
}

// The earliest timer stored in the partition, if any.
typedef struct {
    core_timer_t timer;
    bool found;
    sr_error_t *err;
} s_first_t;

static sr_err_t
s_first_visit(void *arg, const void *key, size_t klen, const void *val,
              size_t vlen)
{
    s_first_t *f = arg;
    if (klen != 24)
        return sr_error_set(f->err, SR_ESTORE, "timer key of %zu bytes", klen);
    // Due time and id live in the key, the rest in the value.
    f->timer.due_ms = store_key_get_ms(key);
    memcpy(f->timer.id.b, (const uint8_t *)key + 8, 16);
    sr_value_t *v = NULL;
    sr_err_t rc = s_decode(val, vlen, &v, f->err);
    if (!rc)
        rc = core_timer_from_value(v, &f->timer, f->err);
    sr_value_destroy(&v);
    if (rc)
        return rc;
    f->found = true;
    return SR_EEXIST; // stop after the first
}

static sr_err_t
s_first_timer(sim_t *sim, s_first_t *f, sr_error_t *err)
{
    store_txn_t *txn = NULL;
    f->err = err;
    f->found = false;
    sr_err_t rc = store_txn_begin(sim->part, false, &txn, err);
    if (rc)
        return rc;
    rc = store_scan(txn, STORE_DB_TIMER, NULL, 0, NULL, 0, s_first_visit, f,
                    err);
    store_txn_abort(&txn);
    return rc == SR_EEXIST ? SR_OK : rc;
}

// Nothing offered: jump the clock to the earliest held result or timer (a
// result first when both are due together) and send or fire it.
static sr_err_t
s_advance(sim_t *sim, bool *idle, sr_error_t *err)
{
    s_first_t f;
    sr_err_t rc = s_first_timer(sim, &f, err);
    if (rc)
        return rc;
    int64_t due = 0;
    bool held = sim_worker_next_due(sim->worker, &due);
    bool result = held && (!f.found || due <= f.timer.due_ms);
    *idle = !result && !f.found;
    if (*idle)
        return SR_OK;
    if (!result)
        due = f.timer.due_ms;
    if (due > sim->now)
        sim->now = due;
    if (result) {
        sim_job_t job;
        sim_worker_take_due(sim->worker, &job);
        rc = s_deliver(sim, &job, err);
        sim_job_fini(&job);
        return rc;
    }
    core_event_t ev = {.kind = CORE_EV_TIMER, .timer = &f.timer};
    return sim_apply(sim, &ev, err);
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
    sr_err_t rc = s_decode(val, vlen, &v, c->err);
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
    core_cmds_init(&sim->cmds);
    sr_err_t rc = store_part_open(dir, 0, &opts, &sim->part, err);
    if (!rc && !(sim->docs = store_docs_new(64)))
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    if (!rc && !(sim->core = core_new(&cfg)))
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    if (!rc && !(sim->worker = sim_worker_new(runner)))
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    if (!rc)
        rc = s_load_clock(sim, err);
    if (!rc)
        rc = s_recover(sim, err);
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
    sim_worker_destroy(&sim->worker);
    core_cmds_fini(&sim->cmds);
    core_destroy(&sim->core);
    store_docs_destroy(&sim->docs);
    store_part_close(&sim->part);
    free(sim);
    *sim_p = NULL;
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
    sr_err_t rc = sim_apply(sim, &ev, err);
    if (!rc)
        *id = made;
    return rc;
}

// One write transaction (core_step, flush, the clock, commit); the
// commands go to the worker after the commit.
sr_err_t
sim_apply(sim_t *sim, core_event_t *ev, sr_error_t *err)
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
    return sim_worker_commands(sim->worker, &sim->cmds, err);
}

sr_err_t
sim_run(sim_t *sim, size_t max_events, sr_error_t *err)
{
    bool idle = false;
    sr_err_t rc = sim_run_some(sim, max_events, &idle, err);
    if (!rc && !idle)
        return sr_error_set(err, SR_ETOOBIG,
                            "still busy after %zu events (endless loop?)",
                            max_events);
    return rc;
}

sr_err_t
sim_run_some(sim_t *sim, size_t n, bool *idle, sr_error_t *err)
{
    *idle = false;
    size_t start = sim->events;
    while (!*idle && (n == 0 || sim->events - start < n)) {
        sim_job_t job;
        sr_err_t rc = sim_worker_take_offer(sim->worker, &job)
                          ? s_run_offered(sim, &job, err)
                          : s_advance(sim, idle, err);
        if (rc)
            return rc;
    }
    return SR_OK;
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
    return store_part_count(sim->part, STORE_DB_QUEUE, out, err);
}
