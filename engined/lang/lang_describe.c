// Turns the model into a value tree (maps in a fixed key order) for JSON
// output, and a workflow's input into Mistral's one line of text. Absent
// settings are left out. Owns only what it builds.
#include "lang_describe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_value_json.h"

typedef struct {
    sr_err_t rc; // first failure, sticky
} s_out_t;

static void
s_put(s_out_t *o, sr_value_t *map, const char *key, sr_value_t *v)
{
    if (o->rc == SR_OK && !map)
        o->rc = SR_ENOMEM;
    if (o->rc == SR_OK)
        o->rc = sr_value_map_put(map, key, v);
    else
        sr_value_destroy(&v);
}

static void
s_put_str(s_out_t *o, sr_value_t *map, const char *key, const char *s)
{
    if (s)
        s_put(o, map, key, sr_value_new_str(s));
}

static void
s_put_vt(s_out_t *o, sr_value_t *map, const char *key, const lang_vt_t *vt)
{
    if (!vt)
        return;
    sr_value_t *v = NULL;
    if (o->rc == SR_OK)
        o->rc = lang_vt_source(vt, &v);
    if (o->rc == SR_OK)
        s_put(o, map, key, v);
}

static sr_value_t *
s_strs(s_out_t *o, const char *const *s, size_t n)
{
    sr_value_t *a = sr_value_new_array(n);
    for (size_t i = 0; a && i < n && o->rc == SR_OK; i++)
        o->rc = sr_value_array_append(a, sr_value_new_str(s[i]));
    if (!a && o->rc == SR_OK)
        o->rc = SR_ENOMEM;
    return a;
}

static sr_value_t *
s_params(s_out_t *o, const lang_param_t *p, size_t n)
{
    sr_value_t *a = sr_value_new_array(n);
    for (size_t i = 0; a && i < n && o->rc == SR_OK; i++) {
        sr_value_t *m = sr_value_new_map(2);
        if (!m) {
            o->rc = SR_ENOMEM;
            break;
        }
        s_put_str(o, m, "name", p[i].name);
        if (p[i].default_value)
            s_put_vt(o, m, "default", p[i].default_value);
        else
            s_put(o, m, "required", sr_value_new_bool(true));
        if (o->rc == SR_OK)
            o->rc = sr_value_array_append(a, m);
        else
            sr_value_destroy(&m);
    }
    if (!a && o->rc == SR_OK)
        o->rc = SR_ENOMEM;
    return a;
}

static const char *const s_cmd_names[] = {"", "fail", "succeed", "pause",
                                          "noop"};
static const char *const s_on_names[] = {"on-success", "on-error",
                                         "on-complete"};

static sr_value_t *
s_clause(s_out_t *o, const lang_clause_t *c)
{
    sr_value_t *m = sr_value_new_map(3), *next = sr_value_new_array(c->count);
    if (!m || !next) {
        sr_value_destroy(&m);
        sr_value_destroy(&next);
        o->rc = SR_ENOMEM;
        return NULL;
    }
    for (size_t i = 0; i < c->count && o->rc == SR_OK; i++) {
        const lang_next_t *n = &c->next[i];
        sr_value_t *e = sr_value_new_map(3);
        if (!e) {
            o->rc = SR_ENOMEM;
            break;
        }
        if (n->cmd == LANG_CMD_NONE)
            s_put_str(o, e, "task", n->task);
        else
            s_put_str(o, e, "command", s_cmd_names[n->cmd]);
        s_put_vt(o, e, "msg", n->msg);
        s_put_vt(o, e, "when", n->when);
        if (o->rc == SR_OK)
            o->rc = sr_value_array_append(next, e);
        else
            sr_value_destroy(&e);
    }
    s_put(o, m, "next", next);
    s_put_vt(o, m, "publish", c->publish);
    s_put_vt(o, m, "publish-global", c->publish_global);
    return m;
}

