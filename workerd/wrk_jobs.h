// The jobs of a worker node (wrk_job.h), found by action id and attempt,
// with the queue of QUEUED jobs (oldest first) and the list of UNACKED
// jobs (least recently sent first, so the next RESULT due for a resend is
// always the first). Keeps a count per state. Pure bookkeeping: sends
// nothing, reads no clock.
//
// Thread rule: belongs to the node thread. The table owns its jobs; a
// RUNNING job is lent to a pool thread but stays in the table.
#ifndef WRK_JOBS_H
#define WRK_JOBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_id.h"
#include "wrk_job.h"

typedef struct wrk_jobs wrk_jobs_t;

// An empty table; NULL when out of memory. Free with wrk_jobs_destroy.
wrk_jobs_t *wrk_jobs_new(void);

// Destroy every job and the table (NULL-safe; sets *self_p to NULL). No
// job may be RUNNING.
void wrk_jobs_destroy(wrk_jobs_t **self_p);

// Add a job in the state it has (QUEUED ones join the end of the queue)
// and take it (*job_p set to NULL) on success. SR_EEXIST when a job with
// the same action id and attempt is in the table; SR_ENOMEM. On failure
// the caller keeps the job.
sr_err_t wrk_jobs_add(wrk_jobs_t *self, wrk_job_t **job_p, sr_error_t *err);

// The job of this action id and attempt, or NULL. Borrowed.
wrk_job_t *wrk_jobs_find(wrk_jobs_t *self, const sr_id_t *action_id,
                         int64_t attempt);

// Remove a job from the table and destroy it. Not while it is RUNNING.
void wrk_jobs_remove(wrk_jobs_t *self, wrk_job_t *job);

// Move a job to another state, leaving the queue or the unacked list as
// needed. Entering UNACKED puts it at the end of the unacked list (see
// wrk_jobs_sent). SR_ENOMEM when the list cannot grow (state unchanged).
sr_err_t wrk_jobs_set_state(wrk_jobs_t *self, wrk_job_t *job,
                            wrk_job_state_t state, sr_error_t *err);

// The first job of the queue, or NULL. Borrowed; it stays queued.
wrk_job_t *wrk_jobs_queue_head(wrk_jobs_t *self);

// The first job of the queue for which `ok` is true, or NULL. Borrowed.
typedef bool(wrk_jobs_pred_fn)(const wrk_job_t *job, void *arg);
wrk_job_t *wrk_jobs_queue_first(wrk_jobs_t *self, wrk_jobs_pred_fn *ok,
                                void *arg);

// An UNACKED job's RESULT was sent again at `now_ms`: it moves to the end
// of the unacked list.
void wrk_jobs_sent(wrk_jobs_t *self, wrk_job_t *job, int64_t now_ms);

// The UNACKED job sent least recently, or NULL. Borrowed.
wrk_job_t *wrk_jobs_unacked_head(wrk_jobs_t *self);

// How many jobs are in `state`; how many in all.
size_t wrk_jobs_count(const wrk_jobs_t *self, wrk_job_state_t state);
size_t wrk_jobs_size(const wrk_jobs_t *self);

// Call `fn` for every job in `state`, in no particular order. `fn` may
// change the job's fields and send messages but must not add, remove or
// change the state of any job.
typedef void(wrk_jobs_fn)(wrk_job_t *job, void *arg);
void wrk_jobs_each(wrk_jobs_t *self, wrk_job_state_t state, wrk_jobs_fn *fn,
                   void *arg);

#endif
