// The core's state (core_state.h) in memory, for tests and tools that run
// the state machine without a disk. It keeps what the partition store
// (engined/store/) keeps in LMDB -- executions, task executions, action
// executions, timers, delegate tokens -- as the records' encoded values in
// tables sorted by key, and the parsed definitions. A batch behaves as a
// write transaction of the store: records are decoded once into a cache,
// changed in place by the core, and encoded at the commit; an abort leaves
// everything as it was. Deterministic: nothing depends on time or chance.
//
// Thread rule: a core_mem_t and the state it lends belong to one thread.
#ifndef CORE_MEM_H
#define CORE_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "core_rec.h"
#include "core_state.h"
#include "lang_spec.h"
#include "sr_err.h"
#include "sr_id.h"

typedef struct core_mem core_mem_t;

// The tables, for counting what is kept.
typedef enum {
    CORE_MEM_EXECS = 0,
    CORE_MEM_TASKS,
    CORE_MEM_ACTIONS,
    CORE_MEM_TIMERS,
    CORE_MEM_TOKENS,
    CORE_MEM_NTABLES
} core_mem_table_t;

// An empty partition numbered `partition`. Caller owns the result; NULL
// on OOM.
core_mem_t *core_mem_new(uint16_t partition);
void core_mem_destroy(core_mem_t **mem_p);

// Keep a parsed definition (taken: *doc_p is set to NULL, also on
// failure); its workflows become the newest under their names.
sr_err_t core_mem_define(core_mem_t *mem, lang_doc_t **doc_p);

// Begin a batch: *out is the state to give core_step (borrowed until the
// batch ends). SR_ESTATE when a batch is open.
sr_err_t core_mem_begin(core_mem_t *mem, core_state_t **out);
// Keep what the batch changed. On failure (a record that could not be
// encoded, a state op that failed where it could not say so) the batch is
// dropped as by core_mem_abort and `err` says why.
sr_err_t core_mem_commit(core_mem_t *mem, sr_error_t *err);
// Drop the batch: the tables are as they were before it began.
void core_mem_abort(core_mem_t *mem);

// Copies of committed records (the caller destroys them); SR_ENOTFOUND
// when there is none.
sr_err_t core_mem_exec(core_mem_t *mem, const sr_id_t *id, core_exec_t **out);
sr_err_t core_mem_task(core_mem_t *mem, const sr_id_t *exec_id, uint32_t seq,
                       core_task_t **out);
sr_err_t core_mem_action(core_mem_t *mem, const sr_id_t *id,
                         core_action_t **out);
// The committed timer due first; SR_ENOTFOUND when none is armed.
sr_err_t core_mem_next_timer(core_mem_t *mem, core_timer_t *out);
// How many committed rows `table` holds.
size_t core_mem_count(const core_mem_t *mem, core_mem_table_t table);

#endif
