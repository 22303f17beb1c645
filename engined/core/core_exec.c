// Workflow executions: start (top-level and child), resume and rerun.
// Pause and cancel run down the tree (core_tree.c); the end is
// core_exec_end.c's. Children run in their parent's partition: a unit's
// sub-workflow starts here through a follow-up (CORE_FU_CHILD_START), and
// one that finished reports back through a deferred one in the same step.
#include "core_exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_ctx.h"
#include "core_env.h"
#include "core_exec_end.h"
#include "core_flow.h"
#include "core_task.h"
#include "core_tree.h"
#include "core_unit.h"

// Append `text` to a growing buffer (bounded).
static void
s_cat(char *buf, size_t size, const char *text)
{
    size_t n = strlen(buf);
    if (n + 1 < size)
        snprintf(buf + n, size - n, "%s", text);
}

// Check the given input against the workflow's parameters and fill
// defaults. Mistral's wording: "Invalid input [name=wf, missing=['x']]".
static sr_err_t
s_input(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf,
        const sr_value_t *given, sr_value_t **out)
{
    char missing[512] = "", unexpected[512] = "";
    sr_value_t *in = sr_value_new_map(wf->ninputs);
    if (!in)
        return SR_ENOMEM;
    sr_err_t rc = SR_OK;
    for (size_t i = 0; i < wf->ninputs && !rc; i++) {
        const lang_param_t *p = &wf->inputs[i];
        sr_value_t *v = sr_value_map_get(given, p->name);
        if (v)
            rc = sr_value_map_put(in, p->name, sr_value_ref(v));
        else if (p->default_value) {
            sr_value_t *d = NULL;
            rc = core_eval(r, exec, NULL, in, NULL, p->default_value, NULL, &d);
            if (!rc)
                rc = sr_value_map_put(in, p->name, d);
        } else {
            s_cat(missing, sizeof missing, *missing ? ", '" : "'");
            s_cat(missing, sizeof missing, p->name);
            s_cat(missing, sizeof missing, "'");
        }
    }
    // A sub-workflow drops what it does not declare; a top-level start
    // with unknown input is refused.
    bool strict = sr_id_is_nil(&exec->parent_id);
    for (size_t i = 0; strict && i < sr_value_len(given) && !rc; i++) {
        const char *k = sr_value_str(sr_value_map_key(given, i));
        bool declared = false;
        for (size_t j = 0; j < wf->ninputs; j++)
            declared |= strcmp(wf->inputs[j].name, k) == 0;
        if (!declared) {
            s_cat(unexpected, sizeof unexpected, *unexpected ? ", '" : "'");
            s_cat(unexpected, sizeof unexpected, k);
            s_cat(unexpected, sizeof unexpected, "'");
        }
    }
    if (!rc && (*missing || *unexpected)) {
        rc = sr_error_set(
            r->err, SR_EINVAL, "Invalid input [name=%s%s%s%s%s%s]", wf->name,
            *missing ? ", missing=[" : "", missing, *missing ? "]" : "",
            *unexpected ? ", unexpected=[" : "", unexpected);
        if (*unexpected)
            s_cat(r->err->msg, sizeof r->err->msg, "]]");
    }
    if (rc) {
        sr_value_destroy(&in);
        return rc;
    }
    *out = in;
    return SR_OK;
}

