// Task executions: creation and the policies around their run, in
// Mistral's order: before the start pause-before, timeout, wait-before;
// after the units wait-after, publish, fail-on, retry. Owns the task's
// lifecycle states; units (core_unit.c) run the actions, and the flow
// (core_flow.c, above) decides what follows a task that ended: that is a
// follow-up (CORE_FU_TASK_ENDED). A task arms at most one policy timer
// plus its timeout (core_timer.c).
#include "core_task.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_ctx.h"
#include "core_exec_end.h"
#include "core_timer.h"
#include "core_tree.h"
#include "core_unit.h"

sr_err_t
core_task_create(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf,
                 int index, sr_value_t *in_ctx, sr_value_t *in_ver,
                 core_task_t **out)
{
    core_task_t *t = core_task_new();
    sr_err_t rc = SR_ENOMEM;
    if (!t || core_set_str(&t->name, wf->tasks[index].name))
        goto fail;
    t->exec_id = exec->id;
    t->seq = exec->next_seq++;
    sr_id_make(r->st->partition, r->now, &t->id);
    t->spec_index = index;
    t->state = CORE_T_WAITING;
    t->in_ctx = in_ctx ? in_ctx : sr_value_new_map(0);
    t->in_ver = in_ver ? in_ver : sr_value_new_map(0);
    in_ctx = in_ver = NULL;
    t->created_ms = t->updated_ms = r->now;
    if (!t->in_ctx || !t->in_ver)
        goto fail;
    if (!exec->latest && !(exec->latest = sr_value_new_map(8)))
        goto fail;
    if ((rc = sr_value_unshare(&exec->latest)) ||
        (rc =
             sr_value_map_put(exec->latest, t->name, sr_value_new_int(t->seq))))
        goto fail;
    exec->n_active++;
    exec->n_tasks++;
    exec->updated_ms = r->now;
    CORE_OPS(r)->exec_dirty(r->st, exec);
    core_task_t *kept = t;
    if ((rc = CORE_OPS(r)->task_add(r->st, &t)))
        return rc;
    *out = kept;
    return SR_OK;
fail:
    sr_value_destroy(&in_ctx);
    sr_value_destroy(&in_ver);
    core_task_destroy(&t);
    return sr_error_set(r->err, rc, "cannot create task execution");
}

// "Failed to run task [error=..., wf=..., task=...]" from r->err.
static sr_err_t
s_fail_to_run(core_run_t *r, core_exec_t *exec, core_task_t *task)
{
    char msg[1024];
    snprintf(msg, sizeof msg, "Failed to run task [error=%s, wf=%s, task=%s]",
             r->err->msg, exec->wf_name, task->name);
    sr_error_clear(r->err);
    return core_task_force_fail(r, exec, task, msg);
}

static sr_err_t
s_workflow(core_run_t *r, core_exec_t *exec, const core_task_t *task,
           const lang_task_t **spec)
{
    const lang_doc_t *doc;
    const lang_workflow_t *wf;
    sr_err_t rc = core_exec_workflow(r, exec, &doc, &wf);
    if (rc)
        return rc;
    *spec = core_task_spec(wf, task);
    if (!*spec)
        return sr_error_set(r->err, SR_ESTORE, "task '%s' not in its spec",
                            task->name);
    return SR_OK;
}

// Start the task's units (after the before-start policies).
static sr_err_t
s_start(core_run_t *r, core_exec_t *exec, core_task_t *task)
{
    sr_err_t rc = core_task_set_state(r, exec, task, CORE_T_RUNNING, NULL);
    return rc ? rc : core_unit_setup(r, exec, task);
}

