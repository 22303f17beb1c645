// The worker endpoint: worker sessions (READY, CREDIT, BYE), credit-based
// offers (never more TASKs at a worker than its free slots, routed by
// offered action and target group), CONFIRM and RESULT turned into core
// events, their GO / HALT / ACK once durable, heartbeats, what workers
// hold, and lost workers. What a turn has for a session leaves at the
// turn's end, as BATCH messages to a worker that speaks 1.7. Owns the sessions
// (eng_worker.c keeps each one's books); borrows the socket, the partitions and
// the batch. Thread rule: the engine loop's thread.
#include "eng_workers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_clock.h"
#include "eng_latency.h"
#include "eng_worker.h"
#include "sr_heartbeat.h"
#include "sr_log.h"
#include "sr_value.h"

// A TASK unconfirmed for this many expiry times is offered again.
#define S_CONFIRM_EXPIRIES 6

struct eng_workers {
    const eng_config_t *cfg; // borrowed, complete
    zsock_t *sock;           // borrowed: the worker endpoint
    eng_parts_t *parts;      // borrowed: partitions, and orphans to give
    eng_batch_t *batch;      // borrowed: where CONFIRMs, RESULTs and lost
                             // actions go
    sr_heartbeat_t *hb;      // owned: the sessions' heartbeats
    eng_worker_t **workers;  // owned
    size_t nworkers, capworkers;
    size_t next;                // round robin of offers
    int64_t next_confirm_check; // when to look for unconfirmed TASKs again
    uint64_t reoffered;         // TASKs refused or not confirmed, offered again
    eng_latency_t *lat;         // owned: task ready -> GO sent
    int64_t flushed_ms;         // the last eng_workers_flush
};

static eng_worker_t *
s_find(const eng_workers_t *self, const sr_wire_peer_t *peer)
{
    for (size_t i = 0; i < self->nworkers; i++)
        if (sr_wire_peer_equal(eng_worker_peer(self->workers[i]), peer))
            return self->workers[i];
    return NULL;
}

// A WORKER_LOST operation for entry `r` of worker `w`; `why` is a static
// text: it ends up in the action's error. False when the batch is full.
static bool
s_lost(eng_workers_t *self, const eng_worker_t *w, const eng_run_t *r,
       const char *why)
{
    size_t pi = 0;
    if (!eng_parts_find(self->parts, sr_id_partition(&r->id), &pi))
        return true;
    eng_op_t *op = eng_batch_add(self->batch);
    if (!op)
        return false;
    op->kind = ENG_OP_EVENT;
    op->part = pi;
    op->ev.kind = CORE_EV_WORKER_LOST;
    op->ev.action_id = r->id;
    op->ev.attempt = r->attempt;
    op->text = strdup(eng_worker_name(w));
    op->ev.worker = op->text;
    op->ev.msg = why;
    return true;
}

// Worker-lost events for what a worker had, then forget it.
static void
s_lose(eng_workers_t *self, eng_worker_t *w, const char *why)
{
    size_t n = eng_worker_nruns(w);
    sr_log(n ? SR_LOG_WARN : SR_LOG_INFO,
           "worker %s gone (%s); %zu actions affected", eng_worker_name(w), why,
           n);
    for (size_t i = 0; i < n && s_lost(self, w, eng_worker_run(w, i), why); i++)
        ;
    const sr_wire_peer_t *peer = eng_worker_peer(w);
    sr_heartbeat_remove(self->hb, peer->id, peer->len);
    for (size_t i = 0; i < self->nworkers; i++)
        if (self->workers[i] == w)
            self->workers[i] = self->workers[--self->nworkers];
    eng_worker_destroy(&w);
}

// Hand an offered attempt back to the core at `due` (REOFFER).
static sr_err_t
s_reoffer(eng_workers_t *self, const sr_id_t *id, uint32_t attempt, int64_t due,
          const char *why)
{
    sr_err_t rc = eng_parts_orphan_add(self->parts,
                                       (eng_orphan_t){.action_id = *id,
                                                      .due = due,
                                                      .kind = CORE_EV_REOFFER,
                                                      .attempt = attempt,
                                                      .worker = why});
    if (!rc)
        self->reoffered++;
    return rc;
}

