// The in-process driver's worker: takes DISPATCH commands, asks CONFIRM,
// runs the action through the sim's runner and sends the RESULT back as an
// event. Waiting is virtual: a result the runner delays waits for a later
// virtual time, and the clock jumps to the next due result or timer when
// nothing else is left to do.
#include <stdlib.h>
#include <string.h>

#include "sim_internal.h"

static void
s_job_fini(sim_job_t *job)
{
    free(job->action);
    sr_value_destroy(&job->input);
    sr_value_destroy(&job->context);
    sr_value_destroy(&job->outcome.value);
    memset(job, 0, sizeof *job);
}

static sr_err_t
s_push(sim_jobs_t *jobs, sim_job_t *job)
{
    if (jobs->n == jobs->cap) {
        size_t cap = jobs->cap ? jobs->cap * 2 : 16;
        sim_job_t *items = realloc(jobs->items, cap * sizeof *items);
        if (!items)
            return SR_ENOMEM;
        jobs->items = items;
        jobs->cap = cap;
    }
    jobs->items[jobs->n++] = *job;
    memset(job, 0, sizeof *job);
    return SR_OK;
}

// Take item i out of the list (order kept).
static sim_job_t
s_take(sim_jobs_t *jobs, size_t i)
{
    sim_job_t job = jobs->items[i];
    memmove(&jobs->items[i], &jobs->items[i + 1],
            (jobs->n - i - 1) * sizeof *jobs->items);
    jobs->n--;
    return job;
}

static void
s_jobs_fini(sim_jobs_t *jobs)
{
    for (size_t i = 0; i < jobs->n; i++)
        s_job_fini(&jobs->items[i]);
    free(jobs->items);
    memset(jobs, 0, sizeof *jobs);
}

void
sim_worker_fini(sim_t *sim)
{
    s_jobs_fini(&sim->queue);
    s_jobs_fini(&sim->sleeps);
}

static void
s_drop(sim_jobs_t *jobs, const sr_id_t *action_id)
{
    for (size_t i = 0; i < jobs->n;) {
        if (sr_id_equal(&jobs->items[i].action_id, action_id)) {
            sim_job_t job = s_take(jobs, i);
            s_job_fini(&job);
        } else
            i++;
    }
}

static sr_err_t
s_offer(sim_t *sim, const sr_id_t *id, uint32_t attempt, const char *action,
        sr_value_t *input, sr_value_t *context, bool confirmed)
{
    sim_job_t job = {
        .action_id = *id, .attempt = attempt, .confirmed = confirmed};
    job.action = strdup(action);
    job.input = input ? sr_value_ref(input) : sr_value_new_map(0);
    job.context = context ? sr_value_ref(context) : sr_value_new_map(0);
    if (!job.action || !job.input || !job.context ||
        s_push(&sim->queue, &job)) {
        s_job_fini(&job);
        return SR_ENOMEM;
    }
    return SR_OK;
}

sr_err_t
sim_worker_commands(sim_t *sim, const core_cmds_t *cmds, sr_error_t *err)
{
    for (size_t i = 0; i < cmds->count; i++) {
        const core_cmd_t *c = &cmds->items[i];
        if (c->kind == CORE_CMD_DISPATCH &&
            s_offer(sim, &c->action_id, c->attempt, c->action, c->input,
                    c->context, false))
            return sr_error_set(err, SR_ENOMEM, "out of memory");
        if (c->kind == CORE_CMD_CANCEL) {
            s_drop(&sim->queue, &c->action_id);
            s_drop(&sim->sleeps, &c->action_id);
        }
    }
    return SR_OK;
}

static sr_err_t
s_deliver(sim_t *sim, sim_job_t *job, sr_error_t *err)
{
    core_event_t ev = {
        .kind = CORE_EV_RESULT,
        .action_id = job->action_id,
        .attempt = job->attempt,
        .worker = "sim",
        .status = job->outcome.status,
        .output = job->outcome.value,
    };
    sr_err_t rc = sim_step(sim, &ev, err);
    if (rc == SR_ESTATE) { // an attempt that is no longer current
        sr_error_clear(err);
        rc = SR_OK;
    }
    return rc;
}

