// Records of the engine and their value form. Owns the record structs'
// memory; does no I/O. Field keys in the value form are short and stable:
// changing one changes the storage format (bump store_part's format then).
#include "core_rec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const s_ex_states[] = {"RUNNING", "PAUSED", "SUCCESS",
                                          "ERROR", "CANCELLED"};
static const char *const s_task_states[] = {
    "WAITING", "RUNNING", "DELAYED", "PAUSED", "SUCCESS", "ERROR", "CANCELLED"};
static const char *const s_action_states[] = {
    "SCHEDULED", "RUNNING", "PENDING", "SUCCESS", "ERROR", "CANCELLED"};

void
core_format_time(int64_t ms, char out[20])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm) ||
        strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        snprintf(out, 20, "1970-01-01 00:00:00");
}

const char *
core_ex_state_name(core_ex_state_t s)
{
    return (unsigned)s < 5 ? s_ex_states[s] : "UNKNOWN";
}

const char *
core_task_state_name(core_task_state_t s)
{
    return (unsigned)s < 7 ? s_task_states[s] : "UNKNOWN";
}

const char *
core_action_state_name(core_action_state_t s)
{
    return (unsigned)s < 6 ? s_action_states[s] : "UNKNOWN";
}

bool
core_ex_state_parse(const char *text, core_ex_state_t *out)
{
    for (int i = 0; i < 5; i++) {
        if (text && strcmp(text, s_ex_states[i]) == 0) {
            *out = (core_ex_state_t)i;
            return true;
        }
    }
    return false;
}

bool
core_ex_state_is_final(core_ex_state_t s)
{
    return s == CORE_EX_SUCCESS || s == CORE_EX_ERROR || s == CORE_EX_CANCELLED;
}

bool
core_task_state_is_final(core_task_state_t s)
{
    return s == CORE_T_SUCCESS || s == CORE_T_ERROR || s == CORE_T_CANCELLED;
}

bool
core_action_state_is_final(core_action_state_t s)
{
    return s == CORE_A_SUCCESS || s == CORE_A_ERROR || s == CORE_A_CANCELLED;
}

sr_err_t
core_set_str(char **field, const char *text)
{
    char *copy = NULL;
    if (text && !(copy = strdup(text)))
        return SR_ENOMEM;
    free(*field);
    *field = copy;
    return SR_OK;
}

void
core_set_value(sr_value_t **field, sr_value_t *v)
{
    sr_value_destroy(field);
    *field = v;
}

core_unit_state_t
core_unit_state(const core_task_t *task, uint32_t item)
{
    size_t len;
    const uint8_t *b = sr_value_bin(task->units, &len);
    return item < len ? (core_unit_state_t)b[item] : CORE_U_PENDING;
}

sr_err_t
core_unit_set_state(core_task_t *task, uint32_t item, core_unit_state_t st)
{
    size_t len;
    const uint8_t *b = sr_value_bin(task->units, &len);
    if (item >= len)
        return SR_EINVAL;
    uint8_t *copy = malloc(len);
    if (!copy)
        return SR_ENOMEM;
    memcpy(copy, b, len);
    copy[item] = (uint8_t)st;
    sr_value_t *v = sr_value_new_bin(copy, len);
    free(copy);
    if (!v)
        return SR_ENOMEM;
    core_set_value(&task->units, v);
    return SR_OK;
}

bool
core_names_has(const sr_value_t *list, const char *name)
{
    for (size_t i = 0; i < sr_value_len(list); i++)
        if (strcmp(sr_value_str(sr_value_array_at(list, i)), name) == 0)
            return true;
    return false;
}

sr_err_t
core_names_add(sr_value_t **list, const char *name)
{
    if (!*list && !(*list = sr_value_new_array(2)))
        return SR_ENOMEM;
    if (core_names_has(*list, name))
        return SR_OK;
    sr_err_t rc = sr_value_unshare(list);
    return rc ? rc : sr_value_array_append(*list, sr_value_new_str(name));
}

core_exec_t *
core_exec_new(void)
{
    core_exec_t *e = calloc(1, sizeof *e);
    if (e)
        e->parent_item = -1;
    return e;
}

