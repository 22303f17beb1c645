// The entry points of the loader: read a file (size checked first), parse
// the YAML, check the version, tell a plain file (version + workflows) from
// a workbook (name, workflows, actions), load every workflow and action,
// qualify short names inside a workbook, run the graph checks, and return
// either a document or every problem sorted by position.
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lang_check.h"
#include "lang_diag.h"
#include "lang_load_action.h"
#include "lang_load_wf.h"

static bool
s_is_section(const lang_node_t *root, const char *key)
{
    const lang_node_t *v = lang_node_map_get(root, key);
    return v && v->kind == LANG_NODE_MAP && !lang_node_map_get(v, "tasks");
}

static bool
s_is_workbook(const lang_node_t *root)
{
    const lang_node_t *name = lang_node_map_get(root, "name");
    return s_is_section(root, "workflows") || s_is_section(root, "actions") ||
           (name && name->kind == LANG_NODE_SCALAR);
}

// version: '2.0' (also 2.0, 2 or '2', as Mistral's float() check allows).
static void
s_version(lang_ld_t *ld, const lang_node_t *root)
{
    const lang_node_t *v = lang_node_map_get(root, "version");
    if (!v) {
        lang_pos_t at = {1, 1};
        lang_ld_err_pos(ld, at,
                        "missing 'version' (the first line should "
                        "read version: '2.0')");
        return;
    }
    bool ok = false;
    if (v->kind == LANG_NODE_SCALAR) {
        const sr_value_t *x = v->value;
        if (sr_value_is_number(x))
            ok = sr_value_float(x) == 2.0;
        else if (lang_node_is_str(v))
            ok = strcmp(v->str, "2.0") == 0 || strcmp(v->str, "2") == 0;
    }
    if (!ok)
        lang_ld_err(ld, v, "Unsupported DSL version: %.40s (only '2.0')",
                    v->kind == LANG_NODE_SCALAR ? v->str : "(not a scalar)");
}

typedef struct {
    lang_workflow_t *wfs;
    size_t nwfs;
    lang_action_t *actions;
    size_t nactions;
} s_content_t;

static bool
s_workflows(lang_ld_t *ld, const lang_node_t *map, s_content_t *c)
{
    size_t n = lang_node_map_len(map);
    c->wfs = lang_doc_alloc(ld->doc, n, sizeof *c->wfs);
    if (!c->wfs)
        return lang_ld_oom(ld) != NULL;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        const lang_node_t *k = lang_node_map_key(map, i);
        if (strcmp(k->str, "version") == 0)
            continue;
        lang_workflow_t *wf = &c->wfs[c->nwfs++];
        size_t before = ld->diags->count;
        ok &= lang_load_wf(ld, k, lang_node_map_val(map, i), wf);
        // Graph checks on a broken direct workflow would only echo its
        // errors; cycles of a reverse one are worth reporting anyway.
        if (ld->oom == SR_OK && wf->tasks &&
            (ld->diags->count == before || wf->type == LANG_WF_REVERSE))
            ok &= lang_check_wf(ld, wf);
    }
    return ok;
}

static bool
s_actions(lang_ld_t *ld, const lang_node_t *map, s_content_t *c)
{
    size_t n = lang_node_map_len(map);
    c->actions = lang_doc_alloc(ld->doc, n, sizeof *c->actions);
    if (!c->actions)
        return lang_ld_oom(ld) != NULL;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        const lang_node_t *k = lang_node_map_key(map, i);
        if (strcmp(k->str, "version") != 0)
            ok &= lang_load_action(ld, k, lang_node_map_val(map, i),
                                   &c->actions[c->nactions++]);
    }
    return ok;
}

static void
s_workbook(lang_ld_t *ld, const lang_node_t *root, s_content_t *c)
{
    static const lang_kw_t kws[] = {
        {"version", 1, NULL}, {"name", 1, NULL},      {"description", 1, NULL},
        {"tags", 1, NULL},    {"workflows", 1, NULL}, {"actions", 1, NULL},
    };
    const lang_node_t *v[6], *k[6];
    lang_ld_keywords(ld, root, kws, 6, 1, "a workbook", v, k);
    const char *name = v[1] ? lang_ld_str(ld, v[1], "name") : NULL;
    if (!v[1])
        lang_ld_err(ld, root, "a workbook needs a 'name'");
    if (name && !(ld->wb = lang_doc_strdup(ld->doc, name))) {
        lang_ld_oom(ld);
        return;
    }
    lang_doc_set_name(ld->doc, ld->wb); // without a name: still check
    if (v[2])
        lang_ld_str(ld, v[2], "description");
    const char **tags;
    size_t ntags;
    if (v[3])
        lang_ld_strlist(ld, v[3], "tags", false, &tags, &ntags);
    if (v[4] && lang_ld_map(ld, v[4], "workflows"))
        s_workflows(ld, v[4], c);
    if (v[5] && lang_ld_map(ld, v[5], "actions"))
        s_actions(ld, v[5], c);
    if (!v[4] && !v[5])
        lang_ld_err(ld, root,
                    "the workbook defines no workflow and no "
                    "action");
}

// True when `name` already reads "<workbook>.<...>".
static bool
s_is_qualified(const lang_ld_t *ld, const char *name)
{
    size_t n = strlen(ld->wb);
    return strncmp(name, ld->wb, n) == 0 && name[n] == '.';
}

