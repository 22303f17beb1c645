// The engine's replicated partitions: a Raft group per copy (see
// eng_repl.h).
#include "eng_repl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_clock.h"
#include "eng_cluster.h"
#include "rft_group.h"
#include "rft_log.h"
#include "sr_log.h"

#define S_MAX_PIECES  256
#define S_PIECE_SLACK 1024 // room for the RAFT message's other fields

// A RAFT message being put together from its pieces.
typedef struct {
    int64_t seq;
    size_t parts, next; // pieces in all, the next expected
    char *buf;          // owned
    size_t len, cap;
} s_pieces_t;

typedef struct {
    eng_repl_t *repl; // the owner
    uint16_t number;
    rft_group_t *g;
    s_pieces_t *pieces;     // owned: per peer, the message being put together
    bool converged;         // its configuration is the map's (as leader)
    uint64_t served_term;   // the term it is served in; 0: not served
    int preferred;          // the peer that should lead it; -1: this engine
    int64_t next_transfer;  // monotonic ms: no transfer asked before
    bool proposed, waiting; // a batch's entry since the last outcome; not
                            // committed or failed yet
    int64_t proposed_us;    // monotonic: when it was proposed
    sr_err_t outcome;
} s_copy_t;

#define S_TRANSFER_EVERY_MS 10000

struct eng_repl {
    const eng_config_t *cfg;
    eng_parts_t *parts;
    eng_peers_t *peers;
    size_t piece; // most payload bytes per RAFT message
    eng_repl_pump_fn *pump;
    void *pump_arg;
    rft_log_t *log;
    s_copy_t **copies; // owned, one per copy of the partitions, same order
                       // (each apart: callbacks hold them); room
    size_t ncopies;    // for ENG_MAX_PARTITIONS
    bool *warned;      // per peer: a refused message was logged
    int64_t *heard_ms; // per peer: monotonic ms of its last RAFT message
    int64_t seq;       // the last RAFT message's number
    eng_repl_stats_t stats;
    eng_latency_t *commit_lat; // owned: proposed -> committed
};

static uint64_t
s_clock(void *arg)
{
    (void)arg;
    return (uint64_t)eng_mono_ms();
}

// The peer with replica id `id`, or -1.
static int
s_peer_of(const eng_repl_t *self, uint64_t id)
{
    for (size_t i = 0; i < self->cfg->npeers; i++)
        if (self->cfg->peers[i].replica_id == id)
            return (int)i;
    return -1;
}

// Send one C-Raft message to replica `to`, cut into pieces that fit.
static sr_err_t
s_send(void *arg, uint32_t group, raft_id to, const char *address,
       const void *buf, size_t len)
{
    eng_repl_t *self = arg;
    (void)address;
    int peer = s_peer_of(self, to);
    if (peer < 0)
        return SR_EUNAVAIL;
    size_t parts = len ? (len + self->piece - 1) / self->piece : 1;
    if (parts > S_MAX_PIECES) {
        sr_warn("raft: partition %u: a message of %zu bytes to %s is over "
                "%d pieces; not sent",
                (unsigned)group, len, self->cfg->peers[peer].name,
                S_MAX_PIECES);
        return SR_ETOOBIG;
    }
    int64_t seq = ++self->seq;
    sr_err_t rc = SR_OK;
    for (size_t part = 0; !rc && part < parts; part++) {
        size_t off = part * self->piece;
        size_t n = len - off < self->piece ? len - off : self->piece;
        sr_msg_t *m = sr_msg_new(SR_MSG_RAFT);
        sr_error_t e;
        if (!m || sr_msg_set_int(m, SR_F_RAFT_partition, group) ||
            sr_msg_set_int(m, SR_F_RAFT_from, (int64_t)self->cfg->replica_id) ||
            sr_msg_set_int(m, SR_F_RAFT_seq, seq) ||
            sr_msg_set_int(m, SR_F_RAFT_part, (int64_t)part) ||
            sr_msg_set_int(m, SR_F_RAFT_parts, (int64_t)parts) ||
            sr_msg_set(m, SR_F_RAFT_payload,
                       sr_value_new_bin((const char *)buf + off, n)))
            rc = SR_ENOMEM;
        else
            rc = eng_peers_send_now(self->peers, (size_t)peer, m, &e);
        sr_msg_destroy(&m);
    }
    return rc;
}

