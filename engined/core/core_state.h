// How the state machine reaches durable state: a table of functions the
// store implements over one LMDB write transaction (and tests implement in
// memory). The core never sees LMDB.
//
// Records returned by *_get are BORROWED from the implementation's cache and
// stay valid until the end of the batch (commit or abort). The core changes
// them in place and calls *_dirty so they are written at commit. Records
// given to *_add move into the cache (the caller's pointer is set to NULL).
//
// Thread rule: one state object per write transaction, one thread.
#ifndef CORE_STATE_H
#define CORE_STATE_H

#include <stdint.h>

#include "core_rec.h"
#include "lang_spec.h"
#include "sr_err.h"
#include "sr_id.h"

typedef sr_err_t (*core_task_visit_fn)(void *arg, core_task_t *task);
// Visitors of the window scans: the record is borrowed for the call only
// and must not be changed (nor any state op called from `fn`).
typedef sr_err_t (*core_exec_visit_fn)(void *arg, const core_exec_t *exec);
typedef sr_err_t (*core_action_visit_fn)(void *arg, const core_action_t *a);

typedef struct core_state core_state_t;

typedef struct {
    // Executions. get returns SR_ENOTFOUND when absent.
    sr_err_t (*exec_get)(core_state_t *st, const sr_id_t *id,
                         core_exec_t **out);
    sr_err_t (*exec_add)(core_state_t *st, core_exec_t **exec_p);
    void (*exec_dirty)(core_state_t *st, core_exec_t *exec);
    // Visit the executions whose ids were made from `from_ms` to `to_ms`
    // (ids sort by the time in them), in id order; a non-zero return from
    // `fn` stops the scan and is returned.
    sr_err_t (*exec_scan)(core_state_t *st, int64_t from_ms, int64_t to_ms,
                          core_exec_visit_fn fn, void *arg);

    // Task executions of one execution, keyed by seq.
    sr_err_t (*task_get)(core_state_t *st, const sr_id_t *exec_id, uint32_t seq,
                         core_task_t **out);
    sr_err_t (*task_add)(core_state_t *st, core_task_t **task_p);
    void (*task_dirty)(core_state_t *st, core_task_t *task);
    // Visit every task execution of an execution in seq order (borrowed);
    // a non-zero return from `fn` stops the scan and is returned.
    sr_err_t (*task_scan)(core_state_t *st, const sr_id_t *exec_id,
                          core_task_visit_fn fn, void *arg);

    // Action executions.
    sr_err_t (*action_get)(core_state_t *st, const sr_id_t *id,
                           core_action_t **out);
    sr_err_t (*action_add)(core_state_t *st, core_action_t **action_p);
    void (*action_dirty)(core_state_t *st, core_action_t *action);
    // Visit the action executions made from `from_ms` to `to_ms`, as
    // exec_scan does.
    sr_err_t (*action_scan)(core_state_t *st, int64_t from_ms, int64_t to_ms,
                            core_action_visit_fn fn, void *arg);

    // Deletes. A record read before stays readable by its pointer until
    // the end of the batch, but every later get finds nothing
    // (SR_ENOTFOUND). Deleting what is absent is SR_OK.
    sr_err_t (*exec_del)(core_state_t *st, const sr_id_t *id);
    sr_err_t (*task_del)(core_state_t *st, const sr_id_t *exec_id,
                         uint32_t seq);
    sr_err_t (*action_del)(core_state_t *st, const sr_id_t *id);

    // Timers, keyed by (due_ms, id).
    sr_err_t (*timer_add)(core_state_t *st, const core_timer_t *timer);
    sr_err_t (*timer_del)(core_state_t *st, int64_t due_ms, const sr_id_t *id);

    // Delegate tokens: SHA-256 of the token -> action execution id.
    sr_err_t (*token_add)(core_state_t *st, const uint8_t hash[32],
                          const sr_id_t *action_id);
    sr_err_t (*token_del)(core_state_t *st, const uint8_t hash[32]);

    // Workflow definitions: the loaded document for a content hash, and
    // the newest hash stored under a workflow name. SR_ENOTFOUND when
    // absent. Documents are borrowed from a cache that outlives the batch.
    sr_err_t (*doc_get)(core_state_t *st, const char *def_hash,
                        const lang_doc_t **out);
    sr_err_t (*def_for_name)(core_state_t *st, const char *wf_name,
                             char def_hash[65]);
} core_state_ops_t;

struct core_state {
    const core_state_ops_t *ops;
    uint16_t partition; // the partition ids are made in
};

#endif
