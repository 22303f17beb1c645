// Worker-facing events of action units: RESULT and COMPLETE (with an
// ad-hoc action's output applied), CONFIRM (GO or HALT from durable state)
// and the loss of a worker.
#include "core_unit_ev.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_adhoc.h"
#include "core_unit.h"

// An ad-hoc action's result through its output transformers.
static sr_err_t
s_adhoc_output(core_run_t *r, const core_exec_t *exec, const core_action_t *a,
               const sr_value_t *result, sr_value_t **out)
{
    const lang_doc_t *doc;
    const lang_workflow_t *wf;
    sr_err_t rc = core_exec_workflow(r, exec, &doc, &wf);
    return rc ? rc : core_adhoc_output(r, doc, a->adhoc, result, out);
}

sr_err_t
core_unit_on_result(core_run_t *r, const core_event_t *ev)
{
    char id[SR_ID_TEXT_SIZE];
    core_action_t *a = NULL;
    sr_err_t rc = CORE_OPS(r)->action_get(r->st, &ev->action_id, &a);
    // A worker's late RESULT for an action deleted with its execution:
    // nothing to apply, and the worker only needs its ACK.
    if (rc == SR_ENOTFOUND && ev->kind == CORE_EV_RESULT)
        return SR_OK;
    if (rc == SR_ENOTFOUND)
        return sr_error_set(r->err, SR_ENOTFOUND,
                            "action execution %s not found",
                            sr_id_format(&ev->action_id, id));
    if (rc)
        return rc;
    // A worker's duplicate RESULT is normal (resent until ACK); a client
    // completing a finished action is told so.
    if (core_action_state_is_final(a->state))
        return ev->kind == CORE_EV_COMPLETE
                   ? sr_error_set(r->err, SR_ESTATE,
                                  "action execution %s is already %s",
                                  sr_id_format(&a->id, id),
                                  core_action_state_name(a->state))
                   : SR_OK;
    if (ev->attempt && ev->attempt != a->attempt)
        return sr_error_set(r->err, SR_ESTATE,
                            "result for attempt %u of action execution %s "
                            "refused: attempt %u is current",
                            ev->attempt, sr_id_format(&a->id, id), a->attempt);
    if (ev->kind == CORE_EV_COMPLETE && ev->status == CORE_RESULT_PENDING)
        return sr_error_set(r->err, SR_EINVAL,
                            "a completion must be success or error");
    if (ev->status == CORE_RESULT_PENDING) {
        if (a->state == CORE_A_PENDING)
            return SR_OK;
        a->state = CORE_A_PENDING;
        CORE_OPS(r)->action_dirty(r->st, a);
        return a->has_token
                   ? CORE_OPS(r)->token_add(r->st, a->token_hash, &a->id)
                   : SR_OK;
    }
    core_exec_t *exec = NULL;
    core_task_t *task = NULL;
    if ((rc = CORE_OPS(r)->exec_get(r->st, &a->exec_id, &exec)) ||
        (rc = CORE_OPS(r)->task_get(r->st, &a->exec_id, a->seq, &task)))
        return rc;
    bool ok = ev->status == CORE_RESULT_SUCCESS;
    a->state = ok ? CORE_A_SUCCESS : CORE_A_ERROR;
    a->finished_ms = r->now;
    if (!a->worker && ev->worker)
        core_set_str(&a->worker, ev->worker);
    core_set_value(&a->result, ev->output
                                   ? sr_value_ref((sr_value_t *)ev->output)
                                   : sr_value_new_nil());
    CORE_OPS(r)->action_dirty(r->st, a);
    if (a->has_token && (rc = CORE_OPS(r)->token_del(r->st, a->token_hash)))
        return rc;
    sr_value_t *value = NULL;
    core_unit_state_t us = ok ? CORE_U_SUCCESS : CORE_U_ERROR;
    if (ok && a->adhoc) {
        rc = s_adhoc_output(r, exec, a, ev->output, &value);
        if (rc == SR_EEXPR) {
            value = sr_value_new_str(r->err->msg);
            sr_error_clear(r->err);
            us = CORE_U_ERROR;
        } else if (rc)
            return rc;
    } else
        value = ev->output ? sr_value_ref((sr_value_t *)ev->output) : NULL;
    rc = core_unit_done(r, exec, task, (uint32_t)a->item, us, value);
    sr_value_destroy(&value);
    return rc;
}

