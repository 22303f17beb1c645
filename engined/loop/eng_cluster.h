// The cluster file: which engines make the cluster, where they listen,
// and which partitions each owns. Every engine and client reads the same
// file (YAML):
//
//   partitions: 12            # total, fixed when the cluster is made
//   replicas: 3               # copies of each partition (default 1)
//   engines:
//     - name: e1
//       client: tcp://10.0.0.1:7100   # the address others connect to
//       worker: tcp://10.0.0.1:7101
//       partitions: 0-3               # or [0, 1, 2, 3]
//       bind-client: tcp://*:7100     # optional: what the engine binds
//       bind-worker: tcp://*:7101
//
// Checked when read: names unique, every partition below the total held
// by exactly `replicas` engines (one copy each: with replicas 1, its
// owner), endpoints present. An engine's replica id in the Raft groups
// is its place in the list, from 1.
#ifndef ENG_CLUSTER_H
#define ENG_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"

#define ENG_CLUSTER_MAX_ENGINES 64

typedef struct {
    char *name, *client, *worker, *bind_client, *bind_worker;
    uint16_t *partitions;
    size_t npartitions;
} eng_member_t;

#define ENG_CLUSTER_MAX_REPLICAS 7

typedef struct {
    size_t total;    // partitions in the cluster
    size_t replicas; // copies of each partition, 1 to 7
    eng_member_t engines[ENG_CLUSTER_MAX_ENGINES];
    size_t nengines;
} eng_cluster_t;

// Errors read "FILE: engines[2].partitions: ...".
sr_err_t eng_cluster_load(const char *path, eng_cluster_t *out,
                          sr_error_t *err);
void eng_cluster_fini(eng_cluster_t *c);
// The member named `name`, or NULL.
const eng_member_t *eng_cluster_find(const eng_cluster_t *c, const char *name);

#endif
