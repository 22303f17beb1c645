// What runs next. Direct workflows: a completed task's on-success /
// on-error entries then its on-complete entries, in order, with conditions;
// engine commands stop the list; tasks chosen before a command still run.
// Joins follow Mistral's induced-state rule. Reverse workflows run what the
// target task requires, each task once its requirements succeeded.
#include "core_flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_ctx.h"
#include "core_exec_end.h"
#include "core_task.h"
#include "core_tree.h"

// Latest execution of the spec task `index`, or NULL.
static sr_err_t
s_latest(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf, int index,
         core_task_t **out)
{
    int64_t seq;
    *out = NULL;
    if (!sr_value_map_int(exec->latest, wf->tasks[index].name, &seq))
        return SR_OK;
    return CORE_OPS(r)->task_get(r->st, &exec->id, (uint32_t)seq, out);
}

static bool
s_has_name(const sr_value_t *list, const char *name)
{
    for (size_t i = 0; i < sr_value_len(list); i++)
        if (strcmp(sr_value_str(sr_value_array_at(list, i)), name) == 0)
            return true;
    return false;
}

static sr_err_t
s_add_name(sr_value_t **list, const char *name)
{
    if (!*list && !(*list = sr_value_new_array(2)))
        return SR_ENOMEM;
    if (s_has_name(*list, name))
        return SR_OK;
    sr_err_t rc = sr_value_unshare(list);
    return rc ? rc : sr_value_array_append(*list, sr_value_new_str(name));
}

// --- joins -----------------------------------------------------------------

typedef enum { S_WAIT, S_RUN, S_ERR } s_induced_t;

// Can spec task `index` still be reached? (Mistral's _possible_route.)
static sr_err_t
s_possible(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf,
           int index, uint8_t *seen, bool *out)
{
    const lang_task_t *t = &wf->tasks[index];
    *out = false;
    if (seen[index])
        return SR_OK;
    seen[index] = 1;
    if (t->ninbound == 0) {
        *out = true;
        return SR_OK;
    }
    for (size_t i = 0; i < t->ninbound; i++) {
        int from = t->inbound[i].from;
        core_task_t *x = NULL;
        sr_err_t rc = s_latest(r, exec, wf, from, &x);
        if (rc)
            return rc;
        if (!x) {
            if ((rc = s_possible(r, exec, wf, from, seen, out)) || *out)
                return rc;
        } else if (!core_task_state_is_final(x->state) || !x->processed ||
                   s_has_name(x->next, t->name)) {
            *out = true;
            return SR_OK;
        }
    }
    return SR_OK;
}

static sr_err_t
s_induced(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf, int from,
          const char *join_name, s_induced_t *out)
{
    core_task_t *x = NULL;
    sr_err_t rc = s_latest(r, exec, wf, from, &x);
    if (rc)
        return rc;
    if (!x) {
        uint8_t *seen = calloc(wf->ntasks, 1);
        if (!seen)
            return SR_ENOMEM;
        bool possible = false;
        rc = s_possible(r, exec, wf, from, seen, &possible);
        free(seen);
        *out = possible ? S_WAIT : S_ERR;
        return rc;
    }
    if (!core_task_state_is_final(x->state) || !x->processed)
        *out = S_WAIT;
    else
        *out = s_has_name(x->next, join_name) ? S_RUN : S_ERR;
    return SR_OK;
}

// How the inbound tasks of a join stand (Mistral's induced states).
typedef struct {
    size_t total;                   // distinct inbound tasks
    size_t need;                    // how many must lead to the join
    size_t running;                 // those that did
    size_t errors;                  // those that never will
    char failed[512], blocked[512]; // names, for the state info
} s_tally_t;

static sr_err_t
s_join_tally(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf,
             const lang_task_t *spec, s_tally_t *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < spec->ninbound; i++) {
        int from = spec->inbound[i].from;
        bool dup = false;
        for (size_t j = 0; j < i; j++)
            dup |= spec->inbound[j].from == from;
        if (dup)
            continue;
        out->total++;
        s_induced_t st;
        sr_err_t rc = s_induced(r, exec, wf, from, spec->name, &st);
        if (rc)
            return rc;
        char *list = st == S_ERR    ? out->failed
                     : st == S_WAIT ? out->blocked
                                    : NULL;
        out->running += st == S_RUN;
        out->errors += st == S_ERR;
        if (list) {
            size_t n = strlen(list);
            snprintf(list + n, sizeof out->failed - n, "%s'%s'", n ? ", " : "",
                     wf->tasks[from].name);
        }
    }
    size_t need = spec->join == LANG_JOIN_ALL ? out->total : (size_t)spec->join;
    out->need = need > out->total ? out->total : need;
    return SR_OK;
}

