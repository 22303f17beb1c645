// Helpers of the engine node tests that speak the protocol over real
// sockets: receive a message of one type (bounded wait) and send one.
#ifndef ENG_TEST_UTIL_H
#define ENG_TEST_UTIL_H
#include <czmq.h>

#include "sr_msg.h"

// Receive one message of `type` within 5 s, skipping others; an ERROR
// instead fails the test (unless ERROR is what is expected). Owned.
sr_msg_t *et_expect(zsock_t *sock, sr_msg_type_t type);
// Send `m` (destroyed) on a DEALER; fails the test if it cannot leave.
void et_send(zsock_t *sock, sr_msg_t *m);
#endif
