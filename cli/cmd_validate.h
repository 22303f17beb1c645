// sirocco validate FILE... [--json]: load and check workflow files.
#ifndef CLI_CMD_VALIDATE_H
#define CLI_CMD_VALIDATE_H

// Prints each problem as FILE:LINE:COL: message on stderr; with --json
// prints the parsed definitions on stdout. Exit 0 when every file is
// valid, 1 otherwise, 2 on a usage error.
int cli_validate(int argc, char **argv);

#endif
