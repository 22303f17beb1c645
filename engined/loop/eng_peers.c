// The other engines of the cluster. A request about a partition this
// engine does not own is forwarded to the owner over a DEALER connected to
// the owner's client endpoint, and the owner's answer is relayed back
// with the client's req_id. Workflow definitions created here are sent to
// every peer; at start the engine fetches the definitions it lacks from
// its peers. A peer known down (eng_peer_hb.c) makes requests for its
// partitions fail at once with EUNAVAIL; one not known down is waited for
// until it answers, is known down, or S_FWD_TIMEOUT_MS pass.
// Thread rule: the engine loop's thread.
#include "eng_peers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_clock.h"
#include "eng_peer_hb.h"
#include "eng_reply.h"
#include "eng_view.h"
#include "lang_doc.h"
#include "sr_log.h"

#define S_FWD_TIMEOUT_MS   5000
#define S_FWD_TIMEOUT_TEXT "5 s"
#define S_SYNC_EVERY_MS    2000 // definitions compared with the peers

// A message not yet taken by a peer's socket (the peer is not connected),
// with the forward it belongs to and a deadline.
typedef struct {
    sr_msg_t *msg; // owned
    int64_t fwd_id;
    int64_t deadline;
} eng_out_t;

// Another engine: its connection and its outbox, in order.
typedef struct {
    zsock_t *sock; // owned: DEALER to its client endpoint
    eng_out_t *out;
    size_t nout, capout;
} eng_peer_t;

typedef enum {
    ENG_FWD_RELAY = 1, // a client's request at the owner: relay the answer
    ENG_FWD_ANY,       // asked of every peer: the first success is relayed
    ENG_FWD_IGNORE,    // sent to every peer, answers dropped
    ENG_FWD_SYNC_LIST, // start-up: which workflows a peer has
    ENG_FWD_SYNC_GET,  // start-up: a definition this engine lacks
} eng_fwd_kind_t;

// A request sent to peers and not answered yet.
typedef struct {
    int64_t id; // the req_id the peers see
    eng_fwd_kind_t kind;
    sr_wire_peer_t from; // the client to answer
    int64_t req_id;      // the client's req_id
    int64_t deadline;
    size_t waiting; // answers still expected
    size_t peer;    // RELAY, SYNC_*: which peer
    uint16_t part;  // RELAY: the partition asked about
} eng_fwd_t;

struct eng_peers {
    const eng_config_t *cfg;   // borrowed, complete
    zsock_t *client;           // borrowed: the client endpoint
    const sr_limits_t *limits; // borrowed
    eng_parts_t *parts;        // borrowed
    eng_batch_t *batch;        // borrowed: where fetched definitions go
    store_docs_t *docs;        // borrowed
    const sr_curve_t *curve;   // borrowed; NULL: no CurveZMQ
    eng_peer_t *peers;         // owned; room for ENG_MAX_PEERS
    size_t npeers;             // connected so far
    eng_peer_hb_t *hb;         // owned: which peers are up
    eng_fwd_t *fwd;            // owned
    size_t nfwd, capfwd;
    int64_t next_fwd;   // the last forward's id
    int64_t next_sync;  // when to compare definitions again
    char identity[300]; // "peer:NAME", how this engine calls others
};

sr_err_t
eng_peers_add(eng_peers_t *self, sr_error_t *err)
{
    const eng_config_t *cfg = self->cfg;
    sr_err_t rc = SR_OK;
    for (size_t i = self->npeers; !rc && i < cfg->npeers; i++) {
        const eng_peer_config_t *pc = &cfg->peers[i];
        eng_peer_t *p = &self->peers[i];
        self->npeers = i + 1;
        p->sock = zsock_new(ZMQ_DEALER);
        if (!p->sock) {
            rc = sr_error_set(err, SR_ENOMEM, "out of memory");
            break;
        }
        zsock_set_identity(p->sock, self->identity);
        zsock_set_immediate(p->sock, 1);
        zsock_set_linger(p->sock, 0);
        zsock_set_sndtimeo(p->sock, 0);
        sr_wire_set_max_frame(p->sock, self->limits);
        if (self->curve &&
            (rc = sr_curve_apply_client(self->curve, p->sock, err)))
            break;
        if (zsock_connect(p->sock, "%s", pc->client) == -1)
            rc = sr_error_set(err, SR_EINVAL, "peer %s: cannot connect to %s",
                              pc->name, pc->client);
    }
    return rc;
}

