// What runs next. Direct workflows: a completed task's on-success /
// on-error entries then its on-complete entries, in order, with conditions;
// engine commands stop the list; tasks chosen before a command still run;
// a join collects the arrival (core_join.c). Reverse workflows run what
// the target task requires, each task once its requirements succeeded.
// A task's end comes here as a follow-up (CORE_FU_TASK_ENDED); a loop that
// starts tasks leaves its rest to a follow-up when one of them did.
#include "core_flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_ctx.h"
#include "core_exec_end.h"
#include "core_join.h"
#include "core_task.h"
#include "core_tree.h"

// --- transitions -----------------------------------------------------------

// Reach `target` from `src`: a plain task starts a new execution with
// src's outbound context; a join collects it (core_join.c).
static sr_err_t
s_trigger(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf,
          core_task_t *src, int target)
{
    sr_value_t *out = core_ctx_outbound(src);
    sr_value_t *ver = core_ver_outbound(src);
    sr_err_t rc = out && ver ? SR_OK : SR_ENOMEM;
    if (!rc && wf->tasks[target].join == LANG_JOIN_NONE) {
        core_task_t *task = NULL;
        rc = core_task_create(r, exec, wf, target, sr_value_ref(out),
                              sr_value_ref(ver), &task);
        if (!rc)
            rc = core_task_run(r, exec, task);
    } else if (!rc)
        rc = core_join_arrive(r, exec, wf, src, target, out, ver);
    sr_value_destroy(&out);
    sr_value_destroy(&ver);
    return rc;
}

// Reach the spec tasks `order[0..n)` from `src` in turn. A target whose
// start pushed follow-ups leaves the rest to a follow-up behind them.
static sr_err_t
s_triggers(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf,
           core_task_t *src, const int *order, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t mark = core_followup_mark(r);
        sr_err_t rc = s_trigger(r, exec, wf, src, order[i]);
        if (rc)
            return rc;
        if (core_followup_mark(r) != mark && i + 1 < n) {
            core_followup_t fu = {
                .kind = CORE_FU_TRIGGERS,
                .exec_id = exec->id,
                .seq = src->seq,
                .value = sr_value_new_bin(order + i + 1,
                                          (n - i - 1) * sizeof *order)};
            if (!fu.value)
                return sr_error_set(r->err, SR_ENOMEM, "out of memory");
            return core_followup_push(r, &fu);
        }
    }
    return SR_OK;
}

// A transition's condition or a command's message failed to evaluate:
// Mistral force-fails the (already completed) task and the workflow with
// "Failed to handle action completion [...]".
static sr_err_t
s_flow_error(core_run_t *r, core_exec_t *exec, core_task_t *task)
{
    char info[1024];
    snprintf(info, sizeof info,
             "Failed to handle action completion [error=%s, wf=%s, task=%s]",
             r->err->msg, exec->wf_name, task->name);
    sr_error_clear(r->err);
    sr_err_t rc = core_set_str(&task->state_info, info);
    if (rc)
        return rc;
    task->state = CORE_T_ERROR;
    task->fatal = true;
    task->processed = true;
    CORE_OPS(r)->task_dirty(r->st, task);
    if ((rc = core_notify_task(r, exec, task)))
        return rc;
    return core_exec_finish(r, exec, CORE_EX_ERROR, info);
}

// After a task's transitions ran (what `mark` counted before, `rc` what
// they returned): an expression error fails the task and the workflow,
// also one met by what they started and left to follow-ups, as a call
// they made would have returned it (CORE_FU_FLOW_DONE catches it).
static sr_err_t
s_guard(core_run_t *r, core_exec_t *exec, core_task_t *task, size_t mark,
        sr_err_t rc)
{
    if (rc == SR_EEXPR)
        return s_flow_error(r, exec, task);
    if (rc || core_followup_mark(r) == mark)
        return rc;
    return core_followup_about(r, CORE_FU_FLOW_DONE, exec, task);
}

// The clauses a completed task's transitions come from, in order: its
// state's own clause, then on-complete.
static void
s_clauses(const lang_workflow_t *wf, const core_task_t *task,
          const lang_clause_t *out[2])
{
    const lang_task_t *spec = core_task_spec(wf, task);
    out[0] = task->state == CORE_T_SUCCESS ? &spec->on[LANG_ON_SUCCESS]
                                           : &spec->on[LANG_ON_ERROR];
    out[1] = &spec->on[LANG_ON_COMPLETE];
}

// What a task's transitions chose: tasks to start, the first engine
// command, and (after a `pause`) the entries kept for the resume.
typedef struct {
    int *next; // spec task indexes, in order
    size_t nnext;
    const lang_next_t *cmd;
    sr_value_t *backlog; // array of (clause << 16 | entry), or NULL
    bool handled;
} s_choice_t;

