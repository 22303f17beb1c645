// One replicated partition's Raft group (see rft_group.h).
#include "rft_group.h"

#include <stdlib.h>
#include <string.h>

#include "rft_fsm.h"
#include "rft_io.h"
#include "sr_log.h"
#include "store_ws.h"

typedef struct {
    struct raft_apply req; // first
    rft_group_t *g;
    rft_done_fn done;
    void *arg;
} s_proposal_t;

struct rft_group {
    struct raft raft;
    rft_group_cfg_t cfg;
    rft_io_t *io;
    rft_fsm_t *fsm;
    bool started;
    raft_term ready_term;   // the term whose barrier has been applied
    raft_term barrier_term; // the term of the barrier in flight; 0: none
    struct raft_barrier barrier;
    s_proposal_t *inflight; // the proposal in flight, if any
    struct raft_transfer transfer;
    bool transferring;
    struct raft_change change; // the membership change in flight
    bool changing;
    int refused;           // C-Raft's last refusal of a change, logged once
    uint64_t standby_wait; // ms: since when a standby is waited for
};

static sr_err_t
s_snapshot_data(void *arg, struct raft_buffer *out, sr_error_t *err)
{
    rft_group_t *g = arg;
    return rft_fsm_dump(g->fsm, out, err);
}

sr_err_t
rft_group_start(const rft_group_cfg_t *cfg,
                const struct raft_configuration *boot, rft_group_t **out,
                sr_error_t *err)
{
    rft_group_t *g = calloc(1, sizeof *g);
    if (!g)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    g->cfg = *cfg;
    rft_io_cfg_t io = {.log = cfg->log,
                       .group = cfg->group,
                       .send = cfg->send,
                       .send_arg = cfg->send_arg,
                       .now_ms = cfg->now_ms,
                       .clock_arg = cfg->clock_arg,
                       .seed = cfg->seed ^ cfg->id,
                       .snapshot_data = s_snapshot_data,
                       .snapshot_arg = g};
    sr_err_t rc = rft_io_new(&io, &g->io, err);
    if (!rc)
        rc = rft_fsm_new(cfg->part, &g->raft, &g->fsm, err);
    int rv = 0;
    bool inited = false;
    if (!rc) {
        rv = raft_init(&g->raft, rft_io_raft(g->io), rft_fsm_raft(g->fsm),
                       cfg->id, cfg->address);
        if (rv)
            rc = sr_error_set(err, rv == RAFT_NOMEM ? SR_ENOMEM : SR_EINVAL,
                              "partition %u: raft_init: %s", cfg->group,
                              raft_strerror(rv));
        inited = !rv;
    }
    if (!rc) {
        g->raft.data = g;
        raft_set_election_timeout(&g->raft,
                                  cfg->election_ms ? cfg->election_ms : 1000);
        raft_set_heartbeat_timeout(&g->raft,
                                   cfg->heartbeat_ms ? cfg->heartbeat_ms : 100);
        raft_set_snapshot_threshold(
            &g->raft, cfg->snapshot_threshold ? cfg->snapshot_threshold : 1024);
        raft_set_snapshot_trailing(
            &g->raft, cfg->snapshot_trailing ? cfg->snapshot_trailing : 128);
        raft_set_pre_vote(&g->raft, true);
        if (boot && (rv = raft_bootstrap(&g->raft, boot)) &&
            rv != RAFT_CANTBOOTSTRAP)
            rc = sr_error_set(err, SR_ESTORE, "partition %u: bootstrap: %s",
                              cfg->group, raft_errmsg(&g->raft));
    }
    if (!rc && (rv = raft_start(&g->raft)))
        rc = sr_error_set(err, SR_ESTORE, "partition %u: raft_start: %s",
                          cfg->group, raft_errmsg(&g->raft));
    if (rc) {
        g->started = inited; // close what raft_init made
        rft_group_stop(&g);
        return rc;
    }
    g->started = true;
    *out = g;
    return SR_OK;
}