sr_err_t
eng_peers_open(const eng_peers_deps_t *deps, eng_peers_t **out, sr_error_t *err)
{
    const eng_config_t *cfg = deps->cfg;
    eng_peers_t *self = calloc(1, sizeof *self);
    if (self) {
        self->cfg = cfg;
        self->client = deps->client;
        self->limits = deps->limits;
        self->parts = deps->parts;
        self->batch = deps->batch;
        self->docs = deps->docs;
        self->curve = deps->curve;
        // Room for the peers a newer cluster map may bring.
        self->peers = calloc(ENG_MAX_PEERS + 1, sizeof *self->peers);
        self->hb = eng_peer_hb_new(cfg, deps->parts);
    }
    if (!self || !self->peers || !self->hb) {
        eng_peers_close(&self);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    snprintf(self->identity, sizeof self->identity, "peer:%s", cfg->name);
    sr_err_t rc = eng_peers_add(self, err);
    if (rc) {
        eng_peers_close(&self);
        return rc;
    }
    *out = self;
    return SR_OK;
}

void
eng_peers_close(eng_peers_t **self_p)
{
    eng_peers_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->npeers; i++) {
        for (size_t k = 0; k < self->peers[i].nout; k++)
            sr_msg_destroy(&self->peers[i].out[k].msg);
        free(self->peers[i].out);
        zsock_destroy(&self->peers[i].sock);
    }
    free(self->peers);
    free(self->fwd);
    eng_peer_hb_destroy(&self->hb);
    free(self);
    *self_p = NULL;
}

size_t
eng_peers_count(const eng_peers_t *self)
{
    return self->npeers;
}

zsock_t *
eng_peers_sock(eng_peers_t *self, size_t i)
{
    return self->peers[i].sock;
}

void
eng_peers_start(eng_peers_t *self, int64_t now_ms)
{
    eng_peer_hb_start(self->hb, now_ms);
}

bool
eng_peers_is_peer(const sr_wire_peer_t *peer)
{
    return peer->len > 5 && memcmp(peer->id, "peer:", 5) == 0;
}

bool
eng_peers_which(const eng_peers_t *self, const sr_wire_peer_t *peer, size_t *i)
{
    if (!eng_peers_is_peer(peer))
        return false;
    for (size_t k = 0; k < self->npeers; k++) {
        const char *name = self->cfg->peers[k].name;
        size_t len = (size_t)peer->len - 5;
        if (strlen(name) == len && memcmp(peer->id + 5, name, len) == 0) {
            *i = k;
            return true;
        }
    }
    return false;
}

sr_err_t
eng_peers_send_now(eng_peers_t *self, size_t i, const sr_msg_t *m,
                   sr_error_t *err)
{
    if (i >= self->npeers)
        return sr_error_set(err, SR_EUNAVAIL, "no link to peer %zu", i);
    return sr_wire_send(self->peers[i].sock, NULL, m, err);
}

static eng_fwd_t *
s_fwd_new(eng_peers_t *self, eng_fwd_kind_t kind, const sr_wire_in_t *in)
{
    if (self->nfwd == self->capfwd) {
        size_t cap = self->capfwd ? self->capfwd * 2 : 16;
        eng_fwd_t *f = realloc(self->fwd, cap * sizeof *f);
        if (!f)
            return NULL;
        self->fwd = f;
        self->capfwd = cap;
    }
    eng_fwd_t *f = &self->fwd[self->nfwd++];
    memset(f, 0, sizeof *f);
    f->id = ++self->next_fwd;
    f->kind = kind;
    f->deadline = eng_now_ms() + S_FWD_TIMEOUT_MS;
    if (in) {
        f->from = in->peer;
        f->req_id = in->req_id;
    }
    return f;
}

static bool
s_pending(const eng_peers_t *self, int64_t fwd_id)
{
    for (size_t k = 0; k < self->nfwd; k++)
        if (self->fwd[k].id == fwd_id)
            return true;
    return false;
}

// Send the peer's outbox in order, as far as the socket takes it. An
// entry whose forward is over (answered, expired) is dropped.
static void
s_flush(eng_peers_t *self, eng_peer_t *p, int64_t now)
{
    size_t done = 0;
    for (; done < p->nout; done++) {
        eng_out_t *o = &p->out[done];
        sr_error_t e;
        if (o->deadline > now && s_pending(self, o->fwd_id) &&
            sr_wire_send(p->sock, NULL, o->msg, &e) == SR_EUNAVAIL)
            break; // not connected: keep this and the rest, in order
        sr_msg_destroy(&o->msg);
    }
    memmove(p->out, p->out + done, (p->nout - done) * sizeof *p->out);
    p->nout -= done;
}