// Inside a workbook, a constant name that is a sibling's short name
// becomes "<workbook>.<name>".
static void
s_qualify_vt(lang_ld_t *ld, lang_vt_t **vt, bool is_wf)
{
    const sr_value_t *c = *vt ? lang_vt_const(*vt) : NULL;
    if (!c || !sr_value_is(c, SR_T_STR))
        return;
    const char *name = sr_value_str(c);
    bool sibling = is_wf ? lang_doc_workflow(ld->doc, name) != NULL
                         : lang_doc_action(ld->doc, name) != NULL;
    if (!sibling || s_is_qualified(ld, name))
        return;
    sr_value_t *full = sr_value_new_strf("%s.%s", ld->wb, name);
    lang_vt_t *q = full ? lang_ld_keep(ld, lang_vt_new_const(full)) : NULL;
    sr_value_destroy(&full);
    if (q)
        *vt = q;
    else
        lang_ld_oom(ld);
}

static void
s_qualify(lang_ld_t *ld, s_content_t *c)
{
    for (size_t i = 0; i < c->nwfs; i++)
        for (size_t j = 0; j < c->wfs[i].ntasks; j++) {
            s_qualify_vt(ld, &c->wfs[i].tasks[j].action, false);
            s_qualify_vt(ld, &c->wfs[i].tasks[j].workflow, true);
        }
    for (size_t i = 0; i < c->nactions; i++) {
        const char *base = c->actions[i].base;
        if (base && lang_doc_action(ld->doc, base) &&
            !s_is_qualified(ld, base)) {
            size_t n = strlen(ld->wb) + strlen(base) + 2;
            char *full = lang_doc_alloc(ld->doc, n, 1);
            if (!full) {
                lang_ld_oom(ld);
                return;
            }
            snprintf(full, n, "%s.%s", ld->wb, base);
            c->actions[i].base = full;
        }
    }
}

static void
s_root(lang_ld_t *ld, const lang_node_t *root)
{
    s_content_t c = {0};
    lang_pos_t top = {1, 1};
    if (!root || root->kind != LANG_NODE_MAP) {
        lang_ld_err_pos(ld, root ? root->pos : top,
                        "a workflow file must be a map: version: '2.0' and "
                        "workflows (or a workbook)");
        return;
    }
    s_version(ld, root);
    if (s_is_workbook(root))
        s_workbook(ld, root, &c);
    else {
        if (lang_node_map_len(root) ==
            (lang_node_map_get(root, "version") ? 1u : 0u))
            lang_ld_err_pos(ld, root->pos, "the file defines no workflow");
        s_workflows(ld, root, &c);
    }
    lang_doc_set_workflows(ld->doc, c.wfs, c.nwfs);
    lang_doc_set_actions(ld->doc, c.actions, c.nactions);
    if (ld->wb)
        s_qualify(ld, &c);
}

sr_err_t
lang_doc_parse(const char *file, const char *text, size_t len,
               const lang_limits_t *limits, lang_doc_t **out,
               lang_diags_t *diags)
{
    (void)file; // diagnostics carry positions; callers print the name
    if (sodium_init() < 0)
        return SR_EINTERNAL;
    size_t before = diags->count;
    lang_doc_t *doc = lang_doc_new(text, len);
    if (!doc)
        return SR_ENOMEM;
    lang_tree_t *tree = NULL;
    const char *src = lang_doc_text(doc);
    sr_err_t rc = lang_tree_parse(src, len, limits, &tree, diags);
    if (rc == SR_OK) {
        lang_ld_t ld = {.doc = doc,
                        .tree = tree,
                        .src = src,
                        .srclen = len,
                        .diags = diags};
        s_root(&ld, lang_tree_root(tree));
        rc = ld.oom;
        lang_tree_destroy(&tree);
    }
    if (rc == SR_OK && diags->count > before)
        rc = SR_EINVAL;
    lang_diags_sort(diags);
    if (rc != SR_OK) {
        lang_doc_destroy(&doc);
        return rc;
    }
    *out = doc;
    return SR_OK;
}

static sr_err_t
s_fail(lang_diags_t *diags, sr_err_t code, const char *fmt, const char *what)
{
    lang_pos_t none = {0, 0};
    sr_err_t rc = lang_diag_add(diags, none, fmt, what);
    return rc == SR_OK ? code : rc;
}

sr_err_t
lang_doc_load(const char *path, const lang_limits_t *limits, lang_doc_t **out,
              lang_diags_t *diags)
{
    lang_limits_t lim = lang_limits_resolve(limits);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return s_fail(diags, SR_EIO, "cannot read the file: %s",
                      strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        const char *why =
            S_ISDIR(st.st_mode) ? "it is a directory" : strerror(errno);
        close(fd);
        return s_fail(diags, SR_EIO, "cannot read the file: %s", why);
    }
    if (S_ISREG(st.st_mode) && (size_t)st.st_size > lim.max_bytes) {
        close(fd);
        lang_pos_t none = {0, 0};
        sr_err_t rc = lang_diag_add(diags, none,
                                    "the file is %lld bytes, over the limit "
                                    "of %zu bytes",
                                    (long long)st.st_size, lim.max_bytes);
        return rc == SR_OK ? SR_EINVAL : rc;
    }
    char *buf = malloc(lim.max_bytes + 1);
    if (!buf) {
        close(fd);
        return SR_ENOMEM;
    }
    size_t len = 0;
    ssize_t r = 0;
    while (len <= lim.max_bytes &&
           (r = read(fd, buf + len, lim.max_bytes + 1 - len)) > 0)
        len += (size_t)r;
    int err = errno;
    close(fd);
    sr_err_t rc;
    if (r < 0)
        rc = s_fail(diags, SR_EIO, "cannot read the file: %s", strerror(err));
    else
        rc = lang_doc_parse(path, buf, len, &lim, out, diags);
    free(buf);
    return rc;
}
