// Building a lang_doc_t (lang_spec.h): the loader's side of the document.
// A document owns a copy of the source, its hash, an arena for every array
// and string of the model, and every value template stored in the model
// (registered once, so tasks may share one template, e.g. a task-defaults
// policy). One thread builds a document; afterwards it is read-only.
#ifndef LANG_DOC_H
#define LANG_DOC_H

#include <stddef.h>

#include "lang_spec.h"

// A new, empty document over a copy of `text`; NULL when memory runs out.
lang_doc_t *lang_doc_new(const char *text, size_t len);

// Zeroed room for n items of `size` bytes in the document's arena; NULL
// when memory runs out or n * size overflows. Freed with the document.
void *lang_doc_alloc(lang_doc_t *doc, size_t n, size_t size);
// Copy of s[0..len) (NUL-terminated) in the arena; NULL on OOM.
char *lang_doc_strndup(lang_doc_t *doc, const char *s, size_t len);
char *lang_doc_strdup(lang_doc_t *doc, const char *s);

// The document takes `vt` (NULL-safe: returns NULL). On OOM the template is
// destroyed and NULL returned. Returns vt.
lang_vt_t *lang_doc_keep(lang_doc_t *doc, lang_vt_t *vt);

// Set the content (arrays from the arena).
void lang_doc_set_name(lang_doc_t *doc, const char *name);
void lang_doc_set_workflows(lang_doc_t *doc, lang_workflow_t *wfs, size_t n);
void lang_doc_set_actions(lang_doc_t *doc, lang_action_t *actions, size_t n);

#endif
