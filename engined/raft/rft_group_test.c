// Three replicas of a partition in one process, over rft_log, rft_io,
// rft_fsm and C-Raft, with a transport that queues messages between them
// (links can be cut) and a clock the test moves: a leader is elected and
// leads, proposals reach every copy, a lost leader is replaced within the
// election timeout, a replica restarted from its disk catches up, a
// replica whose disk was wiped is sent a snapshot and catches up, and a
// leader cut off from the others commits nothing: its proposal fails, its
// copy never shows it, and it follows the new leader once the links are
// back; and the figures STATUS reads (commit index, the configuration's
// servers, the leader's view of each follower's log, snapshots sent).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rft_group.h"
#include "store_docs.h"
#include "store_test_util.h"

#define N           4 // replicas in all: the first BOOT make the group
#define BOOT        3
#define STEP_MS     5
#define ELECTION_MS 300

typedef struct s_net s_net_t;

typedef struct {
    s_net_t *net;
    int index;
    char dir[64];
    bool up;
    rft_log_t *log;
    store_part_t *part;
    rft_group_t *g;
} s_node_t;

typedef struct {
    int from, to; // replica indexes
    char *buf;
    size_t len;
} s_msg_t;

struct s_net {
    s_node_t n[N];
    bool cut[N][N]; // no delivery from i to j
    s_msg_t *q;
    size_t nq, cap;
    uint64_t now;
    unsigned threshold, trailing;
    int done;      // proposal callbacks seen
    sr_err_t last; // the last one's outcome
    int wf;        // workflows proposed so far
};

static const char *s_names[N] = {"e1", "e2", "e3", "e4"};

static uint64_t
s_clock(void *arg)
{
    return ((s_net_t *)arg)->now;
}

static sr_err_t
s_send(void *arg, uint32_t group, raft_id to, const char *address,
       const void *buf, size_t len)
{
    s_node_t *from = arg;
    s_net_t *net = from->net;
    (void)group;
    assert_true(to >= 1 && to <= N);
    assert_string_equal(address, s_names[to - 1]);
    if (net->nq == net->cap) {
        net->cap = net->cap ? net->cap * 2 : 64;
        net->q = realloc(net->q, net->cap * sizeof *net->q);
        assert_non_null(net->q);
    }
    s_msg_t *m = &net->q[net->nq++];
    m->from = from->index;
    m->to = (int)to - 1;
    m->buf = malloc(len);
    assert_non_null(m->buf);
    memcpy(m->buf, buf, len);
    m->len = len;
    return SR_OK;
}

static void
s_conf(struct raft_configuration *c)
{
    raft_configuration_init(c);
    for (int i = 0; i < BOOT; i++)
        assert_int_equal(
            raft_configuration_add(c, (raft_id)i + 1, s_names[i], RAFT_VOTER),
            0);
}

// Start replica i from what its folder holds (booting a new group when
// `boot`).
static void
s_up(s_net_t *net, int i, bool boot)
{
    s_node_t *n = &net->n[i];
    char path[96];
    snprintf(path, sizeof path, "%s/raft", n->dir);
    rft_log_opts_t lo = {.nosync = true, .map_bytes = 1 << 26};
    sr_error_t err;
    if (rft_log_open(path, &lo, &n->log, &err))
        fail_msg("%s", err.msg);
    snprintf(path, sizeof path, "%s/p0", n->dir);
    n->part = st_open(path, 0);
    rft_group_cfg_t cfg = {.log = n->log,
                           .part = n->part,
                           .group = 0,
                           .id = (raft_id)i + 1,
                           .address = s_names[i],
                           .send = s_send,
                           .send_arg = n,
                           .now_ms = s_clock,
                           .clock_arg = net,
                           .seed = 7,
                           .election_ms = ELECTION_MS,
                           .heartbeat_ms = 50,
                           .snapshot_threshold = net->threshold,
                           .snapshot_trailing = net->trailing};
    struct raft_configuration conf;
    s_conf(&conf);
    if (rft_group_start(&cfg, boot ? &conf : NULL, &n->g, &err))
        fail_msg("replica %d: %s", i + 1, err.msg);
    raft_configuration_close(&conf);
    n->up = true;
}

