// How an execution ends (Mistral's check_and_complete and its output
// rules): the final state from the task executions once none is active,
// the "Failure caused by ..." and "Cancelled tasks: ..." texts, the output
// or output-on-error over the final context, and the report to a parent.
// Joins that can only wait are forced first, by a follow-up (core_join.c
// is above), and the check goes on in another.
#include "core_exec_end.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_ctx.h"

// A growing text buffer; `oom` records a failed allocation.
typedef struct {
    char *text;
    size_t len, cap;
    bool oom;
} s_buf_t;

static void
s_add(s_buf_t *b, const char *text)
{
    size_t n = strlen(text);
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *t = realloc(b->text, cap);
        if (!t) {
            b->oom = true;
            return;
        }
        b->text = t;
        b->cap = cap;
    }
    memcpy(b->text + b->len, text, n + 1);
    b->len += n;
}

// What the final scan learns about the task executions.
typedef struct {
    core_run_t *r;
    const lang_workflow_t *wf;
    s_buf_t cancelled;       // "a, b" of CANCELLED tasks
    bool unhandled;          // an ERROR no on-error clause took care of
    const core_task_t **err; // ERROR tasks without an on-error clause
    size_t nerr, caperr;
} s_final_t;

static sr_err_t
s_final_visit(void *arg, core_task_t *task)
{
    s_final_t *f = arg;
    if (task->state == CORE_T_CANCELLED) {
        if (f->cancelled.len)
            s_add(&f->cancelled, ", ");
        s_add(&f->cancelled, task->name);
        return f->cancelled.oom ? SR_ENOMEM : SR_OK;
    }
    if (task->state != CORE_T_ERROR || (task->handled && !task->fatal))
        return SR_OK;
    f->unhandled = true;
    const lang_task_t *spec = core_task_spec(f->wf, task);
    if (spec && spec->on[LANG_ON_ERROR].count && !task->fatal)
        return SR_OK; // failed, but Mistral names only unguarded tasks
    if (f->nerr == f->caperr) {
        size_t cap = f->caperr ? f->caperr * 2 : 8;
        const core_task_t **l = realloc(f->err, cap * sizeof *l);
        if (!l)
            return SR_ENOMEM;
        f->err = l;
        f->caperr = cap;
    }
    f->err[f->nerr++] = task; // borrowed until the end of the batch
    return SR_OK;
}

