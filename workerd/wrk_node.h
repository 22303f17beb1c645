// A worker node: the worker side of the engine <-> worker protocol
// (docs/protocol.md, "The worker protocol") as a library. A node connects
// one DEALER to each engine's worker endpoint, and to each engine that an
// engine's HEARTBEAT.peers names (so one endpoint reaches a cluster),
// sends READY, and for every
// TASK sends CONFIRM when a slot is free, runs the action on GO, drops it
// on HALT, sends the RESULT and resends it until ACK, also after a
// reconnect. An action that may block runs in one of up to `slots` action
// threads, started as they are first needed; an inline built-in
// (std.noop, std.echo without delay, ...: wrk_action.h) runs in the
// node's own thread, its RESULT sent in the same turn as the GO. It heartbeats
// both ways, takes an engine silent for `expiry_ms` as lost (new socket,
// READY again) and answers ESTATE errors with READY. CONFIRM, RESULT and
// the `holding` of heartbeats follow the engine that serves the action's
// partition, as the engines' HEARTBEAT.partitions tell (docs/engine.md,
// "Workers and partition leaders"); without them, the engine that sent
// the TASK.
//
// The node runs in its own thread (a czmq actor), so it can live inside
// another process: `sirocco run` starts an engine and nodes in one
// process, the engine binding `inproc://NAME` and the nodes connecting to
// it. Every socket comes from czmq, hence from czmq's process-wide ZeroMQ
// context (zsys_init()); an engine in the same process must make its
// sockets with czmq too (or with the context zsys_init() returns) for
// inproc:// to reach it. The node installs no signal handler.
//
// Thread rule: start, stop and stats are called from one thread, the one
// that owns the node; the registry is shared read-only with the node's
// threads and must outlive the node.
#ifndef WRK_NODE_H
#define WRK_NODE_H

#include <stddef.h>
#include <stdint.h>

#include "sr_curve.h"
#include "sr_err.h"
#include "wrk_registry.h"

#define WRK_NODE_SLOTS_MAX 1024
// 64 slots by default: Mistral's executor thread pool default, and what
// no-op actions need to keep one engine busy (a worker completes at most
// slots / hold time tasks per second; a slot is held from TASK to RESULT,
// about one durable commit: 64 slots held 3 ms each allow ~20,000/s).
// Threads start only when blocking actions use them (wrk_pool.h).
// docs/operations.md, "Sizing slots"; docs/performance.md.
#define WRK_NODE_DEFAULT_SLOTS        64
#define WRK_NODE_TEXT_(x)             #x
#define WRK_NODE_TEXT(x)              WRK_NODE_TEXT_(x)
#define WRK_NODE_DEFAULT_SLOTS_TEXT   WRK_NODE_TEXT(WRK_NODE_DEFAULT_SLOTS)
#define WRK_NODE_ENGINES_MAX          64
#define WRK_NODE_DEFAULT_HEARTBEAT_MS ((int64_t)1000)
#define WRK_NODE_DEFAULT_EXPIRY_BEATS 5 // expiry = 5 heartbeat intervals
#define WRK_NODE_DEFAULT_RESEND_MS    ((int64_t)2000)
#define WRK_NODE_DEFAULT_GRACE_MS     ((int64_t)10000)
#define WRK_NODE_NAME_MAX             256

// What a node is and does. Everything is copied by wrk_node_start except
// the registry. Zero numbers mean "the default".
typedef struct {
    const char *name;               // worker name, unique; NULL = "HOST:PID"
    size_t slots;                   // actions run at once, up to SLOTS_MAX
    const char *const *actions;     // offered names; "p.*" is a prefix
    size_t n_actions;               // 0 = every action (READY without list)
    const char *target;             // target group; NULL = none
    const char *const *engines;     // worker endpoints, e.g. "tcp://h:5571"
    size_t n_engines;               // 1..WRK_NODE_ENGINES_MAX
    int64_t heartbeat_ms;           // HEARTBEAT after this much silence
    int64_t expiry_ms;              // an engine silent this long is lost; it
                                    // must exceed the engines' heartbeat
    int64_t resend_ms;              // RESULT sent again after this without ACK
    int64_t grace_ms;               // stop: running actions get this long
    size_t max_message_bytes;       // largest message taken and RESULT sent;
                                    // 0 = 1 MiB
    const wrk_registry_t *registry; // required; borrowed
    const sr_curve_t *curve;        // CurveZMQ keys to the engines; NULL =
                                    // none; borrowed, like the registry
} wrk_node_config_t;

// Counters of a node, for operators and tests.
typedef struct {
    size_t queued;       // TASKs waiting for a free slot
    size_t confirming;   // CONFIRMs waiting for GO or HALT
    size_t running;      // actions running
    size_t unacked;      // RESULTs waiting for ACK
    uint64_t tasks;      // TASKs taken
    uint64_t inlined;    // actions run in the node's own thread (inline
                         // built-ins: std.noop, std.echo, ...)
    size_t threads;      // action threads started so far (at most slots:
                         // started when an action that blocks needs one)
    uint64_t halts;      // HALTs obeyed
    uint64_t results;    // RESULTs sent (first time)
    uint64_t resends;    // RESULTs sent again
    uint64_t acks;       // ACKs taken
    uint64_t readies;    // READYs sent (first and again)
    uint64_t reconnects; // sockets made anew after an engine went silent
    uint64_t refused;    // bad or unexpected messages, answered with
                         // ERROR (a bad ERROR is only dropped)
    uint64_t errors;     // ERRORs received from engines
    size_t engines;      // engines linked: configured + learnt
    uint64_t learnt;     // engines joined because a HEARTBEAT named them
} wrk_node_stats_t;

typedef struct wrk_node wrk_node_t;

// Check `config` (see wrk_node_config_check), start the node's thread,
// connect to every engine and send READY. Returns once the node runs
// (engines need not be up: the node keeps trying). Errors: SR_EINVAL
// naming the bad field, SR_EIO (socket or thread, e.g. an endpoint
// ZeroMQ refuses), SR_ENOMEM. Caller owns *out; stop it with
// wrk_node_stop.
sr_err_t wrk_node_start(const wrk_node_config_t *config, wrk_node_t **out,
                        sr_error_t *err);

// Stop gracefully and free the node: send CREDIT 0, drop the TASKs not
// started, let running actions finish for up to grace_ms (then cancel
// them), send their RESULTs and wait for ACKs within the grace, send BYE,
// close. Blocks until done. NULL-safe; sets *node_p to NULL.
void wrk_node_stop(wrk_node_t **node_p);

// The node's counters now. SR_EIO when the node's thread does not answer.
sr_err_t wrk_node_stats(wrk_node_t *node, wrk_node_stats_t *out,
                        sr_error_t *err);

// The worker name in use (the default resolved). Borrowed, valid until
// wrk_node_stop.
const char *wrk_node_name(const wrk_node_t *node);

#endif
