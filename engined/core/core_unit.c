// Units of a task: its action, sub-workflow or no-op, once or per
// with-items item. Owns the per-unit bookkeeping in the task record
// (states, results, ids) and builds the DISPATCH commands with their
// delegate tokens. Stopping units is core_tree.c's; the worker-facing
// events are core_unit_ev.c's.
#include "core_unit.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_adhoc.h"
#include "core_ctx.h"
#include "core_tree.h"
#include "sr_value_json.h"

// with-items concurrency when the task sets none (Mistral: 50).
#define S_DEFAULT_CONCURRENCY 50

static sr_err_t
s_array_set(sr_value_t **arr, uint32_t i, sr_value_t *v)
{
    sr_err_t rc = sr_value_unshare(arr);
    if (rc) {
        sr_value_destroy(&v);
        return rc;
    }
    return sr_value_array_set(*arr, i, v);
}

static sr_value_t *
s_nils(uint32_t n)
{
    sr_value_t *a = sr_value_new_array(n);
    for (uint32_t i = 0; a && i < n; i++)
        if (sr_value_array_append(a, sr_value_new_nil()))
            sr_value_destroy(&a);
    return a;
}

// One with-items value as a list, as Mistral iterates it: a list as is,
// a string as its characters, a map as its keys. NULL for other types.
static sr_value_t *
s_iterable(sr_value_t *v)
{
    if (sr_value_is(v, SR_T_ARRAY))
        return sr_value_ref(v);
    size_t n = sr_value_len(v);
    sr_value_t *list = NULL;
    if (sr_value_is(v, SR_T_MAP)) {
        list = sr_value_new_array(n);
        for (size_t i = 0; list && i < n; i++)
            if (sr_value_array_append(list,
                                      sr_value_ref(sr_value_map_key(v, i))))
                sr_value_destroy(&list);
    } else if (sr_value_is(v, SR_T_STR)) {
        const char *s = sr_value_str(v);
        list = sr_value_new_array(n);
        for (size_t i = 0; list && i < n;) {
            size_t len = 1; // one UTF-8 character
            while (i + len < n && ((unsigned char)s[i + len] & 0xC0) == 0x80)
                len++;
            if (sr_value_array_append(list, sr_value_new_strn(s + i, len)))
                sr_value_destroy(&list);
            i += len;
        }
    }
    return list;
}

// Mistral's "Wrong input format for: {...}" message over the evaluated
// with-items values.
static sr_err_t
s_items_error(core_run_t *r, const lang_task_t *spec, sr_value_t **lists,
              size_t got, const char *why)
{
    sr_value_t *all = sr_value_new_map(got);
    for (size_t j = 0; all && j < got; j++)
        if (sr_value_map_put(all, spec->items[j].var, sr_value_ref(lists[j])))
            sr_value_destroy(&all);
    char *text = all ? lang_value_to_text(all) : NULL;
    sr_value_destroy(&all);
    sr_err_t rc =
        sr_error_set(r->err, SR_EEXPR, "Wrong input format for: %s. %s",
                     text ? text : "?", why);
    free(text);
    return rc;
}

// Zip the lists into an array of maps {var: value, ...}.
static sr_value_t *
s_zip(const lang_task_t *spec, sr_value_t **lists, size_t len)
{
    size_t n = spec->nitems;
    sr_value_t *items = sr_value_new_array(len);
    for (size_t i = 0; items && i < len; i++) {
        sr_value_t *m = sr_value_new_map(n);
        for (size_t j = 0; m && j < n; j++)
            if (sr_value_map_put(m, spec->items[j].var,
                                 sr_value_ref(sr_value_array_at(lists[j], i))))
                sr_value_destroy(&m);
        if (sr_value_array_append(items, m))
            sr_value_destroy(&items);
    }
    return items;
}