static sr_err_t
s_choose_task(s_choice_t *ch, int index)
{
    int *grown = realloc(ch->next, (ch->nnext + 1) * sizeof *grown);
    if (!grown)
        return SR_ENOMEM;
    ch->next = grown;
    ch->next[ch->nnext++] = index;
    return SR_OK;
}

static sr_err_t
s_keep_for_resume(s_choice_t *ch, int clause, size_t entry)
{
    if (!ch->backlog && !(ch->backlog = sr_value_new_array(2)))
        return SR_ENOMEM;
    return sr_value_array_append(
        ch->backlog, sr_value_new_int(((int64_t)clause << 16) | (int)entry));
}

// Evaluate the entries in order. Engine commands stop the list, except
// `pause`: Mistral keeps what follows it for the resume (and drops pause
// commands met while resuming).
static sr_err_t
s_choose(core_run_t *r, core_exec_t *exec, core_task_t *task,
         const lang_clause_t *const clauses[2], s_choice_t *ch)
{
    bool stop = false;
    sr_err_t rc = SR_OK;
    for (int c = 0; c < 2 && !stop && !rc; c++) {
        for (size_t i = 0; i < clauses[c]->count && !stop && !rc; i++) {
            const lang_next_t *n = &clauses[c]->next[i];
            bool go = false;
            if ((rc = core_eval_bool(r, exec, task, n->when, true, &go)) || !go)
                continue;
            if (c == 0 && task->state == CORE_T_ERROR)
                ch->handled = true;
            if (ch->cmd) // after a pause
                rc = n->cmd == LANG_CMD_NOOP || n->cmd == LANG_CMD_PAUSE
                         ? SR_OK
                         : s_keep_for_resume(ch, c, i);
            else if (n->cmd == LANG_CMD_NONE)
                rc = s_choose_task(ch, n->task_index);
            else if (n->cmd != LANG_CMD_NOOP &&
                     !(n->cmd == LANG_CMD_PAUSE && r->modes.resuming)) {
                ch->cmd = n;
                stop = n->cmd != LANG_CMD_PAUSE;
            }
        }
    }
    return rc;
}

// Carry out a choice: record where the task led, run the command, then
// start the chosen tasks (those before a command still run; joins last).
static sr_err_t
s_carry_out(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf,
            core_task_t *task, const s_choice_t *ch)
{
    sr_err_t rc = SR_OK;
    for (size_t i = 0; i < ch->nnext && !rc; i++)
        rc = core_names_add(&task->next, wf->tasks[ch->next[i]].name);
    CORE_OPS(r)->task_dirty(r->st, task);
    if (!rc && ch->cmd) {
        sr_value_t *msg = NULL;
        rc = core_eval(r, exec, task, NULL, NULL, ch->cmd->msg, NULL, &msg);
        if (rc == SR_EEXPR)
            return rc;
        char *text = NULL;
        if (!rc && msg && !sr_value_is(msg, SR_T_NIL))
            text = sr_value_is(msg, SR_T_STR) ? strdup(sr_value_str(msg))
                                              : lang_value_to_text(msg);
        sr_value_destroy(&msg);
        if (!rc && ch->cmd->cmd == LANG_CMD_PAUSE)
            rc = core_tree_pause(r, exec, text);
        else if (!rc)
            rc = core_exec_finish(
                r, exec,
                ch->cmd->cmd == LANG_CMD_FAIL ? CORE_EX_ERROR : CORE_EX_SUCCESS,
                text);
        free(text);
    }
    if (rc || !ch->nnext)
        return rc;
    // Plain tasks first, then joins, each in the order chosen.
    int *order = malloc(ch->nnext * sizeof *order);
    if (!order)
        return SR_ENOMEM;
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < ch->nnext; i++)
            if ((wf->tasks[ch->next[i]].join != LANG_JOIN_NONE) == (pass == 1))
                order[n++] = ch->next[i];
    rc = s_triggers(r, exec, wf, task, order, n);
    free(order);
    return rc;
}

static sr_err_t
s_direct_after(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf,
               core_task_t *task)
{
    const lang_clause_t *clauses[2];
    s_clauses(wf, task, clauses);
    s_choice_t ch = {0};
    size_t mark = core_followup_mark(r);
    sr_err_t rc = s_choose(r, exec, task, clauses, &ch);
    if (!rc) {
        task->processed = true;
        task->handled = ch.handled;
        core_set_value(&task->backlog, ch.backlog);
        ch.backlog = NULL;
        rc = s_carry_out(r, exec, wf, task, &ch);
    }
    free(ch.next);
    sr_value_destroy(&ch.backlog);
    return s_guard(r, exec, task, mark, rc);
}

