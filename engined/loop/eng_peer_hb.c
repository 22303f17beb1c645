// Heartbeats between the engines of a cluster, and which peers are down.
// Every heartbeat interval an engine sends each peer a HEARTBEAT over the
// DEALER it forwards on (the peer's client endpoint takes it); any message
// from a peer counts as hearing it. A peer silent for the expiry time (or
// not heard at all within the expiry time after this engine started) is
// known down: requests for its partitions get EUNAVAIL at once and those
// waiting for it are answered so (eng_peer.c). It is up again as soon as
// it is heard. Thread rule: the engine loop's thread.
#include <string.h>

#include "eng_internal.h"
#include "sr_log.h"

// Send HEARTBEAT to every peer. One that is not connected gets none: ZMQ
// drops it at once (ZMQ_IMMEDIATE), and its silence tells the rest.
static void
s_send(eng_t *eng, int64_t now)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_HEARTBEAT);
    if (!m || sr_msg_set_int(m, SR_F_HEARTBEAT_sent_ms, now) ||
        sr_msg_set_str(m, SR_F_HEARTBEAT_name, eng->name)) {
        sr_msg_destroy(&m);
        return;
    }
    for (size_t i = 0; i < eng->npeers; i++) {
        sr_error_t e;
        (void)sr_wire_send(eng->peers[i].sock, NULL, m, &e);
    }
    sr_msg_destroy(&m);
}

void
eng_peers_heartbeat(eng_t *eng, int64_t now)
{
    if (!eng->npeers)
        return;
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
eng_peer_heard(eng_t *eng, const sr_wire_in_t *in)
{
    const char *name = (const char *)in->peer.id + 5; // after "peer:"
    size_t len = in->peer.len - 5;
    for (size_t i = 0; i < eng->npeers; i++)
        if (strlen(eng->peers[i].name) == len &&
            memcmp(eng->peers[i].name, name, len) == 0) {
            eng_peer_touch(eng, i, eng_now_ms());
            return;
        }
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