static void
s_policies(s_out_t *o, sr_value_t *task, const lang_task_t *t)
{
    sr_value_t *p = sr_value_new_map(8);
    if (!p) {
        o->rc = SR_ENOMEM;
        return;
    }
    if (t->retry) {
        sr_value_t *r = sr_value_new_map(4);
        if (!r)
            o->rc = SR_ENOMEM;
        s_put_vt(o, r, "count", t->retry->count);
        s_put_vt(o, r, "delay", t->retry->delay);
        s_put_vt(o, r, "break-on", t->retry->break_on);
        s_put_vt(o, r, "continue-on", t->retry->continue_on);
        s_put(o, p, "retry", r);
    }
    s_put_vt(o, p, "wait-before", t->wait_before);
    s_put_vt(o, p, "wait-after", t->wait_after);
    s_put_vt(o, p, "timeout", t->timeout);
    s_put_vt(o, p, "pause-before", t->pause_before);
    s_put_vt(o, p, "fail-on", t->fail_on);
    s_put_vt(o, p, "concurrency", t->concurrency);
    s_put_vt(o, p, "safe-rerun", t->safe_rerun);
    s_put_vt(o, p, "keep-result", t->keep_result);
    s_put_vt(o, p, "target", t->target);
    s_put(o, task, "policies", p);
}

static void
s_flow(s_out_t *o, sr_value_t *m, const lang_workflow_t *wf,
       const lang_task_t *t)
{
    if (t->join == LANG_JOIN_ALL)
        s_put_str(o, m, "join", "all");
    else if (t->join > 0)
        s_put(o, m, "join", sr_value_new_int(t->join));
    if (t->nrequires)
        s_put(o, m, "requires", s_strs(o, t->requires, t->nrequires));
    for (int on = 0; on < LANG_ON_COUNT; on++)
        if (t->on[on].count || t->on[on].publish || t->on[on].publish_global)
            s_put(o, m, s_on_names[on], s_clause(o, &t->on[on]));
    if (t->ninbound == 0)
        return;
    sr_value_t *in = sr_value_new_array(t->ninbound);
    for (size_t i = 0; in && i < t->ninbound && o->rc == SR_OK; i++) {
        sr_value_t *e = sr_value_new_map(2);
        s_put_str(o, e, "from", wf->tasks[t->inbound[i].from].name);
        s_put_str(o, e, "on", s_on_names[t->inbound[i].on]);
        if (o->rc == SR_OK)
            o->rc = e ? sr_value_array_append(in, e) : SR_ENOMEM;
    }
    s_put(o, m, "inbound", in);
}

static sr_value_t *
s_task(s_out_t *o, const lang_workflow_t *wf, const lang_task_t *t)
{
    sr_value_t *m = sr_value_new_map(16);
    if (!m) {
        o->rc = SR_ENOMEM;
        return NULL;
    }
    s_put_str(o, m, "name", t->name);
    s_put_str(o, m, "description", t->description);
    if (!t->action && !t->workflow)
        s_put_str(o, m, "action", "std.noop");
    s_put_vt(o, m, "action", t->action);
    s_put_vt(o, m, "workflow", t->workflow);
    s_put_vt(o, m, "input", t->input);
    s_put_vt(o, m, "publish", t->publish);
    s_put_vt(o, m, "publish-on-error", t->publish_on_error);
    if (t->nitems) {
        sr_value_t *items = sr_value_new_array(t->nitems);
        for (size_t i = 0; items && i < t->nitems && o->rc == SR_OK; i++) {
            sr_value_t *e = sr_value_new_map(2);
            s_put_str(o, e, "var", t->items[i].var);
            s_put_vt(o, e, "values", t->items[i].values);
            if (o->rc == SR_OK)
                o->rc = e ? sr_value_array_append(items, e) : SR_ENOMEM;
        }
        s_put(o, m, "with-items", items);
    }
    s_policies(o, m, t);
    s_flow(o, m, wf, t);
    if (t->ntags)
        s_put(o, m, "tags", s_strs(o, t->tags, t->ntags));
    return m;
}