static int
s_by_name(const void *a, const void *b)
{
    const core_task_t *x = *(const core_task_t *const *)a;
    const core_task_t *y = *(const core_task_t *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

// The failed units of a task, one line each, as Mistral lists them.
static void
s_unit_lines(s_buf_t *b, const lang_workflow_t *wf, const core_task_t *task)
{
    const lang_task_t *spec = core_task_spec(wf, task);
    const char *kind = spec && spec->workflow ? "wf_ex_id" : "action_ex_id";
    for (uint32_t i = 0; i < task->n_units; i++) {
        sr_id_t id;
        char ids[SR_ID_TEXT_SIZE], line[160];
        if (core_unit_state(task, i) != CORE_U_ERROR ||
            sr_id_from_value(sr_value_array_at(task->unit_ids, i), &id))
            continue;
        snprintf(line, sizeof line, "    [%s=%s, idx=%u]: ", kind,
                 sr_id_format(&id, ids), i);
        s_add(b, line);
        char *text = lang_value_to_text(sr_value_array_at(task->results, i));
        s_add(b, text ? text : "?");
        s_add(b, "\n");
        free(text);
    }
}

// "Failure caused by error in tasks: a, b\n\n  a [task_ex_id=..] -> ..".
static char *
s_failure_text(s_final_t *f)
{
    s_buf_t b = {0};
    if (f->nerr > 1) // no list at all when every error had an on-error
        qsort(f->err, f->nerr, sizeof *f->err, s_by_name);
    s_add(&b, "Failure caused by error in tasks: ");
    for (size_t i = 0; i < f->nerr; i++) {
        if (i)
            s_add(&b, ", ");
        s_add(&b, f->err[i]->name);
    }
    s_add(&b, "\n");
    for (size_t i = 0; i < f->nerr; i++) {
        const core_task_t *t = f->err[i];
        char id[SR_ID_TEXT_SIZE], head[300];
        snprintf(head, sizeof head, "\n  %s [task_ex_id=%s] -> ", t->name,
                 sr_id_format(&t->id, id));
        s_add(&b, head);
        s_add(&b, t->state_info ? t->state_info : "None");
        s_add(&b, "\n");
        s_unit_lines(&b, f->wf, t);
    }
    if (b.oom) {
        free(b.text);
        return NULL;
    }
    return b.text;
}

static sr_err_t
s_scan(core_run_t *r, core_exec_t *exec, s_final_t *f)
{
    const lang_doc_t *doc;
    sr_err_t rc = core_exec_workflow(r, exec, &doc, &f->wf);
    if (rc)
        return rc;
    f->r = r;
    return CORE_OPS(r)->task_scan(r->st, &exec->id, s_final_visit, f);
}

static void
s_final_fini(s_final_t *f)
{
    free(f->cancelled.text);
    free(f->err);
}

char *
core_exec_error_summary(core_run_t *r, core_exec_t *exec)
{
    s_final_t f = {0};
    char *text = NULL;
    if (!s_scan(r, exec, &f) && f.unhandled)
        text = s_failure_text(&f);
    s_final_fini(&f);
    return text;
}

// ERROR output: {"result": state_info} with output-on-error (or the final
// context) merged over it; a `result` key there wins, as in Mistral.
static sr_err_t
s_error_output(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf,
               const sr_value_t *final, char **info, sr_value_t **out)
{
    sr_value_t *extra = NULL;
    sr_err_t rc = SR_OK;
    if (wf->output_on_error) {
        rc = core_eval(r, exec, NULL, NULL, final, wf->output_on_error, NULL,
                       &extra);
        if (rc == SR_EEXPR) {
            char msg[1200];
            snprintf(msg, sizeof msg,
                     "Failed to evaluate expression in output-on-error! "
                     "(output-on-error: '%s', exception: '%s' Cause: '%s'",
                     lang_vt_text(wf->output_on_error)
                         ? lang_vt_text(wf->output_on_error)
                         : "",
                     r->err->msg, *info ? *info : "None");
            sr_error_clear(r->err);
            free(*info);
            if (!(*info = strdup(msg)))
                return SR_ENOMEM;
            rc = SR_OK;
        }
    } else
        extra = sr_value_ref((sr_value_t *) final);
    if (rc)
        return rc;
    sr_value_t *o = sr_value_new_map(4);
    if (!o)
        rc = SR_ENOMEM;
    if (!rc)
        rc = sr_value_map_put(
            o, "result", *info ? sr_value_new_str(*info) : sr_value_new_nil());
    if (!rc && sr_value_is(extra, SR_T_MAP))
        rc = sr_value_map_merge(o, extra, true);
    sr_value_destroy(&extra);
    if (rc)
        sr_value_destroy(&o);
    else
        *out = o;
    return rc;
}

// SUCCESS output: `output` over the final context, or the final context
// itself when there is none (or it evaluates to nothing). A failure turns
// the execution to ERROR with Mistral's "Failed to check and complete".
static sr_err_t
s_success_output(core_run_t *r, core_exec_t *exec, const lang_workflow_t *wf,
                 const sr_value_t *final, core_ex_state_t *state, char **info,
                 sr_value_t **out)
{
    sr_value_t *o = NULL;
    sr_err_t rc = core_eval(r, exec, NULL, NULL, final, wf->output,
                            (sr_value_t *) final, &o);
    if (rc == SR_EEXPR) {
        char id[SR_ID_TEXT_SIZE], msg[1200];
        snprintf(msg, sizeof msg,
                 "Failed to check and complete [wf_ex_id=%s, wf_name=%s]: %s",
                 sr_id_format(&exec->id, id), exec->wf_name, r->err->msg);
        sr_error_clear(r->err);
        free(*info);
        if (!(*info = strdup(msg)))
            return SR_ENOMEM;
        *state = CORE_EX_ERROR;
        return s_error_output(r, exec, wf, final, info, out);
    }
    if (rc)
        return rc;
    if (!sr_value_truthy(o)) {
        sr_value_destroy(&o);
        o = sr_value_ref((sr_value_t *) final);
    } else if (!sr_value_is(o, SR_T_MAP)) {
        sr_value_t *m = sr_value_new_map(1);
        if (!m || sr_value_map_put(m, "result", o)) {
            sr_value_destroy(&m);
            return SR_ENOMEM;
        }
        o = m;
    }
    *out = o;
    return SR_OK;
}

static sr_err_t
s_output(core_run_t *r, core_exec_t *exec, core_ex_state_t *state, char **info)
{
    const lang_doc_t *doc;
    const lang_workflow_t *wf;
    sr_value_t *final = NULL, *out = NULL;
    sr_err_t rc = core_exec_workflow(r, exec, &doc, &wf);
    if (!rc)
        rc = core_ctx_final(r, exec, &final);
    if (rc)
        return rc;
    if (*state == CORE_EX_SUCCESS)
        rc = s_success_output(r, exec, wf, final, state, info, &out);
    else if (*state == CORE_EX_ERROR)
        rc = s_error_output(r, exec, wf, final, info, &out);
    else
        out = sr_value_ref(final);
    sr_value_destroy(&final);
    if (!rc)
        core_set_value(&exec->output, out);
    return rc;
}

sr_err_t
core_exec_finish(core_run_t *r, core_exec_t *exec, core_ex_state_t state,
                 const char *info)
{
    if (core_ex_state_is_final(exec->state))
        return SR_OK;
    char *text = info ? strdup(info) : NULL;
    if (info && !text)
        return SR_ENOMEM;
    sr_err_t rc = s_output(r, exec, &state, &text);
    if (rc) {
        free(text);
        return rc;
    }
    rc = core_exec_set_state(r, exec, state, text);
    free(text);
    return rc;
}

// Nothing is active any more: the final state from the task executions.
static sr_err_t
s_end(core_run_t *r, core_exec_t *exec)
{
    s_final_t f = {0};
    sr_err_t rc = s_scan(r, exec, &f);
    char *text = NULL;
    core_ex_state_t state = CORE_EX_SUCCESS;
    if (!rc && f.cancelled.len) {
        state = CORE_EX_CANCELLED;
        if (!(text = malloc(f.cancelled.len + 32)))
            rc = SR_ENOMEM;
        else
            snprintf(text, f.cancelled.len + 32, "Cancelled tasks: %s",
                     f.cancelled.text);
    } else if (!rc && f.unhandled) {
        state = CORE_EX_ERROR;
        if (!(text = s_failure_text(&f)))
            rc = SR_ENOMEM;
    }
    s_final_fini(&f);
    if (!rc)
        rc = core_exec_finish(r, exec, state, text);
    free(text);
    return rc;
}

sr_err_t
core_exec_check(core_run_t *r, core_exec_t *exec)
{
    if (exec->state != CORE_EX_RUNNING ||
        sr_id_equal(&r->modes.starting, &exec->id))
        return SR_OK;
    if (exec->n_active == 0 && r->nstack) {
        // Work of this step is still pending (the rest of a transition
        // list whose first target ended at once, say): it may start more
        // tasks. The check runs again once the step has done it.
        core_followup_t check = {.kind = CORE_FU_CHECK, .exec_id = exec->id};
        return core_followup_defer(r, &check);
    }
    if (exec->n_active == 0)
        return s_end(r, exec);
    // Only joins left waiting: nothing running can ever reach them. They
    // are forced (core_flow.c, above), then the check goes on.
    if (exec->n_joins != exec->n_active)
        return SR_OK;
    core_followup_t joins = {
        .kind = CORE_FU_JOINS, .exec_id = exec->id, .flag = true};
    core_followup_t check = {
        .kind = CORE_FU_CHECK, .exec_id = exec->id, .flag = true};
    sr_err_t rc = core_followup_push(r, &joins);
    return rc ? rc : core_followup_push(r, &check);
}

sr_err_t
core_exec_end_followup(core_run_t *r, const core_followup_t *fu)
{
    core_exec_t *exec = fu->exec;
    if (!fu->flag)
        return core_exec_check(r, exec);
    if (exec->n_active > 0 || exec->state != CORE_EX_RUNNING)
        return SR_OK; // a forced join started what runs on
    return s_end(r, exec);
}
