// Subscriptions and their EVENTs (see eng_subs.h). A short list scanned
// for each NOTIFY: subscribers are a few clients (the gateway, `sirocco
// execution watch`), not one per execution.
// Thread rule: the engine loop's thread.
#include "eng_subs.h"

#include <stdlib.h>
#include <string.h>

#include "eng_clock.h"
#include "sr_heartbeat.h"
#include "sr_msg.h"

typedef struct {
    sr_wire_peer_t peer;
    int64_t req_id;
    sr_id_t exec_id; // nil: every execution
    bool all;
    bool tasks; // task events too
} eng_sub_t;

struct eng_subs {
    zsock_t *sock;      // borrowed: the client endpoint
    sr_heartbeat_t *hb; // owned: the subscribers, kept alive by messages
    eng_sub_t *subs;    // owned
    size_t nsubs, capsubs;
};

eng_subs_t *
eng_subs_new(zsock_t *sock, int64_t heartbeat_ms, int64_t expiry_ms)
{
    eng_subs_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->sock = sock;
    self->hb = sr_heartbeat_new(heartbeat_ms, expiry_ms);
    if (!self->hb)
        eng_subs_destroy(&self);
    return self;
}

void
eng_subs_destroy(eng_subs_t **self_p)
{
    eng_subs_t *self = *self_p;
    if (!self)
        return;
    sr_heartbeat_destroy(&self->hb);
    free(self->subs);
    free(self);
    *self_p = NULL;
}

// The subscription of `peer` to the same executions, or NULL.
static eng_sub_t *
s_find(eng_subs_t *self, const sr_wire_peer_t *peer, bool all,
       const sr_id_t *exec_id)
{
    for (size_t i = 0; i < self->nsubs; i++) {
        eng_sub_t *s = &self->subs[i];
        if (sr_wire_peer_equal(&s->peer, peer) && s->all == all &&
            (all || sr_id_equal(&s->exec_id, exec_id)))
            return s;
    }
    return NULL;
}

sr_err_t
eng_subs_add(eng_subs_t *self, const sr_wire_in_t *in, int64_t now_ms)
{
    sr_id_t id = {0};
    bool all = !sr_msg_id(in->msg, SR_F_SUBSCRIBE_execution_id, &id);
    bool tasks = sr_msg_bool(in->msg, SR_F_SUBSCRIBE_tasks, true);
    eng_sub_t *had = s_find(self, &in->peer, all, &id);
    if (had) { // asked again (a client that follows a partition's move)
        had->req_id = in->req_id;
        had->tasks = tasks;
        sr_heartbeat_touch(self->hb, in->peer.id, in->peer.len, now_ms);
        return SR_OK;
    }
    if (self->nsubs == self->capsubs) {
        size_t cap = self->capsubs ? self->capsubs * 2 : 8;
        eng_sub_t *s = realloc(self->subs, cap * sizeof *s);
        if (!s)
            return SR_ENOMEM;
        self->subs = s;
        self->capsubs = cap;
    }
    eng_sub_t *s = &self->subs[self->nsubs++];
    memset(s, 0, sizeof *s);
    s->peer = in->peer;
    s->req_id = in->req_id;
    s->all = all;
    s->exec_id = id;
    s->tasks = tasks;
    sr_heartbeat_touch(self->hb, in->peer.id, in->peer.len, now_ms);
    return SR_OK;
}

size_t
eng_subs_count(const eng_subs_t *self, const sr_wire_peer_t *peer)
{
    size_t n = 0;
    for (size_t i = 0; i < self->nsubs; i++)
        n += sr_wire_peer_equal(&self->subs[i].peer, peer);
    return n;
}

void
eng_subs_remove(eng_subs_t *self, const sr_wire_peer_t *peer)
{
    for (size_t i = 0; i < self->nsubs;) {
        if (sr_wire_peer_equal(&self->subs[i].peer, peer))
            self->subs[i] = self->subs[--self->nsubs];
        else
            i++;
    }
}

void
eng_subs_heard(eng_subs_t *self, const sr_wire_peer_t *peer, int64_t now_ms)
{
    if (sr_heartbeat_has(self->hb, peer->id, peer->len))
        sr_heartbeat_touch(self->hb, peer->id, peer->len, now_ms);
}

void
eng_subs_notify(eng_subs_t *self, const core_cmd_t *cmd)
{
    if (!self->nsubs)
        return;
    sr_msg_t *m = sr_msg_new(SR_MSG_EVENT);
    if (!m || sr_msg_set_id(m, SR_F_EVENT_execution_id, &cmd->exec_id) ||
        sr_msg_set_str(m, SR_F_EVENT_kind,
                       cmd->is_task ? "task" : "execution") ||
        (cmd->task_name &&
         sr_msg_set_str(m, SR_F_EVENT_name, cmd->task_name)) ||
        sr_msg_set_str(m, SR_F_EVENT_state, cmd->state) ||
        (cmd->text && sr_msg_set_str(m, SR_F_EVENT_state_info, cmd->text)) ||
        sr_msg_set_int(m, SR_F_EVENT_time_ms, eng_now_ms())) {
        sr_msg_destroy(&m);
        return;
    }
    // A deleted execution has nothing more to say: its own subscriptions
    // end with this event.
    bool gone = !cmd->is_task && strcmp(cmd->state, "DELETED") == 0;
    for (size_t i = 0; i < self->nsubs;) {
        eng_sub_t *s = &self->subs[i];
        sr_error_t e;
        bool mine = !s->all && sr_id_equal(&s->exec_id, &cmd->exec_id);
        if ((s->all || mine) && (s->tasks || !cmd->is_task))
            (void)sr_wire_send(self->sock, &s->peer, m, &e);
        if (mine && gone)
            *s = self->subs[--self->nsubs];
        else
            i++;
    }
    sr_msg_destroy(&m);
}

static void
s_expired(const void *key, size_t len, void *arg)
{
    sr_wire_peer_t peer = {0};
    if (sr_wire_peer_set(&peer, key, len))
        eng_subs_remove(arg, &peer);
}

void
eng_subs_expire(eng_subs_t *self, int64_t now_ms)
{
    sr_heartbeat_expire(self->hb, now_ms, s_expired, self);
}
