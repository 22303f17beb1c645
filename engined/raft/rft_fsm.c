// The state machine of a replicated partition (see rft_fsm.h).
#include "rft_fsm.h"

#include <stdlib.h>
#include <string.h>

#include "sr_log.h"

#define S_MAGIC "SRS1"
#define S_HDR   13 // magic (4), kind (1), applied index (8)

enum { S_MARKER = 0, S_DUMP = 1 };

struct rft_fsm {
    struct raft_fsm fsm; // first: C-Raft's handle points here
    store_part_t *part;
    struct raft *raft;
    store_txn_t *held; // the leader's transaction for entry held_index
    raft_index held_index;
    store_txn_t *pending;     // a follower's entries applied, not committed
    raft_index pending_index; // the last of them
    bool broken;              // a settle failed: applies refused
    sr_error_t last;
};

static rft_fsm_t *
s_fsm(struct raft_fsm *f)
{
    return f->data;
}

static void
s_header(uint8_t *p, int kind, uint64_t index)
{
    memcpy(p, S_MAGIC, 4);
    p[4] = (uint8_t)kind;
    for (int i = 0; i < 8; i++)
        p[5 + i] = (uint8_t)(index >> (56 - 8 * i));
}

static bool
s_parse(const struct raft_buffer *b, int *kind, uint64_t *index)
{
    const uint8_t *p = b->base;
    if (b->len < S_HDR || memcmp(p, S_MAGIC, 4) || p[4] > S_DUMP)
        return false;
    *kind = p[4];
    *index = 0;
    for (int i = 0; i < 8; i++)
        *index = *index << 8 | p[5 + i];
    return true;
}

// Keep and log why the copy cannot follow; C-Raft stops the group.
static int
s_fail(rft_fsm_t *f, const char *what, const sr_error_t *err)
{
    sr_error_set(&f->last, err ? err->code : SR_EINTERNAL,
                 "partition %u: %s: %s", store_part_number(f->part), what,
                 err ? err->msg : "malformed");
    sr_errorf("raft: %s", f->last.msg);
    return RAFT_IOERR;
}

// A follower's entry goes into the transaction its earlier entries of
// this turn went into (one commit for all, at rft_fsm_settle); a leader's
// is committed at once (the engine begins its next batch on the copy).
static int
s_apply(struct raft_fsm *rf, const struct raft_buffer *buf, void **result)
{
    rft_fsm_t *f = s_fsm(rf);
    raft_index index = raft_last_applied(f->raft) + 1;
    sr_error_t err;
    *result = NULL;
    if (f->broken)
        return RAFT_IOERR;
    if (f->held && f->held_index != index)
        rft_fsm_drop(f);
    if (index <= store_part_applied(f->part)) {
        rft_fsm_drop(f); // the copy holds it already
        return 0;
    }
    if (f->held) {
        store_txn_t *t = f->held;
        f->held = NULL;
        if (store_txn_commit_at(&t, index, &err))
            return s_fail(f, "commit the leader's batch", &err);
        return 0;
    }
    bool leader = raft_state(f->raft) == RAFT_LEADER;
    if (leader && rft_fsm_settle(f))
        return RAFT_IOERR;
    if (!f->pending && store_txn_begin(f->part, true, &f->pending, &err))
        return s_fail(f, "begin applying entries", &err);
    if (store_txn_apply(f->pending, buf->base, buf->len, &err)) {
        store_txn_abort(&f->pending);
        f->broken = true;
        return s_fail(f, "apply an entry", &err);
    }
    f->pending_index = index;
    return leader && rft_fsm_settle(f) ? RAFT_IOERR : 0;
}

sr_err_t
rft_fsm_settle(rft_fsm_t *fsm)
{
    if (!fsm->pending)
        return SR_OK;
    sr_error_t err;
    if (store_txn_commit_at(&fsm->pending, fsm->pending_index, &err)) {
        // The entries since the copy's applied index are not in it: the
        // group applies nothing more here; a restart applies them again.
        fsm->broken = true;
        s_fail(fsm, "commit the entries applied", &err);
        return err.code;
    }
    return SR_OK;
}

