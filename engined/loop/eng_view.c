// Reply bodies, read from committed state: an execution, its task
// executions, workflows of the catalog. Field names
// follow Mistral's REST API where it has one (workflow_name, state_info,
// created_at ...), so clients of either read the same words.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_view.h"
#include "eng_view_util.h"
#include "store_read.h"

static sr_value_t *
s_exec_body(const core_exec_t *e, bool full)
{
    sr_value_t *m = sr_value_new_map(14);
    sr_err_t rc = m ? SR_OK : SR_ENOMEM;
    if (!rc)
        rc = eng_vput(m, "id", eng_vid(&e->id));
    // Both Mistral's names and the client library's short ones.
    if (!rc)
        rc = eng_vput(m, "workflow_name", eng_vtext(e->wf_name));
    if (!rc)
        rc = eng_vput(m, "workflow", eng_vtext(e->wf_name));
    if (!rc)
        rc = eng_vput(m, "workflow_version", eng_vtext(e->def_hash));
    if (!rc)
        rc = eng_vput(m, "version", eng_vtext(e->def_hash));
    if (!rc)
        rc = eng_vput(m, "created_ms", sr_value_new_int(e->created_ms));
    if (!rc)
        rc = eng_vput(m, "updated_ms", sr_value_new_int(e->updated_ms));
    if (!rc)
        rc = eng_vput(m, "state", eng_vtext(core_ex_state_name(e->state)));
    if (!rc)
        rc = eng_vput(m, "state_info", eng_vtext(e->state_info));
    if (!rc && full)
        rc = eng_vput(m, "input", eng_vref(e->input));
    if (!rc && full)
        rc = eng_vput(m, "output", eng_vref(e->output));
    if (!rc && full)
        rc = eng_vput(m, "params", eng_vref(e->params));
    if (!rc && full)
        rc = eng_vput(m, "description", eng_vtext(e->description));
    if (!rc && !sr_id_is_nil(&e->parent_id))
        rc = eng_vput(m, "parent_id", eng_vid(&e->parent_id));
    if (!rc)
        rc = eng_vput(m, "task_count", sr_value_new_int(e->n_tasks));
    if (!rc)
        rc = eng_vput(m, "created_at", eng_vtime(e->created_ms));
    if (!rc)
        rc = eng_vput(m, "updated_at", eng_vtime(e->updated_ms));
    if (rc)
        sr_value_destroy(&m);
    return m;
}

sr_err_t
eng_view_exec(const eng_parts_t *parts, const sr_id_t *id, sr_value_t **out,
              sr_error_t *err)
{
    store_txn_t *txn = NULL;
    sr_err_t rc = eng_vreader(parts, id, "execution_id", &txn, err);
    if (rc)
        return rc;
    core_exec_t *e = NULL;
    rc = store_exec_get(txn, id, &e, err);
    store_txn_abort(&txn);
    if (rc)
        return rc;
    *out = s_exec_body(e, true);
    core_exec_destroy(&e);
    return *out ? SR_OK : sr_error_set(err, SR_ENOMEM, "out of memory");
}

typedef struct {
    sr_value_t *list;
    const char *state, *workflow;
} s_list_t;

static sr_err_t
s_exec_visit(void *arg, core_exec_t **exec_p)
{
    s_list_t *l = arg;
    const core_exec_t *e = *exec_p;
    bool keep =
        sr_id_is_nil(&e->parent_id) &&
        (!l->state || strcmp(core_ex_state_name(e->state), l->state) == 0) &&
        (!l->workflow || strcmp(e->wf_name, l->workflow) == 0);
    return keep ? sr_value_array_append(l->list, s_exec_body(e, false)) : SR_OK;
}

// List order: the creation time inside the id, then the id's bytes.
static int
s_id_order(const sr_id_t *a, const sr_id_t *b)
{
    int c = memcmp(a->b + 2, b->b + 2, 6);
    return c ? c : memcmp(a->b, b->b, 16);
}