// Stop replica i as a crash would leave it: nothing queued is written.
static void
s_down(s_net_t *net, int i)
{
    s_node_t *n = &net->n[i];
    rft_group_stop(&n->g);
    rft_log_close(&n->log);
    store_part_close(&n->part);
    n->up = false;
}

static void
s_net_init(s_net_t *net, unsigned threshold, unsigned trailing)
{
    memset(net, 0, sizeof *net);
    net->now = 1000;
    net->threshold = threshold;
    net->trailing = trailing;
    for (int i = 0; i < N; i++) {
        net->n[i].net = net;
        net->n[i].index = i;
        st_mkdir(net->n[i].dir);
    }
    for (int i = 0; i < BOOT; i++)
        s_up(net, i, true);
}

static void
s_net_fini(s_net_t *net)
{
    for (int i = 0; i < N; i++) {
        if (net->n[i].up)
            s_down(net, i);
        st_rmdir(net->n[i].dir);
    }
    for (size_t k = 0; k < net->nq; k++)
        free(net->q[k].buf);
    free(net->q);
}

// One turn of every replica that is up: timers, log flush, then the
// messages sent so far delivered (or dropped on a cut link or to a
// replica that is down).
static void
s_step(s_net_t *net)
{
    net->now += STEP_MS;
    for (int i = 0; i < N; i++) {
        s_node_t *n = &net->n[i];
        if (!n->up)
            continue;
        rft_group_run(n->g);
        sr_error_t err;
        if (rft_log_flush(n->log, &err))
            fail_msg("flush: %s", err.msg);
        if (rft_group_settle(n->g))
            fail_msg("settle: %s", rft_group_error(n->g));
    }
    s_msg_t *q = net->q;
    size_t nq = net->nq;
    net->q = NULL, net->nq = 0, net->cap = 0;
    for (size_t k = 0; k < nq; k++) {
        s_node_t *to = &net->n[q[k].to];
        if (to->up && !net->cut[q[k].from][q[k].to]) {
            sr_error_t err;
            if (rft_group_deliver(to->g, (raft_id)q[k].from + 1,
                                  s_names[q[k].from], q[k].buf, q[k].len, &err))
                fail_msg("deliver: %s", err.msg);
        }
        free(q[k].buf);
    }
    free(q);
}

// Cut replica `node` off both ways (or join it again).
static void
s_isolate(s_net_t *net, int node, bool cut)
{
    for (int i = 0; i < N; i++)
        net->cut[node][i] = net->cut[i][node] = cut && i != node;
}

// The replica leading (its term's barrier applied), stepping until one
// does; fails after `max_ms`.
static int
s_leader(s_net_t *net, uint64_t max_ms)
{
    uint64_t until = net->now + max_ms;
    while (net->now < until) {
        for (int i = 0; i < N; i++)
            if (net->n[i].up && rft_group_leading(net->n[i].g))
                return i;
        s_step(net);
    }
    fail_msg("no leader within %llu ms", (unsigned long long)max_ms);
    return -1;
}

static void
s_done(void *arg, sr_err_t rc)
{
    s_net_t *net = arg;
    net->done++;
    net->last = rc;
}

// Propose a new workflow definition on replica i.
static void
s_propose(s_net_t *net, int i)
{
    char yaml[160];
    snprintf(yaml, sizeof yaml,
             "version: '2.0'\nwf%d:\n  tasks:\n    t:\n      action: "
             "std.noop\n",
             net->wf++);
    lang_doc_t *doc = st_doc(yaml);
    store_txn_t *txn;
    sr_error_t err;
    assert_int_equal(store_txn_begin(net->n[i].part, true, &txn, &err), SR_OK);
    assert_int_equal(store_def_put(txn, doc, (int64_t)net->now, &err), SR_OK);
    lang_doc_destroy(&doc);
    if (rft_group_propose(net->n[i].g, &txn, s_done, net, &err))
        fail_msg("propose: %s", err.msg);
    assert_null(txn);
}

// Propose and step until it is done; returns its outcome.
static sr_err_t
s_commit(s_net_t *net, int i, uint64_t max_ms)
{
    int before = net->done;
    s_propose(net, i);
    uint64_t until = net->now + max_ms;
    while (net->done == before && net->now < until)
        s_step(net);
    assert_int_equal(net->done, before + 1);
    return net->last;
}

