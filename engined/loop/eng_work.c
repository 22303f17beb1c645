// The worker endpoint: worker sessions (READY, CREDIT, BYE), credit-based
// dispatch (never more TASKs at a worker than its free slots, routed by
// offered action and target group), the queue of actions no worker can
// take yet, CONFIRM and RESULT turned into core events, their GO / HALT /
// ACK once durable, heartbeats, and lost workers.
#include <stdlib.h>
#include <string.h>

#include "eng_internal.h"
#include "eng_reply.h"
#include "sr_log.h"

static eng_worker_t *
s_find(eng_t *eng, const sr_wire_peer_t *peer)
{
    for (size_t i = 0; i < eng->nworkers; i++)
        if (sr_wire_peer_equal(&eng->workers[i].peer, peer))
            return &eng->workers[i];
    return NULL;
}

// The entry of an attempt of action `id` (attempt 0: any).
static eng_run_t *
s_running_find(eng_worker_t *w, const sr_id_t *id, uint32_t attempt)
{
    for (size_t i = 0; w && i < w->nrunning; i++)
        if (sr_id_equal(&w->running[i].id, id) &&
            (!attempt || w->running[i].attempt == attempt))
            return &w->running[i];
    return NULL;
}

// Forget entry `r` of worker `w`, freeing its slot.
static void
s_running_drop(eng_worker_t *w, eng_run_t *r)
{
    *r = w->running[--w->nrunning];
    if (w->used > 0)
        w->used--;
}

// Free the slot of an attempt of action `id` at worker `w` (attempt 0:
// whichever it holds); the attempt freed, 0 if none.
static uint32_t
s_running_del(eng_worker_t *w, const sr_id_t *id, uint32_t attempt)
{
    eng_run_t *r = s_running_find(w, id, attempt);
    if (!r)
        return 0;
    uint32_t freed = r->attempt;
    s_running_drop(w, r);
    return freed;
}

static sr_err_t
s_running_add(eng_worker_t *w, const eng_queued_t *q, int64_t now)
{
    if (w->nrunning == w->caprunning) {
        size_t cap = w->caprunning ? w->caprunning * 2 : 8;
        eng_run_t *r = realloc(w->running, cap * sizeof *r);
        if (!r)
            return SR_ENOMEM;
        w->running = r;
        w->caprunning = cap;
    }
    w->running[w->nrunning++] = (eng_run_t){.id = q->action_id,
                                            .attempt = q->attempt,
                                            .ready_ms = q->ready_ms,
                                            .offered_ms = now};
    return SR_OK;
}

static void
s_worker_fini(eng_worker_t *w)
{
    free(w->name);
    free(w->target);
    free(w->running);
    sr_value_destroy(&w->actions);
}

// Worker-lost events for what a worker had, then forget it. `why` is a
// static text: it ends up in the actions' errors.
static void
s_lose(eng_t *eng, eng_worker_t *w, const char *why)
{
    sr_log(w->nrunning ? SR_LOG_WARN : SR_LOG_INFO,
           "worker %s gone (%s); %zu actions affected", w->name, why,
           w->nrunning);
    for (size_t i = 0; i < w->nrunning; i++) {
        size_t pi = 0;
        if (!eng_parts_find(eng->parts, sr_id_partition(&w->running[i].id),
                            &pi))
            continue;
        eng_op_t *op = eng_batch_add(eng->batch);
        if (!op)
            break;
        op->kind = ENG_OP_EVENT;
        op->part = pi;
        op->ev.kind = CORE_EV_WORKER_LOST;
        op->ev.action_id = w->running[i].id;
        op->ev.attempt = w->running[i].attempt;
        op->text = strdup(w->name);
        op->ev.worker = op->text;
        op->ev.msg = why; // a static text
    }
    sr_heartbeat_remove(eng->hb_workers, w->peer.id, w->peer.len);
    s_worker_fini(w);
    *w = eng->workers[--eng->nworkers];
}

