// Data flow for expressions. Owns nothing beyond one evaluation: builds the
// context map `$` from the execution's input, its context (vars, globals)
// and the task's inbound context, answers Mistral's engine functions from
// durable state, and implements context versioning.
#include "core_ctx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    core_run_t *r;
    core_exec_t *exec;
    core_task_t *task;
} s_host_t;

// The workflow of the execution, or NULL when its definition cannot be
// read (the spec fields are then null; the read error is not the
// expression's).
static const lang_workflow_t *
s_workflow(s_host_t *h)
{
    const lang_doc_t *doc;
    const lang_workflow_t *wf = NULL;
    sr_error_t keep = *h->r->err;
    if (core_exec_workflow(h->r, h->exec, &doc, &wf))
        wf = NULL;
    *h->r->err = keep;
    return wf;
}

static sr_err_t
s_put_all(sr_value_t *dst, const sr_value_t *src)
{
    for (size_t i = 0; i < sr_value_len(src); i++) {
        sr_err_t rc = sr_value_map_putv(dst, sr_value_map_key(src, i),
                                        sr_value_ref(sr_value_map_val(src, i)));
        if (rc)
            return rc;
    }
    return SR_OK;
}

sr_value_t *
core_ctx_outbound(const core_task_t *task)
{
    sr_value_t *out = sr_value_new_map(sr_value_len(task->in_ctx) +
                                       sr_value_len(task->published));
    if (out &&
        (s_put_all(out, task->in_ctx) || s_put_all(out, task->published)))
        sr_value_destroy(&out);
    return out;
}

static sr_value_t *
s_id_text(const sr_id_t *id)
{
    char text[SR_ID_TEXT_SIZE];
    return sr_value_new_str(sr_id_format(id, text));
}

// The spec (as written) of spec task `index` of `wf`, or null.
static sr_value_t *
s_spec(const lang_vt_t *vt)
{
    const sr_value_t *c = vt ? lang_vt_const(vt) : NULL;
    return c ? sr_value_ref((sr_value_t *)c) : sr_value_new_nil();
}

sr_value_t *
core_task_dict(const core_task_t *task, const lang_workflow_t *wf)
{
    sr_value_t *d = sr_value_new_map(12);
    if (!d)
        return NULL;
    const lang_vt_t *spec =
        wf && task->spec_index >= 0 && (size_t)task->spec_index < wf->ntasks
            ? wf->tasks[task->spec_index].spec
            : NULL;
    sr_err_t rc = sr_value_map_put(d, "id", s_id_text(&task->id));
    if (!rc)
        rc = sr_value_map_put(d, "name", sr_value_new_str(task->name));
    if (!rc)
        rc = sr_value_map_put(d, "spec", s_spec(spec));
    if (!rc)
        rc = sr_value_map_put(
            d, "state", sr_value_new_str(core_task_state_name(task->state)));
    if (!rc)
        rc = sr_value_map_put(d, "state_info",
                              task->state_info
                                  ? sr_value_new_str(task->state_info)
                                  : sr_value_new_nil());
    // Before any result exists Mistral shows [], after a dropped one None.
    if (!rc)
        rc = sr_value_map_put(d, "result",
                              task->result ? sr_value_ref(task->result)
                              : core_task_state_is_final(task->state)
                                  ? sr_value_new_nil()
                                  : sr_value_new_array(0));
    if (!rc)
        rc = sr_value_map_put(d, "workflow_execution_id",
                              s_id_text(&task->exec_id));
    char when[20];
    core_format_time(task->created_ms, when);
    if (!rc)
        rc = sr_value_map_put(d, "created_at", sr_value_new_str(when));
    core_format_time(task->updated_ms, when);
    if (!rc)
        rc = sr_value_map_put(d, "updated_at", sr_value_new_str(when));
    if (!rc)
        rc = sr_value_map_put(d, "published",
                              task->published ? sr_value_ref(task->published)
                                              : sr_value_new_map(0));
    if (rc)
        sr_value_destroy(&d);
    return d;
}

static sr_err_t
s_fn_task(s_host_t *h, sr_value_t *const *args, size_t nargs, sr_value_t **out,
          sr_error_t *err)
{
    if (nargs > 1 || (nargs == 1 && !sr_value_is(args[0], SR_T_STR)))
        return sr_error_set(err, SR_EEXPR,
                            "task() takes one task name (a string)");
    const char *name = nargs ? sr_value_str(args[0]) : NULL;
    const lang_workflow_t *wf = s_workflow(h);
    if (h->task && (!name || strcmp(name, h->task->name) == 0)) {
        *out = core_task_dict(h->task, wf);
        return *out ? SR_OK : SR_ENOMEM;
    }
    if (!name)
        return sr_error_set(err, SR_EEXPR,
                            "task() without a name is only valid inside a "
                            "task");
    int64_t seq;
    if (!sr_value_map_int(h->exec->latest, name, &seq)) {
        *out = sr_value_new_nil();
        return SR_OK;
    }
    core_task_t *t = NULL;
    sr_err_t rc =
        CORE_OPS(h->r)->task_get(h->r->st, &h->exec->id, (uint32_t)seq, &t);
    if (rc)
        return sr_error_set(err, rc, "task '%s' could not be read", name);
    *out = core_task_dict(t, wf);
    return *out ? SR_OK : SR_ENOMEM;
}