// Evaluate with-items into an array of maps {var: value, ...} (zipped).
static sr_err_t
s_items(core_run_t *r, core_exec_t *exec, core_task_t *task,
        const lang_task_t *spec, sr_value_t **out)
{
    sr_value_t *lists[16];
    size_t n = spec->nitems, len = 0, got = 0;
    if (n > 16)
        return sr_error_set(r->err, SR_EEXPR, "too many with-items lists");
    sr_err_t rc = SR_OK;
    for (; got < n && !rc; got++) {
        sr_value_t *v = NULL;
        rc = core_eval(r, exec, task, NULL, NULL, spec->items[got].values, NULL,
                       &v);
        if (rc)
            break;
        lists[got] = s_iterable(v);
        if (!lists[got]) {
            lists[got] = v;
            rc = s_items_error(r, spec, lists, got + 1,
                               "Iterable type is expected for each value.");
            continue;
        }
        sr_value_destroy(&v);
        size_t l = sr_value_len(lists[got]);
        if (got && l != len)
            rc = s_items_error(r, spec, lists, got + 1,
                               "All arrays must have the same length.");
        len = l;
    }
    if (!rc) {
        *out = s_zip(spec, lists, len);
        if (!*out)
            rc = sr_error_set(r->err, SR_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < got; j++)
        sr_value_destroy(&lists[j]);
    return rc;
}

// An error before the task could run anything: Mistral force-fails the
// task and the workflow ("Failed to run task [...]").
static sr_err_t
s_fail_fatal(core_run_t *r, core_exec_t *exec, core_task_t *task)
{
    char info[1024];
    snprintf(info, sizeof info, "Failed to run task [error=%s, wf=%s, task=%s]",
             r->err->msg, exec->wf_name, task->name);
    sr_error_clear(r->err);
    // Failing a task is core_task.c's, above: it runs next.
    core_followup_t fu = {.kind = CORE_FU_TASK_FAIL,
                          .exec_id = exec->id,
                          .seq = task->seq,
                          .text = strdup(info)};
    if (!fu.text)
        return sr_error_set(r->err, SR_ENOMEM, "out of memory");
    return core_followup_push(r, &fu);
}

sr_err_t
core_unit_setup(core_run_t *r, core_exec_t *exec, core_task_t *task)
{
    const lang_doc_t *doc;
    const lang_workflow_t *wf;
    sr_err_t rc = core_exec_workflow(r, exec, &doc, &wf);
    if (rc)
        return rc;
    const lang_task_t *spec = core_task_spec(wf, task);
    uint32_t n = 1;
    core_set_value(&task->items, NULL);
    if (spec->nitems) {
        sr_value_t *items = NULL;
        rc = s_items(r, exec, task, spec, &items);
        if (rc == SR_EEXPR)
            return s_fail_fatal(r, exec, task);
        if (rc)
            return rc;
        task->items = items;
        n = (uint32_t)sr_value_len(items);
    }
    // Mistral runs at most 50 items at once unless told otherwise.
    task->concurrency = spec->nitems ? S_DEFAULT_CONCURRENCY : 0;
    if (spec->concurrency) {
        sr_value_t *c = NULL;
        rc = core_eval(r, exec, task, NULL, NULL, spec->concurrency, NULL, &c);
        if (rc == SR_EEXPR)
            return s_fail_fatal(r, exec, task);
        if (rc)
            return rc;
        int64_t cc = sr_value_is_number(c) ? sr_value_int(c) : -1;
        sr_value_destroy(&c);
        if (cc < 0) {
            sr_error_set(r->err, SR_EEXPR,
                         "concurrency must be a non-negative integer");
            return s_fail_fatal(r, exec, task);
        }
        if (cc > 0)
            task->concurrency = (uint32_t)cc;
    }
    task->n_units = n;
    uint8_t *zeros = calloc(n ? n : 1, 1);
    if (!zeros)
        return SR_ENOMEM;
    core_set_value(&task->units, sr_value_new_bin(zeros, n));
    free(zeros);
    core_set_value(&task->results, s_nils(n));
    core_set_value(&task->unit_ids, s_nils(n));
    if (!task->units || !task->results || !task->unit_ids)
        return sr_error_set(r->err, SR_ENOMEM, "out of memory");
    CORE_OPS(r)->task_dirty(r->st, task);
    if (n == 0) // an empty with-items list succeeds with []
        return core_followup_about(r, CORE_FU_UNITS_DONE, exec, task);
    return core_unit_top_up(r, exec, task);
}

// The context given to the worker with a TASK.
static sr_value_t *
s_action_context(core_run_t *r, const core_exec_t *exec,
                 const core_task_t *task, const core_action_t *a,
                 const char *token)
{
    char id[SR_ID_TEXT_SIZE];
    sr_value_t *c = sr_value_new_map(8);
    if (!c)
        return NULL;
    sr_err_t rc = sr_value_map_put(
        c, "execution_id", sr_value_new_str(sr_id_format(&exec->id, id)));
    if (!rc)
        rc = sr_value_map_put(c, "workflow_name",
                              sr_value_new_str(exec->wf_name));
    if (!rc)
        rc = sr_value_map_put(c, "task_name", sr_value_new_str(task->name));
    if (!rc)
        rc = sr_value_map_put(c, "task_id",
                              sr_value_new_str(sr_id_format(&task->id, id)));
    if (!rc)
        rc = sr_value_map_put(c, "action_execution_id",
                              sr_value_new_str(sr_id_format(&a->id, id)));
    if (!rc && r->core->callback_url)
        rc = sr_value_map_put(
            c, "callback_url",
            sr_value_new_strf("%s%s", r->core->callback_url, token));
    if (rc)
        sr_value_destroy(&c);
    return c;
}

void
core_token_new(char token[CORE_TOKEN_SIZE], uint8_t hash[32])
{
    uint8_t raw[32];
    // Never a leading '-': a token is also a command-line argument.
    do {
        sr_random(raw, sizeof raw);
        sodium_bin2base64(token, CORE_TOKEN_SIZE, raw, sizeof raw,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    } while (token[0] == '-');
    crypto_hash_sha256(hash, (const unsigned char *)token, strlen(token));
}

sr_err_t
core_unit_dispatch(core_run_t *r, const core_exec_t *exec,
                   const core_task_t *task, core_action_t *a)
{
    char token[CORE_TOKEN_SIZE];
    core_token_new(token, a->token_hash);
    a->has_token = true;
    core_cmd_t c = {.kind = CORE_CMD_DISPATCH,
                    .exec_id = exec->id,
                    .action_id = a->id,
                    .task_id = task->id,
                    .attempt = a->attempt,
                    .safe_rerun = a->safe_rerun,
                    .deadline_ms = a->deadline_ms};
    c.action = strdup(a->action);
    c.task_name = strdup(task->name);
    c.token = strdup(token);
    c.target = a->target ? strdup(a->target) : NULL;
    c.input = sr_value_ref(a->input);
    c.context = s_action_context(r, exec, task, a, token);
    if (!c.action || !c.task_name || !c.token || !c.context ||
        (a->target && !c.target)) {
        free(c.action);
        free(c.task_name);
        free(c.token);
        free(c.target);
        sr_value_destroy(&c.input);
        sr_value_destroy(&c.context);
        return sr_error_set(r->err, SR_ENOMEM, "out of memory");
    }
    return core_cmd_push(r, &c);
}

sr_err_t
core_unit_fail(core_run_t *r, core_exec_t *exec, core_task_t *task,
               uint32_t item)
{
    sr_value_t *msg = sr_value_new_str(r->err->msg);
    sr_error_clear(r->err);
    if (!msg)
        return SR_ENOMEM;
    sr_err_t rc = core_unit_done(r, exec, task, item, CORE_U_ERROR, msg);
    sr_value_destroy(&msg);
    return rc;
}

// Start an action unit: expand an ad-hoc action to its base, record the
// action execution, dispatch.
static sr_err_t
s_start_action(core_run_t *r, core_exec_t *exec, core_task_t *task,
               const lang_doc_t *doc, const lang_task_t *spec, uint32_t item,
               const char *name, sr_value_t *input)
{
    const char *base = NULL, *adhoc = NULL;
    sr_err_t rc =
        core_adhoc_expand(r, exec, task, doc, name, &input, &base, &adhoc);
    if (rc) {
        sr_value_destroy(&input);
        return rc == SR_EEXPR ? core_unit_fail(r, exec, task, item) : rc;
    }
    core_action_t *a = core_action_new();
    if (!a) {
        sr_value_destroy(&input);
        return SR_ENOMEM;
    }
    sr_id_make(r->st->partition, r->now, &a->id);
    a->exec_id = exec->id;
    a->seq = task->seq;
    a->item = (int32_t)item;
    a->attempt = 1;
    a->input = input;
    a->state = CORE_A_SCHEDULED;
    a->created_ms = r->now;
    a->deadline_ms = task->timeout_due;
    if (core_set_str(&a->action, base) ||
        (adhoc && core_set_str(&a->adhoc, adhoc))) {
        core_action_destroy(&a);
        return SR_ENOMEM;
    }
    if (spec->target) {
        sr_value_t *t = NULL;
        if ((rc = core_eval(r, exec, task, NULL, NULL, spec->target, NULL,
                            &t))) {
            core_action_destroy(&a);
            return rc;
        }
        if (sr_value_is(t, SR_T_STR) && sr_value_len(t))
            rc = core_set_str(&a->target, sr_value_str(t));
        sr_value_destroy(&t);
    }
    if (spec->safe_rerun) {
        bool sr = false;
        if (!rc)
            rc = core_eval_bool(r, exec, task, spec->safe_rerun, false, &sr);
        a->safe_rerun = sr;
    }
    if (!rc)
        rc = core_unit_dispatch(r, exec, task, a);
    if (!rc)
        rc = s_array_set(&task->unit_ids, item, sr_id_to_value(&a->id));
    if (rc) {
        core_action_destroy(&a);
        return rc;
    }
    return CORE_OPS(r)->action_add(r->st, &a);
}

// A task input that is not a map: the message names the value (shortened).
static sr_err_t
s_not_a_map(core_run_t *r, const sr_value_t *input)
{
    char *text = sr_value_to_json(input, SR_JSON_SPACED);
    sr_err_t rc = sr_error_set(
        r->err, SR_EEXPR, "task input must be a map, got %s: %.200s%s",
        sr_type_name(sr_value_type(input)), text ? text : "?",
        text && strlen(text) > 200 ? "..." : "");
    free(text);
    return rc;
}

// Start unit `item`: evaluate its input and run what the task runs.
static sr_err_t
s_start_unit(core_run_t *r, core_exec_t *exec, core_task_t *task, uint32_t item)
{
    const lang_doc_t *doc;
    const lang_workflow_t *wf;
    sr_err_t rc = core_exec_workflow(r, exec, &doc, &wf);
    if (rc)
        return rc;
    const lang_task_t *spec = core_task_spec(wf, task);
    const sr_value_t *extra = sr_value_array_at(task->items, item);
    if ((rc = core_unit_set_state(task, item, CORE_U_RUNNING)))
        return rc;
    CORE_OPS(r)->task_dirty(r->st, task);
    if (!spec->action && !spec->workflow)
        return core_unit_done(r, exec, task, item, CORE_U_SUCCESS, NULL);
    sr_value_t *input = NULL, *name = NULL;
    rc = core_eval(r, exec, task, extra, NULL, spec->input, NULL, &input);
    if (!rc && !sr_value_is(input, SR_T_MAP) && !sr_value_is(input, SR_T_NIL))
        rc = s_not_a_map(r, input);
    if (!rc && sr_value_is(input, SR_T_NIL)) {
        sr_value_destroy(&input);
        if (!(input = sr_value_new_map(0)))
            rc = SR_ENOMEM;
    }
    if (!rc)
        rc = core_eval(r, exec, task, extra, NULL,
                       spec->action ? spec->action : spec->workflow, NULL,
                       &name);
    if (!rc && (!sr_value_is(name, SR_T_STR) || !sr_value_len(name)))
        rc = sr_error_set(r->err, SR_EEXPR, "%s name must be a string",
                          spec->action ? "action" : "workflow");
    if (rc) {
        sr_value_destroy(&input);
        sr_value_destroy(&name);
        return rc == SR_EEXPR ? s_fail_fatal(r, exec, task) : rc;
    }
    if (spec->workflow) {
        // Starting a sub-workflow is core_exec.c's, above: it runs next.
        core_followup_t fu = {.kind = CORE_FU_CHILD_START,
                              .exec_id = exec->id,
                              .seq = task->seq,
                              .item = item,
                              .text = strdup(sr_value_str(name)),
                              .value = input};
        sr_value_destroy(&name);
        if (!fu.text) {
            core_followup_fini(&fu);
            return sr_error_set(r->err, SR_ENOMEM, "out of memory");
        }
        return core_followup_push(r, &fu);
    }
    rc = s_start_action(r, exec, task, doc, spec, item, sr_value_str(name),
                        input);
    sr_value_destroy(&name);
    return rc;
}

// Start pending units from unit `from` on while the concurrency allows,
// `running` being those that run. A start that pushed follow-ups (a
// sub-workflow to start, a task that cannot run, a task whose units are all
// done) leaves the rest of the loop to a follow-up behind them.
static sr_err_t
s_top_up(core_run_t *r, core_exec_t *exec, core_task_t *task, uint32_t from,
         uint32_t running)
{
    for (uint32_t i = from; i < task->n_units; i++) {
        if (task->state != CORE_T_RUNNING)
            return SR_OK; // a unit's start completed or failed the task
        if (task->concurrency && running >= task->concurrency)
            break;
        if (core_unit_state(task, i) != CORE_U_PENDING)
            continue;
        size_t mark = core_followup_mark(r);
        sr_err_t rc = s_start_unit(r, exec, task, i);
        if (rc)
            return rc;
        running++;
        if (core_followup_mark(r) != mark) {
            core_followup_t fu = {.kind = CORE_FU_TOP_UP,
                                  .exec_id = exec->id,
                                  .seq = task->seq,
                                  .item = i + 1,
                                  .count = running};
            return core_followup_push(r, &fu);
        }
    }
    return SR_OK;
}

sr_err_t
core_unit_top_up(core_run_t *r, core_exec_t *exec, core_task_t *task)
{
    if (exec->state == CORE_EX_PAUSED || exec->state == CORE_EX_CANCELLED)
        return SR_OK; // resumed executions top up again
    uint32_t running = 0;
    for (uint32_t i = 0; i < task->n_units; i++)
        running += core_unit_state(task, i) == CORE_U_RUNNING;
    return s_top_up(r, exec, task, 0, running);
}

sr_err_t
core_unit_done(core_run_t *r, core_exec_t *exec, core_task_t *task,
               uint32_t item, core_unit_state_t state, const sr_value_t *value)
{
    if (task->state != CORE_T_RUNNING || item >= task->n_units ||
        core_unit_state(task, item) != CORE_U_RUNNING)
        return SR_OK; // late result for a task that moved on
    sr_err_t rc = core_unit_set_state(task, item, state);
    if (!rc)
        rc = s_array_set(&task->results, item,
                         value ? sr_value_ref((sr_value_t *)value)
                               : sr_value_new_nil());
    if (rc)
        return rc;
    CORE_OPS(r)->task_dirty(r->st, task);
    if (state == CORE_U_CANCELLED) { // one cancelled unit ends the task
        if ((rc = core_tree_cancel_units(r, exec, task)))
            return rc;
        return core_followup_about(r, CORE_FU_UNITS_DONE, exec, task);
    }
    bool busy = false;
    for (uint32_t i = 0; i < task->n_units; i++) {
        core_unit_state_t u = core_unit_state(task, i);
        if (u == CORE_U_RUNNING || u == CORE_U_PENDING)
            busy = true;
    }
    if (busy)
        return core_unit_top_up(r, exec, task);
    // Completing the task is core_task.c's, above: it runs next.
    return core_followup_about(r, CORE_FU_UNITS_DONE, exec, task);
}

sr_err_t
core_unit_started(core_run_t *r, core_task_t *task, uint32_t item,
                  const sr_id_t *id)
{
    sr_err_t rc = s_array_set(&task->unit_ids, item, sr_id_to_value(id));
    // Written again even when the task was written already in this step
    // (a scan while the child started writes the records so far).
    if (!rc)
        CORE_OPS(r)->task_dirty(r->st, task);
    return rc;
}

sr_err_t
core_unit_followup(core_run_t *r, const core_followup_t *fu)
{
    if (fu->flag)
        return core_unit_top_up(r, fu->exec, fu->task);
    return s_top_up(r, fu->exec, fu->task, fu->item, fu->count);
}
