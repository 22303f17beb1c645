// The engine node: the objects of the loop wired together, the sockets,
// and the loop. Opening makes each object in turn, handing it what it
// uses (the ones below it, the sockets, the complete configuration), so
// that none reaches back up. One turn of the loop waits for a message, a
// due timer or a heartbeat, drains up to max_batch messages from both
// ROUTERs (to the worker sessions and the client side), lets the
// partitions, peers, worker sessions, subscriptions and the expiration
// policy add what is due, applies the batch (eng_batch.c) and routes its
// outcomes: answers to whoever sent each operation, TASKs to the dispatch
// queue, events to the subscribers, timers to the partitions.
//
// Owns the objects, the configuration's copy and the two ROUTERs; the
// loop's thread owns all of it once started (eng.h).
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"
#include "eng_batch.h"
#include "eng_client.h"
#include "eng_clock.h"
#include "eng_dispatch.h"
#include "eng_expire.h"
#include "eng_map.h"
#include "eng_part.h"
#include "eng_peers.h"
#include "eng_repl.h"
#include "eng_subs.h"
#include "eng_view_status.h"
#include "eng_workers.h"
#include "sr_curve_auth.h"
#include "sr_curve_log.h"
#include "sr_log.h"
#include "sr_wire_count.h"
#include "store_docs.h"

struct eng {
    eng_config_t cfg; // the caller's, completed; its own strings are these:
    char *name, *data_dir, *client_ep, *worker_ep, *callback_url; // owned
    sr_limits_t limits;
    zsock_t *client_sock, *worker_sock; // owned: the ROUTERs
    // The messages received and sent on the ROUTERs and on the DEALERs to
    // the peers (together), counted by sr_wire (STATUS).
    sr_wire_count_t client_count, worker_count, peers_count;
    sr_curve_t *curve;         // NULL: no CurveZMQ
    sr_curve_auth_t *auth;     // the allow list, with curve
    sr_curve_log_t *impostors; // with curve: who called itself an
                               // engine without the engines' key
    // The objects, each using only those above it here.
    store_docs_t *docs;       // the definition cache
    eng_batch_t *batch;       // the operations of a turn, the core
    eng_parts_t *parts;       // the partitions held, orphans, cluster map
    eng_expire_t *expire;     // the expiration policy
    eng_subs_t *subs;         // subscriptions (client endpoint)
    eng_workers_t *workers;   // worker sessions (worker endpoint)
    eng_dispatch_t *dispatch; // TASKs waiting for a worker
    eng_peers_t *peers;       // the other engines
    eng_repl_t *repl;         // replicated partitions' Raft groups; NULL:
                              // none (one copy each)
    eng_client_t *client;     // the client endpoint's requests
    eng_map_t *map;           // the cluster maps taken online
    zpoller_t *poller;        // the loop's: sockets, peers' DEALERs
    // Messages received while a commit waited for its Raft entry, handled
    // first at the next turn (eng_repl_pump_fn).
    sr_wire_in_t *stash;
    size_t nstash, capstash;
    // stopping
    zactor_t *actor;
    volatile bool stop;
};

static volatile sig_atomic_t s_stop_requested;

void
eng_request_stop(void)
{
    s_stop_requested = 1;
}

static char *
s_dup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void
s_close(eng_t **eng_p)
{
    eng_t *eng = *eng_p;
    if (!eng)
        return;
    sr_wire_count_detach(eng->client_sock);
    sr_wire_count_detach(eng->worker_sock);
    for (size_t i = 0; eng->peers && i < eng_peers_count(eng->peers); i++)
        sr_wire_count_detach(eng_peers_sock(eng->peers, i));
    zsock_destroy(&eng->client_sock);
    zsock_destroy(&eng->worker_sock);
    eng_client_destroy(&eng->client);
    eng_repl_close(&eng->repl);
    eng_map_destroy(&eng->map); // after every object that uses its strings
    for (size_t i = 0; i < eng->nstash; i++)
        sr_wire_in_fini(&eng->stash[i]);
    free(eng->stash);
    eng_dispatch_destroy(&eng->dispatch);
    eng_workers_destroy(&eng->workers);
    eng_subs_destroy(&eng->subs);
    eng_peers_close(&eng->peers);
    sr_curve_auth_stop(&eng->auth); // after the sockets that ask it
    sr_curve_destroy(&eng->curve);
    sr_curve_log_destroy(&eng->impostors);
    eng_expire_destroy(&eng->expire);
    eng_parts_close(&eng->parts);
    eng_batch_destroy(&eng->batch);
    store_docs_destroy(&eng->docs);
    free(eng->name);
    free(eng->data_dir);
    free(eng->client_ep);
    free(eng->worker_ep);
    free(eng->callback_url);
    free(eng);
    *eng_p = NULL;
}

