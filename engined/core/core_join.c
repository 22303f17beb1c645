// Joins: a task with `join` collects the arrivals of its inbound tasks
// and runs once enough of them led to it, following Mistral's
// induced-state rule (an inbound task that has not run may still lead to
// the join if something can still reach it). Owns a join's collecting
// (arrived, in_ctx merged by version, n_joins) and its decision; running
// the join is core_task.c's, below.
#include "core_join.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_ctx.h"
#include "core_task.h"

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
        sr_err_t rc = core_task_latest(r, exec, wf, from, &x);
        if (rc)
            return rc;
        if (!x) {
            if ((rc = s_possible(r, exec, wf, from, seen, out)) || *out)
                return rc;
        } else if (!core_task_state_is_final(x->state) || !x->processed ||
                   core_names_has(x->next, t->name)) {
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
    sr_err_t rc = core_task_latest(r, exec, wf, from, &x);
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
        *out = core_names_has(x->next, join_name) ? S_RUN : S_ERR;
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

// A join's inbound context after one more arrival: the newest arrival's
// outbound context is the base, earlier ones merge in by version.
static sr_err_t
s_merge(core_run_t *r, core_task_t *join, const sr_value_t *out,
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
    if (core_names_has(join->arrived, src->name))
        return SR_OK;
    s_tally_t t;
    sr_err_t rc = s_join_tally(r, exec, wf, spec, &t);
    if (rc || !s_tally_impossible(&t))
        return rc;
    *out = true;
    CORE_OPS(r)->task_dirty(r->st, join);
    return core_names_add(&join->arrived, src->name);
}

sr_err_t
core_join_arrive(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf,
                 core_task_t *src, int target, const sr_value_t *out,
                 const sr_value_t *ver)
{
    core_task_t *join = NULL;
    bool spent = false;
    sr_err_t rc = core_task_latest(r, exec, wf, target, &join);
    if (!rc && join && !join->joining)
        rc = s_join_spent(r, exec, wf, join, src, &spent);
    if (rc || spent)
        return rc;
    if (!join || !join->joining) {
        rc = core_task_create(r, exec, wf, target, NULL, NULL, &join);
        if (!rc) {
            join->joining = true;
            exec->n_joins++;
            rc = core_set_str(&join->state_info, "Task is waiting.");
        }
    }
    if (!rc)
        rc = core_names_add(&join->arrived, src->name);
    if (!rc)
        rc = s_merge(r, join, out, ver);
    if (!rc)
        rc = s_join_decide(r, exec, wf, join, false);
    return rc;
}

// Decide the waiting joins from spec task `from` on. A decision that
// pushed follow-ups leaves the rest to a follow-up behind them.
static sr_err_t
s_joins(core_run_t *r, core_exec_t *exec, size_t from, bool force)
{
    const lang_doc_t *doc;
    const lang_workflow_t *wf;
    sr_err_t rc = core_exec_workflow(r, exec, &doc, &wf);
    for (size_t i = from; !rc && i < wf->ntasks; i++) {
        if (wf->tasks[i].join == LANG_JOIN_NONE)
            continue;
        size_t mark = core_followup_mark(r);
        core_task_t *t = NULL;
        rc = core_task_latest(r, exec, wf, (int)i, &t);
        if (!rc && t && t->joining)
            rc = s_join_decide(r, exec, wf, t, force);
        if (!rc && core_followup_mark(r) != mark && i + 1 < wf->ntasks) {
            core_followup_t fu = {.kind = CORE_FU_JOINS,
                                  .exec_id = exec->id,
                                  .item = (uint32_t)i + 1,
                                  .flag = force};
            return core_followup_push(r, &fu);
        }
        if (exec->state != CORE_EX_RUNNING)
            break;
    }
    return rc;
}

sr_err_t
core_join_decide(core_run_t *r, core_exec_t *exec, bool force)
{
    if (!exec->n_joins || exec->state != CORE_EX_RUNNING)
        return SR_OK;
    return s_joins(r, exec, 0, force);
}

sr_err_t
core_join_followup(core_run_t *r, const core_followup_t *fu)
{
    if (!fu->item)
        return core_join_decide(r, fu->exec, fu->flag);
    if (fu->exec->state != CORE_EX_RUNNING)
        return SR_OK; // the loop's own test between two joins
    return s_joins(r, fu->exec, fu->item, fu->flag);
}
