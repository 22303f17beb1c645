// One Raft group's raft_io over the engine's log, peer links and clock
// (see rft_io.h).
#include "rft_io.h"

#include <stdlib.h>
#include <string.h>

#include "rft_msg.h"

typedef enum { S_SEND, S_SNAP_GET, S_WORK } s_kind_t;

typedef struct {
    s_kind_t kind;
    int status;
    union {
        struct raft_io_send *send;
        struct raft_io_snapshot_get *snap;
        struct raft_io_async_work *work;
    } req;
    union {
        raft_io_send_cb send;
        raft_io_snapshot_get_cb snap;
        raft_io_async_work_cb work;
    } cb;
} s_done_t;

struct rft_io {
    struct raft_io io; // first: C-Raft's handle points here
    rft_io_cfg_t cfg;
    raft_id id;
    char *address;
    bool started, closed;
    unsigned tick_ms;
    uint64_t next_tick;
    raft_io_tick_cb tick;
    raft_io_recv_cb recv;
    raft_index next_index; // where the next append goes
    uint64_t rng;
    s_done_t *done; // completions waiting for rft_io_run, in order
    size_t ndone, cap;
    rft_io_stats_t stats;
};

static rft_io_t *
s_io(struct raft_io *io)
{
    return io->impl;
}

static uint64_t
s_now(const rft_io_t *io)
{
    return io->cfg.now_ms(io->cfg.clock_arg);
}

static int
s_push(rft_io_t *io, const s_done_t *d)
{
    if (io->ndone == io->cap) {
        size_t cap = io->cap ? io->cap * 2 : 16;
        s_done_t *a = realloc(io->done, cap * sizeof *a);
        if (!a)
            return RAFT_NOMEM;
        io->done = a, io->cap = cap;
    }
    io->done[io->ndone++] = *d;
    return 0;
}

// Run the completions waiting, `status` overriding theirs when non-zero
// (cancelled at close). Those pushed meanwhile wait for the next run.
static void
s_complete(rft_io_t *io, int status)
{
    s_done_t *d = io->done;
    size_t n = io->ndone;
    io->done = NULL, io->ndone = 0, io->cap = 0;
    for (size_t i = 0; i < n; i++) {
        int st = status ? status : d[i].status;
        switch (d[i].kind) {
        case S_SEND:
            if (d[i].cb.send)
                d[i].cb.send(d[i].req.send, st);
            break;
        case S_SNAP_GET: {
            struct raft_snapshot *s = NULL;
            sr_error_t err;
            if (!st && rft_log_snapshot(io->cfg.log, io->cfg.group, &s, &err))
                st = RAFT_IOERR;
            if (!st && !s)
                st = RAFT_NOTFOUND;
            if (!st && io->cfg.snapshot_data) {
                struct raft_buffer data;
                if (io->cfg.snapshot_data(io->cfg.snapshot_arg, &data, &err)) {
                    st = RAFT_IOERR;
                    rft_snapshot_free(s);
                    s = NULL;
                } else {
                    for (unsigned b = 0; b < s->n_bufs; b++)
                        raft_free(s->bufs[b].base);
                    s->bufs[0] = data;
                    s->n_bufs = 1;
                }
            }
            d[i].cb.snap(d[i].req.snap, st ? NULL : s, st);
            break;
        }
        case S_WORK: {
            int rv = st ? st : d[i].req.work->work(d[i].req.work);
            d[i].cb.work(d[i].req.work, rv);
            break;
        }
        }
    }
    free(d);
}

// ---- the methods C-Raft calls ----

static int
s_init(struct raft_io *rio, raft_id id, const char *address)
{
    rft_io_t *io = s_io(rio);
    char *a = strdup(address ? address : "");
    if (!a)
        return RAFT_NOMEM;
    free(io->address);
    io->address = a;
    io->id = id;
    return 0;
}

static void
s_close(struct raft_io *rio, raft_io_close_cb cb)
{
    rft_io_t *io = s_io(rio);
    io->closed = true;
    rft_log_cancel(io->cfg.log, io->cfg.group, false);
    s_complete(io, RAFT_CANCELED);
    if (cb)
        cb(rio);
}

static int
s_load(struct raft_io *rio, raft_term *term, raft_id *voted_for,
       struct raft_snapshot **snapshot, raft_index *start_index,
       struct raft_entry *entries[], size_t *n_entries)
{
    rft_io_t *io = s_io(rio);
    rft_stored_t st;
    sr_error_t err;
    if (rft_log_load(io->cfg.log, io->cfg.group, &st, &err)) {
        snprintf(rio->errmsg, sizeof rio->errmsg, "%s", err.msg);
        return err.code == SR_ENOMEM ? RAFT_NOMEM : RAFT_CORRUPT;
    }
    *term = st.term;
    *voted_for = st.vote;
    *snapshot = st.snapshot;
    *start_index = st.start_index;
    *entries = st.entries;
    *n_entries = st.n_entries;
    io->next_index = st.start_index + st.n_entries;
    return 0;
}