void
core_exec_destroy(core_exec_t **e_p)
{
    core_exec_t *e = e_p ? *e_p : NULL;
    if (!e)
        return;
    free(e->wf_name);
    free(e->def_hash);
    free(e->description);
    free(e->state_info);
    sr_value_destroy(&e->input);
    sr_value_destroy(&e->params);
    sr_value_destroy(&e->env);
    sr_value_destroy(&e->ctx);
    sr_value_destroy(&e->output);
    sr_value_destroy(&e->latest);
    free(e);
    *e_p = NULL;
}

core_task_t *
core_task_new(void)
{
    return calloc(1, sizeof(core_task_t));
}

void
core_task_destroy(core_task_t **t_p)
{
    core_task_t *t = t_p ? *t_p : NULL;
    if (!t)
        return;
    free(t->name);
    free(t->state_info);
    sr_value_destroy(&t->in_ctx);
    sr_value_destroy(&t->in_ver);
    sr_value_destroy(&t->published);
    sr_value_destroy(&t->result);
    sr_value_destroy(&t->arrived);
    sr_value_destroy(&t->items);
    sr_value_destroy(&t->results);
    sr_value_destroy(&t->units);
    sr_value_destroy(&t->unit_ids);
    sr_value_destroy(&t->next);
    sr_value_destroy(&t->backlog);
    free(t);
    *t_p = NULL;
}

core_action_t *
core_action_new(void)
{
    return calloc(1, sizeof(core_action_t));
}

void
core_action_destroy(core_action_t **a_p)
{
    core_action_t *a = a_p ? *a_p : NULL;
    if (!a)
        return;
    free(a->action);
    free(a->adhoc);
    free(a->target);
    free(a->worker);
    sr_value_destroy(&a->input);
    sr_value_destroy(&a->result);
    free(a);
    *a_p = NULL;
}

// --- writing -------------------------------------------------------------

typedef struct {
    sr_value_t *map;
    sr_err_t rc;
} s_w_t;

static void
s_put(s_w_t *w, const char *key, sr_value_t *v)
{
    if (w->rc == SR_OK)
        w->rc = sr_value_map_put(w->map, key, v);
    else
        sr_value_destroy(&v);
}

static void
s_put_int(s_w_t *w, const char *key, int64_t i)
{
    if (i)
        s_put(w, key, sr_value_new_int(i));
}

static void
s_put_str(s_w_t *w, const char *key, const char *s)
{
    if (s)
        s_put(w, key, sr_value_new_str(s));
}

static void
s_put_id(s_w_t *w, const char *key, const sr_id_t *id)
{
    if (!sr_id_is_nil(id))
        s_put(w, key, sr_id_to_value(id));
}

static void
s_put_val(s_w_t *w, const char *key, sr_value_t *v)
{
    if (v)
        s_put(w, key, sr_value_ref(v));
}

static void
s_put_bool(s_w_t *w, const char *key, bool b)
{
    if (b)
        s_put(w, key, sr_value_new_bool(true));
}

static sr_value_t *
s_finish(s_w_t *w)
{
    if (w->rc)
        sr_value_destroy(&w->map);
    return w->map;
}

sr_value_t *
core_exec_to_value(const core_exec_t *e)
{
    s_w_t w = {sr_value_new_map(24), SR_OK};
    if (!w.map)
        return NULL;
    s_put_id(&w, "id", &e->id);
    s_put_str(&w, "wf", e->wf_name);
    s_put_str(&w, "dh", e->def_hash);
    s_put_str(&w, "ds", e->description);
    s_put_id(&w, "pid", &e->parent_id);
    s_put_int(&w, "pseq", e->parent_seq);
    s_put_int(&w, "pit", e->parent_item + 1);
    s_put_id(&w, "rid", &e->root_id);
    s_put_int(&w, "st", e->state);
    s_put_str(&w, "si", e->state_info);
    s_put_val(&w, "in", e->input);
    s_put_val(&w, "pa", e->params);
    s_put_val(&w, "env", e->env);
    s_put_val(&w, "ctx", e->ctx);
    s_put_val(&w, "out", e->output);
    s_put_val(&w, "lat", e->latest);
    s_put_int(&w, "cr", e->created_ms);
    s_put_int(&w, "up", e->updated_ms);
    s_put_int(&w, "ns", e->next_seq);
    s_put_int(&w, "na", e->n_active);
    s_put_int(&w, "nt", e->n_tasks);
    s_put_int(&w, "nj", e->n_joins);
    return s_finish(&w);
}