// With CurveZMQ configured: the keys, and the allow list (which also
// lets in the engine's own key, the one its peers connect with).
static sr_err_t
s_curve_open(eng_t *eng, sr_error_t *err)
{
    const eng_config_t *cfg = &eng->cfg;
    if (!cfg->curve_secret && !cfg->curve_allow)
        return SR_OK;
    if (!cfg->curve_secret || !cfg->curve_allow)
        return sr_error_set(err, SR_EINVAL,
                            "CurveZMQ needs both curve-secret (the engines' "
                            "secret key) and curve-allow (the folder of "
                            "public keys they accept)");
    sr_err_t rc = sr_curve_load(cfg->curve_secret, NULL, &eng->curve, err);
    if (!rc && !(eng->impostors = sr_curve_log_new(SR_CURVE_LOG_QUIET_MS)))
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    if (!rc)
        rc = sr_curve_auth_start(
            cfg->curve_allow, sr_curve_public_txt(eng->curve), &eng->auth, err);
    if (!rc)
        sr_info("curve: on, server key=%s", sr_curve_public_txt(eng->curve));
    return rc;
}

static sr_err_t
s_bind(eng_t *eng, zsock_t **sock, sr_wire_count_t *count, const char *ep,
       const char *what, sr_error_t *err)
{
    *sock = zsock_new(ZMQ_ROUTER);
    if (!*sock)
        return sr_error_set(err, SR_EIO, "cannot create the %s socket", what);
    sr_err_t rc = sr_wire_count_attach(*sock, count, err);
    if (rc)
        return rc;
    zsock_set_sndhwm(*sock, 100000);
    zsock_set_rcvhwm(*sock, 100000);
    zsock_set_linger(*sock, 0);
    sr_wire_set_max_frame(*sock, &eng->limits);
    if (eng->curve && (rc = sr_curve_apply_server(eng->curve, *sock, err)))
        return rc;
    if (zsock_bind(*sock, "%s", ep) == -1)
        return sr_error_set(err, SR_EIO, "cannot bind the %s endpoint %s: %s",
                            what, ep, zmq_strerror(zmq_errno()));
    char name[300];
    snprintf(name, sizeof name, "%s %s", what, ep);
    return eng->auth ? sr_curve_auth_watch(eng->auth, *sock, name, err) : SR_OK;
}

// STATUS of replicated partitions: the map's version, the copies held and
// those led whose replicas are the map's (sirocco cluster add-engine and
// remove-engine wait for them). SR_ENOMEM only.
static sr_err_t
s_status_map(const eng_t *eng, sr_value_t *st)
{
    size_t n = eng_repl_copies(eng->repl);
    sr_value_t *copies = sr_value_new_array(n),
               *settled = sr_value_new_array(n);
    for (size_t k = 0; copies && settled && k < n; k++) {
        eng_repl_copy_t c;
        eng_repl_copy(eng->repl, k, &c);
        if (sr_value_array_append(copies, sr_value_new_int(c.partition)) ||
            (c.settled &&
             sr_value_array_append(settled, sr_value_new_int(c.partition))))
            break;
    }
    if (!copies || !settled) {
        sr_value_destroy(&copies);
        sr_value_destroy(&settled);
        return SR_ENOMEM;
    }
    // Each put consumes its value, also when it fails.
    bool bad = sr_value_map_put(st, "copies", copies);
    bad = sr_value_map_put(st, "settled", settled) || bad;
    bad = sr_value_map_put(st, "map_version",
                           sr_value_new_int((int64_t)eng->cfg.map_version)) ||
          bad;
    return bad ? SR_ENOMEM : SR_OK;
}

