// Sample workflows against their headers: read the `# key: value` lines,
// start the workflow in a sim, and compare state, tasks, published values,
// output and state_info with what the header expects.
#include "sim_check.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_value_json.h"

#define S_MAX_EVENTS 200000

void
sim_report_add(sim_report_t *r, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    size_t n = strlen(line);
    char *t = realloc(r->text, r->len + n + 2);
    if (!t)
        return;
    r->text = t;
    memcpy(r->text + r->len, line, n);
    r->len += n;
    r->text[r->len++] = '\n';
    r->text[r->len] = '\0';
    r->count++;
}

sr_err_t
sim_sample_read(const char *path, sim_sample_t *out, sr_error_t *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return sr_error_set(err, SR_EIO, "%s: cannot open", path);
    char *text = malloc(1 << 20);
    size_t len = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (!text)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    text[len] = '\0';
    out->text = text;
    out->len = len;
    static const char *known[] = {"workflow",
                                  "input",
                                  "env",
                                  "task_name",
                                  "expect",
                                  "after-resume",
                                  "expect-output",
                                  "expect-output-contains",
                                  "expect-output-keys",
                                  "expect-tasks",
                                  "expect-task-count",
                                  "expect-published",
                                  "expect-state-info-contains",
                                  "expect-task-state-info-contains"};
    for (const char *line = text; line && *line && out->n < 32;) {
        const char *end = strchr(line, '\n');
        size_t l = end ? (size_t)(end - line) : strlen(line);
        if (l >= 3 && strncmp(line, "---", 3) == 0)
            break;
        for (size_t k = 0; k < sizeof known / sizeof *known; k++) {
            size_t kl = strlen(known[k]);
            if (l > kl + 4 && strncmp(line, "# ", 2) == 0 &&
                strncmp(line + 2, known[k], kl) == 0 &&
                strncmp(line + 2 + kl, ": ", 2) == 0) {
                out->keys[out->n] = known[k];
                out->vals[out->n] = strndup(line + 4 + kl, l - 4 - kl);
                if (out->vals[out->n])
                    out->n++;
            }
        }
        line = end ? end + 1 : NULL;
    }
    return SR_OK;
}

void
sim_sample_fini(sim_sample_t *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->vals[i]);
    free(s->text);
    memset(s, 0, sizeof *s);
}

const char *
sim_sample_get(const sim_sample_t *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->keys[i], key) == 0)
            return s->vals[i];
    return NULL;
}

static sr_value_t *
s_json(const sim_sample_t *s, const char *key)
{
    const char *text = sim_sample_get(s, key);
    sr_value_t *v = NULL;
    if (text && sr_value_from_json(text, strlen(text), NULL, &v, NULL))
        return NULL;
    return v;
}

sr_err_t
sim_sample_start(sim_t *sim, const sim_sample_t *s, const char *file,
                 sr_id_t *id, sr_error_t *err)
{
    lang_diags_t diags = {0};
    sr_err_t rc = sim_define(sim, file, s->text, s->len, &diags, err);
    if (rc == SR_EINVAL && diags.count)
        sr_error_set(err, SR_EINVAL, "%d:%d: %s", diags.items[0].pos.line,
                     diags.items[0].pos.col, diags.items[0].msg);
    lang_diags_fini(&diags);
    if (rc)
        return rc;
    sr_value_t *input = s_json(s, "input"), *env = s_json(s, "env");
    sr_value_t *params = sr_value_new_map(1);
    const char *target = sim_sample_get(s, "task_name");
    if (target && params)
        sr_value_map_put(params, "task_name", sr_value_new_str(target));
    rc = sim_start(sim, sim_sample_get(s, "workflow"), input, env, params, id,
                   err);
    sr_value_destroy(&input);
    sr_value_destroy(&env);
    sr_value_destroy(&params);
    if (!rc)
        rc = sim_run(sim, S_MAX_EVENTS, err);
    return rc;
}

static char *
s_text(const sr_value_t *v)
{
    return v ? sr_value_to_json(v, SR_JSON_SPACED | SR_JSON_SORT_KEYS)
             : strdup("(none)");
}

