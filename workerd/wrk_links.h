// The engines of a worker node, one link each: a DEALER connected to the
// engine's worker endpoint and the session the node holds there. The
// links carry messages and keep the sessions alive: READY (and READY
// again after an ESTATE error or a reconnect), HEARTBEAT after silence,
// a new socket when an engine stays silent for the expiry time, ERROR
// replies to bad messages, BYE at the end. What to do about actions is
// the machine's business (wrk_machine.c); it hears of every new session
// through a callback, to send CONFIRMs and RESULTs again.
//
// Thread rule: belongs to the node thread, like the sockets.
#ifndef WRK_LINKS_H
#define WRK_LINKS_H

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_msg.h"
#include "sr_wire.h"
#include "sr_wire_batch.h"
#include "wrk_node.h"

// One engine. Read its fields; change them only through wrk_links_*,
// except credit_used, which the machine keeps.
typedef struct {
    char *endpoint;          // owned, e.g. "tcp://10.0.0.1:5571"
    char *advertised;        // owned; the endpoint the engine gives for
                             // itself (HEARTBEAT.peers[0]); NULL until told
    zsock_t *sock;           // DEALER, owned; NULL while closed
    uint64_t session;        // READYs sent so far, over every socket
    int64_t ready_ms;        // monotonic ms of the last READY
    int64_t heard_ms;        // last message from the engine
    int64_t sent_ms;         // last message to the engine
    int64_t beat_ms;         // last HEARTBEAT to the engine
    size_t credit_used;      // TASKs of this session holding a slot
    bool is_lost;            // silent for the expiry time and not heard
                             // from since: it gets no CONFIRM
    bool is_version_logged;  // a version mismatch was logged on this socket
    uint32_t minor;          // protocol minor of the engine's latest message
                             // on this socket; 0 before any
    sr_wire_batch_t *outbox; // owned: what waits for wrk_links_flush
} wrk_link_t;

typedef struct wrk_links wrk_links_t;

// Called after each READY sent on link `i` (a new session).
typedef void(wrk_links_ready_fn)(size_t i, int64_t now_ms, void *arg);

// Called to complete each HEARTBEAT for link `i` before it is sent (the
// machine adds what it holds); an error leaves the heartbeat unsent.
typedef sr_err_t(wrk_links_beat_fn)(size_t i, sr_msg_t *heartbeat, void *arg);

// Links to every engine of `cfg` (complete, borrowed: it must outlive
// the links), connected but silent until wrk_links_ready. Errors: SR_EIO
// naming the endpoint, SR_ENOMEM. Caller owns *out.
sr_err_t wrk_links_new(const wrk_node_config_t *cfg, int64_t now_ms,
                       wrk_links_ready_fn *on_ready, void *arg,
                       wrk_links_t **out, sr_error_t *err);

// Close every socket at once and free. NULL-safe; sets *self_p to NULL.
void wrk_links_destroy(wrk_links_t **self_p);

size_t wrk_links_size(const wrk_links_t *self);
// Link `i` (< size). Borrowed.
wrk_link_t *wrk_links_at(wrk_links_t *self, size_t i);

// Send a message to engine `i` without blocking: it waits, after those
// before it, for the next wrk_links_flush. A failure (no socket, out of
// memory) is logged and returns false (timers and the next session resend
// what matters).
// Count a message refused with an ERROR built by the caller.
void wrk_links_note_refused(wrk_links_t *self);
bool wrk_links_send(wrk_links_t *self, size_t i, const sr_msg_t *m,
                    int64_t now_ms);

// Send what waits for each engine: BATCH messages to an engine whose
// messages carry minor version 7 or later, single messages to an older
// one (or one not heard from yet). Call it at the end of each turn of the
// node's loop. A failure is logged; what was lost is sent again by the
// timers, as for a message lost on the way.
void wrk_links_flush(wrk_links_t *self);

// Answer message `in` of engine `i` with ERROR (nothing when `in` is an
// ERROR itself), and log it.
void wrk_links_refuse(wrk_links_t *self, size_t i, const sr_wire_in_t *in,
                      const sr_error_t *cause);

// Send READY to engine `i`: a new session (credit_used back to 0), then
// the callback. While stopping, CREDIT 0 follows it.
void wrk_links_ready(wrk_links_t *self, size_t i, int64_t now_ms);

// Engine `i` sent ERROR `msg`: log it, and answer ESTATE ("who are you?")
// with READY, unless a READY left less than a heartbeat ago (the errors
// answering what was sent before it).
void wrk_links_on_error(wrk_links_t *self, size_t i, const sr_msg_t *msg,
                        int64_t now_ms);

// A message from engine `i` could not be decoded: answer it with ERROR,
// logging a version mismatch once per socket.
void wrk_links_on_bad(wrk_links_t *self, size_t i, const sr_wire_in_t *in,
                      const sr_error_t *err);

// Receive one message from engine `i` (see sr_wire_recv; never waits).
// Counts anything received as a sign of life. A BATCH comes as itself:
// read its items with sr_wire_in_item.
sr_err_t wrk_links_recv(wrk_links_t *self, size_t i, int64_t now_ms,
                        sr_wire_in_t *in, sr_error_t *err);

// Engine `i` sent `heartbeat`: when it carries `peers` (the sender's own
// worker endpoint first, then every other engine's), connect to each
// engine not linked yet, by either name, and send it READY. Links are
// only added (up to WRK_NODE_ENGINES_MAX; more are logged once), never
// while stopping. Returns the number of links added; link indexes of the
// ones before do not change.
size_t wrk_links_learn(wrk_links_t *self, size_t i, const sr_msg_t *heartbeat,
                       int64_t now_ms);

// Set the function that completes every HEARTBEAT (NULL: none).
void wrk_links_on_beat(wrk_links_t *self, wrk_links_beat_fn *fn, void *arg);

// HEARTBEAT to every engine once per heartbeat interval, whatever else
// was sent (the engine checks what the worker holds against it), a new
// socket and READY for engines that have been silent to us (marked
// is_lost until heard from). Returns when next due.
int64_t wrk_links_tick(wrk_links_t *self, int64_t now_ms);

// From now on the worker is stopping: CREDIT 0 to every engine (and after
// every later READY).
void wrk_links_stop(wrk_links_t *self, int64_t now_ms);

// BYE to every engine, then close the sockets, giving them `linger_ms`.
void wrk_links_bye(wrk_links_t *self, int64_t now_ms, int linger_ms);

// Socket items to poll, one per link (a closed link polls nothing).
// Writes items[0..size).
void wrk_links_poll_items(wrk_links_t *self, zmq_pollitem_t *items);

// Add the counters of the links (readies, reconnects, refused, errors,
// engines, learnt).
void wrk_links_stats(const wrk_links_t *self, wrk_node_stats_t *out);

#endif
