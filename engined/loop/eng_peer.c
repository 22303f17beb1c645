// The other engines of the cluster. A request about a partition this
// engine does not own is forwarded to the owner over a DEALER connected to
// the owner's client endpoint, and the owner's answer is relayed back
// with the client's req_id. Workflow definitions created here are sent to
// every peer; at start the engine fetches the definitions it lacks from
// its peers. A peer known down (eng_peer_hb.c) makes requests for its
// partitions fail at once with EUNAVAIL; one not known down is waited for
// until it answers, is known down, or S_FWD_TIMEOUT_MS pass.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_internal.h"
#include "eng_reply.h"
#include "lang_doc.h"
#include "sr_log.h"

#define S_FWD_TIMEOUT_MS   5000
#define S_FWD_TIMEOUT_TEXT "5 s"

sr_err_t
eng_peers_open(eng_t *eng, sr_error_t *err)
{
    if (!eng->cfg.npeers)
        return SR_OK;
    eng->peers = calloc(eng->cfg.npeers, sizeof *eng->peers);
    if (!eng->peers)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    for (size_t i = 0; i < eng->cfg.npeers; i++) {
        const eng_peer_config_t *pc = &eng->cfg.peers[i];
        eng_peer_t *p = &eng->peers[i];
        eng->npeers = i + 1;
        p->name = strdup(pc->name);
        p->worker = strdup(pc->worker);
        p->parts = malloc((pc->npartitions + 1) * sizeof *p->parts);
        p->sock = zsock_new(ZMQ_DEALER);
        if (!p->name || !p->worker || !p->parts || !p->sock)
            return sr_error_set(err, SR_ENOMEM, "out of memory");
        memcpy(p->parts, pc->partitions, pc->npartitions * sizeof *p->parts);
        p->nparts = pc->npartitions;
        zsock_set_identity(p->sock, eng->peer_identity);
        zsock_set_immediate(p->sock, 1);
        zsock_set_linger(p->sock, 0);
        zsock_set_sndtimeo(p->sock, 0);
        sr_wire_set_max_frame(p->sock, &eng->limits);
        sr_err_t rc;
        if (eng->curve &&
            (rc = sr_curve_apply_client(eng->curve, p->sock, err)))
            return rc;
        if (zsock_connect(p->sock, "%s", pc->client) == -1)
            return sr_error_set(err, SR_EINVAL, "peer %s: cannot connect to %s",
                                pc->name, pc->client);
    }
    return SR_OK;
}

void
eng_peers_close(eng_t *eng)
{
    for (size_t i = 0; i < eng->npeers; i++) {
        free(eng->peers[i].name);
        free(eng->peers[i].worker);
        free(eng->peers[i].parts);
        sr_value_destroy(&eng->peers[i].seen);
        sr_value_destroy(&eng->peers[i].before);
        for (size_t k = 0; k < eng->peers[i].nout; k++)
            sr_msg_destroy(&eng->peers[i].out[k].msg);
        free(eng->peers[i].out);
        zsock_destroy(&eng->peers[i].sock);
    }
    free(eng->peers);
    free(eng->fwd);
    eng->peers = NULL;
    eng->npeers = 0;
}

bool
eng_from_peer(const sr_wire_peer_t *peer)
{
    return peer->len > 5 && memcmp(peer->id, "peer:", 5) == 0;
}

static eng_fwd_t *
s_fwd_new(eng_t *eng, eng_fwd_kind_t kind, const sr_wire_in_t *in)
{
    if (eng->nfwd == eng->capfwd) {
        size_t cap = eng->capfwd ? eng->capfwd * 2 : 16;
        eng_fwd_t *f = realloc(eng->fwd, cap * sizeof *f);
        if (!f)
            return NULL;
        eng->fwd = f;
        eng->capfwd = cap;
    }
    eng_fwd_t *f = &eng->fwd[eng->nfwd++];
    memset(f, 0, sizeof *f);
    f->id = ++eng->next_fwd;
    f->kind = kind;
    f->deadline = eng_now_ms() + S_FWD_TIMEOUT_MS;
    if (in) {
        f->from = in->peer;
        f->req_id = in->req_id;
    }
    return f;
}

static bool
s_pending(const eng_t *eng, int64_t fwd_id)
{
    for (size_t k = 0; k < eng->nfwd; k++)
        if (eng->fwd[k].id == fwd_id)
            return true;
    return false;
}