// Run an action the engine said GO for.
static sr_err_t
s_execute(sim_t *sim, sim_job_t *job, sr_error_t *err)
{
    sim_call_t call = {.action_id = job->action_id,
                       .attempt = job->attempt,
                       .action = job->action,
                       .input = job->input,
                       .context = job->context};
    sim_outcome_t out = {0};
    sr_err_t rc = sim->runner.run(&call, sim->runner.arg, &out, err);
    if (rc) {
        sr_value_destroy(&out.value);
        return rc;
    }
    if (!out.value)
        out.value = sr_value_new_nil(); // immortal: never NULL
    job->outcome = out;
    if (out.delay_ms > 0) {
        job->due = sim->now + out.delay_ms;
        return s_push(&sim->sleeps, job) ? SR_ENOMEM : SR_OK;
    }
    return s_deliver(sim, job, err);
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

static sr_err_t
s_run_queued(sim_t *sim, sr_error_t *err)
{
    sim_job_t job = s_take(&sim->queue, 0);
    sr_err_t rc = SR_OK;
    if (!job.confirmed) {
        core_event_t ev = {.kind = CORE_EV_CONFIRM,
                           .action_id = job.action_id,
                           .attempt = job.attempt,
                           .worker = "sim"};
        rc = sim_step(sim, &ev, err);
        job.confirmed = !rc && s_go_given(&sim->cmds, &job.action_id);
    }
    if (!rc && job.confirmed)
        rc = s_execute(sim, &job, err);
    s_job_fini(&job);
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
    sr_err_t rc = sim_decode(val, vlen, &v, f->err);
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

// Nothing queued: jump the clock to the next sleep or timer and fire it.
static sr_err_t
s_advance(sim_t *sim, bool *idle, sr_error_t *err)
{
    s_first_t f;
    sr_err_t rc = s_first_timer(sim, &f, err);
    if (rc)
        return rc;
    size_t best = 0;
    for (size_t i = 1; i < sim->sleeps.n; i++)
        if (sim->sleeps.items[i].due < sim->sleeps.items[best].due)
            best = i;
    bool sleep = sim->sleeps.n > 0 &&
                 (!f.found || sim->sleeps.items[best].due <= f.timer.due_ms);
    *idle = !sleep && !f.found;
    if (*idle)
        return SR_OK;
    int64_t due = sleep ? sim->sleeps.items[best].due : f.timer.due_ms;
    if (due > sim->now)
        sim->now = due;
    if (sleep) {
        sim_job_t job = s_take(&sim->sleeps, best);
        rc = s_deliver(sim, &job, err);
        s_job_fini(&job);
        return rc;
    }
    core_event_t ev = {.kind = CORE_EV_TIMER, .timer = &f.timer};
    return sim_step(sim, &ev, err);
}

sr_err_t
sim_run_some(sim_t *sim, size_t n, bool *idle, sr_error_t *err)
{
    *idle = false;
    size_t start = sim->events;
    while (!*idle && (n == 0 || sim->events - start < n)) {
        sr_err_t rc =
            sim->queue.n ? s_run_queued(sim, err) : s_advance(sim, idle, err);
        if (rc)
            return rc;
    }
    return SR_OK;
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

// Recovery reads the dispatch queue (the open actions), as the engine
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
        rc = sim_decode(data, len, &v, rv->err);
    if (!rc)
        rc = core_action_from_value(v, &a, rv->err);
    sr_value_destroy(&v);
    if (!rc && (a->state == CORE_A_SCHEDULED || a->state == CORE_A_RUNNING) &&
        s_offer(rv->sim, &a->id, a->attempt, a->action, a->input, NULL,
                a->state == CORE_A_RUNNING))
        rc = sr_error_set(rv->err, SR_ENOMEM, "out of memory");
    core_action_destroy(&a);
    return rc;
}

sr_err_t
sim_worker_recover(sim_t *sim, sr_error_t *err)
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
