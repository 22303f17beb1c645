// Latency samples, a ring of floats (see eng_latency.h).
// Thread rule: one thread (the engine loop's).
#include "eng_latency.h"

#include <stdlib.h>
#include <string.h>

// Samples kept: the percentiles speak of the latest this many.
#define S_SAMPLES 65536

struct eng_latency {
    float *ring;    // owned: S_SAMPLES samples in ms; NULL until the first
    uint64_t count; // samples taken
    double sum;     // of every sample taken, ms
};

static int
s_cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

eng_latency_t *
eng_latency_new(void)
{
    return calloc(1, sizeof(eng_latency_t));
}

void
eng_latency_destroy(eng_latency_t **self_p)
{
    eng_latency_t *self = *self_p;
    if (!self)
        return;
    free(self->ring);
    free(self);
    *self_p = NULL;
}

void
eng_latency_add(eng_latency_t *self, double ms)
{
    if (!self->ring && !(self->ring = calloc(S_SAMPLES, sizeof *self->ring)))
        return;
    self->sum += ms;
    self->ring[self->count++ % S_SAMPLES] = (float)ms;
}

double
eng_latency_percentile(const eng_latency_t *self, double pct)
{
    size_t n = self->count < S_SAMPLES ? self->count : S_SAMPLES;
    float *copy = n ? malloc(n * sizeof *copy) : NULL;
    if (!copy)
        return -1;
    memcpy(copy, self->ring, n * sizeof *copy);
    qsort(copy, n, sizeof *copy, s_cmp_float);
    size_t i = (size_t)(pct / 100.0 * (double)(n - 1) + 0.5);
    double v = copy[i < n ? i : n - 1];
    free(copy);
    return v;
}

uint64_t
eng_latency_count(const eng_latency_t *self)
{
    return self->count;
}

double
eng_latency_sum(const eng_latency_t *self)
{
    return self->sum;
}