// The replica that should lead partition `number`: the one that lists it
// first in its partition list (`cluster up` lists an engine's own range
// first), the first in the file on a tie; -1 for this engine, else the
// peer's index. So leaders spread as the ranges do.
static int
s_preferred(const eng_config_t *cfg, uint16_t number)
{
    int best = -1;
    size_t at = eng_cluster_place(cfg->partitions, cfg->npartitions, number);
    uint64_t best_id = cfg->replica_id;
    for (size_t i = 0; i < cfg->npeers; i++) {
        const eng_peer_config_t *p = &cfg->peers[i];
        size_t k = eng_cluster_place(p->partitions, p->npartitions, number);
        if (k < at || (k == at && k != SIZE_MAX && p->replica_id < best_id))
            best = (int)i, at = k, best_id = p->replica_id;
    }
    return best;
}

// The map's replicas of partition `number`: this engine when it lists
// it, and the peers that list it. Returns how many (at most
// ENG_CLUSTER_MAX_REPLICAS are kept).
static size_t
s_want(const eng_repl_t *self, uint16_t number, rft_member_t *want)
{
    const eng_config_t *cfg = self->cfg;
    size_t n = 0;
    if (!cfg->left && eng_cluster_place(cfg->partitions, cfg->npartitions,
                                        number) != SIZE_MAX)
        want[n++] = (rft_member_t){cfg->replica_id, cfg->name};
    for (size_t i = 0; i < cfg->npeers && n < ENG_CLUSTER_MAX_REPLICAS; i++) {
        const eng_peer_config_t *p = &cfg->peers[i];
        if (!p->removed && eng_cluster_place(p->partitions, p->npartitions,
                                             number) != SIZE_MAX)
            want[n++] = (rft_member_t){p->replica_id, p->name};
    }
    return n;
}

// The cluster file's replicas of partition `number`, as the group's
// first configuration.
static sr_err_t
s_boot_conf(const eng_repl_t *self, uint16_t number,
            struct raft_configuration *c, sr_error_t *err)
{
    rft_member_t want[ENG_CLUSTER_MAX_REPLICAS];
    size_t n = s_want(self, number, want);
    raft_configuration_init(c);
    int rv = 0;
    for (size_t k = 0; !rv && k < n; k++)
        rv = raft_configuration_add(c, want[k].id, want[k].address, RAFT_VOTER);
    if (rv) {
        raft_configuration_close(c);
        return sr_error_set(err, SR_EINVAL, "partition %u: its replicas: %s",
                            number, raft_strerror(rv));
    }
    return SR_OK;
}

