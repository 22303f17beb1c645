// A newer cluster map, taken online (CLUSTER_MAP; eng_cluster.h and
// docs/operations.md, "Membership"): checked against the engine's
// configuration, written over its cluster file, then taken into the
// configuration (eng_cluster_apply). The node then connects the peers it
// added and opens the copies it gave this engine; the Raft groups' leaders
// move the replicas (eng_repl).
//
// Owns every map taken: the configuration's strings point into them, and
// the objects may hold those strings, so they live as long as the engine.
//
// Thread rule: the engine loop's thread.
#ifndef ENG_MAP_H
#define ENG_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eng.h"
#include "eng_cluster.h"
#include "sr_err.h"

typedef struct eng_map eng_map_t;

// NULL when out of memory.
eng_map_t *eng_map_new(void);
// NULL-safe; sets *self_p to NULL.
void eng_map_destroy(eng_map_t **self_p);

// What a map taken changed.
typedef struct {
    bool changed;                       // false: cfg had this version already
    uint16_t added[ENG_MAX_PARTITIONS]; // partitions this engine holds now
    size_t nadded;                      // and did not before
} eng_map_change_t;

// Take the cluster file `text` into `cfg` when its version is above
// cfg's. Errors, with cfg unchanged: SR_EINVAL when it does not read as a
// cluster file, when partitions are not replicated, or when it changes
// what may not change (the total of partitions, `replicas`, an engine's
// id or endpoints), naming it; SR_ESTATE for an older version; SR_EIO
// when the cluster file cannot be written.
sr_err_t eng_map_take(eng_map_t *self, eng_config_t *cfg, const char *text,
                      size_t len, eng_map_change_t *out, sr_error_t *err);

#endif