// Step until every replica that is up has applied the leader's last
// index and their copies hold the same records.
static void
s_converge(s_net_t *net, int leader, uint64_t max_ms)
{
    uint64_t until = net->now + max_ms;
    for (;;) {
        raft_index last = rft_group_applied(net->n[leader].g);
        bool all = true;
        for (int i = 0; i < N; i++)
            if (net->n[i].up && rft_group_applied(net->n[i].g) < last)
                all = false;
        if (all)
            break;
        if (net->now >= until)
            fail_msg("the replicas did not catch up within %llu ms",
                     (unsigned long long)max_ms);
        s_step(net);
    }
    for (int i = 0; i < N; i++) // what the last step applied, committed
        if (net->n[i].up && rft_group_settle(net->n[i].g))
            fail_msg("settle: %s", rft_group_error(net->n[i].g));
    for (int i = 0; i < N; i++)
        if (i != leader && net->n[i].up)
            st_assert_same(net->n[leader].part, net->n[i].part);
}

static size_t
s_defs(store_part_t *part)
{
    store_counts_t c;
    sr_error_t err;
    assert_int_equal(store_part_counts(part, &c, &err), SR_OK);
    return c.workflows;
}

static void
test_elect_replicate_fail_over_restart(void **state)
{
    (void)state;
    s_net_t net;
    s_net_init(&net, 0, 0);
    int l = s_leader(&net, 5 * ELECTION_MS);
    raft_term t1 = rft_group_term(net.n[l].g);
    for (int k = 0; k < 10; k++)
        assert_int_equal(s_commit(&net, l, 2000), SR_OK);
    s_converge(&net, l, 2000);
    assert_int_equal(s_defs(net.n[(l + 1) % BOOT].part), 10);
    // A follower refuses to propose.
    store_txn_t *txn;
    sr_error_t err;
    int f = (l + 1) % BOOT;
    assert_false(rft_group_leading(net.n[f].g));
    assert_int_equal(store_txn_begin(net.n[f].part, true, &txn, &err), SR_OK);
    assert_int_equal(rft_group_propose(net.n[f].g, &txn, s_done, &net, &err),
                     SR_EUNAVAIL);
    assert_null(txn);
    raft_id lid;
    const char *laddr;
    assert_true(rft_group_leader(net.n[f].g, &lid, &laddr));
    assert_int_equal(lid, (raft_id)l + 1);

    // The leader is lost: another leads within the election timeout (and
    // the barrier), in a later term.
    uint64_t lost = net.now;
    s_down(&net, l);
    int l2 = s_leader(&net, 4 * ELECTION_MS);
    assert_int_not_equal(l2, l);
    assert_true(rft_group_term(net.n[l2].g) > t1);
    print_message("new leader after %llu ms (election timeout %d ms)\n",
                  (unsigned long long)(net.now - lost), ELECTION_MS);
    for (int k = 0; k < 5; k++)
        assert_int_equal(s_commit(&net, l2, 2000), SR_OK);
    // The old leader comes back from its disk and catches up.
    s_up(&net, l, true);
    s_converge(&net, l2, 3000);
    assert_int_equal(s_defs(net.n[l].part), 15);
    s_net_fini(&net);
}

static void
test_wiped_replica_gets_a_snapshot(void **state)
{
    (void)state;
    s_net_t net;
    s_net_init(&net, 8, 2); // a snapshot every 8 entries, 2 kept
    int l = s_leader(&net, 5 * ELECTION_MS);
    int w = (l + 1) % BOOT;
    for (int i = 0; i < BOOT; i++)
        assert_int_equal(rft_group_snapshots_sent(net.n[i].g), 0);
    s_down(&net, w);
    for (int k = 0; k < 30; k++)
        assert_int_equal(s_commit(&net, l, 2000), SR_OK);
    // Its disk is gone; it starts empty (not booted) and is sent a dump.
    st_rmdir(net.n[w].dir);
    st_mkdir(net.n[w].dir);
    s_up(&net, w, false);
    s_converge(&net, l, 5000);
    assert_int_equal(s_defs(net.n[w].part), 30);
    assert_true(rft_group_snapshots_sent(net.n[l].g) >= 1);
    assert_int_equal(rft_group_snapshots_sent(net.n[w].g), 0);
    assert_true(store_part_applied(net.n[w].part) > 0);
    // It follows on after the snapshot.
    for (int k = 0; k < 3; k++)
        assert_int_equal(s_commit(&net, l, 2000), SR_OK);
    s_converge(&net, l, 2000);
    assert_int_equal(s_defs(net.n[w].part), 33);
    // And leads when it has to, with everything.
    s_down(&net, l);
    int l2 = s_leader(&net, 4 * ELECTION_MS);
    assert_int_equal(s_commit(&net, l2, 2000), SR_OK);
    assert_int_equal(s_defs(net.n[l2].part), 34);
    s_net_fini(&net);
}