// Free the slot an attempt of an action held at the worker at `peer`
// (RESULT or HALT; attempt 0: whichever it holds); the attempt freed, 0
// if none.
static uint32_t
s_release(eng_workers_t *self, const sr_wire_peer_t *peer,
          const sr_id_t *action_id, uint32_t attempt)
{
    eng_worker_t *w = s_find(self, peer);
    return w ? eng_worker_release(w, action_id, attempt) : 0;
}

static eng_worker_t *
s_pick(eng_workers_t *self, const char *action, const char *target)
{
    for (size_t k = 0; k < self->nworkers; k++) {
        size_t i = (self->next + k) % self->nworkers;
        if (eng_worker_can_take(self->workers[i], action, target)) {
            self->next = i + 1;
            return self->workers[i];
        }
    }
    return NULL;
}

// Send `m` to the worker at `peer`: a session's messages wait in its
// outbox for the end of the turn (eng_workers_flush), in order; a peer
// without a session gets it at once.
static void
s_send(eng_workers_t *self, const sr_wire_peer_t *peer, sr_msg_t *m)
{
    sr_error_t e;
    if (!m)
        return;
    eng_worker_t *w = s_find(self, peer);
    sr_err_t rc = w ? sr_wire_batch_add(eng_worker_outbox(w), m, &e)
                    : sr_wire_send(self->sock, peer, m, &e);
    if (rc)
        sr_warn("cannot send %s to a worker: %s",
                sr_msg_type_name(sr_msg_type(m)), e.msg);
    else if (!w)
        sr_heartbeat_sent(self->hb, peer->id, peer->len, eng_now_ms());
}

static void
s_error(eng_workers_t *self, const sr_wire_in_t *in, sr_err_t code,
        const char *field, const char *msg)
{
    sr_error_t e;
    sr_error_set(&e, code, "%s", msg);
    if (field)
        snprintf(e.where, sizeof e.where, "field '%s'", field);
    sr_msg_t *m = sr_msg_error_new(&e, -1);
    if (!m)
        sr_errorf("out of memory: an ERROR to a worker is dropped");
    s_send(self, &in->peer, m);
    sr_msg_destroy(&m);
}

// Offer again the TASKs of worker `w` sent from `from` to before
// `before` and not confirmed: the TASK or its CONFIRM was lost (a
// worker's new connection, a full queue). The CONFIRM fence keeps this
// safe: the core tells GO to one CONFIRM of an attempt only, HALT to any
// other.
static void
s_reoffer_unconfirmed(eng_workers_t *self, eng_worker_t *w, int64_t from,
                      int64_t before, const char *why)
{
    char text[SR_ID_TEXT_SIZE];
    for (size_t i = 0; i < eng_worker_nruns(w);) {
        eng_run_t *r = eng_worker_run(w, i);
        if (r->is_go || r->offered_ms < from || r->offered_ms >= before) {
            i++;
            continue;
        }
        sr_warn("action %s offered to worker %s and not confirmed (%s); "
                "offering it again",
                sr_id_format(&r->id, text),
                eng_worker_name(w) ? eng_worker_name(w) : "?", why);
        if (s_reoffer(self, &r->id, r->attempt, eng_now_ms(),
                      "(not confirmed)"))
            return; // out of memory: tried again at the next pass
        eng_worker_drop(w, r);
    }
}

// A session for the worker at `peer`, at the end of the table; NULL when
// out of memory.
static eng_worker_t *
s_add(eng_workers_t *self, const sr_wire_peer_t *peer)
{
    if (self->nworkers == self->capworkers) {
        size_t cap = self->capworkers ? self->capworkers * 2 : 8;
        eng_worker_t **ws = realloc(self->workers, cap * sizeof *ws);
        if (!ws)
            return NULL;
        self->workers = ws;
        self->capworkers = cap;
    }
    eng_worker_t *w = eng_worker_new(peer);
    if (w)
        self->workers[self->nworkers++] = w;
    return w;
}

