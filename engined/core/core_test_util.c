// Test helpers over the core and its in-memory state (core_test_util.h).
// Each event is one batch: begin, core_step, then commit, or abort when
// the step refused the event or failed, as the engine loop does. The
// commands of the event are then read as a worker and a watcher would:
// DISPATCH opens an offer, CANCEL closes it, and everything is logged.
// Failures go through cmocka's fail_msg, so the test stops at the helper's
// caller.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_test_util.h"
#include "sr_value_json.h"

#define S_CLOCK  1800000000000LL // 2027-01-15, as the sim
#define S_WORKER "w1"

// --- what the test is lent ---------------------------------------------------

static void
s_free_exec(void *p)
{
    core_exec_t *e = p;
    core_exec_destroy(&e);
}

static void
s_free_task(void *p)
{
    core_task_t *t = p;
    core_task_destroy(&t);
}

static void
s_free_action(void *p)
{
    core_action_t *a = p;
    core_action_destroy(&a);
}

// Keep `rec` until teardown.
static void *
s_lend(ct_t *c, void *rec, void (*destroy)(void *))
{
    if (c->nlent == c->caplent) {
        c->caplent = c->caplent ? c->caplent * 2 : 16;
        c->lent = realloc(c->lent, c->caplent * sizeof *c->lent);
        c->lent_free = realloc(c->lent_free, c->caplent * sizeof *c->lent_free);
        assert_non_null(c->lent);
        assert_non_null(c->lent_free);
    }
    c->lent[c->nlent] = rec;
    c->lent_free[c->nlent++] = destroy;
    return rec;
}

// --- the log -----------------------------------------------------------------