// Create the execution record (ownership of *exec_p moves in, also on
// failure) and start its first tasks.
static sr_err_t
s_start(core_run_t *r, core_exec_t **exec_p, const lang_workflow_t *wf,
        const sr_value_t *given)
{
    core_exec_t *exec = *exec_p;
    exec->state = CORE_EX_RUNNING;
    exec->created_ms = exec->updated_ms = r->now;
    sr_value_t *input = NULL;
    char *vars_error = NULL;
    sr_err_t rc = s_input(r, exec, wf, given, &input);
    if (rc)
        goto fail;
    exec->input = input;
    if ((!exec->ctx && !(exec->ctx = sr_value_new_map(0))) ||
        (!exec->latest && !(exec->latest = sr_value_new_map(0)))) {
        rc = SR_ENOMEM;
        goto fail;
    }
    // A sub-workflow inherits its parent's env, evaluated already.
    if (sr_id_is_nil(&exec->parent_id) && (rc = core_env_evaluate(r, exec)))
        goto fail;
    if (wf->vars) {
        sr_value_t *vars = NULL;
        rc = core_eval(r, exec, NULL, NULL, NULL, wf->vars, NULL, &vars);
        if (rc == SR_EEXPR) {
            vars_error = strdup(r->err->msg);
            sr_error_clear(r->err);
            rc = SR_OK;
        } else if (rc)
            goto fail;
        else if (sr_value_is(vars, SR_T_MAP))
            core_set_value(&exec->ctx, vars);
        else
            sr_value_destroy(&vars);
    }
    if ((rc = CORE_OPS(r)->exec_add(r->st, exec_p)))
        goto done;
    if ((rc = core_notify_exec(r, exec)))
        goto done;
    if (vars_error) {
        char msg[1024];
        snprintf(msg, sizeof msg, "Failed to evaluate workflow vars: %s",
                 vars_error);
        rc = core_exec_finish(r, exec, CORE_EX_ERROR, msg);
        goto done;
    }
    // The completion check waits for the start tasks (follow-ups).
    if ((rc = core_flow_start(r, exec)))
        goto done;
    rc = core_followup_about(r, CORE_FU_CHECK, exec, NULL);
    goto done;
fail:
    core_exec_destroy(exec_p);
done:
    free(vars_error);
    return rc;
}

// A reverse workflow needs an existing target task in params.task_name.
static sr_err_t
s_check_target(core_run_t *r, const lang_workflow_t *wf,
               const sr_value_t *params)
{
    if (wf->type != LANG_WF_REVERSE)
        return SR_OK;
    const char *name = sr_value_map_str(params, "task_name");
    if (!name)
        return sr_error_set(r->err, SR_EINVAL,
                            "reverse workflow '%s' needs a target task "
                            "(params: task_name)",
                            wf->name);
    if (lang_workflow_task_index(wf, name) < 0)
        return sr_error_set(r->err, SR_EINVAL,
                            "reverse workflow '%s': task '%s' not found",
                            wf->name, name);
    return SR_OK;
}

// A start naming an execution that exists: the retry of the start that
// made it (the client chose the id), be it in this batch or long ago. It
// creates and changes nothing, whatever state the execution is in and
// even when its workflow was deleted since; the answer reads the
// execution as it is now. A start of another workflow under that id, or
// under the id of a sub-workflow execution, is not a retry: EEXIST.
static sr_err_t
s_start_again(core_run_t *r, const core_exec_t *exec, const char *wf_name)
{
    char id[SR_ID_TEXT_SIZE];
    sr_id_format(&exec->id, id);
    if (!sr_id_is_nil(&exec->parent_id))
        return sr_error_at(r->err, SR_EEXIST, "field 'id'",
                           "execution %s exists already: a sub-workflow "
                           "execution of workflow '%.200s'",
                           id, exec->wf_name);
    if (strcmp(exec->wf_name, wf_name) != 0)
        return sr_error_at(r->err, SR_EEXIST, "field 'id'",
                           "execution %s exists already, of workflow "
                           "'%.80s', not '%.80s'",
                           id, exec->wf_name, wf_name);
    return SR_OK;
}

