/* A fake engine for tests: a czmq actor thread with a ROUTER socket that
 * decodes client requests, applies the test's rules (answer with an
 * ERROR, stay silent, hold answers back) and otherwise lets sr_fake_store
 * answer. It records how many requests of each type came and the last of
 * each. Test support only: one client session model, no persistence.
 * Thread rule: the test thread and the actor share state under `lock`.
 */
#include "sr_fake_engine.h"

#include <czmq.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sr_fake_store.h"
#include "sr_msg_codec.h"
#include "sr_wire.h"

#define S_TYPES    256 // message ids are one byte
#define S_HELD_MAX 64

enum { S_ANSWER = 0, S_FAIL, S_MUTE };

typedef struct {
    int mode;     // S_ANSWER, S_FAIL, S_MUTE
    bool is_bare; // S_FAIL without req_id
    sr_err_t code;
    char message[256];
    char field[48]; // fits "field '...'" in sr_error_t.where
} s_rule_t;

typedef struct {
    sr_wire_peer_t peer;
    sr_msg_t *msg; // owned
} s_held_t;

struct sr_fake_engine {
    char endpoint[256];
    zactor_t *actor;
    pthread_mutex_t lock; // guards everything below
    sr_fake_store_t *store;
    s_rule_t rules[S_TYPES]; // [SR_MSG_NONE] applies to every type
    size_t counts[S_TYPES];
    char *last[S_TYPES]; // encoded copies, owned
    size_t last_len[S_TYPES];
    bool is_holding;
    s_held_t held[S_HELD_MAX];
    size_t nheld;
    bool is_bound;
    zsock_t *router; // the actor's
};

// --- the actor ----------------------------------------------------------

static void
s_send(const sr_wire_peer_t *peer, sr_msg_t **m, void *arg)
{
    sr_fake_engine_t *fe = arg;
    if (!*m)
        return;
    if (sr_msg_type(*m) == SR_MSG_EVENT &&
        fe->rules[SR_MSG_EVENT].mode == S_MUTE) { // events lost
        sr_msg_destroy(m);
        return;
    }
    if (fe->is_holding && fe->nheld < S_HELD_MAX) {
        fe->held[fe->nheld].peer = *peer;
        fe->held[fe->nheld++].msg = *m;
        *m = NULL;
        return;
    }
    sr_error_t err;
    sr_wire_send(fe->router, peer, *m, &err);
    sr_msg_destroy(m);
}

static void
s_record(sr_fake_engine_t *fe, const sr_wire_in_t *in)
{
    unsigned t = (unsigned)in->type % S_TYPES;
    fe->counts[t]++;
    if (!in->msg)
        return;
    char *buf = NULL;
    size_t len = 0;
    sr_error_t err;
    if (sr_msg_encode(in->msg, &buf, &len, &err) != SR_OK)
        return;
    free(fe->last[t]);
    fe->last[t] = buf;
    fe->last_len[t] = len;
}

static const s_rule_t *
s_rule(const sr_fake_engine_t *fe, sr_msg_type_t type)
{
    const s_rule_t *r = &fe->rules[(unsigned)type % S_TYPES];
    return r->mode != S_ANSWER ? r : &fe->rules[SR_MSG_NONE];
}

static void
s_answer(sr_fake_engine_t *fe, sr_wire_in_t *in, sr_err_t rc,
         const sr_error_t *cause)
{
    s_record(fe, in);
    if (rc != SR_OK) {
        sr_error_t err;
        sr_wire_reply_error(fe->router, in, cause, &err);
        return;
    }
    const s_rule_t *r = s_rule(fe, in->type);
    bool is_request = sr_msg_req_id(in->msg) >= 0;
    if (!is_request || r->mode == S_ANSWER) {
        sr_fake_store_handle(fe->store, &in->peer, in->msg, s_send, fe);
    } else if (r->mode == S_FAIL) {
        sr_error_t e;
        sr_error_set(&e, r->code, "%s", r->message);
        if (r->field[0])
            snprintf(e.where, sizeof e.where, "field '%s'", r->field);
        sr_msg_t *m = sr_msg_error_new(&e, r->is_bare ? -1 : in->req_id);
        s_send(&in->peer, &m, fe);
    }
}

static void
s_drain(sr_fake_engine_t *fe)
{
    for (;;) {
        sr_wire_in_t in;
        sr_error_t cause;
        sr_err_t rc = sr_wire_recv(fe->router, 0, NULL, &in, &cause);
        if (rc == SR_ETIMEDOUT || rc == SR_EIO) {
            sr_wire_in_fini(&in);
            return;
        }
        pthread_mutex_lock(&fe->lock);
        s_answer(fe, &in, rc, &cause);
        pthread_mutex_unlock(&fe->lock);
        sr_wire_in_fini(&in);
    }
}