// STATUS, from every object (eng_client_status_fn).
static sr_err_t
s_status(void *arg, sr_value_t **out, sr_error_t *err)
{
    const eng_t *eng = arg;
    eng_view_status_src_t src = {.cfg = &eng->cfg,
                                 .parts = eng->parts,
                                 .workers = eng->workers,
                                 .dispatch = eng->dispatch,
                                 .peers = eng->peers,
                                 .batch = eng->batch,
                                 .expire = eng->expire,
                                 .auth = eng->auth,
                                 .repl = eng->repl,
                                 .client_count = &eng->client_count,
                                 .worker_count = &eng->worker_count,
                                 .peers_count = &eng->peers_count};
    sr_err_t rc = eng_view_status(&src, out, err);
    if (!rc && eng->repl && (rc = s_status_map(eng, *out)))
        sr_value_destroy(out);
    return rc ? sr_error_set(err, rc, "out of memory") : SR_OK;
}

static void s_pump(void *arg, int wait_ms);

// Count the messages of the DEALERs to peers `from` and after (those the
// map has just added, or all of them at the start).
static sr_err_t
s_count_peers(eng_t *eng, size_t from, sr_error_t *err)
{
    sr_err_t rc = SR_OK;
    for (size_t i = from; !rc && i < eng_peers_count(eng->peers); i++)
        rc = sr_wire_count_attach(eng_peers_sock(eng->peers, i),
                                  &eng->peers_count, err);
    return rc;
}

