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

#define S_RUNS 3

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
        for (int f = SR_HASH_FLOOD_MSGPACK; f <= SR_HASH_FLOOD_JSON; f++) {
            sr_error_t err;
            double c = sr_hash_flood_decode(crafted, n, f, S_RUNS, &err);
            double p =
                c < 0 ? c : sr_hash_flood_decode(plain, n, f, S_RUNS, &err);
            if (p < 0) {
                fprintf(stderr, "bench_flood: %s\n", err.msg);
                return 1;
            }
            printf("%8zu %6s %10.3f %10.3f %6.1fx\n", n,
                   f == SR_HASH_FLOOD_JSON ? "json" : "msgpack", c, p, c / p);
        }
        free(crafted);
        free(plain);
    }
    return 0;
}