static void
s_closed(struct raft *r)
{
    (void)r;
}

void
rft_group_stop(rft_group_t **g_p)
{
    rft_group_t *g = *g_p;
    if (!g)
        return;
    // C-Raft fails the requests in flight (their callbacks run) and our
    // raft_io closes at once, so the close is over when raft_close
    // returns.
    if (g->started)
        raft_close(&g->raft, s_closed);
    rft_fsm_destroy(&g->fsm);
    rft_io_destroy(&g->io);
    free(g);
    *g_p = NULL;
}

static void
s_barrier_done(struct raft_barrier *req, int status)
{
    rft_group_t *g = req->data;
    if (status == 0 && g->barrier_term == g->raft.current_term)
        g->ready_term = g->barrier_term;
    g->barrier_term = 0;
}

void
rft_group_run(rft_group_t *g)
{
    rft_io_run(g->io);
    int state = raft_state(&g->raft);
    if (state == RAFT_LEADER && g->ready_term != g->raft.current_term &&
        g->barrier_term == 0) {
        g->barrier.data = g;
        g->barrier_term = g->raft.current_term;
        if (raft_barrier(&g->raft, &g->barrier, s_barrier_done))
            g->barrier_term = 0; // tried again next run
    }
}

uint64_t
rft_group_due_ms(const rft_group_t *g)
{
    return rft_io_due_ms(g->io);
}

sr_err_t
rft_group_deliver(rft_group_t *g, raft_id from, const char *address,
                  const void *buf, size_t len, sr_error_t *err)
{
    return rft_io_deliver(g->io, from, address, buf, len, err);
}

bool
rft_group_leading(const rft_group_t *g)
{
    return raft_state((struct raft *)&g->raft) == RAFT_LEADER &&
           g->ready_term == g->raft.current_term && !g->transferring;
}

sr_err_t
rft_group_settle(rft_group_t *g)
{
    return rft_fsm_settle(g->fsm);
}

void
rft_group_abandon(rft_group_t *g)
{
    rft_fsm_drop(g->fsm);
}

static void
s_transferred(struct raft_transfer *req)
{
    rft_group_t *g = req->data;
    g->transferring = false;
}

sr_err_t
rft_group_transfer(rft_group_t *g, raft_id id, sr_error_t *err)
{
    if (!rft_group_leading(g))
        return sr_error_set(err, SR_ESTATE,
                            "partition %u: this replica does not lead, or "
                            "hands the leadership over already",
                            g->cfg.group);
    g->transfer.data = g;
    int rv = raft_transfer(&g->raft, &g->transfer, id, s_transferred);
    if (rv)
        return sr_error_set(err, rv == RAFT_BADID ? SR_EINVAL : SR_ESTATE,
                            "partition %u: transfer to %llu: %s", g->cfg.group,
                            (unsigned long long)id, raft_strerror(rv));
    g->transferring = true;
    return SR_OK;
}

bool
rft_group_transferring(const rft_group_t *g)
{
    return g->transferring;
}

bool
rft_group_proposing(const rft_group_t *g)
{
    return g->inflight != NULL;
}

raft_term
rft_group_term(const rft_group_t *g)
{
    return g->raft.current_term;
}

bool
rft_group_leader(const rft_group_t *g, raft_id *id, const char **address)
{
    raft_leader((struct raft *)&g->raft, id, address);
    return *id != 0;
}

int
rft_group_state(const rft_group_t *g)
{
    return raft_state((struct raft *)&g->raft);
}

raft_index
rft_group_last_index(const rft_group_t *g)
{
    return raft_last_index((struct raft *)&g->raft);
}

raft_index
rft_group_applied(const rft_group_t *g)
{
    return raft_last_applied((struct raft *)&g->raft);
}

const char *
rft_group_error(const rft_group_t *g)
{
    return rft_fsm_error(g->fsm);
}

