// sirocco bench: throughput and latency of the engine, measured through
// the client protocol. By default it starts what it needs in this process
// (E engine nodes, W worker nodes over inproc://, LMDB in a temporary
// folder, durable group commit); with --cluster it drives running engines.
// It keeps a window of executions in flight, follows their events, and
// prints tasks/s, executions/s, start->finish latency percentiles (from
// sending EX_START to receiving the final EVENT), the engines' dispatch
// latency (task ready -> GO) and memory, and from the engines' STATUS
// before and after the run their CPU time and messages per task.
#include "cmd_bench.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cmd_bench_setup.h"
#include "cmd_bench_status.h"
#include "sr_hash.h"
#include "sr_msg.h"
#include "sr_value_json.h"
#include "sr_wire.h"

// The req_id of the k-th EX_START is S_START_REQ + k: its REPLY names the
// start, and so when it was sent.
#define S_START_REQ 1000000000LL

// Each execution, in the order first heard of, indexed by id: when its
// start was sent (-1: its REPLY has not come yet) and when its final
// EVENT came (-1: not yet); its latency is taken once both are known.
typedef struct {
    sr_id_t id;
    int64_t start_us, end_us;
} s_slot_t;

typedef struct {
    bench_opts_t o;
    bench_env_t env;
    zsock_t **socks; // one per engine
    size_t nsocks;
    s_slot_t *table;
    size_t cap, nslots;
    sr_hash_t index;  // id -> position in table
    int64_t *sent_us; // by start: when its EX_START was sent
    double *lat_ms;   // per execution whose start and end are known
    size_t nlat;
    size_t finished, failed, started, inflight, replied;
    size_t refused; // starts answered ERROR (counted in failed)
    int64_t end_us; // when the last execution ended
    int64_t req;
    int64_t beat_us;     // last HEARTBEAT sent
    bench_fig_t *before; // by engine: STATUS before the run
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

// The slot of execution `id`, new (start and end unknown) the first
// time; NULL when the table is full.
static s_slot_t *
s_slot(s_bench_t *b, const sr_id_t *id)
{
    uint32_t h = sr_hash_bytes(id->b, sizeof id->b);
    size_t at = sr_hash_find(&b->index, h, s_id_is, b->table, id, 0);
    if (at != SR_HASH_NONE)
        return &b->table[at];
    if (b->nslots == b->cap || sr_hash_add(&b->index, h, b->nslots))
        return NULL;
    b->table[b->nslots] = (s_slot_t){.id = *id, .start_us = -1, .end_us = -1};
    return &b->table[b->nslots++];
}

// Send request `m` (destroyed) with req_id `req` to engine e.
static int
s_send(s_bench_t *b, size_t e, sr_msg_t *m, int64_t req)
{
    sr_error_t err;
    sr_field_t f = sr_msg_field_find(sr_msg_type(m), "req_id", 6);
    int rc =
        sr_msg_set_int(m, f, req) || sr_wire_send(b->socks[e], NULL, m, &err);
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
    if (s_send(b, e, m, ++b->req))
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

// Engines choose the partition and the id of each start (no `id`, no
// `partition`), in turn.
static int
s_start_one(s_bench_t *b)
{
    size_t e = b->started % b->nsocks;
    sr_msg_t *m = sr_msg_new(SR_MSG_EX_START);
    if (!m || sr_msg_set_str(m, SR_F_EX_START_workflow, b->env.workflow))
        return CLI_FAILED;
    b->sent_us[b->started] = s_now_us();
    b->inflight++;
    return s_send(b, e, m, S_START_REQ + (int64_t)b->started++);
}

static void
s_latency(s_bench_t *b, const s_slot_t *s)
{
    if (s->start_us >= 0 && s->end_us >= 0)
        b->lat_ms[b->nlat++] = (double)(s->end_us - s->start_us) / 1000.0;
}

// The answer to a start: its execution's id, or a refusal.
static void
s_take_answer(s_bench_t *b, sr_wire_in_t *in)
{
    int64_t k = in->req_id - S_START_REQ;
    if (k < 0 || k >= (int64_t)b->started)
        return;
    b->replied++;
    sr_value_t *body = sr_msg_get(in->msg, SR_F_REPLY_body);
    sr_id_t id;
    if (in->type == SR_MSG_ERROR ||
        sr_id_from_value(sr_value_map_get(body, "id"), &id)) {
        b->failed++;
        b->refused++;
        b->inflight--;
        return;
    }
    s_slot_t *s = s_slot(b, &id);
    if (!s)
        return;
    s->start_us = b->sent_us[k];
    s_latency(b, s); // when the final event came first
}

// One message from an engine: a start's answer or an execution's event.
static void
s_take(s_bench_t *b, sr_wire_in_t *in)
{
    if (in->type == SR_MSG_REPLY || in->type == SR_MSG_ERROR) {
        s_take_answer(b, in);
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
    if (!s || s->end_us >= 0)
        return;
    s->end_us = s_now_us();
    s_latency(b, s);
    b->finished++;
    b->failed += strcmp(state, "SUCCESS") != 0;
    b->inflight--;
}

// Read what the engines sent, waiting at most `wait_ms` for the first.
static void
s_read(s_bench_t *b, zpoller_t *poller, int wait_ms)
{
    zsock_t *s = zpoller_wait(poller, wait_ms);
    for (size_t e = 0; s && e < b->nsocks; e++) {
        sr_wire_in_t in;
        sr_error_t err;
        for (int k = 0; k < 256; k++) {
            if (sr_wire_recv(b->socks[e], 0, NULL, &in, &err)) {
                sr_wire_in_fini(&in);
                break;
            }
            s_take(b, &in);
            sr_wire_in_fini(&in);
        }
    }
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
    while (b->finished + b->refused < n) {
        while (b->started < n && b->inflight < b->o.window)
            if (s_start_one(b)) {
                fprintf(stderr, "sirocco bench: cannot send a start\n");
                zpoller_destroy(&poller);
                return CLI_FAILED;
            }
        s_read(b, poller, 200);
        int64_t now = s_now_us();
        if (now - b->beat_us > 1000000) { // keep the subscriptions alive
            s_heartbeat(b);
            b->beat_us = now;
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
    b->end_us = s_now_us();
    // The answers of starts whose final event came first (at most 5 s).
    for (int64_t end = b->end_us + 5000000;
         b->replied < b->started && s_now_us() < end;)
        s_read(b, poller, 100);
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

// Every engine's STATUS into st[e] (NULL for one that did not answer).
static void
s_statuses(s_bench_t *b, sr_value_t **st)
{
    for (size_t e = 0; e < b->nsocks; e++)
        if (s_call(b, e, sr_msg_new(SR_MSG_STATUS), &st[e]))
            st[e] = NULL;
}

// Every engine's figures now, into figs[e].
static int
s_figures(s_bench_t *b, bench_fig_t *figs)
{
    sr_value_t **st = calloc(b->nsocks, sizeof *st);
    if (!st)
        return CLI_FAILED;
    s_statuses(b, st);
    for (size_t e = 0; e < b->nsocks; e++) {
        bench_fig_read(st[e], &figs[e]);
        sr_value_destroy(&st[e]);
    }
    free(st);
    return CLI_OK;
}

// The engines' own dispatch latency (the worst p50/p99 over engines).
static void
s_dispatch(s_bench_t *b, sr_value_t *const *st, double *p50, double *p99)
{
    *p50 = *p99 = -1;
    for (size_t e = 0; e < b->nsocks; e++) {
        if (!st[e])
            continue;
        sr_value_t *d = sr_value_map_get(st[e], "dispatch_ms");
        double a = sr_value_float(sr_value_map_get(d, "p50"));
        double c = sr_value_float(sr_value_map_get(d, "p99"));
        *p50 = a > *p50 ? a : *p50;
        *p99 = c > *p99 ? c : *p99;
    }
}

// What the engines' STATUS after the run says: dispatch latency, CPU and
// messages per task against `b->before`, memory, and the workers (into
// the settings).
static sr_err_t
s_engine_figures(s_bench_t *b, double tasks, sr_value_t *r)
{
    sr_value_t **st = calloc(b->nsocks, sizeof *st);
    bench_fig_t *after = calloc(b->nsocks, sizeof *after);
    sr_err_t rc = st && after ? SR_OK : SR_ENOMEM;
    if (!rc)
        s_statuses(b, st);
    for (size_t e = 0; !rc && e < b->nsocks; e++)
        bench_fig_read(st[e], &after[e]);
    double d50 = -1, d99 = -1;
    if (!rc)
        s_dispatch(b, st, &d50, &d99);
    bool embedded = b->o.cluster == NULL;
    if (!rc)
        rc = sr_value_map_put(r, "dispatch_ms", s_pair(d50, d99));
    if (!rc)
        rc = bench_fig_report(b->before, after, b->nsocks, tasks, embedded, r);
    if (!rc && embedded) // the engines' memory is this process's
        rc = sr_value_map_put(r, "engine_rss_mb",
                              sr_value_new_float(bench_rss_mb(&b->env)));
    size_t workers = 0;
    sr_value_t *slots = rc ? NULL : bench_workers_seen(st, b->nsocks, &workers);
    if (!rc && !slots)
        rc = SR_ENOMEM;
    if (!rc)
        rc = sr_value_map_put(r, "settings",
                              bench_settings(&b->o, &b->env, slots));
    sr_value_destroy(&slots);
    for (size_t e = 0; st && e < b->nsocks; e++)
        sr_value_destroy(&st[e]);
    free(st);
    free(after);
    return rc;
}

static int
s_report(s_bench_t *b, double secs)
{
    qsort(b->lat_ms, b->nlat, sizeof *b->lat_ms, s_cmp);
    double tasks = (double)b->finished * (double)b->env.tasks_per_exec;
    sr_value_t *r = sr_value_new_map(16);
    if (!r ||
        sr_value_map_put(r, "tasks_per_s", sr_value_new_float(tasks / secs)) ||
        sr_value_map_put(r, "executions_per_s",
                         sr_value_new_float((double)b->finished / secs)) ||
        sr_value_map_put(r, "latency_ms",
                         s_pair(s_pct(b->lat_ms, b->nlat, 50),
                                s_pct(b->lat_ms, b->nlat, 99))) ||
        s_engine_figures(b, tasks, r) ||
        sr_value_map_put(r, "executions",
                         sr_value_new_int((int64_t)b->finished)) ||
        sr_value_map_put(r, "failed", sr_value_new_int((int64_t)b->failed)) ||
        sr_value_map_put(r, "seconds", sr_value_new_float(secs))) {
        sr_value_destroy(&r);
        return CLI_FAILED;
    }
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
    b.sent_us = calloc(b.o.executions + 1, sizeof *b.sent_us);
    b.before = calloc(b.nsocks, sizeof *b.before);
    sr_hash_init(&b.index);
    rc = b.socks && b.table && b.lat_ms && b.sent_us && b.before &&
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
    if (!rc && !b.env.waiting)
        rc = s_figures(&b, b.before);
    int64_t t0 = s_now_us();
    if (!rc)
        rc = b.env.waiting ? bench_wait_run(&b.o, &b.env, b.socks, b.nsocks)
                           : s_drive(&b);
    double secs = (double)(b.end_us - t0) / 1e6;
    if (!rc && !b.env.waiting)
        rc = s_report(&b, secs);
    // Engines that run on would send this run's subscriber the events of
    // the next run until they gave up on it, and count them.
    for (size_t e = 0; b.o.cluster && e < b.nsocks; e++)
        if (b.socks[e] && s_call(&b, e, sr_msg_new(SR_MSG_UNSUBSCRIBE), NULL))
            fprintf(stderr, "sirocco bench: %s: UNSUBSCRIBE not answered\n",
                    b.env.endpoints[e]);
    for (size_t e = 0; e < b.nsocks; e++)
        zsock_destroy(&b.socks[e]);
    free(b.socks);
    free(b.table);
    sr_hash_fini(&b.index);
    free(b.lat_ms);
    free(b.sent_us);
    free(b.before);
    bench_env_stop(&b.env);
    return rc;
}
