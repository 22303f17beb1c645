// sirocco cluster up|status|down: a cluster of engines and workers on this
// machine, on loopback TCP, for trying things out and for tests. `up`
// starts the daemons (found next to the sirocco binary) and records them
// in DIR/cluster.json (cli_local.h), `status` shows each process and each
// partition, `down` stops exactly the processes `up` started.
//
// Thread rule: the main thread.
#ifndef CLI_CMD_CLUSTER_H
#define CLI_CMD_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "cli_args.h"

#define CLI_CLUSTER_DEFAULT_DIR "sirocco-cluster"

// argv[0] is "cluster". Exit 0 done, 1 failed, 2 usage.
int cli_cluster_local(int argc, char **argv);

// The subcommands, given their parsed arguments (cmd_cluster_up.c,
// cmd_cluster_status.c, cmd_cluster_down.c). Same exit codes.
int cli_cluster_up(const cli_args_t *a);
int cli_cluster_status(const cli_args_t *a);
int cli_cluster_down(const cli_args_t *a);
// Membership of a running local cluster with replicated partitions
// (cmd_cluster_members.c): a new engine, an engine taken out, a copy of
// a partition moved, each a newer cluster map sent to every engine, then
// waited for until every partition's replicas are the map's.
int cli_cluster_add_engine(const cli_args_t *a);
int cli_cluster_remove_engine(const cli_args_t *a);
int cli_cluster_move(const cli_args_t *a);
// The same for engines of one's own: send cluster file FILE to every
// engine it names (and --also ENDPOINT, one it leaves out), then wait.
int cli_cluster_apply(const cli_args_t *a);

// `n` free loopback TCP ports the system picks (each held open until all
// are chosen, so they differ). CLI_OK, or CLI_FAILED after printing why.
int cli_cluster_free_ports(size_t n, int *ports);

// Shared by the subcommands: --data (or the default) as an absolute path
// in `out` (which must exist unless `is_create`, then it is made with its
// parents). Returns CLI_OK, or CLI_FAILED after printing why.
int cli_cluster_dir(const cli_args_t *a, const char *cmd, bool is_create,
                    char *out, size_t size);

// A whole number option within [min, max]; `*out` keeps its value when
// the option is not given. CLI_OK, or CLI_USAGE after printing why.
int cli_cluster_num(const cli_args_t *a, const char *cmd, const char *opt,
                    long min, long max, long *out);

#endif