static int
s_cmp_exec(const void *x, const void *y)
{
    sr_id_t a = {{0}}, b = {{0}};
    sr_id_from_value(sr_value_map_get(*(sr_value_t *const *)x, "id"), &a);
    sr_id_from_value(sr_value_map_get(*(sr_value_t *const *)y, "id"), &b);
    return s_id_order(&a, &b);
}

// Sort, then keep `limit` entries strictly after `after`.
static sr_value_t *
s_page(const sr_value_t *all, const sr_id_t *after, int64_t limit)
{
    size_t n = sr_value_len(all);
    sr_value_t **items = malloc((n + 1) * sizeof *items);
    sr_value_t *page = sr_value_new_array(16);
    for (size_t i = 0; items && i < n; i++)
        items[i] = sr_value_array_at(all, i);
    if (items)
        qsort(items, n, sizeof *items, s_cmp_exec);
    for (size_t i = 0; items && page && i < n; i++) {
        sr_id_t id = {{0}};
        sr_id_from_value(sr_value_map_get(items[i], "id"), &id);
        if (after && s_id_order(&id, after) <= 0)
            continue;
        if ((int64_t)sr_value_len(page) >= limit)
            break;
        if (sr_value_array_append(page, sr_value_ref(items[i])))
            sr_value_destroy(&page);
    }
    if (!items)
        sr_value_destroy(&page);
    free(items);
    return page;
}

sr_err_t
eng_view_exec_list(const eng_parts_t *parts, const sr_msg_t *req,
                   sr_value_t **out, sr_error_t *err)
{
    s_list_t l = {.list = sr_value_new_array(16),
                  .state = sr_msg_str(req, SR_F_EX_LIST_state),
                  .workflow = sr_msg_str(req, SR_F_EX_LIST_workflow)};
    sr_id_t after;
    bool has_after = sr_msg_id(req, SR_F_EX_LIST_after, &after);
    int64_t limit = sr_msg_int(req, SR_F_EX_LIST_limit, 1000);
    sr_err_t rc = l.list ? SR_OK : SR_ENOMEM;
    for (size_t i = 0; !rc && i < eng_parts_count(parts); i++) {
        store_txn_t *txn = NULL;
        if ((rc = store_txn_begin(eng_parts_store(parts, i), false, &txn, err)))
            break;
        rc = store_execs(txn, NULL, s_exec_visit, &l, err);
        store_txn_abort(&txn);
    }
    sr_value_t *page =
        rc ? NULL : s_page(l.list, has_after ? &after : NULL, limit);
    sr_value_destroy(&l.list);
    if (!page)
        return rc ? rc : sr_error_set(err, SR_ENOMEM, "out of memory");
    *out = page;
    return SR_OK;
}

sr_value_t *
eng_view_task_body(const core_task_t *t)
{
    sr_value_t *m = sr_value_new_map(12);
    sr_err_t rc = m ? SR_OK : SR_ENOMEM;
    if (!rc)
        rc = eng_vput(m, "id", eng_vid(&t->id));
    if (!rc)
        rc = eng_vput(m, "name", eng_vtext(t->name));
    if (!rc)
        rc = eng_vput(m, "execution_id", eng_vid(&t->exec_id));
    if (!rc)
        rc = eng_vput(m, "state", eng_vtext(core_task_state_name(t->state)));
    if (!rc)
        rc = eng_vput(m, "state_info", eng_vtext(t->state_info));
    if (!rc)
        rc = eng_vput(m, "published", eng_vref(t->published));
    if (!rc)
        rc = eng_vput(m, "result", t->result ? sr_value_ref(t->result) : NULL);
    if (!rc)
        rc = eng_vput(m, "created_at", eng_vtime(t->created_ms));
    if (!rc)
        rc = eng_vput(m, "updated_at", eng_vtime(t->updated_ms));
    if (!rc) // since 1.2
        rc = eng_vput(m, "started_at",
                      t->started_ms ? eng_vtime(t->started_ms) : NULL);
    if (!rc)
        rc = eng_vput(m, "finished_at",
                      t->finished_ms ? eng_vtime(t->finished_ms) : NULL);
    if (rc)
        sr_value_destroy(&m);
    return m;
}

