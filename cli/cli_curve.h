// CurveZMQ settings of the sirocco command (docs/security.md): the
// --curve-secret and --curve-server-key options of the cluster commands,
// each defaulting to its environment variable, and the same keys for
// the raw sockets of `sirocco bench --cluster`.
//
// Thread rule: the main thread; strings stay borrowed from argv and the
// environment.
#ifndef CLI_CURVE_H
#define CLI_CURVE_H

#include "cli_args.h"
#include "sirocco/client.h"
#include "sr_curve.h"

#define CLI_CURVE_SECRET_ENV "SIROCCO_CURVE_SECRET"
#define CLI_CURVE_SERVER_ENV "SIROCCO_CURVE_SERVER_KEY"

// The two options, for a command's option table.
#define CLI_CURVE_OPTS                                                         \
    {"--curve-secret", "FILE",                                                 \
     "this client's CurveZMQ secret key (default $" CLI_CURVE_SECRET_ENV ")"}, \
    {                                                                          \
        "--curve-server-key", "FILE",                                          \
            "the engines' public key (default $" CLI_CURVE_SERVER_ENV ")"      \
    }

// Set opts->curve_secret and curve_server_key from the options of `args`
// (NULL: the environment only) and check that the keys load. Returns
// CLI_OK, or CLI_USAGE after printing "sirocco CMD: ..." (one without
// the other, a file that does not load).
int cli_curve_opts(const char *cmd, const cli_args_t *args,
                   sr_client_opts_t *opts);

// The keys the environment names, for raw sockets: *out stays NULL when
// none are set. Returns CLI_OK, or CLI_USAGE after printing the problem.
// Caller owns *out.
int cli_curve_load_env(const char *cmd, sr_curve_t **out);

#endif