typedef struct {
    sr_value_t *list;
    const char *state; // filter, or NULL
    const lang_workflow_t *wf;
} s_tasks_t;

static sr_err_t
s_tasks_visit(void *arg, core_task_t *task)
{
    s_tasks_t *tv = arg;
    if (tv->state && strcmp(tv->state, core_task_state_name(task->state)))
        return SR_OK;
    return sr_value_array_append(tv->list, core_task_dict(task, tv->wf));
}

static sr_err_t
s_fn_tasks(s_host_t *h, sr_value_t *const *args, size_t nargs, sr_value_t **out,
           sr_error_t *err)
{
    // tasks(execution_id=null, recursive=false, state=null, flat=false):
    // this execution's task executions, optionally filtered by state.
    s_tasks_t tv = {sr_value_new_array(0), NULL, s_workflow(h)};
    if (!tv.list)
        return SR_ENOMEM;
    if (nargs >= 3 && sr_value_is(args[2], SR_T_STR))
        tv.state = sr_value_str(args[2]);
    sr_err_t rc =
        CORE_OPS(h->r)->task_scan(h->r->st, &h->exec->id, s_tasks_visit, &tv);
    if (rc) {
        sr_value_destroy(&tv.list);
        return sr_error_set(err, rc, "tasks() could not read the tasks");
    }
    *out = tv.list;
    return SR_OK;
}

static sr_err_t
s_fn_execution(s_host_t *h, sr_value_t **out)
{
    const core_exec_t *e = h->exec;
    char when[20];
    core_format_time(e->created_ms, when);
    sr_value_t *d = sr_value_new_map(8);
    if (!d)
        return SR_ENOMEM;
    sr_err_t rc = sr_value_map_put(d, "id", s_id_text(&e->id));
    if (!rc)
        rc = sr_value_map_put(d, "name", sr_value_new_str(e->wf_name));
    const lang_workflow_t *wf = s_workflow(h);
    if (!rc)
        rc = sr_value_map_put(d, "spec", s_spec(wf ? wf->spec : NULL));
    if (!rc)
        rc = sr_value_map_put(d, "input",
                              e->input ? sr_value_ref(e->input)
                                       : sr_value_new_map(0));
    if (!rc)
        rc = sr_value_map_put(d, "params",
                              e->params ? sr_value_ref(e->params)
                                        : sr_value_new_map(0));
    if (!rc)
        rc = sr_value_map_put(d, "state",
                              sr_value_new_str(core_ex_state_name(e->state)));
    if (!rc)
        rc = sr_value_map_put(d, "created_at", sr_value_new_str(when));
    if (!rc)
        rc = sr_value_map_put(d, "root_execution_id", s_id_text(&e->root_id));
    if (!rc && e->description)
        rc = sr_value_map_put(d, "description",
                              sr_value_new_str(e->description));
    if (rc) {
        sr_value_destroy(&d);
        return rc;
    }
    *out = d;
    return SR_OK;
}

static sr_err_t
s_host(void *user, const char *name, sr_value_t *const *args, size_t nargs,
       sr_value_t **out, sr_error_t *err)
{
    s_host_t *h = user;
    if (strcmp(name, "task") == 0)
        return s_fn_task(h, args, nargs, out, err);
    if (strcmp(name, "tasks") == 0)
        return s_fn_tasks(h, args, nargs, out, err);
    if (strcmp(name, "execution") == 0)
        return s_fn_execution(h, out);
    if (strcmp(name, "env") == 0) {
        *out = h->exec->env ? sr_value_ref(h->exec->env) : sr_value_new_map(0);
        return *out ? SR_OK : SR_ENOMEM;
    }
    if (strcmp(name, "global") == 0) {
        if (nargs != 1 || !sr_value_is(args[0], SR_T_STR))
            return sr_error_set(err, SR_EEXPR,
                                "global() takes one variable name");
        sr_value_t *v = sr_value_map_get(h->exec->ctx, sr_value_str(args[0]));
        *out = v ? sr_value_ref(v) : sr_value_new_nil();
        return SR_OK;
    }
    return SR_ENOTFOUND;
}

