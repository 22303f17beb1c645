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

// The kinds of follow-up, by the room that runs them. One that "catches"
// stands where a caller used to catch an error of what it had called: it
// is pushed after the work it guards, which therefore runs first; a
// failure there skips the rest of that work, as an error return skipped
// the rest of its callers, and the catching one runs with the error
// (core.c). When nothing failed it does what its entry says.
typedef enum {
    // core.c: the step's modes go back to `id` (starting) and `flag`
    // (resuming), also after a failure.
    CORE_FU_RESTORE = 1,
    // core_unit.c: start pending units of task `seq` from unit `item` on,
    // `count` being those running (`flag`: count them, from the first).
    CORE_FU_TOP_UP,
    // core_task.c: every unit of task `seq` is final.
    CORE_FU_UNITS_DONE,
    // core_task.c: task `seq` cannot run its units: force-fail it (`text`).
    CORE_FU_TASK_FAIL,
    // core_task.c: catches an expression error of the units task `seq`
    // restarted for a retry ("Failed to handle action completion").
    CORE_FU_RETRY,
    // core_exec_end.c: the completion check (`flag`: the joins that could
    // only wait were forced, go on from there).
    CORE_FU_CHECK,
    // core_flow.c: task `seq` ended (`flag`: its execution was running):
    // its transitions, then waiting joins, then the completion check.
    CORE_FU_TASK_ENDED,
    // core_flow.c: reach the spec tasks listed in `value` (an int array in
    // a binary value), in order, from task `seq`.
    CORE_FU_TRIGGERS,
    // core_flow.c: catches an expression error of what task `seq`'s
    // transitions started (the task and the workflow fail).
    CORE_FU_FLOW_DONE,
    // core_flow.c: create and run the start tasks from `item` on.
    CORE_FU_START,
    // core_flow.c: a reverse workflow's ready tasks, from spec task `item`.
    CORE_FU_REVERSE,
    // core_join.c: decide waiting joins from spec task `item` on (`flag`:
    // force those that can only wait).
    CORE_FU_JOINS,
    // core_exec.c: start sub-workflow `text` with input `value` for unit
    // `item` of task `seq`.
    CORE_FU_CHILD_START,
    // core_exec.c: unit `item` of task `seq` runs sub-workflow `id`;
    // catches its failed start (the unit fails).
    CORE_FU_CHILD_STARTED,
    // core_exec.c: resuming, go on from task seq `item` up to `count`.
    CORE_FU_RESUME,
    // core_exec.c: resuming task `seq`, resume the paused sub-workflows of
    // its units from `item` on.
    CORE_FU_RESUME_UNITS,
    // core_exec.c: sub-workflow `id` reached a final state; its parent
    // task learns it after everything else of the step (deferred).
    CORE_FU_CHILD_DONE,
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
    // Filled in by core.c before the follow-up runs (borrowed from the
    // state): the execution `exec_id` names, and task execution `seq` of
    // it for the kinds that name one.
    core_exec_t *exec;
    core_task_t *task;
} core_followup_t;

// Follow-ups a step holds before its stack needs the heap.
#define CORE_RUN_LOCAL 16

// Modes of the step that hold while some work and what it sets in motion
// runs (put back by CORE_FU_RESTORE).
typedef struct {
    // Starting: the execution whose start tasks are being created and run
    // (nil: none). Its completion check waits until all of them exist (a
    // start task that finishes at once must not end the execution, or
    // force its joins, before the next start task is there).
    sr_id_t starting;
    // Resuming: transitions of tasks that completed while paused run now,
    // without their `pause` commands (Mistral drops them on resume).
    bool resuming;
} core_modes_t;

typedef struct {
    const struct core *core;
    core_state_t *st;
    core_cmds_t *cmds;
    int64_t now;
    sr_error_t *err;
    core_modes_t modes;
    // The follow-ups (core_run.c owns them).
    core_followup_t *stack; // depth-first: the last one runs next
    size_t nstack, capstack;
    size_t fresh;           // stack[fresh..] were pushed by the one running
    size_t pushed;          // follow-ups pushed in the step so far
    core_followup_t *later; // deferred to the end of the step, in order
    size_t headlater, nlater, caplater;
    core_followup_t local[CORE_RUN_LOCAL]; // the stack while it fits (last)
} core_run_t;

// Start the context of a step over `st` at time `now` (err: where a
// refusal or failure is told); core_run_fini ends it.
void core_run_init(core_run_t *r, const struct core *core, core_state_t *st,
                   core_cmds_t *cmds, int64_t now, sr_error_t *err);

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
// Push a follow-up of `kind` about task execution (exec, task); `task`
// may be NULL for one about the execution.
sr_err_t core_followup_about(core_run_t *r, core_fu_kind_t kind,
                             const core_exec_t *exec, const core_task_t *task);
// Put the modes back to `saved` once what was pushed since `mark` has
// run (now, when nothing was).
sr_err_t core_run_restore(core_run_t *r, const core_modes_t *saved,
                          size_t mark);
// Take the follow-up that runs next into *out (the caller finis it):
// pushed ones first, then, when `deferred`, the deferred ones. False when
// none is left.
bool core_followup_next(core_run_t *r, bool deferred, core_followup_t *out);
// Free a follow-up's text and value.
void core_followup_fini(core_followup_t *fu);
// Free what the step still holds (follow-ups left after an error).
void core_run_fini(core_run_t *r);

// The workflow an execution runs (borrowed from the document cache).
sr_err_t core_exec_workflow(core_run_t *r, const core_exec_t *exec,
                            const lang_doc_t **doc, const lang_workflow_t **wf);
// The spec of a task execution (borrowed); NULL when it has none.
const lang_task_t *core_task_spec(const lang_workflow_t *wf,
                                  const core_task_t *task);
// The latest execution of spec task `index` of `wf` (borrowed; NULL when
// it has none yet).
sr_err_t core_task_latest(core_run_t *r, const core_exec_t *exec,
                          const lang_workflow_t *wf, int index,
                          core_task_t **out);

#endif