// A follower that was cut off gets the entries it missed in one message
// and applies them in one transaction (rft_fsm_settle), not one each.
static void
test_follower_applies_entries_together(void **state)
{
    (void)state;
    s_net_t net;
    s_net_init(&net, 0, 0);
    int l = s_leader(&net, 5 * ELECTION_MS);
    int f = (l + 1) % BOOT;
    assert_int_equal(s_commit(&net, l, 2000), SR_OK);
    s_converge(&net, l, 2000);
    s_isolate(&net, f, true);
    for (int k = 0; k < 8; k++)
        assert_int_equal(s_commit(&net, l, 2000), SR_OK);
    uint64_t applied = store_part_applied(net.n[f].part);
    uint64_t commits = store_part_commits(net.n[f].part);
    s_isolate(&net, f, false);
    s_converge(&net, l, 3000);
    assert_int_equal(s_defs(net.n[f].part), 9);
    assert_true(store_part_applied(net.n[f].part) >= applied + 8);
    print_message(
        "8 entries applied in %llu commits\n",
        (unsigned long long)(store_part_commits(net.n[f].part) - commits));
    assert_true(store_part_commits(net.n[f].part) - commits <= 2);
    s_net_fini(&net);
}

static void
test_cut_off_leader_commits_nothing(void **state)
{
    (void)state;
    s_net_t net;
    s_net_init(&net, 0, 0);
    int l = s_leader(&net, 5 * ELECTION_MS);
    assert_int_equal(s_commit(&net, l, 2000), SR_OK);
    s_converge(&net, l, 2000);
    // Cut the leader off both ways, then propose on it.
    s_isolate(&net, l, true);
    int before = net.done;
    s_propose(&net, l);
    assert_true(rft_group_proposing(net.n[l].g));
    // Given up on (the engine's wait ran out): the copy takes another
    // write transaction at once (a held one would block it for ever).
    rft_group_abandon(net.n[l].g);
    store_txn_t *other;
    sr_error_t err;
    assert_int_equal(store_txn_begin(net.n[l].part, true, &other, &err), SR_OK);
    store_txn_abort(&other);
    assert_true(rft_group_proposing(net.n[l].g)); // its callback to come
    // The others elect a leader and go on.
    int l2 = -1;
    uint64_t until = net.now + 6 * ELECTION_MS;
    while (net.now < until && l2 < 0) {
        s_step(&net);
        for (int i = 0; i < N; i++)
            if (i != l && net.n[i].up && rft_group_leading(net.n[i].g))
                l2 = i;
    }
    assert_true(l2 >= 0);
    assert_int_equal(s_commit(&net, l2, 2000), SR_OK);
    // The old leader steps down without a quorum: its proposal fails and
    // its copy never showed it.
    until = net.now + 6 * ELECTION_MS;
    while (net.done == before + 1 && net.now < until)
        s_step(&net);
    assert_int_equal(net.done, before + 2);
    assert_false(rft_group_leading(net.n[l].g));
    assert_int_equal(s_defs(net.n[l].part), 1);
    // Links back: it follows the new leader and has what it committed.
    memset(net.cut, 0, sizeof net.cut);
    s_converge(&net, l2, 3000);
    assert_int_equal(s_defs(net.n[l].part), 2);
    assert_false(rft_group_leading(net.n[l].g));
    s_net_fini(&net);
}

