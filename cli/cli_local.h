// The record of a local cluster started by `sirocco cluster up`: which
// processes run it, written to DIR/cluster.json, and the cluster file
// (DIR/cluster.yaml) its engines read. cluster.json holds, besides the
// process list, the same `partitions` and `engines` keys as the cluster
// file, so a client may be opened on either file.
//
// cluster.json:
//   {"data": DIR, "partitions": N, "replicas": R (when above 1),
//    "cluster_file": DIR/cluster.yaml,
//    "cluster": "tcp://...,tcp://...",          client endpoints
//    "engines": [{"name", "client", "worker", "partitions": [..]}],
//    "gateway": "http://HOST:PORT",             with `up --gateway` only
//    "processes": [{"role": "engine"|"worker"|"gateway", "name", "pid",
//                   "start_ticks", "endpoints": {"client", "worker"}
//                   (engines), {"engines": [...]} (workers: the engines'
//                   worker endpoints) or {"http", "engines": [...]}
//                   (the gateway: its URL, the engines' client endpoints),
//                   "partitions": [..] (engines), "log", "argv": [...]}]}
// `argv` is the exact command line that restarts the process (its output
// goes to `log`); `start_ticks` tells the process from a later one that
// reuses its PID.
//
// Thread rule: one thread.
#ifndef CLI_LOCAL_H
#define CLI_LOCAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sr_err.h"

#define CLI_LOCAL_ENGINES_MAX    64
#define CLI_LOCAL_WORKERS_MAX    64
#define CLI_LOCAL_PARTITIONS_MAX 4096
#define CLI_LOCAL_PROCS_MAX      (CLI_LOCAL_ENGINES_MAX + CLI_LOCAL_WORKERS_MAX + 1)
#define CLI_LOCAL_RECORD         "cluster.json"
#define CLI_LOCAL_CLUSTER_FILE   "cluster.yaml"

typedef enum {
    CLI_LOCAL_ENGINE = 0,
    CLI_LOCAL_WORKER,
    CLI_LOCAL_GATEWAY
} cli_local_role_t;

// One process. Strings and argv are owned by the record.
typedef struct {
    cli_local_role_t role;
    char *name;            // "e1", "w1"
    pid_t pid;             // 0 = not started
    uint64_t start_ticks;  // from /proc; 0 = unknown
    char *client, *worker; // an engine's endpoints; NULL for the others
    char *listen;          // the gateway's HOST:PORT; NULL for the others
    uint64_t id;           // an engine's replica id; 0: its place
    uint16_t *parts;       // owned: an engine's partitions (its copies)
    size_t nparts;
    char *log;   // DIR/logs/NAME.log
    char **argv; // NULL-terminated
    size_t argc;
} cli_local_proc_t;

typedef struct {
    char *dir;         // absolute
    size_t partitions; // total
    size_t replicas;   // copies of each partition; 0 or 1: one
    uint64_t version;  // the cluster map's (membership changes bump it)
    cli_local_proc_t procs[CLI_LOCAL_PROCS_MAX]; // engines, workers, gateway
    size_t nprocs;
} cli_local_t;

// Read DIR/cluster.json into *out (zeroed first; fini it even after an
// error). SR_ENOTFOUND when there is none; SR_EINVAL naming the file and
// the key when it is not a record of ours.
sr_err_t cli_local_load(const char *dir, cli_local_t *out, sr_error_t *err);

// Write DIR/cluster.json (through a temporary file and a rename, so a
// reader never sees half of it). SR_EIO, SR_ENOMEM.
sr_err_t cli_local_save(const cli_local_t *l, sr_error_t *err);

// The text of the cluster file (caller frees). SR_ENOMEM, SR_ETOOBIG.
sr_err_t cli_local_cluster_text(const cli_local_t *l, char **text,
                                sr_error_t *err);
// Write DIR/cluster.yaml, the cluster file of the engines. SR_EIO.
sr_err_t cli_local_write_cluster_file(const cli_local_t *l, sr_error_t *err);

// The client endpoints of the engines, comma-separated. Caller frees;
// NULL when out of memory.
char *cli_local_endpoints(const cli_local_t *l);

// "engine", "worker" or "gateway".
const char *cli_local_role_name(cli_local_role_t role);

// The gateway, or NULL when the cluster has none. Borrowed.
const cli_local_proc_t *cli_local_gateway(const cli_local_t *l);

// The number of processes of `role`.
size_t cli_local_count(const cli_local_t *l, cli_local_role_t role);

// Set argv of `p` from a NULL-terminated list (copied). SR_ENOMEM.
sr_err_t cli_local_set_argv(cli_local_proc_t *p, const char *const *argv,
                            sr_error_t *err);

void cli_local_fini(cli_local_t *l);

#endif