sr_err_t
core_exec_start(core_run_t *r, const core_event_t *ev)
{
    char hash[65];
    const char *def = ev->def_hash;
    sr_err_t rc;
    if (!ev->wf_name)
        return sr_error_set(r->err, SR_EINVAL, "no workflow name given");
    core_exec_t *probe = NULL;
    if ((rc = CORE_OPS(r)->exec_get(r->st, &ev->exec_id, &probe)) == SR_OK)
        return s_start_again(r, probe, ev->wf_name);
    if (rc != SR_ENOTFOUND)
        return rc;
    if (!def) {
        if ((rc = CORE_OPS(r)->def_for_name(r->st, ev->wf_name, hash)))
            return rc == SR_ENOTFOUND
                       ? sr_error_set(r->err, SR_ENOTFOUND,
                                      "workflow '%s' not found", ev->wf_name)
                       : rc;
        def = hash;
    }
    const lang_doc_t *doc = NULL;
    if ((rc = CORE_OPS(r)->doc_get(r->st, def, &doc)))
        return sr_error_set(r->err, rc, "definition %s not found", def);
    const lang_workflow_t *wf = lang_doc_workflow(doc, ev->wf_name);
    if (!wf)
        return sr_error_set(r->err, SR_ENOTFOUND, "workflow '%s' not found",
                            ev->wf_name);
    core_exec_t *exec = core_exec_new();
    if (!exec)
        return SR_ENOMEM;
    exec->id = exec->root_id = ev->exec_id;
    rc = core_set_str(&exec->wf_name, wf->name);
    if (!rc)
        rc = core_set_str(&exec->def_hash, def);
    if (!rc)
        rc = core_set_str(&exec->description, ev->description);
    exec->params = ev->params ? sr_value_ref((sr_value_t *)ev->params)
                              : sr_value_new_map(0);
    const sr_value_t *env =
        ev->env ? ev->env : sr_value_map_get(ev->params, "env");
    exec->env = env ? sr_value_ref((sr_value_t *)env) : sr_value_new_map(0);
    if (!rc && (!exec->params || !exec->env))
        rc = SR_ENOMEM;
    if (!rc && !sr_value_is(exec->env, SR_T_MAP))
        rc = sr_error_set(r->err, SR_EINVAL, "field 'env': must be a map");
    if (!rc && ev->input && !sr_value_is(ev->input, SR_T_MAP))
        rc = sr_error_set(r->err, SR_EINVAL, "field 'input': must be a map");
    if (!rc)
        rc = s_check_target(r, wf, exec->params);
    if (rc) {
        core_exec_destroy(&exec);
        return rc;
    }
    return s_start(r, &exec, wf, ev->input);
}

// Mistral passes what a sub-workflow task gives beyond the sub-workflow's
// declared input as start parameters (e.g. task_name of a reverse
// sub-workflow): copy those entries into `params`.
static sr_err_t
s_params_from_input(const lang_workflow_t *wf, const sr_value_t *input,
                    sr_value_t *params)
{
    for (size_t i = 0; i < sr_value_len(input); i++) {
        const char *k = sr_value_str(sr_value_map_key(input, i));
        bool declared = false;
        for (size_t j = 0; j < wf->ninputs && !declared; j++)
            declared = strcmp(wf->inputs[j].name, k) == 0;
        sr_err_t rc =
            declared
                ? SR_OK
                : sr_value_map_putv(params, sr_value_map_key(input, i),
                                    sr_value_ref(sr_value_map_val(input, i)));
        if (rc)
            return rc;
    }
    return SR_OK;
}

