// Reads a workflow and merges its task-defaults into the tasks: a task's
// own on-success / on-error / on-complete wins when it has entries, else
// the default clause applies without transitions to the task itself;
// policies (retry, wait-before, wait-after, timeout, pause-before,
// concurrency, fail-on, safe-rerun) come from the defaults unless the task
// sets them; in reverse workflows `requires` is the union of both, minus
// the task itself. Results live in the document.
#include "lang_load_wf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lang_load_spec.h"
#include "lang_load_task.h"

#define S_MAX_TASK_NAME 255

enum {
    K_TYPE,
    K_DESCRIPTION,
    K_TAGS,
    K_INPUT,
    K_OUTPUT,
    K_OUTPUT_ON_ERROR,
    K_VARS,
    K_TASK_DEFAULTS,
    K_TASKS,
    K_VERSION,
    K_COUNT
};

static const lang_kw_t s_kws[K_COUNT] = {
    [K_TYPE] = {"type", 1, NULL},
    [K_DESCRIPTION] = {"description", 1, NULL},
    [K_TAGS] = {"tags", 1, NULL},
    [K_INPUT] = {"input", 1, NULL},
    [K_OUTPUT] = {"output", 1, NULL},
    [K_OUTPUT_ON_ERROR] = {"output-on-error", 1, NULL},
    [K_VARS] = {"vars", 1, NULL},
    [K_TASK_DEFAULTS] = {"task-defaults", 1, NULL},
    [K_TASKS] = {"tasks", 1, NULL},
    [K_VERSION] = {"version", 1, NULL},
};

bool
lang_load_params(lang_ld_t *ld, const lang_node_t *node, lang_param_t **out,
                 size_t *n)
{
    if (node->kind != LANG_NODE_SEQ) {
        lang_ld_err(ld, node,
                    "'input' must be a list of names and "
                    "'name: default' pairs");
        return false;
    }
    lang_param_t *ps = lang_doc_alloc(ld->doc, node->nitems + 1, sizeof *ps);
    lang_strtab_t *seen = lang_strtab_new(node->nitems);
    if (!ps || !seen) {
        lang_strtab_destroy(&seen);
        return lang_ld_oom(ld) != NULL;
    }
    bool ok = true;
    for (size_t i = 0; i < node->nitems; i++) {
        const lang_node_t *it = node->items[i], *name = it, *def = NULL;
        if (it->kind == LANG_NODE_MAP && lang_node_map_len(it) == 1) {
            name = lang_node_map_key(it, 0);
            def = lang_node_map_val(it, 0);
        }
        if (!lang_node_is_str(name) || name->len == 0) {
            lang_ld_err(ld, it,
                        "an input must be a name or one "
                        "'name: default' pair");
            ok = false;
            continue;
        }
        if (lang_strtab_get(seen, name->str, name->len)) {
            lang_ld_err(ld, name, "input '%s' is listed twice", name->str);
            ok = false;
        } else if (lang_strtab_put(seen, name->str, name->len, ps) != SR_OK)
            ok = lang_ld_oom(ld) != NULL;
        if (!(ps[i].name = lang_doc_strdup(ld->doc, name->str))) {
            ok = lang_ld_oom(ld) != NULL;
            break;
        }
        if (def &&
            !(ps[i].default_value = lang_ld_keep(ld, lang_ld_vt(ld, def))))
            ok = false;
    }
    lang_strtab_destroy(&seen);
    if (ok) {
        *out = ps;
        *n = node->nitems;
    }
    return ok;
}

// Mistral refuses workflow names that look like UUIDs.
static bool
s_uuid_like(const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '-')
            continue;
        if (n == 32 || !strchr("0123456789abcdefABCDEF", *p))
            return false;
        n++;
    }
    return n == 32;
}