// Compare `got` with `want` (JSON text) under `what`.
static void
s_same(sim_report_t *rep, const char *what, const sr_value_t *got,
       const sr_value_t *want)
{
    if (got && want && sr_value_equal(got, want))
        return;
    char *g = s_text(got), *w = s_text(want);
    sim_report_add(rep, "%s: got %s, want %s", what, g ? g : "?", w ? w : "?");
    free(g);
    free(w);
}

// The latest execution of each task name.
static const core_task_t *
s_latest(core_task_t **tasks, size_t n, const char *name)
{
    const core_task_t *t = NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(tasks[i]->name, name) == 0)
            t = tasks[i];
    return t;
}

static void
s_compare_tasks(const sim_sample_t *s, core_task_t **tasks, size_t n,
                sim_report_t *rep)
{
    sr_value_t *want = s_json(s, "expect-tasks");
    for (size_t i = 0; i < sr_value_len(want); i++) {
        const char *name = sr_value_str(sr_value_map_key(want, i));
        const char *state = sr_value_str(sr_value_map_val(want, i));
        const core_task_t *t = s_latest(tasks, n, name);
        const char *got = t ? core_task_state_name(t->state) : "(absent)";
        if (!state || strcmp(got, state) != 0)
            sim_report_add(rep, "task %s: got %s (%s), want %s", name, got,
                           t && t->state_info ? t->state_info : "",
                           state ? state : "?");
    }
    sr_value_destroy(&want);
    const char *count = sim_sample_get(s, "expect-task-count");
    if (count && (size_t)atol(count) != n)
        sim_report_add(rep, "task count: got %zu, want %s", n, count);
    want = s_json(s, "expect-published");
    for (size_t i = 0; i < sr_value_len(want); i++) {
        const char *name = sr_value_str(sr_value_map_key(want, i));
        const core_task_t *t = s_latest(tasks, n, name);
        sr_value_t *empty = sr_value_new_map(0);
        char what[300];
        snprintf(what, sizeof what, "published of %s", name);
        s_same(rep, what, t && t->published ? t->published : empty,
               sr_value_map_val(want, i));
        sr_value_destroy(&empty);
    }
    sr_value_destroy(&want);
    want = s_json(s, "expect-task-state-info-contains");
    for (size_t i = 0; i < sr_value_len(want); i++) {
        const char *name = sr_value_str(sr_value_map_key(want, i));
        const char *text = sr_value_str(sr_value_map_val(want, i));
        const core_task_t *t = s_latest(tasks, n, name);
        if (!t || !t->state_info || !text || !strstr(t->state_info, text))
            sim_report_add(rep, "state_info of %s: got '%s', want '%s'", name,
                           t && t->state_info ? t->state_info : "",
                           text ? text : "?");
    }
    sr_value_destroy(&want);
}

static int
s_cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
s_compare_output(const sim_sample_t *s, const core_exec_t *e, sim_report_t *rep)
{
    sr_value_t *want = s_json(s, "expect-output");
    if (want)
        s_same(rep, "output", e->output, want);
    sr_value_destroy(&want);
    want = s_json(s, "expect-output-contains");
    for (size_t i = 0; i < sr_value_len(want); i++) {
        const char *k = sr_value_str(sr_value_map_key(want, i));
        char what[300];
        snprintf(what, sizeof what, "output.%s", k);
        s_same(rep, what, sr_value_map_get(e->output, k),
               sr_value_map_val(want, i));
    }
    sr_value_destroy(&want);
    want = s_json(s, "expect-output-keys");
    if (want) {
        size_t n = sr_value_len(e->output);
        const char **names = calloc(n + 1, sizeof *names);
        for (size_t i = 0; names && i < n; i++)
            names[i] = sr_value_str(sr_value_map_key(e->output, i));
        if (names)
            qsort(names, n, sizeof *names, s_cmp_str);
        sr_value_t *keys = names ? sr_value_new_array(n) : NULL;
        for (size_t i = 0; keys && i < n; i++)
            sr_value_array_append(keys, sr_value_new_str(names[i]));
        free(names);
        s_same(rep, "output keys", keys, want);
        sr_value_destroy(&keys);
    }
    sr_value_destroy(&want);
}