sr_value_t *
core_task_to_value(const core_task_t *t)
{
    s_w_t w = {sr_value_new_map(32), SR_OK};
    if (!w.map)
        return NULL;
    s_put_id(&w, "ex", &t->exec_id);
    s_put_int(&w, "seq", t->seq);
    s_put_id(&w, "id", &t->id);
    s_put_str(&w, "nm", t->name);
    s_put_int(&w, "sx", t->spec_index);
    s_put_int(&w, "st", t->state);
    s_put_str(&w, "si", t->state_info);
    s_put_val(&w, "ic", t->in_ctx);
    s_put_val(&w, "iv", t->in_ver);
    s_put_val(&w, "pub", t->published);
    s_put_val(&w, "res", t->result);
    s_put_val(&w, "arr", t->arrived);
    s_put_val(&w, "it", t->items);
    s_put_val(&w, "rs", t->results);
    s_put_val(&w, "us", t->units);
    s_put_val(&w, "ui", t->unit_ids);
    s_put_int(&w, "nu", t->n_units);
    s_put_int(&w, "cc", t->concurrency);
    s_put_int(&w, "rn", t->retry_no);
    s_put_val(&w, "nx", t->next);
    s_put_val(&w, "bl", t->backlog);
    s_put_bool(&w, "pr", t->processed);
    s_put_bool(&w, "hd", t->handled);
    s_put_bool(&w, "ft", t->fatal);
    s_put_bool(&w, "hl", t->held);
    s_put_bool(&w, "jn", t->joining);
    s_put_bool(&w, "pp", t->pause_passed);
    s_put_int(&w, "oc", t->outcome);
    s_put_int(&w, "td", t->timer_due);
    s_put_id(&w, "ti", &t->timer_id);
    s_put_int(&w, "tod", t->timeout_due);
    s_put_id(&w, "toi", &t->timeout_id);
    s_put_int(&w, "cr", t->created_ms);
    s_put_int(&w, "up", t->updated_ms);
    s_put_int(&w, "sa", t->started_ms);
    s_put_int(&w, "fi", t->finished_ms);
    return s_finish(&w);
}

sr_value_t *
core_action_to_value(const core_action_t *a)
{
    s_w_t w = {sr_value_new_map(20), SR_OK};
    if (!w.map)
        return NULL;
    s_put_id(&w, "id", &a->id);
    s_put_id(&w, "ex", &a->exec_id);
    s_put_int(&w, "seq", a->seq);
    s_put_int(&w, "it", a->item);
    s_put_int(&w, "at", a->attempt);
    s_put_str(&w, "ac", a->action);
    s_put_str(&w, "ah", a->adhoc);
    s_put_str(&w, "tg", a->target);
    s_put_val(&w, "in", a->input);
    s_put_int(&w, "st", a->state);
    s_put_str(&w, "wk", a->worker);
    s_put_val(&w, "res", a->result);
    if (a->has_token)
        s_put(&w, "tk", sr_value_new_bin(a->token_hash, 32));
    s_put_bool(&w, "sr", a->safe_rerun);
    s_put_int(&w, "dl", a->deadline_ms);
    s_put_int(&w, "cr", a->created_ms);
    s_put_int(&w, "sa", a->started_ms);
    s_put_int(&w, "fi", a->finished_ms);
    return s_finish(&w);
}

sr_value_t *
core_timer_to_value(const core_timer_t *t)
{
    s_w_t w = {sr_value_new_map(6), SR_OK};
    if (!w.map)
        return NULL;
    s_put_int(&w, "k", t->kind);
    s_put_id(&w, "ex", &t->exec_id);
    s_put_int(&w, "seq", t->seq);
    s_put_int(&w, "it", t->item + 1);
    s_put_id(&w, "ac", &t->action_id);
    return s_finish(&w);
}

// --- reading -------------------------------------------------------------

typedef struct {
    const sr_value_t *map;
    sr_err_t rc;
    sr_error_t *err;
} s_r_t;

static void
s_bad(s_r_t *r, const char *key, const char *want)
{
    if (r->rc == SR_OK)
        r->rc = sr_error_at(r->err, SR_ESTORE, key,
                            "stored record: field '%s' is not %s", key, want);
}