sr_err_t
core_task_run(core_run_t *r, core_exec_t *exec, core_task_t *task)
{
    if (exec->state == CORE_EX_CANCELLED)
        return core_task_cancel(r, exec, task, NULL);
    if (exec->state == CORE_EX_PAUSED) {
        task->held = true;
        CORE_OPS(r)->task_dirty(r->st, task);
        return SR_OK;
    }
    task->held = false;
    const lang_task_t *spec;
    sr_err_t rc = s_workflow(r, exec, task, &spec);
    if (rc)
        return rc;
    if (task->pause_passed) // resumed after pause-before: no more policies
        return s_start(r, exec, task);
    task->pause_passed = true;
    task->started_ms = r->now;
    bool pause = false;
    if ((rc = core_eval_bool(r, exec, task, spec->pause_before, false, &pause)))
        return rc == SR_EEXPR ? s_fail_to_run(r, exec, task) : rc;
    double timeout = 0, wait = 0;
    if ((rc = core_eval_seconds(r, exec, task, spec->timeout, "timeout",
                                &timeout)) ||
        (rc = core_eval_seconds(r, exec, task, spec->wait_before, "wait-before",
                                &wait)))
        return rc == SR_EEXPR ? s_fail_to_run(r, exec, task) : rc;
    // The timeout counts from the first start, wait-before included.
    if (timeout > 0 &&
        (rc = core_timer_arm(r, task, CORE_TIMER_TIMEOUT, timeout)))
        return rc;
    if (pause && exec->state == CORE_EX_RUNNING) {
        if ((rc = core_task_set_state(r, exec, task, CORE_T_PAUSED,
                                      "Set by 'pause-before' policy")))
            return rc;
        return core_tree_pause(r, exec, NULL);
    }
    if (wait > 0) {
        char info[96];
        snprintf(info, sizeof info,
                 "Delayed by 'wait-before' policy [delay=%g]", wait);
        if ((rc = core_task_set_state(r, exec, task, CORE_T_DELAYED, info)))
            return rc;
        return core_timer_arm(r, task, CORE_TIMER_WAIT_BEFORE, wait);
    }
    return s_start(r, exec, task);
}

sr_err_t
core_task_units_done(core_run_t *r, core_exec_t *exec, core_task_t *task)
{
    core_task_state_t state = CORE_T_SUCCESS;
    const sr_value_t *first_error = NULL;
    for (uint32_t i = 0; i < task->n_units; i++) {
        core_unit_state_t u = core_unit_state(task, i);
        if (u == CORE_U_CANCELLED)
            state = CORE_T_CANCELLED;
        else if (u == CORE_U_ERROR && state != CORE_T_CANCELLED) {
            state = CORE_T_ERROR;
            if (!first_error)
                first_error = sr_value_array_at(task->results, i);
        }
    }
    core_set_value(&task->result,
                   task->items
                       ? sr_value_ref(task->results)
                       : sr_value_ref(sr_value_array_at(task->results, 0)));
    if (state == CORE_T_CANCELLED)
        return core_task_cancel(
            r, exec, task,
            task->items ? "One or more actions was cancelled." : NULL);
    char *info = NULL;
    if (state == CORE_T_ERROR) {
        if (task->items)
            info = strdup("One or more actions had failed.");
        else if (first_error && !sr_value_is(first_error, SR_T_NIL))
            info = lang_value_to_text(first_error);
    }
    sr_err_t rc = core_task_complete(r, exec, task, state, info);
    free(info);
    return rc;
}

// Evaluate and merge the publish blocks for `state`: the state clause's
// publish, the task's publish (-on-error), on-complete's publish (later
// ones win). `global` parts go to the execution's context.
static sr_err_t
s_publish(core_run_t *r, core_exec_t *exec, core_task_t *task,
          const lang_task_t *spec, core_task_state_t state)
{
    bool ok = state == CORE_T_SUCCESS;
    const lang_clause_t *own = &spec->on[ok ? LANG_ON_SUCCESS : LANG_ON_ERROR];
    const lang_clause_t *done = &spec->on[LANG_ON_COMPLETE];
    const lang_vt_t *branch[3] = {own->publish,
                                  ok ? spec->publish : spec->publish_on_error,
                                  done->publish};
    const lang_vt_t *global[2] = {own->publish_global, done->publish_global};
    sr_value_t *pub = sr_value_new_map(4);
    if (!pub)
        return SR_ENOMEM;
    sr_err_t rc = SR_OK;
    core_set_value(&task->published, NULL); // publish sees the inbound ctx
    for (int i = 0; i < 3 && !rc; i++) {
        sr_value_t *v = NULL;
        if (!branch[i])
            continue;
        rc = core_eval(r, exec, task, NULL, NULL, branch[i], NULL, &v);
        if (!rc && !sr_value_is(v, SR_T_MAP))
            rc = sr_error_set(r->err, SR_EEXPR, "publish must be a map");
        if (!rc)
            rc = sr_value_map_merge(pub, v, true);
        sr_value_destroy(&v);
    }
    for (int i = 0; i < 2 && !rc; i++) {
        sr_value_t *v = NULL;
        if (!global[i])
            continue;
        rc = core_eval(r, exec, task, NULL, NULL, global[i], NULL, &v);
        if (!rc && sr_value_is(v, SR_T_MAP) &&
            !(rc = sr_value_unshare(&exec->ctx)))
            rc = sr_value_map_merge(exec->ctx, v, true);
        sr_value_destroy(&v);
        CORE_OPS(r)->exec_dirty(r->st, exec);
    }
    if (rc) {
        sr_value_destroy(&pub);
        return rc;
    }
    core_set_value(&task->published, pub);
    return SR_OK;
}