// Make the child execution for unit `item` of `ptask` and start it (its
// start tasks follow). *child_id names it. A workflow-level problem
// (unknown workflow, bad input) is SR_EEXPR with r->err saying why.
static sr_err_t
s_start_child(core_run_t *r, core_exec_t *parent, core_task_t *ptask,
              uint32_t item, const char *wf_name, sr_value_t *input,
              sr_id_t *child_id)
{
    const lang_doc_t *doc = NULL;
    const lang_workflow_t *pwf = NULL, *wf = NULL;
    char hash[65];
    const char *def = parent->def_hash;
    sr_err_t rc = core_exec_workflow(r, parent, &doc, &pwf);
    if (rc)
        goto done;
    wf = lang_doc_workflow(doc, wf_name);
    if (!wf) { // not in the parent's document: the newest stored one
        rc = CORE_OPS(r)->def_for_name(r->st, wf_name, hash);
        if (!rc)
            rc = CORE_OPS(r)->doc_get(r->st, hash, &doc);
        if (!rc)
            wf = lang_doc_workflow(doc, wf_name);
        if (rc == SR_ENOTFOUND || (!rc && !wf)) {
            rc = sr_error_set(r->err, SR_EEXPR, "Workflow '%s' not found",
                              wf_name);
            goto done;
        }
        if (rc)
            goto done;
        def = hash;
    }
    int depth = 0;
    for (core_exec_t *p = parent; p && depth <= r->core->max_depth; depth++) {
        if (sr_id_is_nil(&p->parent_id))
            break;
        if (CORE_OPS(r)->exec_get(r->st, &p->parent_id, &p))
            break;
    }
    if (depth >= r->core->max_depth) {
        rc = sr_error_set(r->err, SR_EEXPR,
                          "sub-workflows nested deeper than %d",
                          r->core->max_depth);
        goto done;
    }
    core_exec_t *exec = core_exec_new();
    if (!exec) {
        rc = SR_ENOMEM;
        goto done;
    }
    sr_id_make(r->st->partition, r->now, &exec->id);
    exec->parent_id = parent->id;
    exec->parent_seq = ptask->seq;
    exec->parent_item = (int32_t)item;
    exec->root_id = parent->root_id;
    rc = core_set_str(&exec->wf_name, wf->name);
    if (!rc)
        rc = core_set_str(&exec->def_hash, def);
    exec->params = sr_value_new_map(0);
    exec->env = parent->env ? sr_value_ref(parent->env) : sr_value_new_map(0);
    if (!rc && (!exec->params || !exec->env))
        rc = SR_ENOMEM;
    if (rc) {
        core_exec_destroy(&exec);
        goto done;
    }
    if ((rc = s_params_from_input(wf, input, exec->params))) {
        core_exec_destroy(&exec);
        goto done;
    }
    *child_id = exec->id;
    rc = s_start(r, &exec, wf, input);
    if (rc == SR_EINVAL)
        rc = SR_EEXPR; // bad input: the parent's unit fails
done:
    sr_value_destroy(&input);
    return rc;
}

// Resume the paused sub-workflows of a running task's units, from unit
// `from` on. A resume that pushed follow-ups leaves the rest to a
// follow-up behind them.
static sr_err_t
s_resume_units(core_run_t *r, core_exec_t *exec, core_task_t *task,
               uint32_t from)
{
    for (uint32_t i = from; i < task->n_units; i++) {
        core_exec_t *child = NULL;
        sr_err_t rc = core_tree_child(r, task, i, &child);
        if (rc == SR_ENOTFOUND)
            continue; // an action, not a child
        size_t mark = core_followup_mark(r);
        if (!rc && child->state == CORE_EX_PAUSED)
            rc = core_exec_resume(r, child);
        if (rc)
            return rc;
        if (core_followup_mark(r) != mark && i + 1 < task->n_units) {
            core_followup_t fu = {.kind = CORE_FU_RESUME_UNITS,
                                  .exec_id = exec->id,
                                  .seq = task->seq,
                                  .item = i + 1};
            return core_followup_push(r, &fu);
        }
    }
    return SR_OK;
}

// What a task execution does again when its execution resumes.
static sr_err_t
s_resume_task(core_run_t *r, core_exec_t *exec, core_task_t *t)
{
    size_t mark = core_followup_mark(r);
    if (core_task_state_is_final(t->state) && !t->processed) {
        core_modes_t saved = r->modes;
        r->modes.resuming = true;
        sr_err_t rc = core_flow_after(r, exec, t);
        sr_err_t back = core_run_restore(r, &saved, mark);
        return rc ? rc : back;
    }
    if (core_task_state_is_final(t->state) && t->backlog)
        return core_flow_backlog(r, exec, t);
    if ((t->state == CORE_T_WAITING && t->held) || t->state == CORE_T_PAUSED)
        return core_task_run(r, exec, t);
    if (t->state != CORE_T_RUNNING)
        return SR_OK;
    sr_err_t rc = s_resume_units(r, exec, t, 0);
    if (rc)
        return rc;
    if (core_followup_mark(r) == mark)
        return core_unit_top_up(r, exec, t);
    core_followup_t fu = {.kind = CORE_FU_TOP_UP,
                          .exec_id = exec->id,
                          .seq = t->seq,
                          .flag = true};
    return core_followup_push(r, &fu);
}

