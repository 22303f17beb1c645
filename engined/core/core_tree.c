// Cancelling and pausing down an execution's tree. Owns the walk from an
// execution to its task executions, from a task to its running units, and
// from a unit to its action (which gets CANCEL) or sub-workflow execution
// (cancelled or paused in turn). The recursion stays in this room: a
// sub-workflow is cancelled here, not through the rooms that run it.
#include "core_tree.h"

#include <stdlib.h>
#include <string.h>

#include "core_ctx.h"
#include "core_timer.h"

static sr_err_t
s_collect(void *arg, core_task_t *task)
{
    core_tasks_t *l = arg;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        core_task_t **p = realloc(l->list, cap * sizeof *p);
        if (!p)
            return SR_ENOMEM;
        l->list = p;
        l->cap = cap;
    }
    l->list[l->n++] = task;
    return SR_OK;
}

// Stop a running action: CANCEL to the worker that holds it.
static sr_err_t
s_cancel_action(core_run_t *r, const core_exec_t *exec, core_action_t *a)
{
    if (core_action_state_is_final(a->state))
        return SR_OK;
    bool on_worker = a->worker != NULL;
    core_cmd_t c = {.kind = CORE_CMD_CANCEL,
                    .exec_id = exec->id,
                    .action_id = a->id,
                    .attempt = a->attempt};
    a->state = CORE_A_CANCELLED;
    a->finished_ms = r->now;
    CORE_OPS(r)->action_dirty(r->st, a);
    if (a->has_token)
        (void)CORE_OPS(r)->token_del(r->st, a->token_hash);
    if (!on_worker)
        return SR_OK;
    if (!(c.worker = strdup(a->worker)))
        return SR_ENOMEM;
    return core_cmd_push(r, &c);
}

sr_err_t
core_tree_tasks(core_run_t *r, const sr_id_t *exec_id, core_tasks_t *out)
{
    memset(out, 0, sizeof *out);
    return CORE_OPS(r)->task_scan(r->st, exec_id, s_collect, out);
}

sr_err_t
core_tree_cancel_units(core_run_t *r, core_exec_t *exec, core_task_t *task)
{
    for (uint32_t i = 0; i < task->n_units; i++) {
        core_unit_state_t u = core_unit_state(task, i);
        if (u != CORE_U_RUNNING && u != CORE_U_PENDING)
            continue;
        sr_err_t rc = core_unit_set_state(task, i, CORE_U_CANCELLED);
        if (rc)
            return rc;
        sr_id_t id;
        if (u != CORE_U_RUNNING ||
            sr_id_from_value(sr_value_array_at(task->unit_ids, i), &id))
            continue;
        core_action_t *a = NULL;
        rc = CORE_OPS(r)->action_get(r->st, &id, &a);
        if (rc == SR_OK) {
            if ((rc = s_cancel_action(r, exec, a)))
                return rc;
            continue;
        }
        if (rc != SR_ENOTFOUND)
            return rc;
        core_exec_t *child = NULL;
        rc = CORE_OPS(r)->exec_get(r->st, &id, &child);
        if (rc == SR_OK && !core_ex_state_is_final(child->state))
            rc = core_tree_cancel(r, child, "Cancelled with its parent task");
        if (rc && rc != SR_ENOTFOUND)
            return rc;
    }
    CORE_OPS(r)->task_dirty(r->st, task);
    return SR_OK;
}

sr_err_t
core_tree_cancel_task(core_run_t *r, core_exec_t *exec, core_task_t *task,
                      const char *info)
{
    if (core_task_state_is_final(task->state) && task->finished_ms)
        return SR_OK;
    sr_err_t rc = core_timer_disarm(r, task);
    if (!rc && task->state == CORE_T_RUNNING)
        rc = core_tree_cancel_units(r, exec, task);
    if (rc)
        return rc;
    task->processed = true;
    core_task_finish(r, exec, task);
    return core_task_set_state(r, exec, task, CORE_T_CANCELLED, info);
}

sr_err_t
core_tree_cancel(core_run_t *r, core_exec_t *exec, const char *msg)
{
    if (core_ex_state_is_final(exec->state))
        return sr_error_set(r->err, SR_ESTATE,
                            "cannot cancel an execution in state %s",
                            core_ex_state_name(exec->state));
    // Final first, so cancelled tasks do not try to complete the execution.
    const char *info = msg ? msg : "Workflow was cancelled.";
    exec->state = CORE_EX_CANCELLED;
    sr_err_t rc = core_set_str(&exec->state_info, info);
    if (rc)
        return rc;
    core_tasks_t l;
    rc = core_tree_tasks(r, &exec->id, &l);
    for (size_t i = 0; !rc && i < l.n; i++)
        rc = core_tree_cancel_task(r, exec, l.list[i], msg);
    free(l.list);
    sr_value_t *final = NULL;
    if (!rc)
        rc = core_ctx_final(r, exec, &final);
    if (rc)
        return rc;
    core_set_value(&exec->output, final);
    return core_exec_set_state(r, exec, CORE_EX_CANCELLED, info);
}

sr_err_t
core_tree_child(core_run_t *r, const core_task_t *task, uint32_t item,
                core_exec_t **out)
{
    sr_id_t id;
    if (core_unit_state(task, item) != CORE_U_RUNNING ||
        sr_id_from_value(sr_value_array_at(task->unit_ids, item), &id))
        return SR_ENOTFOUND;
    return CORE_OPS(r)->exec_get(r->st, &id, out);
}

sr_err_t
core_tree_pause(core_run_t *r, core_exec_t *exec, const char *msg)
{
    if (exec->state != CORE_EX_RUNNING)
        return sr_error_set(r->err, SR_ESTATE,
                            "cannot pause an execution in state %s",
                            core_ex_state_name(exec->state));
    sr_err_t rc = core_exec_set_state(r, exec, CORE_EX_PAUSED, msg);
    if (rc)
        return rc;
    core_tasks_t l;
    rc = core_tree_tasks(r, &exec->id, &l);
    for (size_t i = 0; !rc && i < l.n; i++) {
        core_task_t *t = l.list[i];
        for (uint32_t u = 0;
             !rc && t->state == CORE_T_RUNNING && u < t->n_units; u++) {
            core_exec_t *child = NULL;
            rc = core_tree_child(r, t, u, &child);
            if (rc == SR_ENOTFOUND)
                rc = SR_OK; // an action, not a child
            else if (!rc)
                rc = core_tree_pause(r, child, msg);
        }
    }
    free(l.list);
    if (rc == SR_ESTATE) { // a child already paused or finished
        sr_error_clear(r->err);
        rc = SR_OK;
    }
    return rc;
}
