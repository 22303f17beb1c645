// The table of a worker node's jobs: a czmq hash keyed by
// "action_id/attempt" that owns the jobs, a list for the queue and a list
// for the unacknowledged RESULTs, plus a count per state. Each job
// remembers its place in the lists, so every change is O(1). Does no I/O
// and reads no clock. Node thread only.
#include "wrk_jobs.h"

#include <czmq.h>
#include <inttypes.h>
#include <stdio.h>

#define S_STATES (WRK_JOB_UNACKED + 1)

struct wrk_jobs {
    zhashx_t *by_key;        // key -> job; owns the jobs
    zlistx_t *queue;         // QUEUED jobs, oldest first; borrowed
    zlistx_t *unacked;       // UNACKED jobs, least recently sent first
    size_t counts[S_STATES]; // jobs per state
};

static void
s_job_destructor(void **item)
{
    wrk_job_destroy((wrk_job_t **)item);
}

wrk_jobs_t *
wrk_jobs_new(void)
{
    wrk_jobs_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->by_key = zhashx_new();
    self->queue = zlistx_new();
    self->unacked = zlistx_new();
    if (!self->by_key || !self->queue || !self->unacked) {
        wrk_jobs_destroy(&self);
        return NULL;
    }
    zhashx_set_destructor(self->by_key, s_job_destructor);
    return self;
}

void
wrk_jobs_destroy(wrk_jobs_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    wrk_jobs_t *self = *self_p;
    zlistx_destroy(&self->queue);
    zlistx_destroy(&self->unacked);
    zhashx_destroy(&self->by_key);
    free(self);
    *self_p = NULL;
}

// Put the job in the list its state asks for; false when out of memory.
static bool
s_enter(wrk_jobs_t *self, wrk_job_t *job, wrk_job_state_t state)
{
    if (state == WRK_JOB_QUEUED) {
        job->queue_handle = zlistx_add_end(self->queue, job);
        return job->queue_handle != NULL;
    }
    if (state == WRK_JOB_UNACKED) {
        job->unacked_handle = zlistx_add_end(self->unacked, job);
        return job->unacked_handle != NULL;
    }
    return true;
}

// Take the job out of its lists.
static void
s_leave(wrk_jobs_t *self, wrk_job_t *job)
{
    if (job->queue_handle)
        zlistx_detach(self->queue, job->queue_handle);
    if (job->unacked_handle)
        zlistx_detach(self->unacked, job->unacked_handle);
    job->queue_handle = job->unacked_handle = NULL;
}

sr_err_t
wrk_jobs_add(wrk_jobs_t *self, wrk_job_t **job_p, sr_error_t *err)
{
    wrk_job_t *job = *job_p;
    if (zhashx_lookup(self->by_key, job->key))
        return sr_error_set(err, SR_EEXIST, "action %s is already here",
                            job->key);
    if (!s_enter(self, job, job->state))
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    if (zhashx_insert(self->by_key, job->key, job) != 0) {
        s_leave(self, job);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    self->counts[job->state]++;
    *job_p = NULL;
    return SR_OK;
}

wrk_job_t *
wrk_jobs_find(wrk_jobs_t *self, const sr_id_t *action_id, int64_t attempt)
{
    char key[WRK_JOB_KEY_SIZE], text[SR_ID_TEXT_SIZE];
    snprintf(key, sizeof key, "%s/%" PRId64, sr_id_format(action_id, text),
             attempt);
    return zhashx_lookup(self->by_key, key);
}

void
wrk_jobs_remove(wrk_jobs_t *self, wrk_job_t *job)
{
    s_leave(self, job);
    self->counts[job->state]--;
    zhashx_delete(self->by_key, job->key); // destroys the job
}

sr_err_t
wrk_jobs_set_state(wrk_jobs_t *self, wrk_job_t *job, wrk_job_state_t state,
                   sr_error_t *err)
{
    if (state == job->state)
        return SR_OK;
    void *queue_handle = job->queue_handle;
    void *unacked_handle = job->unacked_handle;
    job->queue_handle = job->unacked_handle = NULL;
    if (!s_enter(self, job, state)) {
        job->queue_handle = queue_handle;
        job->unacked_handle = unacked_handle;
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    if (queue_handle)
        zlistx_detach(self->queue, queue_handle);
    if (unacked_handle)
        zlistx_detach(self->unacked, unacked_handle);
    self->counts[job->state]--;
    self->counts[state]++;
    job->state = state;
    return SR_OK;
}

wrk_job_t *
wrk_jobs_queue_head(wrk_jobs_t *self)
{
    return zlistx_first(self->queue);
}

wrk_job_t *
wrk_jobs_queue_first(wrk_jobs_t *self, wrk_jobs_pred_fn *ok, void *arg)
{
    for (wrk_job_t *job = zlistx_first(self->queue); job;
         job = zlistx_next(self->queue))
        if (ok(job, arg))
            return job;
    return NULL;
}

void
wrk_jobs_sent(wrk_jobs_t *self, wrk_job_t *job, int64_t now_ms)
{
    job->sent_ms = now_ms;
    if (job->unacked_handle)
        zlistx_move_end(self->unacked, job->unacked_handle);
}

wrk_job_t *
wrk_jobs_unacked_head(wrk_jobs_t *self)
{
    return zlistx_first(self->unacked);
}

size_t
wrk_jobs_count(const wrk_jobs_t *self, wrk_job_state_t state)
{
    return (unsigned)state < S_STATES ? self->counts[state] : 0;
}

size_t
wrk_jobs_size(const wrk_jobs_t *self)
{
    return zhashx_size(self->by_key);
}

void
wrk_jobs_each(wrk_jobs_t *self, wrk_job_state_t state, wrk_jobs_fn *fn,
              void *arg)
{
    for (wrk_job_t *job = zhashx_first(self->by_key); job;
         job = zhashx_next(self->by_key)) {
        if (job->state == state)
            fn(job, arg);
    }
}
