// sirocco bench: throughput and latency of the engine, measured through
// the client protocol. By default it starts what it needs in this process
// (E engine nodes, W worker nodes over inproc://, LMDB in a temporary
// folder, durable group commit); with --cluster it drives running engines.
// It keeps a window of executions in flight, follows their events, and
// prints tasks/s, executions/s, start->finish latency percentiles, the
// engines' dispatch latency (task ready -> GO) and memory.
#include "cmd_bench.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_bench_setup.h"
#include "sr_hash.h"
#include "sr_msg.h"
#include "sr_value_json.h"
#include "sr_wire.h"

// Start time of each execution, in the order first heard of, indexed by
// id.
typedef struct {
    sr_id_t id;
    int64_t start_us;
    bool used, done; // used: start_us is known
} s_slot_t;

typedef struct {
    bench_opts_t o;
    bench_env_t env;
    zsock_t **socks; // one per engine
    size_t nsocks;
    s_slot_t *table;
    size_t cap, nslots;
    sr_hash_t index; // id -> position in table
    double *lat_ms;  // per finished execution
    size_t finished, failed, started, inflight;
    int64_t req;
    int64_t beat_us; // last HEARTBEAT sent
} s_bench_t;

static int64_t
s_now_us(void)
{
    return zclock_usecs();
}

static bool
s_id_is(const void *arg, size_t pos, const void *key, size_t len)
{
    (void)len;
    return sr_id_equal(&((const s_slot_t *)arg)[pos].id, key);
}

// The slot of execution `id` (a new one is not used yet); NULL when the
// table is full.
static s_slot_t *
s_slot(s_bench_t *b, const sr_id_t *id)
{
    uint32_t h = sr_hash_bytes(id->b, sizeof id->b);
    size_t at = sr_hash_find(&b->index, h, s_id_is, b->table, id, 0);
    if (at != SR_HASH_NONE)
        return &b->table[at];
    if (b->nslots == b->cap || sr_hash_add(&b->index, h, b->nslots))
        return NULL;
    b->table[b->nslots] = (s_slot_t){.id = *id};
    return &b->table[b->nslots++];
}

static int
s_send(s_bench_t *b, size_t e, sr_msg_t *m)
{
    sr_error_t err;
    sr_field_t f = sr_msg_field_find(sr_msg_type(m), "req_id", 6);
    int rc = sr_msg_set_int(m, f, ++b->req) ||
             sr_wire_send(b->socks[e], NULL, m, &err);
    sr_msg_destroy(&m);
    return rc ? CLI_FAILED : CLI_OK;
}

// Wait for the reply to the last request on engine e.
static sr_value_t *
s_reply(s_bench_t *b, size_t e)
{
    for (;;) {
        sr_wire_in_t in;
        sr_error_t err;
        if (sr_wire_recv(b->socks[e], 30000, NULL, &in, &err)) {
            fprintf(stderr, "sirocco bench: no reply: %s\n", err.msg);
            sr_wire_in_fini(&in);
            return NULL;
        }
        if (sr_msg_req_id(in.msg) == b->req) {
            sr_value_t *body = NULL;
            if (in.type == SR_MSG_REPLY)
                body = sr_msg_take(in.msg, SR_F_REPLY_body);
            else {
                sr_msg_to_error(in.msg, &err);
                fprintf(stderr, "sirocco bench: refused: %s\n", err.msg);
            }
            sr_wire_in_fini(&in);
            return body;
        }
        sr_wire_in_fini(&in);
    }
}

static int
s_call(s_bench_t *b, size_t e, sr_msg_t *m, sr_value_t **out)
{
    if (s_send(b, e, m))
        return CLI_FAILED;
    sr_value_t *body = s_reply(b, e);
    if (!body)
        return CLI_FAILED;
    if (out)
        *out = body;
    else
        sr_value_destroy(&body);
    return CLI_OK;
}

// A subscribed client must show signs of life, or the engine drops its
// subscription after the expiry time.
static void
s_heartbeat(s_bench_t *b)
{
    for (size_t e = 0; e < b->nsocks; e++) {
        sr_msg_t *m = sr_msg_new(SR_MSG_HEARTBEAT);
        sr_error_t err;
        if (m && !sr_msg_set_int(m, SR_F_HEARTBEAT_sent_ms, zclock_time()))
            (void)sr_wire_send(b->socks[e], NULL, m, &err);
        sr_msg_destroy(&m);
    }
}

static int
s_start_one(s_bench_t *b)
{
    size_t e = b->started % b->nsocks;
    sr_msg_t *m = sr_msg_new(SR_MSG_EX_START);
    if (!m || sr_msg_set_str(m, SR_F_EX_START_workflow, b->env.workflow))
        return CLI_FAILED;
    b->started++;
    b->inflight++;
    return s_send(b, e, m);
}

