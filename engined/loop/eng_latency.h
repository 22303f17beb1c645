// A latency over the latest samples (a ring), as percentiles for STATUS,
// and its count and sum since the start: dispatch (how long actions
// waited from the moment the engine decided to run them to their GO),
// Raft commits (an entry proposed to committed). Pure: it reads no clock
// (the caller measures).
//
// Owns its ring (allocated at the first sample).
//
// Thread rule: one thread (the engine loop's).
#ifndef ENG_LATENCY_H
#define ENG_LATENCY_H

#include <stdint.h>

typedef struct eng_latency eng_latency_t;

// No sample yet; NULL when out of memory.
eng_latency_t *eng_latency_new(void);
// NULL-safe; sets *self_p to NULL.
void eng_latency_destroy(eng_latency_t **self_p);

// One more sample, in ms, fractions kept (float precision); dropped when
// the ring cannot be allocated.
void eng_latency_add(eng_latency_t *self, double ms);
// Percentile `pct` (0..100) over the samples the ring holds; -1 when none.
double eng_latency_percentile(const eng_latency_t *self, double pct);
// Samples taken since the start (the ring holds the latest).
uint64_t eng_latency_count(const eng_latency_t *self);
// The sum of the samples taken since the start, ms.
double eng_latency_sum(const eng_latency_t *self);

#endif