uint32_t
eng_work_release(eng_t *eng, const sr_wire_peer_t *peer,
                 const sr_id_t *action_id, uint32_t attempt)
{
    eng_worker_t *w = s_find(eng, peer);
    return w ? s_running_del(w, action_id, attempt) : 0;
}

bool
eng_work_adopt(eng_t *eng, const char *worker, const sr_id_t *action_id,
               uint32_t attempt)
{
    for (size_t i = 0; worker && i < eng->nworkers; i++) {
        eng_worker_t *w = &eng->workers[i];
        if (w->slots < 0 || !w->name || strcmp(w->name, worker) != 0)
            continue;
        if (s_running_find(w, action_id, attempt))
            return true; // confirmed again since the restart
        eng_queued_t q = {.action_id = *action_id,
                          .attempt = attempt,
                          .ready_ms = eng_now_ms()};
        if (s_running_add(w, &q, eng_now_ms()))
            return false;
        w->running[w->nrunning - 1].is_go = true;
        w->used++;
        return true;
    }
    return false;
}

// Hand an offered attempt back to the core at `due` (REOFFER).
static sr_err_t
s_reoffer(eng_t *eng, const sr_id_t *id, uint32_t attempt, int64_t due,
          const char *why)
{
    sr_err_t rc =
        eng_parts_orphan_add(eng->parts, (eng_orphan_t){.action_id = *id,
                                                        .due = due,
                                                        .kind = CORE_EV_REOFFER,
                                                        .attempt = attempt,
                                                        .worker = why});
    if (!rc)
        eng->reoffered++;
    return rc;
}

// --- sending -------------------------------------------------------------

static bool
s_offers(const eng_worker_t *w, const char *action, const char *target)
{
    if ((target != NULL) != (w->target != NULL) ||
        (target && strcmp(target, w->target) != 0))
        return false;
    if (!w->actions)
        return true;
    for (size_t i = 0; i < sr_value_len(w->actions); i++) {
        const sr_value_t *v = sr_value_array_at(w->actions, i);
        const char *p = sr_value_str(v);
        size_t n = sr_value_len(v);
        if (n && p[n - 1] == '*' ? strncmp(p, action, n - 1) == 0
                                 : strcmp(p, action) == 0)
            return true;
    }
    return false;
}

static eng_worker_t *
s_pick(eng_t *eng, const char *action, const char *target)
{
    for (size_t k = 0; k < eng->nworkers; k++) {
        size_t i = (eng->next_worker + k) % eng->nworkers;
        eng_worker_t *w = &eng->workers[i];
        if (w->used < w->slots && s_offers(w, action, target)) {
            eng->next_worker = i + 1;
            return w;
        }
    }
    return NULL;
}

static void
s_send(eng_t *eng, const sr_wire_peer_t *peer, sr_msg_t *m)
{
    sr_error_t e;
    if (!m)
        return;
    if (sr_wire_send(eng->worker, peer, m, &e))
        sr_warn("cannot send %s to a worker: %s",
                sr_msg_type_name(sr_msg_type(m)), e.msg);
    else
        sr_heartbeat_sent(eng->hb_workers, peer->id, peer->len, eng_now_ms());
}

void
eng_work_send_queued(eng_t *eng)
{
    size_t kept = 0;
    for (size_t i = 0; i < eng->nqueue; i++) {
        eng_queued_t *q = &eng->queue[i];
        eng_worker_t *w = s_pick(eng, q->action, q->target);
        sr_error_t e;
        if (w && !sr_wire_send(eng->worker, &w->peer, q->task, &e) &&
            !s_running_add(w, q, eng_now_ms())) {
            w->used++;
            sr_heartbeat_sent(eng->hb_workers, w->peer.id, w->peer.len,
                              eng_now_ms());
            sr_msg_destroy(&q->task);
            free(q->action);
            free(q->target);
            continue;
        }
        eng->queue[kept++] = *q;
    }
    eng->nqueue = kept;
}