// Retry decision (Mistral's RetryPolicy.after_task_complete); the task
// sees its published variables and result.
static sr_err_t
s_retry(core_run_t *r, core_exec_t *exec, const lang_task_t *spec,
        core_task_t *task, core_task_state_t state, bool *retrying)
{
    *retrying = false;
    const lang_retry_t *rp = spec->retry;
    if (!rp)
        return SR_OK;
    sr_value_t *count_v = NULL;
    sr_err_t rc =
        core_eval(r, exec, task, NULL, NULL, rp->count, NULL, &count_v);
    if (rc)
        return rc;
    int64_t count = sr_value_is_number(count_v) ? sr_value_int(count_v) : 0;
    sr_value_destroy(&count_v);
    if ((int64_t)task->retry_no >= count)
        return SR_OK;
    bool brk = false, cont = false;
    if (state == CORE_T_ERROR &&
        (rc = core_eval_bool(r, exec, task, rp->break_on, false, &brk)))
        return rc;
    if (rp->continue_on &&
        (rc = core_eval_bool(r, exec, task, rp->continue_on, false, &cont)))
        return rc;
    if (brk || (state == CORE_T_SUCCESS && !rp->continue_on) ||
        (rp->continue_on && !cont))
        return SR_OK;
    double delay = 0;
    if ((rc = core_eval_seconds(r, exec, task, rp->delay, "retry.delay",
                                &delay)))
        return rc;
    task->retry_no++;
    for (uint32_t i = 0; i < task->n_units; i++)
        if ((rc = core_unit_set_state(task, i, CORE_U_PENDING)))
            return rc;
    core_set_value(&task->result, NULL);
    *retrying = true;
    char info[96];
    snprintf(info, sizeof info, "Delayed by 'retry' policy [delay=%g]", delay);
    if ((rc = core_task_set_state(r, exec, task,
                                  delay > 0 ? CORE_T_DELAYED : CORE_T_RUNNING,
                                  delay > 0 ? info : NULL)))
        return rc;
    if (delay > 0)
        return core_timer_arm(r, task, CORE_TIMER_RETRY, delay);
    return core_unit_top_up(r, exec, task);
}

// The attempt is over for good: record it, then what follows.
static sr_err_t
s_finalize(core_run_t *r, core_exec_t *exec, core_task_t *task,
           const lang_task_t *spec, core_task_state_t state, const char *info)
{
    sr_err_t rc = core_timer_disarm(r, task);
    if (rc)
        return rc;
    // keep-result: false drops the result once published (an expression
    // is never evaluated, as in Mistral).
    const sr_value_t *keep =
        spec->keep_result ? lang_vt_const(spec->keep_result) : NULL;
    if (keep && !sr_value_truthy(keep))
        core_set_value(&task->result, NULL);
    exec->updated_ms = r->now;
    core_task_finish(r, exec, task);
    if ((rc = core_task_set_state(r, exec, task, state, info)))
        return rc;
    // What follows is core_flow.c's, above: it runs next.
    core_followup_t fu = {.kind = CORE_FU_TASK_ENDED,
                          .exec_id = exec->id,
                          .seq = task->seq,
                          .flag = exec->state == CORE_EX_RUNNING};
    return core_followup_push(r, &fu);
}