// One message from an engine: a start's reply (remember its time) or an
// execution's final event.
static void
s_take(s_bench_t *b, sr_wire_in_t *in, int64_t sent_us)
{
    if (in->type == SR_MSG_REPLY) {
        sr_value_t *body = sr_msg_get(in->msg, SR_F_REPLY_body);
        sr_id_t id;
        if (sr_id_from_value(sr_value_map_get(body, "id"), &id))
            return;
        s_slot_t *s = s_slot(b, &id);
        if (s && !s->used) { // the final event may have come first
            s->used = true;
            s->start_us = sent_us;
        }
        return;
    }
    if (in->type == SR_MSG_ERROR) {
        b->failed++;
        b->inflight--;
        return;
    }
    const char *kind = sr_msg_str(in->msg, SR_F_EVENT_kind);
    const char *state = sr_msg_str(in->msg, SR_F_EVENT_state);
    sr_id_t id;
    if (in->type != SR_MSG_EVENT || !kind || strcmp(kind, "execution") ||
        !sr_msg_id(in->msg, SR_F_EVENT_execution_id, &id) ||
        (strcmp(state, "SUCCESS") && strcmp(state, "ERROR") &&
         strcmp(state, "CANCELLED")))
        return;
    s_slot_t *s = s_slot(b, &id);
    if (!s || s->done)
        return;
    if (!s->used) { // finished before its start reply was read
        s->used = true;
        s->start_us = sent_us;
    }
    s->done = true;
    b->lat_ms[b->finished++] = (double)(s_now_us() - s->start_us) / 1000.0;
    b->failed += strcmp(state, "SUCCESS") != 0;
    b->inflight--;
}

static int
s_drive(s_bench_t *b)
{
    zpoller_t *poller = zpoller_new(NULL);
    for (size_t e = 0; e < b->nsocks; e++)
        zpoller_add(poller, b->socks[e]);
    size_t n = b->o.executions;
    int64_t last_progress = s_now_us();
    size_t last_finished = 0;
    while (b->finished < n && b->failed <= n) {
        while (b->started < n && b->inflight < b->o.window)
            if (s_start_one(b)) {
                fprintf(stderr, "sirocco bench: cannot send a start\n");
                zpoller_destroy(&poller);
                return CLI_FAILED;
            }
        zsock_t *s = zpoller_wait(poller, 200);
        int64_t now = s_now_us();
        if (now - b->beat_us > 1000000) { // keep the subscriptions alive
            s_heartbeat(b);
            b->beat_us = now;
        }
        for (size_t e = 0; s && e < b->nsocks; e++) {
            sr_wire_in_t in;
            sr_error_t err;
            for (int k = 0; k < 256; k++) {
                if (sr_wire_recv(b->socks[e], 0, NULL, &in, &err)) {
                    sr_wire_in_fini(&in);
                    break;
                }
                s_take(b, &in, now);
                sr_wire_in_fini(&in);
            }
        }
        if (b->finished != last_finished) {
            last_finished = b->finished;
            last_progress = now;
        } else if (now - last_progress > 60 * 1000000LL) {
            fprintf(stderr,
                    "sirocco bench: no progress for 60 s (%zu of "
                    "%zu finished)\n",
                    b->finished, n);
            zpoller_destroy(&poller);
            return CLI_FAILED;
        }
    }
    zpoller_destroy(&poller);
    return CLI_OK;
}

static int
s_cmp(const void *x, const void *y)
{
    double a = *(const double *)x, c = *(const double *)y;
    return (a > c) - (a < c);
}

