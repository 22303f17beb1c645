// The commands that drive running engines (workflow, execution, task,
// action): a group of subcommands, each with its option table, run with
// a client opened on --cluster ENDPOINTS|FILE (a comma-separated list of
// engine client endpoints, or a cluster file: the YAML cluster file or
// the cluster.json of `sirocco cluster up`) or $SIROCCO_CLUSTER. Shared
// here: dispatch, the common options (--cluster, --json, --timeout),
// error reports, and reading ids and JSON arguments.
//
// Exit codes: 0 done, 1 the engines refused or failed (the message says
// why), 2 usage errors (bad option, id, JSON or file).
// Thread rule: the main thread.
#ifndef CLI_CLUSTER_H
#define CLI_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>

#include "cli_args.h"
#include "sirocco/client.h"
#include "sr_err.h"
#include "sr_value.h"

#define CLI_CLUSTER_ENV "SIROCCO_CLUSTER"
#define CLI_TIMEOUT_MS  5000 // default --timeout of a request
#define CLI_NO_TIMEOUT  (-1) // a subcommand that waits without bound

// What a subcommand runs with.
typedef struct {
    const char *cmd;     // "execution start", for messages
    sr_client_t *client; // borrowed
    int timeout_ms;      // --timeout, or the subcommand's default
    bool is_json;        // --json
    const cli_args_t *args;
} cli_ctx_t;

typedef int (*cli_sub_fn)(cli_ctx_t *ctx);

// One subcommand of a group.
typedef struct {
    const char *name;      // "start"
    const char *usage;     // "WORKFLOW [--input JSON|@FILE] ..."
    const char *summary;   // one line
    const cli_opt_t *opts; // its own options (the common ones are added)
    size_t nopts;
    size_t min_pos, max_pos;
    int timeout_ms; // default --timeout: 0 = CLI_TIMEOUT_MS, or
                    // CLI_NO_TIMEOUT
    cli_sub_fn run;
} cli_sub_t;

// Run `sirocco GROUP SUB ARGS...` (argv[0] is the group's name).
int cli_cluster_run(const char *group, const cli_sub_t *subs, size_t n,
                    int argc, char **argv);

// Report a failed call: "sirocco CMD: MESSAGE (CODE, WHERE)"; returns 1.
int cli_cluster_fail(const cli_ctx_t *ctx, sr_err_t rc, const sr_error_t *err);
// Report a usage error: "sirocco CMD: MESSAGE"; returns 2.
int cli_cluster_usage(const cli_ctx_t *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

// True when `text` is an id (a UUID); else reports a usage error naming
// `what` ("execution id") and returns false.
bool cli_cluster_check_id(const cli_ctx_t *ctx, const char *text,
                          const char *what);

// The value of option `opt` read as JSON text or, as "@FILE", from a file
// ("@-" is stdin). *out stays NULL when the option is not given. With
// `is_map`, anything but a JSON object is refused. Returns CLI_OK, or
// CLI_USAGE after reporting what was wrong.
int cli_cluster_json_arg(const cli_ctx_t *ctx, const char *opt, bool is_map,
                         sr_value_t **out);

// The whole of a file ("-" is stdin), NUL-terminated; caller frees it.
// NULL after reporting a usage error.
char *cli_cluster_read_file(const cli_ctx_t *ctx, const char *path);

#endif