// More inbound tasks will never lead to the join than it can do without.
static bool
s_tally_impossible(const s_tally_t *t)
{
    return t->errors > t->total - t->need;
}

// Decide a waiting join: run it, fail it, or keep waiting.
static sr_err_t
s_join_decide(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf,
              core_task_t *join, bool force)
{
    s_tally_t t;
    sr_err_t rc = s_join_tally(r, exec, wf, &wf->tasks[join->spec_index], &t);
    if (rc)
        return rc;
    if (t.running >= t.need) {
        join->joining = false;
        exec->n_joins--;
        CORE_OPS(r)->exec_dirty(r->st, exec);
        return core_task_run(r, exec, join);
    }
    if (s_tally_impossible(&t) || force) {
        char info[700];
        snprintf(info, sizeof info, "Failed by tasks: [%s]",
                 t.errors ? t.failed : t.blocked);
        return core_task_complete(r, exec, join, CORE_T_ERROR, info);
    }
    return SR_OK;
}

sr_err_t
core_flow_joins(core_run_t *r, core_exec_t *exec, bool force)
{
    if (!exec->n_joins || exec->state != CORE_EX_RUNNING)
        return SR_OK;
    const lang_doc_t *doc;
    const lang_workflow_t *wf;
    sr_err_t rc = core_exec_workflow(r, exec, &doc, &wf);
    for (size_t i = 0; !rc && i < wf->ntasks; i++) {
        if (wf->tasks[i].join == LANG_JOIN_NONE)
            continue;
        core_task_t *t = NULL;
        rc = s_latest(r, exec, wf, (int)i, &t);
        if (!rc && t && t->joining)
            rc = s_join_decide(r, exec, wf, t, force);
        if (exec->state != CORE_EX_RUNNING)
            break;
    }
    return rc;
}

// --- transitions -----------------------------------------------------------

// A join's inbound context after one more arrival: the newest arrival's
// outbound context is the base, earlier ones merge in by version.
static sr_err_t
s_join_arrive(core_run_t *r, core_task_t *join, const sr_value_t *out,
              const sr_value_t *ver)
{
    sr_value_t *in = sr_value_ref((sr_value_t *)out);
    sr_value_t *in_ver = sr_value_ref((sr_value_t *)ver);
    sr_err_t rc = core_ver_merge(&in, &in_ver, join->in_ctx, join->in_ver);
    if (rc) {
        sr_value_destroy(&in);
        sr_value_destroy(&in_ver);
        return rc;
    }
    core_set_value(&join->in_ctx, in);
    core_set_value(&join->in_ver, in_ver);
    CORE_OPS(r)->task_dirty(r->st, join);
    return SR_OK;
}

// Whether `join`, the latest execution of a join task and no longer
// collecting, takes no arrival from `src` (true: `src` changes nothing but
// its name in `arrived`):
// * a join that failed without running (it could not be satisfied) fails
//   once (issue 18): a branch of its round that arrives late (it had not
//   arrived, and the join still cannot be satisfied) starts no other join
//   execution and runs no on-error again;
// * a join on N of its inbound tasks that went ahead ignores later
//   arrivals whatever its outcome (Mistral's discriminator);
// otherwise a new execution starts over: `join: all` after it ran, a
// branch arriving again (cycles), a rerun that made the join possible.
static sr_err_t
s_join_spent(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf,
             core_task_t *join, const core_task_t *src, bool *out)
{
    const lang_task_t *spec = &wf->tasks[join->spec_index];
    *out = false;
    if (join->state == CORE_T_CANCELLED)
        return SR_OK;
    // pause_passed: it got as far as its policies, so it ran (or runs).
    if (join->pause_passed || join->state != CORE_T_ERROR) {
        *out = spec->join != LANG_JOIN_ALL;
        return SR_OK;
    }
    if (s_has_name(join->arrived, src->name))
        return SR_OK;
    s_tally_t t;
    sr_err_t rc = s_join_tally(r, exec, wf, spec, &t);
    if (rc || !s_tally_impossible(&t))
        return rc;
    *out = true;
    CORE_OPS(r)->task_dirty(r->st, join);
    return s_add_name(&join->arrived, src->name);
}