// Resume the task executions from seq `from` up to `n`, in order. One
// whose resume pushed follow-ups leaves the rest to a follow-up behind
// them.
static sr_err_t
s_resume_tasks(core_run_t *r, core_exec_t *exec, uint32_t from, uint32_t n)
{
    for (uint32_t seq = from; seq < n && exec->state == CORE_EX_RUNNING;
         seq++) {
        size_t mark = core_followup_mark(r);
        core_task_t *t = NULL;
        sr_err_t rc = CORE_OPS(r)->task_get(r->st, &exec->id, seq, &t);
        if (!rc)
            rc = s_resume_task(r, exec, t);
        if (rc)
            return rc;
        if (core_followup_mark(r) != mark && seq + 1 < n) {
            core_followup_t fu = {.kind = CORE_FU_RESUME,
                                  .exec_id = exec->id,
                                  .item = seq + 1,
                                  .count = n};
            return core_followup_push(r, &fu);
        }
    }
    return SR_OK;
}

sr_err_t
core_exec_resume(core_run_t *r, core_exec_t *exec)
{
    if (exec->state != CORE_EX_PAUSED)
        return sr_error_set(r->err, SR_ESTATE,
                            "cannot resume an execution in state %s",
                            core_ex_state_name(exec->state));
    sr_err_t rc = core_exec_set_state(r, exec, CORE_EX_RUNNING, NULL);
    // The task executions there are now (seq 0 to n - 1), in order; then
    // the joins waiting and the completion check (core_flow.c,
    // core_exec_end.c).
    if (!rc)
        rc = s_resume_tasks(r, exec, 0, exec->next_seq);
    core_followup_t joins = {.kind = CORE_FU_JOINS, .exec_id = exec->id};
    if (!rc)
        rc = core_followup_push(r, &joins);
    return rc ? rc : core_followup_about(r, CORE_FU_CHECK, exec, NULL);
}

typedef struct {
    const char *name;
    core_task_t *found;
} s_find_t;

static sr_err_t
s_find_visit(void *arg, core_task_t *task)
{
    s_find_t *f = arg;
    if (strcmp(task->name, f->name) == 0)
        f->found = task; // the latest execution wins
    return SR_OK;
}

sr_err_t
core_exec_rerun(core_run_t *r, core_exec_t *exec, const char *task_name,
                bool reset)
{
    if (exec->state != CORE_EX_ERROR && exec->state != CORE_EX_CANCELLED)
        return sr_error_set(r->err, SR_ESTATE,
                            "only a failed or cancelled execution can rerun "
                            "a task (state %s)",
                            core_ex_state_name(exec->state));
    if (!task_name)
        return sr_error_set(r->err, SR_EINVAL, "field 'task': required");
    s_find_t f = {task_name, NULL};
    sr_err_t rc = CORE_OPS(r)->task_scan(r->st, &exec->id, s_find_visit, &f);
    if (rc)
        return rc;
    if (!f.found)
        return sr_error_set(r->err, SR_ENOTFOUND,
                            "task '%s' has no execution to rerun", task_name);
    core_task_t *t = f.found;
    if (t->state != CORE_T_ERROR && t->state != CORE_T_CANCELLED)
        return sr_error_set(r->err, SR_ESTATE,
                            "task '%s' is %s; only a failed or cancelled "
                            "task reruns",
                            task_name, core_task_state_name(t->state));
    exec->state = CORE_EX_RUNNING;
    core_set_str(&exec->state_info, NULL);
    core_set_value(&exec->output, NULL);
    exec->n_active++;
    exec->updated_ms = r->now;
    CORE_OPS(r)->exec_dirty(r->st, exec);
    if ((rc = core_notify_exec(r, exec)))
        return rc;
    bool from_scratch =
        !t->units || t->n_units == 0 || (reset && t->items) || t->fatal;
    t->processed = t->handled = t->fatal = false;
    t->finished_ms = 0;
    t->retry_no = 0;
    core_set_str(&t->state_info, NULL);
    core_set_value(&t->result, NULL);
    core_set_value(&t->published, NULL);
    core_set_value(&t->next, NULL);
    core_set_value(&t->backlog, NULL);
    if (from_scratch) {
        // Never got as far as its units (or a full reset): start over.
        t->state = CORE_T_WAITING;
        t->pause_passed = true;
        CORE_OPS(r)->task_dirty(r->st, t);
        return core_task_run(r, exec, t);
    }
    for (uint32_t i = 0; i < t->n_units; i++) {
        core_unit_state_t u = core_unit_state(t, i);
        if (u == CORE_U_ERROR || u == CORE_U_CANCELLED || (reset && t->items))
            if ((rc = core_unit_set_state(t, i, CORE_U_PENDING)))
                return rc;
    }
    t->state = CORE_T_RUNNING;
    t->started_ms = r->now;
    CORE_OPS(r)->task_dirty(r->st, t);
    if ((rc = core_notify_task(r, exec, t)))
        return rc;
    return core_unit_top_up(r, exec, t);
}