// The leader hands its leadership to a chosen replica, which then leads
// (with every entry) and takes proposals.
static void
test_leadership_transfer(void **state)
{
    (void)state;
    s_net_t net;
    s_net_init(&net, 0, 0);
    int l = s_leader(&net, 5 * ELECTION_MS);
    assert_int_equal(s_commit(&net, l, 2000), SR_OK);
    int to = (l + 2) % BOOT;
    sr_error_t err;
    assert_int_equal(rft_group_transfer(net.n[l].g, (raft_id)to + 1, &err),
                     SR_OK);
    assert_false(rft_group_leading(net.n[l].g)); // no batch meanwhile
    assert_int_equal(rft_group_transfer(net.n[l].g, (raft_id)to + 1, &err),
                     SR_ESTATE);
    uint64_t until = net.now + 4 * ELECTION_MS;
    while (!rft_group_leading(net.n[to].g) && net.now < until)
        s_step(&net);
    assert_true(rft_group_leading(net.n[to].g));
    assert_false(rft_group_leading(net.n[l].g));
    assert_int_equal(s_commit(&net, to, 2000), SR_OK);
    s_converge(&net, to, 2000);
    assert_int_equal(s_defs(net.n[l].part), 2);
    // Not a voter of the group: refused.
    assert_int_equal(rft_group_transfer(net.n[to].g, 9, &err), SR_EINVAL);
    s_net_fini(&net);
}

// Server `id` of replica i's configuration.
static rft_group_server_t
s_server(s_net_t *net, int i, raft_id id)
{
    rft_group_t *g = net->n[i].g;
    for (size_t k = 0; k < rft_group_servers(g); k++) {
        rft_group_server_t s;
        rft_group_server(g, k, &s);
        if (s.id == id)
            return s;
    }
    fail_msg("replica %d: no server %llu", i + 1, (unsigned long long)id);
    return (rft_group_server_t){0};
}

// The figures STATUS reads: the commit index, the configuration's
// servers and, on the leader only, how far each follower's log matches,
// so that a follower cut off shows the entries it misses.
static void
figures_show_commit_index_servers_and_follower_match(void **state)
{
    (void)state;
    s_net_t net;
    s_net_init(&net, 0, 0);
    int l = s_leader(&net, 5 * ELECTION_MS);
    for (int k = 0; k < 3; k++)
        assert_int_equal(s_commit(&net, l, 2000), SR_OK);
    s_converge(&net, l, 2000);
    raft_index last = rft_group_last_index(net.n[l].g);
    assert_int_equal(rft_group_commit_index(net.n[l].g), last);
    for (int i = 0; i < BOOT; i++) {
        rft_group_t *g = net.n[i].g;
        assert_true(rft_group_commit_index(g) >= rft_group_applied(g));
        assert_int_equal(rft_group_servers(g), BOOT);
        for (int k = 0; k < BOOT; k++) {
            rft_group_server_t s = s_server(&net, i, (raft_id)k + 1);
            assert_string_equal(s.address, s_names[k]);
            assert_string_equal(rft_group_role_name(s.role), "voter");
            assert_int_equal(s.has_match, i == l);
            if (i == l)
                assert_int_equal(s.match_index, last);
        }
    }
    assert_string_equal(rft_group_role_name(RAFT_STANDBY), "standby");
    assert_string_equal(rft_group_role_name(RAFT_SPARE), "spare");
    assert_string_equal(rft_group_role_name(7), "unknown");
    // A follower cut off misses what is committed meanwhile.
    int f = (l + 1) % BOOT, other = (l + 2) % BOOT;
    for (int i = 0; i < BOOT; i++)
        net.cut[f][i] = net.cut[i][f] = i != f;
    for (int k = 0; k < 5; k++)
        assert_int_equal(s_commit(&net, l, 2000), SR_OK);
    raft_index now = rft_group_last_index(net.n[l].g);
    assert_int_equal(rft_group_commit_index(net.n[l].g), now);
    assert_int_equal(s_server(&net, l, (raft_id)f + 1).match_index, last);
    assert_int_equal(s_server(&net, l, (raft_id)other + 1).match_index, now);
    assert_int_equal(rft_group_commit_index(net.n[f].g), last);
    // Links back: it catches up, and the leader knows it.
    memset(net.cut, 0, sizeof net.cut);
    s_converge(&net, l, 3000);
    uint64_t until = net.now + 2000;
    while (s_server(&net, l, (raft_id)f + 1).match_index < now &&
           net.now < until)
        s_step(&net);
    assert_int_equal(s_server(&net, l, (raft_id)f + 1).match_index, now);
    s_net_fini(&net);
}