// Send the peer's outbox in order, as far as the socket takes it. An
// entry whose forward is over (answered, expired) is dropped.
static void
s_flush(eng_t *eng, eng_peer_t *p, int64_t now)
{
    size_t done = 0;
    for (; done < p->nout; done++) {
        eng_out_t *o = &p->out[done];
        sr_error_t e;
        if (o->deadline > now && s_pending(eng, o->fwd_id) &&
            sr_wire_send(p->sock, NULL, o->msg, &e) == SR_EUNAVAIL)
            break; // not connected: keep this and the rest, in order
        sr_msg_destroy(&o->msg);
    }
    memmove(p->out, p->out + done, (p->nout - done) * sizeof *p->out);
    p->nout -= done;
}

void
eng_peers_flush(eng_t *eng, int64_t now)
{
    for (size_t i = 0; i < eng->npeers; i++)
        if (eng->peers[i].nout)
            s_flush(eng, &eng->peers[i], now);
}

// Queue a copy of `m` for peer i with req_id set to the forward's id and
// send what can go. False when out of memory.
static bool
s_send(eng_t *eng, size_t i, const sr_msg_t *m, const eng_fwd_t *f)
{
    eng_peer_t *p = &eng->peers[i];
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
    s_flush(eng, p, eng_now_ms());
    return true;
}

// EUNAVAIL for a request about `part`, owned by peer `owner`, naming
// both and saying why (NULL: the owner is known down).
static void
s_unavailable(eng_t *eng, const sr_wire_peer_t *to, int64_t req_id,
              size_t owner, uint16_t part, const char *why)
{
    char down[96];
    if (!why) {
        snprintf(down, sizeof down,
                 "is down: nothing heard from it for %lld ms",
                 (long long)eng_peer_silent_ms(eng, owner, eng_now_ms()));
        why = down;
    }
    sr_error_t e;
    sr_error_set(&e, SR_EUNAVAIL, "partition %u is on engine %s (%s), which %s",
                 part, eng->peers[owner].name, eng->cfg.peers[owner].client,
                 why);
    eng_reply_error(eng->client, to, req_id, &e);
}

void
eng_peer_forward(eng_t *eng, sr_wire_in_t *in, int owner, uint16_t part)
{
    if (eng->peers[owner].is_down) {
        s_unavailable(eng, &in->peer, in->req_id, (size_t)owner, part, NULL);
        return;
    }
    eng_fwd_t *f = s_fwd_new(eng, ENG_FWD_RELAY, in);
    if (!f) {
        sr_error_t e;
        sr_error_set(&e, SR_ENOMEM, "out of memory forwarding the request");
        eng_reply_error(eng->client, &in->peer, in->req_id, &e);
        return;
    }
    f->waiting = 1;
    f->peer = (size_t)owner;
    f->part = part;
    if (!s_send(eng, (size_t)owner, in->msg, f)) {
        eng->nfwd--;
        s_unavailable(eng, &in->peer, in->req_id, (size_t)owner, part,
                      "cannot be sent to (out of memory)");
    }
}

void
eng_peer_fail_pending(eng_t *eng, size_t i)
{
    for (size_t k = 0; k < eng->nfwd;) {
        eng_fwd_t *f = &eng->fwd[k];
        if (f->kind != ENG_FWD_RELAY || f->peer != i) {
            k++;
            continue;
        }
        s_unavailable(eng, &f->from, f->req_id, i, f->part, NULL);
        eng->fwd[k] = eng->fwd[--eng->nfwd];
    }
}

void
eng_peer_broadcast(eng_t *eng, sr_wire_in_t *in, bool relay)
{
    eng_fwd_t *f =
        s_fwd_new(eng, relay ? ENG_FWD_ANY : ENG_FWD_IGNORE, relay ? in : NULL);
    if (!f)
        return;
    if (!relay) // copies of definitions wait longer for a peer to come
        f->deadline += 55000;
    for (size_t i = 0; i < eng->npeers; i++)  // a question not asked of
        if (!relay || !eng->peers[i].is_down) // the engines known down
            f->waiting += s_send(eng, i, in->msg, f);
    if (relay && !f->waiting) {
        eng->nfwd--;
        sr_error_t e;
        sr_error_set(&e, SR_ENOTFOUND, "no engine of the cluster knows it");
        eng_reply_error(eng->client, &in->peer, in->req_id, &e);
    } else if (!f->waiting)
        eng->nfwd--;
}

void
eng_peers_sync(eng_t *eng)
{
    for (size_t i = 0; i < eng->npeers; i++) {
        if (eng->peers[i].is_down)
            continue; // asked again when it is heard from
        eng_fwd_t *f = s_fwd_new(eng, ENG_FWD_SYNC_LIST, NULL);
        sr_msg_t *m = sr_msg_new(SR_MSG_WF_LIST);
        if (!f || !m || !s_send(eng, i, m, f)) {
            if (f)
                eng->nfwd--;
        } else {
            f->waiting = 1;
            f->peer = i;
        }
        sr_msg_destroy(&m);
    }
}

