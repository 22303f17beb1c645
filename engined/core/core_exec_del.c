// Deleting a top-level execution (Mistral's execution delete, and its
// expiration policy): the refusals, the forced cancel of one that has not
// finished, then every record of its tree in the batch's transaction:
// sub-workflow executions, task executions and their timers, action
// executions and their delegate tokens. Subscribers learn it as the state
// DELETED.
//
// Task executions are keyed under their execution; sub-workflow and action
// executions are keyed by id alone, and ids of a partition sort by the
// time they were made. Everything of a tree is made between the root's
// creation and the end of its last task execution (or now, while one is
// still active), so two window scans find them; S_SLACK_MS widens the
// window for a clock set back while the tree ran.
#include "core_exec_del.h"

#include <stdlib.h>
#include <string.h>

#include "core_tree.h"

#define S_SLACK_MS 60000

// An action execution to delete, with its delegate token's hash.
typedef struct {
    sr_id_t id;
    bool has_token;
    uint8_t token_hash[32];
} s_act_t;

typedef struct {
    core_run_t *r;
    sr_id_t root;
    sr_id_t *ids; // executions of the tree, sorted (membership by bsearch)
    size_t n, cap;
    size_t nfound;  // new executions found by the last scan
    int64_t lo, hi; // when the tree's records were made
    s_act_t *acts;
    size_t nacts, capacts;
} s_tree_t;

static int
s_cmp_id(const void *a, const void *b)
{
    return sr_id_compare(a, b);
}

static bool
s_has(const s_tree_t *t, const sr_id_t *id)
{
    return bsearch(id, t->ids, t->n, sizeof *t->ids, s_cmp_id) != NULL;
}

// Add an execution id, keeping the list sorted.
static sr_err_t
s_add(s_tree_t *t, const sr_id_t *id)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 8;
        sr_id_t *ids = realloc(t->ids, cap * sizeof *ids);
        if (!ids)
            return SR_ENOMEM;
        t->ids = ids;
        t->cap = cap;
    }
    size_t i = t->n;
    while (i > 0 && sr_id_compare(&t->ids[i - 1], id) > 0)
        i--;
    memmove(&t->ids[i + 1], &t->ids[i], (t->n - i) * sizeof *t->ids);
    t->ids[i] = *id;
    t->n++;
    return SR_OK;
}

static sr_err_t
s_bound_visit(void *arg, core_task_t *task)
{
    s_tree_t *t = arg;
    int64_t end = core_task_state_is_final(task->state) && task->finished_ms
                      ? task->finished_ms
                      : t->r->now; // still active: may make more
    if (end > t->hi)
        t->hi = end;
    return SR_OK;
}

// Widen the window with execution `id`'s lifetime and its tasks'.
static sr_err_t
s_bound(s_tree_t *t, const sr_id_t *id)
{
    core_exec_t *e = NULL;
    sr_err_t rc = CORE_OPS(t->r)->exec_get(t->r->st, id, &e);
    if (rc)
        return rc;
    int64_t made = sr_id_time_ms(id);
    t->lo = made < t->lo ? made : t->lo;
    t->lo = e->created_ms && e->created_ms < t->lo ? e->created_ms : t->lo;
    t->hi = e->updated_ms > t->hi ? e->updated_ms : t->hi;
    t->hi = made > t->hi ? made : t->hi;
    return CORE_OPS(t->r)->task_scan(t->r->st, id, s_bound_visit, t);
}

static sr_err_t
s_exec_visit(void *arg, const core_exec_t *e)
{
    s_tree_t *t = arg;
    if (!sr_id_equal(&e->root_id, &t->root) || s_has(t, &e->id))
        return SR_OK;
    t->nfound++;
    return s_add(t, &e->id);
}

// Find the sub-workflow executions of the tree (retried ones too): scan
// the window, widen it by what was found, until nothing new turns up.
static sr_err_t
s_find_execs(s_tree_t *t)
{
    sr_err_t rc = s_add(t, &t->root);
    if (!rc)
        rc = s_bound(t, &t->root);
    while (!rc) {
        size_t before = t->n;
        sr_id_t *had = malloc(before * sizeof *had);
        if (!had)
            return SR_ENOMEM;
        memcpy(had, t->ids, before * sizeof *had);
        t->nfound = 0;
        rc = CORE_OPS(t->r)->exec_scan(t->r->st, t->lo - S_SLACK_MS,
                                       t->hi + S_SLACK_MS, s_exec_visit, t);
        // Widen by the new ones (those not in the list before the scan).
        for (size_t i = 0; !rc && i < t->n; i++)
            if (!bsearch(&t->ids[i], had, before, sizeof *had, s_cmp_id))
                rc = s_bound(t, &t->ids[i]);
        free(had);
        if (!t->nfound)
            break;
    }
    return rc;
}

