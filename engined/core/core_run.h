// The working context of one core_step: the core's configuration, the
// state, the command list, the event's time, the step's modes, and the
// core's own queue of follow-ups. Every core_* room takes a core_run_t;
// nothing in it outlives the step. core_run.c implements it.
//
// Follow-ups are how the core depends only downward. A room calls only
// the rooms below it (core.c draws the floors); what must happen in a room
// above it (a task's units are all done, a task ended, a sub-workflow is
// to start) or after what it has set in motion, it pushes as a follow-up,
// which core.c hands to the room that owns it. Follow-ups run depth-first:
// those pushed while one runs come next, in the order pushed, before the
// ones that were waiting -- the order in which nested calls used to run
// the same work, so the commands and notifications of a step come out as
// they always did. A room that has pushed a follow-up does nothing more
// after it but push: what is left of its work is a follow-up too.
//
// Thread rule: a core_run_t lives on the stack of one core_step.
#ifndef CORE_RUN_H
#define CORE_RUN_H

#include "core_cmd.h"
#include "core_event.h"
#include "core_rec.h"
#include "core_state.h"
#include "lang_spec.h"
#include "sr_err.h"

// The core's configuration (core_t, core.h).
struct core {
    char *callback_url;
    size_t max_expr_steps, max_value_bytes;
    int max_depth;
};

typedef enum {
    // core_exec.c: sub-workflow `id` reached a final state; its parent
    // task learns it after everything else of the step (deferred).
    CORE_FU_CHILD_DONE = 1,
} core_fu_kind_t;

// One follow-up. The fields a kind uses are named with the kind.
typedef struct {
    core_fu_kind_t kind;
    sr_id_t exec_id;   // the execution it is about
    uint32_t seq;      // a task execution of it
    uint32_t item;     // a position: unit, start task, spec task or seq
    uint32_t count;    // a number the position goes with
    bool flag;         // a yes/no the kind names
    sr_id_t id;        // another execution (a sub-workflow)
    char *text;        // owned: a message or a name
    sr_value_t *value; // owned: a value the kind names
} core_followup_t;

typedef struct {
    const struct core *core;
    core_state_t *st;
    core_cmds_t *cmds;
    int64_t now;
    sr_error_t *err;
    // Resuming: transitions of tasks that completed while paused run now,
    // without their `pause` commands (Mistral drops them on resume).
    bool resuming;
    // Starting: the execution whose start tasks are being created and run.
    // Its completion check waits until all of them exist (a start task that
    // finishes at once must not end the execution, or force its joins,
    // before the next start task is there).
    const core_exec_t *starting;
    // The follow-ups (core_run.c owns them).
    core_followup_t *stack; // depth-first: the last one runs next
    size_t nstack, capstack;
    size_t fresh;           // stack[fresh..] were pushed by the one running
    size_t pushed;          // follow-ups pushed in the step so far
    core_followup_t *later; // deferred to the end of the step, in order
    size_t headlater, nlater, caplater;
} core_run_t;

// Shorthands for the state ops.
#define CORE_OPS(r) ((r)->st->ops)

// Append a command (its owned fields are taken); SR_ENOMEM on failure.
sr_err_t core_cmd_push(core_run_t *r, core_cmd_t *cmd);
// Notify watchers that an execution or a task changed state.
sr_err_t core_notify_exec(core_run_t *r, const core_exec_t *exec);
sr_err_t core_notify_task(core_run_t *r, const core_exec_t *exec,
                          const core_task_t *task);
// Change a task execution's state and state_info (NULL: none) and notify.
sr_err_t core_task_set_state(core_run_t *r, const core_exec_t *exec,
                             core_task_t *task, core_task_state_t state,
                             const char *info);
// Change an execution's state and state_info (NULL: none) and notify; a
// sub-workflow execution that reaches a final state tells its parent
// (CORE_FU_CHILD_DONE).
sr_err_t core_exec_set_state(core_run_t *r, core_exec_t *exec,
                             core_ex_state_t state, const char *info);
// A task execution is over (ended, failed for good or cancelled): it no
// longer waits as a join and its execution has one active task less.
void core_task_finish(core_run_t *r, core_exec_t *exec, core_task_t *task);

// Push a follow-up: it runs after the one running now, before those that
// were waiting. Its text and value are taken (also on failure).
sr_err_t core_followup_push(core_run_t *r, core_followup_t *fu);
// Defer one to the end of the step, after every other, in order.
sr_err_t core_followup_defer(core_run_t *r, core_followup_t *fu);
// How many were pushed so far: a room compares it before and after a call
// to learn whether the call left work behind it.
size_t core_followup_mark(const core_run_t *r);
// Take the follow-up that runs next into *out (the caller finis it):
// pushed ones first, then, when `deferred`, the deferred ones. False when
// none is left.
bool core_followup_next(core_run_t *r, bool deferred, core_followup_t *out);
// Free a follow-up's text and value.
void core_followup_fini(core_followup_t *fu);
// The execution and the task execution a follow-up names (borrowed).
sr_err_t core_followup_task(core_run_t *r, const core_followup_t *fu,
                            core_exec_t **exec, core_task_t **task);
// Free what the step still holds (follow-ups left after an error).
void core_run_fini(core_run_t *r);

// The workflow an execution runs (borrowed from the document cache).
sr_err_t core_exec_workflow(core_run_t *r, const core_exec_t *exec,
                            const lang_doc_t **doc, const lang_workflow_t **wf);
// The spec of a task execution (borrowed); NULL when it has none.
const lang_task_t *core_task_spec(const lang_workflow_t *wf,
                                  const core_task_t *task);

#endif
