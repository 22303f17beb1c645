// Catalog rows and the document cache. Owns the cached lang_doc_t objects.
// Parsing goes through the language library; a stored definition that no
// longer parses (a newer build got stricter) is reported, not fatal.
// Workflow names become catalog keys here, and only here (S_KEY_LONG).
#include "store_docs.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_db.h"

// LMDB keys are at most 511 bytes; the protocol allows names of 1,024. A
// name shorter than S_KEY_LONG bytes is its own key. A longer one is keyed
// by its first S_KEY_LONG - 32 bytes and its SHA-256 (so keys of exactly
// S_KEY_LONG bytes are those of long names), and its row keeps the whole
// name after the 64-byte definition hash. No name is empty: an empty key
// is no key in LMDB.
#define S_KEY_LONG 480
#define S_HASH_LEN 64

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

// The catalog key of a workflow name (see S_KEY_LONG); its length.
static size_t
s_name_key(const char *name, size_t len, uint8_t key[S_KEY_LONG])
{
    if (len < S_KEY_LONG) {
        memcpy(key, name, len);
        return len;
    }
    size_t head = S_KEY_LONG - crypto_hash_sha256_BYTES;
    memcpy(key, name, head);
    crypto_hash_sha256(key + head, (const unsigned char *)name, len);
    return S_KEY_LONG;
}

static sr_err_t
s_name_put(store_txn_t *txn, const char *name, const char *hash,
           sr_error_t *err)
{
    size_t len = strlen(name);
    if (!len)
        return sr_error_set(err, SR_EINVAL, "a workflow name is empty");
    uint8_t key[S_KEY_LONG];
    size_t klen = s_name_key(name, len, key);
    char *row = malloc(S_HASH_LEN + len);
    if (!row)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    memcpy(row, hash, S_HASH_LEN);
    memcpy(row + S_HASH_LEN, name, len);
    size_t rlen = klen == S_KEY_LONG ? S_HASH_LEN + len : S_HASH_LEN;
    sr_err_t rc =
        store_put_raw(txn, STORE_DB_DEFNAME, key, klen, row, rlen, err);
    free(row);
    return rc;
}

// The name of a catalog row: its key, or for a long name what the row
// keeps after the hash. False when the row is not one this file writes.
static bool
s_row_name(const void *key, size_t klen, const void *row, size_t rlen,
           const char **name, size_t *len)
{
    if (klen < S_KEY_LONG && rlen == S_HASH_LEN) {
        *name = key;
        *len = klen;
        return true;
    }
    if (klen == S_KEY_LONG && rlen > S_HASH_LEN) {
        *name = (const char *)row + S_HASH_LEN;
        *len = rlen - S_HASH_LEN;
        return true;
    }
    return false;
}

// The row of workflow `name`: SR_ENOTFOUND when there is none (never for
// an empty name). The row is borrowed until the transaction ends.
static sr_err_t
s_name_row(store_txn_t *txn, const char *name, uint8_t key[S_KEY_LONG],
           size_t *klen, const void **row, sr_error_t *err)
{
    size_t len = strlen(name), rlen = 0, have = 0;
    if (!len)
        return sr_error_set(err, SR_ENOTFOUND, "workflow '' not found");
    *klen = s_name_key(name, len, key);
    sr_err_t rc =
        store_get_raw(txn, STORE_DB_DEFNAME, key, *klen, row, &rlen, err);
    if (rc == SR_ENOTFOUND)
        return sr_error_set(err, SR_ENOTFOUND, "workflow '%s' not found", name);
    const char *stored = NULL;
    if (!rc && !s_row_name(key, *klen, *row, rlen, &stored, &have))
        return sr_error_set(err, SR_ESTORE, "bad catalog row for '%s'", name);
    if (!rc && (have != len || memcmp(stored, name, len) != 0))
        return sr_error_set(err, SR_ENOTFOUND, "workflow '%s' not found", name);
    return rc;
}

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
    for (size_t i = 0; !rc && i < lang_doc_nworkflows(doc); i++)
        rc = s_name_put(txn, lang_doc_workflow_at(doc, i)->name, hash, err);
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
    uint8_t key[S_KEY_LONG];
    size_t klen;
    const void *row;
    sr_err_t rc = s_name_row(txn, name, key, &klen, &row, err);
    if (rc)
        return rc;
    memcpy(hash, row, S_HASH_LEN);
    hash[S_HASH_LEN] = '\0';
    return SR_OK;
}

sr_err_t
store_def_del_name(store_txn_t *txn, const char *name, sr_error_t *err)
{
    uint8_t key[S_KEY_LONG];
    size_t klen;
    const void *row;
    sr_err_t rc = s_name_row(txn, name, key, &klen, &row, err);
    return rc ? rc : store_del(txn, STORE_DB_DEFNAME, key, klen, err);
}

typedef struct {
    store_def_name_fn fn;
    void *arg;
} s_names_t;

static sr_err_t
s_names_visit(void *arg, const void *key, size_t klen, const void *val,
              size_t vlen)
{
    s_names_t *n = arg;
    const char *name;
    size_t len;
    if (!s_row_name(key, klen, val, vlen, &name, &len))
        return SR_OK; // not a row of this file: skipped
    return n->fn(n->arg, name, len, val);
}

sr_err_t
store_def_names(store_txn_t *txn, store_def_name_fn fn, void *arg,
                sr_error_t *err)
{
    s_names_t n = {fn, arg};
    return store_scan(txn, STORE_DB_DEFNAME, NULL, 0, NULL, 0, s_names_visit,
                      &n, err);
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
