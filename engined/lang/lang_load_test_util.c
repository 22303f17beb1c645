// Shared helpers of the loader tests (see lang_load_test_util.h).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lang_load_test_util.h"
#include "sr_value_json.h"

static void
s_format(const lang_diags_t *d, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < d->count && used < size; i++) {
        int w = snprintf(buf + used, size - used, "%d:%d: %s\n",
                         d->items[i].pos.line, d->items[i].pos.col,
                         d->items[i].msg);
        used += w > 0 ? (size_t)w : 0;
    }
}

lang_doc_t *
lt_load(const char *yaml)
{
    static char buf[8192];
    lang_diags_t d = {0};
    lang_doc_t *doc = NULL;
    sr_err_t rc = lang_doc_parse("t.yaml", yaml, strlen(yaml), NULL, &doc, &d);
    s_format(&d, buf, sizeof buf);
    lang_diags_fini(&d);
    if (rc != SR_OK)
        fail_msg("load failed (%d):\n%s", rc, buf);
    return doc;
}

const char *
lt_errors(const char *yaml)
{
    static char buf[8192];
    lang_diags_t d = {0};
    lang_doc_t *doc = NULL;
    sr_err_t rc = lang_doc_parse("t.yaml", yaml, strlen(yaml), NULL, &doc, &d);
    s_format(&d, buf, sizeof buf);
    lang_diags_fini(&d);
    lang_doc_destroy(&doc);
    if (rc != SR_EINVAL)
        fail_msg("expected SR_EINVAL, got %d", rc);
    return buf;
}

const lang_workflow_t *
lt_wf(const lang_doc_t *doc, const char *name)
{
    const lang_workflow_t *wf = lang_doc_workflow(doc, name);
    if (!wf)
        fail_msg("no workflow %s", name);
    return wf;
}

const lang_task_t *
lt_task(const lang_doc_t *doc, const char *wf, const char *task)
{
    const lang_workflow_t *w = lt_wf(doc, wf);
    int i = lang_workflow_task_index(w, task);
    if (i < 0)
        fail_msg("no task %s in %s", task, wf);
    return &w->tasks[i];
}

const char *
lt_src(const lang_vt_t *vt)
{
    static char buf[4096];
    if (!vt)
        return "null";
    sr_value_t *v = NULL;
    assert_int_equal(lang_vt_source(vt, &v), SR_OK);
    char *json = sr_value_to_json(v, SR_JSON_SPACED);
    snprintf(buf, sizeof buf, "%s", json);
    free(json);
    sr_value_destroy(&v);
    return buf;
}
