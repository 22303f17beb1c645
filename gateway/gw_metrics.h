// The gateway's own figures: requests by route and status code, and a
// latency histogram by route, written in the Prometheus text format.
// Routes are numbered by the caller (its route table, plus one for
// requests that matched none).
//
// Thread rule: record and render may be called from any thread (one
// mutex).
#ifndef GW_METRICS_H
#define GW_METRICS_H

#include <stddef.h>
#include <stdio.h>

typedef struct gw_metrics gw_metrics_t;

// Figures for `nroutes` routes. NULL on OOM.
gw_metrics_t *gw_metrics_new(size_t nroutes);
void gw_metrics_destroy(gw_metrics_t **m_p);

// One answered request: its route index, status and duration.
void gw_metrics_record(gw_metrics_t *m, size_t route, int status,
                       double seconds);

// Write the figures; route i is labelled route_labels[i] (its method and
// pattern, e.g. "GET /v2/executions/{id}").
void gw_metrics_render(gw_metrics_t *m, const char *const *route_labels,
                       FILE *out);

#endif