// Build `$`: input, then the execution context, then the task's context,
// then `extra`; later layers win (Mistral's ContextView order).
static sr_value_t *
s_data(core_exec_t *exec, core_task_t *task, const sr_value_t *extra,
       const sr_value_t *final_ctx)
{
    sr_value_t *data = sr_value_new_map(16);
    if (!data)
        return NULL;
    // Mistral's layers, lowest first: workflow input, workflow context
    // (vars, globals), with-items variables, the task's inbound context
    // and what it published.
    sr_err_t rc = s_put_all(data, exec->input);
    if (!rc)
        rc = s_put_all(data, exec->ctx);
    if (!rc)
        rc = s_put_all(data, extra);
    if (!rc && final_ctx)
        rc = s_put_all(data, final_ctx);
    else if (!rc && task) {
        rc = s_put_all(data, task->in_ctx);
        if (!rc && task->published)
            rc = s_put_all(data, task->published);
    }
    if (rc)
        sr_value_destroy(&data);
    return data;
}

sr_err_t
core_eval(core_run_t *r, core_exec_t *exec, core_task_t *task,
          const sr_value_t *extra, const sr_value_t *final_ctx,
          const lang_vt_t *vt, sr_value_t *dflt, sr_value_t **out)
{
    if (!vt) {
        *out = dflt ? sr_value_ref(dflt) : sr_value_new_nil();
        return *out ? SR_OK : SR_ENOMEM;
    }
    const sr_value_t *c = lang_vt_const(vt);
    if (c) {
        *out = sr_value_ref((sr_value_t *)c);
        return SR_OK;
    }
    sr_value_t *data = s_data(exec, task, extra, final_ctx);
    if (!data)
        return sr_error_set(r->err, SR_ENOMEM, "out of memory");
    s_host_t host = {r, exec, task};
    lang_eval_ctx_t ctx = {
        .data = data,
        .call = s_host,
        .user = &host,
        .now_ms = r->now,
        .max_steps = r->core->max_expr_steps,
        .max_bytes = r->core->max_value_bytes,
    };
    sr_err_t rc = lang_vt_eval(vt, &ctx, out, r->err);
    sr_value_destroy(&data);
    if (rc && rc != SR_ENOMEM && rc != SR_ESTORE)
        rc = SR_EEXPR;
    return rc;
}

sr_err_t
core_eval_bool(core_run_t *r, core_exec_t *exec, core_task_t *task,
               const lang_vt_t *vt, bool dflt, bool *out)
{
    if (!vt) {
        *out = dflt;
        return SR_OK;
    }
    sr_value_t *v = NULL;
    sr_err_t rc = core_eval(r, exec, task, NULL, NULL, vt, NULL, &v);
    if (rc)
        return rc;
    *out = sr_value_truthy(v);
    sr_value_destroy(&v);
    return SR_OK;
}

sr_err_t
core_eval_seconds(core_run_t *r, core_exec_t *exec, core_task_t *task,
                  const lang_vt_t *vt, const char *what, double *out)
{
    if (!vt) {
        *out = 0;
        return SR_OK;
    }
    sr_value_t *v = NULL;
    sr_err_t rc = core_eval(r, exec, task, NULL, NULL, vt, NULL, &v);
    if (rc)
        return rc;
    double d = 0;
    if (sr_value_is_number(v))
        d = sr_value_float(v);
    else if (sr_value_is(v, SR_T_STR)) {
        char *end;
        d = strtod(sr_value_str(v), &end);
        if (end == sr_value_str(v) || *end)
            d = NAN;
    } else if (sr_value_is(v, SR_T_NIL))
        d = 0;
    else
        d = NAN;
    sr_value_destroy(&v);
    if (!isfinite(d) || d < 0)
        return sr_error_set(r->err, SR_EEXPR,
                            "'%s' must be a non-negative number of seconds",
                            what);
    *out = d;
    return SR_OK;
}

// --- context versioning --------------------------------------------------

static sr_err_t
s_bump(sr_value_t *ver, const sr_value_t *published, const char *prefix)
{
    for (size_t i = 0; i < sr_value_len(published); i++) {
        const sr_value_t *k = sr_value_map_key(published, i);
        const sr_value_t *v = sr_value_map_val(published, i);
        char path[512];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "",
                 sr_value_str(k));
        sr_err_t rc;
        if (sr_value_is(v, SR_T_MAP) && sr_value_len(v))
            rc = s_bump(ver, v, path);
        else {
            int64_t n = 0;
            sr_value_map_int(ver, path, &n);
            rc = sr_value_map_put(ver, path, sr_value_new_int(n + 1));
        }
        if (rc)
            return rc;
    }
    return SR_OK;
}

sr_err_t
core_ver_bump(sr_value_t *ver, const sr_value_t *published)
{
    return s_bump(ver, published, "");
}