sr_err_t
core_unit_on_confirm(core_run_t *r, const core_event_t *ev)
{
    core_action_t *a = NULL;
    core_cmd_t c = {.kind = CORE_CMD_HALT,
                    .action_id = ev->action_id,
                    .attempt = ev->attempt};
    const char *why = NULL;
    sr_err_t rc = CORE_OPS(r)->action_get(r->st, &ev->action_id, &a);
    if (rc == SR_ENOTFOUND)
        why = "unknown action execution";
    else if (rc)
        return rc;
    else {
        core_exec_t *exec = NULL;
        if ((rc = CORE_OPS(r)->exec_get(r->st, &a->exec_id, &exec)))
            return rc;
        c.exec_id = a->exec_id;
        if (exec->state == CORE_EX_CANCELLED)
            why = "execution cancelled";
        else if (a->attempt != ev->attempt)
            why = "attempt is no longer current";
        else if (a->state == CORE_A_RUNNING && a->worker && ev->worker &&
                 strcmp(a->worker, ev->worker) == 0)
            c.kind = CORE_CMD_GO; // its GO was lost (an engine restart):
                                  // a worker confirms only before it starts
        else if (ev->fenced)
            why = ev->msg ? ev->msg : "the partition changed owner";
        else if (a->state != CORE_A_SCHEDULED)
            why = a->state == CORE_A_RUNNING ? "already started elsewhere"
                                             : "no longer waiting to start";
        else {
            c.kind = CORE_CMD_GO;
            a->state = CORE_A_RUNNING;
            a->started_ms = r->now;
            if (ev->worker && core_set_str(&a->worker, ev->worker))
                return SR_ENOMEM;
            CORE_OPS(r)->action_dirty(r->st, a);
        }
    }
    if ((why && !(c.text = strdup(why))) ||
        (ev->worker && !(c.worker = strdup(ev->worker)))) {
        free(c.text);
        return SR_ENOMEM;
    }
    return core_cmd_push(r, &c);
}

// Offer action `a` (SCHEDULED or safe to run again) anew: the next
// attempt, so that a CONFIRM of an earlier TASK gets HALT.
static sr_err_t
s_offer_anew(core_run_t *r, core_action_t *a)
{
    core_exec_t *exec = NULL;
    core_task_t *task = NULL;
    sr_err_t rc;
    if ((rc = CORE_OPS(r)->exec_get(r->st, &a->exec_id, &exec)) ||
        (rc = CORE_OPS(r)->task_get(r->st, &a->exec_id, a->seq, &task)))
        return rc;
    a->attempt++;
    a->state = CORE_A_SCHEDULED;
    core_set_str(&a->worker, NULL);
    CORE_OPS(r)->action_dirty(r->st, a);
    return core_unit_dispatch(r, exec, task, a);
}

sr_err_t
core_unit_on_reoffer(core_run_t *r, const core_event_t *ev)
{
    core_action_t *a = NULL;
    sr_err_t rc = CORE_OPS(r)->action_get(r->st, &ev->action_id, &a);
    if (rc == SR_ENOTFOUND)
        return SR_OK;
    if (rc)
        return rc;
    if (a->state != CORE_A_SCHEDULED ||
        (ev->attempt && ev->attempt != a->attempt))
        return SR_OK;
    return s_offer_anew(r, a);
}

sr_err_t
core_unit_on_worker_lost(core_run_t *r, const core_event_t *ev)
{
    core_action_t *a = NULL;
    sr_err_t rc = CORE_OPS(r)->action_get(r->st, &ev->action_id, &a);
    if (rc == SR_ENOTFOUND)
        return SR_OK;
    if (rc)
        return rc;
    if (core_action_state_is_final(a->state) || a->state == CORE_A_PENDING)
        return SR_OK; // delegates do not need their worker any more
    if ((ev->attempt && ev->attempt != a->attempt) ||
        (a->state == CORE_A_RUNNING && ev->worker && a->worker &&
         strcmp(ev->worker, a->worker) != 0))
        return SR_OK; // the action has moved on: another attempt, or
                      // another worker runs it
    if (a->state == CORE_A_SCHEDULED || a->safe_rerun)
        return s_offer_anew(r, a); // not started, or safe to run again
    core_exec_t *exec = NULL;
    core_task_t *task = NULL;
    if ((rc = CORE_OPS(r)->exec_get(r->st, &a->exec_id, &exec)) ||
        (rc = CORE_OPS(r)->task_get(r->st, &a->exec_id, a->seq, &task)))
        return rc;
    char msg[256];
    snprintf(msg, sizeof msg,
             "The worker '%s' running the action was lost (%s)",
             ev->worker ? ev->worker : (a->worker ? a->worker : "?"),
             ev->msg ? ev->msg : "no heartbeat");
    a->state = CORE_A_ERROR;
    a->finished_ms = r->now;
    sr_value_t *err = sr_value_new_str(msg);
    core_set_value(&a->result, sr_value_ref(err));
    CORE_OPS(r)->action_dirty(r->st, a);
    rc = core_unit_done(r, exec, task, (uint32_t)a->item, CORE_U_ERROR, err);
    sr_value_destroy(&err);
    return rc;
}