static sr_err_t
s_action_visit(void *arg, const core_action_t *a)
{
    s_tree_t *t = arg;
    if (!s_has(t, &a->exec_id))
        return SR_OK;
    if (t->nacts == t->capacts) {
        size_t cap = t->capacts ? t->capacts * 2 : 16;
        s_act_t *l = realloc(t->acts, cap * sizeof *l);
        if (!l)
            return SR_ENOMEM;
        t->acts = l;
        t->capacts = cap;
    }
    s_act_t *x = &t->acts[t->nacts++];
    x->id = a->id;
    x->has_token = a->has_token;
    memcpy(x->token_hash, a->token_hash, sizeof x->token_hash);
    return SR_OK;
}

// Delete one execution: its task executions and their armed timers,
// then the execution itself; subscribers hear DELETED.
static sr_err_t
s_delete_exec(core_run_t *r, const sr_id_t *id)
{
    core_tasks_t l;
    sr_err_t rc = core_tree_tasks(r, id, &l);
    for (size_t i = 0; !rc && i < l.n; i++) {
        core_task_t *task = l.list[i];
        if (task->timer_due)
            rc =
                CORE_OPS(r)->timer_del(r->st, task->timer_due, &task->timer_id);
        if (!rc && task->timeout_due)
            rc = CORE_OPS(r)->timer_del(r->st, task->timeout_due,
                                        &task->timeout_id);
        if (!rc)
            rc = CORE_OPS(r)->task_del(r->st, id, task->seq);
    }
    free(l.list);
    if (!rc)
        rc = CORE_OPS(r)->exec_del(r->st, id);
    if (rc)
        return rc;
    core_cmd_t c = {.kind = CORE_CMD_NOTIFY,
                    .exec_id = *id,
                    .state = "DELETED",
                    .is_final = true};
    return core_cmd_push(r, &c);
}

sr_err_t
core_exec_delete_begin(core_run_t *r, core_exec_t *exec, bool force)
{
    char id[SR_ID_TEXT_SIZE], root[SR_ID_TEXT_SIZE];
    if (!sr_id_is_nil(&exec->parent_id))
        return sr_error_set(r->err, SR_ESTATE,
                            "execution %s is a sub-workflow execution: "
                            "delete its root execution %s instead",
                            sr_id_format(&exec->id, id),
                            sr_id_format(&exec->root_id, root));
    if (core_ex_state_is_final(exec->state))
        return SR_OK;
    if (!force)
        return sr_error_set(
            r->err, SR_ESTATE,
            "execution %s is %s: only a finished execution (SUCCESS, "
            "ERROR or CANCELLED) is deleted; force cancels it first",
            sr_id_format(&exec->id, id), core_ex_state_name(exec->state));
    return core_tree_cancel(r, exec, "Cancelled to be deleted.");
}

sr_err_t
core_exec_delete(core_run_t *r, const sr_id_t *root)
{
    s_tree_t t = {.r = r, .root = *root, .lo = INT64_MAX, .hi = 0};
    sr_err_t rc = s_find_execs(&t);
    if (!rc)
        rc = CORE_OPS(r)->action_scan(r->st, t.lo - S_SLACK_MS,
                                      t.hi + S_SLACK_MS, s_action_visit, &t);
    for (size_t i = 0; !rc && i < t.nacts; i++) {
        if (t.acts[i].has_token)
            rc = CORE_OPS(r)->token_del(r->st, t.acts[i].token_hash);
        if (!rc)
            rc = CORE_OPS(r)->action_del(r->st, &t.acts[i].id);
    }
    // The root last: its DELETED event ends a watch of the tree.
    for (size_t i = 0; !rc && i < t.n; i++)
        if (!sr_id_equal(&t.ids[i], root))
            rc = s_delete_exec(r, &t.ids[i]);
    if (!rc)
        rc = s_delete_exec(r, root);
    free(t.ids);
    free(t.acts);
    return rc;
}