size_t
sim_sample_compare(sim_t *sim, const sim_sample_t *s, const sr_id_t *id,
                   sim_report_t *rep)
{
    size_t before = rep->count;
    core_exec_t *e = NULL;
    core_task_t **tasks = NULL;
    size_t n = 0;
    sr_error_t err;
    if (sim_exec(sim, id, &e, &err) || sim_tasks(sim, id, &tasks, &n, &err)) {
        sim_report_add(rep, "cannot read the execution: %s", err.msg);
        core_exec_destroy(&e);
        return rep->count - before;
    }
    const char *want = sim_sample_get(s, "expect");
    const char *got = core_ex_state_name(e->state);
    if (!want || strcmp(want, got) != 0)
        sim_report_add(rep, "state: got %s (%s), want %s", got,
                       e->state_info ? e->state_info : "", want ? want : "?");
    s_compare_tasks(s, tasks, n, rep);
    s_compare_output(s, e, rep);
    sr_value_t *text = s_json(s, "expect-state-info-contains");
    if (text && (!e->state_info || !sr_value_is(text, SR_T_STR) ||
                 !strstr(e->state_info, sr_value_str(text))))
        sim_report_add(rep, "state_info: got '%s', want '%s'",
                       e->state_info ? e->state_info : "",
                       sr_value_str(text) ? sr_value_str(text) : "?");
    sr_value_destroy(&text);
    sim_tasks_free(tasks, n);
    core_exec_destroy(&e);
    return rep->count - before;
}

size_t
sim_sample_resume(sim_t *sim, const sim_sample_t *s, const sr_id_t *id,
                  sim_report_t *rep)
{
    const char *want = sim_sample_get(s, "after-resume");
    if (!want)
        return 0;
    size_t before = rep->count;
    sr_error_t err;
    core_event_t ev = {.kind = CORE_EV_RESUME, .exec_id = *id};
    core_exec_t *e = NULL;
    if (sim_apply(sim, &ev, &err) || sim_run(sim, S_MAX_EVENTS, &err) ||
        sim_exec(sim, id, &e, &err)) {
        sim_report_add(rep, "resume failed: %s", err.msg);
        return rep->count - before;
    }
    if (strcmp(core_ex_state_name(e->state), want) != 0)
        sim_report_add(rep, "after resume: got %s (%s), want %s",
                       core_ex_state_name(e->state),
                       e->state_info ? e->state_info : "", want);
    core_exec_destroy(&e);
    return rep->count - before;
}

// Header lines holding JSON must parse (a bad one would silently check
// nothing).
static void
s_check_json_keys(const sim_sample_t *s, sim_report_t *rep)
{
    static const char *keys[] = {"input",
                                 "env",
                                 "expect-output",
                                 "expect-output-contains",
                                 "expect-output-keys",
                                 "expect-tasks",
                                 "expect-published",
                                 "expect-state-info-contains",
                                 "expect-task-state-info-contains"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const char *text = sim_sample_get(s, keys[i]);
        sr_value_t *v = NULL;
        if (text && sr_value_from_json(text, strlen(text), NULL, &v, NULL))
            sim_report_add(rep, "header '%s' is not valid JSON", keys[i]);
        sr_value_destroy(&v);
    }
}

size_t
sim_sample_check(const sim_sample_t *s, const char *file, const char *dir,
                 const sim_runner_t *runner, char **report)
{
    sim_report_t rep = {0};
    s_check_json_keys(s, &rep);
    sim_t *sim = NULL;
    sr_error_t err;
    sr_id_t id;
    *report = NULL;
    if (sim_open(dir, STORE_NOSYNC, runner, &sim, &err)) {
        sim_report_add(&rep, "cannot open a sim: %s", err.msg);
        *report = rep.text;
        return rep.count;
    }
    const char *expect = sim_sample_get(s, "expect");
    sr_err_t rc = sim_sample_start(sim, s, file, &id, &err);
    if (expect && strcmp(expect, "INVALID") == 0) {
        if (rc != SR_EINVAL)
            sim_report_add(&rep, "accepted, want INVALID");
    } else if (rc)
        sim_report_add(&rep, "run failed: %s", err.msg);
    else {
        sim_sample_compare(sim, s, &id, &rep);
        sim_sample_resume(sim, s, &id, &rep);
    }
    sim_close(&sim);
    *report = rep.text;
    return rep.count;
}