static void
s_ready(eng_workers_t *self, sr_wire_in_t *in)
{
    sr_msg_t *m = in->msg;
    const char *name = sr_msg_str(m, SR_F_READY_worker);
    int64_t pid = sr_msg_int(m, SR_F_READY_pid, 0);
    if (!*name) { // the name keys the worker's sessions
        s_error(self, in, SR_EINVAL, "worker",
                "a worker name must not be empty");
        return;
    }
    eng_worker_t *w = s_find(self, &in->peer);
    // The same worker on a new connection: its actions move over. A new
    // process under the old name has none of them: they are lost.
    for (size_t i = 0; !w && i < self->nworkers; i++) {
        eng_worker_t *old = self->workers[i];
        if (strcmp(eng_worker_name(old), name) != 0)
            continue;
        if (pid && eng_worker_pid(old) && pid != eng_worker_pid(old)) {
            s_lose(self, old, "restarted as a new process");
            break;
        }
        w = old;
        const sr_wire_peer_t *was = eng_worker_peer(w);
        sr_heartbeat_remove(self->hb, was->id, was->len);
        eng_worker_set_peer(w, &in->peer);
    }
    if (!w) {
        if (!(w = s_add(self, &in->peer)))
            return;
        sr_info("worker %s ready: %lld slots", name,
                (long long)sr_msg_int(m, SR_F_READY_slots, 0));
    }
    sr_err_t rc = eng_worker_ready(w, m);
    // TASKs sent to an earlier connection of this worker may be lost with
    // it: those not confirmed yet are offered again (a worker that holds
    // one refuses the copy or confirms it). The running ones stay.
    s_reoffer_unconfirmed(self, w, INT64_MIN, INT64_MAX, "worker ready again");
    if (rc) {
        s_lose(self, w, "out of memory");
        return;
    }
    sr_heartbeat_touch(self->hb, in->peer.id, in->peer.len, eng_now_ms());
}

// EUNAVAIL for a CONFIRM or RESULT of a partition this engine does not
// serve, naming the owner when known, and the action (ERROR.action_id):
// the worker keeps it and sends it again to the partition's leader.
static void
s_not_served(eng_workers_t *self, const sr_wire_in_t *in, const sr_id_t *id)
{
    sr_error_t e;
    eng_parts_not_here(self->parts, sr_id_partition(id), &e);
    snprintf(e.where, sizeof e.where, "field 'action_id'");
    sr_msg_t *m = sr_msg_error_new(&e, -1);
    if (m && sr_msg_set_id(m, SR_F_ERROR_action_id, id))
        sr_msg_destroy(&m);
    s_send(self, &in->peer, m);
    sr_msg_destroy(&m);
}

// A CONFIRM or RESULT becomes an operation of the batch.
static void
s_event(eng_workers_t *self, sr_wire_in_t *in, eng_worker_t *w)
{
    sr_msg_t *m = in->msg;
    bool confirm = in->type == SR_MSG_CONFIRM;
    sr_id_t id;
    sr_msg_id(m, confirm ? SR_F_CONFIRM_action_id : SR_F_RESULT_action_id, &id);
    size_t pi = 0;
    if (!eng_parts_find(self->parts, sr_id_partition(&id), &pi)) {
        s_not_served(self, in, &id);
        return;
    }
    int64_t epoch =
        sr_msg_int(m, confirm ? SR_F_CONFIRM_epoch : SR_F_RESULT_epoch, 0);
    eng_op_t *op = eng_batch_add(self->batch);
    if (!op)
        return;
    op->kind = ENG_OP_EVENT;
    op->type = in->type;
    op->peer = in->peer;
    op->from_worker = true;
    op->part = pi;
    op->ev.action_id = id;
    op->ev.attempt = (uint32_t)sr_msg_int(
        m, confirm ? SR_F_CONFIRM_attempt : SR_F_RESULT_attempt, 0);
    op->text = strdup(eng_worker_name(w));
    op->ev.worker = op->text;
    op->msg = m;
    in->msg = NULL;
    if (confirm) {
        op->ev.kind = CORE_EV_CONFIRM;
        // A TASK of an earlier owner: the core answers GO only again to
        // the worker that already runs this attempt (its GO was lost in
        // the change), HALT to anything else.
        uint64_t now_epoch = eng_parts_epoch(self->parts, pi);
        if ((uint64_t)epoch != now_epoch) {
            op->ev.fenced = true;
            op->value = sr_value_new_strf(
                "the partition changed owner (epoch %lld, now %llu)",
                (long long)epoch, (unsigned long long)now_epoch);
            op->ev.msg = op->value ? sr_value_str(op->value) : NULL;
        }
        return;
    }
    op->ev.kind = CORE_EV_RESULT;
    const char *status = sr_msg_str(m, SR_F_RESULT_status);
    if (strcmp(status, "success") == 0) {
        op->ev.status = CORE_RESULT_SUCCESS;
        op->value = sr_msg_take(m, SR_F_RESULT_output);
    } else if (strcmp(status, "pending") == 0)
        op->ev.status = CORE_RESULT_PENDING;
    else {
        op->ev.status = CORE_RESULT_ERROR;
        // A non-text error value (std.fail's error_data) rides in
        // `output`, `error` then holds only its JSON text: the value wins.
        op->value = sr_msg_has(m, SR_F_RESULT_output)
                        ? sr_msg_take(m, SR_F_RESULT_output)
                        : sr_msg_take(m, SR_F_RESULT_error);
    }
    op->ev.output = op->value;
    // The slot is free again as soon as the result is here.
    (void)eng_worker_release(w, &id, op->ev.attempt);
}

