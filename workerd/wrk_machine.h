// The protocol machine of a worker node: its engine links, its jobs and
// its action threads, and what it does for each message, finished action
// and timer. The node's thread (wrk_node.c) polls the sockets the machine
// lists, passes it the clock, and asks it to stop; the machine does the
// rest. Time comes in as monotonic milliseconds, so timers are testable.
//
// Thread rule: belongs to the node thread.
#ifndef WRK_MACHINE_H
#define WRK_MACHINE_H

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"
#include "wrk_node.h"

typedef struct wrk_machine wrk_machine_t;

// A machine for `cfg`, which must be complete (wrk_node.c fills in the
// defaults and keeps it alive longer than the machine). Starts the action
// threads, connects to every engine and sends READY. Errors: SR_EIO,
// SR_ENOMEM. Caller owns *out.
sr_err_t wrk_machine_new(const wrk_node_config_t *cfg, int64_t now_ms,
                         wrk_machine_t **out, sr_error_t *err);

// Close everything without any goodbye (wrk_machine_stop first for one).
// Waits for running actions. NULL-safe; sets *self_p to NULL.
void wrk_machine_destroy(wrk_machine_t **self_p);

// The sockets to poll for input, written to items[0..n) (n is returned,
// at most `max`); call again after each wrk_machine_handle or tick, since
// sockets change on reconnects.
size_t wrk_machine_poll_items(wrk_machine_t *self, zmq_pollitem_t *items,
                              size_t max);

// Item `i` of the last wrk_machine_poll_items is readable: take what is
// waiting on it (the items of a BATCH one by one), then send what that
// produced for each engine in one go (wrk_links_flush).
void wrk_machine_handle(wrk_machine_t *self, size_t i, int64_t now_ms);

// Run the timers due at `now_ms` (heartbeats, lost engines, resends,
// the stop deadline), send what they produced (and what
// wrk_machine_stop did), and return when they next need to run.
int64_t wrk_machine_tick(wrk_machine_t *self, int64_t now_ms);

// Begin a graceful stop: CREDIT 0 to every engine, drop queued TASKs,
// let running actions finish within the grace time.
void wrk_machine_stop(wrk_machine_t *self, int64_t now_ms);

// True once a stop is over: nothing runs and every RESULT is acknowledged,
// or the grace ran out (actions were cancelled and came back, or are
// hopelessly late). Then BYE has gone to every engine and the links are
// closed.
bool wrk_machine_is_stopped(wrk_machine_t *self, int64_t now_ms);

void wrk_machine_stats(const wrk_machine_t *self, wrk_node_stats_t *out);

#endif