static bool
s_merge_defaults(lang_ld_t *ld, lang_workflow_t *wf, const lang_task_t *d)
{
    for (size_t i = 0; i < wf->ntasks; i++) {
        lang_task_t *t = &wf->tasks[i];
        if (!t->retry)
            t->retry = d->retry;
        lang_vt_t **own[] = {&t->concurrency, &t->wait_before,  &t->wait_after,
                             &t->timeout,     &t->pause_before, &t->fail_on,
                             &t->safe_rerun};
        lang_vt_t *const def[] = {
            d->concurrency,  d->wait_before, d->wait_after, d->timeout,
            d->pause_before, d->fail_on,     d->safe_rerun};
        for (size_t k = 0; k < sizeof own / sizeof *own; k++)
            if (!*own[k])
                *own[k] = def[k];
        if (wf->type != LANG_WF_DIRECT)
            continue;
        for (int on = 0; on < LANG_ON_COUNT; on++) {
            lang_clause_t *c = &t->on[on];
            const lang_clause_t *dc = &d->on[on];
            if (c->count > 0 || dc->count == 0)
                continue;
            lang_next_t *next =
                lang_doc_alloc(ld->doc, dc->count, sizeof *next);
            if (!next)
                return lang_ld_oom(ld) != NULL;
            size_t n = 0;
            for (size_t j = 0; j < dc->count; j++)
                if (dc->next[j].cmd != LANG_CMD_NONE ||
                    dc->next[j].task_index != (int)i)
                    next[n++] = dc->next[j];
            c->next = next;
            c->count = n;
        }
    }
    return true;
}

// Reverse workflows: requires = own + defaults', minus the task itself.
static bool
s_requires(lang_ld_t *ld, lang_workflow_t *wf, const lang_task_t *d)
{
    for (size_t i = 0; i < wf->ntasks; i++) {
        lang_task_t *t = &wf->tasks[i];
        size_t max = t->nrequires + (d ? d->nrequires : 0), n = 0;
        const char **names = lang_doc_alloc(ld->doc, max + 1, sizeof *names);
        int *index = lang_doc_alloc(ld->doc, max + 1, sizeof *index);
        if (!names || !index)
            return lang_ld_oom(ld) != NULL;
        for (size_t j = 0; j < max; j++) {
            const char *r = j < t->nrequires ? t->requires[j]
                                             : d->requires[j - t->nrequires];
            uintptr_t at = (uintptr_t)lang_strtab_get(ld->tasks, r, strlen(r));
            bool dup = at == 0 || at - 1 == i;
            for (size_t k = 0; k < n && !dup; k++)
                dup = index[k] == (int)at - 1;
            if (dup)
                continue;
            names[n] = r;
            index[n++] = (int)at - 1;
        }
        t->requires = names;
        t->requires_index = index;
        t->nrequires = n;
    }
    return true;
}

static bool
s_tasks(lang_ld_t *ld, lang_workflow_t *wf, const lang_node_t *tasks,
        const lang_node_t *dkey, const lang_node_t *defaults)
{
    size_t n = lang_node_map_len(tasks);
    lang_strtab_t *names = lang_strtab_new(n);
    wf->tasks = lang_doc_alloc(ld->doc, n, sizeof *wf->tasks);
    if (!names || !wf->tasks) {
        lang_strtab_destroy(&names);
        return lang_ld_oom(ld) != NULL;
    }
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        const lang_node_t *k = lang_node_map_key(tasks, i);
        if (k->len > S_MAX_TASK_NAME) {
            lang_ld_err(ld, k,
                        "The length of a '%.40s...' task name must not "
                        "exceed %d symbols",
                        k->str, S_MAX_TASK_NAME);
            ok = false;
        }
        if (lang_strtab_put(names, k->str, k->len,
                            (void *)(uintptr_t)(i + 1)) != SR_OK)
            ok = lang_ld_oom(ld) != NULL;
    }
    ld->tasks = names;
    lang_task_t d = {0};
    bool have_defaults =
        defaults && (ok &= lang_load_task(ld, dkey, defaults, true, &d));
    for (size_t i = 0; i < n; i++) {
        const lang_node_t *k = lang_node_map_key(tasks, i);
        const lang_node_t *v = lang_node_map_val(tasks, i);
        ok &= lang_load_task(ld, k, v, false, &wf->tasks[i]);
        wf->tasks[i].spec = lang_ld_spec(ld, k, v);
    }
    wf->ntasks = n;
    if (ok && have_defaults)
        ok = s_merge_defaults(ld, wf, &d);
    if (ld->oom == SR_OK && wf->type == LANG_WF_REVERSE)
        ok &= s_requires(ld, wf, have_defaults ? &d : NULL);
    ld->tasks = NULL;
    lang_strtab_destroy(&names);
    return ok;
}

