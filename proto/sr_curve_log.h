// The log of refused connections: one warning line per refusal, but a
// peer refused again and again (ZeroMQ retries several times a second) is
// summed up: within `quiet_ms` of its last line, a refusal of the same
// peer and reason is only counted, and the next line says how many were
// left out. Remembers the latest SR_CURVE_LOG_PEERS peers.
//
// Thread rule: one thread logs; the count may be read from any thread.
#ifndef SR_CURVE_LOG_H
#define SR_CURVE_LOG_H

#include <stdbool.h>
#include <stdint.h>

#define SR_CURVE_LOG_PEERS    64
#define SR_CURVE_LOG_QUIET_MS 10000

typedef struct sr_curve_log sr_curve_log_t;

// NULL when out of memory.
sr_curve_log_t *sr_curve_log_new(int64_t quiet_ms);
void sr_curve_log_destroy(sr_curve_log_t **self_p);

// One refusal at `now_ms` (monotonic) of the peer and reason that
// `repeat_key` identifies. Logs "curve: refused TEXT" (with "repeats=N"
// when some were left out) unless a line for `repeat_key` went out less
// than quiet_ms ago. True when a line was written.
bool sr_curve_log_refusal(sr_curve_log_t *self, int64_t now_ms,
                          const char *repeat_key, const char *text);

// Refusals recorded so far, logged or not.
uint64_t sr_curve_log_count(const sr_curve_log_t *self);

#endif