// What a heartbeat's holding check found lost (eng_worker_lost_fn).
typedef struct {
    eng_workers_t *self;
    const eng_worker_t *w;
} s_check_t;

static void
s_not_held(const eng_run_t *r, void *arg)
{
    s_check_t *c = arg;
    char text[SR_ID_TEXT_SIZE];
    sr_warn("action %s: worker %s no longer holds it; it is lost",
            sr_id_format(&r->id, text), eng_worker_name(c->w));
    (void)s_lost(c->self, c->w, r, "it no longer holds the action");
}

static sr_msg_t *
s_halt(const sr_id_t *id, uint32_t attempt, const char *reason)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_HALT);
    if (m && (sr_msg_set_id(m, SR_F_HALT_action_id, id) ||
              sr_msg_set_int(m, SR_F_HALT_attempt, attempt ? attempt : 1) ||
              sr_msg_set_str(m, SR_F_HALT_reason, reason)))
        sr_msg_destroy(&m);
    return m;
}

// GO or HALT for a committed (or refused) CONFIRM.
static sr_msg_t *
s_go_or_halt(eng_workers_t *self, const eng_op_t *op, const core_cmds_t *cmds)
{
    const core_event_t *ev = &op->ev;
    bool go = false;
    const char *why = op->failed ? op->err.msg : "not confirmed";
    for (size_t c = op->cmd_from; !op->failed && c < op->cmd_to; c++) {
        const core_cmd_t *cmd = &cmds->items[c];
        if (cmd->kind == CORE_CMD_GO)
            go = true;
        else if (cmd->kind == CORE_CMD_HALT && cmd->text)
            why = cmd->text;
    }
    if (!go) {
        uint32_t attempt =
            s_release(self, &op->peer, &ev->action_id, ev->attempt);
        if (op->uncommitted && attempt) // offered again, in a while
            (void)s_reoffer(self, &ev->action_id, attempt, eng_now_ms() + 1000,
                            "(not recorded)");
        return s_halt(&ev->action_id, ev->attempt, why);
    }
    eng_worker_t *w = s_find(self, &op->peer);
    eng_run_t *run = w ? eng_worker_find(w, &ev->action_id, ev->attempt) : NULL;
    if (run) {
        eng_latency_add(self->lat, eng_now_ms() - run->ready_ms);
        run->is_go = true;
    } else if (w) // GO again after a restart: it takes a slot here
        (void)eng_workers_adopt(self, eng_worker_name(w), &ev->action_id,
                                ev->attempt);
    sr_msg_t *m = sr_msg_new(SR_MSG_GO);
    if (m && (sr_msg_set_id(m, SR_F_GO_action_id, &ev->action_id) ||
              sr_msg_set_int(m, SR_F_GO_attempt, ev->attempt)))
        sr_msg_destroy(&m);
    return m;
}

