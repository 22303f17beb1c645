// One worker session's bookkeeping (see eng_worker.h): its identity from
// READY, its protocol minor version, its slots, the actions it holds, and
// the messages waiting for the end of the turn. Every action held takes a
// slot, so the slots used are the entries held.
// Thread rule: the engine loop's thread.
#include "eng_worker.h"

#include <stdlib.h>
#include <string.h>

struct eng_worker {
    sr_wire_peer_t peer;
    char *name;          // owned; NULL before READY
    char *target;        // owned; NULL: no group
    sr_value_t *actions; // owned: names / prefixes ending in '*'; NULL = all
    int64_t slots;       // -1: its heartbeats expired
    int64_t pid;         // READY.pid; 0 = not said
    uint32_t minor;      // protocol minor of its latest message
    sr_wire_batch_t *outbox; // owned: messages to send at the turn's end
    eng_run_t *running;      // owned: actions told GO (or offered), unfinished
    size_t nrunning, caprunning;
};

eng_worker_t *
eng_worker_new(const sr_wire_peer_t *peer)
{
    eng_worker_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->peer = *peer;
    if (!(self->outbox = sr_wire_batch_new()))
        eng_worker_destroy(&self);
    return self;
}

void
eng_worker_destroy(eng_worker_t **self_p)
{
    eng_worker_t *self = *self_p;
    if (!self)
        return;
    free(self->name);
    free(self->target);
    free(self->running);
    sr_value_destroy(&self->actions);
    sr_wire_batch_destroy(&self->outbox);
    free(self);
    *self_p = NULL;
}

sr_err_t
eng_worker_ready(eng_worker_t *self, sr_msg_t *m)
{
    free(self->name);
    free(self->target);
    sr_value_destroy(&self->actions);
    self->name = strdup(sr_msg_str(m, SR_F_READY_worker));
    self->target = sr_msg_has(m, SR_F_READY_target)
                       ? strdup(sr_msg_str(m, SR_F_READY_target))
                       : NULL;
    self->actions = sr_msg_take(m, SR_F_READY_actions);
    self->slots = sr_msg_int(m, SR_F_READY_slots, 1);
    self->pid = sr_msg_int(m, SR_F_READY_pid, 0);
    return self->name ? SR_OK : SR_ENOMEM;
}

const sr_wire_peer_t *
eng_worker_peer(const eng_worker_t *self)
{
    return &self->peer;
}

void
eng_worker_set_peer(eng_worker_t *self, const sr_wire_peer_t *peer)
{
    self->peer = *peer;
}

uint32_t
eng_worker_minor(const eng_worker_t *self)
{
    return self->minor;
}

void
eng_worker_set_minor(eng_worker_t *self, uint32_t minor)
{
    self->minor = minor;
}

sr_wire_batch_t *
eng_worker_outbox(eng_worker_t *self)
{
    return self->outbox;
}

const char *
eng_worker_name(const eng_worker_t *self)
{
    return self->name;
}

int64_t
eng_worker_pid(const eng_worker_t *self)
{
    return self->pid;
}

int64_t
eng_worker_slots(const eng_worker_t *self)
{
    return self->slots;
}

void
eng_worker_set_slots(eng_worker_t *self, int64_t slots)
{
    self->slots = slots;
}

int64_t
eng_worker_used(const eng_worker_t *self)
{
    return (int64_t)self->nrunning;
}

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

bool
eng_worker_can_take(const eng_worker_t *self, const char *action,
                    const char *target)
{
    return eng_worker_used(self) < self->slots &&
           s_offers(self, action, target);
}

size_t
eng_worker_nruns(const eng_worker_t *self)
{
    return self->nrunning;
}

eng_run_t *
eng_worker_run(eng_worker_t *self, size_t i)
{
    return &self->running[i];
}

eng_run_t *
eng_worker_find(eng_worker_t *self, const sr_id_t *id, uint32_t attempt)
{
    for (size_t i = 0; i < self->nrunning; i++)
        if (sr_id_equal(&self->running[i].id, id) &&
            (!attempt || self->running[i].attempt == attempt))
            return &self->running[i];
    return NULL;
}

eng_run_t *
eng_worker_hold(eng_worker_t *self, const sr_id_t *id, uint32_t attempt,
                int64_t ready_ms, int64_t offered_ms)
{
    if (self->nrunning == self->caprunning) {
        size_t cap = self->caprunning ? self->caprunning * 2 : 8;
        eng_run_t *r = realloc(self->running, cap * sizeof *r);
        if (!r)
            return NULL;
        self->running = r;
        self->caprunning = cap;
    }
    eng_run_t *r = &self->running[self->nrunning++];
    *r = (eng_run_t){.id = *id,
                     .attempt = attempt,
                     .ready_ms = ready_ms,
                     .offered_ms = offered_ms};
    return r;
}

void
eng_worker_drop(eng_worker_t *self, eng_run_t *r)
{
    *r = self->running[--self->nrunning];
}

uint32_t
eng_worker_release(eng_worker_t *self, const sr_id_t *id, uint32_t attempt)
{
    eng_run_t *r = eng_worker_find(self, id, attempt);
    if (!r)
        return 0;
    uint32_t freed = r->attempt;
    eng_worker_drop(self, r);
    return freed;
}

static int
s_cmp_id(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(sr_id_t));
}

void
eng_worker_check_holding(eng_worker_t *self, const sr_value_t *holding,
                         int64_t now_ms, int64_t interval_ms,
                         eng_worker_lost_fn *lost, void *arg)
{
    if (!holding || !self->nrunning)
        return;
    size_t n = sr_value_len(holding);
    sr_id_t *ids = n ? malloc(n * sizeof *ids) : NULL;
    if (n && !ids)
        return; // checked at the next heartbeat
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!sr_id_from_value(sr_value_array_at(holding, i), &ids[k]))
            k++;
    if (k)
        qsort(ids, k, sizeof *ids, s_cmp_id);
    for (size_t i = 0; i < self->nrunning;) {
        eng_run_t *r = &self->running[i];
        bool held =
            !r->is_go || (k && bsearch(&r->id, ids, k, sizeof *ids, s_cmp_id));
        if (held || !r->missing_ms || now_ms - r->missing_ms < interval_ms) {
            if (held)
                r->missing_ms = 0;
            else if (!r->missing_ms)
                r->missing_ms = now_ms;
            i++;
            continue;
        }
        lost(r, arg);
        eng_worker_drop(self, r);
    }
    free(ids);
}
