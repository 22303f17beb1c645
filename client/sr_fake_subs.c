/* Subscribers of a fake engine and the EVENTs they get: state changes
 * the store makes, and events a test scripted, played after the
 * subscriber's next request so that a watch reads the state first.
 * Test support only. Thread rule: one thread at a time.
 */
#include "sr_fake_subs.h"

#include <stdlib.h>
#include <string.h>

#include "sr_body.h"

#define S_SUBS_MAX 16

typedef struct {
    sr_wire_peer_t peer;
    bool is_all;     // every execution
    sr_id_t id;      // else this one
    bool has_script; // scripted events still to play
    bool is_due;     // play them after the current request
} s_sub_t;

struct sr_fake_subs {
    s_sub_t subs[S_SUBS_MAX];
    size_t n;
    sr_value_t *script; // id text -> array of {kind, name, state}
};

sr_fake_subs_t *
sr_fake_subs_new(void)
{
    sr_fake_subs_t *subs = calloc(1, sizeof *subs);
    if (subs && !(subs->script = sr_value_new_map(4)))
        sr_fake_subs_destroy(&subs);
    return subs;
}

void
sr_fake_subs_destroy(sr_fake_subs_t **subs_p)
{
    if (!subs_p || !*subs_p)
        return;
    sr_value_destroy(&(*subs_p)->script);
    free(*subs_p);
    *subs_p = NULL;
}

bool
sr_fake_subs_add(sr_fake_subs_t *subs, const sr_wire_peer_t *peer,
                 const sr_id_t *id)
{
    for (size_t i = 0; i < subs->n; i++) { // asked again: kept once
        const s_sub_t *s = &subs->subs[i];
        if (sr_wire_peer_equal(&s->peer, peer) && s->is_all == !id &&
            (!id || sr_id_equal(&s->id, id)))
            return true;
    }
    if (subs->n == S_SUBS_MAX)
        return false;
    s_sub_t *s = &subs->subs[subs->n++];
    *s = (s_sub_t){.peer = *peer, .is_all = !id, .has_script = true};
    if (id)
        s->id = *id;
    return true;
}

size_t
sr_fake_subs_count(const sr_fake_subs_t *subs, const sr_wire_peer_t *peer)
{
    size_t n = 0;
    for (size_t i = 0; i < subs->n; i++)
        n += sr_wire_peer_equal(&subs->subs[i].peer, peer);
    return n;
}

void
sr_fake_subs_remove(sr_fake_subs_t *subs, const sr_wire_peer_t *peer)
{
    size_t kept = 0;
    for (size_t i = 0; i < subs->n; i++)
        if (!sr_wire_peer_equal(&subs->subs[i].peer, peer))
            subs->subs[kept++] = subs->subs[i];
    subs->n = kept;
}

void
sr_fake_subs_script(sr_fake_subs_t *subs, const sr_id_t *id, const char *kind,
                    const char *name, const char *state)
{
    char text[SR_ID_TEXT_SIZE];
    sr_id_format(id, text);
    if (!sr_value_map_has(subs->script, text))
        sr_value_map_put(subs->script, text, sr_value_new_array(4));
    sr_value_t *e = sr_value_new_map(3);
    sr_value_map_put(e, "kind", sr_value_new_str(kind));
    sr_value_map_put(e, "name", sr_value_new_str(name));
    sr_value_map_put(e, "state", sr_value_new_str(state));
    sr_value_array_append(sr_value_map_get(subs->script, text), e);
}

static void
s_send(const sr_wire_peer_t *peer, const sr_id_t *id, const char *kind,
       const char *name, const char *state, const char *info,
       const sr_fake_out_t *out)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_EVENT);
    sr_msg_set_id(m, SR_F_EVENT_execution_id, id);
    sr_msg_set_str(m, SR_F_EVENT_kind, kind);
    if (name)
        sr_msg_set_str(m, SR_F_EVENT_name, name);
    sr_msg_set_str(m, SR_F_EVENT_state, state);
    if (info)
        sr_msg_set_str(m, SR_F_EVENT_state_info, info);
    sr_msg_set_int(m, SR_F_EVENT_time_ms, ++*out->clock);
    out->send(peer, &m, out->arg);
}

void
sr_fake_subs_emit(sr_fake_subs_t *subs, const sr_id_t *id, const char *kind,
                  const char *name, const char *state, const char *info,
                  const sr_fake_out_t *out)
{
    for (size_t i = 0; i < subs->n; i++) {
        const s_sub_t *s = &subs->subs[i];
        if (s->is_all || sr_id_equal(&s->id, id))
            s_send(&s->peer, id, kind, name, state, info, out);
    }
}

void
sr_fake_subs_arm(sr_fake_subs_t *subs, const sr_wire_peer_t *peer)
{
    for (size_t i = 0; i < subs->n; i++)
        subs->subs[i].is_due = subs->subs[i].has_script &&
                               sr_wire_peer_equal(&subs->subs[i].peer, peer);
}

// Play the script of execution number `k` of the script to `s`.
static void
s_play_one(sr_fake_subs_t *subs, s_sub_t *s, size_t k, sr_value_t *executions,
           const sr_fake_out_t *out)
{
    sr_id_t id;
    const char *text = sr_value_str(sr_value_map_key(subs->script, k));
    sr_id_parse(text, &id);
    sr_value_t *ex = sr_value_map_get(executions, text);
    if (!ex || (!s->is_all && !sr_id_equal(&id, &s->id)))
        return;
    const sr_value_t *evs = sr_value_map_val(subs->script, k);
    for (size_t i = 0; i < sr_value_len(evs); i++) {
        const sr_value_t *e = sr_value_array_at(evs, i);
        const char *kind = sr_value_map_str(e, "kind");
        const char *state = sr_value_map_str(e, "state");
        if (strcmp(kind, "execution") == 0) // the story comes true
            sr_body_set(ex, SR_B_EXECUTION_state, sr_value_new_str(state));
        s_send(&s->peer, &id, kind, sr_value_map_str(e, "name"), state, NULL,
               out);
    }
}

void
sr_fake_subs_play(sr_fake_subs_t *subs, sr_value_t *executions,
                  const sr_fake_out_t *out)
{
    for (size_t i = 0; i < subs->n; i++) {
        s_sub_t *s = &subs->subs[i];
        if (!s->is_due)
            continue;
        s->is_due = s->has_script = false;
        for (size_t k = 0; k < sr_value_len(subs->script); k++)
            s_play_one(subs, s, k, executions, out);
    }
}
