// The sim's inline worker (see sim_worker.h): two ordered lists of jobs,
// the actions offered and the results held for a later virtual time, and
// the runner that runs an action. It knows the core's commands and the
// runner contract only: no partition, no clock of its own, no event sent.
#include "sim_worker.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    sim_job_t *items;
    size_t n, cap;
} s_jobs_t;

struct sim_worker {
    sim_runner_t runner;
    s_jobs_t offered; // in the order they were offered
    s_jobs_t held;    // run; results waiting for their due time
};

static sr_err_t
s_push(s_jobs_t *jobs, sim_job_t *job)
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
s_take(s_jobs_t *jobs, size_t i)
{
    sim_job_t job = jobs->items[i];
    memmove(&jobs->items[i], &jobs->items[i + 1],
            (jobs->n - i - 1) * sizeof *jobs->items);
    jobs->n--;
    return job;
}

static void
s_drop(s_jobs_t *jobs, const sr_id_t *action_id)
{
    for (size_t i = 0; i < jobs->n;) {
        if (sr_id_equal(&jobs->items[i].action_id, action_id)) {
            sim_job_t job = s_take(jobs, i);
            sim_job_fini(&job);
        } else
            i++;
    }
}

static void
s_jobs_fini(s_jobs_t *jobs)
{
    for (size_t i = 0; i < jobs->n; i++)
        sim_job_fini(&jobs->items[i]);
    free(jobs->items);
    memset(jobs, 0, sizeof *jobs);
}

// The earliest held result: the first one among equal due times.
static size_t
s_earliest(const s_jobs_t *held)
{
    size_t best = 0;
    for (size_t i = 1; i < held->n; i++)
        if (held->items[i].due_ms < held->items[best].due_ms)
            best = i;
    return best;
}

void
sim_job_fini(sim_job_t *job)
{
    free(job->action);
    sr_value_destroy(&job->input);
    sr_value_destroy(&job->context);
    sr_value_destroy(&job->outcome.value);
    memset(job, 0, sizeof *job);
}

sim_worker_t *
sim_worker_new(const sim_runner_t *runner)
{
    sim_worker_t *self = calloc(1, sizeof *self);
    if (self)
        self->runner = *runner;
    return self;
}

void
sim_worker_destroy(sim_worker_t **self_p)
{
    sim_worker_t *self = *self_p;
    if (!self)
        return;
    s_jobs_fini(&self->offered);
    s_jobs_fini(&self->held);
    free(self);
    *self_p = NULL;
}

sr_err_t
sim_worker_offer(sim_worker_t *self, const sr_id_t *action_id, uint32_t attempt,
                 const char *action, sr_value_t *input, sr_value_t *context,
                 bool is_confirmed)
{
    sim_job_t job = {.action_id = *action_id,
                     .attempt = attempt,
                     .is_confirmed = is_confirmed};
    job.action = strdup(action);
    job.input = input ? sr_value_ref(input) : sr_value_new_map(0);
    job.context = context ? sr_value_ref(context) : sr_value_new_map(0);
    if (!job.action || !job.input || !job.context ||
        s_push(&self->offered, &job)) {
        sim_job_fini(&job);
        return SR_ENOMEM;
    }
    return SR_OK;
}

sr_err_t
sim_worker_commands(sim_worker_t *self, const core_cmds_t *cmds,
                    sr_error_t *err)
{
    for (size_t i = 0; i < cmds->count; i++) {
        const core_cmd_t *c = &cmds->items[i];
        if (c->kind == CORE_CMD_DISPATCH &&
            sim_worker_offer(self, &c->action_id, c->attempt, c->action,
                             c->input, c->context, false))
            return sr_error_set(err, SR_ENOMEM, "out of memory");
        if (c->kind == CORE_CMD_CANCEL) {
            s_drop(&self->offered, &c->action_id);
            s_drop(&self->held, &c->action_id);
        }
    }
    return SR_OK;
}

bool
sim_worker_take_offer(sim_worker_t *self, sim_job_t *job)
{
    if (!self->offered.n)
        return false;
    *job = s_take(&self->offered, 0);
    return true;
}

sr_err_t
sim_worker_run(sim_worker_t *self, sim_job_t *job, int64_t now_ms,
               sr_error_t *err)
{
    sim_call_t call = {.action_id = job->action_id,
                       .attempt = job->attempt,
                       .action = job->action,
                       .input = job->input,
                       .context = job->context};
    sim_outcome_t out = {0};
    sr_err_t rc = self->runner.run(&call, self->runner.arg, &out, err);
    if (rc) {
        sr_value_destroy(&out.value);
        return rc;
    }
    if (!out.value)
        out.value = sr_value_new_nil(); // immortal: never NULL
    sr_value_destroy(&job->outcome.value);
    job->outcome = out;
    job->due_ms = now_ms + (out.delay_ms > 0 ? out.delay_ms : 0);
    return SR_OK;
}

sr_err_t
sim_worker_hold(sim_worker_t *self, sim_job_t *job, sr_error_t *err)
{
    if (s_push(&self->held, job))
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    return SR_OK;
}

bool
sim_worker_next_due(const sim_worker_t *self, int64_t *due_ms)
{
    if (!self->held.n)
        return false;
    *due_ms = self->held.items[s_earliest(&self->held)].due_ms;
    return true;
}

bool
sim_worker_take_due(sim_worker_t *self, sim_job_t *job)
{
    if (!self->held.n)
        return false;
    *job = s_take(&self->held, s_earliest(&self->held));
    return true;
}