// Start the group of copy k (the next one) over the copy's store.
static sr_err_t
s_start(eng_repl_t *self, size_t k, bool boot, sr_error_t *err)
{
    const eng_config_t *cfg = self->cfg;
    s_copy_t *c = calloc(1, sizeof *c);
    if (c)
        c->pieces = calloc(ENG_MAX_PEERS + 1, sizeof *c->pieces);
    if (!c || !c->pieces) {
        free(c);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    c->repl = self;
    c->number = eng_parts_copy_number(self->parts, k);
    c->preferred = s_preferred(cfg, c->number);
    struct raft_configuration conf;
    sr_err_t rc = boot ? s_boot_conf(self, c->number, &conf, err) : SR_OK;
    if (rc) {
        free(c->pieces);
        free(c);
        return rc;
    }
    int64_t el = cfg->election_ms > 0 ? cfg->election_ms : 1000;
    rft_group_cfg_t gc = {
        .log = self->log,
        .part = eng_parts_copy_store(self->parts, k),
        .group = c->number,
        .id = cfg->replica_id,
        .address = cfg->name,
        .send = s_send,
        .send_arg = self,
        .now_ms = s_clock,
        .clock_arg = self,
        .seed = (uint64_t)eng_now_ms() ^ ((uint64_t)c->number << 32),
        .election_ms = (unsigned)el,
        .heartbeat_ms = (unsigned)(el / 10 > 10 ? el / 10 : 10)};
    rc = rft_group_start(&gc, boot ? &conf : NULL, &c->g, err);
    if (boot)
        raft_configuration_close(&conf);
    if (rc) {
        free(c->pieces);
        free(c);
        return rc;
    }
    self->copies[k] = c;
    self->ncopies = k + 1;
    return SR_OK;
}

// Stop copy k's group and free it (the array is left as is).
static void
s_stop(eng_repl_t *self, size_t k)
{
    s_copy_t *c = self->copies[k];
    if (c->g) // its snapshots stay counted
        self->stats.snapshots_sent += rft_group_snapshots_sent(c->g);
    rft_group_stop(&c->g);
    for (size_t i = 0; c->pieces && i <= ENG_MAX_PEERS; i++)
        free(c->pieces[i].buf);
    free(c->pieces);
    free(c);
    self->copies[k] = NULL;
}

sr_err_t
eng_repl_open(const eng_repl_deps_t *deps, eng_repl_t **out, sr_error_t *err)
{
    eng_repl_t *self = calloc(1, sizeof *self);
    if (!self)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    self->cfg = deps->cfg;
    self->parts = deps->parts;
    self->peers = deps->peers;
    self->pump = deps->pump;
    self->pump_arg = deps->pump_arg;
    sr_limits_t lim = sr_limits_resolve(deps->limits);
    self->piece = lim.max_bytes > 2 * S_PIECE_SLACK
                      ? lim.max_bytes - S_PIECE_SLACK
                      : lim.max_bytes / 2;
    // Room for the copies and peers a newer cluster map may bring.
    self->copies = calloc(ENG_MAX_PARTITIONS, sizeof *self->copies);
    self->warned = calloc(ENG_MAX_PEERS + 1, sizeof *self->warned);
    self->heard_ms = calloc(ENG_MAX_PEERS + 1, sizeof *self->heard_ms);
    self->commit_lat = eng_latency_new();
    if (!self->copies || !self->warned || !self->heard_ms ||
        !self->commit_lat) {
        eng_repl_close(&self);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/raft", deps->cfg->data_dir);
    rft_log_opts_t lo = {.nosync = deps->cfg->durability == STORE_NOSYNC};
    sr_err_t rc = rft_log_open(dir, &lo, &self->log, err);
    // The cluster's first map starts the groups with their replicas;
    // later ones give copies that start empty (eng_cluster.h).
    bool boot = deps->cfg->map_version == 0;
    size_t n = eng_parts_capacity(deps->parts);
    for (size_t k = 0; !rc && k < n; k++)
        rc = s_start(self, k, boot, err);
    if (rc) {
        eng_repl_close(&self);
        return rc;
    }
    sr_info("raft: %zu replicated partitions, replica id %llu, log in %s",
            self->ncopies, (unsigned long long)deps->cfg->replica_id, dir);
    *out = self;
    return SR_OK;
}

void
eng_repl_close(eng_repl_t **self_p)
{
    eng_repl_t *self = *self_p;
    if (!self)
        return;
    for (size_t k = 0; self->copies && k < self->ncopies; k++)
        s_stop(self, k);
    rft_log_close(&self->log);
    free(self->warned);
    free(self->heard_ms);
    free(self->copies);
    eng_latency_destroy(&self->commit_lat);
    free(self);
    *self_p = NULL;
}

static void
s_flush(eng_repl_t *self)
{
    sr_error_t e;
    if (rft_log_flush(self->log, &e))
        sr_errorf("raft: %s", e.msg);
}

void
eng_repl_settle(eng_repl_t *self)
{
    for (size_t k = 0; k < self->ncopies; k++)
        (void)rft_group_settle(self->copies[k]->g); // failures are logged
}

// A copy this engine leads but another replica should (it is listed
// first there, and is up): the leadership is handed to it, at most every
// S_TRANSFER_EVERY_MS, so that leaders spread over the engines and come
// back to an engine that was down. Only to a replica heard from within
// an election timeout: a follower answers its leader ten times as often,
// and a leader elected because that replica died has not heard from it
// since (its peer link counts it up for the expiry time yet); a handover
// to it would leave the partition unserved until the handover times out.
static void
s_balance(eng_repl_t *self, s_copy_t *c, int64_t now)
{
    int64_t el = self->cfg->election_ms > 0 ? self->cfg->election_ms : 1000;
    if (c->preferred < 0 || now < c->next_transfer ||
        !rft_group_leading(c->g) || now - self->heard_ms[c->preferred] >= el ||
        strcmp(eng_peers_state(self->peers, (size_t)c->preferred), "up") != 0)
        return;
    c->next_transfer = now + S_TRANSFER_EVERY_MS;
    sr_error_t e;
    uint64_t to = self->cfg->peers[c->preferred].replica_id;
    if (rft_group_transfer(c->g, to, &e))
        sr_debug("raft: %s", e.msg);
    else
        sr_info("raft: partition %u: handing the leadership to %s", c->number,
                self->cfg->peers[c->preferred].name);
}

// Copy k is of a partition the map gives this engine.
static bool
s_listed(const eng_repl_t *self, size_t k)
{
    const eng_config_t *cfg = self->cfg;
    return cfg->left || eng_cluster_place(cfg->partitions, cfg->npartitions,
                                          self->copies[k]->number) != SIZE_MAX;
}

// The copies of partitions the map gave other engines, once their
// groups no longer count on them (not voting): the group stopped, its
// log forgotten, the copy deleted. An engine the map left out keeps its
// copies until it is stopped.
static void
s_drop(eng_repl_t *self)
{
    for (size_t k = self->ncopies; k-- > 0;) {
        s_copy_t *c = self->copies[k];
        if (s_listed(self, k) || rft_group_voting(c->g) ||
            rft_group_proposing(c->g) || eng_parts_copy_serving(self->parts, k))
            continue;
        uint16_t number = c->number;
        s_stop(self, k);
        sr_error_t e;
        if (rft_log_forget(self->log, number, &e) ||
            eng_parts_drop_copy(self->parts, k, &e))
            sr_errorf("partition %u: dropping its copy: %s", number, e.msg);
        memmove(self->copies + k, self->copies + k + 1,
                (self->ncopies - k - 1) * sizeof *self->copies);
        self->ncopies--;
    }
}

// The groups this engine leads move their replicas toward the map's.
static void
s_membership(eng_repl_t *self)
{
    for (size_t k = 0; k < self->ncopies; k++) {
        s_copy_t *c = self->copies[k];
        if (c->converged || !rft_group_leading(c->g))
            continue;
        rft_member_t want[ENG_CLUSTER_MAX_REPLICAS];
        size_t n = s_want(self, c->number, want);
        sr_error_t e;
        if (n && rft_group_converge(c->g, want, n, &c->converged, &e))
            sr_warn("raft: %s", e.msg);
        if (c->converged)
            sr_debug("raft: partition %u: its replicas are the map's",
                     c->number);
    }
}

sr_err_t
eng_repl_add_copy(eng_repl_t *self, size_t k, sr_error_t *err)
{
    if (k != self->ncopies)
        return sr_error_set(err, SR_EINTERNAL, "copy %zu is not the next", k);
    uint16_t number = eng_parts_copy_number(self->parts, k);
    sr_err_t rc = rft_log_forget(self->log, number, err);
    if (!rc)
        rc = s_start(self, k, false, err);
    if (!rc)
        sr_info("raft: partition %u: a new copy here, waiting for its "
                "leader to send the log",
                number);
    return rc;
}

void
eng_repl_map_changed(eng_repl_t *self)
{
    for (size_t k = 0; k < self->ncopies; k++) {
        s_copy_t *c = self->copies[k];
        c->preferred = s_preferred(self->cfg, c->number);
        c->converged = false;
    }
}

size_t
eng_repl_tick(eng_repl_t *self, eng_repl_change_t *changes, size_t max)
{
    for (size_t k = 0; k < self->ncopies; k++)
        rft_group_run(self->copies[k]->g);
    s_flush(self);
    // What the flush stored completes now (a follower's answer to its
    // leader leaves in this turn, not the next).
    for (size_t k = 0; k < self->ncopies; k++)
        rft_group_run(self->copies[k]->g);
    eng_repl_settle(self);
    s_drop(self);
    s_membership(self);
    size_t n = 0;
    int64_t now = eng_mono_ms();
    for (size_t k = 0; k < self->ncopies; k++) {
        s_copy_t *c = self->copies[k];
        s_balance(self, c, now);
        bool lead = rft_group_leading(c->g);
        uint64_t term = rft_group_term(c->g);
        raft_id id = 0;
        const char *addr = NULL;
        if (!lead && rft_group_leader(c->g, &id, &addr))
            eng_parts_set_leader(self->parts, c->number, s_peer_of(self, id));
        else if (!lead)
            eng_parts_set_leader(self->parts, c->number, -2);
        bool was = c->served_term != 0;
        if (n < max && (lead != was || (lead && term != c->served_term))) {
            changes[n++] = (eng_repl_change_t){k, lead, term};
            c->converged = false;
            if (lead) {
                self->stats.elected++;
                sr_info("raft: partition %u: leading in term %llu", c->number,
                        (unsigned long long)term);
            } else {
                self->stats.deposed++;
                sr_warn("raft: partition %u: no longer leading (term %llu)",
                        c->number, (unsigned long long)term);
            }
            c->served_term = lead ? term : 0;
        }
    }
    return n;
}

int64_t
eng_repl_due_ms(const eng_repl_t *self)
{
    if (rft_log_pending(self->log))
        return 0; // appends to store (a follower's): at once
    uint64_t due = 1000;
    for (size_t k = 0; k < self->ncopies; k++) {
        uint64_t d = rft_group_due_ms(self->copies[k]->g);
        if (d < due)
            due = d;
    }
    return (int64_t)due;
}

static void
s_refuse(eng_repl_t *self, size_t peer, const char *why)
{
    self->stats.refused++;
    if (self->warned[peer])
        return;
    self->warned[peer] = true;
    sr_warn("raft: a RAFT message from %s refused (further ones are not "
            "logged): %s",
            self->cfg->peers[peer].name, why);
}

static bool
s_copy_of(const eng_repl_t *self, int64_t number, size_t *k)
{
    for (size_t i = 0; i < self->ncopies; i++)
        if (self->copies[i]->number == number) {
            *k = i;
            return true;
        }
    return false;
}

void
eng_repl_recv(eng_repl_t *self, size_t peer, const sr_msg_t *m)
{
    int64_t number = sr_msg_int(m, SR_F_RAFT_partition, -1);
    int64_t from = sr_msg_int(m, SR_F_RAFT_from, 0);
    int64_t seq = sr_msg_int(m, SR_F_RAFT_seq, 0);
    int64_t part = sr_msg_int(m, SR_F_RAFT_part, 0);
    int64_t parts = sr_msg_int(m, SR_F_RAFT_parts, 0);
    const sr_value_t *payload = sr_msg_get(m, SR_F_RAFT_payload);
    size_t k, len = 0;
    const void *bytes =
        sr_value_is(payload, SR_T_BIN) ? sr_value_bin(payload, &len) : NULL;
    char why[128];
    if (peer >= self->cfg->npeers)
        return;
    if (from != (int64_t)self->cfg->peers[peer].replica_id) {
        snprintf(why, sizeof why, "it says it is from replica %lld",
                 (long long)from);
        return s_refuse(self, peer, why);
    }
    self->heard_ms[peer] = eng_mono_ms();
    if (!s_copy_of(self, number, &k)) {
        snprintf(why, sizeof why, "no copy of partition %lld here",
                 (long long)number);
        return s_refuse(self, peer, why);
    }
    if (!bytes || parts > S_MAX_PIECES || part >= parts)
        return s_refuse(self, peer,
                        "the payload is not a binary, or a piece is out of "
                        "its range");
    s_pieces_t *pc = &self->copies[k]->pieces[peer];
    if (part == 0) {
        pc->seq = seq;
        pc->parts = (size_t)parts;
        pc->next = 0;
        pc->len = 0;
    } else if (pc->seq != seq || pc->next != (size_t)part ||
               pc->parts != (size_t)parts) {
        pc->next = pc->parts = 0; // a piece lost: this message is
        return;                   // dropped (Raft sends again)
    }
    const void *whole = bytes;
    size_t wlen = len;
    if (parts > 1) {
        if (pc->len + len > pc->cap) {
            size_t cap = pc->len + len;
            char *b = realloc(pc->buf, cap);
            if (!b) {
                pc->next = pc->parts = 0;
                return;
            }
            pc->buf = b, pc->cap = cap;
        }
        memcpy(pc->buf + pc->len, bytes, len);
        pc->len += len;
        if (++pc->next < pc->parts)
            return;
        whole = pc->buf, wlen = pc->len;
    }
    pc->next = pc->parts = 0;
    sr_error_t e;
    if (rft_group_deliver(self->copies[k]->g, (raft_id)from,
                          self->cfg->peers[peer].name, whole, wlen, &e))
        s_refuse(self, peer, e.msg);
    if (parts > 1 && pc->cap > ((size_t)1 << 20)) {
        free(pc->buf); // a large one is not kept
        pc->buf = NULL, pc->cap = 0;
    }
}

static void
s_committed(void *arg, sr_err_t rc)
{
    s_copy_t *c = arg;
    c->waiting = false;
    c->outcome = rc;
    if (!rc)
        eng_latency_add(c->repl->commit_lat,
                        (double)(eng_mono_us() - c->proposed_us) / 1000.0);
}

sr_err_t
eng_repl_propose(eng_repl_t *self, uint16_t number, store_txn_t **txn_p,
                 sr_error_t *err)
{
    size_t k;
    if (!s_copy_of(self, number, &k)) {
        store_txn_abort(txn_p);
        return sr_error_set(err, SR_EINTERNAL, "partition %u: no copy here",
                            number);
    }
    s_copy_t *c = self->copies[k];
    c->proposed_us = eng_mono_us();
    sr_err_t rc = rft_group_propose(c->g, txn_p, s_committed, c, err);
    if (rc) {
        self->stats.failed++;
        return rc;
    }
    c->proposed = c->waiting = true;
    c->outcome = SR_OK;
    return SR_OK;
}

static bool
s_any_waiting(const eng_repl_t *self)
{
    for (size_t k = 0; k < self->ncopies; k++)
        if (self->copies[k]->waiting)
            return true;
    return false;
}

void
eng_repl_wait(eng_repl_t *self)
{
    // Bounded: a leader that cannot reach a majority steps down within
    // an election timeout, which fails its proposals.
    int64_t el = self->cfg->election_ms > 0 ? self->cfg->election_ms : 1000;
    int64_t until = eng_mono_ms() + 10 * el;
    while (s_any_waiting(self)) {
        for (size_t i = 0; i < self->ncopies; i++)
            rft_group_run(self->copies[i]->g);
        s_flush(self);
        eng_repl_settle(self);
        if (!s_any_waiting(self))
            break;
        if (eng_mono_ms() > until) {
            sr_errorf("raft: entries not committed after %lld ms",
                      (long long)(10 * el));
            break;
        }
        int64_t due = eng_repl_due_ms(self);
        self->pump(self->pump_arg, (int)(due < 5 ? due : 5));
    }
}

sr_err_t
eng_repl_outcome(eng_repl_t *self, uint16_t number, sr_error_t *err)
{
    size_t k;
    if (!s_copy_of(self, number, &k) || !self->copies[k]->proposed)
        return SR_OK;
    s_copy_t *c = self->copies[k];
    c->proposed = false;
    if (c->waiting) { // its entry may still commit: it applies then
        c->waiting = false;
        rft_group_abandon(c->g); // the copy takes the next batch
        self->stats.failed++;
        return sr_error_set(err, SR_EUNAVAIL,
                            "partition %u: its entry was not committed in "
                            "time",
                            number);
    }
    if (c->outcome) {
        self->stats.failed++;
        return sr_error_set(err, c->outcome,
                            "partition %u: this engine stopped leading it "
                            "before the batch was committed",
                            number);
    }
    self->stats.committed++;
    return SR_OK;
}

size_t
eng_repl_copies(const eng_repl_t *self)
{
    return self->ncopies;
}

static const char *
s_state_name(int state)
{
    switch (state) {
    case RAFT_LEADER:
        return "leader";
    case RAFT_CANDIDATE:
        return "candidate";
    case RAFT_FOLLOWER:
        return "follower";
    default:
        return "unavailable";
    }
}

void
eng_repl_copy(const eng_repl_t *self, size_t k, eng_repl_copy_t *out)
{
    const s_copy_t *c = self->copies[k];
    raft_id id = 0;
    const char *addr = NULL;
    *out = (eng_repl_copy_t){
        .partition = c->number,
        .leading = rft_group_leading(c->g),
        .state = s_state_name(rft_group_state(c->g)),
        .term = rft_group_term(c->g),
        .last_index = rft_group_last_index(c->g),
        .applied = rft_group_applied(c->g),
        .commit = rft_group_commit_index(c->g),
        .leader = rft_group_leader(c->g, &id, &addr) ? addr : NULL,
        .error = rft_group_error(c->g),
        .nreplicas = rft_group_servers(c->g),
        .settled = c->converged && rft_group_leading(c->g)};
}

void
eng_repl_replica(const eng_repl_t *self, size_t k, size_t i,
                 eng_repl_replica_t *out)
{
    const rft_group_t *g = self->copies[k]->g;
    rft_group_server_t s;
    rft_group_server(g, i, &s);
    bool is_self = s.id == self->cfg->replica_id;
    raft_index last = rft_group_last_index(g);
    *out = (eng_repl_replica_t){.name = s.address,
                                .role = rft_group_role_name(s.role),
                                .is_self = is_self,
                                .has_lag = s.has_match && !is_self,
                                .lag = s.has_match && !is_self &&
                                               last > s.match_index
                                           ? last - s.match_index
                                           : 0};
}

void
eng_repl_stats(const eng_repl_t *self, eng_repl_stats_t *out)
{
    *out = self->stats; // snapshots sent by the groups stopped
    for (size_t k = 0; k < self->ncopies; k++)
        out->snapshots_sent += rft_group_snapshots_sent(self->copies[k]->g);
}

const eng_latency_t *
eng_repl_commit_latency(const eng_repl_t *self)
{
    return self->commit_lat;
}
