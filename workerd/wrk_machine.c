// The worker side of the engine <-> worker protocol (docs/protocol.md):
// one handler per message an engine sends (TASK, GO, HALT, ACK, ERROR,
// HEARTBEAT, whose peers join the links and whose partitions say which
// engine serves each partition; anything else is refused with ERROR), one
// for finished actions, the timers and the graceful stop. CONFIRM and
// RESULT go to the engine serving the action's partition (wrk_parts.c),
// else to the one that sent the TASK. Owns the links (sessions and
// heartbeats are wrk_links.c's), the partition map, the job table and
// the action threads. Node thread only.
#include "wrk_machine.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "sr_log.h"
#include "sr_wire.h"
#include "wrk_jobs.h"
#include "wrk_links.h"
#include "wrk_parts.h"
#include "wrk_pool.h"

#define S_BATCH         256  // messages taken from one socket per wake
#define S_BYE_LINGER_MS 1000 // time BYE gets to leave
#define S_CANCEL_EXTRA  1000 // ms cancelled actions get beyond kill grace

struct wrk_machine {
    const wrk_node_config_t *cfg; // borrowed, complete
    wrk_job_env_t env;            // what action threads read
    wrk_links_t *links;
    wrk_parts_t *parts; // which link serves each partition
    wrk_jobs_t *jobs;
    wrk_pool_t *pool;
    size_t polled_links;    // links in the last poll items (more may come)
    wrk_node_stats_t stats; // action counters; the rest filled on demand
    bool is_stopping;
    bool is_cancelled;   // running actions were told to stop
    bool is_stopped;     // BYE sent, links closed
    int64_t deadline_ms; // end of the grace when stopping
    int64_t hard_ms;     // past it the stop ends, late actions or not
    int64_t retry_ms;    // next look for CONFIRMs and RESULTs not at the
                         // engine serving their partition
};

// --- helpers ----------------------------------------------------------------