// A definition fetched from a peer: store it in every local partition.
static void
s_adopt(eng_t *eng, const char *text)
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
    const lang_doc_t *kept = store_docs_adopt(eng->docs, &doc);
    for (size_t pi = 0; pi < eng_parts_count(eng->parts); pi++) {
        eng_op_t *op = eng_batch_add(eng->batch);
        if (!op)
            return;
        op->kind = ENG_OP_WF_CREATE;
        op->doc = kept;
        op->part = pi;
    }
}

// WF_LIST from a peer: fetch the workflows this engine lacks.
static void
s_sync_list(eng_t *eng, size_t peer, const sr_value_t *list)
{
    sr_value_t *mine = NULL;
    sr_error_t e;
    if (eng_view_workflow_list(eng->parts, &mine, &e))
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
        eng_fwd_t *f = s_fwd_new(eng, ENG_FWD_SYNC_GET, NULL);
        sr_msg_t *m = sr_msg_new(SR_MSG_WF_GET);
        if (f && m && !sr_msg_set_str(m, SR_F_WF_GET_name, name) &&
            s_send(eng, peer, m, f))
            f->waiting = 1;
        else if (f)
            eng->nfwd--;
        sr_msg_destroy(&m);
    }
    sr_value_destroy(&mine);
}

static void
s_relay(eng_t *eng, eng_fwd_t *f, sr_wire_in_t *in)
{
    sr_field_t rf =
        in->type == SR_MSG_REPLY ? SR_F_REPLY_req_id : SR_F_ERROR_req_id;
    sr_error_t e;
    if (!sr_msg_set_int(in->msg, rf, f->req_id) &&
        sr_wire_send(eng->client, &f->from, in->msg, &e))
        sr_warn("cannot relay an answer: %s", e.msg);
}

static void
s_answer(eng_t *eng, size_t peer, sr_wire_in_t *in)
{
    int64_t id = sr_msg_req_id(in->msg);
    size_t k = 0;
    while (k < eng->nfwd && eng->fwd[k].id != id)
        k++;
    if (k == eng->nfwd)
        return; // late: timed out already
    eng_fwd_t *f = &eng->fwd[k];
    bool ok = in->type == SR_MSG_REPLY;
    bool done = --f->waiting == 0;
    switch (f->kind) {
    case ENG_FWD_RELAY:
        s_relay(eng, f, in);
        done = true;
        break;
    case ENG_FWD_ANY: // first success wins; the last error if none
        if (ok || done) {
            s_relay(eng, f, in);
            done = true;
        }
        break;
    case ENG_FWD_SYNC_LIST:
        if (ok) {
            sr_value_t *body = sr_msg_take(in->msg, SR_F_REPLY_body);
            f->waiting = 0;
            s_sync_list(eng, peer, body); // may move eng->fwd
            sr_value_destroy(&body);
        }
        break;
    case ENG_FWD_SYNC_GET:
        if (ok)
            s_adopt(eng, sr_value_map_str(sr_msg_get(in->msg, SR_F_REPLY_body),
                                          "definition"));
        break;
    case ENG_FWD_IGNORE:
        break;
    }
    if (done) // index k still holds: the list only grew at its end
        eng->fwd[k] = eng->fwd[--eng->nfwd];
}

void
eng_peer_recv(eng_t *eng, size_t i)
{
    for (int n = 0; n < 256; n++) {
        sr_wire_in_t in;
        sr_error_t e;
        sr_err_t rc =
            sr_wire_recv(eng->peers[i].sock, 0, &eng->limits, &in, &e);
        if (rc == SR_OK)
            eng_peer_touch(eng, i, eng_now_ms());
        if (rc == SR_OK && (in.type == SR_MSG_REPLY || in.type == SR_MSG_ERROR))
            s_answer(eng, i, &in);
        sr_wire_in_fini(&in);
        if (rc == SR_ETIMEDOUT || rc == SR_EIO)
            return;
    }
}

void
eng_peers_expire(eng_t *eng, int64_t now)
{
    for (size_t k = 0; k < eng->nfwd;) {
        eng_fwd_t *f = &eng->fwd[k];
        if (f->deadline > now) {
            k++;
            continue;
        }
        if (f->kind == ENG_FWD_RELAY)
            s_unavailable(eng, &f->from, f->req_id, f->peer, f->part,
                          "did not answer within " S_FWD_TIMEOUT_TEXT);
        else if (f->kind == ENG_FWD_ANY) {
            sr_error_t e;
            sr_error_set(&e, SR_EUNAVAIL,
                         "no engine of the cluster answered in time");
            eng_reply_error(eng->client, &f->from, f->req_id, &e);
        }
        eng->fwd[k] = eng->fwd[--eng->nfwd];
    }
}