// CLUSTER_MAP (eng_client_map_fn): a newer map taken, the peers it adds
// connected, the copies it gives this engine opened empty, and the
// groups told (they move the replicas from the next tick).
static sr_err_t
s_take_map(void *arg, const char *text, size_t len, sr_value_t **out,
           sr_error_t *err)
{
    eng_t *eng = arg;
    eng_map_change_t ch;
    if (!eng->repl)
        return sr_error_set(err, SR_EINVAL,
                            "map: the engines' partitions are not replicated "
                            "(replicas 1): their map changes only with a "
                            "restart");
    sr_err_t rc = eng_map_take(eng->map, &eng->cfg, text, len, &ch, err);
    size_t before = eng_peers_count(eng->peers);
    if (!rc && ch.changed)
        rc = eng_peers_add(eng->peers, err);
    if (!rc && ch.changed)
        rc = s_count_peers(eng, before, err);
    for (size_t i = before; eng->poller && i < eng_peers_count(eng->peers); i++)
        zpoller_add(eng->poller, eng_peers_sock(eng->peers, i));
    for (size_t i = 0; !rc && i < ch.nadded; i++) {
        size_t k;
        rc = eng_parts_add_copy(eng->parts, ch.added[i], &k, err);
        if (!rc)
            rc = eng_repl_add_copy(eng->repl, k, err);
    }
    if (!rc && ch.changed)
        eng_repl_map_changed(eng->repl);
    if (rc)
        return rc;
    *out = sr_value_new_map(2);
    if (!*out ||
        sr_value_map_put(*out, "version",
                         sr_value_new_int((int64_t)eng->cfg.map_version)) ||
        sr_value_map_put(*out, "changed", sr_value_new_bool(ch.changed))) {
        sr_value_destroy(out);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    return SR_OK;
}

// The objects, each handed those it uses, and the endpoints. Failures
// leave what was made for s_close.
static sr_err_t
s_wire(eng_t *eng, sr_error_t *err)
{
    const eng_config_t *cfg = &eng->cfg;
    core_config_t cc = {.callback_url = cfg->callback_url, .max_depth = 16};
    if (!(eng->docs = store_docs_new(256)) ||
        !(eng->batch = eng_batch_new(&cc, eng->docs)) ||
        !(eng->map = eng_map_new()))
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    sr_err_t rc = eng_parts_open(cfg, eng->batch, &eng->parts, err);
    if (!rc && !(eng->expire = eng_expire_new(eng->parts, eng->batch,
                                              cfg->expire_after_ms)))
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    if (!rc)
        rc = s_curve_open(eng, err);
    if (!rc)
        rc = s_bind(eng, &eng->client_sock, &eng->client_count, eng->client_ep,
                    "client", err);
    if (!rc && !(eng->subs = eng_subs_new(eng->client_sock, cfg->heartbeat_ms,
                                          cfg->expiry_ms)))
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    if (!rc)
        rc = s_bind(eng, &eng->worker_sock, &eng->worker_count, eng->worker_ep,
                    "worker", err);
    if (!rc && (!(eng->workers = eng_workers_new(cfg, eng->worker_sock,
                                                 eng->parts, eng->batch)) ||
                !(eng->dispatch = eng_dispatch_new(eng->workers))))
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    eng_peers_deps_t pd = {.cfg = cfg,
                           .client = eng->client_sock,
                           .curve = eng->curve,
                           .limits = &eng->limits,
                           .parts = eng->parts,
                           .batch = eng->batch,
                           .docs = eng->docs};
    if (!rc)
        rc = eng_peers_open(&pd, &eng->peers, err);
    if (!rc)
        rc = s_count_peers(eng, 0, err);
    eng_repl_deps_t rd = {.cfg = cfg,
                          .parts = eng->parts,
                          .peers = eng->peers,
                          .limits = &eng->limits,
                          .pump = s_pump,
                          .pump_arg = eng};
    if (!rc && cfg->replicas > 1)
        rc = eng_repl_open(&rd, &eng->repl, err);
    eng_client_deps_t cd = {.sock = eng->client_sock,
                            .parts = eng->parts,
                            .peers = eng->peers,
                            .batch = eng->batch,
                            .subs = eng->subs,
                            .docs = eng->docs,
                            .status = s_status,
                            .status_arg = eng,
                            .map = s_take_map,
                            .map_arg = eng};
    if (!rc && !(eng->client = eng_client_new(&cd)))
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    for (size_t pi = 0; !rc && pi < eng_parts_count(eng->parts); pi++)
        rc = eng_parts_recover(eng->parts, pi, err);
    return rc;
}

static sr_err_t
s_open(const eng_config_t *cfg, eng_t **out, sr_error_t *err)
{
    eng_t *eng = calloc(1, sizeof *eng);
    if (!eng)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    eng->cfg = *cfg;
    eng->name = s_dup(cfg->name ? cfg->name : "engine");
    eng->data_dir = s_dup(cfg->data_dir);
    eng->client_ep = s_dup(cfg->client_endpoint);
    eng->worker_ep = s_dup(cfg->worker_endpoint);
    eng->callback_url = s_dup(cfg->callback_url);
    eng->limits.max_bytes = cfg->max_payload;
    int64_t hb = cfg->heartbeat_ms > 0 ? cfg->heartbeat_ms : 1000;
    // The copy the objects read: complete, its own strings the node's.
    eng->cfg.name = eng->name;
    eng->cfg.data_dir = eng->data_dir;
    eng->cfg.client_endpoint = eng->client_ep;
    eng->cfg.worker_endpoint = eng->worker_ep;
    eng->cfg.callback_url = eng->callback_url;
    eng->cfg.heartbeat_ms = hb;
    eng->cfg.expiry_ms = cfg->expiry_ms > 0 ? cfg->expiry_ms : 5 * hb;
    sr_err_t rc = SR_OK;
    if (!eng->name || (cfg->callback_url && !eng->callback_url))
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    else if (!eng->data_dir || !eng->client_ep || !eng->worker_ep)
        rc = sr_error_set(err, SR_EINVAL,
                          "the data folder and both endpoints are required");
    if (!rc)
        rc = s_wire(eng, err);
    if (rc) {
        s_close(&eng);
        return rc;
    }
    *out = eng;
    return SR_OK;
}

// With CurveZMQ, a message on the client endpoint whose routing id is a
// peer's ("peer:NAME", which any client may choose) is an engine's only
// when its connection was made with the engines' shared key. Another's
// is refused: a RAFT message dropped (never answered), a request
// answered EAUTH; logged as connections refused are (sr_curve_log.h).
// So no allowed client or worker can take part in a Raft group, or pass
// for a peer. True when `in` was refused.
static bool
s_impostor(eng_t *eng, const sr_wire_in_t *in)
{
    if (!eng->curve || !eng_peers_is_peer(&in->peer) ||
        strcmp(in->key, sr_curve_public_txt(eng->curve)) == 0)
        return false;
    char repeat[128], text[512];
    snprintf(repeat, sizeof repeat, "peer|%.*s|%s", (int)in->peer.len,
             (const char *)in->peer.id, in->key);
    snprintf(text, sizeof text,
             "key=%s: a connection calling itself %.*s, whose key is not "
             "the engines'",
             in->key[0] ? in->key : "(none)", (int)in->peer.len,
             (const char *)in->peer.id);
    sr_curve_log_refusal(eng->impostors, eng_mono_ms(), repeat, text);
    if (in->type != SR_MSG_RAFT) {
        sr_error_t cause, e;
        sr_error_set(&cause, SR_EAUTH,
                     "routing ids \"peer:...\" are the engines' own; this "
                     "connection's key is not the engines'");
        (void)sr_wire_reply_error(eng->client_sock, in, &cause, &e);
    }
    return true;
}

// A RAFT message: to the Raft groups when it comes from a peer of the
// cluster file and this engine replicates; else dropped (never answered).
static void
s_raft(eng_t *eng, sr_wire_in_t *in)
{
    size_t peer;
    if (s_impostor(eng, in))
        return;
    if (eng->repl && eng_peers_which(eng->peers, &in->peer, &peer))
        eng_repl_recv(eng->repl, peer, in->msg);
    else
        sr_debug("a RAFT message from a client, or to an engine without "
                 "replicated partitions, dropped");
}

static void
s_receive(eng_t *eng, zsock_t *sock, sr_wire_in_t *in)
{
    if (sock == eng->worker_sock)
        eng_workers_recv(eng->workers, in);
    else if (in->type == SR_MSG_RAFT)
        s_raft(eng, in);
    else if (!s_impostor(eng, in))
        eng_client_recv(eng->client, in);
}

// A message received on `sock` (`rc` and `e` as sr_wire_recv gave them):
// a bad one answered with ERROR, a good one handled.
static void
s_take_one(eng_t *eng, zsock_t *sock, sr_wire_in_t *in, sr_err_t rc,
           const sr_error_t *e)
{
    if (rc) {
        sr_error_t se;
        sr_debug("bad message (%s): %s", sr_msg_type_name(in->type), e->msg);
        (void)sr_wire_reply_error(sock, in, e, &se);
    } else
        s_receive(eng, sock, in);
}

// The same for a BATCH from a worker: each of its items, in order, as if
// it had come alone. Returns the messages taken.
static size_t
s_take(eng_t *eng, zsock_t *sock, sr_wire_in_t *in, sr_err_t rc,
       const sr_error_t *e)
{
    if (rc || sock != eng->worker_sock || in->type != SR_MSG_BATCH) {
        s_take_one(eng, sock, in, rc, e);
        return 1;
    }
    size_t n = sr_wire_in_items(in);
    for (size_t i = 0; i < n; i++) {
        sr_wire_in_t item;
        sr_error_t ie;
        sr_err_t irc = sr_wire_in_item(in, i, &eng->limits, &item, &ie);
        s_take_one(eng, sock, &item, irc, &ie);
        sr_wire_in_fini(&item);
    }
    return n ? n : 1;
}

// While a commit waits for its Raft entry: what arrives on the client
// endpoint within `wait_ms`; RAFT messages go to the groups at once, the
// others wait in the stash for the next turn (at most 4 x max_batch of
// them: then the endpoint is left alone until the turn).
static void
s_pump(void *arg, int wait_ms)
{
    eng_t *eng = arg;
    size_t max = 4 * (eng->cfg.max_batch ? eng->cfg.max_batch : 1024);
    int wait = wait_ms;
    for (;;) {
        if (eng->nstash >= max) {
            zclock_sleep(wait);
            return;
        }
        sr_wire_in_t in;
        sr_error_t e;
        sr_err_t rc =
            sr_wire_recv(eng->client_sock, wait, &eng->limits, &in, &e);
        wait = 0;
        if (rc == SR_ETIMEDOUT || rc == SR_EIO) {
            sr_wire_in_fini(&in);
            return;
        }
        if (rc || in.type == SR_MSG_RAFT) {
            sr_error_t se;
            if (rc) // a bad message is answered as s_drain answers it
                (void)sr_wire_reply_error(eng->client_sock, &in, &e, &se);
            else
                s_raft(eng, &in);
            sr_wire_in_fini(&in);
            continue;
        }
        if (eng->nstash == eng->capstash) {
            size_t cap = eng->capstash ? eng->capstash * 2 : 64;
            sr_wire_in_t *st = realloc(eng->stash, cap * sizeof *st);
            if (!st) {
                sr_errorf("out of memory: a message received while a commit "
                          "waited is dropped");
                sr_wire_in_fini(&in);
                continue;
            }
            eng->stash = st, eng->capstash = cap;
        }
        eng->stash[eng->nstash++] = in;
    }
}

// Drain both sockets without waiting, up to max_batch messages, after
// what the last commit's wait kept.
static void
s_drain(eng_t *eng)
{
    size_t max = eng->cfg.max_batch ? eng->cfg.max_batch : 1024, got = 0;
    size_t taken = 0;
    for (; taken < eng->nstash && got < max; taken++, got++) {
        s_receive(eng, eng->client_sock, &eng->stash[taken]);
        sr_wire_in_fini(&eng->stash[taken]);
    }
    if (taken) { // (memmove of a NULL stash is undefined, even of 0 bytes)
        memmove(eng->stash, eng->stash + taken,
                (eng->nstash - taken) * sizeof *eng->stash);
        eng->nstash -= taken;
    }
    bool more = true;
    while (more && got < max) {
        more = false;
        zsock_t *socks[2] = {eng->worker_sock, eng->client_sock};
        for (int k = 0; k < 2 && got < max; k++) {
            sr_wire_in_t in;
            sr_error_t e;
            sr_err_t rc = sr_wire_recv(socks[k], 0, &eng->limits, &in, &e);
            if (rc == SR_ETIMEDOUT || rc == SR_EIO) {
                sr_wire_in_fini(&in);
                continue;
            }
            more = true;
            got += s_take(eng, socks[k], &in, rc, &e);
            sr_wire_in_fini(&in);
        }
    }
}

// The partition's batch could not be committed: the engine's own events
// (a worker lost, a TASK to offer again) are tried again in a second; a
// timer's row is still there and fires again.
static void
s_retry_later(eng_t *eng, size_t pi)
{
    for (size_t i = 0; i < eng_batch_size(eng->batch); i++) {
        const eng_op_t *op = eng_batch_at(eng->batch, i);
        if (op->part != pi || !op->uncommitted || op->kind != ENG_OP_EVENT ||
            op->type != SR_MSG_NONE ||
            (op->ev.kind != CORE_EV_WORKER_LOST &&
             op->ev.kind != CORE_EV_REOFFER))
            continue;
        if (eng_parts_orphan_add(
                eng->parts, (eng_orphan_t){.action_id = op->ev.action_id,
                                           .due = eng_now_ms() + 1000,
                                           .kind = op->ev.kind,
                                           .attempt = op->ev.attempt,
                                           .why = "lost, noted again after a "
                                                  "failed commit"}))
            sr_errorf("out of memory: an action's %s event is dropped",
                      op->ev.kind == CORE_EV_REOFFER ? "REOFFER"
                                                     : "WORKER_LOST");
    }
}

// Carry out the outcomes of the partition's operations, in order: each
// one's answer to whoever sent it, then its commands (TASKs to the
// worker sessions, events to the subscribers, timers to the partition).
static void
s_route(eng_t *eng, size_t pi)
{
    const core_cmds_t *cmds = eng_batch_cmds(eng->batch);
    for (size_t i = 0; i < eng_batch_size(eng->batch); i++) {
        const eng_op_t *op = eng_batch_at(eng->batch, i);
        if (op->part != pi)
            continue;
        if (op->from_worker)
            eng_workers_answer(eng->workers, op, cmds);
        else if (op->type != SR_MSG_NONE)
            eng_client_answer(eng->client, op);
        else if (op->ev.kind == CORE_EV_DELETE && !op->failed)
            eng_expire_deleted(eng->expire); // the policy's own
        for (size_t c = op->cmd_from; !op->failed && c < op->cmd_to; c++) {
            const core_cmd_t *cmd = &cmds->items[c];
            if (cmd->kind == CORE_CMD_DISPATCH &&
                eng_dispatch_add(eng->dispatch, cmd,
                                 eng_parts_epoch(eng->parts, pi)))
                sr_errorf("out of memory queueing an action");
            else if (cmd->kind == CORE_CMD_NOTIFY)
                eng_subs_notify(eng->subs, cmd);
            else if (cmd->kind == CORE_CMD_TIMER)
                eng_parts_timer_armed(eng->parts, pi, cmd->due_ms);
        }
    }
}

// A replicated partition's batch is committed through its Raft group.
typedef struct {
    eng_t *eng;
    uint16_t number;
} s_commit_t;

static sr_err_t
s_propose(void *arg, store_txn_t **txn_p, sr_error_t *err)
{
    s_commit_t *c = arg;
    return eng_repl_propose(c->eng->repl, c->number, txn_p, err);
}

// Apply the batch partition by partition (group commit; a replicated
// partition's proposed to its group, all of them then waited for
// together), carry out the outcomes of each, then offer the queued TASKs
// and start a new batch.
static void
s_batch(eng_t *eng)
{
    int64_t now = eng_now_ms();
    size_t n = eng_parts_count(eng->parts);
    bool applied[ENG_MAX_PARTITIONS] = {false};
    if (eng->repl) // nothing of a copy's log left applied and uncommitted
        eng_repl_settle(eng->repl);
    for (size_t pi = 0; pi < n && pi < ENG_MAX_PARTITIONS; pi++) {
        s_commit_t c = {eng, eng_parts_number(eng->parts, pi)};
        applied[pi] =
            eng_batch_apply(eng->batch, pi, eng_parts_store(eng->parts, pi),
                            now, eng->repl ? s_propose : NULL, &c) > 0;
    }
    if (eng->repl)
        eng_repl_wait(eng->repl);
    for (size_t pi = 0; pi < n && pi < ENG_MAX_PARTITIONS; pi++) {
        if (!applied[pi])
            continue;
        sr_error_t e;
        if (eng->repl &&
            eng_repl_outcome(eng->repl, eng_parts_number(eng->parts, pi), &e))
            eng_batch_fail(eng->batch, pi, &e);
        s_retry_later(eng, pi);
        s_route(eng, pi);
        if (eng_parts_read_timer(eng->parts, pi, &e))
            sr_errorf("partition %u: cannot read timers: %s",
                      eng_parts_number(eng->parts, pi), e.msg);
    }
    eng_batch_clear(eng->batch);
    eng_dispatch_send(eng->dispatch);
}

// How long the loop may sleep: until the next timer or heartbeat, at
// most 100 ms (so that a stop request is seen soon).
static int
s_wait_ms(eng_t *eng, int64_t now)
{
    int64_t next = now + 100;
    int64_t timer = eng_parts_next_timer(eng->parts);
    if (timer && timer < next)
        next = timer;
    int64_t hb = eng_workers_next_beat(eng->workers);
    if (hb < next)
        next = hb;
    if (eng->repl && now + eng_repl_due_ms(eng->repl) < next)
        next = now + eng_repl_due_ms(eng->repl);
    if (eng->nstash)
        next = now;
    return next <= now ? 0 : (int)(next - now);
}

// Is the worker that confirmed an action before a restart connected
// again? (eng_parts_adopt_fn, answered by the worker sessions.)
static bool
s_adopt(void *arg, const char *worker, const sr_id_t *action_id,
        uint32_t attempt)
{
    return eng_workers_adopt(arg, worker, action_id, attempt);
}

// The copies this engine came to lead are served from now on (their
// actions picked up as after a restart); those it stopped leading are
// not (their queued TASKs forgotten). Between batches.
static void
s_leadership(eng_t *eng)
{
    eng_repl_change_t changes[64];
    size_t n = eng_repl_tick(eng->repl, changes, 64);
    for (size_t i = 0; i < n; i++) {
        const eng_repl_change_t *c = &changes[i];
        uint16_t number = eng_parts_copy_number(eng->parts, c->copy);
        sr_error_t e;
        size_t pi;
        if (!c->lead) {
            eng_dispatch_drop(eng->dispatch, number);
            eng_parts_unserve(eng->parts, c->copy);
            continue;
        }
        if (eng_parts_serve(eng->parts, c->copy, c->term, &pi, &e) ||
            eng_parts_recover(eng->parts, pi, &e))
            sr_errorf("partition %u: cannot serve it: %s", number, e.msg);
    }
    if (n) // workers send what they hold of these partitions here now
        eng_workers_partitions_changed(eng->workers);
}

static void
s_turn(eng_t *eng)
{
    int64_t now = eng_now_ms();
    sr_error_t e;
    if (eng->repl)
        s_leadership(eng);
    s_drain(eng);
    for (size_t pi = 0; pi < eng_parts_count(eng->parts); pi++)
        if (eng_parts_due_timers(eng->parts, pi, now, 1024, &e))
            sr_errorf("partition %u: cannot read timers: %s",
                      eng_parts_number(eng->parts, pi), e.msg);
    eng_peers_tick(eng->peers, now);
    (void)eng_parts_orphans_due(eng->parts, now, s_adopt, eng->workers);
    eng_workers_tick(eng->workers, now);
    eng_subs_expire(eng->subs, now);
    eng_expire_due(eng->expire, now);
    if (eng_batch_size(eng->batch))
        s_batch(eng);
    else if (eng_dispatch_count(eng->dispatch))
        eng_dispatch_send(eng->dispatch);
    eng_workers_flush(eng->workers);
}

static void
s_loop(eng_t *eng, zsock_t *pipe)
{
    zpoller_t *poller =
        zpoller_new(eng->client_sock, eng->worker_sock, pipe, NULL);
    eng->poller = poller;
    if (!poller) {
        sr_errorf("cannot create a poller");
        return;
    }
    for (size_t i = 0; i < eng_peers_count(eng->peers); i++)
        zpoller_add(poller, eng_peers_sock(eng->peers, i));
    eng_peers_start(eng->peers, eng_now_ms());
    sr_info("engine %s: client %s, worker %s, %zu partitions", eng->name,
            eng->client_ep, eng->worker_ep, eng_parts_count(eng->parts));
    while (!eng->stop && !s_stop_requested) {
        void *which = zpoller_wait(poller, s_wait_ms(eng, eng_now_ms()));
        if (pipe && which == pipe) {
            char *cmd = zstr_recv(pipe);
            eng->stop = !cmd || strcmp(cmd, "$TERM") == 0;
            zstr_free(&cmd);
            continue;
        }
        s_turn(eng);
    }
    eng->poller = NULL;
    zpoller_destroy(&poller);
    sr_info("engine %s stopping after %llu batches, %llu events", eng->name,
            (unsigned long long)eng_batch_batches(eng->batch),
            (unsigned long long)eng_batch_events(eng->batch));
}

static void
s_actor(zsock_t *pipe, void *arg)
{
    eng_t *eng = arg;
    zsock_signal(pipe, 0);
    s_loop(eng, pipe);
}

sr_err_t
eng_start(const eng_config_t *cfg, eng_t **out, sr_error_t *err)
{
    eng_t *eng = NULL;
    sr_err_t rc = s_open(cfg, &eng, err);
    if (rc)
        return rc;
    // The sockets move to the loop's thread with the actor (czmq sockets
    // are handed over before the thread uses them; this thread no longer
    // touches them).
    eng->actor = zactor_new(s_actor, eng);
    if (!eng->actor) {
        s_close(&eng);
        return sr_error_set(err, SR_EIO, "cannot start the engine thread");
    }
    *out = eng;
    return SR_OK;
}

void
eng_stop(eng_t **eng_p)
{
    eng_t *eng = *eng_p;
    if (!eng)
        return;
    zactor_destroy(&eng->actor);
    s_close(eng_p);
}

sr_err_t
eng_run(const eng_config_t *cfg, sr_error_t *err)
{
    eng_t *eng = NULL;
    sr_err_t rc = s_open(cfg, &eng, err);
    if (rc)
        return rc;
    s_loop(eng, NULL);
    s_close(&eng);
    return SR_OK;
}