static int64_t
s_get_int(s_r_t *r, const char *key)
{
    const sr_value_t *v = sr_value_map_get(r->map, key);
    if (!v)
        return 0;
    if (!sr_value_is(v, SR_T_INT))
        s_bad(r, key, "an integer");
    return sr_value_int(v);
}

static bool
s_get_bool(s_r_t *r, const char *key)
{
    const sr_value_t *v = sr_value_map_get(r->map, key);
    if (v && !sr_value_is(v, SR_T_BOOL))
        s_bad(r, key, "a boolean");
    return sr_value_bool(v);
}

static char *
s_get_str(s_r_t *r, const char *key)
{
    const sr_value_t *v = sr_value_map_get(r->map, key);
    if (!v)
        return NULL;
    if (!sr_value_is(v, SR_T_STR)) {
        s_bad(r, key, "a string");
        return NULL;
    }
    char *s = strdup(sr_value_str(v));
    if (!s && r->rc == SR_OK)
        r->rc = SR_ENOMEM;
    return s;
}

static void
s_get_id(s_r_t *r, const char *key, sr_id_t *out)
{
    const sr_value_t *v = sr_value_map_get(r->map, key);
    memset(out, 0, sizeof *out);
    if (v && sr_id_from_value(v, out))
        s_bad(r, key, "an id");
}

static sr_value_t *
s_get_val(s_r_t *r, const char *key)
{
    return sr_value_ref(sr_value_map_get(r->map, key));
}

static sr_err_t
s_check_map(const sr_value_t *v, sr_error_t *err)
{
    if (!sr_value_is(v, SR_T_MAP))
        return sr_error_set(err, SR_ESTORE, "stored record is not a map");
    return SR_OK;
}

sr_err_t
core_exec_from_value(const sr_value_t *v, core_exec_t **out, sr_error_t *err)
{
    sr_err_t rc = s_check_map(v, err);
    if (rc)
        return rc;
    core_exec_t *e = core_exec_new();
    if (!e)
        return SR_ENOMEM;
    s_r_t r = {v, SR_OK, err};
    s_get_id(&r, "id", &e->id);
    e->wf_name = s_get_str(&r, "wf");
    e->def_hash = s_get_str(&r, "dh");
    e->description = s_get_str(&r, "ds");
    s_get_id(&r, "pid", &e->parent_id);
    e->parent_seq = (uint32_t)s_get_int(&r, "pseq");
    e->parent_item = (int32_t)s_get_int(&r, "pit") - 1;
    s_get_id(&r, "rid", &e->root_id);
    e->state = (core_ex_state_t)s_get_int(&r, "st");
    e->state_info = s_get_str(&r, "si");
    e->input = s_get_val(&r, "in");
    e->params = s_get_val(&r, "pa");
    e->env = s_get_val(&r, "env");
    e->ctx = s_get_val(&r, "ctx");
    e->output = s_get_val(&r, "out");
    e->latest = s_get_val(&r, "lat");
    e->created_ms = s_get_int(&r, "cr");
    e->updated_ms = s_get_int(&r, "up");
    e->next_seq = (uint32_t)s_get_int(&r, "ns");
    e->n_active = (uint32_t)s_get_int(&r, "na");
    e->n_tasks = (uint32_t)s_get_int(&r, "nt");
    e->n_joins = (uint32_t)s_get_int(&r, "nj");
    if (r.rc) {
        core_exec_destroy(&e);
        return r.rc;
    }
    *out = e;
    return SR_OK;
}

