// Benchmark of hash flooding (issue 16): the time to decode a map of N
// keys crafted to collide under the old FNV-1a tables, against N ordinary
// keys of the same shape, from msgpack (sr_value_decode, as an
// execution's input arrives from a client) and from JSON
// (sr_value_from_json, as `--input` and the REST API read it). Prints
// figures; never fails on speed. CPU seconds of this process, best of
// three, so that a busy machine disturbs the figures less.
//
// Usage: bench_flood [N ...]     (default: 30000 100000)
#include <stdio.h>
#include <stdlib.h>

#include "sr_hash_flood.h"
#include "sr_value.h"
#include "sr_value_json.h"
#include "sr_value_msgpack.h"

#define S_RUNS 3

// Best CPU seconds of S_RUNS decodes of `keys` (n of them) from msgpack
// (json false) or JSON; a negative figure when a decode fails.
static double
s_decode(const char *keys, size_t n, int json)
{
    size_t len;
    char *buf = json ? sr_hash_flood_json(keys, n, &len)
                     : sr_hash_flood_msgpack(keys, n, &len);
    sr_limits_t limits = {.max_bytes = len + 1};
    double best = -1;
    for (int r = 0; buf && r < S_RUNS; r++) {
        sr_value_t *v = NULL;
        sr_error_t err;
        double t0 = sr_hash_flood_cpu();
        sr_err_t rc = json ? sr_value_from_json(buf, len, &limits, &v, &err)
                           : sr_value_decode(buf, len, &limits, &v, &err);
        double t = sr_hash_flood_cpu() - t0;
        if (rc || sr_value_len(v) != n) {
            fprintf(stderr, "bench_flood: decode failed: %s\n",
                    rc ? err.msg : "wrong length");
            best = -1;
            sr_value_destroy(&v);
            break;
        }
        sr_value_destroy(&v);
        if (best < 0 || t < best)
            best = t;
    }
    free(buf);
    return best;
}

int
main(int argc, char **argv)
{
    static const char *const defaults[] = {"30000", "100000"};
    const char *const *ns = argc > 1 ? (const char *const *)argv + 1 : defaults;
    int count = argc > 1 ? argc - 1 : 2;
    printf("map decode, CPU seconds (best of %d); crafted keys share the low "
           "%d bits of FNV-1a\n\n",
           S_RUNS, SR_HASH_FLOOD_BITS);
    printf("%8s %6s %10s %10s %7s\n", "keys", "from", "crafted", "plain",
           "ratio");
    for (int i = 0; i < count; i++) {
        char *end;
        size_t n = strtoul(ns[i], &end, 10);
        if (*end || !n) {
            fprintf(stderr, "usage: bench_flood [N ...]\n");
            return 2;
        }
        char *crafted = sr_hash_flood_crafted(n);
        char *plain = sr_hash_flood_plain(n);
        if (!crafted || !plain) {
            fprintf(stderr, "bench_flood: out of memory\n");
            return 1;
        }
        for (int json = 0; json <= 1; json++) {
            double c = s_decode(crafted, n, json);
            double p = s_decode(plain, n, json);
            if (c < 0 || p < 0)
                return 1;
            printf("%8zu %6s %10.3f %10.3f %6.1fx\n", n,
                   json ? "json" : "msgpack", c, p, c / p);
        }
        free(crafted);
        free(plain);
    }
    return 0;
}
