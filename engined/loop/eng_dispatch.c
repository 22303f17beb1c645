// The dispatch queue (see eng_dispatch.h): a TASK message per DISPATCH
// command, kept with what it needs of a worker until one takes it.
// Thread rule: the engine loop's thread.
#include "eng_dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "eng_clock.h"
#include "sr_msg.h"

struct eng_dispatch {
    eng_workers_t *workers; // borrowed: who takes the TASKs
    eng_queued_t *queue;    // owned, with each entry's message and texts
    size_t nqueue, capqueue;
};

static void
s_queued_fini(eng_queued_t *q)
{
    sr_msg_destroy(&q->task);
    free(q->action);
    free(q->target);
}

// Queue a ready TASK message (ownership moves in on success).
static sr_err_t
s_offer(eng_dispatch_t *self, sr_msg_t **task_p, const char *action,
        const char *target)
{
    if (self->nqueue == self->capqueue) {
        size_t cap = self->capqueue ? self->capqueue * 2 : 64;
        eng_queued_t *q = realloc(self->queue, cap * sizeof *q);
        if (!q)
            return SR_ENOMEM;
        self->queue = q;
        self->capqueue = cap;
    }
    eng_queued_t q = {.task = *task_p, .ready_ms = eng_now_ms()};
    q.action = strdup(action);
    q.target = target ? strdup(target) : NULL;
    sr_msg_id(*task_p, SR_F_TASK_action_id, &q.action_id);
    q.attempt = (uint32_t)sr_msg_int(*task_p, SR_F_TASK_attempt, 1);
    if (!q.action || (target && !q.target)) {
        free(q.action);
        free(q.target);
        return SR_ENOMEM;
    }
    *task_p = NULL;
    self->queue[self->nqueue++] = q;
    return SR_OK;
}

eng_dispatch_t *
eng_dispatch_new(eng_workers_t *workers)
{
    eng_dispatch_t *self = calloc(1, sizeof *self);
    if (self)
        self->workers = workers;
    return self;
}

void
eng_dispatch_destroy(eng_dispatch_t **self_p)
{
    eng_dispatch_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->nqueue; i++)
        s_queued_fini(&self->queue[i]);
    free(self->queue);
    free(self);
    *self_p = NULL;
}

sr_err_t
eng_dispatch_add(eng_dispatch_t *self, const core_cmd_t *cmd, uint64_t epoch)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_TASK);
    sr_err_t rc = m ? SR_OK : SR_ENOMEM;
    if (!rc)
        rc = sr_msg_set_id(m, SR_F_TASK_action_id, &cmd->action_id);
    if (!rc)
        rc = sr_msg_set_id(m, SR_F_TASK_execution_id, &cmd->exec_id);
    if (!rc)
        rc = sr_msg_set_id(m, SR_F_TASK_task_id, &cmd->task_id);
    if (!rc)
        rc = sr_msg_set_str(m, SR_F_TASK_task_name, cmd->task_name);
    if (!rc)
        rc = sr_msg_set_str(m, SR_F_TASK_action, cmd->action);
    if (!rc)
        rc = sr_msg_set(m, SR_F_TASK_input, sr_value_ref(cmd->input));
    if (!rc)
        rc = sr_msg_set_int(m, SR_F_TASK_attempt, cmd->attempt);
    if (!rc)
        rc = sr_msg_set_int(m, SR_F_TASK_epoch, (int64_t)epoch);
    if (!rc && cmd->deadline_ms)
        rc = sr_msg_set_int(m, SR_F_TASK_deadline_ms, cmd->deadline_ms);
    if (!rc && cmd->token)
        rc = sr_msg_set_str(m, SR_F_TASK_token, cmd->token);
    if (!rc && cmd->context)
        rc = sr_msg_set(m, SR_F_TASK_context, sr_value_ref(cmd->context));
    if (!rc && cmd->safe_rerun)
        rc = sr_msg_set_bool(m, SR_F_TASK_safe_rerun, true);
    if (!rc)
        rc = s_offer(self, &m, cmd->action, cmd->target);
    sr_msg_destroy(&m);
    return rc;
}

size_t
eng_dispatch_drop(eng_dispatch_t *self, uint16_t partition)
{
    size_t kept = 0, dropped = 0;
    for (size_t i = 0; i < self->nqueue; i++) {
        eng_queued_t *q = &self->queue[i];
        if (sr_id_partition(&q->action_id) == partition) {
            s_queued_fini(q);
            dropped++;
        } else
            self->queue[kept++] = *q;
    }
    self->nqueue = kept;
    return dropped;
}

void
eng_dispatch_send(eng_dispatch_t *self)
{
    size_t kept = 0;
    for (size_t i = 0; i < self->nqueue; i++) {
        eng_queued_t *q = &self->queue[i];
        if (eng_workers_offer(self->workers, q)) {
            s_queued_fini(q);
            continue;
        }
        self->queue[kept++] = *q;
    }
    self->nqueue = kept;
}

size_t
eng_dispatch_count(const eng_dispatch_t *self)
{
    return self->nqueue;
}