// In a cluster, heartbeats to workers carry every engine's worker
// endpoint, so a worker that knows one engine finds the others.
static sr_err_t
s_peers(const eng_workers_t *self, sr_msg_t *m)
{
    const eng_config_t *cfg = self->cfg;
    if (!cfg->advertise_worker || !cfg->npeers)
        return SR_OK;
    sr_value_t *list = sr_value_new_array(cfg->npeers + 1);
    if (list &&
        sr_value_array_append(list, sr_value_new_str(cfg->advertise_worker)))
        sr_value_destroy(&list);
    for (size_t i = 0; list && i < cfg->npeers; i++)
        if (!cfg->peers[i].removed &&
            sr_value_array_append(list, sr_value_new_str(cfg->peers[i].worker)))
            sr_value_destroy(&list);
    return list ? sr_msg_set(m, SR_F_HEARTBEAT_peers, list) : SR_ENOMEM;
}

// Heartbeats to workers carry the partitions this engine serves now and
// their epochs, so that a worker sends what it holds of a partition to
// the engine serving it (an empty list: none). Without `executions`: a
// worker routes by partition and epoch only.
static sr_err_t
s_partitions(const eng_workers_t *self, sr_msg_t *m)
{
    const eng_parts_t *parts = self->parts;
    size_t n = eng_parts_count(parts);
    sr_value_t *list = sr_value_new_array(n);
    for (size_t i = 0; list && i < n; i++) {
        sr_value_t *p = sr_value_new_map(2);
        if (sr_value_map_put(p, "partition",
                             sr_value_new_int(eng_parts_number(parts, i))) ||
            sr_value_map_put(
                p, "epoch",
                sr_value_new_int((int64_t)eng_parts_epoch(parts, i)))) {
            sr_value_destroy(&p);
            sr_value_destroy(&list);
        } else if (sr_value_array_append(list, p)) // takes p
            sr_value_destroy(&list);
    }
    return list ? sr_msg_set(m, SR_F_HEARTBEAT_partitions, list) : SR_ENOMEM;
}

// The HEARTBEAT for workers; NULL when out of memory.
static sr_msg_t *
s_heartbeat_new(const eng_workers_t *self)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_HEARTBEAT);
    if (m && (sr_msg_set_int(m, SR_F_HEARTBEAT_sent_ms, eng_now_ms()) ||
              sr_msg_set_str(m, SR_F_HEARTBEAT_name, self->cfg->name) ||
              s_peers(self, m) || s_partitions(self, m)))
        sr_msg_destroy(&m);
    return m;
}

static void
s_beat(const void *key, size_t len, void *arg)
{
    eng_workers_t *self = arg;
    sr_wire_peer_t peer = {0};
    sr_msg_t *m = s_heartbeat_new(self);
    if (m && sr_wire_peer_set(&peer, key, len))
        s_send(self, &peer, m);
    sr_msg_destroy(&m);
}

static void
s_expired(const void *key, size_t len, void *arg)
{
    eng_workers_t *self = arg;
    sr_wire_peer_t peer = {0};
    if (!sr_wire_peer_set(&peer, key, len))
        return;
    // Mark; the table must not change during the callback.
    eng_worker_t *w = s_find(self, &peer);
    if (w)
        eng_worker_set_slots(w, -1);
}

eng_workers_t *
eng_workers_new(const eng_config_t *cfg, zsock_t *sock, eng_parts_t *parts,
                eng_batch_t *batch)
{
    eng_workers_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->sock = sock;
    self->parts = parts;
    self->batch = batch;
    self->hb = sr_heartbeat_new(cfg->heartbeat_ms, cfg->expiry_ms);
    self->lat = eng_latency_new();
    if (!self->hb || !self->lat)
        eng_workers_destroy(&self);
    return self;
}

void
eng_workers_destroy(eng_workers_t **self_p)
{
    eng_workers_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->nworkers; i++)
        eng_worker_destroy(&self->workers[i]);
    free(self->workers);
    sr_heartbeat_destroy(&self->hb);
    eng_latency_destroy(&self->lat);
    free(self);
    *self_p = NULL;
}