// "Failed to handle action completion [...]": publish, fail-on or retry
// expressions failed after the action; the workflow fails at once.
static sr_err_t
s_fail_completion(core_run_t *r, core_exec_t *exec, core_task_t *task)
{
    char msg[1024];
    snprintf(msg, sizeof msg,
             "Failed to handle action completion [error=%s, wf=%s, task=%s]",
             r->err->msg, exec->wf_name, task->name);
    sr_error_clear(r->err);
    return core_task_force_fail(r, exec, task, msg);
}

static sr_err_t
s_complete(core_run_t *r, core_exec_t *exec, core_task_t *task,
           core_task_state_t state, const char *info, bool after_wait)
{
    const lang_task_t *spec;
    sr_err_t rc = s_workflow(r, exec, task, &spec);
    if (rc)
        return rc;
    if (!after_wait && spec->wait_after) {
        double wait = 0;
        rc = core_eval_seconds(r, exec, task, spec->wait_after, "wait-after",
                               &wait);
        if (rc)
            return rc == SR_EEXPR ? s_fail_completion(r, exec, task) : rc;
        if (wait > 0) {
            char text[96];
            snprintf(text, sizeof text,
                     "Delayed by 'wait-after' policy [delay=%g]", wait);
            task->outcome = (uint8_t)state;
            if ((rc = core_task_set_state(r, exec, task, CORE_T_DELAYED,
                                          text)) ||
                (rc = core_set_str(&task->state_info, info)))
                return rc;
            return core_timer_arm(r, task, CORE_TIMER_WAIT_AFTER, wait);
        }
    }
    task->state = state; // publish and policies see the completed state
    if ((rc = core_set_str(&task->state_info, info)))
        return rc;
    rc = s_publish(r, exec, task, spec, state);
    if (rc)
        return rc == SR_EEXPR ? s_fail_completion(r, exec, task) : rc;
    char *why = NULL;
    if (state == CORE_T_SUCCESS && spec->fail_on) {
        bool fail = false;
        rc = core_eval_bool(r, exec, task, spec->fail_on, false, &fail);
        if (rc)
            return rc == SR_EEXPR ? s_fail_completion(r, exec, task) : rc;
        if (fail) {
            state = CORE_T_ERROR;
            why = "Failed by 'fail-on' policy";
        }
    }
    bool retrying = false;
    size_t mark = core_followup_mark(r);
    rc = s_retry(r, exec, spec, task, state, &retrying);
    if (rc)
        return rc == SR_EEXPR ? s_fail_completion(r, exec, task) : rc;
    // An expression error of what the retry set in motion fails the
    // completion too (CORE_FU_RETRY catches it).
    if (retrying)
        return core_followup_mark(r) == mark
                   ? SR_OK
                   : core_followup_about(r, CORE_FU_RETRY, exec, task);
    return s_finalize(r, exec, task, spec, state, why ? why : info);
}

sr_err_t
core_task_complete(core_run_t *r, core_exec_t *exec, core_task_t *task,
                   core_task_state_t state, const char *info)
{
    if (core_task_state_is_final(task->state) && task->finished_ms)
        return SR_OK;
    return s_complete(r, exec, task, state, info, false);
}

sr_err_t
core_task_force_fail(core_run_t *r, core_exec_t *exec, core_task_t *task,
                     const char *msg)
{
    if (task->finished_ms)
        return SR_OK;
    const lang_task_t *spec;
    sr_err_t rc = s_workflow(r, exec, task, &spec);
    if (!rc)
        rc = core_timer_disarm(r, task);
    if (!rc && task->state == CORE_T_RUNNING)
        rc = core_tree_cancel_units(r, exec, task);
    if (rc)
        return rc;
    task->state = CORE_T_ERROR;
    // Best effort, as Mistral: publish-on-error failing is ignored.
    if (s_publish(r, exec, task, spec, CORE_T_ERROR) == SR_EEXPR)
        sr_error_clear(r->err);
    task->fatal = task->processed = true;
    core_task_finish(r, exec, task);
    if ((rc = core_task_set_state(r, exec, task, CORE_T_ERROR, msg)))
        return rc;
    if (exec->state == CORE_EX_RUNNING || exec->state == CORE_EX_PAUSED)
        return core_exec_finish(r, exec, CORE_EX_ERROR, msg);
    return SR_OK;
}