static int
s_start(struct raft_io *rio, unsigned msecs, raft_io_tick_cb tick,
        raft_io_recv_cb recv)
{
    rft_io_t *io = s_io(rio);
    io->tick_ms = msecs;
    io->tick = tick;
    io->recv = recv;
    io->next_tick = s_now(io) + msecs;
    io->started = true;
    return 0;
}

static int
s_bootstrap(struct raft_io *rio, const struct raft_configuration *conf)
{
    rft_io_t *io = s_io(rio);
    sr_error_t err;
    sr_err_t rc = rft_log_bootstrap(io->cfg.log, io->cfg.group, conf, &err);
    if (rc == SR_EEXIST)
        return RAFT_CANTBOOTSTRAP;
    if (rc) {
        snprintf(rio->errmsg, sizeof rio->errmsg, "%s", err.msg);
        return rc == SR_ENOMEM ? RAFT_NOMEM : RAFT_IOERR;
    }
    io->next_index = 2;
    return 0;
}

// Force a configuration (disaster recovery): an entry of it after the
// last one, in the current term, as C-Raft's own disk I/O does.
static int
s_recover(struct raft_io *rio, const struct raft_configuration *conf)
{
    rft_io_t *io = s_io(rio);
    rft_stored_t st;
    sr_error_t err;
    if (rft_log_load(io->cfg.log, io->cfg.group, &st, &err))
        return RAFT_IOERR;
    struct raft_buffer buf;
    int rv = raft_configuration_encode(conf, &buf);
    if (rv) {
        rft_stored_release(&st);
        return rv;
    }
    struct raft_entry en = {.term = st.term, .type = RAFT_CHANGE, .buf = buf};
    raft_index at = st.start_index + st.n_entries;
    rft_stored_release(&st);
    sr_err_t rc = rft_log_queue_append(io->cfg.log, io->cfg.group, at, &en, 1,
                                       NULL, NULL);
    if (!rc)
        rc = rft_log_flush(io->cfg.log, &err);
    raft_free(buf.base);
    return rc ? RAFT_IOERR : 0;
}

static int
s_set_term(struct raft_io *rio, raft_term term)
{
    rft_io_t *io = s_io(rio);
    sr_error_t err;
    if (rft_log_set_term(io->cfg.log, io->cfg.group, term, &err)) {
        snprintf(rio->errmsg, sizeof rio->errmsg, "%s", err.msg);
        return RAFT_IOERR;
    }
    return 0;
}

static int
s_set_vote(struct raft_io *rio, raft_id server_id)
{
    rft_io_t *io = s_io(rio);
    sr_error_t err;
    if (rft_log_set_vote(io->cfg.log, io->cfg.group, server_id, &err)) {
        snprintf(rio->errmsg, sizeof rio->errmsg, "%s", err.msg);
        return RAFT_IOERR;
    }
    return 0;
}

static int
s_send(struct raft_io *rio, struct raft_io_send *req,
       const struct raft_message *m, raft_io_send_cb cb)
{
    rft_io_t *io = s_io(rio);
    char *buf;
    size_t len;
    if (rft_msg_encode(m, &buf, &len))
        return RAFT_NOMEM;
    sr_err_t rc = io->cfg.send(io->cfg.send_arg, io->cfg.group, m->server_id,
                               m->server_address, buf, len);
    free(buf);
    rc ? io->stats.send_failed++ : io->stats.sent++;
    if (!rc && m->type == RAFT_IO_INSTALL_SNAPSHOT)
        io->stats.snapshots_sent++;
    req->cb = cb;
    s_done_t d = {.kind = S_SEND,
                  .status = rc ? RAFT_NOCONNECTION : 0,
                  .req.send = req,
                  .cb.send = cb};
    return s_push(io, &d);
}

static void
s_append_done(void *arg, int status)
{
    struct raft_io_append *req = arg;
    if (req->cb)
        req->cb(req, status);
}

static int
s_append(struct raft_io *rio, struct raft_io_append *req,
         const struct raft_entry entries[], unsigned n, raft_io_append_cb cb)
{
    rft_io_t *io = s_io(rio);
    req->cb = cb;
    if (rft_log_queue_append(io->cfg.log, io->cfg.group, io->next_index,
                             entries, n, s_append_done, req))
        return RAFT_NOMEM;
    io->next_index += n;
    return 0;
}

static int
s_truncate(struct raft_io *rio, raft_index index)
{
    rft_io_t *io = s_io(rio);
    if (rft_log_queue_truncate(io->cfg.log, io->cfg.group, index))
        return RAFT_NOMEM;
    io->next_index = index;
    return 0;
}

static void
s_snap_put_done(void *arg, int status)
{
    struct raft_io_snapshot_put *req = arg;
    if (req->cb)
        req->cb(req, status);
}

