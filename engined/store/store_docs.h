// Workflow definitions: the catalog rows of a partition (definition text by
// content hash, newest hash by workflow name) and an engine-wide cache of
// loaded, compiled documents so a definition is parsed once per process.
//
// Thread rule: the cache belongs to the engine loop's thread.
#ifndef STORE_DOCS_H
#define STORE_DOCS_H

#include <stddef.h>

#include "lang_spec.h"
#include "sr_err.h"
#include "store_part.h"

// Store a parsed document in the partition's catalog: its text under its
// hash, and the hash under every workflow name it defines. Idempotent.
// Names are any length the protocol allows (1,024 bytes), never empty: the
// lookups below answer SR_ENOTFOUND for an empty one.
sr_err_t store_def_put(store_txn_t *txn, const lang_doc_t *doc, int64_t now_ms,
                       sr_error_t *err);
// The definition text stored under `hash`; caller owns *text (free()).
sr_err_t store_def_text(store_txn_t *txn, const char *hash, char **text,
                        size_t *len, sr_error_t *err);
// The newest hash stored for a workflow name; copied into hash[65].
sr_err_t store_def_for_name(store_txn_t *txn, const char *name, char hash[65],
                            sr_error_t *err);
// Remove a workflow name (its definitions stay for running executions).
sr_err_t store_def_del_name(store_txn_t *txn, const char *name,
                            sr_error_t *err);
// Visit every workflow name of the catalog with its newest hash (64 hex
// digits, not terminated); both borrowed until the transaction ends. A
// non-zero return of `fn` stops the scan and is returned.
typedef sr_err_t (*store_def_name_fn)(void *arg, const char *name, size_t len,
                                      const char *hash);
sr_err_t store_def_names(store_txn_t *txn, store_def_name_fn fn, void *arg,
                         sr_error_t *err);

typedef struct store_docs store_docs_t;

// A cache of at most `capacity` documents (least recently used go first;
// documents handed out stay valid until the cache is destroyed or
// `store_docs_trim` runs between batches).
store_docs_t *store_docs_new(size_t capacity);
void store_docs_destroy(store_docs_t **docs_p);
// The document for `hash`: from the cache, else read from the partition's
// catalog and parsed. Borrowed.
sr_err_t store_docs_get(store_docs_t *docs, store_txn_t *txn, const char *hash,
                        const lang_doc_t **out, sr_error_t *err);
// Insert a document already parsed (ownership moves in; *doc_p = NULL).
// When the hash is cached already, the given document is destroyed.
const lang_doc_t *store_docs_adopt(store_docs_t *docs, lang_doc_t **doc_p);
// Drop least recently used documents above capacity. Call only between
// batches (documents may be borrowed during one).
void store_docs_trim(store_docs_t *docs);

#endif