static void
s_release(sr_fake_engine_t *fe)
{
    pthread_mutex_lock(&fe->lock);
    fe->is_holding = false;
    for (size_t i = 0; i < fe->nheld; i++)
        s_send(&fe->held[i].peer, &fe->held[i].msg, fe);
    fe->nheld = 0;
    pthread_mutex_unlock(&fe->lock);
}

static void
s_actor(zsock_t *pipe, void *arg)
{
    sr_fake_engine_t *fe = arg;
    fe->router = zsock_new(ZMQ_ROUTER);
    zsock_set_linger(fe->router, 0);
    pthread_mutex_lock(&fe->lock);
    fe->is_bound = zsock_bind(fe->router, "%s", fe->endpoint) == 0;
    pthread_mutex_unlock(&fe->lock);
    zpoller_t *poller = zpoller_new(pipe, fe->router, NULL);
    zsock_signal(pipe, 0);
    while (fe->is_bound) {
        void *which = zpoller_wait(poller, -1);
        if (which == fe->router) {
            s_drain(fe);
            continue;
        }
        char *cmd = which == pipe ? zstr_recv(pipe) : NULL;
        bool is_term = !cmd || strcmp(cmd, "$TERM") == 0;
        if (cmd && strcmp(cmd, "RELEASE") == 0) {
            s_release(fe);
            zsock_signal(pipe, 0);
        }
        zstr_free(&cmd);
        if (is_term)
            break;
    }
    if (!fe->is_bound) { // wait for $TERM
        char *term = zstr_recv(pipe);
        zstr_free(&term);
    }
    zpoller_destroy(&poller);
    zsock_destroy(&fe->router);
}

// --- the test's side ----------------------------------------------------

sr_fake_engine_t *
sr_fake_engine_new(const char *name, const char *endpoint,
                   const uint16_t *parts, size_t n)
{
    sr_fake_engine_t *fe = calloc(1, sizeof *fe);
    if (!fe)
        return NULL;
    snprintf(fe->endpoint, sizeof fe->endpoint, "%s", endpoint);
    pthread_mutex_init(&fe->lock, NULL);
    fe->store = sr_fake_store_new(name, endpoint);
    if (fe->store) {
        sr_fake_store_set_partitions(fe->store, parts, n);
        fe->actor = zactor_new(s_actor, fe);
    }
    pthread_mutex_lock(&fe->lock);
    bool ok = fe->actor && fe->is_bound;
    pthread_mutex_unlock(&fe->lock);
    if (!ok)
        sr_fake_engine_destroy(&fe);
    return fe;
}

void
sr_fake_engine_destroy(sr_fake_engine_t **fe_p)
{
    if (!fe_p || !*fe_p)
        return;
    sr_fake_engine_t *fe = *fe_p;
    zactor_destroy(&fe->actor);
    for (size_t i = 0; i < fe->nheld; i++)
        sr_msg_destroy(&fe->held[i].msg);
    for (size_t t = 0; t < S_TYPES; t++)
        free(fe->last[t]);
    sr_fake_store_destroy(&fe->store);
    pthread_mutex_destroy(&fe->lock);
    free(fe);
    *fe_p = NULL;
}

static void
s_fail(sr_fake_engine_t *fe, sr_msg_type_t type, sr_err_t code,
       const char *message, const char *field, bool is_bare)
{
    pthread_mutex_lock(&fe->lock);
    s_rule_t *r = &fe->rules[(unsigned)type % S_TYPES];
    r->mode = S_FAIL;
    r->is_bare = is_bare;
    r->code = code;
    snprintf(r->message, sizeof r->message, "%s", message);
    snprintf(r->field, sizeof r->field, "%s", field ? field : "");
    pthread_mutex_unlock(&fe->lock);
}

void
sr_fake_engine_fail(sr_fake_engine_t *fe, sr_msg_type_t type, sr_err_t code,
                    const char *message, const char *field)
{
    s_fail(fe, type, code, message, field, false);
}

void
sr_fake_engine_fail_bare(sr_fake_engine_t *fe, sr_msg_type_t type,
                         sr_err_t code, const char *message)
{
    s_fail(fe, type, code, message, NULL, true);
}

