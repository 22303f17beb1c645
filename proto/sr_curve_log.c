// Refusal lines with repeats summed up: a small table of the peers logged
// lately (evicting the oldest) and a counter. Owns nothing but the table;
// writes through sr_log. The count is atomic so that other threads may
// read it while the logging thread writes.
#include "sr_curve_log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_log.h"

typedef struct {
    char key[256];
    int64_t logged_ms; // when last logged
    uint64_t repeats;  // refusals since, not logged
    bool is_used;
} s_peer_t;

struct sr_curve_log {
    int64_t quiet_ms;
    _Atomic uint64_t count;
    s_peer_t peers[SR_CURVE_LOG_PEERS];
};

sr_curve_log_t *
sr_curve_log_new(int64_t quiet_ms)
{
    sr_curve_log_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->quiet_ms = quiet_ms;
    atomic_init(&self->count, 0);
    return self;
}

void
sr_curve_log_destroy(sr_curve_log_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free(*self_p);
    *self_p = NULL;
}

// The entry of `key`, or a free one, or the one logged longest ago.
static s_peer_t *
s_peer(sr_curve_log_t *self, const char *key, bool *is_new)
{
    s_peer_t *pick = NULL;
    for (size_t i = 0; i < SR_CURVE_LOG_PEERS; i++) {
        s_peer_t *p = &self->peers[i];
        if (p->is_used && strcmp(p->key, key) == 0) {
            *is_new = false;
            return p;
        }
        if (!pick ||
            (pick->is_used && (!p->is_used || p->logged_ms < pick->logged_ms)))
            pick = p;
    }
    *is_new = true;
    snprintf(pick->key, sizeof pick->key, "%s", key);
    pick->repeats = 0;
    pick->is_used = true;
    return pick;
}

bool
sr_curve_log_refusal(sr_curve_log_t *self, int64_t now_ms,
                     const char *repeat_key, const char *text)
{
    atomic_fetch_add(&self->count, 1);
    bool is_new = false;
    s_peer_t *p = s_peer(self, repeat_key, &is_new);
    if (!is_new && now_ms - p->logged_ms < self->quiet_ms) {
        p->repeats++;
        return false;
    }
    if (p->repeats)
        sr_warn("curve: refused %s repeats=%llu in=%llds", text,
                (unsigned long long)p->repeats,
                (long long)((now_ms - p->logged_ms) / 1000));
    else
        sr_warn("curve: refused %s", text);
    p->logged_ms = now_ms;
    p->repeats = 0;
    return true;
}

uint64_t
sr_curve_log_count(const sr_curve_log_t *self)
{
    return atomic_load(&((sr_curve_log_t *)self)->count);
}