static int
s_snapshot_put(struct raft_io *rio, unsigned trailing,
               struct raft_io_snapshot_put *req,
               const struct raft_snapshot *snapshot, raft_io_snapshot_put_cb cb)
{
    rft_io_t *io = s_io(rio);
    req->cb = cb;
    if (rft_log_queue_snapshot(io->cfg.log, io->cfg.group, snapshot, trailing,
                               s_snap_put_done, req))
        return RAFT_NOMEM;
    if (trailing == 0) // an installed snapshot replaces the whole log
        io->next_index = snapshot->index + 1;
    return 0;
}

static int
s_snapshot_get(struct raft_io *rio, struct raft_io_snapshot_get *req,
               raft_io_snapshot_get_cb cb)
{
    rft_io_t *io = s_io(rio);
    req->cb = cb;
    s_done_t d = {.kind = S_SNAP_GET, .req.snap = req, .cb.snap = cb};
    return s_push(io, &d);
}

static raft_time
s_time(struct raft_io *rio)
{
    return s_now(s_io(rio));
}

static int
s_random(struct raft_io *rio, int min, int max)
{
    rft_io_t *io = s_io(rio);
    // xorshift64*
    uint64_t x = io->rng;
    x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
    io->rng = x;
    uint64_t r = x * 0x2545F4914F6CDD1DULL;
    if (max <= min)
        return min;
    return min + (int)(r % (uint64_t)(max - min));
}

static int
s_async_work(struct raft_io *rio, struct raft_io_async_work *req,
             raft_io_async_work_cb cb)
{
    rft_io_t *io = s_io(rio);
    req->cb = cb;
    s_done_t d = {.kind = S_WORK, .req.work = req, .cb.work = cb};
    return s_push(io, &d);
}

// ---- the host's side ----

sr_err_t
rft_io_new(const rft_io_cfg_t *cfg, rft_io_t **out, sr_error_t *err)
{
    if (!cfg->log || !cfg->send || !cfg->now_ms)
        return sr_error_set(err, SR_EINVAL,
                            "raft io: a log, a send and a clock are needed");
    rft_io_t *io = calloc(1, sizeof *io);
    if (!io)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    io->cfg = *cfg;
    io->rng = cfg->seed ? cfg->seed : 0x9E3779B97F4A7C15ULL ^ cfg->group;
    io->next_index = 1;
    struct raft_io *r = &io->io;
    r->version = 2;
    r->impl = io;
    r->init = s_init;
    r->close = s_close;
    r->load = s_load;
    r->start = s_start;
    r->bootstrap = s_bootstrap;
    r->recover = s_recover;
    r->set_term = s_set_term;
    r->set_vote = s_set_vote;
    r->send = s_send;
    r->append = s_append;
    r->truncate = s_truncate;
    r->snapshot_put = s_snapshot_put;
    r->snapshot_get = s_snapshot_get;
    r->time = s_time;
    r->random = s_random;
    r->async_work = s_async_work;
    *out = io;
    return SR_OK;
}

void
rft_io_destroy(rft_io_t **io_p)
{
    rft_io_t *io = *io_p;
    if (!io)
        return;
    if (!io->closed) {
        rft_log_cancel(io->cfg.log, io->cfg.group, false);
        s_complete(io, RAFT_CANCELED);
    }
    free(io->done);
    free(io->address);
    free(io);
    *io_p = NULL;
}

struct raft_io *
rft_io_raft(rft_io_t *io)
{
    return &io->io;
}

void
rft_io_run(rft_io_t *io)
{
    if (!io->started || io->closed)
        return;
    if (io->ndone)
        s_complete(io, 0);
    uint64_t now = s_now(io);
    if (!io->closed && now >= io->next_tick) {
        io->next_tick = now + io->tick_ms;
        io->tick(&io->io);
    }
}

uint64_t
rft_io_due_ms(const rft_io_t *io)
{
    if (!io->started || io->closed)
        return UINT64_MAX;
    if (io->ndone)
        return 0;
    uint64_t now = s_now(io);
    return now >= io->next_tick ? 0 : io->next_tick - now;
}

sr_err_t
rft_io_deliver(rft_io_t *io, raft_id from, const char *address, const void *buf,
               size_t len, sr_error_t *err)
{
    struct raft_message m;
    sr_err_t rc = rft_msg_decode(buf, len, &m, err);
    if (rc) {
        io->stats.refused++;
        return rc;
    }
    if (!io->started || io->closed || from == 0) {
        rft_msg_release(&m);
        return SR_OK;
    }
    m.server_id = from;
    m.server_address = address;
    io->stats.received++;
    io->recv(&io->io, &m); // C-Raft owns what was allocated
    return SR_OK;
}

void
rft_io_stats(const rft_io_t *io, rft_io_stats_t *out)
{
    *out = io->stats;
}