sr_err_t
eng_work_offer(eng_t *eng, sr_msg_t **task_p, const char *action,
               const char *target)
{
    if (eng->nqueue == eng->capqueue) {
        size_t cap = eng->capqueue ? eng->capqueue * 2 : 64;
        eng_queued_t *q = realloc(eng->queue, cap * sizeof *q);
        if (!q)
            return SR_ENOMEM;
        eng->queue = q;
        eng->capqueue = cap;
    }
    eng_queued_t q = {.task = *task_p, .ready_ms = eng_now_ms()};
    q.action = strdup(action);
    q.target = target ? strdup(target) : NULL;
    sr_msg_id(*task_p, SR_F_TASK_action_id, &q.action_id);
    q.attempt = (uint32_t)sr_msg_int(*task_p, SR_F_TASK_attempt, 1);
    if (!q.action || (target && !q.target)) {
        free(q.action);
        free(q.target);
        return SR_ENOMEM;
    }
    *task_p = NULL;
    eng->queue[eng->nqueue++] = q;
    return SR_OK;
}

sr_err_t
eng_work_dispatch(eng_t *eng, const core_cmd_t *cmd, uint64_t epoch)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_TASK);
    sr_err_t rc = m ? SR_OK : SR_ENOMEM;
    if (!rc)
        rc = sr_msg_set_id(m, SR_F_TASK_action_id, &cmd->action_id);
    if (!rc)
        rc = sr_msg_set_id(m, SR_F_TASK_execution_id, &cmd->exec_id);
    if (!rc)
        rc = sr_msg_set_id(m, SR_F_TASK_task_id, &cmd->task_id);
    if (!rc)
        rc = sr_msg_set_str(m, SR_F_TASK_task_name, cmd->task_name);
    if (!rc)
        rc = sr_msg_set_str(m, SR_F_TASK_action, cmd->action);
    if (!rc)
        rc = sr_msg_set(m, SR_F_TASK_input, sr_value_ref(cmd->input));
    if (!rc)
        rc = sr_msg_set_int(m, SR_F_TASK_attempt, cmd->attempt);
    if (!rc)
        rc = sr_msg_set_int(m, SR_F_TASK_epoch, (int64_t)epoch);
    if (!rc && cmd->deadline_ms)
        rc = sr_msg_set_int(m, SR_F_TASK_deadline_ms, cmd->deadline_ms);
    if (!rc && cmd->token)
        rc = sr_msg_set_str(m, SR_F_TASK_token, cmd->token);
    if (!rc && cmd->context)
        rc = sr_msg_set(m, SR_F_TASK_context, sr_value_ref(cmd->context));
    if (!rc && cmd->safe_rerun)
        rc = sr_msg_set_bool(m, SR_F_TASK_safe_rerun, true);
    if (!rc)
        rc = eng_work_offer(eng, &m, cmd->action, cmd->target);
    sr_msg_destroy(&m);
    return rc;
}

// --- receiving -----------------------------------------------------------

static void
s_error(eng_t *eng, const sr_wire_in_t *in, sr_err_t code, const char *field,
        const char *msg)
{
    sr_error_t e;
    sr_error_set(&e, code, "%s", msg);
    if (field)
        snprintf(e.where, sizeof e.where, "field '%s'", field);
    eng_reply_error(eng->worker, &in->peer, -1, &e);
}

#define ENG_CONFIRM_EXPIRIES 6

