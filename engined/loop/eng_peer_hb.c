// Heartbeats between the engines of a cluster: which peers are down, and
// which partitions held executions before a restart.
//
// Every heartbeat interval an engine sends each peer a HEARTBEAT over the
// DEALER it forwards on (the peer's client endpoint takes it); any message
// from a peer counts as hearing it. A peer silent for the expiry time (or
// not heard at all within the expiry time after this engine started) is
// known down: requests for its partitions get EUNAVAIL at once and those
// waiting for it are answered so (eng_peers.c). It is up again as soon as
// it is heard.
//
// A HEARTBEAT also says which run of the sender it comes from and, for
// each partition it holds, its epoch and how many executions it holds. A
// peer keeps the last of these, and when the run changes (a restart) keeps
// the previous run's as `before` and sends it back in its own HEARTBEATs.
// An engine that created a partition empty at this start and hears that
// it held executions in its previous run warns once: its data folder was
// lost or replaced. Nothing is stored: an engine that restarts forgets.
// Thread rule: the engine loop's thread.
#include "eng_peer_hb.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "eng_clock.h"
#include "sr_log.h"

// What this engine knows of one peer.
typedef struct {
    int64_t heard_ms;   // when it was last heard from; 0 = not since start
    bool is_down;       // known down: silent for the expiry time
    int64_t run;        // its HEARTBEAT.run; 0 = not heard
    sr_value_t *seen;   // owned: its partitions as its last HEARTBEAT said
    sr_value_t *before; // owned: the same, as last said in its previous run
} eng_peer_seen_t;

struct eng_peer_hb {
    const eng_config_t *cfg;  // borrowed, complete
    const eng_parts_t *parts; // borrowed
    eng_peer_seen_t *peers;   // owned; cfg->npeers
    int64_t run;              // drawn once; tells the peers of a restart
    int64_t next_ms;          // when the peers get the next HEARTBEAT
    int64_t started_ms;       // when the loop started
    bool *loss_told;          // owned, per partition held: a peer's word
                              // that it held executions was logged
};

// The partitions this engine holds, as its HEARTBEAT tells the peers; NULL
// when out of memory.
static sr_value_t *
s_parts(const eng_peer_hb_t *self)
{
    const eng_parts_t *parts = self->parts;
    sr_value_t *list = sr_value_new_array(eng_parts_count(parts));
    for (size_t i = 0; list && i < eng_parts_count(parts); i++) {
        store_counts_t count;
        sr_error_t e;
        if (store_part_counts(eng_parts_store(parts, i), &count, &e))
            continue; // said nothing of, rather than something wrong
        sr_value_t *m = sr_value_new_map(3);
        if (sr_value_map_put(m, "partition",
                             sr_value_new_int(eng_parts_number(parts, i))) ||
            sr_value_map_put(
                m, "epoch",
                sr_value_new_int((int64_t)eng_parts_epoch(parts, i))) ||
            sr_value_map_put(m, "executions",
                             sr_value_new_int((int64_t)count.execs))) {
            sr_value_destroy(&m);
            sr_value_destroy(&list);
        } else if (sr_value_array_append(list, m)) // takes m
            sr_value_destroy(&list);
    }
    return list;
}

// Peer `p` says what its partitions held in this engine's previous run:
// warn about those created empty at this start that held executions.
static void
s_check_before(eng_peer_hb_t *self, size_t peer, const sr_value_t *before)
{
    for (size_t k = 0; k < sr_value_len(before); k++) {
        const sr_value_t *b = sr_value_array_at(before, k);
        int64_t number = -1, epoch = 0, count = 0;
        sr_value_map_int(b, "partition", &number);
        sr_value_map_int(b, "epoch", &epoch);
        sr_value_map_int(b, "executions", &count);
        size_t i = 0;
        if (number < 0 || number > UINT16_MAX ||
            !eng_parts_find(self->parts, (uint16_t)number, &i) ||
            !eng_parts_is_created(self->parts, i) || self->loss_told[i] ||
            count <= 0)
            continue;
        self->loss_told[i] = true;
        sr_warn("partition %u: created empty at start, but engine %s saw "
                "%lld executions in it (epoch %lld) before this engine "
                "restarted: its data folder was lost or replaced, and those "
                "executions with it",
                (unsigned)number, self->cfg->peers[peer].name, (long long)count,
                (long long)epoch);
    }
}

eng_peer_hb_t *
eng_peer_hb_new(const eng_config_t *cfg, const eng_parts_t *parts)
{
    eng_peer_hb_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->parts = parts;
    // Room for the peers and copies a newer cluster map may bring.
    self->peers = calloc(ENG_MAX_PEERS + 1, sizeof *self->peers);
    self->loss_told = calloc(ENG_MAX_PARTITIONS + 1, sizeof(bool));
    if (!self->peers || !self->loss_told)
        eng_peer_hb_destroy(&self);
    return self;
}

