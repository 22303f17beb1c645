/* Workflow definitions of a fake engine, in memory. A definition's names
 * are found by a line scan (top-level keys), not by the YAML loader: the
 * fake tests the client, not the language. Test support only.
 * Thread rule: one thread at a time.
 */
#include "sr_fake_catalog.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "sr_body.h"

struct sr_fake_catalog {
    sr_value_t *workflows; // name -> its WF_GET body (with the definition)
    int64_t clock;         // last created_ms given
};

sr_fake_catalog_t *
sr_fake_catalog_new(int64_t epoch_ms)
{
    sr_fake_catalog_t *cat = calloc(1, sizeof *cat);
    if (!cat)
        return NULL;
    cat->clock = epoch_ms;
    cat->workflows = sr_value_new_map(4);
    if (!cat->workflows)
        sr_fake_catalog_destroy(&cat);
    return cat;
}

void
sr_fake_catalog_destroy(sr_fake_catalog_t **cat_p)
{
    if (!cat_p || !*cat_p)
        return;
    sr_value_destroy(&(*cat_p)->workflows);
    free(*cat_p);
    *cat_p = NULL;
}

// The version of a definition: 16 hex digits of its hash.
static sr_value_t *
s_version(const char *text)
{
    unsigned char h[8];
    char hex[17];
    crypto_generichash(h, sizeof h, (const unsigned char *)text, strlen(text),
                       NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    return sr_value_new_str(hex);
}

// Workflow names of a definition: top-level keys other than `version`.
static sr_value_t *
s_names(const char *text)
{
    sr_value_t *names = sr_value_new_array(2);
    for (const char *line = text; line && *line;) {
        size_t len = strspn(line, "abcdefghijklmnopqrstuvwxyz"
                                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");
        if (len > 0 && line[len] == ':' && strncmp(line, "version:", 8) != 0)
            sr_value_array_append(names, sr_value_new_strn(line, len));
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    return names;
}

// A workflow as WF_CREATE and WF_LIST give it: name, version, created_ms
// (WF_VALIDATE's: without created_ms).
static sr_value_t *
s_summary(const sr_value_t *wf, bool with_created_ms)
{
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_WORKFLOW);
    sr_body_put_ref(&b, SR_B_WORKFLOW_name,
                    sr_body_get(wf, SR_B_WORKFLOW_name));
    sr_body_put_ref(&b, SR_B_WORKFLOW_version,
                    sr_body_get(wf, SR_B_WORKFLOW_version));
    if (with_created_ms)
        sr_body_put_ref(&b, SR_B_WORKFLOW_created_ms,
                        sr_body_get(wf, SR_B_WORKFLOW_created_ms));
    return sr_body_take(&b);
}

// WF_CREATE (`store`) and WF_VALIDATE: the workflows of `text`,
// summarised; WF_CREATE's with created_ms.
static sr_err_t
s_define(sr_fake_catalog_t *cat, const char *text, bool store,
         sr_value_t **body, sr_error_t *err)
{
    sr_value_t *names = s_names(text);
    if (sr_value_len(names) == 0) {
        sr_value_destroy(&names);
        return sr_error_set(err, SR_EINVAL,
                            "1:1: no workflow in the definition");
    }
    sr_value_t *out = sr_value_new_array(sr_value_len(names));
    for (size_t i = 0; i < sr_value_len(names); i++) {
        sr_body_t b;
        const char *name = sr_value_str(sr_value_array_at(names, i));
        sr_body_init(&b, SR_SHAPE_WORKFLOW);
        sr_body_put_str(&b, SR_B_WORKFLOW_name, name);
        sr_body_put(&b, SR_B_WORKFLOW_version, s_version(text));
        sr_body_put_int(&b, SR_B_WORKFLOW_created_ms, ++cat->clock);
        sr_body_put_str(&b, SR_B_WORKFLOW_definition, text);
        sr_value_t *wf = sr_body_take(&b);
        sr_value_array_append(out, s_summary(wf, store));
        if (store)
            sr_value_map_put(cat->workflows, name, wf);
        else
            sr_value_destroy(&wf);
    }
    sr_value_destroy(&names);
    *body = out;
    return SR_OK;
}

sr_err_t
sr_fake_catalog_create(sr_fake_catalog_t *cat, const char *text,
                       sr_value_t **body, sr_error_t *err)
{
    return s_define(cat, text, true, body, err);
}

sr_err_t
sr_fake_catalog_validate(sr_fake_catalog_t *cat, const char *text,
                         sr_value_t **body, sr_error_t *err)
{
    return s_define(cat, text, false, body, err);
}

sr_err_t
sr_fake_catalog_get(sr_fake_catalog_t *cat, const char *name,
                    const char *version, sr_value_t **body, sr_error_t *err)
{
    sr_value_t *wf = sr_value_map_get(cat->workflows, name);
    if (!wf ||
        (version && strcmp(version, sr_body_str(wf, SR_B_WORKFLOW_version))))
        return sr_error_set(err, SR_ENOTFOUND, "workflow '%s'%s%s not found",
                            name, version ? " version " : "",
                            version ? version : "");
    *body = sr_value_dup(wf);
    return SR_OK;
}

sr_err_t
sr_fake_catalog_list(sr_fake_catalog_t *cat, sr_value_t **body, sr_error_t *err)
{
    (void)err;
    sr_value_t *wfs = cat->workflows;
    sr_value_t *out = sr_value_new_array(sr_value_len(wfs));
    for (size_t i = 0; i < sr_value_len(wfs); i++)
        sr_value_array_append(out, s_summary(sr_value_map_val(wfs, i), true));
    *body = out;
    return SR_OK;
}

sr_err_t
sr_fake_catalog_delete(sr_fake_catalog_t *cat, const char *name,
                       sr_value_t **body, sr_error_t *err)
{
    if (!sr_value_map_del(cat->workflows, name))
        return sr_error_set(err, SR_ENOTFOUND, "workflow '%s' not found", name);
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_EMPTY);
    *body = sr_body_take(&b);
    return SR_OK;
}

bool
sr_fake_catalog_has(const sr_fake_catalog_t *cat, const char *name)
{
    return sr_value_map_has(cat->workflows, name);
}

const char *
sr_fake_catalog_version(const sr_fake_catalog_t *cat, const char *name)
{
    return sr_body_str(sr_value_map_get(cat->workflows, name),
                       SR_B_WORKFLOW_version);
}
