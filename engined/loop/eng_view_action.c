// Reads added by protocol 1.2: one task execution by id (TASK_GET) and
// action executions (ACTION_LIST, ACTION_GET), as reply bodies built from
// committed state. Action records are keyed by their id alone and ids of a
// partition sort by creation time, so a list for one execution or task
// scans the partition's actions from the time its owner was created; a
// task found by id alone costs a scan of the partition's tasks (the REST
// gateway's "task by id", not a hot path). Read transactions only.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_view.h"
#include "eng_view_action.h"
#include "eng_view_util.h"
#include "store_read.h"

#define S_PAGE 1000 // actions per list by default

// --- one task execution by id -------------------------------------------

typedef struct {
    sr_id_t want;
    core_task_t *found; // taken once found
} s_find_t;

static sr_err_t
s_find_visit(void *arg, core_task_t **task_p)
{
    s_find_t *f = arg;
    if (!sr_id_equal(&(*task_p)->id, &f->want))
        return SR_OK;
    f->found = *task_p;
    *task_p = NULL;
    return SR_EEXIST; // stop the scan
}

// The task execution `task_id`, searched among the tasks of `exec_id`
// (NULL: of the whole partition). Caller owns *out.
static sr_err_t
s_task_find(store_txn_t *txn, const sr_id_t *task_id, const sr_id_t *exec_id,
            core_task_t **out, sr_error_t *err)
{
    s_find_t f = {.want = *task_id};
    sr_err_t rc = store_tasks(txn, exec_id, s_find_visit, &f, err);
    if (rc == SR_EEXIST) {
        *out = f.found;
        return SR_OK;
    }
    if (rc)
        return rc;
    char t[SR_ID_TEXT_SIZE];
    sr_error_set(err, SR_ENOTFOUND, "task execution %s not found",
                 sr_id_format(task_id, t));
    snprintf(err->where, sizeof err->where, "field 'task_id'");
    return SR_ENOTFOUND;
}

sr_err_t
eng_view_task_get(const eng_parts_t *parts, const sr_msg_t *req,
                  sr_value_t **out, sr_error_t *err)
{
    sr_id_t id, ex;
    sr_msg_id(req, SR_F_TASK_GET_task_id, &id);
    bool has_ex = sr_msg_id(req, SR_F_TASK_GET_execution_id, &ex);
    store_txn_t *txn = NULL;
    sr_err_t rc = eng_vreader(parts, &id, "task_id", &txn, err);
    if (rc)
        return rc;
    core_task_t *t = NULL;
    rc = s_task_find(txn, &id, has_ex ? &ex : NULL, &t, err);
    store_txn_abort(&txn);
    if (rc)
        return rc;
    *out = eng_view_task_body(t);
    core_task_destroy(&t);
    return *out ? SR_OK : sr_error_set(err, SR_ENOMEM, "out of memory");
}

// --- action executions --------------------------------------------------

typedef struct {
    store_txn_t *txn;
    sr_value_t *list;
    bool has_exec, has_task;
    sr_id_t exec_id; // filter (has_exec)
    uint32_t seq;    // filter (has_task)
    sr_id_t after;
    bool has_after;
    int64_t limit;
    // the task of the previous action, to name the next one cheaply
    sr_id_t last_exec, last_task;
    uint32_t last_seq;
    char *last_name;
    sr_error_t *err;
} s_actions_t;

// Name and id of task execution (exec_id, seq), remembered for the next.
static sr_err_t
s_task_of(s_actions_t *l, const core_action_t *a)
{
    if (l->last_name && sr_id_equal(&l->last_exec, &a->exec_id) &&
        l->last_seq == a->seq)
        return SR_OK;
    core_task_t *t = NULL;
    sr_err_t rc = store_task_get(l->txn, &a->exec_id, a->seq, &t, l->err);
    if (rc)
        return rc;
    free(l->last_name);
    l->last_name = strdup(t->name ? t->name : "");
    l->last_exec = a->exec_id;
    l->last_seq = a->seq;
    l->last_task = t->id;
    core_task_destroy(&t);
    return l->last_name ? SR_OK
                        : sr_error_set(l->err, SR_ENOMEM, "out of memory");
}