// Offer again the TASKs of worker `w` sent before `before` and not
// confirmed: the TASK or its CONFIRM was lost (a worker's new connection,
// a full queue). The CONFIRM fence keeps this safe: the core tells GO to
// one CONFIRM of an attempt only, HALT to any other.
static void
s_reoffer_unconfirmed(eng_t *eng, eng_worker_t *w, int64_t before,
                      const char *why)
{
    char text[SR_ID_TEXT_SIZE];
    for (size_t i = 0; i < w->nrunning;) {
        eng_run_t *r = &w->running[i];
        if (r->is_go || r->offered_ms >= before) {
            i++;
            continue;
        }
        sr_warn("action %s offered to worker %s and not confirmed (%s); "
                "offering it again",
                sr_id_format(&r->id, text), w->name ? w->name : "?", why);
        if (s_reoffer(eng, &r->id, r->attempt, eng_now_ms(), "(not confirmed)"))
            return; // out of memory: tried again at the next pass
        s_running_drop(w, r);
    }
}

static void
s_ready(eng_t *eng, sr_wire_in_t *in)
{
    sr_msg_t *m = in->msg;
    const char *name = sr_msg_str(m, SR_F_READY_worker);
    int64_t pid = sr_msg_int(m, SR_F_READY_pid, 0);
    if (!*name) { // the name keys the worker's sessions
        s_error(eng, in, SR_EINVAL, "worker",
                "a worker name must not be empty");
        return;
    }
    eng_worker_t *w = s_find(eng, &in->peer);
    // The same worker on a new connection: its actions move over. A new
    // process under the old name has none of them: they are lost.
    for (size_t i = 0; !w && i < eng->nworkers; i++)
        if (strcmp(eng->workers[i].name, name) == 0) {
            if (pid && eng->workers[i].pid && pid != eng->workers[i].pid) {
                s_lose(eng, &eng->workers[i], "restarted as a new process");
                break;
            }
            w = &eng->workers[i];
            sr_heartbeat_remove(eng->hb_workers, w->peer.id, w->peer.len);
            w->peer = in->peer;
        }
    if (!w) {
        if (eng->nworkers == eng->capworkers) {
            size_t cap = eng->capworkers ? eng->capworkers * 2 : 8;
            eng_worker_t *ws = realloc(eng->workers, cap * sizeof *ws);
            if (!ws)
                return;
            eng->workers = ws;
            eng->capworkers = cap;
        }
        w = &eng->workers[eng->nworkers++];
        memset(w, 0, sizeof *w);
        w->peer = in->peer;
        sr_info("worker %s ready: %lld slots", name,
                (long long)sr_msg_int(m, SR_F_READY_slots, 0));
    }
    free(w->name);
    free(w->target);
    sr_value_destroy(&w->actions);
    w->name = strdup(name);
    w->target = sr_msg_has(m, SR_F_READY_target)
                    ? strdup(sr_msg_str(m, SR_F_READY_target))
                    : NULL;
    w->actions = sr_msg_take(m, SR_F_READY_actions);
    w->slots = sr_msg_int(m, SR_F_READY_slots, 1);
    w->pid = pid;
    // TASKs sent to an earlier connection of this worker may be lost with
    // it: those not confirmed yet are offered again (a worker that holds
    // one refuses the copy or confirms it). The running ones stay.
    s_reoffer_unconfirmed(eng, w, INT64_MAX, "worker ready again");
    w->used = (int64_t)w->nrunning;
    if (!w->name) {
        s_lose(eng, w, "out of memory");
        return;
    }
    sr_heartbeat_touch(eng->hb_workers, in->peer.id, in->peer.len,
                       eng_now_ms());
}

