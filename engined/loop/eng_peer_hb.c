// Heartbeats between the engines of a cluster: which peers are down, and
// which partitions held executions before a restart.
//
// Every heartbeat interval an engine sends each peer a HEARTBEAT over the
// DEALER it forwards on (the peer's client endpoint takes it); any message
// from a peer counts as hearing it. A peer silent for the expiry time (or
// not heard at all within the expiry time after this engine started) is
// known down: requests for its partitions get EUNAVAIL at once and those
// waiting for it are answered so (eng_peer.c). It is up again as soon as
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
#include <sodium.h>
#include <string.h>

#include "eng_internal.h"
#include "sr_log.h"

// The partitions this engine holds, as its HEARTBEAT tells the peers; NULL
// when out of memory.
static sr_value_t *
s_parts(const eng_t *eng)
{
    const eng_parts_t *parts = eng->parts;
    sr_value_t *list = sr_value_new_array(eng_parts_count(parts));
    for (size_t i = 0; list && i < eng_parts_count(parts); i++) {
        size_t count = 0;
        sr_error_t e;
        if (store_part_count(eng_parts_store(parts, i), STORE_DB_EXEC, &count,
                             &e))
            continue; // said nothing of, rather than something wrong
        sr_value_t *m = sr_value_new_map(3);
        if (sr_value_map_put(m, "partition",
                             sr_value_new_int(eng_parts_number(parts, i))) ||
            sr_value_map_put(
                m, "epoch",
                sr_value_new_int((int64_t)eng_parts_epoch(parts, i))) ||
            sr_value_map_put(m, "executions",
                             sr_value_new_int((int64_t)count))) {
            sr_value_destroy(&m);
            sr_value_destroy(&list);
        } else if (sr_value_array_append(list, m)) // takes m
            sr_value_destroy(&list);
    }
    return list;
}

// Send HEARTBEAT to every peer, each with what that peer said of its own
// partitions in its previous run. One that is not connected gets none: ZMQ
// drops it at once (ZMQ_IMMEDIATE), and its silence tells the rest.
static void
s_send(eng_t *eng, int64_t now)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_HEARTBEAT);
    if (!m || sr_msg_set_int(m, SR_F_HEARTBEAT_sent_ms, now) ||
        sr_msg_set_str(m, SR_F_HEARTBEAT_name, eng->name) ||
        sr_msg_set_int(m, SR_F_HEARTBEAT_run, eng->run) ||
        sr_msg_set(m, SR_F_HEARTBEAT_partitions, s_parts(eng))) {
        sr_msg_destroy(&m);
        return;
    }
    for (size_t i = 0; i < eng->npeers; i++) {
        sr_value_t *before = eng->peers[i].before;
        sr_error_t e;
        if (!sr_msg_set(m, SR_F_HEARTBEAT_before,
                        before ? sr_value_ref(before) : sr_value_new_nil()))
            (void)sr_wire_send(eng->peers[i].sock, NULL, m, &e);
    }
    sr_msg_destroy(&m);
}

// Peer `p` says what its partitions held in this engine's previous run:
// warn about those created empty at this start that held executions.
static void
s_check_before(eng_t *eng, const eng_peer_t *p, const sr_value_t *before)
{
    for (size_t k = 0; k < sr_value_len(before); k++) {
        const sr_value_t *b = sr_value_array_at(before, k);
        int64_t number = -1, epoch = 0, count = 0;
        sr_value_map_int(b, "partition", &number);
        sr_value_map_int(b, "epoch", &epoch);
        sr_value_map_int(b, "executions", &count);
        size_t i = 0;
        if (number < 0 || number > UINT16_MAX ||
            !eng_parts_find(eng->parts, (uint16_t)number, &i) ||
            !eng_parts_is_created(eng->parts, i) || eng->loss_told[i] ||
            count <= 0)
            continue;
        eng->loss_told[i] = true;
        sr_warn("partition %u: created empty at start, but engine %s saw "
                "%lld executions in it (epoch %lld) before this engine "
                "restarted: its data folder was lost or replaced, and those "
                "executions with it",
                (unsigned)number, p->name, (long long)count, (long long)epoch);
    }
}

void
eng_peers_heartbeat(eng_t *eng, int64_t now)
{
    if (!eng->npeers)
        return;
    while (eng->run <= 0) { // drawn once; to a peer, 0 is "not heard"
        randombytes_buf(&eng->run, sizeof eng->run);
        eng->run &= INT64_MAX;
    }
    if (now >= eng->next_peer_hb) {
        s_send(eng, now);
        eng->next_peer_hb = now + eng->cfg.heartbeat_ms;
    }
    for (size_t i = 0; i < eng->npeers; i++) {
        eng_peer_t *p = &eng->peers[i];
        int64_t silent = eng_peer_silent_ms(eng, i, now);
        if (p->is_down || silent <= eng->cfg.expiry_ms)
            continue;
        p->is_down = true;
        sr_warn("engine %s is down (nothing heard from it for %lld ms): "
                "requests for its partitions get EUNAVAIL",
                p->name, (long long)silent);
        eng_peer_fail_pending(eng, i);
    }
}

void
eng_peer_touch(eng_t *eng, size_t i, int64_t now)
{
    eng_peer_t *p = &eng->peers[i];
    p->heard_ms = now;
    if (p->is_down) {
        p->is_down = false;
        sr_info("engine %s is up again", p->name);
    }
}

void
eng_peer_heard(eng_t *eng, sr_wire_in_t *in)
{
    const char *name = (const char *)in->peer.id + 5; // after "peer:"
    size_t len = in->peer.len - 5, i = 0;
    while (i < eng->npeers && (strlen(eng->peers[i].name) != len ||
                               memcmp(eng->peers[i].name, name, len) != 0))
        i++;
    if (i == eng->npeers)
        return;
    eng_peer_t *p = &eng->peers[i];
    eng_peer_touch(eng, i, eng_now_ms());
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
    s_check_before(eng, p, sr_msg_get(in->msg, SR_F_HEARTBEAT_before));
}

int64_t
eng_peer_silent_ms(const eng_t *eng, size_t i, int64_t now)
{
    int64_t heard = eng->peers[i].heard_ms;
    return now - (heard ? heard : eng->started_ms);
}

const char *
eng_peer_state(const eng_t *eng, size_t i)
{
    if (eng->peers[i].is_down)
        return "down";
    return eng->peers[i].heard_ms ? "up" : "unknown";
}
