// Helpers for the loader tests: load a text and fail with its diagnostics,
// collect diagnostics as "L:C: message" lines, find tasks, and print value
// templates as JSON of their source form.
#ifndef LANG_LOAD_TEST_UTIL_H
#define LANG_LOAD_TEST_UTIL_H

#include "lang_spec.h"

// Load `yaml`; the test fails (printing the problems) unless it is valid.
lang_doc_t *lt_load(const char *yaml);
// Problems of an invalid `yaml` as "L:C: message\n" lines (static buffer);
// the test fails when the text is valid.
const char *lt_errors(const char *yaml);
const lang_workflow_t *lt_wf(const lang_doc_t *doc, const char *name);
const lang_task_t *lt_task(const lang_doc_t *doc, const char *wf,
                           const char *task);
// Source form of a template as compact JSON (static buffer; "null" for
// NULL).
const char *lt_src(const lang_vt_t *vt);

#endif