sr_err_t
core_flow_backlog(core_run_t *r, core_exec_t *exec, core_task_t *task)
{
    const lang_doc_t *doc;
    const lang_workflow_t *wf;
    sr_err_t rc = core_exec_workflow(r, exec, &doc, &wf);
    if (rc || !task->backlog)
        return rc;
    const lang_clause_t *clauses[2];
    s_clauses(wf, task, clauses);
    sr_value_t *backlog = task->backlog; // taken: it runs once
    task->backlog = NULL;
    s_choice_t ch = {0};
    for (size_t i = 0; i < sr_value_len(backlog) && !ch.cmd && !rc; i++) {
        int64_t v = sr_value_int(sr_value_array_at(backlog, i));
        int c = (int)(v >> 16);
        size_t entry = (size_t)(v & 0xffff);
        if (c < 0 || c > 1 || entry >= clauses[c]->count)
            continue; // not from this definition; nothing to run
        const lang_next_t *n = &clauses[c]->next[entry];
        if (n->cmd == LANG_CMD_NONE)
            rc = s_choose_task(&ch, n->task_index);
        else
            ch.cmd = n;
    }
    sr_value_destroy(&backlog);
    size_t mark = core_followup_mark(r);
    if (!rc)
        rc = s_carry_out(r, exec, wf, task, &ch);
    free(ch.next);
    return s_guard(r, exec, task, mark, rc);
}

// --- reverse workflows -------------------------------------------------------

// Mark in `need` every task the target requires, transitively.
static void
s_required(const lang_workflow_t *wf, int index, uint8_t *need)
{
    if (need[index])
        return;
    need[index] = 1;
    const lang_task_t *t = &wf->tasks[index];
    for (size_t i = 0; i < t->nrequires; i++)
        if (t->requires_index[i] >= 0)
            s_required(wf, t->requires_index[i], need);
}

// Start every required task whose requirements all succeeded, from spec
// task `from` on. A start that pushed follow-ups leaves the rest to a
// follow-up behind them.
static sr_err_t
s_reverse_ready(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf,
                size_t from)
{
    int target;
    sr_err_t rc = core_ctx_target(r, exec, wf, &target);
    if (rc)
        return rc;
    uint8_t *need = calloc(wf->ntasks, 1);
    if (!need)
        return SR_ENOMEM;
    s_required(wf, target, need);
    for (size_t i = from; i < wf->ntasks && !rc; i++) {
        if (!need[i] || sr_value_map_has(exec->latest, wf->tasks[i].name))
            continue;
        size_t mark = core_followup_mark(r);
        const lang_task_t *t = &wf->tasks[i];
        sr_value_t *in = sr_value_new_map(0), *ver = sr_value_new_map(0);
        bool ready = in && ver;
        for (size_t j = 0; ready && j < t->nrequires; j++) {
            core_task_t *dep = NULL;
            rc = core_task_latest(r, exec, wf, t->requires_index[j], &dep);
            ready = !rc && dep && dep->state == CORE_T_SUCCESS;
            if (ready) {
                sr_value_t *out = core_ctx_outbound(dep);
                sr_value_t *dver = core_ver_outbound(dep);
                rc = out && dver ? core_ver_merge(&in, &ver, out, dver)
                                 : SR_ENOMEM;
                sr_value_destroy(&out);
                sr_value_destroy(&dver);
                ready = !rc;
            }
        }
        if (ready) {
            core_task_t *task = NULL;
            rc = core_task_create(r, exec, wf, (int)i, in, ver, &task);
            in = ver = NULL;
            if (!rc)
                rc = core_task_run(r, exec, task);
        }
        sr_value_destroy(&in);
        sr_value_destroy(&ver);
        if (!rc && core_followup_mark(r) != mark && i + 1 < wf->ntasks) {
            core_followup_t fu = {.kind = CORE_FU_REVERSE,
                                  .exec_id = exec->id,
                                  .item = (uint32_t)i + 1};
            rc = core_followup_push(r, &fu);
            break;
        }
        if (exec->state != CORE_EX_RUNNING)
            break;
    }
    free(need);
    return rc;
}

// Create and run a direct workflow's start tasks from `from` on. A start
// that pushed follow-ups leaves the rest to a follow-up behind them.
static sr_err_t
s_start_tasks(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf,
              size_t from)
{
    for (size_t i = from; i < wf->nstart; i++) {
        size_t mark = core_followup_mark(r);
        core_task_t *task = NULL;
        sr_err_t rc =
            core_task_create(r, exec, wf, wf->start[i], NULL, NULL, &task);
        if (!rc)
            rc = core_task_run(r, exec, task);
        if (rc)
            return rc;
        if (core_followup_mark(r) != mark && i + 1 < wf->nstart) {
            core_followup_t fu = {.kind = CORE_FU_START,
                                  .exec_id = exec->id,
                                  .item = (uint32_t)i + 1};
            return core_followup_push(r, &fu);
        }
        if (exec->state == CORE_EX_CANCELLED)
            break;
    }
    return SR_OK;
}