static sr_err_t
s_task_visit(void *arg, core_task_t **task_p)
{
    s_list_t *l = arg;
    return sr_value_array_append(l->list, eng_view_task_body(*task_p));
}

sr_err_t
eng_view_tasks(const eng_parts_t *parts, const sr_id_t *id, sr_value_t **out,
               sr_error_t *err)
{
    sr_value_t *probe = NULL;
    sr_err_t rc = eng_view_exec(parts, id, &probe, err);
    sr_value_destroy(&probe);
    if (rc)
        return rc;
    store_txn_t *txn = NULL;
    if ((rc = eng_vreader(parts, id, "execution_id", &txn, err)))
        return rc;
    s_list_t l = {.list = sr_value_new_array(8)};
    rc = l.list ? store_tasks(txn, id, s_task_visit, &l, err) : SR_ENOMEM;
    store_txn_abort(&txn);
    if (rc) {
        sr_value_destroy(&l.list);
        return rc == SR_ENOMEM ? sr_error_set(err, rc, "out of memory") : rc;
    }
    *out = l.list;
    return SR_OK;
}

sr_err_t
eng_view_workflow(const eng_parts_t *parts, const char *name, sr_value_t **out,
                  sr_error_t *err)
{
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(eng_parts_store(parts, 0), false, &txn, err);
    if (rc)
        return rc;
    char hash[65];
    char *text = NULL;
    size_t len = 0;
    rc = store_def_for_name(txn, name, hash, err);
    if (!rc)
        rc = store_def_text(txn, hash, &text, &len, err);
    store_txn_abort(&txn);
    if (rc == SR_ENOTFOUND) {
        sr_error_set(err, SR_ENOTFOUND, "workflow '%s' not found", name);
        snprintf(err->where, sizeof err->where, "field 'name'");
    }
    if (rc)
        return rc;
    sr_value_t *m = sr_value_new_map(3);
    rc = m ? SR_OK : SR_ENOMEM;
    if (!rc)
        rc = eng_vput(m, "name", eng_vtext(name));
    if (!rc)
        rc = eng_vput(m, "version", eng_vtext(hash));
    if (!rc)
        rc = eng_vput(m, "definition", sr_value_new_strn(text, len));
    free(text);
    if (rc) {
        sr_value_destroy(&m);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    *out = m;
    return SR_OK;
}

static sr_err_t
s_name_visit(void *arg, const char *name, size_t len, const char *hash)
{
    s_list_t *l = arg;
    sr_value_t *m = sr_value_new_map(2);
    sr_err_t rc = m ? SR_OK : SR_ENOMEM;
    if (!rc)
        rc = eng_vput(m, "name", sr_value_new_strn(name, len));
    if (!rc)
        rc = eng_vput(m, "version", sr_value_new_strn(hash, 64));
    if (rc)
        sr_value_destroy(&m);
    return rc ? rc : sr_value_array_append(l->list, m);
}

sr_err_t
eng_view_workflow_list(const eng_parts_t *parts, sr_value_t **out,
                       sr_error_t *err)
{
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(eng_parts_store(parts, 0), false, &txn, err);
    if (rc)
        return rc;
    s_list_t l = {.list = sr_value_new_array(8)};
    rc = l.list ? store_def_names(txn, s_name_visit, &l, err) : SR_ENOMEM;
    store_txn_abort(&txn);
    if (rc) {
        sr_value_destroy(&l.list);
        return rc == SR_ENOMEM ? sr_error_set(err, rc, "out of memory") : rc;
    }
    *out = l.list;
    return SR_OK;
}