static void
s_applied(struct raft_apply *req, int status, void *result)
{
    (void)result;
    s_proposal_t *p = (s_proposal_t *)req;
    rft_group_t *g = p->g;
    if (g->inflight == p)
        g->inflight = NULL;
    sr_err_t rc = SR_OK;
    if (status) {
        // Not committed by this leader: its transaction goes.
        rft_fsm_drop(g->fsm);
        rc = status == RAFT_IOERR ? SR_ESTORE : SR_EUNAVAIL;
    }
    rft_done_fn done = p->done;
    void *arg = p->arg;
    free(p);
    done(arg, rc);
}

sr_err_t
rft_group_propose(rft_group_t *g, store_txn_t **txn_p, rft_done_fn done,
                  void *arg, sr_error_t *err)
{
    if (!rft_group_leading(g) || g->inflight) {
        store_txn_abort(txn_p);
        return sr_error_set(err, SR_EUNAVAIL,
                            g->inflight ? "partition %u: a proposal is in "
                                          "flight"
                                        : "partition %u: this replica does "
                                          "not lead",
                            g->cfg.group);
    }
    char *ws;
    size_t len;
    s_proposal_t *p = calloc(1, sizeof *p);
    if (!p || store_ws_encode(store_txn_ws(*txn_p), &ws, &len)) {
        free(p);
        store_txn_abort(txn_p);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    struct raft_buffer buf = {raft_malloc(len ? len : 1), len};
    if (!buf.base) {
        free(ws);
        free(p);
        store_txn_abort(txn_p);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    memcpy(buf.base, ws, len);
    free(ws);
    p->g = g;
    p->done = done;
    p->arg = arg;
    int rv = raft_apply(&g->raft, &p->req, &buf, 1, s_applied);
    if (rv) {
        raft_free(buf.base);
        free(p);
        store_txn_abort(txn_p);
        return sr_error_set(err, rv == RAFT_NOMEM ? SR_ENOMEM : SR_EUNAVAIL,
                            "partition %u: %s", g->cfg.group,
                            raft_strerror(rv));
    }
    g->inflight = p;
    rft_fsm_hold(g->fsm, *txn_p, p->req.index);
    *txn_p = NULL;
    return SR_OK;
}

// --- membership ---------------------------------------------------------

static const struct raft_server *
s_server(const struct raft_configuration *c, raft_id id, unsigned *at)
{
    for (unsigned i = 0; i < c->n; i++)
        if (c->servers[i].id == id) {
            if (at)
                *at = i;
            return &c->servers[i];
        }
    return NULL;
}

static bool
s_wanted(const rft_member_t *want, size_t n, raft_id id)
{
    for (size_t k = 0; k < n; k++)
        if (want[k].id == id)
            return true;
    return false;
}

static void
s_changed(struct raft_change *req, int status)
{
    rft_group_t *g = req->data;
    g->changing = false;
    if (status)
        sr_warn("raft: partition %u: a membership change failed: %s",
                g->cfg.group, raft_strerror(status));
}

// Tell C-Raft's answer to a change: 0 means under way.
static void
s_change_started(rft_group_t *g, int rv, const char *what, raft_id id)
{
    if (!rv) {
        g->changing = true;
        g->refused = 0;
        sr_info("raft: partition %u: %s replica %llu", g->cfg.group, what,
                (unsigned long long)id);
        return;
    }
    if (g->refused != rv)
        sr_warn("raft: partition %u: cannot %s replica %llu now: %s",
                g->cfg.group, what, (unsigned long long)id, raft_strerror(rv));
    g->refused = rv;
}

// A standby is given five election timeouts to store that it is one
// (then it learns it may drop its copy); one that is down is removed
// after that all the same.
static bool
s_waited_enough(rft_group_t *g)
{
    uint64_t now = g->cfg.now_ms(g->cfg.clock_arg);
    if (!g->standby_wait)
        g->standby_wait = now;
    unsigned el = g->cfg.election_ms ? g->cfg.election_ms : 1000;
    return now - g->standby_wait >= 5ull * el;
}

sr_err_t
rft_group_converge(rft_group_t *g, const rft_member_t *want, size_t n,
                   bool *done, sr_error_t *err)
{
    *done = false;
    if (!n)
        return sr_error_set(err, SR_EINVAL, "partition %u: no replica wanted",
                            g->cfg.group);
    struct raft *r = &g->raft;
    if (!rft_group_leading(g) || g->changing ||
        r->configuration_uncommitted_index != 0 ||
        r->leader_state.promotee_id != 0)
        return SR_OK;
    const struct raft_configuration *c = &r->configuration;
    g->change.data = g;
    for (size_t k = 0; k < n; k++) // 1. the missing ones
        if (!s_server(c, want[k].id, NULL)) {
            int rv =
                raft_add(r, &g->change, want[k].id, want[k].address, s_changed);
            s_change_started(g, rv, "adding", want[k].id);
            return SR_OK;
        }
    for (size_t k = 0; k < n; k++) { // 2. those not voting yet
        const struct raft_server *s = s_server(c, want[k].id, NULL);
        if (s->role != RAFT_VOTER) {
            int rv =
                raft_assign(r, &g->change, want[k].id, RAFT_VOTER, s_changed);
            s_change_started(g, rv, "catching up and making a voter of",
                             want[k].id);
            return SR_OK;
        }
    }
    for (unsigned i = 0; i < c->n; i++) { // 3. the unwanted ones
        const struct raft_server *s = &c->servers[i];
        if (s_wanted(want, n, s->id))
            continue;
        if (s->id == g->cfg.id) {
            sr_error_t e;
            if (rft_group_transfer(g, want[0].id, &e))
                sr_warn("raft: %s", e.msg);
            return SR_OK;
        }
        int rv;
        raft_id id = s->id; // s goes with the configuration it is of
        if (s->role == RAFT_VOTER) {
            rv = raft_assign(r, &g->change, id, RAFT_STANDBY, s_changed);
            s_change_started(g, rv, "making a standby of", id);
        } else if (s->role == RAFT_STANDBY &&
                   r->leader_state.progress[i].match_index <
                       r->configuration_index &&
                   !s_waited_enough(g)) {
            return SR_OK; // it has not stored that it is one yet
        } else {
            g->standby_wait = 0;
            rv = raft_remove(r, &g->change, id, s_changed);
            s_change_started(g, rv, "removing", id);
        }
        return SR_OK;
    }
    *done = true;
    return SR_OK;
}

bool
rft_group_voting(const rft_group_t *g)
{
    const struct raft_server *s =
        s_server(&g->raft.configuration, g->cfg.id, NULL);
    return s && s->role == RAFT_VOTER;
}

bool
rft_group_unconfigured(const rft_group_t *g)
{
    return g->raft.configuration.n == 0;
}

// --- figures for STATUS (read only) ---------------------------------------

raft_index
rft_group_commit_index(const rft_group_t *g)
{
    return g->raft.commit_index;
}

size_t
rft_group_servers(const rft_group_t *g)
{
    return g->raft.configuration.n;
}

void
rft_group_server(const rft_group_t *g, size_t i, rft_group_server_t *out)
{
    const struct raft *r = &g->raft;
    const struct raft_server *s = &r->configuration.servers[i];
    *out = (rft_group_server_t){
        .id = s->id, .address = s->address, .role = s->role};
    // A leader's progress array follows its configuration's servers.
    if (r->state == RAFT_LEADER && r->leader_state.progress) {
        out->has_match = true;
        out->match_index = s->id == r->id
                               ? r->last_stored
                               : r->leader_state.progress[i].match_index;
    }
}

const char *
rft_group_role_name(int role)
{
    switch (role) {
    case RAFT_VOTER:
        return "voter";
    case RAFT_STANDBY:
        return "standby";
    case RAFT_SPARE:
        return "spare";
    default:
        return "unknown";
    }
}

uint64_t
rft_group_snapshots_sent(const rft_group_t *g)
{
    rft_io_stats_t st;
    rft_io_stats(g->io, &st);
    return st.snapshots_sent;
}