sr_err_t
core_flow_start(core_run_t *r, core_exec_t *exec)
{
    const lang_doc_t *doc;
    const lang_workflow_t *wf;
    sr_err_t rc = core_exec_workflow(r, exec, &doc, &wf);
    if (rc)
        return rc;
    core_modes_t saved = r->modes;
    size_t mark = core_followup_mark(r);
    r->modes.starting = exec->id;
    core_followup_t fu = {.kind = wf->type == LANG_WF_REVERSE ? CORE_FU_REVERSE
                                                              : CORE_FU_START,
                          .exec_id = exec->id};
    if ((rc = core_followup_push(r, &fu))) {
        r->modes = saved;
        return rc;
    }
    return core_run_restore(r, &saved, mark);
}

sr_err_t
core_flow_after(core_run_t *r, core_exec_t *exec, core_task_t *task)
{
    if (task->processed)
        return SR_OK;
    const lang_doc_t *doc;
    const lang_workflow_t *wf;
    sr_err_t rc = core_exec_workflow(r, exec, &doc, &wf);
    if (rc)
        return rc;
    if (wf->type == LANG_WF_DIRECT)
        return s_direct_after(r, exec, wf, task);
    task->processed = true;
    CORE_OPS(r)->task_dirty(r->st, task);
    return task->state == CORE_T_SUCCESS ? s_reverse_ready(r, exec, wf, 0)
                                         : SR_OK;
}

// A task ended (`ran`: its execution was running then): its transitions,
// then the joins waiting, then the completion check. What comes after a
// step that pushed follow-ups is pushed behind them; else it runs now.
static sr_err_t
s_task_ended(core_run_t *r, core_exec_t *exec, core_task_t *task, bool ran)
{
    size_t mark = core_followup_mark(r);
    sr_err_t rc = ran ? core_flow_after(r, exec, task) : SR_OK;
    if (!rc && ran && core_followup_mark(r) != mark) {
        core_followup_t joins = {.kind = CORE_FU_JOINS, .exec_id = exec->id};
        rc = core_followup_push(r, &joins);
    } else if (!rc && ran)
        rc = core_join_decide(r, exec, false);
    if (rc)
        return rc;
    if (core_followup_mark(r) != mark)
        return core_followup_about(r, CORE_FU_CHECK, exec, NULL);
    return core_exec_check(r, exec);
}

// The targets a CORE_FU_TRIGGERS follow-up carries.
static sr_err_t
s_triggers_left(core_run_t *r, core_exec_t *exec, core_task_t *src,
                const sr_value_t *left)
{
    const lang_doc_t *doc;
    const lang_workflow_t *wf;
    size_t len = 0;
    const void *bytes = sr_value_bin(left, &len);
    sr_err_t rc = core_exec_workflow(r, exec, &doc, &wf);
    int *order = malloc(len ? len : 1);
    if (!rc && !order)
        rc = SR_ENOMEM;
    if (!rc) {
        memcpy(order, bytes, len);
        rc = s_triggers(r, exec, wf, src, order, len / sizeof *order);
    }
    free(order);
    return rc;
}

sr_err_t
core_flow_followup(core_run_t *r, const core_followup_t *fu)
{
    core_exec_t *exec = fu->exec;
    const lang_doc_t *doc;
    const lang_workflow_t *wf;
    switch (fu->kind) {
    case CORE_FU_TASK_ENDED:
        return s_task_ended(r, exec, fu->task, fu->flag);
    case CORE_FU_TRIGGERS:
        return s_triggers_left(r, exec, fu->task, fu->value);
    case CORE_FU_START:
    case CORE_FU_REVERSE: {
        // Between two start tasks, the loop's own test: a cancelled or
        // (reverse) stopped execution starts no more.
        if (fu->item &&
            (fu->kind == CORE_FU_START ? exec->state == CORE_EX_CANCELLED
                                       : exec->state != CORE_EX_RUNNING))
            return SR_OK;
        sr_err_t rc = core_exec_workflow(r, exec, &doc, &wf);
        if (rc)
            return rc;
        return fu->kind == CORE_FU_START
                   ? s_start_tasks(r, exec, wf, fu->item)
                   : s_reverse_ready(r, exec, wf, fu->item);
    }
    default:
        return SR_OK; // CORE_FU_FLOW_DONE: nothing failed
    }
}

sr_err_t
core_flow_caught(core_run_t *r, const core_followup_t *fu, sr_err_t rc)
{
    return rc == SR_EEXPR ? s_flow_error(r, fu->exec, fu->task) : rc;
}