static bool
s_type(lang_ld_t *ld, const lang_node_t *node, lang_workflow_t *out)
{
    out->type = LANG_WF_DIRECT;
    if (!node)
        return true;
    if (lang_node_is_str(node) && strcmp(node->str, "reverse") == 0)
        out->type = LANG_WF_REVERSE;
    else if (!lang_node_is_str(node) || strcmp(node->str, "direct") != 0) {
        lang_ld_err(ld, node, "'type' must be 'direct' or 'reverse'");
        return false;
    }
    return true;
}

static bool
s_map_vt(lang_ld_t *ld, const lang_node_t *node, const char *what,
         lang_vt_t **out)
{
    if (!node)
        return true;
    if (!lang_ld_map(ld, node, what))
        return false;
    return (*out = lang_ld_keep(ld, lang_ld_vt(ld, node))) != NULL;
}

static bool
s_name(lang_ld_t *ld, const lang_node_t *name, lang_workflow_t *out)
{
    char *full;
    if (ld->wb) {
        size_t n = strlen(ld->wb) + 1 + name->len;
        if ((full = lang_doc_alloc(ld->doc, n + 1, 1)))
            snprintf(full, n + 1, "%s.%s", ld->wb, name->str);
    } else
        full = lang_doc_strndup(ld->doc, name->str, name->len);
    if (!full)
        return lang_ld_oom(ld) != NULL;
    out->name = full;
    out->pos = name->pos;
    if (s_uuid_like(name->str)) {
        lang_ld_err(ld, name, "Workflow name cannot be in the format of UUID");
        return false;
    }
    if (memchr(name->str, ' ', name->len)) {
        lang_ld_err(ld, name, "Name '%.64s' must not contain spaces",
                    name->str);
        return false;
    }
    return true;
}

bool
lang_load_wf(lang_ld_t *ld, const lang_node_t *name, const lang_node_t *node,
             lang_workflow_t *out)
{
    if (!s_name(ld, name, out))
        return false;
    if (node->kind != LANG_NODE_MAP) {
        lang_ld_err(ld, node, "workflow '%.64s' must be a map", name->str);
        return false;
    }
    const lang_node_t *v[K_COUNT], *k[K_COUNT];
    size_t before = ld->diags->count;
    lang_ld_keywords(ld, node, s_kws, K_COUNT, 1, "a workflow", v, k);
    bool ok = ld->diags->count == before;
    ok &= s_type(ld, v[K_TYPE], out);
    ld->wf_type = out->type;
    if (!v[K_TASKS] || lang_node_map_len(v[K_TASKS]) == 0) {
        lang_ld_err(ld, v[K_TASKS] ? v[K_TASKS] : name,
                    "workflow '%.64s' has no tasks ('tasks' must be a "
                    "non-empty map)",
                    name->str);
        ok = false;
    } else
        ok &= s_tasks(ld, out, v[K_TASKS], k[K_TASK_DEFAULTS],
                      v[K_TASK_DEFAULTS]);
    if (v[K_INPUT])
        ok &= lang_load_params(ld, v[K_INPUT], &out->inputs, &out->ninputs);
    ok &= s_map_vt(ld, v[K_OUTPUT], "output", &out->output);
    ok &= s_map_vt(ld, v[K_OUTPUT_ON_ERROR], "output-on-error",
                   &out->output_on_error);
    ok &= s_map_vt(ld, v[K_VARS], "vars", &out->vars);
    if (v[K_DESCRIPTION]) {
        const char *d = lang_ld_str(ld, v[K_DESCRIPTION], "description");
        ok &= d != NULL;
        if (d && !(out->description = lang_doc_strdup(ld->doc, d)))
            ok = lang_ld_oom(ld) != NULL;
    }
    if (v[K_TAGS])
        ok &= lang_ld_strlist(ld, v[K_TAGS], "tags", false, &out->tags,
                              &out->ntags);
    out->spec = lang_ld_spec(ld, name, node);
    return ok;
}
