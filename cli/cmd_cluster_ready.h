// Asking the engines of a local cluster how they are: the STATUS of each
// engine (sirocco cluster status) and the wait until a cluster just
// started is ready (sirocco cluster up).
//
// Thread rule: the main thread.
#ifndef CLI_CMD_CLUSTER_READY_H
#define CLI_CMD_CLUSTER_READY_H

#include "cli_local.h"
#include "sr_value.h"

// STATUS of every engine of `l`, each waited for at most `timeout_ms`:
// out[k] is the k-th engine's STATUS map (caller destroys each), or NULL
// when it did not answer. `out` has room for CLI_LOCAL_ENGINES_MAX.
// CLI_OK, or CLI_FAILED after printing why no client could be opened.
int cli_cluster_probe(const cli_local_t *l, int timeout_ms, sr_value_t **out);

// True when STATUS map `status` lists a worker named `name`.
bool cli_cluster_sees_worker(const sr_value_t *status, const char *name);

// Wait until every engine of `l` answers STATUS and lists every worker
// (and, with replicated partitions, every partition is served), for at
// most `timeout_ms`. A process that ended, or the time running
// out, fails with a message naming the process and the end of its log.
// CLI_OK or CLI_FAILED.
int cli_cluster_wait_ready(const cli_local_t *l, int timeout_ms);

#endif