static const char *
s_error_text(const core_action_t *a)
{
    if (a->state == CORE_A_ERROR && sr_value_is(a->result, SR_T_STR))
        return sr_value_str(a->result);
    return NULL;
}

static sr_value_t *
s_action_body(const core_action_t *a, const sr_id_t *task_id,
              const char *task_name)
{
    int64_t updated = a->finished_ms  ? a->finished_ms
                      : a->started_ms ? a->started_ms
                                      : a->created_ms;
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_ACTION_EXECUTION);
    sr_body_put_id(&b, SR_B_ACTION_EXECUTION_id, &a->id);
    sr_body_put_str(&b, SR_B_ACTION_EXECUTION_name,
                    a->adhoc ? a->adhoc : a->action);
    sr_body_put_str(&b, SR_B_ACTION_EXECUTION_action, a->action);
    sr_body_put_id(&b, SR_B_ACTION_EXECUTION_execution_id, &a->exec_id);
    sr_body_put_id(&b, SR_B_ACTION_EXECUTION_task_id, task_id);
    sr_body_put_str(&b, SR_B_ACTION_EXECUTION_task_name, task_name);
    sr_body_put_str(&b, SR_B_ACTION_EXECUTION_state,
                    core_action_state_name(a->state));
    sr_body_put_str(&b, SR_B_ACTION_EXECUTION_state_info, s_error_text(a));
    sr_body_put_int(&b, SR_B_ACTION_EXECUTION_attempt, a->attempt);
    sr_body_put_int(&b, SR_B_ACTION_EXECUTION_item, a->item);
    sr_body_put_ref(&b, SR_B_ACTION_EXECUTION_input, a->input);
    sr_body_put_ref(&b, SR_B_ACTION_EXECUTION_result, a->result);
    sr_body_put_str(&b, SR_B_ACTION_EXECUTION_worker, a->worker);
    sr_body_put_time(&b, SR_B_ACTION_EXECUTION_created_at, a->created_ms);
    sr_body_put_time(&b, SR_B_ACTION_EXECUTION_started_at, a->started_ms);
    sr_body_put_time(&b, SR_B_ACTION_EXECUTION_finished_at, a->finished_ms);
    sr_body_put_time(&b, SR_B_ACTION_EXECUTION_updated_at, updated);
    return sr_body_take(&b);
}

static sr_err_t
s_action_visit(void *arg, core_action_t **action_p)
{
    s_actions_t *l = arg;
    const core_action_t *a = *action_p;
    if ((int64_t)sr_value_len(l->list) >= l->limit)
        return SR_EEXIST;
    if (l->has_after && sr_id_compare(&a->id, &l->after) <= 0)
        return SR_OK;
    if ((l->has_exec && !sr_id_equal(&a->exec_id, &l->exec_id)) ||
        (l->has_task && a->seq != l->seq))
        return SR_OK;
    sr_err_t rc = s_task_of(l, a);
    if (rc)
        return rc;
    sr_value_t *body = s_action_body(a, &l->last_task, l->last_name);
    return body ? sr_value_array_append(l->list, body)
                : sr_error_set(l->err, SR_ENOMEM, "out of memory");
}

// Scan one partition's actions from `start` (NULL: all), or from the page's
// `after` when that comes later: ids before it are not listed anyway.
static sr_err_t
s_scan_part(s_actions_t *l, store_part_t *store, const sr_id_t *start)
{
    if (l->has_after && (!start || sr_id_compare(&l->after, start) > 0))
        start = &l->after;
    sr_err_t rc = store_txn_begin(store, false, &l->txn, l->err);
    if (rc)
        return rc;
    rc = store_actions(l->txn, start, s_action_visit, l, l->err);
    store_txn_abort(&l->txn);
    return rc == SR_EEXIST ? SR_OK : rc;
}

