// Catalog rows and the document cache. Owns the cached lang_doc_t objects.
// Parsing goes through the language library; a stored definition that no
// longer parses (a newer build got stricter) is reported, not fatal.
#include "store_docs.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    char hash[65];
    lang_doc_t *doc;
    uint64_t used; // last use tick, for LRU
} s_slot_t;

struct store_docs {
    s_slot_t *slots;
    size_t count, cap, capacity;
    uint64_t tick;
};

sr_err_t
store_def_put(store_txn_t *txn, const lang_doc_t *doc, int64_t now_ms,
              sr_error_t *err)
{
    const char *hash = lang_doc_hash(doc);
    sr_value_t *row = sr_value_new_map(3);
    sr_err_t rc =
        sr_value_map_put(row, "text", sr_value_new_str(lang_doc_text(doc)));
    if (!rc)
        rc = sr_value_map_put(row, "created", sr_value_new_int(now_ms));
    if (rc) {
        sr_value_destroy(&row);
        return sr_error_set(err, rc, "out of memory");
    }
    const void *old;
    size_t olen;
    if (store_get_raw(txn, STORE_DB_DEF, hash, 64, &old, &olen, NULL) ==
        SR_ENOTFOUND)
        rc = store_put(txn, STORE_DB_DEF, hash, 64, row, err);
    sr_value_destroy(&row);
    for (size_t i = 0; !rc && i < lang_doc_nworkflows(doc); i++) {
        const char *name = lang_doc_workflow_at(doc, i)->name;
        rc = store_put_raw(txn, STORE_DB_DEFNAME, name, strlen(name), hash, 64,
                           err);
    }
    return rc;
}

sr_err_t
store_def_text(store_txn_t *txn, const char *hash, char **text, size_t *len,
               sr_error_t *err)
{
    if (strlen(hash) != 64)
        return sr_error_set(err, SR_EINVAL,
                            "definition hash '%s' is not "
                            "64 hex digits",
                            hash);
    sr_value_t *row = NULL;
    sr_err_t rc = store_get(txn, STORE_DB_DEF, hash, 64, &row, err);
    if (rc == SR_ENOTFOUND)
        return sr_error_set(err, SR_ENOTFOUND, "no definition %s", hash);
    if (rc)
        return rc;
    const sr_value_t *t = sr_value_map_get(row, "text");
    char *copy = t ? strndup(sr_value_str(t), sr_value_len(t)) : NULL;
    size_t n = sr_value_len(t);
    sr_value_destroy(&row);
    if (!copy)
        return sr_error_set(err, t ? SR_ENOMEM : SR_ESTORE,
                            "definition %s has no text", hash);
    *text = copy;
    *len = n;
    return SR_OK;
}

sr_err_t
store_def_for_name(store_txn_t *txn, const char *name, char hash[65],
                   sr_error_t *err)
{
    const void *data;
    size_t len;
    sr_err_t rc = store_get_raw(txn, STORE_DB_DEFNAME, name, strlen(name),
                                &data, &len, err);
    if (rc == SR_ENOTFOUND)
        return sr_error_set(err, SR_ENOTFOUND, "workflow '%s' not found", name);
    if (rc)
        return rc;
    if (len != 64)
        return sr_error_set(err, SR_ESTORE, "bad catalog row for '%s'", name);
    memcpy(hash, data, 64);
    hash[64] = '\0';
    return SR_OK;
}

sr_err_t
store_def_del_name(store_txn_t *txn, const char *name, sr_error_t *err)
{
    sr_err_t rc = store_del(txn, STORE_DB_DEFNAME, name, strlen(name), err);
    if (rc == SR_ENOTFOUND)
        return sr_error_set(err, SR_ENOTFOUND, "workflow '%s' not found", name);
    return rc;
}

store_docs_t *
store_docs_new(size_t capacity)
{
    store_docs_t *d = calloc(1, sizeof *d);
    if (d)
        d->capacity = capacity ? capacity : 256;
    return d;
}

void
store_docs_destroy(store_docs_t **docs_p)
{
    store_docs_t *d = docs_p ? *docs_p : NULL;
    if (!d)
        return;
    for (size_t i = 0; i < d->count; i++)
        lang_doc_destroy(&d->slots[i].doc);
    free(d->slots);
    free(d);
    *docs_p = NULL;
}

static s_slot_t *
s_find(store_docs_t *d, const char *hash)
{
    for (size_t i = 0; i < d->count; i++)
        if (strcmp(d->slots[i].hash, hash) == 0)
            return &d->slots[i];
    return NULL;
}

static s_slot_t *
s_insert(store_docs_t *d, lang_doc_t **doc_p)
{
    if (d->count == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        s_slot_t *slots = realloc(d->slots, cap * sizeof *slots);
        if (!slots)
            return NULL;
        d->slots = slots;
        d->cap = cap;
    }
    s_slot_t *s = &d->slots[d->count++];
    snprintf(s->hash, sizeof s->hash, "%s", lang_doc_hash(*doc_p));
    s->doc = *doc_p;
    s->used = ++d->tick;
    *doc_p = NULL;
    return s;
}

const lang_doc_t *
store_docs_adopt(store_docs_t *docs, lang_doc_t **doc_p)
{
    s_slot_t *s = s_find(docs, lang_doc_hash(*doc_p));
    if (s) {
        lang_doc_destroy(doc_p);
        s->used = ++docs->tick;
        return s->doc;
    }
    s = s_insert(docs, doc_p);
    if (!s) {
        lang_doc_destroy(doc_p);
        return NULL;
    }
    return s->doc;
}

sr_err_t
store_docs_get(store_docs_t *docs, store_txn_t *txn, const char *hash,
               const lang_doc_t **out, sr_error_t *err)
{
    s_slot_t *s = s_find(docs, hash);
    if (s) {
        s->used = ++docs->tick;
        *out = s->doc;
        return SR_OK;
    }
    char *text = NULL;
    size_t len = 0;
    sr_err_t rc = store_def_text(txn, hash, &text, &len, err);
    if (rc)
        return rc;
    lang_doc_t *doc = NULL;
    lang_diags_t diags = {0};
    rc = lang_doc_parse("stored definition", text, len, NULL, &doc, &diags);
    free(text);
    if (rc) {
        rc = sr_error_set(err, SR_ESTORE,
                          "stored definition %s no longer loads: %s", hash,
                          diags.count ? diags.items[0].msg : "parse error");
        lang_diags_fini(&diags);
        return rc;
    }
    lang_diags_fini(&diags);
    const lang_doc_t *kept = store_docs_adopt(docs, &doc);
    if (!kept)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    *out = kept;
    return SR_OK;
}

void
store_docs_trim(store_docs_t *docs)
{
    while (docs->count > docs->capacity) {
        size_t oldest = 0;
        for (size_t i = 1; i < docs->count; i++)
            if (docs->slots[i].used < docs->slots[oldest].used)
                oldest = i;
        lang_doc_destroy(&docs->slots[oldest].doc);
        docs->slots[oldest] = docs->slots[--docs->count];
    }
}
