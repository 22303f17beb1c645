// The workflow catalog of a fake engine (sr_fake_engine.h): definitions by
// name, with a version (a hash of the text) and a creation time from a
// clock that always moves. Each call answers one workflow request: a
// REPLY body, or an error with the engine's message.
//
// Thread rule: one thread at a time (the fake engine locks it).
#ifndef SR_FAKE_CATALOG_H
#define SR_FAKE_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_value.h"

typedef struct sr_fake_catalog sr_fake_catalog_t;

// An empty catalog whose clock starts at `epoch_ms`. NULL on OOM.
sr_fake_catalog_t *sr_fake_catalog_new(int64_t epoch_ms);
void sr_fake_catalog_destroy(sr_fake_catalog_t **cat_p);

// WF_CREATE: the top-level keys of `text` other than `version` become
// workflows. *body: array of {name, version, created_ms}. SR_EINVAL when
// the text names no workflow.
sr_err_t sr_fake_catalog_create(sr_fake_catalog_t *cat, const char *text,
                                sr_value_t **body, sr_error_t *err);
// WF_VALIDATE: the same array as WF_CREATE's, without created_ms, and
// nothing stored. The fake describes no workflow: input and tags are the
// language's, which it does not load.
sr_err_t sr_fake_catalog_validate(sr_fake_catalog_t *cat, const char *text,
                                  sr_value_t **body, sr_error_t *err);
// WF_GET: {name, version, definition, created_ms}; `version` may be NULL.
sr_err_t sr_fake_catalog_get(sr_fake_catalog_t *cat, const char *name,
                             const char *version, sr_value_t **body,
                             sr_error_t *err);
// WF_LIST: array of {name, version, created_ms}.
sr_err_t sr_fake_catalog_list(sr_fake_catalog_t *cat, sr_value_t **body,
                              sr_error_t *err);
// WF_DELETE: {}.
sr_err_t sr_fake_catalog_delete(sr_fake_catalog_t *cat, const char *name,
                                sr_value_t **body, sr_error_t *err);
bool sr_fake_catalog_has(const sr_fake_catalog_t *cat, const char *name);
// The version of workflow `name` (borrowed), or NULL when unknown.
const char *sr_fake_catalog_version(const sr_fake_catalog_t *cat,
                                    const char *name);

#endif
