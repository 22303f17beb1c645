// The threads that run a worker node's actions: up to one thread per
// slot, so that actions may block (std.sleep, std.http, custom
// executables) without ever stopping the node's loop. A thread starts the
// first time a job finds no idle one, and then stays until the pool ends,
// so a node that runs only inline actions (wrk_action.h) has none. The
// node hands a job to an idle thread; the thread runs it (wrk_job_run)
// and gives it back through one PULL socket the node polls.
//
// Thread rule: a pool belongs to the node thread. A submitted job is lent
// to its pool thread until wrk_pool_take gives it back; in between the
// node may only read its plain fields and set its cancel handle.
#ifndef WRK_POOL_H
#define WRK_POOL_H

#include <czmq.h>
#include <stddef.h>

#include "sr_err.h"
#include "wrk_job.h"

typedef struct wrk_pool wrk_pool_t;

// A pool of at most `threads` threads (>= 1), none started yet, running
// jobs with `env`, which is borrowed and must outlive the pool. Errors:
// SR_EINVAL (no thread), SR_ENOMEM, SR_EIO (the PULL socket could not be
// made). Caller owns *out.
sr_err_t wrk_pool_new(const wrk_job_env_t *env, size_t threads,
                      wrk_pool_t **out, sr_error_t *err);

// Stop the threads, waiting for each to finish the job it runs (cancel
// them first to be quick); jobs finished and not taken are forgotten, not
// destroyed (the node's table owns them). NULL-safe; sets *self_p to NULL.
void wrk_pool_destroy(wrk_pool_t **self_p);

// The most threads; those started so far; those started that run
// nothing now.
size_t wrk_pool_size(const wrk_pool_t *self);
size_t wrk_pool_threads(const wrk_pool_t *self);
size_t wrk_pool_idle(const wrk_pool_t *self);

// Give `job` to an idle thread, starting one when none is idle and the
// pool is not full; the thread runs it at once. SR_EUNAVAIL when every
// thread is busy and the pool is full, SR_EIO when a thread could not
// start or the hand-over failed; the job is then not lent.
sr_err_t wrk_pool_submit(wrk_pool_t *self, wrk_job_t *job, sr_error_t *err);

// The socket that becomes readable when a job finished (for polling).
zsock_t *wrk_pool_done_sock(wrk_pool_t *self);

// A finished job given back, or NULL when none is waiting. Never blocks.
// Its thread is idle again.
wrk_job_t *wrk_pool_take(wrk_pool_t *self);

#endif
