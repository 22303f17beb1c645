// Group commit: the operations of one batch are applied to each partition
// in ONE write transaction, committed once (synced per the durability
// mode), and only then answered: ACKs, GO/HALT, replies, TASKs to workers,
// events to subscribers. An operation the core refuses is answered with
// its error and the partition's batch is replayed without it, so a refused
// event never leaves half its changes behind.
#include <stdlib.h>
#include <string.h>

#include "eng_internal.h"
#include "sr_log.h"
#include "store_state.h"

// s_try: an operation was refused; try the partition again without it.
#define S_REPLAY ((sr_err_t)1000)

eng_op_t *
eng_op_add(eng_t *eng)
{
    if (eng->nops == eng->capops) {
        size_t cap = eng->capops ? eng->capops * 2 : 64;
        eng_op_t *ops = realloc(eng->ops, cap * sizeof *ops);
        if (!ops)
            return NULL;
        eng->ops = ops;
        eng->capops = cap;
    }
    eng_op_t *op = &eng->ops[eng->nops++];
    memset(op, 0, sizeof *op);
    op->req_id = -1;
    return op;
}

void
eng_ops_clear(eng_t *eng)
{
    for (size_t i = 0; i < eng->nops; i++) {
        sr_msg_destroy(&eng->ops[i].msg);
        sr_value_destroy(&eng->ops[i].value);
        free(eng->ops[i].text);
    }
    eng->nops = 0;
}

static sr_err_t
s_apply_op(eng_t *eng, store_txn_t *txn, store_state_t *st, eng_op_t *op,
           int64_t now)
{
    switch (op->kind) {
    case ENG_OP_EVENT:
        op->ev.now_ms = now;
        return core_step(eng->core, store_state_core(st), &op->ev, &eng->cmds,
                         &op->err);
    case ENG_OP_WF_CREATE:
        return store_def_put(txn, op->doc, now, &op->err);
    case ENG_OP_WF_DELETE: {
        sr_err_t rc = store_def_del_name(txn, op->text, &op->err);
        if (rc == SR_ENOTFOUND) // not every partition knows every name
            sr_error_clear(&op->err);
        return rc == SR_ENOTFOUND ? SR_OK : rc;
    }
    }
    return sr_error_set(&op->err, SR_EINTERNAL, "unknown operation");
}

// One try at the partition's operations. S_REPLAY: an operation was
// refused (marked failed); try again without it.
static sr_err_t
s_try(eng_t *eng, size_t pi, int64_t now, sr_error_t *err)
{
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(eng->parts[pi].store, true, &txn, err);
    if (rc)
        return rc;
    store_state_t *st = store_state_new(txn, eng->docs);
    if (!st) {
        store_txn_abort(&txn);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    size_t base = eng->cmds.count;
    for (size_t i = 0; i < eng->nops; i++) {
        eng_op_t *op = &eng->ops[i];
        if (op->part != pi || op->failed)
            continue;
        op->cmd_from = eng->cmds.count;
        sr_err_t orc = s_apply_op(eng, txn, st, op, now);
        op->cmd_to = eng->cmds.count;
        if (orc) {
            op->rc = orc;
            op->failed = true;
            rc = S_REPLAY;
            break;
        }
    }
    if (!rc)
        rc = store_state_flush(st, err);
    store_state_destroy(&st);
    if (rc) {
        store_txn_abort(&txn);
        core_cmds_truncate(&eng->cmds, base); // the aborted try's
        return rc;
    }
    return store_txn_commit(&txn, err);
}

// Carry out the commands of the partition's committed operations.
static void
s_commands(eng_t *eng, size_t pi)
{
    eng_part_t *part = &eng->parts[pi];
    for (size_t i = 0; i < eng->nops; i++) {
        eng_op_t *op = &eng->ops[i];
        if (op->part != pi)
            continue;
        if (op->from_worker)
            eng_work_answer(eng, op);
        else if (op->type != SR_MSG_NONE)
            eng_client_answer(eng, op);
        else if (op->ev.kind == CORE_EV_DELETE && !op->failed)
            eng->expired++; // the expiration policy's
        for (size_t c = op->cmd_from; !op->failed && c < op->cmd_to; c++) {
            const core_cmd_t *cmd = &eng->cmds.items[c];
            if (cmd->kind == CORE_CMD_DISPATCH &&
                eng_work_dispatch(eng, cmd, part->epoch))
                sr_errorf("out of memory queueing an action");
            else if (cmd->kind == CORE_CMD_NOTIFY)
                eng_client_notify(eng, cmd);
            else if (cmd->kind == CORE_CMD_TIMER &&
                     (!part->next_timer || cmd->due_ms < part->next_timer))
                part->next_timer = cmd->due_ms;
        }
    }
}

// The partition's batch could not be committed: every operation not
// refused already failed with `e`, and none of its commands is carried
// out. The engine's own events (a worker lost, a TASK to offer again)
// are tried again in a second; a timer's row is still there and fires
// again.
static void
s_fail_all(eng_t *eng, size_t pi, const sr_error_t *e)
{
    for (size_t i = 0; i < eng->nops; i++) {
        eng_op_t *op = &eng->ops[i];
        if (op->part != pi || op->failed)
            continue;
        op->failed = op->uncommitted = true;
        op->rc = e->code;
        op->err = *e;
        op->cmd_from = op->cmd_to = 0;
        if (op->kind == ENG_OP_EVENT && op->type == SR_MSG_NONE &&
            (op->ev.kind == CORE_EV_WORKER_LOST ||
             op->ev.kind == CORE_EV_REOFFER) &&
            eng_orphan_add(eng,
                           (eng_orphan_t){.action_id = op->ev.action_id,
                                          .due = eng_now_ms() + 1000,
                                          .kind = op->ev.kind,
                                          .attempt = op->ev.attempt,
                                          .why = "lost, noted again after a "
                                                 "failed commit"}))
            sr_errorf("out of memory: an action's %s event is dropped",
                      op->ev.kind == CORE_EV_REOFFER ? "REOFFER"
                                                     : "WORKER_LOST");
    }
}

sr_err_t
eng_batch_run(eng_t *eng, sr_error_t *err)
{
    int64_t now = eng_now_ms();
    for (size_t pi = 0; pi < eng->nparts; pi++) {
        size_t n = 0;
        for (size_t i = 0; i < eng->nops; i++)
            n += eng->ops[i].part == pi;
        if (!n)
            continue;
        sr_err_t rc;
        size_t tries = 0;
        while ((rc = s_try(eng, pi, now, err)) == S_REPLAY && tries++ < n)
            ;
        if (rc) {
            sr_errorf("partition %u: batch of %zu failed: %s",
                      eng->parts[pi].number, n, err->msg);
            s_fail_all(eng, pi, err);
        }
        eng->batches++;
        eng->events += n;
        s_commands(eng, pi);
        if (eng_part_next_timer(eng, &eng->parts[pi], err))
            sr_errorf("partition %u: cannot read timers: %s",
                      eng->parts[pi].number, err->msg);
    }
    core_cmds_clear(&eng->cmds);
    eng_work_send_queued(eng);
    eng_ops_clear(eng);
    return SR_OK;
}