// Step until `cond` holds for replica i, or fail after `max_ms`.
static void
s_until(s_net_t *net, bool (*cond)(const rft_group_t *), int i, bool want,
        uint64_t max_ms, const char *what)
{
    uint64_t until = net->now + max_ms;
    while (cond(net->n[i].g) != want && net->now < until)
        s_step(net);
    if (cond(net->n[i].g) != want)
        fail_msg("replica %d: %s not reached within %llu ms", i + 1, what,
                 (unsigned long long)max_ms);
}

// Converge the leader's group toward `want`, stepping, until done;
// proposals go on meanwhile. Returns the replica leading at the end.
static int
s_membership(s_net_t *net, const rft_member_t *want, size_t n, uint64_t max_ms)
{
    uint64_t until = net->now + max_ms;
    for (;;) {
        int l = s_leader(net, 5 * ELECTION_MS);
        bool done = false;
        sr_error_t err;
        if (rft_group_converge(net->n[l].g, want, n, &done, &err))
            fail_msg("converge: %s", err.msg);
        if (done)
            return l;
        if (net->now >= until)
            fail_msg("the configuration did not converge within %llu ms",
                     (unsigned long long)max_ms);
        if (net->now % 100 == 0) // a proposal now and then
            assert_int_equal(s_commit(net, l, 3000), SR_OK);
        s_step(net);
    }
}

// A fourth replica, started empty, is added (made a voter once it has
// the log), and the leader itself is taken out: it hands the leadership
// over, becomes a standby and is removed; the group goes on without it,
// and the new replica has every entry.
static void
test_membership_change(void **state)
{
    (void)state;
    s_net_t net;
    s_net_init(&net, 8, 2); // snapshots too: the new replica gets one
    int l = s_leader(&net, 5 * ELECTION_MS);
    for (int k = 0; k < 20; k++)
        assert_int_equal(s_commit(&net, l, 2000), SR_OK);
    s_up(&net, 3, false);
    assert_true(rft_group_unconfigured(net.n[3].g));
    assert_false(rft_group_voting(net.n[3].g));
    rft_member_t want[BOOT];
    size_t n = 0;
    for (int i = 0; i < N; i++)
        if (i != l)
            want[n++] = (rft_member_t){(raft_id)i + 1, s_names[i]};
    int l2 = s_membership(&net, want, n, 60000);
    assert_int_not_equal(l2, l);
    s_until(&net, rft_group_voting, 3, true, 2000, "voting");
    assert_false(rft_group_unconfigured(net.n[3].g));
    // The old leader learnt it no longer votes (so its engine may drop
    // its copy).
    s_until(&net, rft_group_voting, l, false, 2000, "not voting");
    s_down(&net, l);
    assert_int_equal(s_commit(&net, l2, 2000), SR_OK);
    s_converge(&net, l2, 5000);
    size_t defs = s_defs(net.n[l2].part);
    assert_true(defs > 20);
    assert_int_equal(s_defs(net.n[3].part), defs);
    // Without the leader, a majority of the new voters elects another.
    s_down(&net, l2);
    int l3 = s_leader(&net, 6 * ELECTION_MS);
    assert_true(l3 != l && l3 != l2);
    assert_int_equal(s_commit(&net, l3, 2000), SR_OK);
    assert_int_equal(s_defs(net.n[l3].part), defs + 1);
    // An empty wish is refused.
    bool done;
    sr_error_t err;
    assert_int_equal(rft_group_converge(net.n[l3].g, want, 0, &done, &err),
                     SR_EINVAL);
    s_net_fini(&net);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_elect_replicate_fail_over_restart),
        cmocka_unit_test(test_wiped_replica_gets_a_snapshot),
        cmocka_unit_test(test_follower_applies_entries_together),
        cmocka_unit_test(test_cut_off_leader_commits_nothing),
        cmocka_unit_test(test_leadership_transfer),
        cmocka_unit_test(test_membership_change),
        cmocka_unit_test(figures_show_commit_index_servers_and_follower_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
