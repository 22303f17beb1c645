// A task execution's policy timers: the rows in the timer table, the ids
// the task record keeps of them, and the TIMER command that tells the
// loop. Owns nothing beyond one call; a timer row is keyed by due time and
// id, so a task disarms exactly what it armed.
#include "core_timer.h"

#include <math.h>
#include <string.h>

sr_err_t
core_timer_arm(core_run_t *r, core_task_t *task, core_timer_kind_t kind,
               double seconds)
{
    core_timer_t t = {
        .kind = kind, .exec_id = task->exec_id, .seq = task->seq, .item = -1};
    t.due_ms = r->now + (int64_t)llround(seconds * 1000.0);
    sr_id_make(r->st->partition, r->now, &t.id);
    sr_err_t rc = CORE_OPS(r)->timer_add(r->st, &t);
    if (rc)
        return rc;
    if (kind == CORE_TIMER_TIMEOUT) {
        task->timeout_due = t.due_ms;
        task->timeout_id = t.id;
    } else {
        task->timer_due = t.due_ms;
        task->timer_id = t.id;
    }
    CORE_OPS(r)->task_dirty(r->st, task);
    core_cmd_t c = {
        .kind = CORE_CMD_TIMER, .exec_id = task->exec_id, .due_ms = t.due_ms};
    return core_cmd_push(r, &c);
}

sr_err_t
core_timer_disarm_policy(core_run_t *r, core_task_t *task)
{
    sr_err_t rc = SR_OK;
    if (task->timer_due)
        rc = CORE_OPS(r)->timer_del(r->st, task->timer_due, &task->timer_id);
    task->timer_due = 0;
    memset(&task->timer_id, 0, sizeof task->timer_id);
    return rc;
}

sr_err_t
core_timer_disarm(core_run_t *r, core_task_t *task)
{
    sr_err_t rc = core_timer_disarm_policy(r, task);
    if (!rc && task->timeout_due)
        rc =
            CORE_OPS(r)->timer_del(r->st, task->timeout_due, &task->timeout_id);
    task->timeout_due = 0;
    memset(&task->timeout_id, 0, sizeof task->timeout_id);
    CORE_OPS(r)->task_dirty(r->st, task);
    return rc;
}