// Reach `target` from `src`: a plain task starts a new execution with
// src's outbound context; a join collects it.
static sr_err_t
s_trigger(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf,
          core_task_t *src, int target)
{
    sr_value_t *out = core_ctx_outbound(src);
    sr_value_t *ver = core_ver_outbound(src);
    sr_err_t rc = out && ver ? SR_OK : SR_ENOMEM;
    const lang_task_t *t = &wf->tasks[target];
    if (!rc && t->join == LANG_JOIN_NONE) {
        core_task_t *task = NULL;
        rc = core_task_create(r, exec, wf, target, sr_value_ref(out),
                              sr_value_ref(ver), &task);
        if (!rc)
            rc = core_task_run(r, exec, task);
    } else if (!rc) {
        core_task_t *join = NULL;
        bool spent = false;
        rc = s_latest(r, exec, wf, target, &join);
        if (!rc && join && !join->joining)
            rc = s_join_spent(r, exec, wf, join, src, &spent);
        if (!rc && spent)
            goto done;
        if (!rc && (!join || !join->joining)) {
            rc = core_task_create(r, exec, wf, target, NULL, NULL, &join);
            if (!rc) {
                join->joining = true;
                exec->n_joins++;
                rc = core_set_str(&join->state_info, "Task is waiting.");
            }
        }
        if (!rc)
            rc = s_add_name(&join->arrived, src->name);
        if (!rc)
            rc = s_join_arrive(r, join, out, ver);
        if (!rc)
            rc = s_join_decide(r, exec, wf, join, false);
    }
done:
    sr_value_destroy(&out);
    sr_value_destroy(&ver);
    return rc;
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
                     !(n->cmd == LANG_CMD_PAUSE && r->resuming)) {
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
        rc = s_add_name(&task->next, wf->tasks[ch->next[i]].name);
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
    for (int pass = 0; pass < 2 && !rc; pass++) {
        for (size_t i = 0; i < ch->nnext && !rc; i++) {
            bool is_join = wf->tasks[ch->next[i]].join != LANG_JOIN_NONE;
            if (is_join == (pass == 1))
                rc = s_trigger(r, exec, wf, task, ch->next[i]);
        }
    }
    return rc;
}

static sr_err_t
s_direct_after(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf,
               core_task_t *task)
{
    const lang_clause_t *clauses[2];
    s_clauses(wf, task, clauses);
    s_choice_t ch = {0};
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
    return rc == SR_EEXPR ? s_flow_error(r, exec, task) : rc;
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
    if (!rc)
        rc = s_carry_out(r, exec, wf, task, &ch);
    free(ch.next);
    return rc == SR_EEXPR ? s_flow_error(r, exec, task) : rc;
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

// Start every required task whose requirements all succeeded.
static sr_err_t
s_reverse_ready(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf)
{
    int target;
    sr_err_t rc = core_ctx_target(r, exec, wf, &target);
    if (rc)
        return rc;
    uint8_t *need = calloc(wf->ntasks, 1);
    if (!need)
        return SR_ENOMEM;
    s_required(wf, target, need);
    for (size_t i = 0; i < wf->ntasks && !rc; i++) {
        if (!need[i] || sr_value_map_has(exec->latest, wf->tasks[i].name))
            continue;
        const lang_task_t *t = &wf->tasks[i];
        sr_value_t *in = sr_value_new_map(0), *ver = sr_value_new_map(0);
        bool ready = in && ver;
        for (size_t j = 0; ready && j < t->nrequires; j++) {
            core_task_t *dep = NULL;
            rc = s_latest(r, exec, wf, t->requires_index[j], &dep);
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
        if (exec->state != CORE_EX_RUNNING)
            break;
    }
    free(need);
    return rc;
}

sr_err_t
core_flow_start(core_run_t *r, core_exec_t *exec)
{
    const lang_doc_t *doc;
    const lang_workflow_t *wf;
    sr_err_t rc = core_exec_workflow(r, exec, &doc, &wf);
    if (rc)
        return rc;
    const core_exec_t *outer = r->starting;
    r->starting = exec;
    if (wf->type == LANG_WF_REVERSE)
        rc = s_reverse_ready(r, exec, wf);
    for (size_t i = 0; wf->type == LANG_WF_DIRECT && i < wf->nstart && !rc;
         i++) {
        core_task_t *task = NULL;
        rc = core_task_create(r, exec, wf, wf->start[i], NULL, NULL, &task);
        if (!rc)
            rc = core_task_run(r, exec, task);
        if (exec->state == CORE_EX_CANCELLED)
            break;
    }
    r->starting = outer;
    return rc;
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
    return task->state == CORE_T_SUCCESS ? s_reverse_ready(r, exec, wf) : SR_OK;
}