// A CONFIRM or RESULT becomes an operation of the batch.
static void
s_event(eng_t *eng, sr_wire_in_t *in, eng_worker_t *w)
{
    sr_msg_t *m = in->msg;
    bool confirm = in->type == SR_MSG_CONFIRM;
    sr_id_t id;
    sr_msg_id(m, confirm ? SR_F_CONFIRM_action_id : SR_F_RESULT_action_id, &id);
    size_t pi = 0;
    if (!eng_parts_find(eng->parts, sr_id_partition(&id), &pi)) {
        sr_error_t e; // names the owner
        eng_parts_not_here(eng->parts, sr_id_partition(&id), &e);
        s_error(eng, in, SR_EUNAVAIL, "action_id", e.msg);
        return;
    }
    int64_t epoch =
        sr_msg_int(m, confirm ? SR_F_CONFIRM_epoch : SR_F_RESULT_epoch, 0);
    eng_op_t *op = eng_batch_add(eng->batch);
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
    op->text = strdup(w->name);
    op->ev.worker = op->text;
    op->msg = m;
    in->msg = NULL;
    if (confirm) {
        op->ev.kind = CORE_EV_CONFIRM;
        // A TASK of an earlier owner: the core answers GO only again to
        // the worker that already runs this attempt (its GO was lost in
        // the change), HALT to anything else.
        if ((uint64_t)epoch != eng_parts_epoch(eng->parts, pi)) {
            op->ev.fenced = true;
            op->value = sr_value_new_strf(
                "the partition changed owner (epoch %lld, now %llu)",
                (long long)epoch,
                (unsigned long long)eng_parts_epoch(eng->parts, pi));
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
    (void)s_running_del(w, &id, op->ev.attempt);
}

static int
s_cmp_id(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(sr_id_t));
}

// Lose the told-GO actions of `w` that its heartbeats' `holding` lists
// have lacked for a heartbeat interval: the worker dropped them (a HALT
// or a GO lost in an engine restart, a process restarted under the same
// name and pid) and no RESULT will come. Within one connection messages
// keep their order, and a worker holds an action from its TASK to the
// ACK of its RESULT, so a list read after the GO's commit names every
// action still there; the interval covers a list from an earlier
// connection. Costs O(n log n) in the list's length, bounded by the
// message table.
static void
s_holding(eng_t *eng, eng_worker_t *w, const sr_msg_t *m, int64_t now)
{
    const sr_value_t *list = sr_msg_get(m, SR_F_HEARTBEAT_holding);
    if (!list || !w->nrunning)
        return;
    size_t n = sr_value_len(list);
    sr_id_t *ids = n ? malloc(n * sizeof *ids) : NULL;
    if (n && !ids)
        return; // checked at the next heartbeat
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!sr_id_from_value(sr_value_array_at(list, i), &ids[k]))
            k++;
    if (k)
        qsort(ids, k, sizeof *ids, s_cmp_id);
    for (size_t i = 0; i < w->nrunning;) {
        eng_run_t *r = &w->running[i];
        bool held =
            !r->is_go || (k && bsearch(&r->id, ids, k, sizeof *ids, s_cmp_id));
        if (held || !r->missing_ms ||
            now - r->missing_ms < eng->cfg.heartbeat_ms) {
            if (held)
                r->missing_ms = 0;
            else if (!r->missing_ms)
                r->missing_ms = now;
            i++;
            continue;
        }
        char text[SR_ID_TEXT_SIZE];
        sr_warn("action %s: worker %s no longer holds it; it is lost",
                sr_id_format(&r->id, text), w->name);
        size_t pi = 0;
        eng_op_t *op = eng_parts_find(eng->parts, sr_id_partition(&r->id), &pi)
                           ? eng_batch_add(eng->batch)
                           : NULL;
        if (op) {
            op->kind = ENG_OP_EVENT;
            op->part = pi;
            op->ev.kind = CORE_EV_WORKER_LOST;
            op->ev.action_id = r->id;
            op->ev.attempt = r->attempt;
            op->text = strdup(w->name);
            op->ev.worker = op->text;
            op->ev.msg = "it no longer holds the action";
        }
        s_running_drop(w, r);
    }
    free(ids);
}

