// Reply bodies, read from committed state: an execution, its task
// executions, workflows of the catalog (described from their loaded
// definitions: input and tags). Field names
// follow Mistral's REST API where it has one (workflow_name, state_info,
// created_at ...), so clients of either read the same words.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_view.h"
#include "eng_view_util.h"
#include "lang_describe.h"
#include "store_read.h"

static sr_value_t *
s_exec_body(const core_exec_t *e, bool full)
{
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_EXECUTION);
    sr_body_put_id(&b, SR_B_EXECUTION_id, &e->id);
    // Both Mistral's names and the client library's short ones.
    sr_body_put_str(&b, SR_B_EXECUTION_workflow_name, e->wf_name);
    sr_body_put_str(&b, SR_B_EXECUTION_workflow, e->wf_name);
    sr_body_put_str(&b, SR_B_EXECUTION_workflow_version, e->def_hash);
    sr_body_put_str(&b, SR_B_EXECUTION_version, e->def_hash);
    sr_body_put_int(&b, SR_B_EXECUTION_created_ms, e->created_ms);
    sr_body_put_int(&b, SR_B_EXECUTION_updated_ms, e->updated_ms);
    sr_body_put_str(&b, SR_B_EXECUTION_state, core_ex_state_name(e->state));
    sr_body_put_str(&b, SR_B_EXECUTION_state_info, e->state_info);
    if (full) {
        eng_vmap(&b, SR_B_EXECUTION_input, e->input);
        eng_vmap(&b, SR_B_EXECUTION_output, e->output);
        eng_vmap(&b, SR_B_EXECUTION_params, e->params);
        sr_body_put_str(&b, SR_B_EXECUTION_description, e->description);
    }
    if (!sr_id_is_nil(&e->parent_id))
        sr_body_put_id(&b, SR_B_EXECUTION_parent_id, &e->parent_id);
    sr_body_put_int(&b, SR_B_EXECUTION_task_count, e->n_tasks);
    sr_body_put_time(&b, SR_B_EXECUTION_created_at, e->created_ms);
    sr_body_put_time(&b, SR_B_EXECUTION_updated_at, e->updated_ms);
    return sr_body_take(&b);
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
    sr_body_id(*(sr_value_t *const *)x, SR_B_EXECUTION_id, &a);
    sr_body_id(*(sr_value_t *const *)y, SR_B_EXECUTION_id, &b);
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
        sr_body_id(items[i], SR_B_EXECUTION_id, &id);
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
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_TASK_EXECUTION);
    sr_body_put_id(&b, SR_B_TASK_EXECUTION_id, &t->id);
    sr_body_put_str(&b, SR_B_TASK_EXECUTION_name, t->name);
    sr_body_put_id(&b, SR_B_TASK_EXECUTION_execution_id, &t->exec_id);
    sr_body_put_str(&b, SR_B_TASK_EXECUTION_state,
                    core_task_state_name(t->state));
    sr_body_put_str(&b, SR_B_TASK_EXECUTION_state_info, t->state_info);
    eng_vmap(&b, SR_B_TASK_EXECUTION_published, t->published);
    sr_body_put_ref(&b, SR_B_TASK_EXECUTION_result, t->result);
    sr_body_put_time(&b, SR_B_TASK_EXECUTION_created_at, t->created_ms);
    sr_body_put_time(&b, SR_B_TASK_EXECUTION_updated_at, t->updated_ms);
    // since 1.2
    sr_body_put_time(&b, SR_B_TASK_EXECUTION_started_at, t->started_ms);
    sr_body_put_time(&b, SR_B_TASK_EXECUTION_finished_at, t->finished_ms);
    return sr_body_take(&b);
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

void
eng_view_wf_describe(sr_body_t *b, const lang_doc_t *doc,
                     const lang_workflow_t *wf)
{
    sr_value_t *input = NULL;
    sr_value_t *tags = sr_value_new_array(wf->ntags);
    for (size_t i = 0; tags && i < wf->ntags; i++)
        if (sr_value_array_append(tags, sr_value_new_str(wf->tags[i])))
            sr_value_destroy(&tags);
    sr_body_init(b, SR_SHAPE_WORKFLOW);
    sr_body_put_str(b, SR_B_WORKFLOW_name, wf->name);
    sr_body_put_str(b, SR_B_WORKFLOW_version, lang_doc_hash(doc));
    if (lang_workflow_input_text(wf, &input))
        input = NULL; // SR_ENOMEM: the put below records it
    sr_body_put(b, SR_B_WORKFLOW_input, input);
    sr_body_put(b, SR_B_WORKFLOW_tags, tags);
}

