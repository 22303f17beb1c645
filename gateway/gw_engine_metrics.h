// The engines' figures for /metrics: each engine's STATUS (up, partitions,
// dispatch queue, batches, events, workers and their slots, dispatch
// latency and, with replicated partitions, its Raft groups' elections,
// leadership lost, commit latency, followers' lag and snapshots sent)
// written as Prometheus families, every sample labelled with the engine's
// endpoint. Pure: it asks no engine (the caller gathered the STATUS
// bodies) and keeps nothing.
//
// Thread rule: any thread; the arguments are borrowed for the call.
#ifndef GW_ENGINE_METRICS_H
#define GW_ENGINE_METRICS_H

#include <stddef.h>
#include <stdio.h>

#include "sr_value.h"

// Write the engine families for `n` engines: engine i at endpoint eps[i]
// answered STATUS st[i] (NULL: it did not answer; only sirocco_engine_up
// then has a sample of it).
void gw_engine_metrics_render(FILE *out, size_t n, const char *const *eps,
                              sr_value_t *const *st);

#endif