static void
s_flush_all(eng_peers_t *self, int64_t now)
{
    for (size_t i = 0; i < self->npeers; i++)
        if (self->peers[i].nout)
            s_flush(self, &self->peers[i], now);
}

// Queue a copy of `m` for peer i with req_id set to the forward's id and
// send what can go. False when out of memory.
static bool
s_send(eng_peers_t *self, size_t i, const sr_msg_t *m, const eng_fwd_t *f)
{
    eng_peer_t *p = &self->peers[i];
    if (p->nout == p->capout) {
        size_t cap = p->capout ? p->capout * 2 : 16;
        eng_out_t *o = realloc(p->out, cap * sizeof *o);
        if (!o)
            return false;
        p->out = o;
        p->capout = cap;
    }
    sr_msg_t *copy = sr_msg_dup(m);
    sr_field_t rf = sr_msg_field_find(sr_msg_type(m), "req_id", 6);
    if (!copy || (rf != SR_F_COUNT && sr_msg_set_int(copy, rf, f->id))) {
        sr_msg_destroy(&copy);
        return false;
    }
    p->out[p->nout++] = (eng_out_t){copy, f->id, f->deadline};
    s_flush(self, p, eng_now_ms());
    return true;
}

// EUNAVAIL for a request about `part`, owned by peer `owner`, naming
// both and saying why (NULL: the owner is known down).
static void
s_unavailable(eng_peers_t *self, const sr_wire_peer_t *to, int64_t req_id,
              size_t owner, uint16_t part, const char *why)
{
    char down[96];
    if (!why) {
        snprintf(
            down, sizeof down, "is down: nothing heard from it for %lld ms",
            (long long)eng_peer_hb_silent_ms(self->hb, owner, eng_now_ms()));
        why = down;
    }
    sr_error_t e;
    sr_error_set(&e, SR_EUNAVAIL, "partition %u is on engine %s (%s), which %s",
                 part, self->cfg->peers[owner].name,
                 self->cfg->peers[owner].client, why);
    eng_reply_error(self->client, to, req_id, &e);
}

void
eng_peers_forward(eng_peers_t *self, sr_wire_in_t *in, size_t owner,
                  uint16_t part)
{
    if (eng_peer_hb_is_down(self->hb, owner)) {
        s_unavailable(self, &in->peer, in->req_id, (size_t)owner, part, NULL);
        return;
    }
    eng_fwd_t *f = s_fwd_new(self, ENG_FWD_RELAY, in);
    if (!f) {
        sr_error_t e;
        sr_error_set(&e, SR_ENOMEM, "out of memory forwarding the request");
        eng_reply_error(self->client, &in->peer, in->req_id, &e);
        return;
    }
    f->waiting = 1;
    f->peer = (size_t)owner;
    f->part = part;
    if (!s_send(self, (size_t)owner, in->msg, f)) {
        self->nfwd--;
        s_unavailable(self, &in->peer, in->req_id, (size_t)owner, part,
                      "cannot be sent to (out of memory)");
    }
}

// Answer EUNAVAIL to every request waiting for peer i (known down now).
static void
s_fail_pending(eng_peers_t *self, size_t i)
{
    for (size_t k = 0; k < self->nfwd;) {
        eng_fwd_t *f = &self->fwd[k];
        if (f->kind != ENG_FWD_RELAY || f->peer != i) {
            k++;
            continue;
        }
        s_unavailable(self, &f->from, f->req_id, i, f->part, NULL);
        self->fwd[k] = self->fwd[--self->nfwd];
    }
}

void
eng_peers_broadcast(eng_peers_t *self, sr_wire_in_t *in, bool relay)
{
    eng_fwd_t *f = s_fwd_new(self, relay ? ENG_FWD_ANY : ENG_FWD_IGNORE,
                             relay ? in : NULL);
    if (!f)
        return;
    if (!relay) // copies of definitions wait longer for a peer to come
        f->deadline += 55000;
    for (size_t i = 0; i < self->npeers; i++) // a question not asked of
        if (!relay || !eng_peer_hb_is_down(self->hb, i)) // known down
            f->waiting += s_send(self, i, in->msg, f);
    if (relay && !f->waiting) {
        self->nfwd--;
        sr_error_t e;
        sr_error_set(&e, SR_ENOTFOUND, "no engine of the cluster knows it");
        eng_reply_error(self->client, &in->peer, in->req_id, &e);
    } else if (!f->waiting)
        self->nfwd--;
}

