// The cluster file: which engines make the cluster, where they listen,
// and which partitions each owns. Every engine and client reads the same
// file (YAML):
//
//   partitions: 12            # total, fixed when the cluster is made
//   replicas: 3               # copies of each partition (default 1)
//   version: 0                # the map's version (default 0), see below
//   engines:
//     - name: e1
//       id: 1                         # optional: its replica id
//       client: tcp://10.0.0.1:7100   # the address others connect to
//       worker: tcp://10.0.0.1:7101
//       partitions: 0-3               # or [0, 1, 2, 3]
//       bind-client: tcp://*:7100     # optional: what the engine binds
//       bind-worker: tcp://*:7101
//
// Checked when read: names unique, every partition below the total held
// by exactly `replicas` engines (one copy each: with replicas 1, its
// owner), endpoints present, ids unique. An engine's replica id in the
// Raft groups is its `id`, by default its place in the list, from 1; once
// an engine has been removed the others keep theirs (the file written
// then gives every id).
//
// Replicated partitions change hands online (docs/operations.md,
// "Membership"): a newer map, with a higher `version`, is sent to every
// engine (CLUSTER_MAP), which takes it and writes it over its file. A
// Raft group is started with its partition's replicas of the map only
// in version 0, the cluster's first map: a copy that a later map gives an
// engine starts empty and is sent the log by its group's leader.
#ifndef ENG_CLUSTER_H
#define ENG_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "eng.h"
#include "sr_err.h"

#define ENG_CLUSTER_MAX_ENGINES 64

typedef struct {
    char *name, *client, *worker, *bind_client, *bind_worker;
    uint64_t id; // replica id, from 1
    uint16_t *partitions;
    size_t npartitions;
} eng_member_t;

#define ENG_CLUSTER_MAX_REPLICAS 7

typedef struct {
    size_t total;     // partitions in the cluster
    size_t replicas;  // copies of each partition, 1 to 7
    uint64_t version; // the map's version
    eng_member_t engines[ENG_CLUSTER_MAX_ENGINES];
    size_t nengines;
} eng_cluster_t;

// Errors read "FILE: engines[2].partitions: ...".
sr_err_t eng_cluster_load(const char *path, eng_cluster_t *out,
                          sr_error_t *err);
// The same from the file's text; errors read "WHERE: engines[2]...".
sr_err_t eng_cluster_parse(const char *text, size_t len, const char *where,
                           eng_cluster_t *out, sr_error_t *err);
void eng_cluster_fini(eng_cluster_t *c);
// Take map `c` into `cfg` (cfg->name names this engine): its replica id
// and partitions (or `left` when the map does not name it), the map's
// version, total and replicas, and the other engines as peers: one
// already in cfg->peers (by name) keeps its place and takes its new
// partitions, a new one is appended, one the map leaves out is marked
// removed. cfg's strings then point into `c`, which must outlive them.
// SR_EINVAL when the peers would be over ENG_MAX_PEERS.
sr_err_t eng_cluster_apply(const eng_cluster_t *c, eng_config_t *cfg,
                           sr_error_t *err);
// Where partition `number` stands in a partition list, or SIZE_MAX.
size_t eng_cluster_place(const uint16_t *parts, size_t n, uint16_t number);
// The member named `name`, or NULL.
const eng_member_t *eng_cluster_find(const eng_cluster_t *c, const char *name);

#endif
