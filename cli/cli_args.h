// Command-line arguments of the sirocco subcommands, read against a table
// of options: "--name VALUE", "--name=VALUE" and flags, in any order with
// the positional arguments; "--" ends the options. Errors are usage
// errors, printed as "sirocco CMD: ..." on stderr.
//
// Thread rule: the caller's thread; argv is borrowed.
#ifndef CLI_ARGS_H
#define CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#define CLI_ARGS_MAX 32   // options of one command
#define CLI_POS_MAX  1024 // positional arguments of one command

// One option of a command.
typedef struct {
    const char *name; // "--input"
    const char *arg;  // its value's name for usage ("JSON|@FILE"); NULL = flag
    const char *help; // one line
} cli_opt_t;

// What was given. Values point into argv; a given flag reads "".
typedef struct {
    const cli_opt_t *opts; // the table, borrowed
    size_t nopts;
    const char *values[CLI_ARGS_MAX]; // by option index; NULL = not given
    const char *pos[CLI_POS_MAX];     // positional arguments
    size_t npos;
    bool is_help; // -h or --help was given
} cli_args_t;

// Read argv[first..argc) against `opts` (at most CLI_ARGS_MAX), wanting
// between min_pos and max_pos positional arguments. Returns false after
// printing what was wrong, naming `cmd` ("execution start"). With -h or
// --help, returns true with is_help set and nothing else checked.
bool cli_args_parse(const char *cmd, const cli_opt_t *opts, size_t nopts,
                    size_t min_pos, size_t max_pos, int argc, char **argv,
                    int first, cli_args_t *out);

// The value of option `name`, or NULL when not given (or not an option).
const char *cli_args_get(const cli_args_t *a, const char *name);
bool cli_args_has(const cli_args_t *a, const char *name);

// Print the options of a table, one per line, indented.
void cli_args_print_options(const cli_opt_t *opts, size_t nopts);

#endif
