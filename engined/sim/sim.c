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
#include "store_docs.h"
#include "store_read.h"
#include "store_state.h"

#define S_CLOCK_BASE 1800000000000LL // 2027-01-15: deterministic runs

struct sim {
    store_part_t *part;
    store_docs_t *docs;
    core_t *core;
    sim_worker_t *worker;
    core_cmds_t cmds; // of the last event
    int64_t now;      // virtual clock, ms
    size_t events;    // applied since open
};

static sr_err_t
s_load_clock(sim_t *sim, sr_error_t *err)
{
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(sim->part, false, &txn, err);
    if (rc)
        return rc;
    int64_t now = 0;
    rc = store_clock_get(txn, &now, err);
    sim->now = rc ? S_CLOCK_BASE : now;
    store_txn_abort(&txn);
    return rc == SR_ENOTFOUND || rc == SR_OK ? SR_OK : rc;
}

// Reopening reads the open actions (the dispatch queue), as the engine
// node does: waiting ones are offered again, running ones re-delivered.
static sr_err_t
s_recover_visit(void *arg, core_action_t **action_p)
{
    const sim_t *sim = arg;
    const core_action_t *a = *action_p;
    if (sim_worker_offer(sim->worker, &a->id, a->attempt, a->action, a->input,
                         NULL, a->state == CORE_A_RUNNING))
        return SR_ENOMEM;
    return SR_OK;
}

static sr_err_t
s_recover(sim_t *sim, sr_error_t *err)
{
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(sim->part, false, &txn, err);
    if (rc)
        return rc;
    rc = store_open_actions(txn, s_recover_visit, sim, err);
    store_txn_abort(&txn);
    return rc == SR_ENOMEM ? sr_error_set(err, rc, "out of memory") : rc;
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
} s_first_t;

static sr_err_t
s_first_timer(sim_t *sim, s_first_t *f, sr_error_t *err)
{
    store_txn_t *txn = NULL;
    f->found = false;
    sr_err_t rc = store_txn_begin(sim->part, false, &txn, err);
    if (rc)
        return rc;
    rc = store_timer_first(txn, &f->timer, err);
    store_txn_abort(&txn);
    f->found = rc == SR_OK;
    return rc == SR_ENOTFOUND ? SR_OK : rc;
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

// Collect the records of a walk (taken from it).
typedef struct {
    void **items;
    size_t n, cap;
} s_collect_t;

static sr_err_t
s_keep(s_collect_t *c, void **rec_p)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        void **items = realloc(c->items, cap * sizeof *items);
        if (!items)
            return SR_ENOMEM;
        c->items = items;
        c->cap = cap;
    }
    c->items[c->n++] = *rec_p;
    *rec_p = NULL;
    return SR_OK;
}

static sr_err_t
s_keep_task(void *arg, core_task_t **task_p)
{
    return s_keep(arg, (void **)task_p);
}

static sr_err_t
s_keep_action(void *arg, core_action_t **action_p)
{
    return s_keep(arg, (void **)action_p);
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
    if (!rc)
        rc = store_clock_put(txn, sim->now, err);
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
    rc = store_exec_get(txn, id, out, err);
    store_txn_abort(&txn);
    return rc;
}

sr_err_t
sim_tasks(sim_t *sim, const sr_id_t *exec_id, core_task_t ***out, size_t *n,
          sr_error_t *err)
{
    s_collect_t c = {0};
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(sim->part, false, &txn, err);
    if (!rc)
        rc = store_tasks(txn, exec_id, s_keep_task, &c, err);
    store_txn_abort(&txn);
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
    s_collect_t c = {0};
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(sim->part, false, &txn, err);
    if (!rc)
        rc = store_actions(txn, NULL, s_keep_action, &c, err);
    store_txn_abort(&txn);
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
    store_counts_t counts;
    sr_err_t rc = store_part_counts(sim->part, &counts, err);
    if (!rc)
        *out = counts.open_actions;
    return rc;
}