sr_err_t
core_task_from_value(const sr_value_t *v, core_task_t **out, sr_error_t *err)
{
    sr_err_t rc = s_check_map(v, err);
    if (rc)
        return rc;
    core_task_t *t = core_task_new();
    if (!t)
        return SR_ENOMEM;
    s_r_t r = {v, SR_OK, err};
    s_get_id(&r, "ex", &t->exec_id);
    t->seq = (uint32_t)s_get_int(&r, "seq");
    s_get_id(&r, "id", &t->id);
    t->name = s_get_str(&r, "nm");
    t->spec_index = (int32_t)s_get_int(&r, "sx");
    t->state = (core_task_state_t)s_get_int(&r, "st");
    t->state_info = s_get_str(&r, "si");
    t->in_ctx = s_get_val(&r, "ic");
    t->in_ver = s_get_val(&r, "iv");
    t->published = s_get_val(&r, "pub");
    t->result = s_get_val(&r, "res");
    t->arrived = s_get_val(&r, "arr");
    t->items = s_get_val(&r, "it");
    t->results = s_get_val(&r, "rs");
    t->units = s_get_val(&r, "us");
    t->unit_ids = s_get_val(&r, "ui");
    t->n_units = (uint32_t)s_get_int(&r, "nu");
    t->concurrency = (uint32_t)s_get_int(&r, "cc");
    t->retry_no = (uint32_t)s_get_int(&r, "rn");
    t->next = s_get_val(&r, "nx");
    t->backlog = s_get_val(&r, "bl");
    t->processed = s_get_bool(&r, "pr");
    t->handled = s_get_bool(&r, "hd");
    t->fatal = s_get_bool(&r, "ft");
    t->held = s_get_bool(&r, "hl");
    t->joining = s_get_bool(&r, "jn");
    t->pause_passed = s_get_bool(&r, "pp");
    t->outcome = (uint8_t)s_get_int(&r, "oc");
    t->timer_due = s_get_int(&r, "td");
    s_get_id(&r, "ti", &t->timer_id);
    t->timeout_due = s_get_int(&r, "tod");
    s_get_id(&r, "toi", &t->timeout_id);
    t->created_ms = s_get_int(&r, "cr");
    t->updated_ms = s_get_int(&r, "up");
    t->started_ms = s_get_int(&r, "sa");
    t->finished_ms = s_get_int(&r, "fi");
    if (r.rc) {
        core_task_destroy(&t);
        return r.rc;
    }
    *out = t;
    return SR_OK;
}

sr_err_t
core_action_from_value(const sr_value_t *v, core_action_t **out,
                       sr_error_t *err)
{
    sr_err_t rc = s_check_map(v, err);
    if (rc)
        return rc;
    core_action_t *a = core_action_new();
    if (!a)
        return SR_ENOMEM;
    s_r_t r = {v, SR_OK, err};
    s_get_id(&r, "id", &a->id);
    s_get_id(&r, "ex", &a->exec_id);
    a->seq = (uint32_t)s_get_int(&r, "seq");
    a->item = (int32_t)s_get_int(&r, "it");
    a->attempt = (uint32_t)s_get_int(&r, "at");
    a->action = s_get_str(&r, "ac");
    a->adhoc = s_get_str(&r, "ah");
    a->target = s_get_str(&r, "tg");
    a->input = s_get_val(&r, "in");
    a->state = (core_action_state_t)s_get_int(&r, "st");
    a->worker = s_get_str(&r, "wk");
    a->result = s_get_val(&r, "res");
    const sr_value_t *tk = sr_value_map_get(v, "tk");
    if (tk) {
        size_t len;
        const void *p = sr_value_bin(tk, &len);
        if (len != 32)
            s_bad(&r, "tk", "a 32-byte hash");
        else {
            memcpy(a->token_hash, p, 32);
            a->has_token = true;
        }
    }
    a->safe_rerun = s_get_bool(&r, "sr");
    a->deadline_ms = s_get_int(&r, "dl");
    a->created_ms = s_get_int(&r, "cr");
    a->started_ms = s_get_int(&r, "sa");
    a->finished_ms = s_get_int(&r, "fi");
    if (r.rc) {
        core_action_destroy(&a);
        return r.rc;
    }
    *out = a;
    return SR_OK;
}

sr_err_t
core_timer_from_value(const sr_value_t *v, core_timer_t *out, sr_error_t *err)
{
    sr_err_t rc = s_check_map(v, err);
    if (rc)
        return rc;
    s_r_t r = {v, SR_OK, err};
    core_timer_t t = {0};
    t.kind = (core_timer_kind_t)s_get_int(&r, "k");
    s_get_id(&r, "ex", &t.exec_id);
    t.seq = (uint32_t)s_get_int(&r, "seq");
    t.item = (int32_t)s_get_int(&r, "it") - 1;
    s_get_id(&r, "ac", &t.action_id);
    if (r.rc)
        return r.rc;
    t.due_ms = out->due_ms;
    t.id = out->id;
    *out = t;
    return SR_OK;
}
