// The workflow model: a parsed, validated Mistral v2 document (one or more
// workflows, or a workbook with workflows and ad-hoc actions). The loader
// (lang_load.c) builds it from YAML; the engine core only reads it.
//
// Everything the loader can decide once is decided here: task-defaults are
// merged into each task as Mistral does, inline parameters ("std.echo
// output=hi") are merged into `input`, transitions are resolved to task
// indexes, and the start tasks and inbound transitions of every task are
// precomputed.
//
// Ownership: a lang_doc_t owns every string, template and array reachable
// from it; all pointers below are borrowed from the document and valid until
// lang_doc_destroy(). A document is immutable once loaded and may be read by
// several threads.
#ifndef LANG_SPEC_H
#define LANG_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "lang_diag.h"
#include "lang_tree.h"
#include "lang_vt.h"
#include "sr_err.h"

typedef enum { LANG_WF_DIRECT = 0, LANG_WF_REVERSE } lang_wf_type_t;

typedef enum {
    LANG_CMD_NONE = 0, // a transition to a task
    LANG_CMD_FAIL,
    LANG_CMD_SUCCEED,
    LANG_CMD_PAUSE,
    LANG_CMD_NOOP // marks an error handled without running anything
} lang_cmd_t;

// One entry of on-success / on-error / on-complete, in source order.
typedef struct {
    lang_cmd_t cmd;
    const char *task; // target task name when cmd == LANG_CMD_NONE
    int task_index;   // index in the workflow's tasks, -1 for commands
    lang_vt_t *msg;   // fail/succeed/pause(msg=...); NULL when absent
    lang_vt_t *when;  // condition; NULL means always
    lang_pos_t pos;
} lang_next_t;

typedef struct {
    lang_next_t *next;
    size_t count;
    lang_vt_t *publish;        // dict form: publish / publish.branch; or NULL
    lang_vt_t *publish_global; // dict form: publish.global; or NULL
} lang_clause_t;

typedef enum {
    LANG_ON_SUCCESS = 0,
    LANG_ON_ERROR,
    LANG_ON_COMPLETE,
    LANG_ON_COUNT
} lang_on_t;

// with-items: "x in <% $.list %>" or "x in [1, 2]"; several zip together.
typedef struct {
    const char *var;
    lang_vt_t *values;
} lang_item_t;

typedef struct {
    lang_vt_t *count, *delay, *break_on, *continue_on; // each may be NULL
} lang_retry_t;

enum { LANG_JOIN_NONE = 0, LANG_JOIN_ALL = -1 }; // or N > 0 ("one" = 1)

// A transition into a task from another task's clause.
typedef struct {
    int from;     // source task index
    lang_on_t on; // which clause of the source
} lang_inbound_t;

typedef struct {
    const char *name;
    const char *description; // NULL when absent
    lang_pos_t pos;

    // What runs: action, workflow, or neither (then std.noop).
    lang_vt_t *action;   // action name, may be an expression; or NULL
    lang_vt_t *workflow; // sub-workflow name, may be an expression; or NULL
    lang_vt_t *input;    // map (inline params merged) or one expression
                         // that evaluates to a map; NULL = {}
    lang_vt_t *publish;  // map; NULL when absent
    lang_vt_t *publish_on_error; // map; NULL when absent

    lang_item_t *items; // with-items, zipped; NULL / 0 when absent
    size_t nitems;
    lang_vt_t *concurrency; // NULL when absent

    // Policies (task-defaults already merged in).
    lang_retry_t *retry; // NULL when absent
    lang_vt_t *wait_before, *wait_after, *timeout, *pause_before;
    lang_vt_t *fail_on, *keep_result, *safe_rerun, *target;

    int join;              // LANG_JOIN_NONE, LANG_JOIN_ALL or a count
    const char **requires; // reverse workflows
    int *requires_index;
    size_t nrequires;

    // Effective transitions (task-defaults merged). Index by lang_on_t.
    lang_clause_t on[LANG_ON_COUNT];

    // Derived: transitions from other tasks into this one.
    lang_inbound_t *inbound;
    size_t ninbound;

    const char **tags;
    size_t ntags;

    // The task as written, with name and version (task().spec); constant.
    lang_vt_t *spec;
} lang_task_t;

// A workflow or ad-hoc action input parameter; required when no default.
typedef struct {
    const char *name;
    lang_vt_t *default_value; // NULL when required
} lang_param_t;

typedef struct {
    const char *name; // full name ("wb.wf" inside a workbook)
    lang_wf_type_t type;
    const char *description;
    const char **tags;
    size_t ntags;
    lang_pos_t pos;
    lang_param_t *inputs;
    size_t ninputs;
    lang_vt_t *vars, *output, *output_on_error; // each may be NULL
    lang_task_t *tasks;
    size_t ntasks;
    int *start; // direct: indexes of tasks no transition leads to
    size_t nstart;
    // The workflow as written, with name and version (execution().spec).
    lang_vt_t *spec;
} lang_workflow_t;

typedef struct {
    const char *name;      // full name ("wb.action" inside a workbook)
    const char *base;      // base action name
    lang_vt_t *base_input; // map template over the action's own input
    lang_param_t *inputs;
    size_t ninputs;
    lang_vt_t *output; // NULL: the base action's result unchanged
    lang_pos_t pos;
} lang_action_t;

typedef struct lang_doc lang_doc_t;

// Parse and validate a document. `file` names the source in messages.
// Collects every problem into `diags` (which the caller must fini) and
// returns SR_EINVAL when there is at least one; on success *out is owned by
// the caller.
sr_err_t lang_doc_parse(const char *file, const char *text, size_t len,
                        const lang_limits_t *limits, lang_doc_t **out,
                        lang_diags_t *diags);
// Same, reading the file (size checked before reading).
sr_err_t lang_doc_load(const char *path, const lang_limits_t *limits,
                       lang_doc_t **out, lang_diags_t *diags);
void lang_doc_destroy(lang_doc_t **doc_p);

const char *lang_doc_name(const lang_doc_t *doc); // workbook name or NULL
const char *lang_doc_text(const lang_doc_t *doc); // the YAML source
// Content hash of the source: 64 hex digits (SHA-256).
const char *lang_doc_hash(const lang_doc_t *doc);
size_t lang_doc_nworkflows(const lang_doc_t *doc);
const lang_workflow_t *lang_doc_workflow_at(const lang_doc_t *doc, size_t i);
// By full name, or by short name inside a workbook; NULL when absent.
const lang_workflow_t *lang_doc_workflow(const lang_doc_t *doc,
                                         const char *name);
size_t lang_doc_nactions(const lang_doc_t *doc);
const lang_action_t *lang_doc_action_at(const lang_doc_t *doc, size_t i);
const lang_action_t *lang_doc_action(const lang_doc_t *doc, const char *name);
// Index of a task by name in `wf`, or -1.
int lang_workflow_task_index(const lang_workflow_t *wf, const char *name);

#endif
