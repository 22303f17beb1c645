// Protocol messages on czmq sockets: one ZeroMQ frame per message, after
// the routing-id frame a ROUTER socket adds (and the empty delimiter a REQ
// peer adds). Sends never block; receives wait at most `timeout_ms`, so an
// engine loop can poll and then drain its sockets.
//
// Thread rule: a socket, like everything here, belongs to one thread.
#ifndef SR_WIRE_H
#define SR_WIRE_H

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_limits.h"
#include "sr_msg.h"

#define SR_WIRE_PEER_MAX 255 // longest ZeroMQ routing id
#define SR_WIRE_KEY_SIZE 41  // a CurveZMQ key's Z85 text, with its NUL

// The sender of a message on a ROUTER socket: a plain value, copy it
// freely (e.g. to remember which worker runs an action). `len` is 0 on
// other sockets, or for "no peer".
typedef struct {
    uint8_t id[SR_WIRE_PEER_MAX];
    uint8_t len;
    bool is_req; // a REQ peer: replies carry an empty delimiter frame
} sr_wire_peer_t;

// One received message.
typedef struct {
    sr_wire_peer_t peer;  // who sent it (ROUTER sockets)
    sr_msg_t *msg;        // owned; NULL when decoding failed
    sr_msg_type_t type;   // claimed type, also when decoding failed
    int64_t req_id;       // claimed req_id, also when decoding failed; -1
    size_t payload_bytes; // size of the payload frame
    // The CurveZMQ public key (Z85) the sender's connection was accepted
    // with, as the ZAP handler named it (sr_curve_auth); "" without
    // CurveZMQ. Unlike the routing id, the sender cannot choose it.
    char key[SR_WIRE_KEY_SIZE];
} sr_wire_in_t;

// Encode `m` and send it on `sock` without blocking. On a ROUTER socket
// `peer` names the receiver; elsewhere pass NULL. `m` stays the caller's.
// Errors: those of sr_msg_encode; SR_EUNAVAIL when the message cannot go
// now (send queue full, or peer unknown with ZMQ_ROUTER_MANDATORY set);
// SR_EINVAL when a ROUTER send has no peer; SR_EIO on other socket errors.
sr_err_t sr_wire_send(zsock_t *sock, const sr_wire_peer_t *peer,
                      const sr_msg_t *m, sr_error_t *err);

// Send a message encoded already (sr_msg_encode's bytes) as sr_wire_send
// does. `*buf_p` (malloc'd, `len` bytes) is taken and set to NULL once
// handed to ZeroMQ, whether the send then succeeds or not; on an earlier
// failure it stays the caller's. `what` names the message in errors.
// Errors: as sr_wire_send, without the encoder's.
sr_err_t sr_wire_send_encoded(zsock_t *sock, const sr_wire_peer_t *peer,
                              char **buf_p, size_t len, const char *what,
                              sr_error_t *err);

// Receive one message, waiting at most `timeout_ms` (0 = only what is
// already there, -1 = forever). On SR_OK `in->msg` holds the message.
// Returns SR_ETIMEDOUT when nothing arrived (or a signal interrupted the
// wait) and SR_EIO on a socket error, leaving `in` zeroed. Any other error
// is a message that could not be decoded (SR_EPROTO, SR_EVERSION,
// SR_ETOOBIG, SR_ENOMEM, see sr_msg_decode; SR_EPROTO also for a message
// of several frames): then `in` still names the peer and the claimed type
// and req_id, so that the caller can answer with sr_wire_reply_error.
// Release `in` with sr_wire_in_fini in every case.
sr_err_t sr_wire_recv(zsock_t *sock, int timeout_ms, const sr_limits_t *limits,
                      sr_wire_in_t *in, sr_error_t *err);

// The items of a received BATCH (sr_msg.def): how many there are (0 when
// `in` is not a decoded BATCH), and item `i` (< that) decoded into `item`
// as sr_wire_recv would have decoded it alone: same peer and key, its own
// type, req_id and payload_bytes. Errors: those of a message that does
// not decode (see sr_wire_recv: `item` then names the claimed type and
// req_id, so that the caller answers it as it would that message alone),
// and SR_EPROTO naming field 'messages' for an item that is not a binary
// or is itself a BATCH. Release `item` with sr_wire_in_fini in every case;
// `in` is only read.
size_t sr_wire_in_items(const sr_wire_in_t *in);
sr_err_t sr_wire_in_item(const sr_wire_in_t *in, size_t i,
                         const sr_limits_t *limits, sr_wire_in_t *item,
                         sr_error_t *err);

// Free the message of `in` and zero it (NULL-safe).
void sr_wire_in_fini(sr_wire_in_t *in);

// Frames over the payload limit are read and answered ETOOBIG up to this
// many times the limit; larger ones never enter memory (see below).
#define SR_WIRE_FRAME_FACTOR 4

// Make `sock` refuse, before it reads them, frames over
// SR_WIRE_FRAME_FACTOR times the payload limit of `limits` (NULL: the
// default): ZeroMQ (ZMQ_MAXMSGSIZE) closes the connection that sends one,
// so a peer cannot make us hold a frame of any size. Call it before bind
// or connect, on every socket that reads from other processes.
void sr_wire_set_max_frame(zsock_t *sock, const sr_limits_t *limits);

// Answer the message `in` with an ERROR built from `cause` (see
// sr_msg_error_new) and addressed to in->peer, echoing in->req_id. Does
// nothing and returns SR_OK when `in` was itself an ERROR, so that two
// nodes never answer each other's errors forever. Errors: as
// sr_wire_send.
sr_err_t sr_wire_reply_error(zsock_t *sock, const sr_wire_in_t *in,
                             const sr_error_t *cause, sr_error_t *err);

// Fill `peer` with a routing id of `len` bytes; false when len is 0 or
// over SR_WIRE_PEER_MAX.
bool sr_wire_peer_set(sr_wire_peer_t *peer, const void *id, size_t len);
bool sr_wire_peer_equal(const sr_wire_peer_t *a, const sr_wire_peer_t *b);

#endif