static void
s_sync(eng_peers_t *self)
{
    for (size_t i = 0; i < self->npeers; i++) {
        if (eng_peer_hb_is_down(self->hb, i))
            continue; // asked again when it is heard from
        eng_fwd_t *f = s_fwd_new(self, ENG_FWD_SYNC_LIST, NULL);
        sr_msg_t *m = sr_msg_new(SR_MSG_WF_LIST);
        if (!f || !m || !s_send(self, i, m, f)) {
            if (f)
                self->nfwd--;
        } else {
            f->waiting = 1;
            f->peer = i;
        }
        sr_msg_destroy(&m);
    }
}

// A definition fetched from a peer: store it in every local partition.
static void
s_adopt(eng_peers_t *self, const char *text)
{
    lang_doc_t *doc = NULL;
    lang_diags_t diags = {0};
    if (!text ||
        lang_doc_parse("peer", text, strlen(text), NULL, &doc, &diags)) {
        lang_diags_fini(&diags);
        sr_warn("a definition from a peer does not load; skipped");
        return;
    }
    lang_diags_fini(&diags);
    const lang_doc_t *kept = store_docs_adopt(self->docs, &doc);
    (void)eng_batch_add_def(self->batch, eng_parts_count(self->parts), kept);
}

// WF_LIST from a peer: fetch the workflows this engine lacks.
static void
s_sync_list(eng_peers_t *self, size_t peer, const sr_value_t *list)
{
    sr_value_t *mine = NULL;
    sr_error_t e;
    if (eng_view_workflow_list(self->parts, NULL, &mine, &e))
        return;
    for (size_t i = 0; i < sr_value_len(list); i++) {
        const sr_value_t *w = sr_value_array_at(list, i);
        const char *name = sr_value_map_str(w, "name");
        const char *version = sr_value_map_str(w, "version");
        bool have = false;
        for (size_t k = 0; !have && k < sr_value_len(mine); k++) {
            const char *v =
                sr_value_map_str(sr_value_array_at(mine, k), "version");
            have = v && version && strcmp(v, version) == 0;
        }
        if (have || !name)
            continue;
        eng_fwd_t *f = s_fwd_new(self, ENG_FWD_SYNC_GET, NULL);
        sr_msg_t *m = sr_msg_new(SR_MSG_WF_GET);
        if (f && m && !sr_msg_set_str(m, SR_F_WF_GET_name, name) &&
            s_send(self, peer, m, f))
            f->waiting = 1;
        else if (f)
            self->nfwd--;
        sr_msg_destroy(&m);
    }
    sr_value_destroy(&mine);
}

static void
s_relay(eng_peers_t *self, eng_fwd_t *f, sr_wire_in_t *in)
{
    sr_field_t rf =
        in->type == SR_MSG_REPLY ? SR_F_REPLY_req_id : SR_F_ERROR_req_id;
    sr_error_t e;
    if (!sr_msg_set_int(in->msg, rf, f->req_id) &&
        sr_wire_send(self->client, &f->from, in->msg, &e))
        sr_warn("cannot relay an answer: %s", e.msg);
}

static void
s_answer(eng_peers_t *self, size_t peer, sr_wire_in_t *in)
{
    int64_t id = sr_msg_req_id(in->msg);
    size_t k = 0;
    while (k < self->nfwd && self->fwd[k].id != id)
        k++;
    if (k == self->nfwd)
        return; // late: timed out already
    eng_fwd_t *f = &self->fwd[k];
    bool ok = in->type == SR_MSG_REPLY;
    bool done = --f->waiting == 0;
    switch (f->kind) {
    case ENG_FWD_RELAY:
        s_relay(self, f, in);
        done = true;
        break;
    case ENG_FWD_ANY: // first success wins; the last error if none
        if (ok || done) {
            s_relay(self, f, in);
            done = true;
        }
        break;
    case ENG_FWD_SYNC_LIST:
        if (ok) {
            sr_value_t *body = sr_msg_take(in->msg, SR_F_REPLY_body);
            f->waiting = 0;
            s_sync_list(self, peer, body); // may move self->fwd
            sr_value_destroy(&body);
        }
        break;
    case ENG_FWD_SYNC_GET:
        if (ok)
            s_adopt(self, sr_value_map_str(sr_msg_get(in->msg, SR_F_REPLY_body),
                                           "definition"));
        break;
    case ENG_FWD_IGNORE:
        break;
    }
    if (done) // index k still holds: the list only grew at its end
        self->fwd[k] = self->fwd[--self->nfwd];
}