static sr_value_t *
s_workflow(s_out_t *o, const lang_workflow_t *wf)
{
    sr_value_t *m = sr_value_new_map(12);
    if (!m) {
        o->rc = SR_ENOMEM;
        return NULL;
    }
    s_put_str(o, m, "name", wf->name);
    s_put_str(o, m, "type", wf->type == LANG_WF_DIRECT ? "direct" : "reverse");
    s_put_str(o, m, "description", wf->description);
    if (wf->ntags)
        s_put(o, m, "tags", s_strs(o, wf->tags, wf->ntags));
    s_put(o, m, "input", s_params(o, wf->inputs, wf->ninputs));
    s_put_vt(o, m, "output", wf->output);
    s_put_vt(o, m, "output-on-error", wf->output_on_error);
    s_put_vt(o, m, "vars", wf->vars);
    if (wf->type == LANG_WF_DIRECT) {
        sr_value_t *start = sr_value_new_array(wf->nstart);
        for (size_t i = 0; start && i < wf->nstart && o->rc == SR_OK; i++)
            o->rc = sr_value_array_append(
                start, sr_value_new_str(wf->tasks[wf->start[i]].name));
        s_put(o, m, "start", start);
    }
    sr_value_t *tasks = sr_value_new_array(wf->ntasks);
    for (size_t i = 0; tasks && i < wf->ntasks && o->rc == SR_OK; i++)
        o->rc = sr_value_array_append(tasks, s_task(o, wf, &wf->tasks[i]));
    s_put(o, m, "tasks", tasks);
    return m;
}

static sr_value_t *
s_action(s_out_t *o, const lang_action_t *a)
{
    sr_value_t *m = sr_value_new_map(5);
    if (!m) {
        o->rc = SR_ENOMEM;
        return NULL;
    }
    s_put_str(o, m, "name", a->name);
    s_put_str(o, m, "base", a->base);
    s_put_vt(o, m, "base-input", a->base_input);
    s_put(o, m, "input", s_params(o, a->inputs, a->ninputs));
    s_put_vt(o, m, "output", a->output);
    return m;
}

sr_err_t
lang_doc_describe(const lang_doc_t *doc, sr_value_t **out)
{
    s_out_t o = {SR_OK};
    sr_value_t *m = sr_value_new_map(5);
    sr_value_t *wfs = sr_value_new_array(lang_doc_nworkflows(doc));
    sr_value_t *acts = sr_value_new_array(lang_doc_nactions(doc));
    if (!m)
        o.rc = SR_ENOMEM;
    s_put_str(&o, m, "hash", lang_doc_hash(doc));
    s_put(&o, m, "workbook",
          lang_doc_name(doc) ? sr_value_new_str(lang_doc_name(doc))
                             : sr_value_new_nil());
    for (size_t i = 0; wfs && i < lang_doc_nworkflows(doc) && o.rc == SR_OK;
         i++)
        o.rc = sr_value_array_append(
            wfs, s_workflow(&o, lang_doc_workflow_at(doc, i)));
    s_put(&o, m, "workflows", wfs);
    for (size_t i = 0; acts && i < lang_doc_nactions(doc) && o.rc == SR_OK; i++)
        o.rc = sr_value_array_append(acts,
                                     s_action(&o, lang_doc_action_at(doc, i)));
    s_put(&o, m, "actions", acts);
    if (o.rc != SR_OK) {
        sr_value_destroy(&m);
        return o.rc;
    }
    *out = m;
    return SR_OK;
}

// One parameter of Mistral's input line: "name" or "name=default".
static sr_err_t
s_input_param(FILE *f, const lang_param_t *p, bool first)
{
    sr_value_t *d = NULL;
    char *json = NULL;
    sr_err_t rc =
        p->default_value ? lang_vt_source(p->default_value, &d) : SR_OK;
    if (!rc && d && !sr_value_is(d, SR_T_STR) &&
        !(json = sr_value_to_json(d, SR_JSON_SPACED)))
        rc = SR_ENOMEM;
    if (!rc && fprintf(f, "%s%s%s%s", first ? "" : ", ", p->name, d ? "=" : "",
                       json ? json
                       : d  ? sr_value_str(d)
                            : "") < 0)
        rc = SR_ENOMEM;
    free(json);
    sr_value_destroy(&d);
    return rc;
}

sr_err_t
lang_workflow_input_text(const lang_workflow_t *wf, sr_value_t **out)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    sr_err_t rc = f ? SR_OK : SR_ENOMEM;
    for (size_t i = 0; !rc && i < wf->ninputs; i++)
        rc = s_input_param(f, &wf->inputs[i], i == 0);
    if (f && fclose(f) != 0 && !rc)
        rc = SR_ENOMEM;
    sr_value_t *v = rc ? NULL : sr_value_new_strn(buf ? buf : "", len);
    free(buf);
    if (!rc && !v)
        rc = SR_ENOMEM;
    if (!rc)
        *out = v;
    return rc;
}