sr_err_t
core_task_cancel(core_run_t *r, core_exec_t *exec, core_task_t *task,
                 const char *info)
{
    if (core_task_state_is_final(task->state) && task->finished_ms)
        return SR_OK;
    sr_err_t rc = core_tree_cancel_task(r, exec, task, info);
    return rc ? rc : core_exec_check(r, exec);
}

sr_err_t
core_task_timer(core_run_t *r, const core_timer_t *timer)
{
    core_exec_t *exec = NULL;
    core_task_t *task = NULL;
    // A fired timer is gone, whatever it finds.
    sr_err_t rc = CORE_OPS(r)->timer_del(r->st, timer->due_ms, &timer->id);
    if (!rc)
        rc = CORE_OPS(r)->exec_get(r->st, &timer->exec_id, &exec);
    if (!rc)
        rc = CORE_OPS(r)->task_get(r->st, &timer->exec_id, timer->seq, &task);
    if (rc == SR_ENOTFOUND)
        return SR_OK; // the execution was deleted; the timer is stale
    if (rc)
        return rc;
    bool is_timeout = timer->kind == CORE_TIMER_TIMEOUT;
    const sr_id_t *armed = is_timeout ? &task->timeout_id : &task->timer_id;
    if (!sr_id_equal(armed, &timer->id) || task->finished_ms)
        return SR_OK; // disarmed or superseded
    if (is_timeout) {
        task->timeout_due = 0;
        memset(&task->timeout_id, 0, sizeof task->timeout_id);
    } else {
        task->timer_due = 0;
        memset(&task->timer_id, 0, sizeof task->timer_id);
    }
    CORE_OPS(r)->task_dirty(r->st, task);
    if (exec->state == CORE_EX_CANCELLED)
        return core_task_cancel(r, exec, task, NULL);
    switch (timer->kind) {
    case CORE_TIMER_WAIT_BEFORE:
        return s_start(r, exec, task);
    case CORE_TIMER_WAIT_AFTER: {
        char *info = task->state_info ? strdup(task->state_info) : NULL;
        rc = s_complete(r, exec, task, (core_task_state_t)task->outcome, info,
                        true);
        free(info);
        return rc;
    }
    case CORE_TIMER_RETRY:
        if ((rc = core_task_set_state(r, exec, task, CORE_T_RUNNING, NULL)))
            return rc;
        return core_unit_top_up(r, exec, task);
    case CORE_TIMER_TIMEOUT: {
        const lang_task_t *spec;
        if ((rc = s_workflow(r, exec, task, &spec)))
            return rc;
        double secs = 0;
        (void)core_eval_seconds(r, exec, task, spec->timeout, "timeout", &secs);
        sr_error_clear(r->err);
        char info[96];
        snprintf(info, sizeof info, "Task timed out [timeout(s)=%g].", secs);
        if ((rc = core_timer_disarm_policy(r, task)))
            return rc;
        if (task->state == CORE_T_RUNNING &&
            (rc = core_tree_cancel_units(r, exec, task)))
            return rc;
        return core_task_complete(r, exec, task, CORE_T_ERROR, info);
    }
    default:
        return SR_OK;
    }
}

sr_err_t
core_task_followup(core_run_t *r, const core_followup_t *fu)
{
    if (fu->kind == CORE_FU_UNITS_DONE)
        return core_task_units_done(r, fu->exec, fu->task);
    if (fu->kind == CORE_FU_TASK_FAIL)
        return core_task_force_fail(r, fu->exec, fu->task, fu->text);
    return SR_OK; // CORE_FU_RETRY: nothing failed
}

sr_err_t
core_task_caught(core_run_t *r, const core_followup_t *fu, sr_err_t rc)
{
    return rc == SR_EEXPR ? s_fail_completion(r, fu->exec, fu->task) : rc;
}