// Take peer i's answers (at most 256 a turn) and relay them.
static void
s_recv(eng_peers_t *self, size_t i)
{
    for (int n = 0; n < 256; n++) {
        sr_wire_in_t in;
        sr_error_t e;
        sr_err_t rc =
            sr_wire_recv(self->peers[i].sock, 0, self->limits, &in, &e);
        if (rc == SR_OK)
            eng_peer_hb_touch(self->hb, i, eng_now_ms());
        if (rc == SR_OK && (in.type == SR_MSG_REPLY || in.type == SR_MSG_ERROR))
            s_answer(self, i, &in);
        sr_wire_in_fini(&in);
        if (rc == SR_ETIMEDOUT || rc == SR_EIO)
            return;
    }
}

// Forwards unanswered past their deadline: EUNAVAIL to their client.
static void
s_expire(eng_peers_t *self, int64_t now)
{
    for (size_t k = 0; k < self->nfwd;) {
        eng_fwd_t *f = &self->fwd[k];
        if (f->deadline > now) {
            k++;
            continue;
        }
        if (f->kind == ENG_FWD_RELAY)
            s_unavailable(self, &f->from, f->req_id, f->peer, f->part,
                          "did not answer within " S_FWD_TIMEOUT_TEXT);
        else if (f->kind == ENG_FWD_ANY) {
            sr_error_t e;
            sr_error_set(&e, SR_EUNAVAIL,
                         "no engine of the cluster answered in time");
            eng_reply_error(self->client, &f->from, f->req_id, &e);
        }
        self->fwd[k] = self->fwd[--self->nfwd];
    }
}

// Send every peer its HEARTBEAT when due, and take those silent for the
// expiry time as down: the requests waiting for them get EUNAVAIL.
static void
s_heartbeat(eng_peers_t *self, int64_t now)
{
    sr_msg_t *m = eng_peer_hb_due(self->hb, now);
    for (size_t i = 0; m && i < self->npeers; i++) {
        sr_error_t e;
        if (!eng_peer_hb_address(self->hb, i, m))
            (void)sr_wire_send(self->peers[i].sock, NULL, m, &e);
    }
    sr_msg_destroy(&m);
    for (size_t i = 0; i < self->npeers; i++)
        if (eng_peer_hb_check_down(self->hb, i, now))
            s_fail_pending(self, i);
}

void
eng_peers_tick(eng_peers_t *self, int64_t now_ms)
{
    if (!self->npeers)
        return;
    for (size_t i = 0; i < self->npeers; i++)
        s_recv(self, i);
    s_flush_all(self, now_ms);
    s_heartbeat(self, now_ms);
    if (self->nfwd)
        s_expire(self, now_ms);
    // Definitions missed while a peer was away (or not yet connected)
    // arrive with the next comparison.
    if (now_ms >= self->next_sync) {
        s_sync(self);
        self->next_sync = now_ms + S_SYNC_EVERY_MS;
    }
}

void
eng_peers_heard(eng_peers_t *self, sr_wire_in_t *in)
{
    // What a peer serves, for the partitions this engine has no copy of.
    size_t i;
    const sr_value_t *parts = sr_msg_get(in->msg, SR_F_HEARTBEAT_partitions);
    if (eng_parts_replicated(self->parts) &&
        eng_peers_which(self, &in->peer, &i))
        for (size_t k = 0; k < sr_value_len(parts); k++) {
            const sr_value_t *m = sr_value_array_at(parts, k);
            int64_t number = sr_value_int(sr_value_map_get(m, "partition"));
            int64_t epoch = sr_value_int(sr_value_map_get(m, "epoch"));
            if (number >= 0 && number < 65536 && epoch > 0)
                eng_parts_heard_serving(self->parts, (uint16_t)number, (int)i,
                                        (uint64_t)epoch);
        }
    eng_peer_hb_heard(self->hb, in, eng_now_ms());
}

const char *
eng_peers_state(const eng_peers_t *self, size_t i)
{
    return eng_peer_hb_state(self->hb, i);
}

int64_t
eng_peers_silent_ms(const eng_peers_t *self, size_t i, int64_t now_ms)
{
    return eng_peer_hb_silent_ms(self->hb, i, now_ms);
}