void
eng_peer_hb_destroy(eng_peer_hb_t **self_p)
{
    eng_peer_hb_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; self->peers && i < self->cfg->npeers; i++) {
        sr_value_destroy(&self->peers[i].seen);
        sr_value_destroy(&self->peers[i].before);
    }
    free(self->peers);
    free(self->loss_told);
    free(self);
    *self_p = NULL;
}

void
eng_peer_hb_start(eng_peer_hb_t *self, int64_t now_ms)
{
    self->started_ms = now_ms;
}

// Every peer gets the same HEARTBEAT, each with what that peer said of
// its own partitions in its previous run (eng_peer_hb_address). One that
// is not connected gets none: ZMQ drops it at once (ZMQ_IMMEDIATE), and
// its silence tells the rest.
sr_msg_t *
eng_peer_hb_due(eng_peer_hb_t *self, int64_t now_ms)
{
    while (self->run <= 0) { // drawn once; to a peer, 0 is "not heard"
        randombytes_buf(&self->run, sizeof self->run);
        self->run &= INT64_MAX;
    }
    if (now_ms < self->next_ms)
        return NULL;
    self->next_ms = now_ms + self->cfg->heartbeat_ms;
    sr_msg_t *m = sr_msg_new(SR_MSG_HEARTBEAT);
    if (!m || sr_msg_set_int(m, SR_F_HEARTBEAT_sent_ms, now_ms) ||
        sr_msg_set_str(m, SR_F_HEARTBEAT_name, self->cfg->name) ||
        sr_msg_set_int(m, SR_F_HEARTBEAT_run, self->run) ||
        sr_msg_set(m, SR_F_HEARTBEAT_partitions, s_parts(self)))
        sr_msg_destroy(&m);
    return m;
}

sr_err_t
eng_peer_hb_address(const eng_peer_hb_t *self, size_t i, sr_msg_t *heartbeat)
{
    sr_value_t *before = self->peers[i].before;
    return sr_msg_set(heartbeat, SR_F_HEARTBEAT_before,
                      before ? sr_value_ref(before) : sr_value_new_nil());
}

bool
eng_peer_hb_check_down(eng_peer_hb_t *self, size_t i, int64_t now_ms)
{
    eng_peer_seen_t *p = &self->peers[i];
    int64_t silent = eng_peer_hb_silent_ms(self, i, now_ms);
    if (p->is_down || silent <= self->cfg->expiry_ms)
        return false;
    p->is_down = true;
    sr_warn("engine %s is down (nothing heard from it for %lld ms): "
            "requests for its partitions get EUNAVAIL",
            self->cfg->peers[i].name, (long long)silent);
    return true;
}

void
eng_peer_hb_touch(eng_peer_hb_t *self, size_t i, int64_t now_ms)
{
    eng_peer_seen_t *p = &self->peers[i];
    p->heard_ms = now_ms;
    if (p->is_down) {
        p->is_down = false;
        sr_info("engine %s is up again", self->cfg->peers[i].name);
    }
}

void
eng_peer_hb_heard(eng_peer_hb_t *self, sr_wire_in_t *in, int64_t now_ms)
{
    const char *name = (const char *)in->peer.id + 5; // after "peer:"
    size_t len = in->peer.len - 5, i = 0, n = self->cfg->npeers;
    while (i < n && (strlen(self->cfg->peers[i].name) != len ||
                     memcmp(self->cfg->peers[i].name, name, len) != 0))
        i++;
    if (i == n)
        return;
    eng_peer_seen_t *p = &self->peers[i];
    eng_peer_hb_touch(self, i, now_ms);
    int64_t run = sr_msg_int(in->msg, SR_F_HEARTBEAT_run, 0);
    if (run && run != p->run) { // a restart: keep what its last run said
        if (p->run) {
            sr_value_destroy(&p->before);
            p->before = p->seen;
            p->seen = NULL;
        }
        p->run = run;
    }
    if (sr_msg_has(in->msg, SR_F_HEARTBEAT_partitions)) {
        sr_value_destroy(&p->seen);
        p->seen = sr_msg_take(in->msg, SR_F_HEARTBEAT_partitions);
    }
    s_check_before(self, i, sr_msg_get(in->msg, SR_F_HEARTBEAT_before));
}

bool
eng_peer_hb_is_down(const eng_peer_hb_t *self, size_t i)
{
    return self->peers[i].is_down;
}

int64_t
eng_peer_hb_silent_ms(const eng_peer_hb_t *self, size_t i, int64_t now_ms)
{
    int64_t heard = self->peers[i].heard_ms;
    return now_ms - (heard ? heard : self->started_ms);
}

const char *
eng_peer_hb_state(const eng_peer_hb_t *self, size_t i)
{
    if (self->peers[i].is_down)
        return "down";
    return self->peers[i].heard_ms ? "up" : "unknown";
}
