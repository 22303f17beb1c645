// A fake engine for the worker tests (linked into tests only): a ROUTER
// bound on ipc:// in a temporary folder that plays the engine's side of
// the worker protocol by hand, with sr_wire and sr_msg. Every wait is
// bounded (FE_WAIT_MS) and fails the test with a message naming what was
// awaited.
//
// Thread rule: one fake engine belongs to one test thread.
#ifndef WRK_FAKE_ENGINE_H
#define WRK_FAKE_ENGINE_H

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#include "sr_id.h"
#include "sr_msg.h"
#include "sr_wire.h"

#define FE_WAIT_MS 5000 // longest wait for one message

typedef struct {
    zsock_t *router;
    char endpoint[200];  // "ipc://DIR/NAME"
    sr_wire_peer_t peer; // the worker, from its last message
    int64_t sent_ms;     // our last send, for fe_keepalive
    sr_wire_in_t batch;  // a BATCH received and not read to its end
    size_t batch_next;   // its next item
    uint64_t batches;    // BATCH messages received
} fe_t;

// Bind a fake engine at ipc://dir/name.
void fe_open(fe_t *fe, const char *dir, const char *name);
// Bind a fake engine at `endpoint` (e.g. "inproc://engine").
void fe_open_at(fe_t *fe, const char *endpoint);
void fe_close(fe_t *fe);
// Close the socket and bind a new one on the same endpoint: an engine
// that restarted and knows no worker.
void fe_restart(fe_t *fe);

// The next message of `type`, skipping HEARTBEATs (and CREDITs when
// `type` is not CREDIT); any other type fails the test. Caller owns it.
sr_msg_t *fe_expect(fe_t *fe, sr_msg_type_t type);
// The next message whatever its type (HEARTBEATs included), or NULL when
// nothing came within `wait_ms`; the items of a BATCH come one by one, in
// order, as if each had come alone (fe->batches counts the BATCHes).
// Caller owns it.
sr_msg_t *fe_next(fe_t *fe, int wait_ms);

// Send a message to the worker (consumed).
void fe_send(fe_t *fe, sr_msg_t *m);
// Send raw frames: `n` frames of bytes to the worker.
void fe_send_raw(fe_t *fe, const void *const *frames, const size_t *lens,
                 size_t n);
// Send a HEARTBEAT when we have been silent for `interval_ms`.
void fe_keepalive(fe_t *fe, int64_t interval_ms);

// A TASK for `action` with input from JSON text (NULL = {}), attempt 1,
// epoch 7, fresh ids; *id gets the action id.
sr_msg_t *fe_task_new(const char *action, const char *input_json, sr_id_t *id);
void fe_send_task(fe_t *fe, const char *action, const char *input_json,
                  sr_id_t *id);
void fe_send_go(fe_t *fe, const sr_id_t *id, int64_t attempt);
void fe_send_halt(fe_t *fe, const sr_id_t *id, int64_t attempt);
void fe_send_ack(fe_t *fe, const sr_id_t *id, int64_t attempt);
void fe_send_error(fe_t *fe, const char *code, const char *message);
// ERROR `code` naming action `id` (ERROR.action_id), as an engine that
// does not serve the action's partition answers with EUNAVAIL.
void fe_send_error_about(fe_t *fe, const char *code, const sr_id_t *id);
// HEARTBEAT saying which partitions the engine serves: `n` pairs of
// (partition, epoch) in `pairs` (n = 0: none).
void fe_send_partitions(fe_t *fe, const int64_t (*pairs)[2], size_t n);
// Wait (bounded) for a HEARTBEAT whose `holding` lists action `id`
// (`is_listed`) or carries a list without it (!is_listed), skipping other
// HEARTBEATs and CREDITs; fails the test on any other message or when
// none comes.
void fe_expect_holding(fe_t *fe, const sr_id_t *id, bool is_listed);

// Expect CONFIRM / RESULT for action `id` (attempt 1, epoch 7) and check
// the echoed fields. fe_expect_result returns the RESULT (caller owns).
void fe_expect_confirm(fe_t *fe, const sr_id_t *id);
sr_msg_t *fe_expect_result(fe_t *fe, const sr_id_t *id, const char *status);
// Expect an ERROR of `code` whose message contains `part`.
void fe_expect_error(fe_t *fe, const char *code, const char *part);

// A field's value as compact JSON, for comparisons. Caller frees.
char *fe_json(const sr_msg_t *m, sr_field_t f);

#endif
