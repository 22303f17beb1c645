// Helpers of the engine node tests that speak the protocol over real
// sockets: receive a message of one type (bounded wait) and send one; and
// a fixture: one engine node over ipc:// in a temporary folder with a
// test client and a test worker ("tw"). Every wait is bounded and fails
// the test with a message.
#ifndef ENG_TEST_UTIL_H
#define ENG_TEST_UTIL_H
#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#include "eng.h"
#include "sr_id.h"
#include "sr_msg.h"
#include "sr_value.h"
#include "sr_wire.h"

// Receive one message as sr_wire_recv does (default limits), the items
// of a BATCH one by one, in order, as if each had come alone (what is
// left of a BATCH is kept for the next call on the same socket; forget
// it before the socket goes). et_batches counts the BATCH messages
// received so far in this process.
sr_err_t et_recv(zsock_t *sock, int timeout_ms, sr_wire_in_t *in,
                 sr_error_t *err);
void et_recv_forget(zsock_t *sock);
uint64_t et_batches(void);

// Receive one message of `type` within 5 s, skipping others; an ERROR
// instead fails the test (unless ERROR is what is expected). Owned.
sr_msg_t *et_expect(zsock_t *sock, sr_msg_type_t type);
// Send `m` (destroyed) on a DEALER; fails the test if it cannot leave.
void et_send(zsock_t *sock, sr_msg_t *m);

typedef struct {
    char dir[64];
    char client_ep[128], worker_ep[128];
    eng_t *eng;
    zsock_t *client, *worker;
    int64_t req;
    int64_t expire_after_ms;
    int64_t expiry_ms; // worker expiry; 0 = 5 heartbeats (1 s)
} et_fix_t;

// Start (again) the fixture's engine on its folder and endpoints.
void et_engine_start(et_fix_t *f);
// Restart the engine as after a crash of its process: the client and
// worker sockets close, the engine stops and starts again on its folder,
// and new sockets connect (the worker has yet to send READY).
void et_restart(et_fix_t *f);
// Remove folder `dir` and all it holds; fails the test if it cannot.
void et_rmtree(const char *dir);
// cmocka setups: an engine whose worker expiry is `expiry_ms` (0: 5
// heartbeats of 200 ms) and which deletes executions finished
// `expire_after_ms` ago (0: never); the default one; one giving up on a
// silent worker after 500 ms; one waiting a minute; one deleting
// executions 300 ms after they finished. Teardown removes the folder.
int et_setup_with(void **state, int64_t expire_after_ms, int64_t expiry_ms);
int et_setup(void **state);
int et_setup_hasty(void **state);
int et_setup_patient(void **state);
int et_setup_expiring(void **state);
int et_teardown(void **state);

// Fail the test unless `body` is the REPLY body sr_msg.def declares for
// request `req` (sr_reply_check); et_call runs it on every REPLY.
void et_check_reply(sr_msg_type_t req, const sr_value_t *body);
// True once a REPLY to a request of `req` was checked in this process.
bool et_reply_checked(sr_msg_type_t req);

// A request (its req_id set here); the REPLY body (owned) or NULL with
// *error set from the ERROR. The body is checked (et_check_reply).
sr_value_t *et_call(et_fix_t *f, sr_msg_t *m, sr_error_t *error);
// WF_CREATE of `text`; fails the test when refused.
void et_create(et_fix_t *f, const char *text);
// EX_START of `wf` with input JSON; the execution id.
sr_id_t et_start(et_fix_t *f, const char *wf, const char *input_json);
// EX_GET body (owned).
sr_value_t *et_get(et_fix_t *f, const sr_id_t *id);
// Fails the test unless the execution is in `state`.
void et_assert_state(et_fix_t *f, const sr_id_t *id, const char *state);
// How many executions EX_LIST gives (fails the test when refused).
int64_t et_count_executions(et_fix_t *f);
// STATUS field `key` as an integer.
int64_t et_status_int(et_fix_t *f, const char *key);

// READY of worker "tw" from process `pid` (0: not said).
void et_ready_pid(et_fix_t *f, int slots, int64_t pid);
void et_ready(et_fix_t *f, int slots);
// HEARTBEAT of the worker.
void et_beat(et_fix_t *f);
// Wait for a TASK (heartbeating meanwhile) for up to `ms`; NULL if none.
sr_msg_t *et_task_within(et_fix_t *f, int ms);
// CONFIRM a TASK (its id, attempt and epoch).
void et_confirm(et_fix_t *f, const sr_msg_t *task);
// The worker's CONFIRM of a TASK (its id, attempt and epoch). Owned.
sr_msg_t *et_confirm_new(const sr_msg_t *task);
// The worker's RESULT of a TASK with `status` and `output` (taken; NULL:
// none). Owned.
sr_msg_t *et_result_new(const sr_msg_t *task, const char *status,
                        sr_value_t *output);
// Serve one TASK on a worker socket: CONFIRM, GO, RESULT (std.echo's
// output, std.async_noop pending, std.fail an error value), ACK. Returns
// the TASK (owned).
sr_msg_t *et_serve_on(zsock_t *worker);
// The same on the fixture's worker.
void et_serve(et_fix_t *f);
#endif