void
eng_workers_recv(eng_workers_t *self, sr_wire_in_t *in)
{
    eng_worker_t *w = s_find(self, &in->peer);
    if (w) {
        sr_heartbeat_touch(self->hb, in->peer.id, in->peer.len, eng_now_ms());
        eng_worker_set_minor(w, sr_msg_minor(in->msg));
    }
    switch (in->type) {
    case SR_MSG_READY:
        s_ready(self, in);
        if ((w = s_find(self, &in->peer)) != NULL)
            eng_worker_set_minor(w, sr_msg_minor(in->msg));
        return;
    case SR_MSG_HEARTBEAT:
        if (w)
            eng_worker_check_holding(
                w, sr_msg_get(in->msg, SR_F_HEARTBEAT_holding), eng_now_ms(),
                self->cfg->heartbeat_ms, s_not_held,
                &(s_check_t){.self = self, .w = w});
        return;
    case SR_MSG_ERROR: {
        sr_error_t e;
        sr_id_t id;
        sr_msg_to_error(in->msg, &e);
        sr_warn("worker %s reports an error: %s",
                w ? eng_worker_name(w) : "(unknown)", e.msg);
        // A refused TASK: the slot is free, and the action is offered
        // again in a while, as a new attempt (a copy the worker holds
        // from an earlier session is then told HALT if it confirms it).
        if (w && sr_msg_id(in->msg, SR_F_ERROR_action_id, &id)) {
            uint32_t attempt = eng_worker_release(w, &id, 0);
            if (attempt)
                (void)s_reoffer(self, &id, attempt, eng_now_ms() + 1000,
                                "(refused the TASK)");
        }
        return;
    }
    case SR_MSG_CREDIT:
    case SR_MSG_CONFIRM:
    case SR_MSG_RESULT:
    case SR_MSG_BYE:
        break;
    default:
        s_error(self, in, SR_EPROTO, NULL,
                "this message is not accepted on the worker endpoint");
        return;
    }
    if (!w) {
        s_error(self, in, SR_ESTATE, NULL,
                "unknown worker session: send READY first");
        return;
    }
    if (in->type == SR_MSG_CREDIT)
        eng_worker_set_slots(
            w, sr_msg_int(in->msg, SR_F_CREDIT_slots, eng_worker_slots(w)));
    else if (in->type == SR_MSG_BYE)
        s_lose(self, w, "said BYE");
    else
        s_event(self, in, w);
}

void
eng_workers_answer(eng_workers_t *self, const eng_op_t *op,
                   const core_cmds_t *cmds)
{
    const core_event_t *ev = &op->ev;
    sr_msg_t *m = NULL;
    if (op->type == SR_MSG_RESULT) {
        char id[SR_ID_TEXT_SIZE];
        if (op->uncommitted) { // not durable: the worker sends it again
            sr_warn("result for action %s not recorded: %s",
                    sr_id_format(&ev->action_id, id), op->err.msg);
            return;
        }
        if (op->failed)
            sr_warn("result for action %s refused: %s",
                    sr_id_format(&ev->action_id, id), op->err.msg);
        // Acknowledged either way: the worker must stop resending.
        m = sr_msg_new(SR_MSG_ACK);
        if (m && (sr_msg_set_id(m, SR_F_ACK_action_id, &ev->action_id) ||
                  sr_msg_set_int(m, SR_F_ACK_attempt,
                                 ev->attempt ? ev->attempt : 1)))
            sr_msg_destroy(&m);
    } else if (op->type == SR_MSG_CONFIRM)
        m = s_go_or_halt(self, op, cmds);
    s_send(self, &op->peer, m);
    sr_msg_destroy(&m);
}

bool
eng_workers_offer(eng_workers_t *self, const eng_queued_t *q)
{
    eng_worker_t *w = s_pick(self, q->action, q->target);
    sr_error_t e;
    if (!w || sr_wire_batch_add(eng_worker_outbox(w), q->task, &e))
        return false;
    if (!eng_worker_hold(w, &q->action_id, q->attempt, q->ready_ms,
                         eng_now_ms())) {
        // Out of memory: the TASK waits for another offer; the copy in
        // the outbox, if it reaches the worker, is told HALT.
        return false;
    }
    return true;
}