void
sr_fake_engine_mute(sr_fake_engine_t *fe, sr_msg_type_t type)
{
    pthread_mutex_lock(&fe->lock);
    fe->rules[(unsigned)type % S_TYPES].mode = S_MUTE;
    pthread_mutex_unlock(&fe->lock);
}

void
sr_fake_engine_reset(sr_fake_engine_t *fe)
{
    pthread_mutex_lock(&fe->lock);
    memset(fe->rules, 0, sizeof fe->rules);
    pthread_mutex_unlock(&fe->lock);
}

void
sr_fake_engine_hold(sr_fake_engine_t *fe)
{
    pthread_mutex_lock(&fe->lock);
    fe->is_holding = true;
    pthread_mutex_unlock(&fe->lock);
}

void
sr_fake_engine_release(sr_fake_engine_t *fe)
{
    zstr_send(fe->actor, "RELEASE");
    zsock_wait(fe->actor);
}

void
sr_fake_engine_set_before_1_5(sr_fake_engine_t *fe, bool is_before_1_5)
{
    pthread_mutex_lock(&fe->lock);
    sr_fake_store_set_before_1_5(fe->store, is_before_1_5);
    pthread_mutex_unlock(&fe->lock);
}

void
sr_fake_engine_set_partitions(sr_fake_engine_t *fe, const uint16_t *parts,
                              size_t n)
{
    pthread_mutex_lock(&fe->lock);
    sr_fake_store_set_partitions(fe->store, parts, n);
    pthread_mutex_unlock(&fe->lock);
}

void
sr_fake_engine_set_epoch(sr_fake_engine_t *fe, int64_t epoch)
{
    pthread_mutex_lock(&fe->lock);
    sr_fake_store_set_epoch(fe->store, epoch);
    pthread_mutex_unlock(&fe->lock);
}

void
sr_fake_engine_set_cluster(sr_fake_engine_t *fe, const char *members,
                           const uint16_t *parts, size_t n)
{
    pthread_mutex_lock(&fe->lock);
    sr_fake_store_set_cluster(fe->store, members, parts, n);
    pthread_mutex_unlock(&fe->lock);
}

void
sr_fake_engine_add_execution(sr_fake_engine_t *fe, const sr_id_t *id,
                             const char *workflow, const char *state)
{
    pthread_mutex_lock(&fe->lock);
    sr_fake_store_add_execution(fe->store, id, workflow, state);
    pthread_mutex_unlock(&fe->lock);
}

void
sr_fake_engine_add_task(sr_fake_engine_t *fe, const sr_id_t *id,
                        const char *name, const char *state)
{
    pthread_mutex_lock(&fe->lock);
    sr_fake_store_add_task(fe->store, id, name, state);
    pthread_mutex_unlock(&fe->lock);
}

void
sr_fake_engine_add_action(sr_fake_engine_t *fe, const char *key)
{
    pthread_mutex_lock(&fe->lock);
    sr_fake_store_add_action(fe->store, key);
    pthread_mutex_unlock(&fe->lock);
}

void
sr_fake_engine_add_event(sr_fake_engine_t *fe, const sr_id_t *id,
                         const char *kind, const char *name, const char *state)
{
    pthread_mutex_lock(&fe->lock);
    sr_fake_store_add_event(fe->store, id, kind, name, state);
    pthread_mutex_unlock(&fe->lock);
}

size_t
sr_fake_engine_count(sr_fake_engine_t *fe, sr_msg_type_t type)
{
    size_t n = 0;
    pthread_mutex_lock(&fe->lock);
    for (size_t t = 0; t < S_TYPES; t++)
        if (type == SR_MSG_NONE || t == (unsigned)type)
            n += fe->counts[t];
    pthread_mutex_unlock(&fe->lock);
    return n;
}

sr_msg_t *
sr_fake_engine_last(sr_fake_engine_t *fe, sr_msg_type_t type)
{
    sr_msg_t *m = NULL;
    sr_error_t err;
    pthread_mutex_lock(&fe->lock);
    unsigned t = (unsigned)type % S_TYPES;
    if (fe->last[t])
        sr_msg_decode(fe->last[t], fe->last_len[t], NULL, &m, &err);
    pthread_mutex_unlock(&fe->lock);
    return m;
}

sr_value_t *
sr_fake_engine_execution(sr_fake_engine_t *fe, const sr_id_t *id)
{
    pthread_mutex_lock(&fe->lock);
    sr_value_t *ex = sr_fake_store_execution(fe->store, id);
    pthread_mutex_unlock(&fe->lock);
    return ex;
}
