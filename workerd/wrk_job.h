// One action execution inside a worker node: the TASK as it arrived, where
// it stands in the protocol (QUEUED, CONFIRMING, RUNNING, UNACKED), the
// engine link it came from, and once run, the RESULT it resends until ACK.
// A private record of the node (wrk_node.h): its fields are public so that
// the node's rooms (wrk_jobs, wrk_machine) can read them without a getter
// per field.
//
// Thread rule: the node thread owns a job, except while it is RUNNING:
// then one pool thread calls wrk_job_run, which reads `task` and writes
// `result`, and the node thread touches nothing but the plain fields it
// wrote before (state, link, keys) and `cancel` (wrk_cancel_set is
// thread-safe). The handover both ways goes through an inproc socket.
// An inline action (wrk_job_is_inline) is run by the node thread itself
// and never becomes RUNNING.
#ifndef WRK_JOB_H
#define WRK_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_id.h"
#include "sr_msg.h"
#include "wrk_cancel.h"
#include "wrk_registry.h"

#define WRK_JOB_KEY_SIZE (SR_ID_TEXT_SIZE + 24) // "uuid/attempt"
#define WRK_JOB_UNSENT   SIZE_MAX // wrk_job_t.sent_link: not delivered

typedef enum {
    WRK_JOB_QUEUED = 0, // TASK received, waiting for a free slot
    WRK_JOB_CONFIRMING, // CONFIRM sent, waiting for GO or HALT
    WRK_JOB_RUNNING,    // GO received, a pool thread runs it
    WRK_JOB_UNACKED,    // RESULT sent, waiting for ACK
} wrk_job_state_t;

typedef struct wrk_job {
    char key[WRK_JOB_KEY_SIZE]; // "action_id/attempt": the table key
    sr_id_t action_id;
    int64_t attempt;
    int64_t epoch;
    size_t link;      // index of the engine link the TASK came from
    size_t sent_link; // link the last CONFIRM or RESULT went to, or
                      // WRK_JOB_UNSENT: it could not leave, or that
                      // engine answered EUNAVAIL (sent again later)
    uint64_t session; // that link's session when the TASK came
    wrk_job_state_t state;
    int64_t sent_ms;      // monotonic ms of the last CONFIRM or RESULT
    bool is_result_sent;  // the RESULT went out at least once
    void *unacked_handle; // place in the unacked list (wrk_jobs); or NULL
    void *queue_handle;   // place in the queue (wrk_jobs); or NULL
    sr_msg_t *task;       // owned; NULL once run
    sr_msg_t *result;     // owned; the RESULT, once run
    wrk_cancel_t *cancel; // owned; stops the run from the node thread
} wrk_job_t;

// What a run needs besides the job. Read-only, shared by every pool
// thread; it must outlive them.
typedef struct {
    const wrk_registry_t *registry;
    const char *const *actions; // offered names; "p.*" is a prefix
    size_t n_actions;           // 0 = every action of the registry
    const char *worker;         // worker name, for messages
    size_t max_result_bytes;    // largest encoded RESULT sent
} wrk_job_env_t;

// A QUEUED job for the TASK in *task_p, which it takes on success (*task_p
// set to NULL); on failure the caller keeps it. Errors: SR_EPROTO when
// *task_p is not a TASK, SR_ENOMEM. Caller owns *out.
sr_err_t wrk_job_new(sr_msg_t **task_p, size_t link, uint64_t session,
                     wrk_job_t **out, sr_error_t *err);

// NULL-safe; sets *job_p to NULL. Never call it on a RUNNING job.
void wrk_job_destroy(wrk_job_t **job_p);

// The action name of the TASK ("" once run).
const char *wrk_job_action(const wrk_job_t *job);

// The CONFIRM to send for the job. Caller owns it; NULL when out of memory.
sr_msg_t *wrk_job_confirm_new(const wrk_job_t *job);

// True when the job's action may run inline, in the node's thread
// (wrk_registry_is_inline on its name and input); false once run.
bool wrk_job_is_inline(const wrk_job_t *job, const wrk_job_env_t *env);

// Run the job's action to its end (in a pool thread, or inline): checks that
// the action is offered, runs it through the registry with the job's cancel
// handle, and replaces `task` by `result`. Never fails: every failure is
// an `error` RESULT, and a RESULT over env->max_result_bytes becomes one.
// `result` stays NULL only when memory ran out (see wrk_job_fallback).
void wrk_job_run(wrk_job_t *job, const wrk_job_env_t *env);

// Give a job that will not run an `error` RESULT with `text`, dropping
// its TASK. SR_ENOMEM (no RESULT then).
sr_err_t wrk_job_fail(wrk_job_t *job, const char *text, sr_error_t *err);

// Make sure the job has a RESULT: when wrk_job_run could not build one,
// an `error` RESULT saying so. SR_ENOMEM when even that fails.
sr_err_t wrk_job_fallback(wrk_job_t *job, sr_error_t *err);

// True when `action` is one of `actions` (n = 0: every action). An entry
// ending in `*` matches every name starting with what precedes it.
bool wrk_job_offers(const char *const *actions, size_t n, const char *action);

#endif