// A sub-workflow reached a final state: its unit in the parent task ends.
static sr_err_t
s_child_done(core_run_t *r, const sr_id_t *child_id)
{
    core_exec_t *child = NULL, *parent = NULL;
    core_task_t *task = NULL;
    sr_err_t rc = CORE_OPS(r)->exec_get(r->st, child_id, &child);
    if (!rc)
        rc = CORE_OPS(r)->exec_get(r->st, &child->parent_id, &parent);
    if (!rc)
        rc = CORE_OPS(r)->task_get(r->st, &child->parent_id, child->parent_seq,
                                   &task);
    if (rc)
        return rc == SR_ENOTFOUND ? SR_OK : rc;
    uint32_t item = child->parent_item < 0 ? 0 : (uint32_t)child->parent_item;
    switch (child->state) {
    case CORE_EX_SUCCESS:
        return core_unit_done(r, parent, task, item, CORE_U_SUCCESS,
                              child->output);
    case CORE_EX_ERROR: {
        sr_value_t *msg = sr_value_new_str(
            child->state_info ? child->state_info : "Sub-workflow failed");
        rc = core_unit_done(r, parent, task, item, CORE_U_ERROR, msg);
        sr_value_destroy(&msg);
        return rc;
    }
    case CORE_EX_CANCELLED:
        return core_unit_done(r, parent, task, item, CORE_U_CANCELLED, NULL);
    default:
        return SR_OK;
    }
}

// Start the sub-workflow a unit runs. One that cannot start fails its
// unit, as Mistral fails the action, also when what its start set in
// motion fails (CORE_FU_CHILD_STARTED catches that).
static sr_err_t
s_child_start(core_run_t *r, const core_followup_t *fu, core_exec_t *exec,
              core_task_t *task)
{
    sr_id_t child;
    sr_err_t rc = s_start_child(r, exec, task, fu->item, fu->text,
                                sr_value_ref(fu->value), &child);
    if (rc == SR_EEXPR)
        return core_unit_fail(r, exec, task, fu->item);
    if (rc)
        return rc;
    // The child may have finished already (e.g. only no-op tasks); its
    // deferred CORE_FU_CHILD_DONE then completes this unit in the step.
    core_followup_t started = {.kind = CORE_FU_CHILD_STARTED,
                               .exec_id = exec->id,
                               .seq = task->seq,
                               .item = fu->item,
                               .id = child};
    return core_followup_push(r, &started);
}

sr_err_t
core_exec_followup(core_run_t *r, const core_followup_t *fu)
{
    switch (fu->kind) {
    case CORE_FU_CHILD_START:
        return s_child_start(r, fu, fu->exec, fu->task);
    case CORE_FU_CHILD_STARTED:
        return core_unit_started(r, fu->task, fu->item, &fu->id);
    case CORE_FU_RESUME:
        return s_resume_tasks(r, fu->exec, fu->item, fu->count);
    case CORE_FU_RESUME_UNITS:
        return s_resume_units(r, fu->exec, fu->task, fu->item);
    default:
        return s_child_done(r, &fu->id); // CORE_FU_CHILD_DONE
    }
}

sr_err_t
core_exec_caught(core_run_t *r, const core_followup_t *fu, sr_err_t rc)
{
    if (rc != SR_EEXPR && rc != SR_EINVAL)
        return rc;
    return core_unit_fail(r, fu->exec, fu->task, fu->item);
}
