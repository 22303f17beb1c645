// The sirocco command: one table of subcommands, one file per subcommand.
// Each subcommand gets argv starting at its own name and returns the
// process exit code (0 ok, 1 failure of the thing asked, 2 usage error).
#ifndef CLI_H
#define CLI_H

#include <stdio.h>

typedef int (*cli_run_fn)(int argc, char **argv);

typedef struct {
    const char *name;    // "run", "validate", "workflow", ...
    const char *usage;   // one-line synopsis after the name
    const char *summary; // what it does
    cli_run_fn run;
} cli_cmd_t;

// Exit codes shared by every subcommand.
enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2, CLI_PAUSED = 3 };

// Print "sirocco NAME USAGE" and the summary to `out`.
void cli_usage(FILE *out, const char *name);

#endif
