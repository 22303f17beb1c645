// Helpers of the protocol tests (cmocka): a message's bytes built by hand,
// past the encoder's checks, a message through the codec and back, and
// one received from a socket.
// Thread rule: one thread.
#ifndef SR_TEST_UTIL_H
#define SR_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "sr_msg.h"
#include "sr_value.h"
#include "sr_wire.h"

#define SR_TEST_WAIT_MS 5000 // bounded wait for inproc delivery

// [major, minor, type, fields] packed as given; `fields` is consumed.
// Caller frees the result with free().
char *sr_test_wire(int64_t major, int64_t minor, const char *type,
                   sr_value_t *fields, size_t *len);

// `m` encoded and decoded again (the test fails when either fails).
// Caller owns the result.
sr_msg_t *sr_test_round_trip(const sr_msg_t *m);

// `m` encoded as a node of protocol minor version `minor` (< 128) would
// send it (an older worker or engine), and sent on `sock` to `peer`
// (NULL: not a ROUTER). The test fails when it cannot leave.
void sr_test_send_as(zsock_t *sock, const sr_wire_peer_t *peer,
                     const sr_msg_t *m, uint32_t minor);

// A BATCH of `bad` (NULL: none; bytes that are no message, a C string)
// first, then msgs[0..n) encoded (each destroyed). Caller owns it.
sr_msg_t *sr_test_batch_new(const char *bad, sr_msg_t **msgs, size_t n);

// Receive a message of `type` on `sock` into `in` within
// SR_TEST_WAIT_MS (the test fails otherwise). Release `in` with
// sr_wire_in_fini.
void sr_test_recv(zsock_t *sock, sr_wire_in_t *in, sr_msg_type_t type);

#endif
