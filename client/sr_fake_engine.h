// A fake engine for tests of the client and the CLI: a thread with a
// ROUTER socket on the client endpoint protocol, holding workflows,
// executions, tasks and pending actions in memory, owning a set of
// partitions like a real engine. Tests seed it, change how it answers
// (an ERROR, silence, late answers) and look at the requests it got.
//
// REPLY bodies are those sr_msg.def declares (checked before they leave);
// ids in them are 16-byte binaries (the client must turn them into text).
//
// Thread rule: every function may be called from the test's thread while
// the engine's thread runs; they lock the engine's state.
#ifndef SR_FAKE_ENGINE_H
#define SR_FAKE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_id.h"
#include "sr_msg.h"
#include "sr_value.h"

typedef struct sr_fake_engine sr_fake_engine_t;

// Start an engine named `name` bound at `endpoint` (e.g. "ipc:///tmp/x/e1")
// owning the `n` partitions of `parts`. NULL when the bind fails.
sr_fake_engine_t *sr_fake_engine_new(const char *name, const char *endpoint,
                                     const uint16_t *parts, size_t n);
// Stop the thread and free everything; sets *fe_p to NULL (NULL-safe).
void sr_fake_engine_destroy(sr_fake_engine_t **fe_p);

// --- how it answers (for requests that arrive afterwards) -------------

// Answer every request of `type` (SR_MSG_NONE: every request) with an
// ERROR of `code`, `message` and `field` (may be NULL).
void sr_fake_engine_fail(sr_fake_engine_t *fe, sr_msg_type_t type,
                         sr_err_t code, const char *message, const char *field);
// The same, without req_id, as a peer answers a request it cannot read.
void sr_fake_engine_fail_bare(sr_fake_engine_t *fe, sr_msg_type_t type,
                              sr_err_t code, const char *message);
// Never answer requests of `type` (SR_MSG_NONE: any request). With
// SR_MSG_EVENT: send no EVENT (as if they were lost).
void sr_fake_engine_mute(sr_fake_engine_t *fe, sr_msg_type_t type);
// Undo fail and mute.
void sr_fake_engine_reset(sr_fake_engine_t *fe);
// Keep answers instead of sending them, until release.
void sr_fake_engine_hold(sr_fake_engine_t *fe);
// Send the answers kept by hold (returns once they are sent) and stop
// holding.
void sr_fake_engine_release(sr_fake_engine_t *fe);
// Answer EX_START as an engine before protocol 1.5 does (true), ignoring
// its `id`, or as one of 1.5 (false, the default).
void sr_fake_engine_set_before_1_5(sr_fake_engine_t *fe, bool is_before_1_5);
// Own these partitions from now on.
void sr_fake_engine_set_partitions(sr_fake_engine_t *fe, const uint16_t *parts,
                                   size_t n);
// Serve every partition in `epoch` from now on (STATUS "epochs"; 1 by
// default), as after a move away and back.
void sr_fake_engine_set_epoch(sr_fake_engine_t *fe, int64_t epoch);
// Name a cluster in STATUS "cluster": the engines of `members` (client
// endpoints, comma-separated), each holding a copy of every partition of
// `parts` (replicated on every engine). By default it names none.
void sr_fake_engine_set_cluster(sr_fake_engine_t *fe, const char *members,
                                const uint16_t *parts, size_t n);

// --- seeding ----------------------------------------------------------

// An execution of `workflow` in `state` with id `id`.
void sr_fake_engine_add_execution(sr_fake_engine_t *fe, const sr_id_t *id,
                                  const char *workflow, const char *state);
// A task execution of execution `id`.
void sr_fake_engine_add_task(sr_fake_engine_t *fe, const sr_id_t *id,
                             const char *name, const char *state);
// A pending action known by `key`: an action id (UUID text) or a token.
void sr_fake_engine_add_action(sr_fake_engine_t *fe, const char *key);
// An EVENT for a client that subscribes to execution `id` (or to all),
// sent after the answer to the client's next request (so that a watch
// reads the state first). An `execution` event sets the state.
void sr_fake_engine_add_event(sr_fake_engine_t *fe, const sr_id_t *id,
                              const char *kind, const char *name,
                              const char *state);

// --- inspection -------------------------------------------------------

// Requests of `type` received so far (SR_MSG_NONE: all of them).
size_t sr_fake_engine_count(sr_fake_engine_t *fe, sr_msg_type_t type);
// A copy of the last request of `type`; caller owns it. NULL when none.
sr_msg_t *sr_fake_engine_last(sr_fake_engine_t *fe, sr_msg_type_t type);
// A copy of an execution's stored map (ids as binaries); NULL when none.
sr_value_t *sr_fake_engine_execution(sr_fake_engine_t *fe, const sr_id_t *id);

#endif