static int
s_snapshot(struct raft_fsm *rf, struct raft_buffer *bufs[], unsigned *n)
{
    rft_fsm_t *f = s_fsm(rf);
    sr_error_t err;
    // The log may drop what the copy holds once the marker is stored.
    if (rft_fsm_settle(f))
        return RAFT_IOERR;
    if (store_part_sync(f->part, &err))
        return s_fail(f, "sync before a snapshot", &err);
    struct raft_buffer *b = raft_malloc(sizeof *b);
    void *data = raft_malloc(S_HDR);
    if (!b || !data) {
        raft_free(b);
        raft_free(data);
        return RAFT_NOMEM;
    }
    s_header(data, S_MARKER, store_part_applied(f->part));
    *b = (struct raft_buffer){data, S_HDR};
    *bufs = b;
    *n = 1;
    return 0;
}

static int
s_restore(struct raft_fsm *rf, struct raft_buffer *buf)
{
    rft_fsm_t *f = s_fsm(rf);
    int kind;
    uint64_t index;
    int rv = 0;
    sr_error_t err;
    rft_fsm_drop(f);
    if (rft_fsm_settle(f))
        return RAFT_IOERR;
    if (!s_parse(buf, &kind, &index)) {
        rv = s_fail(f, "restore a snapshot", NULL);
    } else if (kind == S_MARKER) {
        if (store_part_applied(f->part) < index) {
            sr_error_set(&err, SR_ESTORE,
                         "the copy has applied entry %llu, the snapshot "
                         "says %llu",
                         (unsigned long long)store_part_applied(f->part),
                         (unsigned long long)index);
            rv = s_fail(f, "restore a snapshot", &err);
        }
    } else if (store_part_applied(f->part) < index) {
        if (store_part_restore(f->part, (const uint8_t *)buf->base + S_HDR,
                               buf->len - S_HDR, index, &err))
            rv = s_fail(f, "restore a dump", &err);
        else
            sr_info("raft: partition %u restored from a snapshot at entry "
                    "%llu",
                    store_part_number(f->part), (unsigned long long)index);
    }
    if (!rv)
        raft_free(buf->base); // C-Raft hands it over on success
    return rv;
}

sr_err_t
rft_fsm_new(store_part_t *part, struct raft *raft, rft_fsm_t **out,
            sr_error_t *err)
{
    rft_fsm_t *f = calloc(1, sizeof *f);
    if (!f)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    f->part = part;
    f->raft = raft;
    f->fsm.version = 1;
    f->fsm.data = f;
    f->fsm.apply = s_apply;
    f->fsm.snapshot = s_snapshot;
    f->fsm.restore = s_restore;
    *out = f;
    return SR_OK;
}

void
rft_fsm_destroy(rft_fsm_t **fsm_p)
{
    rft_fsm_t *f = *fsm_p;
    if (!f)
        return;
    rft_fsm_drop(f);
    (void)rft_fsm_settle(f);
    free(f);
    *fsm_p = NULL;
}

struct raft_fsm *
rft_fsm_raft(rft_fsm_t *fsm)
{
    return &fsm->fsm;
}

bool
rft_fsm_pending(const rft_fsm_t *fsm)
{
    return fsm->pending != NULL;
}

void
rft_fsm_hold(rft_fsm_t *fsm, store_txn_t *txn, raft_index index)
{
    rft_fsm_drop(fsm);
    fsm->held = txn;
    fsm->held_index = index;
}

void
rft_fsm_drop(rft_fsm_t *fsm)
{
    store_txn_abort(&fsm->held);
    fsm->held_index = 0;
}

bool
rft_fsm_holding(const rft_fsm_t *fsm)
{
    return fsm->held != NULL;
}

sr_err_t
rft_fsm_dump(rft_fsm_t *fsm, struct raft_buffer *out, sr_error_t *err)
{
    char *dump;
    size_t len;
    if (rft_fsm_settle(fsm))
        return sr_error_set(err, SR_ESTORE, "%s", fsm->last.msg);
    uint64_t index = store_part_applied(fsm->part);
    sr_err_t rc = store_part_dump(fsm->part, &dump, &len, err);
    if (rc)
        return rc;
    uint8_t *data = raft_malloc(S_HDR + len);
    if (!data) {
        free(dump);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    s_header(data, S_DUMP, index);
    memcpy(data + S_HDR, dump, len);
    free(dump);
    *out = (struct raft_buffer){data, S_HDR + len};
    return SR_OK;
}

const char *
rft_fsm_error(const rft_fsm_t *fsm)
{
    return fsm->last.msg;
}