// The filter of a list for one execution or task: the task found first
// (its execution and sequence number), the scan starting at its owner.
static sr_err_t
s_actions_filter(const eng_parts_t *parts, const sr_msg_t *req, s_actions_t *l,
                 sr_id_t *from, store_part_t **store)
{
    sr_id_t task_id;
    l->has_exec = sr_msg_id(req, SR_F_ACTION_LIST_execution_id, &l->exec_id);
    l->has_task = sr_msg_id(req, SR_F_ACTION_LIST_task_id, &task_id);
    const sr_id_t *owner = l->has_task ? &task_id : &l->exec_id;
    const char *field = l->has_task ? "task_id" : "execution_id";
    store_txn_t *txn = NULL;
    sr_err_t rc = eng_vreader(parts, owner, field, &txn, l->err);
    if (rc)
        return rc;
    size_t pi = 0;
    eng_parts_find(parts, sr_id_partition(owner), &pi);
    *store = eng_parts_store(parts, pi);
    // Everything of an execution or task is made after its owner.
    sr_id_floor(sr_id_partition(owner), sr_id_time_ms(owner), from);
    if (l->has_task) {
        core_task_t *t = NULL;
        rc = s_task_find(txn, &task_id, l->has_exec ? &l->exec_id : NULL, &t,
                         l->err);
        if (!rc) {
            l->has_exec = true;
            l->exec_id = t->exec_id;
            l->seq = t->seq;
        }
        core_task_destroy(&t);
    } else {
        core_exec_t *probe = NULL;
        rc = store_exec_get(txn, owner, &probe, l->err);
        core_exec_destroy(&probe);
        if (rc == SR_ENOTFOUND)
            snprintf(l->err->where, sizeof l->err->where,
                     "field 'execution_id'");
    }
    store_txn_abort(&txn);
    return rc;
}

sr_err_t
eng_view_actions(const eng_parts_t *parts, const sr_msg_t *req,
                 sr_value_t **out, sr_error_t *err)
{
    s_actions_t l = {.list = sr_value_new_array(16),
                     .limit = sr_msg_int(req, SR_F_ACTION_LIST_limit, S_PAGE),
                     .err = err};
    l.has_after = sr_msg_id(req, SR_F_ACTION_LIST_after, &l.after);
    sr_err_t rc =
        l.list ? SR_OK : sr_error_set(err, SR_ENOMEM, "out of memory");
    if (!rc && (sr_msg_has(req, SR_F_ACTION_LIST_execution_id) ||
                sr_msg_has(req, SR_F_ACTION_LIST_task_id))) {
        sr_id_t from;
        store_part_t *store = NULL;
        rc = s_actions_filter(parts, req, &l, &from, &store);
        if (!rc)
            rc = s_scan_part(&l, store, &from);
    } else {
        for (size_t i = 0; !rc && i < eng_parts_count(parts); i++)
            rc = s_scan_part(&l, eng_parts_store(parts, i), NULL);
    }
    free(l.last_name);
    if (rc) {
        sr_value_destroy(&l.list);
        return rc;
    }
    *out = l.list;
    return SR_OK;
}

sr_err_t
eng_view_action(const eng_parts_t *parts, const sr_id_t *id, sr_value_t **out,
                sr_error_t *err)
{
    s_actions_t l = {.list = NULL, .err = err};
    sr_err_t rc = eng_vreader(parts, id, "action_id", &l.txn, err);
    if (rc)
        return rc;
    core_action_t *a = NULL;
    rc = store_action_get(l.txn, id, &a, err);
    if (rc == SR_ENOTFOUND)
        snprintf(err->where, sizeof err->where, "field 'action_id'");
    if (!rc)
        rc = s_task_of(&l, a);
    store_txn_abort(&l.txn);
    if (!rc && !(*out = s_action_body(a, &l.last_task, l.last_name)))
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    core_action_destroy(&a);
    free(l.last_name);
    return rc;
}
