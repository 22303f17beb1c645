// Message counters of sockets: how many messages sr_wire_recv received on
// a socket and sr_wire_send sent on it, for the figures a node reports
// (an engine's STATUS). Counting happens in sr_wire itself, the one place
// every message goes through, so that no send or receive path of a node
// can be left out.
//
// Thread rule: a counted socket belongs to one thread, as every socket
// does, and so do its counters: that thread increments them and reads
// them, without locks. Attaching and detaching may happen on another
// thread than the one that uses the socket, before it starts using it and
// after it has stopped (an engine opens its sockets, then hands them to
// its loop's thread).
#ifndef SR_WIRE_COUNT_H
#define SR_WIRE_COUNT_H

#include <czmq.h>
#include <stdint.h>

#include "sr_err.h"

// How many sockets of a process can be counted at once.
#define SR_WIRE_COUNT_MAX 1024

// One frame read by sr_wire_recv counts as one message received, decoded
// or not; one message handed to ZeroMQ by sr_wire_send (or
// sr_wire_reply_error) counts as one sent. Several sockets may share one
// counter (an engine's DEALERs to its peers).
typedef struct {
    uint64_t received;
    uint64_t sent;
} sr_wire_count_t;

// Count the messages of `sock` into `*count` from now on. `count` is
// borrowed and must outlive the attachment: detach before freeing it or
// destroying the socket. Errors: SR_EINVAL when `sock` is counted
// already; SR_ENOMEM when SR_WIRE_COUNT_MAX sockets are.
sr_err_t sr_wire_count_attach(zsock_t *sock, sr_wire_count_t *count,
                              sr_error_t *err);

// Stop counting `sock`'s messages (nothing when it was not counted).
void sr_wire_count_detach(zsock_t *sock);

// The counter of `sock`, or NULL when it is not counted (sr_wire's use).
sr_wire_count_t *sr_wire_count_of(const zsock_t *sock);

#endif