static double
s_pct(const double *v, size_t n, double p)
{
    if (!n)
        return -1;
    size_t i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

static sr_value_t *
s_pair(double p50, double p99)
{
    sr_value_t *m = sr_value_new_map(2);
    if (m && (sr_value_map_put(m, "p50", sr_value_new_float(p50)) ||
              sr_value_map_put(m, "p99", sr_value_new_float(p99))))
        sr_value_destroy(&m);
    return m;
}

// The engines' own dispatch latency (the worst p50/p99 over engines).
static void
s_dispatch(s_bench_t *b, double *p50, double *p99)
{
    *p50 = *p99 = -1;
    for (size_t e = 0; e < b->nsocks; e++) {
        sr_value_t *st = NULL;
        if (s_call(b, e, sr_msg_new(SR_MSG_STATUS), &st))
            continue;
        sr_value_t *d = sr_value_map_get(st, "dispatch_ms");
        double a = sr_value_float(sr_value_map_get(d, "p50"));
        double c = sr_value_float(sr_value_map_get(d, "p99"));
        *p50 = a > *p50 ? a : *p50;
        *p99 = c > *p99 ? c : *p99;
        sr_value_destroy(&st);
    }
}

static int
s_report(s_bench_t *b, double secs)
{
    qsort(b->lat_ms, b->finished, sizeof *b->lat_ms, s_cmp);
    double d50, d99;
    s_dispatch(b, &d50, &d99);
    double tasks = (double)b->finished * (double)b->env.tasks_per_exec;
    sr_value_t *r = sr_value_new_map(12);
    sr_value_t *settings = bench_settings(&b->o, &b->env);
    double rss = bench_rss_mb(&b->env);
    if (!r || !settings ||
        sr_value_map_put(r, "tasks_per_s", sr_value_new_float(tasks / secs)) ||
        sr_value_map_put(r, "executions_per_s",
                         sr_value_new_float((double)b->finished / secs)) ||
        sr_value_map_put(r, "latency_ms",
                         s_pair(s_pct(b->lat_ms, b->finished, 50),
                                s_pct(b->lat_ms, b->finished, 99))) ||
        sr_value_map_put(r, "dispatch_ms", s_pair(d50, d99)) ||
        sr_value_map_put(r, "engine_rss_mb", sr_value_new_float(rss)) ||
        sr_value_map_put(r, "executions",
                         sr_value_new_int((int64_t)b->finished)) ||
        sr_value_map_put(r, "failed", sr_value_new_int((int64_t)b->failed)) ||
        sr_value_map_put(r, "seconds", sr_value_new_float(secs)) ||
        sr_value_map_put(r, "settings", sr_value_ref(settings))) {
        sr_value_destroy(&r);
        sr_value_destroy(&settings);
        return CLI_FAILED;
    }
    sr_value_destroy(&settings);
    char *text =
        sr_value_to_json(r, b->o.json ? SR_JSON_SPACED : SR_JSON_PRETTY);
    printf("%s\n", text ? text : "{}");
    free(text);
    sr_value_destroy(&r);
    return b->failed ? CLI_FAILED : CLI_OK;
}

// Execution events only: the bench needs to know when each one ends.
static int
s_subscribe(s_bench_t *b, size_t e)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_SUBSCRIBE);
    // The memory run counts its delegates' tasks starting.
    if (!m || sr_msg_set_bool(m, SR_F_SUBSCRIBE_tasks, b->env.waiting)) {
        sr_msg_destroy(&m);
        return CLI_FAILED;
    }
    return s_call(b, e, m, NULL);
}

int
cli_bench(int argc, char **argv)
{
    s_bench_t b = {0};
    int rc = bench_parse(argc, argv, &b.o);
    if (rc)
        return rc;
    if ((rc = bench_env_start(&b.o, &b.env)))
        return rc;
    b.nsocks = b.env.nendpoints;
    b.socks = calloc(b.nsocks, sizeof *b.socks);
    b.cap = b.o.executions * 2 + 1;
    b.table = calloc(b.cap, sizeof *b.table);
    b.lat_ms = calloc(b.o.executions + 1, sizeof *b.lat_ms);
    sr_hash_init(&b.index);
    rc = b.socks && b.table && b.lat_ms &&
                 sr_hash_reserve(&b.index, b.cap) == SR_OK
             ? CLI_OK
             : CLI_FAILED;
    for (size_t e = 0; !rc && e < b.nsocks; e++) {
        b.socks[e] = zsock_new(ZMQ_DEALER);
        sr_error_t err;
        if (b.socks[e] && b.env.curve &&
            sr_curve_apply_client(b.env.curve, b.socks[e], &err)) {
            fprintf(stderr, "sirocco bench: %s\n", err.msg);
            zsock_destroy(&b.socks[e]);
        }
        // The window bounds what is in flight; the socket must not drop
        // replies or events (a full pipe drops silently).
        if (b.socks[e]) {
            zsock_set_sndhwm(b.socks[e], 0);
            zsock_set_rcvhwm(b.socks[e], 0);
            if (zsock_connect(b.socks[e], "%s", b.env.endpoints[e]) == -1)
                zsock_destroy(&b.socks[e]);
        }
        sr_msg_t *m = sr_msg_new(SR_MSG_WF_CREATE);
        if (!b.socks[e] || !m ||
            sr_msg_set_str(m, SR_F_WF_CREATE_definition, b.env.definition) ||
            s_call(&b, e, m, NULL) || s_subscribe(&b, e))
            rc = CLI_FAILED;
    }
    int64_t t0 = s_now_us();
    if (!rc)
        rc = b.env.waiting ? bench_wait_run(&b.o, &b.env, b.socks, b.nsocks)
                           : s_drive(&b);
    double secs = (double)(s_now_us() - t0) / 1e6;
    if (!rc && !b.env.waiting)
        rc = s_report(&b, secs);
    for (size_t e = 0; e < b.nsocks; e++)
        zsock_destroy(&b.socks[e]);
    free(b.socks);
    free(b.table);
    sr_hash_fini(&b.index);
    free(b.lat_ms);
    bench_env_stop(&b.env);
    return rc;
}