static void
s_log(ct_t *c, const char *fmt, ...)
{
    char entry[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(entry, sizeof entry, fmt, ap);
    va_end(ap);
    size_t need = c->loglen + strlen(entry) + 3;
    if (need > c->logcap) {
        c->logcap = need * 2;
        assert_non_null(c->log = realloc(c->log, c->logcap));
    }
    c->loglen += (size_t)sprintf(c->log + c->loglen, "%s%s",
                                 c->loglen ? "; " : "", entry);
}

// The workflow name of execution `id`, learned when it was first seen.
static const char *
s_wf_name(ct_t *c, const sr_id_t *id)
{
    for (size_t i = 0; i < c->nids; i++)
        if (sr_id_equal(&c->ids[i], id))
            return c->names[i];
    core_exec_t *e = NULL;
    if (core_mem_exec(c->mem, id, &e))
        return "?";
    if (c->nids == c->capids) {
        c->capids = c->capids ? c->capids * 2 : 8;
        assert_non_null(c->ids = realloc(c->ids, c->capids * sizeof *c->ids));
        assert_non_null(c->names =
                            realloc(c->names, c->capids * sizeof *c->names));
    }
    c->ids[c->nids] = *id;
    assert_non_null(c->names[c->nids++] = strdup(e->wf_name));
    core_exec_destroy(&e);
    return c->names[c->nids - 1];
}

static ct_offer_t *
s_offer_of(ct_t *c, const sr_id_t *action_id)
{
    for (size_t i = 0; i < c->noffers; i++)
        if (sr_id_equal(&c->offers[i].action_id, action_id))
            return &c->offers[i];
    return NULL;
}

static const char *
s_task_of(ct_t *c, const sr_id_t *action_id)
{
    ct_offer_t *o = s_offer_of(c, action_id);
    return o ? o->task : "?";
}

// A DISPATCH opens an offer (a new attempt replaces the older one).
static void
s_offered(ct_t *c, const core_cmd_t *d)
{
    ct_offer_t *o = s_offer_of(c, &d->action_id);
    if (!o) {
        if (c->noffers == c->capoffers) {
            c->capoffers = c->capoffers ? c->capoffers * 2 : 16;
            c->offers = realloc(c->offers, c->capoffers * sizeof *c->offers);
            assert_non_null(c->offers);
        }
        o = &c->offers[c->noffers++];
        memset(o, 0, sizeof *o);
    }
    sr_value_destroy(&o->input);
    o->exec_id = d->exec_id;
    o->action_id = d->action_id;
    o->attempt = d->attempt;
    snprintf(o->task, sizeof o->task, "%s", d->task_name);
    o->input = sr_value_ref(d->input);
    o->open = true;
    if (d->attempt > 1)
        s_log(c, "dispatch %s#%" PRIu32, d->task_name, d->attempt);
    else
        s_log(c, "dispatch %s", d->task_name);
}

// Read the commands of the last event as the worker and a watcher.
static void
s_read_cmds(ct_t *c)
{
    for (size_t i = 0; i < c->cmds.count; i++) {
        const core_cmd_t *d = &c->cmds.items[i];
        switch (d->kind) {
        case CORE_CMD_DISPATCH:
            s_offered(c, d);
            break;
        case CORE_CMD_CANCEL: {
            ct_offer_t *o = s_offer_of(c, &d->action_id);
            if (o)
                o->open = false;
            s_log(c, "cancel %s", s_task_of(c, &d->action_id));
            break;
        }
        case CORE_CMD_GO:
            s_log(c, "go %s", s_task_of(c, &d->action_id));
            break;
        case CORE_CMD_HALT:
            s_log(c, "halt %s: %s", s_task_of(c, &d->action_id), d->text);
            break;
        case CORE_CMD_TIMER:
            s_log(c, "timer +%" PRId64, d->due_ms - c->now);
            break;
        case CORE_CMD_NOTIFY:
            if (d->is_task)
                s_log(c, "%s %s", d->task_name, d->state);
            else
                s_log(c, "(%s) %s", s_wf_name(c, &d->exec_id), d->state);
            break;
        }
    }
}

// --- set up ------------------------------------------------------------------

int
ct_setup(void **state)
{
    ct_t *c = calloc(1, sizeof *c);
    core_config_t cfg = {.max_depth = 16};
    if (!c || !(c->core = core_new(&cfg)) || !(c->mem = core_mem_new(0)))
        return -1;
    c->now = S_CLOCK;
    core_cmds_init(&c->cmds);
    *state = c;
    return 0;
}

int
ct_teardown(void **state)
{
    ct_t *c = *state;
    for (size_t i = 0; i < c->nlent; i++)
        c->lent_free[i](c->lent[i]);
    for (size_t i = 0; i < c->noffers; i++)
        sr_value_destroy(&c->offers[i].input);
    for (size_t i = 0; i < c->nids; i++)
        free(c->names[i]);
    core_cmds_fini(&c->cmds);
    core_mem_destroy(&c->mem);
    core_destroy(&c->core);
    free(c->lent);
    free(c->lent_free);
    free(c->offers);
    free(c->log);
    free(c->ids);
    free(c->names);
    free(c);
    return 0;
}

void
ct_define(ct_t *c, const char *yaml)
{
    lang_diags_t diags = {0};
    lang_doc_t *doc = NULL;
    sr_err_t rc =
        lang_doc_parse("test.yaml", yaml, strlen(yaml), NULL, &doc, &diags);
    if (rc && diags.count)
        fail_msg("invalid workflow: %d:%d: %s", diags.items[0].pos.line,
                 diags.items[0].pos.col, diags.items[0].msg);
    lang_diags_fini(&diags);
    if (rc)
        fail_msg("cannot parse the workflow (%d)", rc);
    assert_int_equal(core_mem_define(c->mem, &doc), SR_OK);
}

// --- events ------------------------------------------------------------------

sr_err_t
ct_apply(ct_t *c, core_event_t ev)
{
    core_state_t *st = NULL;
    ev.now_ms = c->now;
    core_cmds_clear(&c->cmds);
    assert_int_equal(core_mem_begin(c->mem, &st), SR_OK);
    sr_err_t rc = core_step(c->core, st, &ev, &c->cmds, &c->err);
    if (rc) {
        core_mem_abort(c->mem);
        core_cmds_clear(&c->cmds);
        return rc;
    }
    if ((rc = core_mem_commit(c->mem, &c->err)))
        fail_msg("commit: %s", c->err.msg);
    s_read_cmds(c);
    return SR_OK;
}

sr_err_t
ct_start_with(ct_t *c, const char *wf, const char *input_json,
              const char *params_json)
{
    sr_value_t *input = input_json ? ct_json(input_json) : NULL;
    sr_value_t *params = params_json ? ct_json(params_json) : NULL;
    sr_id_t id;
    sr_id_make(0, c->now, &id);
    sr_err_t rc = ct_apply(c, (core_event_t){.kind = CORE_EV_START,
                                             .exec_id = id,
                                             .wf_name = wf,
                                             .input = input,
                                             .params = params});
    sr_value_destroy(&input);
    sr_value_destroy(&params);
    if (!rc)
        c->id = id;
    return rc;
}

void
ct_start(ct_t *c, const char *wf, const char *input_json)
{
    if (ct_start_with(c, wf, input_json, NULL))
        fail_msg("start of '%s' refused: %s", wf, c->err.msg);
}

sr_err_t
ct_exec_event(ct_t *c, core_event_kind_t kind, const char *msg)
{
    return ct_apply(c,
                    (core_event_t){.kind = kind, .exec_id = c->id, .msg = msg});
}

// --- the worker --------------------------------------------------------------

const ct_offer_t *
ct_offer(ct_t *c, const char *task)
{
    for (size_t i = 0; i < c->noffers; i++)
        if (c->offers[i].open && !strcmp(c->offers[i].task, task))
            return &c->offers[i];
    fail_msg("no open offer for task '%s'", task);
    return NULL;
}

size_t
ct_open(const ct_t *c, const char *task)
{
    size_t n = 0;
    for (size_t i = 0; i < c->noffers; i++)
        n += c->offers[i].open && !strcmp(c->offers[i].task, task);
    return n;
}

sr_err_t
ct_confirm(ct_t *c, const ct_offer_t *o)
{
    return ct_apply(c, (core_event_t){.kind = CORE_EV_CONFIRM,
                                      .action_id = o->action_id,
                                      .attempt = o->attempt,
                                      .worker = S_WORKER});
}

sr_err_t
ct_result(ct_t *c, const ct_offer_t *o, core_result_t status, const char *json)
{
    sr_value_t *out = json ? ct_json(json) : NULL;
    sr_id_t action = o->action_id;
    uint32_t attempt = o->attempt;
    ct_offer_t *mine = s_offer_of(c, &action);
    if (mine && status != CORE_RESULT_PENDING)
        mine->open = false;
    sr_err_t rc = ct_apply(c, (core_event_t){.kind = CORE_EV_RESULT,
                                             .action_id = action,
                                             .attempt = attempt,
                                             .worker = S_WORKER,
                                             .status = status,
                                             .output = out});
    sr_value_destroy(&out);
    return rc;
}

// Confirm the first open offer of `task`, then its result.
static void
s_answer(ct_t *c, const char *task, core_result_t status, const char *json)
{
    const ct_offer_t *o = ct_offer(c, task);
    if (ct_confirm(c, o) || ct_cmds(c, CORE_CMD_GO) != 1)
        fail_msg("task '%s': no GO (%s)", task, c->err.msg);
    if (ct_result(c, o, status, json))
        fail_msg("task '%s': result refused: %s", task, c->err.msg);
}

void
ct_finish(ct_t *c, const char *task, const char *json)
{
    s_answer(c, task, CORE_RESULT_SUCCESS, json);
}

void
ct_fail(ct_t *c, const char *task, const char *json)
{
    s_answer(c, task, CORE_RESULT_ERROR, json);
}

void
ct_tick(ct_t *c, int64_t ms)
{
    int64_t until = c->now + ms;
    core_timer_t t, fired = {0};
    while (core_mem_next_timer(c->mem, &t) == SR_OK && t.due_ms <= until) {
        if (t.due_ms == fired.due_ms && sr_id_equal(&t.id, &fired.id))
            fail_msg("a timer that fired is still armed");
        if (t.due_ms > c->now)
            c->now = t.due_ms;
        if (ct_apply(c, (core_event_t){.kind = CORE_EV_TIMER, .timer = &t}))
            fail_msg("timer refused: %s", c->err.msg);
        fired = t;
    }
    c->now = until;
}

// --- records -----------------------------------------------------------------

const core_exec_t *
ct_exec(ct_t *c, const sr_id_t *id)
{
    core_exec_t *e = NULL;
    if (core_mem_exec(c->mem, id ? id : &c->id, &e))
        fail_msg("no such execution");
    return s_lend(c, e, s_free_exec);
}

const core_task_t *
ct_task(ct_t *c, const sr_id_t *exec, const char *name)
{
    const core_exec_t *e = ct_exec(c, exec);
    int64_t seq = 0;
    core_task_t *t = NULL;
    if (!sr_value_map_int(e->latest, name, &seq) ||
        core_mem_task(c->mem, &e->id, (uint32_t)seq, &t))
        fail_msg("task '%s' has no execution", name);
    return s_lend(c, t, s_free_task);
}

const core_exec_t *
ct_child(ct_t *c, const char *name, uint32_t item)
{
    const core_task_t *t = ct_task(c, NULL, name);
    sr_id_t id;
    if (sr_id_from_value(sr_value_array_at(t->unit_ids, item), &id))
        fail_msg("unit %u of '%s' runs no sub-workflow", item, name);
    return ct_exec(c, &id);
}

const core_action_t *
ct_action(ct_t *c, const sr_id_t *id)
{
    core_action_t *a = NULL;
    if (core_mem_action(c->mem, id, &a))
        fail_msg("no such action execution");
    return s_lend(c, a, s_free_action);
}

size_t
ct_count(ct_t *c, const char *name)
{
    const core_exec_t *e = ct_exec(c, NULL);
    size_t n = 0;
    for (uint32_t seq = 0; seq < e->next_seq; seq++) {
        core_task_t *t = NULL;
        if (core_mem_task(c->mem, &e->id, seq, &t) == SR_OK)
            n += strcmp(t->name, name) == 0;
        core_task_destroy(&t);
    }
    return n;
}

size_t
ct_cmds(const ct_t *c, core_cmd_kind_t kind)
{
    size_t n = 0;
    for (size_t i = 0; i < c->cmds.count; i++)
        n += c->cmds.items[i].kind == kind;
    return n;
}

void
ct_log_clear(ct_t *c)
{
    c->loglen = 0;
    if (c->log)
        c->log[0] = '\0';
}

void
ct_log_is_at(const char *file, int line, ct_t *c, const char *want)
{
    const char *got = c->loglen ? c->log : "";
    if (strcmp(got, want)) {
        print_error("%s:%d: the commands said\n  %s\nnot\n  %s\n", file, line,
                    got, want);
        _fail(file, line);
    }
    ct_log_clear(c);
}

sr_value_t *
ct_json(const char *json)
{
    sr_value_t *v = NULL;
    sr_error_t err;
    if (sr_value_from_json(json, strlen(json), NULL, &v, &err))
        fail_msg("bad JSON in the test: %s: %s", json, err.msg);
    return v;
}

void
ct_json_is_at(const char *file, int line, const sr_value_t *v, const char *json)
{
    sr_value_t *want = ct_json(json);
    char *got = v ? sr_value_to_json(v, SR_JSON_SORT_KEYS) : NULL;
    char *norm = sr_value_to_json(want, SR_JSON_SORT_KEYS);
    bool same = v && sr_value_equal(v, want);
    sr_value_destroy(&want);
    if (!same)
        print_error("%s:%d: got %s, want %s\n", file, line,
                    got ? got : "(absent)", norm ? norm : json);
    free(got);
    free(norm);
    if (!same)
        _fail(file, line);
}