// Workflow `name` of document `hash` (the cache's, else loaded), started
// as a described body in `b`. SR_ESTORE when the stored definition no
// longer loads or lacks the name.
static sr_err_t
s_wf_described(store_docs_t *docs, store_txn_t *txn, const char *name,
               const char *hash, sr_body_t *b, sr_error_t *err)
{
    const lang_doc_t *doc = NULL;
    sr_err_t rc = store_docs_get(docs, txn, hash, &doc, err);
    const lang_workflow_t *wf = rc ? NULL : lang_doc_workflow(doc, name);
    if (!rc && !wf)
        rc = sr_error_set(err, SR_ESTORE,
                          "workflow '%.200s' is not in its stored definition",
                          name);
    if (!rc)
        eng_view_wf_describe(b, doc, wf);
    return rc;
}

// The newest hash of workflow `name` in `txn`; SR_ENOTFOUND naming it.
static sr_err_t
s_wf_hash(store_txn_t *txn, const char *name, char hash[65], sr_error_t *err)
{
    sr_err_t rc = store_def_for_name(txn, name, hash, err);
    if (rc == SR_ENOTFOUND) {
        sr_error_set(err, SR_ENOTFOUND, "workflow '%s' not found", name);
        snprintf(err->where, sizeof err->where, "field 'name'");
    }
    return rc;
}

sr_err_t
eng_view_workflow_hash(const eng_parts_t *parts, const char *name,
                       char hash[65], sr_error_t *err)
{
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(eng_parts_catalog(parts), false, &txn, err);
    if (!rc)
        rc = s_wf_hash(txn, name, hash, err);
    store_txn_abort(&txn);
    return rc;
}

sr_err_t
eng_view_workflow(const eng_parts_t *parts, store_docs_t *docs,
                  const char *name, sr_value_t **out, sr_error_t *err)
{
    store_txn_t *txn = NULL;
    char hash[65];
    char *text = NULL;
    size_t len = 0;
    sr_body_t b = {0};
    sr_err_t rc = store_txn_begin(eng_parts_catalog(parts), false, &txn, err);
    if (!rc)
        rc = s_wf_hash(txn, name, hash, err);
    if (!rc)
        rc = store_def_text(txn, hash, &text, &len, err);
    if (!rc)
        rc = s_wf_described(docs, txn, name, hash, &b, err);
    store_txn_abort(&txn);
    if (!rc) {
        sr_body_put_strn(&b, SR_B_WORKFLOW_definition, text, len);
        if (!(*out = sr_body_take(&b)))
            rc = sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    sr_body_fini(&b);
    free(text);
    return rc;
}

typedef struct {
    sr_value_t *list;
    store_docs_t *docs; // NULL: not described
    store_txn_t *txn;
    sr_error_t *err;
} s_wf_list_t;

static sr_err_t
s_name_visit(void *arg, const char *name, size_t len, const char *hash)
{
    s_wf_list_t *l = arg;
    sr_body_t b;
    if (!l->docs) {
        sr_body_init(&b, SR_SHAPE_WORKFLOW);
        sr_body_put_strn(&b, SR_B_WORKFLOW_name, name, len);
        sr_body_put_strn(&b, SR_B_WORKFLOW_version, hash, 64);
    } else {
        char *n = strndup(name, len), h[65];
        snprintf(h, sizeof h, "%.64s", hash);
        sr_err_t rc =
            n ? s_wf_described(l->docs, l->txn, n, h, &b, l->err) : SR_ENOMEM;
        free(n);
        if (rc)
            return rc;
    }
    sr_value_t *m = sr_body_take(&b);
    return m ? sr_value_array_append(l->list, m) : b.rc;
}

sr_err_t
eng_view_workflow_list(const eng_parts_t *parts, store_docs_t *docs,
                       sr_value_t **out, sr_error_t *err)
{
    s_wf_list_t l = {.list = sr_value_new_array(8), .docs = docs, .err = err};
    sr_err_t rc = store_txn_begin(eng_parts_catalog(parts), false, &l.txn, err);
    if (!rc)
        rc = l.list ? store_def_names(l.txn, s_name_visit, &l, err) : SR_ENOMEM;
    store_txn_abort(&l.txn);
    if (rc) {
        sr_value_destroy(&l.list);
        return rc == SR_ENOMEM ? sr_error_set(err, rc, "out of memory") : rc;
    }
    *out = l.list;
    return SR_OK;
}