sr_value_t *
core_ver_outbound(const core_task_t *task)
{
    sr_value_t *ver =
        task->in_ver ? sr_value_dup(task->in_ver) : sr_value_new_map(0);
    if (ver && task->published && core_ver_bump(ver, task->published))
        sr_value_destroy(&ver);
    return ver;
}

static int64_t
s_version(const sr_value_t *ver, const char *path)
{
    int64_t n = 0;
    sr_value_map_int(ver, path, &n);
    return n;
}

static sr_err_t
s_merge(sr_value_t *left, const sr_value_t *lver, const sr_value_t *right,
        const sr_value_t *rver, const char *prefix)
{
    for (size_t i = 0; i < sr_value_len(right); i++) {
        sr_value_t *k = sr_value_map_key(right, i);
        sr_value_t *rv = sr_value_map_val(right, i);
        sr_value_t *lv =
            sr_value_map_getn(left, sr_value_str(k), sr_value_len(k));
        char path[512];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "",
                 sr_value_str(k));
        sr_err_t rc = SR_OK;
        if (!lv)
            rc = sr_value_map_putv(left, k, sr_value_ref(rv));
        else if (sr_value_is(lv, SR_T_MAP) && sr_value_is(rv, SR_T_MAP)) {
            sr_value_t *copy = sr_value_dup(lv);
            if (!copy)
                return SR_ENOMEM;
            rc = s_merge(copy, lver, rv, rver, path);
            if (!rc)
                rc = sr_value_map_putv(left, k, copy);
            else
                sr_value_destroy(&copy);
        } else if (s_version(rver, path) > s_version(lver, path))
            rc = sr_value_map_putv(left, k, sr_value_ref(rv));
        if (rc)
            return rc;
    }
    return SR_OK;
}

sr_err_t
core_ver_merge(sr_value_t **left, sr_value_t **left_ver,
               const sr_value_t *right, const sr_value_t *right_ver)
{
    sr_err_t rc = sr_value_unshare(left);
    if (!rc)
        rc = sr_value_unshare(left_ver);
    if (rc)
        return rc;
    if ((rc = s_merge(*left, *left_ver, right, right_ver, "")))
        return rc;
    for (size_t i = 0; i < sr_value_len(right_ver); i++) {
        sr_value_t *k = sr_value_map_key(right_ver, i);
        int64_t rv = sr_value_int(sr_value_map_val(right_ver, i));
        if (rv > s_version(*left_ver, sr_value_str(k)) &&
            (rc = sr_value_map_putv(*left_ver, k, sr_value_new_int(rv))))
            return rc;
    }
    return SR_OK;
}

sr_err_t
core_ctx_target(core_run_t *r, const core_exec_t *exec,
                const lang_workflow_t *wf, int *out)
{
    const char *name = sr_value_map_str(exec->params, "task_name");
    int idx = name ? lang_workflow_task_index(wf, name) : -1;
    if (idx < 0)
        return sr_error_set(r->err, SR_EINVAL,
                            name ? "reverse workflow '%s': task '%s' not found"
                                 : "reverse workflow '%s' needs a target task "
                                   "(params: task_name)",
                            wf->name, name);
    *out = idx;
    return SR_OK;
}

typedef struct {
    int target; // reverse: the target task, else -1
    sr_value_t *ctx;
} s_final_t;

static sr_err_t
s_final_visit(void *arg, core_task_t *task)
{
    s_final_t *f = arg;
    // Direct: every completed task that led nowhere; reverse: the target.
    if (!core_task_state_is_final(task->state))
        return SR_OK;
    if (f->target >= 0
            ? task->spec_index != f->target || task->state != CORE_T_SUCCESS
            : sr_value_len(task->next) > 0)
        return SR_OK;
    sr_value_t *out = core_ctx_outbound(task);
    if (!out)
        return SR_ENOMEM;
    sr_err_t rc = sr_value_map_merge(f->ctx, out, true);
    sr_value_destroy(&out);
    return rc;
}

sr_err_t
core_ctx_final(core_run_t *r, core_exec_t *exec, sr_value_t **out)
{
    const lang_doc_t *doc;
    const lang_workflow_t *wf;
    sr_err_t rc = core_exec_workflow(r, exec, &doc, &wf);
    if (rc)
        return rc;
    s_final_t f = {-1, sr_value_new_map(0)};
    if (!f.ctx)
        return SR_ENOMEM;
    if (wf->type == LANG_WF_REVERSE &&
        (rc = core_ctx_target(r, exec, wf, &f.target)))
        f.target = -1;
    rc = CORE_OPS(r)->task_scan(r->st, &exec->id, s_final_visit, &f);
    if (rc) {
        sr_value_destroy(&f.ctx);
        return rc;
    }
    *out = f.ctx;
    return SR_OK;
}
