// Request counters and latency histograms by route, under one mutex,
// printed as Prometheus text (counter and histogram families). Owns its
// arrays; knows nothing of HTTP beyond status numbers.
#include "gw_metrics.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define S_CODES 16 // distinct status codes counted per route

static const double s_buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                   0.25,  0.5,    1,     2.5,  5,     10};
#define S_NBUCKETS (sizeof s_buckets / sizeof s_buckets[0])

typedef struct {
    int code[S_CODES];
    uint64_t count[S_CODES];
    uint64_t other; // codes beyond S_CODES distinct ones
    uint64_t le[S_NBUCKETS];
    uint64_t n;
    double sum;
} s_route_t;

struct gw_metrics {
    pthread_mutex_t lock;
    s_route_t *routes;
    size_t nroutes;
};

gw_metrics_t *
gw_metrics_new(size_t nroutes)
{
    gw_metrics_t *m = calloc(1, sizeof *m);
    if (!m || !(m->routes = calloc(nroutes, sizeof *m->routes))) {
        free(m);
        return NULL;
    }
    pthread_mutex_init(&m->lock, NULL);
    m->nroutes = nroutes;
    return m;
}

void
gw_metrics_destroy(gw_metrics_t **m_p)
{
    if (!m_p || !*m_p)
        return;
    pthread_mutex_destroy(&(*m_p)->lock);
    free((*m_p)->routes);
    free(*m_p);
    *m_p = NULL;
}

void
gw_metrics_record(gw_metrics_t *m, size_t route, int status, double seconds)
{
    if (route >= m->nroutes)
        return;
    pthread_mutex_lock(&m->lock);
    s_route_t *r = &m->routes[route];
    size_t i = 0;
    while (i < S_CODES && r->code[i] && r->code[i] != status)
        i++;
    if (i == S_CODES)
        r->other++;
    else {
        r->code[i] = status;
        r->count[i]++;
    }
    for (size_t b = 0; b < S_NBUCKETS; b++)
        if (seconds <= s_buckets[b])
            r->le[b]++;
    r->n++;
    r->sum += seconds;
    pthread_mutex_unlock(&m->lock);
}

void
gw_metrics_render(gw_metrics_t *m, const char *const *route_labels, FILE *out)
{
    pthread_mutex_lock(&m->lock);
    fprintf(out, "# HELP sirocco_gateway_requests_total HTTP requests "
                 "answered, by route and status code.\n"
                 "# TYPE sirocco_gateway_requests_total counter\n");
    for (size_t i = 0; i < m->nroutes; i++) {
        const s_route_t *r = &m->routes[i];
        for (size_t k = 0; k < S_CODES && r->code[k]; k++)
            fprintf(out,
                    "sirocco_gateway_requests_total{route=\"%s\",code=\"%d\"} "
                    "%llu\n",
                    route_labels[i], r->code[k],
                    (unsigned long long)r->count[k]);
        if (r->other)
            fprintf(out,
                    "sirocco_gateway_requests_total{route=\"%s\",code="
                    "\"other\"} %llu\n",
                    route_labels[i], (unsigned long long)r->other);
    }
    fprintf(out, "# HELP sirocco_gateway_request_seconds Time from the "
                 "complete request to the answer, by route.\n"
                 "# TYPE sirocco_gateway_request_seconds histogram\n");
    for (size_t i = 0; i < m->nroutes; i++) {
        const s_route_t *r = &m->routes[i];
        if (!r->n)
            continue;
        for (size_t b = 0; b < S_NBUCKETS; b++)
            fprintf(out,
                    "sirocco_gateway_request_seconds_bucket{route=\"%s\","
                    "le=\"%g\"} %llu\n",
                    route_labels[i], s_buckets[b],
                    (unsigned long long)r->le[b]);
        fprintf(out,
                "sirocco_gateway_request_seconds_bucket{route=\"%s\",le="
                "\"+Inf\"} %llu\n"
                "sirocco_gateway_request_seconds_sum{route=\"%s\"} %.6f\n"
                "sirocco_gateway_request_seconds_count{route=\"%s\"} %llu\n",
                route_labels[i], (unsigned long long)r->n, route_labels[i],
                r->sum, route_labels[i], (unsigned long long)r->n);
    }
    pthread_mutex_unlock(&m->lock);
}
