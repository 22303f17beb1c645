// The engine node: owns partitions (one LMDB environment each), serves the
// client endpoint and the worker endpoint (ZeroMQ ROUTER sockets), and runs
// the engine loop of DESIGN.md section 3: read a batch of messages, apply
// them to each partition in ONE write transaction, commit, and only then
// answer, acknowledge, dispatch and arm timers.
//
// The loop runs in its own thread (eng_start) so that one process can hold
// an engine and workers over inproc:// endpoints (`sirocco run`), or in the
// caller's thread (eng_run, the daemon).
//
// Thread rule: eng_start/eng_stop from one thread; everything else of the
// engine lives in the loop's thread.
#ifndef ENG_H
#define ENG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"
#include "store_part.h"

#define ENG_MAX_PARTITIONS 256

// Another engine of the cluster (from the cluster file).
typedef struct {
    const char *name;
    const char *client; // its client endpoint (requests are forwarded there)
    const char *worker; // its worker endpoint (told to workers)
    const uint16_t *partitions; // those it holds a copy of
    size_t npartitions;
    uint64_t replica_id; // its id in the Raft groups (replicas > 1)
    bool removed;        // a newer cluster map left it out (it holds nothing)
} eng_peer_config_t;

#define ENG_MAX_PEERS 63

typedef struct {
    const char *name;            // node name, for logs and STATUS
    const char *client_endpoint; // e.g. tcp://*:7100 or inproc://c
    const char *worker_endpoint; // e.g. tcp://*:7101 or inproc://w
    const char *data_dir;        // partitions live in DATA/p<N>
    uint16_t partitions[ENG_MAX_PARTITIONS];
    size_t npartitions; // 0 = partition 0 only
    store_durability_t durability;
    size_t max_batch;         // messages per batch; 0 = 1024
    size_t max_payload;       // bytes per message; 0 = 1 MiB
    int64_t heartbeat_ms;     // 0 = 1000
    int64_t expiry_ms;        // 0 = 5 x heartbeat
    int64_t expire_after_ms;  // delete top-level executions finished this
                              // long ago (Mistral's expiration policy);
                              // 0 = keep them
    const char *callback_url; // base for delegate callback URLs, or NULL
    // The cluster: the other engines, and this engine's worker endpoint as
    // workers reach it (told to workers with the peers' endpoints).
    eng_peer_config_t peers[ENG_MAX_PEERS];
    size_t npeers;
    const char *advertise_worker; // NULL: not told
    const char *advertise_client; // for STATUS; NULL: client_endpoint
    // Replicated partitions (docs/engine.md section 7): each partition
    // held by `replicas` engines, this one and the peers that list it,
    // kept the same by a Raft group; its leader serves it. 0 or 1: none,
    // every partition has one copy, its owner's.
    size_t replicas;
    uint64_t replica_id; // this engine's id in the groups (from 1)
    int64_t election_ms; // Raft election timeout; 0 = 1000
    // The cluster file the map came from (NULL: none; a newer map that a
    // CLUSTER_MAP request brings is written over it) and its version.
    const char *cluster_path;
    uint64_t map_version;
    size_t cluster_partitions; // the map's total of partitions
    bool left; // a newer map left this engine out: it keeps its copies
               // (their groups no longer count on them) until stopped
    // CurveZMQ (docs/security.md): this engine's secret certificate (the
    // keypair the engines of a cluster share; also its key as a client of
    // its peers) and the folder of public keys it accepts. Both or neither.
    const char *curve_secret;
    const char *curve_allow;
    // The zmq context (czmq: shared through zsys) is process-wide, so
    // inproc endpoints work between an engine and workers in one process.
} eng_config_t;

typedef struct eng eng_t;

// Open the partitions and bind the endpoints (errors are reported here,
// before any thread starts), then run the loop in a new thread.
sr_err_t eng_start(const eng_config_t *cfg, eng_t **out, sr_error_t *err);
// Ask the loop to stop, wait for it, close everything.
void eng_stop(eng_t **eng_p);

// The daemon's form: open, bind, and run the loop in this thread until
// eng_request_stop() (signal-safe) is called.
sr_err_t eng_run(const eng_config_t *cfg, sr_error_t *err);
void eng_request_stop(void);

#endif
