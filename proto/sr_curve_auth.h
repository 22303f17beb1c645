// Who may connect to an engine: the process's ZAP handler (RFC 27),
// accepting CurveZMQ clients whose public key is in a folder of
// certificates (the allow list), and logging everyone refused. Server
// sockets set up with sr_curve_apply_server ask it at each handshake.
//
// The folder holds public certificates as zcert_save (`sirocco keygen`)
// writes them, subfolders included, *_secret files skipped: czmq's
// certificate store reads it, as czmq's zauth does, and sees files added
// or removed at the next handshake. Unlike zauth, which logs nothing (or,
// verbose, several lines per handshake, accepted ones included), each
// refusal is one warning line (sr_curve_log.h): a key not allowed names
// the key and the peer's address; a peer without CurveZMQ or with a
// wrong server key is seen by a socket monitor, which names the endpoint
// (libzmq tells no peer address there).
//
// Thread rule: start, watch and stop from one thread (the one owning the
// watched sockets); the handler runs in its own thread. One per process:
// ZeroMQ has one ZAP endpoint.
#ifndef SR_CURVE_AUTH_H
#define SR_CURVE_AUTH_H

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#include "sr_curve.h"
#include "sr_err.h"

#define SR_CURVE_AUTH_WATCH_MAX 16 // sockets watched for failed handshakes

typedef struct sr_curve_auth sr_curve_auth_t;

// Start the handler on folder `allow_dir` and log how many keys it
// holds. `also_key` (Z85, may be NULL) is accepted besides the folder's
// keys: an engine passes the cluster's shared key, with which its peers
// connect. Errors: SR_EINVAL naming the folder (missing, not a folder);
// SR_ESTATE when a ZAP handler already runs in this process; SR_EIO,
// SR_ENOMEM. Caller owns *out.
sr_err_t sr_curve_auth_start(const char *allow_dir, const char *also_key,
                             sr_curve_auth_t **out, sr_error_t *err);

// Stop the handler. NULL-safe; sets *self_p to NULL. Close the server
// sockets first (without a handler, libzmq lets any key in).
void sr_curve_auth_stop(sr_curve_auth_t **self_p);

// True when the folder holds a certificate of public key `key_txt` (Z85)
// now.
bool sr_curve_auth_allows(const sr_curve_auth_t *self, const char *key_txt);

// Log the failed handshakes of server socket `sock` (named `what` in the
// log, e.g. "worker tcp://*:7101"; copied). Call after bind. SR_EIO when
// the monitor cannot be set, SR_ETOOBIG past SR_CURVE_AUTH_WATCH_MAX.
sr_err_t sr_curve_auth_watch(sr_curve_auth_t *self, zsock_t *sock,
                             const char *what, sr_error_t *err);

// Connections refused so far (keys not allowed, failed handshakes on
// the watched sockets). Any thread.
uint64_t sr_curve_auth_refusals(const sr_curve_auth_t *self);

// The folder, as an absolute path. Borrowed.
const char *sr_curve_auth_dir(const sr_curve_auth_t *self);

#endif