void
eng_workers_flush(eng_workers_t *self)
{
    sr_limits_t limits = {.max_bytes = self->cfg->max_payload};
    int64_t now = eng_now_ms();
    for (size_t i = 0; i < self->nworkers; i++) {
        eng_worker_t *w = self->workers[i];
        sr_wire_batch_t *out = eng_worker_outbox(w);
        if (!sr_wire_batch_count(out))
            continue;
        const sr_wire_peer_t *peer = eng_worker_peer(w);
        bool use_batch = sr_wire_batch_understood(eng_worker_minor(w));
        size_t frames = 0;
        sr_error_t e;
        if (sr_wire_batch_flush(out, self->sock, peer, use_batch, &limits,
                                &frames, &e)) {
            sr_warn("cannot send to worker %s: %s",
                    eng_worker_name(w) ? eng_worker_name(w) : "?", e.msg);
            // The TASKs of this turn may be lost: offered again now.
            s_reoffer_unconfirmed(self, w, self->flushed_ms, INT64_MAX,
                                  "a send failed");
        }
        if (frames)
            sr_heartbeat_sent(self->hb, peer->id, peer->len, now);
    }
    self->flushed_ms = now;
}

void
eng_workers_tick(eng_workers_t *self, int64_t now_ms)
{
    sr_heartbeat_due(self->hb, now_ms, s_beat, self);
    sr_heartbeat_expire(self->hb, now_ms, s_expired, self);
    // A TASK may wait at a busy worker of several engines for a while;
    // one unconfirmed for S_CONFIRM_EXPIRIES expiry times is lost.
    // Looked for once per heartbeat interval, not at every loop turn.
    bool check = now_ms >= self->next_confirm_check;
    if (check)
        self->next_confirm_check = now_ms + self->cfg->heartbeat_ms;
    int64_t before = now_ms - S_CONFIRM_EXPIRIES * self->cfg->expiry_ms;
    for (size_t i = 0; check && i < self->nworkers; i++)
        if (eng_worker_slots(self->workers[i]) >= 0)
            s_reoffer_unconfirmed(self, self->workers[i], INT64_MIN, before,
                                  "no CONFIRM within 6 expiry times");
    for (size_t i = 0; i < self->nworkers;) {
        if (eng_worker_slots(self->workers[i]) < 0)
            s_lose(self, self->workers[i], "no heartbeat");
        else
            i++;
    }
}

int64_t
eng_workers_next_beat(const eng_workers_t *self)
{
    return sr_heartbeat_next_ms(self->hb);
}

void
eng_workers_partitions_changed(eng_workers_t *self)
{
    sr_msg_t *m = s_heartbeat_new(self);
    if (!m) {
        sr_warn("cannot tell the workers of the partitions served: out of "
                "memory; the next heartbeats tell them");
        return;
    }
    for (size_t i = 0; i < self->nworkers; i++)
        if (eng_worker_slots(self->workers[i]) >= 0)
            s_send(self, eng_worker_peer(self->workers[i]), m);
    sr_msg_destroy(&m);
}

bool
eng_workers_adopt(eng_workers_t *self, const char *worker,
                  const sr_id_t *action_id, uint32_t attempt)
{
    for (size_t i = 0; worker && i < self->nworkers; i++) {
        eng_worker_t *w = self->workers[i];
        const char *name = eng_worker_name(w);
        if (eng_worker_slots(w) < 0 || !name || strcmp(name, worker) != 0)
            continue;
        if (eng_worker_find(w, action_id, attempt))
            return true; // confirmed again since the restart
        int64_t now = eng_now_ms();
        eng_run_t *r = eng_worker_hold(w, action_id, attempt, now, now);
        if (!r)
            return false;
        r->is_go = true;
        return true;
    }
    return false;
}

size_t
eng_workers_count(const eng_workers_t *self)
{
    return self->nworkers;
}

eng_worker_info_t
eng_workers_info(const eng_workers_t *self, size_t i)
{
    const eng_worker_t *w = self->workers[i];
    return (eng_worker_info_t){.name = eng_worker_name(w),
                               .slots = eng_worker_slots(w),
                               .used = eng_worker_used(w)};
}

const eng_latency_t *
eng_workers_latency(const eng_workers_t *self)
{
    return self->lat;
}

uint64_t
eng_workers_reoffered(const eng_workers_t *self)
{
    return self->reoffered;
}
