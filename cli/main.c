// sirocco: parses the subcommand and dispatches through the command table.
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd_action.h"
#include "cmd_bench.h"
#include "cmd_cluster.h"
#include "cmd_execution.h"
#include "cmd_keygen.h"
#include "cmd_run.h"
#include "cmd_task.h"
#include "cmd_validate.h"
#include "cmd_workflow.h"
#include "sirocco/version.h"

static int s_version(int argc, char **argv);

static const cli_cmd_t s_commands[] = {
    {"version", "", "print the version", s_version},
    {"run",
     "FILE.yaml [--workflow NAME] [--input JSON|@file] [--env JSON|@file] "
     "[--task NAME] [--data DIR] [--workers N] [--json] | --data DIR "
     "--resume ID",
     "run a workflow in this process (engine and workers embedded); exit 0 "
     "SUCCESS, 1 ERROR/CANCELLED, 2 usage, 3 PAUSED",
     cli_run},
    {"bench",
     "[--workflow linear3|fanout10|wait|FILE] [--executions N] [--engines E] "
     "[--workers W] [--slots S] [--window K] [--nosync] "
     "[--cluster ENDPOINTS|FILE] [--json]",
     "measure tasks/s, executions/s and latencies (engines and workers in "
     "this process unless --cluster); 'wait' measures the memory of "
     "executions waiting on a delegate",
     cli_bench},
    {"validate", "FILE... [--json]",
     "check workflow files; print FILE:LINE:COL: errors (--json: the "
     "parsed definitions)",
     cli_validate},
    {"workflow",
     "create|list|get|delete ... [--cluster ENDPOINTS|FILE] [--json]",
     "workflow definitions on a cluster (sirocco workflow --help)",
     cli_workflow},
    {"execution",
     "start|get|list|watch|pause|resume|cancel|rerun|delete ... [--cluster "
     "ENDPOINTS|FILE] [--json]",
     "executions on a cluster (sirocco execution --help)", cli_execution},
    {"task", "list EXECUTION [--cluster ENDPOINTS|FILE] [--json]",
     "the task executions of an execution", cli_task},
    {"cluster",
     "up|status|down [--engines N] [--workers N] [--partitions N] "
     "[--data DIR] ...",
     "a cluster of engines and workers on this machine (sirocco cluster "
     "--help)",
     cli_cluster_local},
    {"action",
     "complete ACTION_ID|TOKEN (--result JSON|@FILE | --error TEXT) "
     "[--cluster ENDPOINTS|FILE]",
     "finish a pending (delegate) action", cli_action},
    {"keygen", "NAME [--dir DIR] [--force]",
     "make a CurveZMQ keypair: DIR/NAME (public) and DIR/NAME_secret "
     "(docs/security.md)",
     cli_keygen},
};
#define S_NCOMMANDS (sizeof s_commands / sizeof s_commands[0])

static int
s_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("sirocco %s\n", SIROCCO_VERSION);
    return CLI_OK;
}

void
cli_usage(FILE *out, const char *name)
{
    for (size_t i = 0; i < S_NCOMMANDS; i++) {
        if (!name || strcmp(name, s_commands[i].name) == 0)
            fprintf(out, "  sirocco %s %s\n      %s\n", s_commands[i].name,
                    s_commands[i].usage, s_commands[i].summary);
    }
}

int
main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "help") == 0 ||
        strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fprintf(argc < 2 ? stderr : stdout, "usage:\n");
        cli_usage(argc < 2 ? stderr : stdout, NULL);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0)
        return s_version(argc - 1, argv + 1);
    for (size_t i = 0; i < S_NCOMMANDS; i++)
        if (strcmp(argv[1], s_commands[i].name) == 0)
            return s_commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "sirocco: unknown command '%s'\nusage:\n", argv[1]);
    cli_usage(stderr, NULL);
    return CLI_USAGE;
}
