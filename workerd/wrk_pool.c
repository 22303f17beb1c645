/* The action threads of a worker node. Each thread is a czmq actor that
 * waits on its pipe for "RUN" + a job pointer, runs the job, and pushes
 * the pointer back, with its own index, to the pool's PULL socket. The
 * pool keeps a stack of idle threads, so a job never waits behind another
 * one. Owns the actors and the PULL socket, never the jobs. Node thread
 * only; each actor touches only the job it was given.
 */
#include "wrk_pool.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define S_ENDPOINT_SIZE 80

typedef struct {
    const wrk_job_env_t *env;
    char endpoint[S_ENDPOINT_SIZE]; // ">inproc://..." of the PULL socket
    int index;
    int status; // written by the actor before its first signal: 0 = ready
} s_thread_t;

struct wrk_pool {
    zsock_t *done;       // PULL, bound; finished jobs arrive here
    zactor_t **actors;   // one per thread; NULL when it failed to start
    s_thread_t *threads; // their arguments
    size_t size;
    int *idle; // stack of idle thread indexes
    size_t n_idle;
};

static atomic_uint s_pool_seq;

// Receive one command; false when the pipe asks the actor to end.
static bool
s_next_job(zsock_t *pipe, wrk_job_t **job)
{
    for (;;) {
        char *cmd = NULL;
        void *ptr = NULL;
        if (zsock_recv(pipe, "sp", &cmd, &ptr) < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        bool is_run = cmd && streq(cmd, "RUN") && ptr;
        zstr_free(&cmd);
        if (!is_run)
            return false; // "$TERM"
        *job = ptr;
        return true;
    }
}

static void
s_thread_main(zsock_t *pipe, void *arg)
{
    s_thread_t *t = arg;
    zsock_t *push = zsock_new_push(t->endpoint);
    t->status = push ? 0 : -1;
    zsock_signal(pipe, 0);
    wrk_job_t *job = NULL;
    while (push && s_next_job(pipe, &job)) {
        wrk_job_run(job, t->env);
        while (zsock_send(push, "ip", t->index, job) < 0 && errno == EINTR)
            ;
    }
    zsock_destroy(&push);
}

static sr_err_t
s_start_threads(wrk_pool_t *self, const wrk_job_env_t *env,
                const char *endpoint, sr_error_t *err)
{
    for (size_t i = 0; i < self->size; i++) {
        s_thread_t *t = &self->threads[i];
        t->env = env;
        t->index = (int)i;
        t->status = -1;
        snprintf(t->endpoint, sizeof t->endpoint, ">%s", endpoint);
        self->actors[i] = zactor_new(s_thread_main, t);
        if (!self->actors[i] || t->status != 0)
            return sr_error_set(err, SR_EIO,
                                "action thread %zu could not start", i);
        self->idle[self->n_idle++] = (int)(self->size - 1 - i);
    }
    return SR_OK;
}

sr_err_t
wrk_pool_new(const wrk_job_env_t *env, size_t threads, wrk_pool_t **out,
             sr_error_t *err)
{
    if (threads == 0)
        return sr_error_set(err, SR_EINVAL, "a pool needs at least 1 thread");
    wrk_pool_t *self = calloc(1, sizeof *self);
    if (!self)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    self->size = threads;
    self->actors = calloc(threads, sizeof *self->actors);
    self->threads = calloc(threads, sizeof *self->threads);
    self->idle = calloc(threads, sizeof *self->idle);
    sr_err_t rc = SR_ENOMEM;
    if (!self->actors || !self->threads || !self->idle) {
        sr_error_set(err, rc, "out of memory");
        goto fail;
    }
    char endpoint[S_ENDPOINT_SIZE - 1]; // room for the ">" of connects
    snprintf(endpoint, sizeof endpoint, "inproc://sirocco-wrk-pool-%u",
             atomic_fetch_add(&s_pool_seq, 1));
    self->done = zsock_new(ZMQ_PULL);
    if (!self->done || zsock_bind(self->done, "%s", endpoint) != 0) {
        rc = sr_error_set(err, SR_EIO, "%s: cannot bind: %s", endpoint,
                          zmq_strerror(errno));
        goto fail;
    }
    if ((rc = s_start_threads(self, env, endpoint, err)) != SR_OK)
        goto fail;
    *out = self;
    return SR_OK;
fail:
    wrk_pool_destroy(&self);
    return rc;
}

void
wrk_pool_destroy(wrk_pool_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    wrk_pool_t *self = *self_p;
    for (size_t i = 0; self->actors && i < self->size; i++)
        zactor_destroy(&self->actors[i]);
    zsock_destroy(&self->done);
    free(self->actors);
    free(self->threads);
    free(self->idle);
    free(self);
    *self_p = NULL;
}

size_t
wrk_pool_size(const wrk_pool_t *self)
{
    return self->size;
}

size_t
wrk_pool_idle(const wrk_pool_t *self)
{
    return self->n_idle;
}

sr_err_t
wrk_pool_submit(wrk_pool_t *self, wrk_job_t *job, sr_error_t *err)
{
    if (self->n_idle == 0)
        return sr_error_set(err, SR_EUNAVAIL, "every action thread is busy");
    int i = self->idle[self->n_idle - 1];
    if (zsock_send(self->actors[i], "sp", "RUN", job) != 0)
        return sr_error_set(err, SR_EIO, "action thread %d: %s", i,
                            zmq_strerror(errno));
    self->n_idle--;
    return SR_OK;
}

zsock_t *
wrk_pool_done_sock(wrk_pool_t *self)
{
    return self->done;
}

wrk_job_t *
wrk_pool_take(wrk_pool_t *self)
{
    void *handle = zsock_resolve(self->done);
    zmq_pollitem_t item = {handle, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, 0) <= 0 || !(item.revents & ZMQ_POLLIN))
        return NULL;
    int index = -1;
    void *job = NULL;
    if (zsock_recv(self->done, "ip", &index, &job) < 0 || !job)
        return NULL;
    if (index >= 0 && (size_t)index < self->size && self->n_idle < self->size)
        self->idle[self->n_idle++] = index;
    return job;
}