void
eng_work_recv(eng_t *eng, sr_wire_in_t *in)
{
    eng_worker_t *w = s_find(eng, &in->peer);
    if (w)
        sr_heartbeat_touch(eng->hb_workers, in->peer.id, in->peer.len,
                           eng_now_ms());
    switch (in->type) {
    case SR_MSG_READY:
        s_ready(eng, in);
        return;
    case SR_MSG_HEARTBEAT:
        if (w)
            s_holding(eng, w, in->msg, eng_now_ms());
        return;
    case SR_MSG_ERROR: {
        sr_error_t e;
        sr_id_t id;
        sr_msg_to_error(in->msg, &e);
        sr_warn("worker %s reports an error: %s", w ? w->name : "(unknown)",
                e.msg);
        // A refused TASK: the slot is free, and the action is offered
        // again in a while, as a new attempt (a copy the worker holds
        // from an earlier session is then told HALT if it confirms it).
        if (w && sr_msg_id(in->msg, SR_F_ERROR_action_id, &id)) {
            uint32_t attempt = eng_work_release(eng, &in->peer, &id, 0);
            if (attempt)
                (void)s_reoffer(eng, &id, attempt, eng_now_ms() + 1000,
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
        s_error(eng, in, SR_EPROTO, NULL,
                "this message is not accepted on the worker endpoint");
        return;
    }
    if (!w) {
        s_error(eng, in, SR_ESTATE, NULL,
                "unknown worker session: send READY first");
        return;
    }
    if (in->type == SR_MSG_CREDIT)
        w->slots = sr_msg_int(in->msg, SR_F_CREDIT_slots, w->slots);
    else if (in->type == SR_MSG_BYE)
        s_lose(eng, w, "said BYE");
    else
        s_event(eng, in, w);
}

static void
s_latency(eng_t *eng, const eng_run_t *r)
{
    if (!r ||
        (!eng->lat && !(eng->lat = calloc(ENG_LAT_SAMPLES, sizeof *eng->lat))))
        return;
    eng->lat[eng->nlat++ % ENG_LAT_SAMPLES] =
        (float)(eng_now_ms() - r->ready_ms);
}

static int
s_cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

double
eng_work_latency(const eng_t *eng, double pct)
{
    size_t n = eng->nlat < ENG_LAT_SAMPLES ? eng->nlat : ENG_LAT_SAMPLES;
    float *copy = n ? malloc(n * sizeof *copy) : NULL;
    if (!copy)
        return -1;
    memcpy(copy, eng->lat, n * sizeof *copy);
    qsort(copy, n, sizeof *copy, s_cmp_float);
    size_t i = (size_t)(pct / 100.0 * (double)(n - 1) + 0.5);
    double v = copy[i < n ? i : n - 1];
    free(copy);
    return v;
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

void
eng_work_answer(eng_t *eng, const eng_op_t *op)
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
    } else if (op->type == SR_MSG_CONFIRM) {
        bool go = false;
        const char *why = op->failed ? op->err.msg : "not confirmed";
        for (size_t c = op->cmd_from; !op->failed && c < op->cmd_to; c++) {
            const core_cmd_t *cmd = &eng_batch_cmds(eng->batch)->items[c];
            if (cmd->kind == CORE_CMD_GO)
                go = true;
            else if (cmd->kind == CORE_CMD_HALT && cmd->text)
                why = cmd->text;
        }
        if (go) {
            eng_worker_t *w = s_find(eng, &op->peer);
            eng_run_t *run = s_running_find(w, &ev->action_id, ev->attempt);
            s_latency(eng, run);
            if (run)
                run->is_go = true;
            else if (w) // GO again after a restart: it takes a slot here
                (void)eng_work_adopt(eng, w->name, &ev->action_id, ev->attempt);
            m = sr_msg_new(SR_MSG_GO);
            if (m && (sr_msg_set_id(m, SR_F_GO_action_id, &ev->action_id) ||
                      sr_msg_set_int(m, SR_F_GO_attempt, ev->attempt)))
                sr_msg_destroy(&m);
        } else {
            m = s_halt(&ev->action_id, ev->attempt, why);
            uint32_t attempt =
                eng_work_release(eng, &op->peer, &ev->action_id, ev->attempt);
            if (op->uncommitted && attempt) // offered again, in a while
                (void)s_reoffer(eng, &ev->action_id, attempt,
                                eng_now_ms() + 1000, "(not recorded)");
        }
    }
    s_send(eng, &op->peer, m);
    sr_msg_destroy(&m);
}

// In a cluster, heartbeats to workers carry every engine's worker
// endpoint, so a worker that knows one engine finds the others.
static sr_err_t
s_peers(const eng_t *eng, sr_msg_t *m)
{
    if (!eng->cfg.advertise_worker || !eng->cfg.npeers)
        return SR_OK;
    sr_value_t *list = sr_value_new_array(eng->cfg.npeers + 1);
    if (list && sr_value_array_append(
                    list, sr_value_new_str(eng->cfg.advertise_worker)))
        sr_value_destroy(&list);
    for (size_t i = 0; list && i < eng->cfg.npeers; i++)
        if (sr_value_array_append(list,
                                  sr_value_new_str(eng->cfg.peers[i].worker)))
            sr_value_destroy(&list);
    return list ? sr_msg_set(m, SR_F_HEARTBEAT_peers, list) : SR_ENOMEM;
}

static void
s_beat(const void *key, size_t len, void *arg)
{
    eng_t *eng = arg;
    sr_wire_peer_t peer = {0};
    sr_msg_t *m = sr_msg_new(SR_MSG_HEARTBEAT);
    if (m && sr_wire_peer_set(&peer, key, len) &&
        !sr_msg_set_int(m, SR_F_HEARTBEAT_sent_ms, eng_now_ms()) &&
        !sr_msg_set_str(m, SR_F_HEARTBEAT_name, eng->name) &&
        !s_peers(eng, m)) {
        sr_error_t e;
        (void)sr_wire_send(eng->worker, &peer, m, &e);
    }
    sr_msg_destroy(&m);
}

static void
s_expired(const void *key, size_t len, void *arg)
{
    eng_t *eng = arg;
    sr_wire_peer_t peer = {0};
    if (!sr_wire_peer_set(&peer, key, len))
        return;
    // Mark; the table must not change during the callback.
    eng_worker_t *w = s_find(eng, &peer);
    if (w)
        w->slots = -1;
}

void
eng_work_heartbeats(eng_t *eng, int64_t now)
{
    sr_heartbeat_due(eng->hb_workers, now, s_beat, eng);
    sr_heartbeat_expire(eng->hb_workers, now, s_expired, eng);
    // A TASK may wait at a busy worker of several engines for a while;
    // one unconfirmed for ENG_CONFIRM_EXPIRIES expiry times is lost.
    // Looked for once per heartbeat interval, not at every loop turn.
    bool check = now >= eng->next_confirm_check;
    if (check)
        eng->next_confirm_check = now + eng->cfg.heartbeat_ms;
    for (size_t i = 0; check && i < eng->nworkers; i++)
        if (eng->workers[i].slots >= 0)
            s_reoffer_unconfirmed(eng, &eng->workers[i],
                                  now -
                                      ENG_CONFIRM_EXPIRIES * eng->cfg.expiry_ms,
                                  "no CONFIRM within 6 expiry times");
    for (size_t i = 0; i < eng->nworkers;) {
        if (eng->workers[i].slots < 0)
            s_lose(eng, &eng->workers[i], "no heartbeat");
        else
            i++;
    }
}

void
eng_work_fini(eng_t *eng)
{
    for (size_t i = 0; i < eng->nworkers; i++)
        s_worker_fini(&eng->workers[i]);
    free(eng->workers);
    for (size_t i = 0; i < eng->nqueue; i++) {
        sr_msg_destroy(&eng->queue[i].task);
        free(eng->queue[i].action);
        free(eng->queue[i].target);
    }
    free(eng->queue);
    free(eng->lat);
}
