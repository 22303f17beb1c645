// sirocco execution start|get|list|watch|pause|resume|cancel|rerun:
// executions on the engines of a cluster.
#ifndef CLI_CMD_EXECUTION_H
#define CLI_CMD_EXECUTION_H

#include "cli_cluster.h"

// argv[0] is "execution". Exit 0 done, 1 the engines failed (or, for
// watch and start --watch, the execution ended in ERROR or CANCELLED),
// 2 usage.
int cli_execution(int argc, char **argv);

// Follow execution `id` to its end, printing each event (a line for
// people, or a JSON line with --json) and then the execution. Exit 0 for
// SUCCESS, 1 for ERROR or CANCELLED or a failed call.
int cli_execution_watch(cli_ctx_t *ctx, const char *id);

#endif