// Answer message `in` of engine `i` with ERROR `code` about `field`.
static void s_refuse(wrk_machine_t *self, size_t i, const sr_wire_in_t *in,
                     sr_err_t code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static void
s_refuse(wrk_machine_t *self, size_t i, const sr_wire_in_t *in, sr_err_t code,
         const char *field, const char *fmt, ...)
{
    sr_error_t cause;
    va_list ap;
    va_start(ap, fmt);
    sr_error_vset(&cause, code, fmt, ap);
    va_end(ap);
    if (field)
        snprintf(cause.where, sizeof cause.where, "field '%s'", field);
    wrk_links_refuse(self->links, i, in, &cause);
}

// Refuse a TASK: the ERROR names the action, so that the engine frees
// the slot and offers the action again later.
static void s_refuse_task(wrk_machine_t *self, size_t i, const wrk_job_t *job,
                          int64_t now_ms, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void
s_refuse_task(wrk_machine_t *self, size_t i, const wrk_job_t *job,
              int64_t now_ms, const char *fmt, ...)
{
    sr_error_t cause;
    va_list ap;
    va_start(ap, fmt);
    sr_error_vset(&cause, SR_EPROTO, fmt, ap);
    va_end(ap);
    snprintf(cause.where, sizeof cause.where, "field 'action_id'");
    sr_warn("refused TASK: %s", cause.msg);
    wrk_links_note_refused(self->links);
    sr_msg_t *m = sr_msg_error_new(&cause, -1);
    if (m && sr_msg_set_id(m, SR_F_ERROR_action_id, &job->action_id))
        sr_msg_destroy(&m);
    if (m)
        wrk_links_send(self->links, i, m, now_ms);
    sr_msg_destroy(&m);
}

// A TASK of its link's current session no longer holds an engine slot.
static void
s_release_credit(wrk_machine_t *self, const wrk_job_t *job)
{
    wrk_link_t *link = wrk_links_at(self->links, job->link);
    if (job->session == link->session && link->credit_used > 0)
        link->credit_used--;
}

// Action threads neither running nor promised to a CONFIRM.
static size_t
s_free_slots(const wrk_machine_t *self)
{
    size_t busy = wrk_jobs_count(self->jobs, WRK_JOB_CONFIRMING) +
                  wrk_jobs_count(self->jobs, WRK_JOB_RUNNING);
    return busy < self->cfg->slots ? self->cfg->slots - busy : 0;
}

// --- CONFIRM and RESULT -----------------------------------------------------

// The link a job's CONFIRM and RESULT go to: the one serving its
// partition, else the one that sent its TASK.
static size_t
s_dest(const wrk_machine_t *self, const wrk_job_t *job)
{
    size_t link = job->link;
    (void)wrk_parts_leader(self->parts, sr_id_partition(&job->action_id),
                           &link);
    return link;
}

static bool
s_send_confirm(wrk_machine_t *self, wrk_job_t *job, int64_t now_ms)
{
    size_t dest = s_dest(self, job);
    sr_msg_t *m = wrk_job_confirm_new(job);
    bool is_sent = m && wrk_links_send(self->links, dest, m, now_ms);
    sr_msg_destroy(&m);
    job->sent_link = is_sent ? dest : WRK_JOB_UNSENT;
    if (is_sent)
        job->sent_ms = now_ms;
    return is_sent;
}

// Is the engine that answers a job reachable (not lost)?
static bool
s_is_link_up(const wrk_job_t *job, void *arg)
{
    wrk_machine_t *self = arg;
    return !wrk_links_at(self->links, s_dest(self, job))->is_lost;
}

// Send CONFIRM for queued TASKs while threads are free, oldest first,
// skipping those of lost engines (they wait, holding no thread, until
// their engine is heard from again). A CONFIRM that cannot leave keeps
// its TASK queued for the next tick.
static void
s_pump(wrk_machine_t *self, int64_t now_ms)
{
    wrk_job_t *job;
    while (!self->is_stopping && s_free_slots(self) > 0 &&
           (job = wrk_jobs_queue_first(self->jobs, s_is_link_up, self)) !=
               NULL) {
        if (!s_send_confirm(self, job, now_ms))
            return;
        wrk_jobs_set_state(self->jobs, job, WRK_JOB_CONFIRMING, NULL);
    }
}

// Send (or send again) the RESULT of an UNACKED job.
static void
s_send_result(wrk_machine_t *self, wrk_job_t *job, int64_t now_ms)
{
    wrk_jobs_sent(self->jobs, job, now_ms);
    size_t dest = s_dest(self, job);
    job->sent_link = WRK_JOB_UNSENT;
    if (wrk_job_fallback(job, NULL) != SR_OK)
        return; // out of memory: tried again at the next resend
    if (!wrk_links_send(self->links, dest, job->result, now_ms))
        return;
    job->sent_link = dest;
    if (job->is_result_sent)
        self->stats.resends++;
    else
        self->stats.results++;
    job->is_result_sent = true;
}

// A job is over on this side: it becomes UNACKED and its RESULT leaves.
static void
s_finish(wrk_machine_t *self, wrk_job_t *job, int64_t now_ms)
{
    s_release_credit(self, job);
    if (wrk_jobs_set_state(self->jobs, job, WRK_JOB_UNACKED, NULL) != SR_OK) {
        sr_errorf("action=%s out of memory; RESULT lost", job->key);
        wrk_jobs_remove(self->jobs, job);
        return;
    }
    s_send_result(self, job, now_ms);
    s_pump(self, now_ms);
}

// Which unanswered CONFIRMs and RESULTs go (again), for the callbacks
// below: those for one link after its new session, or those that are not
// at the engine serving their partition (its engine changed, the send
// failed, or the engine answered EUNAVAIL).
typedef enum { S_TO_LINK, S_ASTRAY } s_which_t;

typedef struct {
    wrk_machine_t *self;
    s_which_t which;
    size_t link; // S_TO_LINK: the link of the new session
    int64_t now_ms;
} s_session_t;

static bool
s_is_due(const s_session_t *ctx, const wrk_job_t *job)
{
    size_t dest = s_dest(ctx->self, job);
    return ctx->which == S_TO_LINK ? dest == ctx->link : dest != job->sent_link;
}

static void
s_resend_of_link(wrk_job_t *job, void *arg)
{
    s_session_t *ctx = arg;
    if (s_is_due(ctx, job))
        s_send_result(ctx->self, job, ctx->now_ms);
}

static void
s_reconfirm_of_link(wrk_job_t *job, void *arg)
{
    s_session_t *ctx = arg;
    if (s_is_due(ctx, job))
        s_send_confirm(ctx->self, job, ctx->now_ms);
}

// Send the unanswered CONFIRMs and RESULTs that are not at the engine
// serving their partition, at once.
static void
s_resend_astray(wrk_machine_t *self, int64_t now_ms)
{
    s_session_t ctx = {self, S_ASTRAY, 0, now_ms};
    wrk_jobs_each(self->jobs, WRK_JOB_UNACKED, s_resend_of_link, &ctx);
    wrk_jobs_each(self->jobs, WRK_JOB_CONFIRMING, s_reconfirm_of_link, &ctx);
}

// --- handlers of engine messages ---------------------------------------------

static void
s_on_task(wrk_machine_t *self, size_t i, sr_wire_in_t *in, int64_t now_ms)
{
    wrk_link_t *link = wrk_links_at(self->links, i);
    const char *name = self->cfg->name;
    if (self->is_stopping) {
        s_refuse(self, i, in, SR_EUNAVAIL, NULL, "worker '%s' is stopping",
                 name);
        return;
    }
    wrk_job_t *job = NULL;
    sr_error_t err;
    if (wrk_job_new(&in->msg, i, link->session, &job, &err) != SR_OK) {
        wrk_links_refuse(self->links, i, in, &err);
        return;
    }
    wrk_job_t *known = wrk_jobs_find(self->jobs, &job->action_id, job->attempt);
    if (known && known->state == WRK_JOB_UNACKED) {
        s_send_result(self, known, now_ms); // the engine lacks it
    } else if (known) {
        s_refuse_task(self, i, job, now_ms,
                      "TASK for action %s again while it is here", job->key);
    } else if (link->credit_used >= self->cfg->slots) {
        s_refuse_task(self, i, job, now_ms,
                      "TASK %s over credit: %zu TASKs already hold the %zu "
                      "slots of worker '%s'",
                      job->key, link->credit_used, self->cfg->slots, name);
    } else if (wrk_jobs_add(self->jobs, &job, &err) != SR_OK) {
        wrk_links_refuse(self->links, i, in, &err);
    } else {
        link->credit_used++;
        self->stats.tasks++;
        s_pump(self, now_ms);
    }
    wrk_job_destroy(&job);
}

// The job of engine `i` an answer names, or NULL after refusing it (a
// late ACK is not refused: it is normal after a resend). An answer comes
// from the engine that sent the TASK or from the one the last CONFIRM or
// RESULT went to (its partition's engine changed meanwhile).
static wrk_job_t *
s_answered_job(wrk_machine_t *self, size_t i, sr_wire_in_t *in,
               sr_field_t id_field, sr_field_t attempt_field)
{
    sr_id_t id;
    char text[SR_ID_TEXT_SIZE];
    sr_msg_id(in->msg, id_field, &id);
    int64_t attempt = sr_msg_int(in->msg, attempt_field, 0);
    wrk_job_t *job = wrk_jobs_find(self->jobs, &id, attempt);
    if (job && (job->link == i || job->sent_link == i))
        return job;
    if (in->type != SR_MSG_ACK)
        s_refuse(self, i, in, SR_EPROTO, "action_id",
                 "%s for action %s/%" PRId64 ", which this worker does "
                 "not hold",
                 sr_msg_type_name(in->type), sr_id_format(&id, text), attempt);
    return NULL;
}

// Start a CONFIRMING job; SR_OK or why not. An inline action runs here
// and now, in the node's thread (no cancel handle: nothing could set it
// while it runs), and its RESULT leaves in this same turn; any other goes
// to an action thread.
static sr_err_t
s_start(wrk_machine_t *self, wrk_job_t *job, int64_t now_ms, sr_error_t *err)
{
    if (self->is_cancelled)
        return sr_error_set(err, SR_EUNAVAIL, "worker '%s' is stopping",
                            self->cfg->name);
    if (wrk_job_is_inline(job, &self->env)) {
        wrk_job_run(job, &self->env);
        self->stats.inlined++;
        s_finish(self, job, now_ms);
        return SR_OK;
    }
    sr_err_t rc = job->cancel ? SR_OK : wrk_cancel_new(&job->cancel, err);
    if (rc == SR_OK)
        rc = wrk_jobs_set_state(self->jobs, job, WRK_JOB_RUNNING, err);
    if (rc == SR_OK && (rc = wrk_pool_submit(self->pool, job, err)) != SR_OK)
        wrk_jobs_set_state(self->jobs, job, WRK_JOB_CONFIRMING, NULL);
    return rc;
}

static void
s_on_go(wrk_machine_t *self, size_t i, sr_wire_in_t *in, int64_t now_ms)
{
    wrk_job_t *job =
        s_answered_job(self, i, in, SR_F_GO_action_id, SR_F_GO_attempt);
    if (!job || job->state == WRK_JOB_RUNNING || job->state == WRK_JOB_UNACKED)
        return; // a repeated GO changes nothing
    if (job->state != WRK_JOB_CONFIRMING) {
        s_refuse(self, i, in, SR_EPROTO, NULL,
                 "GO for action %s before its CONFIRM", job->key);
        return;
    }
    sr_error_t err;
    if (s_start(self, job, now_ms, &err) == SR_OK)
        return;
    sr_warn("action=%s not started: %s", job->key, err.msg);
    wrk_job_fail(job, err.msg, NULL); // else the fallback RESULT
    s_finish(self, job, now_ms);
}

static void
s_on_halt(wrk_machine_t *self, size_t i, sr_wire_in_t *in, int64_t now_ms)
{
    wrk_job_t *job =
        s_answered_job(self, i, in, SR_F_HALT_action_id, SR_F_HALT_attempt);
    if (!job)
        return;
    if (job->state == WRK_JOB_RUNNING || job->state == WRK_JOB_UNACKED) {
        s_refuse(self, i, in, SR_EPROTO, NULL,
                 "HALT for action %s after GO; it runs to its end", job->key);
        return;
    }
    const char *reason = sr_msg_str(in->msg, SR_F_HALT_reason);
    sr_info("engine=%s action=%s halted: %s",
            wrk_links_at(self->links, i)->endpoint, job->key,
            reason ? reason : "");
    self->stats.halts++;
    s_release_credit(self, job);
    wrk_jobs_remove(self->jobs, job);
    s_pump(self, now_ms);
}

static void
s_on_ack(wrk_machine_t *self, size_t i, sr_wire_in_t *in)
{
    wrk_job_t *job =
        s_answered_job(self, i, in, SR_F_ACK_action_id, SR_F_ACK_attempt);
    if (!job)
        return;
    if (job->state != WRK_JOB_UNACKED) {
        s_refuse(self, i, in, SR_EPROTO, NULL,
                 "ACK for action %s before its RESULT", job->key);
        return;
    }
    self->stats.acks++;
    wrk_jobs_remove(self->jobs, job);
}

typedef struct {
    size_t link; // the engine that answered EUNAVAIL
    sr_id_t id;  // the action it names
} s_unavail_t;

static void
s_unsend(wrk_job_t *job, void *arg)
{
    const s_unavail_t *u = arg;
    if (job->sent_link == u->link && sr_id_equal(&job->action_id, &u->id))
        job->sent_link = WRK_JOB_UNSENT;
}

// Engine `i` sent ERROR. EUNAVAIL naming an action (`action_id`): the
// engine does not serve its partition; its CONFIRM or RESULT is kept and
// goes again when the partitions change, or at the next look (a
// heartbeat interval later).
static void
s_on_error(wrk_machine_t *self, size_t i, sr_wire_in_t *in, int64_t now_ms)
{
    wrk_links_on_error(self->links, i, in->msg, now_ms);
    sr_error_t e;
    s_unavail_t u = {.link = i};
    if (sr_msg_to_error(in->msg, &e) != SR_EUNAVAIL ||
        !sr_msg_id(in->msg, SR_F_ERROR_action_id, &u.id))
        return;
    wrk_jobs_each(self->jobs, WRK_JOB_CONFIRMING, s_unsend, &u);
    wrk_jobs_each(self->jobs, WRK_JOB_UNACKED, s_unsend, &u);
}

// Engine `i`'s HEARTBEAT may say which partitions it serves now: when
// that changes, what is not at the engine serving its partition goes
// there at once, and TASKs waiting for a lost engine may be confirmed at
// their partition's new one.
static void
s_on_partitions(wrk_machine_t *self, size_t i, sr_wire_in_t *in, int64_t now_ms)
{
    const sr_value_t *list = sr_msg_get(in->msg, SR_F_HEARTBEAT_partitions);
    bool is_changed = false;
    sr_error_t err;
    if (!list)
        return; // an engine that says nothing of partitions
    sr_err_t rc = wrk_parts_heard(self->parts, i, list, &is_changed, &err);
    if (rc == SR_EPROTO)
        wrk_links_refuse(self->links, i, in, &err);
    else if (rc)
        sr_warn("engine=%s partitions not taken: %s",
                wrk_links_at(self->links, i)->endpoint, err.msg);
    if (!is_changed)
        return;
    s_resend_astray(self, now_ms);
    s_pump(self, now_ms);
}

static void
s_dispatch(wrk_machine_t *self, size_t i, sr_wire_in_t *in, int64_t now_ms)
{
    switch (in->type) {
    case SR_MSG_TASK:
        s_on_task(self, i, in, now_ms);
        break;
    case SR_MSG_GO:
        s_on_go(self, i, in, now_ms);
        break;
    case SR_MSG_HALT:
        s_on_halt(self, i, in, now_ms);
        break;
    case SR_MSG_ACK:
        s_on_ack(self, i, in);
        break;
    case SR_MSG_ERROR:
        s_on_error(self, i, in, now_ms);
        break;
    case SR_MSG_HEARTBEAT:
        wrk_links_learn(self->links, i, in->msg, now_ms); // peers, if any
        s_on_partitions(self, i, in, now_ms);
        break;
    default:
        s_refuse(self, i, in, SR_EPROTO, NULL,
                 "%s is not a message for a worker",
                 sr_msg_type_name(in->type));
    }
}

// A message of engine `i` (`rc` and `err` as received), or each item of
// a BATCH in order, as if it had come alone: handled, or refused when it
// does not decode.
static void
s_take(wrk_machine_t *self, size_t i, sr_wire_in_t *in, sr_err_t rc,
       const sr_error_t *err, int64_t now_ms)
{
    if (rc == SR_OK && in->type == SR_MSG_BATCH) {
        sr_limits_t limits = {.max_bytes = self->cfg->max_message_bytes};
        for (size_t k = 0; k < sr_wire_in_items(in) && !self->is_stopped; k++) {
            sr_wire_in_t item;
            sr_error_t ierr;
            sr_err_t irc = sr_wire_in_item(in, k, &limits, &item, &ierr);
            s_take(self, i, &item, irc, &ierr, now_ms); // never a BATCH
            sr_wire_in_fini(&item);
        }
    } else if (rc == SR_OK)
        s_dispatch(self, i, in, now_ms);
    else
        wrk_links_on_bad(self->links, i, in, err);
}

static void
s_on_link(wrk_machine_t *self, size_t i, int64_t now_ms)
{
    for (int n = 0; n < S_BATCH; n++) {
        sr_wire_in_t in;
        sr_error_t err;
        sr_err_t rc = wrk_links_recv(self->links, i, now_ms, &in, &err);
        if (rc != SR_ETIMEDOUT && rc != SR_EIO)
            s_take(self, i, &in, rc, &err, now_ms);
        sr_wire_in_fini(&in);
        if (rc == SR_EIO)
            sr_warn("engine=%s receive failed: %s",
                    wrk_links_at(self->links, i)->endpoint, err.msg);
        if (rc == SR_ETIMEDOUT || rc == SR_EIO || self->is_stopped)
            return;
    }
}

// Jobs the action threads finished.
static void
s_on_pool(wrk_machine_t *self, int64_t now_ms)
{
    wrk_job_t *job;
    while ((job = wrk_pool_take(self->pool)) != NULL)
        s_finish(self, job, now_ms);
}

typedef struct {
    wrk_machine_t *self;
    size_t link, n;
    wrk_job_t *jobs[WRK_NODE_SLOTS_MAX];
} s_gather_t;

// A CONFIRMING job waiting on the link: its CONFIRM went there, or goes
// there when sent again.
static void
s_gather_of_link(wrk_job_t *job, void *arg)
{
    s_gather_t *g = arg;
    if ((job->sent_link == g->link || s_dest(g->self, job) == g->link) &&
        g->n < WRK_NODE_SLOTS_MAX)
        g->jobs[g->n++] = job;
}

// The CONFIRMs waiting on a lost engine hold threads that other engines
// could use: their TASKs go back to the queue until the engine is heard
// from again (then CONFIRM goes as for any queued TASK), or until another
// engine serves their partition.
static void
s_requeue_of_link(wrk_machine_t *self, size_t i)
{
    s_gather_t *g = malloc(sizeof *g);
    if (!g)
        return; // out of memory: they keep their threads
    g->self = self;
    g->link = i;
    g->n = 0;
    wrk_jobs_each(self->jobs, WRK_JOB_CONFIRMING, s_gather_of_link, g);
    for (size_t k = 0; k < g->n; k++)
        wrk_jobs_set_state(self->jobs, g->jobs[k], WRK_JOB_QUEUED, NULL);
    if (g->n)
        sr_info("engine=%s lost; %zu TASKs wait for it without a thread",
                wrk_links_at(self->links, i)->endpoint, g->n);
    free(g);
}

// A new session with engine `i` (wrk_links_ready_fn): the engine answers
// CONFIRMs from its durable state, so unanswered ones go again, and so do
// the RESULTs it has not acknowledged (those of the partitions it serves,
// and of the TASKs it sent whose partition no engine lists). After a
// silence (a lost engine) it serves no partition until it lists them
// again, and the unanswered CONFIRMs wait in the queue instead; what its
// partitions' other engines should have goes to them.
static void
s_on_ready(size_t i, int64_t now_ms, void *arg)
{
    wrk_machine_t *self = arg;
    s_session_t ctx = {self, S_TO_LINK, i, now_ms};
    bool is_lost = wrk_links_at(self->links, i)->is_lost;
    bool is_moved = is_lost && wrk_parts_forget(self->parts, i);
    wrk_jobs_each(self->jobs, WRK_JOB_UNACKED, s_resend_of_link, &ctx);
    if (is_lost)
        s_requeue_of_link(self, i);
    else
        wrk_jobs_each(self->jobs, WRK_JOB_CONFIRMING, s_reconfirm_of_link,
                      &ctx);
    if (is_moved)
        s_resend_astray(self, now_ms);
}

// What the worker holds for link `i`, for its HEARTBEAT (`holding`): the
// actions whose CONFIRM and RESULT go there.
typedef struct {
    const wrk_machine_t *self;
    size_t link;
    sr_value_t *ids; // array of 16-byte ids; NULL when out of memory
} s_holding_t;

static void
s_holding_add(wrk_job_t *job, void *arg)
{
    s_holding_t *h = arg;
    if (h->ids && s_dest(h->self, job) == h->link &&
        sr_value_array_append(h->ids, sr_id_to_value(&job->action_id)))
        sr_value_destroy(&h->ids);
}

// A list longer than the message table allows is left out: the engine
// then checks nothing.
static sr_err_t
s_on_beat(size_t i, sr_msg_t *heartbeat, void *arg)
{
    wrk_machine_t *self = arg;
    static const wrk_job_state_t states[] = {WRK_JOB_QUEUED, WRK_JOB_CONFIRMING,
                                             WRK_JOB_RUNNING, WRK_JOB_UNACKED};
    if ((int64_t)wrk_jobs_size(self->jobs) >
        sr_field_desc(SR_F_HEARTBEAT_holding)->limit)
        return SR_OK;
    s_holding_t h = {self, i, sr_value_new_array(wrk_jobs_size(self->jobs))};
    for (size_t k = 0; k < sizeof states / sizeof *states; k++)
        wrk_jobs_each(self->jobs, states[k], s_holding_add, &h);
    return h.ids ? sr_msg_set(heartbeat, SR_F_HEARTBEAT_holding, h.ids)
                 : SR_ENOMEM;
}

// --- timers -----------------------------------------------------------------

static int64_t
s_min(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

// RESULTs without ACK for the resend time; returns when next due.
static int64_t
s_tick_resends(wrk_machine_t *self, int64_t now_ms)
{
    size_t n = wrk_jobs_count(self->jobs, WRK_JOB_UNACKED);
    wrk_job_t *job;
    while (n-- > 0 && (job = wrk_jobs_unacked_head(self->jobs)) != NULL &&
           job->sent_ms + self->cfg->resend_ms <= now_ms)
        s_send_result(self, job, now_ms);
    job = wrk_jobs_unacked_head(self->jobs);
    return job ? job->sent_ms + self->cfg->resend_ms : INT64_MAX;
}

// Once per heartbeat interval, the CONFIRMs and RESULTs not at the engine
// serving their partition (refused with EUNAVAIL, or they could not
// leave) go again; returns when next due.
static int64_t
s_tick_astray(wrk_machine_t *self, int64_t now_ms)
{
    if (now_ms >= self->retry_ms) {
        s_resend_astray(self, now_ms);
        self->retry_ms = now_ms + self->cfg->heartbeat_ms;
    }
    return self->retry_ms;
}

static void
s_cancel(wrk_job_t *job, void *arg)
{
    (void)arg;
    wrk_cancel_set(job->cancel);
}

// Past the grace, running actions are told to stop; returns when next due.
static int64_t
s_tick_stop(wrk_machine_t *self, int64_t now_ms)
{
    if (!self->is_stopping)
        return INT64_MAX;
    if (now_ms < self->deadline_ms)
        return self->deadline_ms;
    if (!self->is_cancelled) {
        self->is_cancelled = true;
        size_t n = wrk_jobs_count(self->jobs, WRK_JOB_RUNNING);
        if (n > 0)
            sr_warn("worker=%s grace of %" PRId64 " ms over; cancelling %zu "
                    "actions",
                    self->cfg->name, self->cfg->grace_ms, n);
        wrk_jobs_each(self->jobs, WRK_JOB_RUNNING, s_cancel, NULL);
    }
    return self->hard_ms;
}

int64_t
wrk_machine_tick(wrk_machine_t *self, int64_t now_ms)
{
    if (self->is_stopped)
        return INT64_MAX;
    s_on_pool(self, now_ms);
    s_pump(self, now_ms);
    int64_t next = wrk_links_tick(self->links, now_ms);
    next = s_min(next, s_tick_resends(self, now_ms));
    next = s_min(next, s_tick_astray(self, now_ms));
    next = s_min(next, s_tick_stop(self, now_ms));
    wrk_links_flush(self->links); // what this turn sends, in one go
    return next;
}

// --- public -----------------------------------------------------------------

sr_err_t
wrk_machine_new(const wrk_node_config_t *cfg, int64_t now_ms,
                wrk_machine_t **out, sr_error_t *err)
{
    wrk_machine_t *self = calloc(1, sizeof *self);
    if (!self)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    self->cfg = cfg;
    self->env = (wrk_job_env_t){cfg->registry, cfg->actions, cfg->n_actions,
                                cfg->name, cfg->max_message_bytes};
    sr_err_t rc = SR_ENOMEM;
    if (!(self->jobs = wrk_jobs_new()) ||
        !(self->parts = wrk_parts_new(WRK_NODE_ENGINES_MAX))) {
        sr_error_set(err, rc, "out of memory");
        goto fail;
    }
    if ((rc = wrk_pool_new(&self->env, cfg->slots, &self->pool, err)) ||
        (rc = wrk_links_new(cfg, now_ms, s_on_ready, self, &self->links, err)))
        goto fail;
    wrk_links_on_beat(self->links, s_on_beat, self);
    for (size_t i = 0; i < cfg->n_engines; i++)
        wrk_links_ready(self->links, i, now_ms);
    *out = self;
    return SR_OK;
fail:
    wrk_machine_destroy(&self);
    return rc;
}

void
wrk_machine_destroy(wrk_machine_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    wrk_machine_t *self = *self_p;
    if (self->jobs)
        wrk_jobs_each(self->jobs, WRK_JOB_RUNNING, s_cancel, NULL);
    wrk_pool_destroy(&self->pool); // waits for running actions
    wrk_links_destroy(&self->links);
    wrk_parts_destroy(&self->parts);
    wrk_jobs_destroy(&self->jobs);
    free(self);
    *self_p = NULL;
}

size_t
wrk_machine_poll_items(wrk_machine_t *self, zmq_pollitem_t *items, size_t max)
{
    size_t n = wrk_links_size(self->links);
    if (max < n + 1)
        return 0;
    self->polled_links = n;
    wrk_links_poll_items(self->links, items);
    zsock_t *done = wrk_pool_done_sock(self->pool);
    items[n] = (zmq_pollitem_t){zsock_resolve(done), 0, ZMQ_POLLIN, 0};
    return n + 1;
}

void
wrk_machine_handle(wrk_machine_t *self, size_t i, int64_t now_ms)
{
    if (self->is_stopped)
        return;
    if (i < self->polled_links)
        s_on_link(self, i, now_ms);
    else
        s_on_pool(self, now_ms);
    wrk_links_flush(self->links);
}

void
wrk_machine_stop(wrk_machine_t *self, int64_t now_ms)
{
    if (self->is_stopping)
        return;
    self->is_stopping = true;
    const wrk_config_t *rcfg = wrk_registry_config(self->cfg->registry);
    self->deadline_ms = now_ms + self->cfg->grace_ms;
    self->hard_ms = self->deadline_ms + rcfg->kill_grace_ms + S_CANCEL_EXTRA;
    sr_info("worker=%s stopping: %zu running, %zu queued dropped",
            self->cfg->name, wrk_jobs_count(self->jobs, WRK_JOB_RUNNING),
            wrk_jobs_count(self->jobs, WRK_JOB_QUEUED));
    wrk_job_t *job;
    while ((job = wrk_jobs_queue_head(self->jobs)) != NULL)
        wrk_jobs_remove(self->jobs, job); // never confirmed: the engine
                                          // gives them to another worker
    wrk_links_stop(self->links, now_ms);
}

// Nothing left to wait for?
static bool
s_is_over(wrk_machine_t *self, int64_t now_ms)
{
    size_t running = wrk_jobs_count(self->jobs, WRK_JOB_RUNNING);
    size_t pending = running + wrk_jobs_count(self->jobs, WRK_JOB_CONFIRMING) +
                     wrk_jobs_count(self->jobs, WRK_JOB_UNACKED);
    if (pending == 0 || now_ms >= self->hard_ms)
        return true;
    return self->is_cancelled && running == 0;
}

bool
wrk_machine_is_stopped(wrk_machine_t *self, int64_t now_ms)
{
    if (self->is_stopped)
        return true;
    if (!self->is_stopping || !s_is_over(self, now_ms))
        return false;
    wrk_links_bye(self->links, now_ms, S_BYE_LINGER_MS);
    sr_info("worker=%s stopped: %zu running, %zu RESULTs without ACK",
            self->cfg->name, wrk_jobs_count(self->jobs, WRK_JOB_RUNNING),
            wrk_jobs_count(self->jobs, WRK_JOB_UNACKED));
    self->is_stopped = true;
    return true;
}

void
wrk_machine_stats(const wrk_machine_t *self, wrk_node_stats_t *out)
{
    *out = self->stats;
    wrk_links_stats(self->links, out);
    out->queued = wrk_jobs_count(self->jobs, WRK_JOB_QUEUED);
    out->confirming = wrk_jobs_count(self->jobs, WRK_JOB_CONFIRMING);
    out->running = wrk_jobs_count(self->jobs, WRK_JOB_RUNNING);
    out->unacked = wrk_jobs_count(self->jobs, WRK_JOB_UNACKED);
    out->threads = wrk_pool_threads(self->pool);
}
