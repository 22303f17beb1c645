// The document: source copy, SHA-256 hash (libsodium), an arena holding
// every array and string of the model, and the list of value templates it
// owns. Accessors of lang_spec.h live here; the loader (lang_load.c) fills
// the document through lang_doc.h. Read-only once built.
#include "lang_doc.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define S_CHUNK ((size_t)16 << 10)

typedef struct s_chunk {
    struct s_chunk *next;
    size_t used, cap;
    max_align_t data[]; // aligned storage
} s_chunk_t;

struct lang_doc {
    char *text; // owned copy of the source, NUL-terminated
    size_t len;
    char hash[65];
    const char *name; // workbook name or NULL (arena)
    lang_workflow_t *wfs;
    size_t nwfs;
    lang_action_t *actions;
    size_t nactions;
    s_chunk_t *chunks;
    lang_vt_t **vts; // owned templates
    size_t nvts, capvts;
};

lang_doc_t *
lang_doc_new(const char *text, size_t len)
{
    lang_doc_t *doc = calloc(1, sizeof *doc);
    if (!doc)
        return NULL;
    doc->text = malloc(len + 1);
    if (!doc->text) {
        free(doc);
        return NULL;
    }
    memcpy(doc->text, text, len);
    doc->text[len] = '\0';
    doc->len = len;
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)text, len);
    sodium_bin2hex(doc->hash, sizeof doc->hash, h, sizeof h);
    return doc;
}

void *
lang_doc_alloc(lang_doc_t *doc, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    size_t bytes = n * size, align = sizeof(max_align_t);
    bytes = (bytes + align - 1) / align * align;
    if (bytes == 0)
        bytes = align;
    s_chunk_t *c = doc->chunks;
    if (!c || c->cap - c->used < bytes) {
        size_t cap = bytes > S_CHUNK ? bytes : S_CHUNK;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = doc->chunks;
        doc->chunks = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += bytes;
    memset(p, 0, bytes);
    return p;
}

char *
lang_doc_strndup(lang_doc_t *doc, const char *s, size_t len)
{
    char *p = lang_doc_alloc(doc, len + 1, 1);
    if (p)
        memcpy(p, s, len);
    return p;
}

char *
lang_doc_strdup(lang_doc_t *doc, const char *s)
{
    return lang_doc_strndup(doc, s, strlen(s));
}

lang_vt_t *
lang_doc_keep(lang_doc_t *doc, lang_vt_t *vt)
{
    if (!vt)
        return NULL;
    if (doc->nvts == doc->capvts) {
        size_t cap = doc->capvts ? doc->capvts * 2 : 32;
        lang_vt_t **vts = realloc(doc->vts, cap * sizeof *vts);
        if (!vts) {
            lang_vt_destroy(&vt);
            return NULL;
        }
        doc->vts = vts;
        doc->capvts = cap;
    }
    doc->vts[doc->nvts++] = vt;
    return vt;
}

void
lang_doc_set_name(lang_doc_t *doc, const char *name)
{
    doc->name = name;
}

void
lang_doc_set_workflows(lang_doc_t *doc, lang_workflow_t *wfs, size_t n)
{
    doc->wfs = wfs;
    doc->nwfs = n;
}

void
lang_doc_set_actions(lang_doc_t *doc, lang_action_t *actions, size_t n)
{
    doc->actions = actions;
    doc->nactions = n;
}

void
lang_doc_destroy(lang_doc_t **doc_p)
{
    if (!doc_p || !*doc_p)
        return;
    lang_doc_t *doc = *doc_p;
    for (size_t i = 0; i < doc->nvts; i++)
        lang_vt_destroy(&doc->vts[i]);
    free(doc->vts);
    while (doc->chunks) {
        s_chunk_t *next = doc->chunks->next;
        free(doc->chunks);
        doc->chunks = next;
    }
    free(doc->text);
    free(doc);
    *doc_p = NULL;
}

const char *
lang_doc_name(const lang_doc_t *doc)
{
    return doc->name;
}

const char *
lang_doc_text(const lang_doc_t *doc)
{
    return doc->text;
}

const char *
lang_doc_hash(const lang_doc_t *doc)
{
    return doc->hash;
}

size_t
lang_doc_nworkflows(const lang_doc_t *doc)
{
    return doc->nwfs;
}

const lang_workflow_t *
lang_doc_workflow_at(const lang_doc_t *doc, size_t i)
{
    return i < doc->nwfs ? &doc->wfs[i] : NULL;
}

// Full name, or "<workbook>.<name>" when `name` is a short name.
static bool
s_name_is(const lang_doc_t *doc, const char *full, const char *name)
{
    if (strcmp(full, name) == 0)
        return true;
    size_t n = doc->name ? strlen(doc->name) : 0;
    return n > 0 && strncmp(full, doc->name, n) == 0 && full[n] == '.' &&
           strcmp(full + n + 1, name) == 0;
}

const lang_workflow_t *
lang_doc_workflow(const lang_doc_t *doc, const char *name)
{
    for (size_t i = 0; i < doc->nwfs; i++)
        if (s_name_is(doc, doc->wfs[i].name, name))
            return &doc->wfs[i];
    return NULL;
}

size_t
lang_doc_nactions(const lang_doc_t *doc)
{
    return doc->nactions;
}

const lang_action_t *
lang_doc_action_at(const lang_doc_t *doc, size_t i)
{
    return i < doc->nactions ? &doc->actions[i] : NULL;
}

const lang_action_t *
lang_doc_action(const lang_doc_t *doc, const char *name)
{
    for (size_t i = 0; i < doc->nactions; i++)
        if (s_name_is(doc, doc->actions[i].name, name))
            return &doc->actions[i];
    return NULL;
}

int
lang_workflow_task_index(const lang_workflow_t *wf, const char *name)
{
    for (size_t i = 0; i < wf->ntasks; i++)
        if (strcmp(wf->tasks[i].name, name) == 0)
            return (int)i;
    return -1;
}
