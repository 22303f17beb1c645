// The action threads of a worker node. Each thread waits on its pipe (an
// inproc PAIR) for "RUN" + a job pointer, runs the job, and pushes the
// pointer back, with its own index, to the pool's PULL socket. The pool
// keeps a stack of idle threads, so a job never waits behind another one,
// and starts a new thread (up to its size) only when that stack is empty.
// A start never waits for the new thread to be scheduled (zactor_new
// would): its sockets are made here and handed over, so a burst of
// blocking actions on a loaded machine never stalls the node's loop.
// Owns the threads, their pipes and the PULL socket, never the jobs. Node
// thread only; each thread touches only its own sockets and the job it
// was given.
#include "wrk_pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_ENDPOINT_SIZE 80

typedef struct {
    const wrk_job_env_t *env;
    zsock_t *pipe; // PAIR, the thread's end; the thread's once started
    zsock_t *push; // PUSH to the pool's PULL; idem
    int index;
    pthread_t tid;
} s_thread_t;

struct wrk_pool {
    const wrk_job_env_t *env;       // borrowed; given to each thread
    char endpoint[S_ENDPOINT_SIZE]; // of the PULL socket, bound
    zsock_t *done;                  // PULL; finished jobs arrive here
    zsock_t **pipes;                // PAIR, the pool's end, one per thread
    s_thread_t *threads;            // their arguments
    size_t size;                    // the most threads
    size_t started;                 // threads 0..started-1 run
    int *idle;                      // stack of idle thread indexes
    size_t n_idle;
};

static atomic_uint s_pool_seq;

// Receive one command; false when the pipe asks the thread to end.
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

static void *
s_thread_main(void *arg)
{
    s_thread_t *t = arg;
    wrk_job_t *job = NULL;
    while (s_next_job(t->pipe, &job)) {
        wrk_job_run(job, t->env);
        while (zsock_send(t->push, "ip", t->index, job) < 0 && errno == EINTR)
            ;
    }
    zsock_destroy(&t->push);
    zsock_destroy(&t->pipe);
    return NULL;
}

// Start thread `i` (the next one), idle. Its sockets are made in this
// thread; pthread_create is the memory barrier that hands them over.
static sr_err_t
s_start_thread(wrk_pool_t *self, size_t i, sr_error_t *err)
{
    s_thread_t *t = &self->threads[i];
    *t = (s_thread_t){.env = self->env, .index = (int)i};
    zsock_t *pipe = zsys_create_pipe(&t->pipe);
    t->push = zsock_new_push(self->endpoint);
    const char *why = NULL;
    int rc = 0;
    if (!pipe || !t->push)
        why = zmq_strerror(errno);
    else if ((rc = pthread_create(&t->tid, NULL, s_thread_main, t)) != 0)
        why = strerror(rc);
    if (!why) {
        self->pipes[i] = pipe;
        self->started++;
        self->idle[self->n_idle++] = (int)i;
        return SR_OK;
    }
    sr_error_set(err, SR_EIO, "action thread %zu could not start: %s", i, why);
    zsock_destroy(&pipe);
    zsock_destroy(&t->pipe);
    zsock_destroy(&t->push);
    return SR_EIO;
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
    self->pipes = calloc(threads, sizeof *self->pipes);
    self->threads = calloc(threads, sizeof *self->threads);
    self->idle = calloc(threads, sizeof *self->idle);
    sr_err_t rc = SR_ENOMEM;
    if (!self->pipes || !self->threads || !self->idle) {
        sr_error_set(err, rc, "out of memory");
        goto fail;
    }
    self->env = env;
    snprintf(self->endpoint, sizeof self->endpoint,
             "inproc://sirocco-wrk-pool-%u", atomic_fetch_add(&s_pool_seq, 1));
    self->done = zsock_new(ZMQ_PULL);
    if (!self->done || zsock_bind(self->done, "%s", self->endpoint) != 0) {
        rc = sr_error_set(err, SR_EIO, "%s: cannot bind: %s", self->endpoint,
                          zmq_strerror(errno));
        goto fail;
    }
    zsock_set_rcvtimeo(self->done, 0); // wrk_pool_take never waits
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
    for (size_t i = 0; i < self->started; i++) // all end at once
        while (zstr_send(self->pipes[i], "$TERM") != 0 && errno == EINTR)
            ;
    for (size_t i = 0; i < self->started; i++) {
        pthread_join(self->threads[i].tid, NULL);
        zsock_destroy(&self->pipes[i]);
    }
    zsock_destroy(&self->done);
    free(self->pipes);
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
wrk_pool_threads(const wrk_pool_t *self)
{
    return self->started;
}

size_t
wrk_pool_idle(const wrk_pool_t *self)
{
    return self->n_idle;
}

sr_err_t
wrk_pool_submit(wrk_pool_t *self, wrk_job_t *job, sr_error_t *err)
{
    if (self->n_idle == 0 && self->started == self->size)
        return sr_error_set(err, SR_EUNAVAIL, "every action thread is busy");
    if (self->n_idle == 0) {
        sr_err_t rc = s_start_thread(self, self->started, err);
        if (rc != SR_OK)
            return rc;
    }
    int i = self->idle[self->n_idle - 1];
    if (zsock_send(self->pipes[i], "sp", "RUN", job) != 0)
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
    int index = -1;
    void *job = NULL;
    if (zsock_recv(self->done, "ip", &index, &job) < 0 || !job)
        return NULL;
    if (index >= 0 && (size_t)index < self->size && self->n_idle < self->size)
        self->idle[self->n_idle++] = index;
    return job;
}
