// The CurveZMQ keys of the sirocco command: from --curve-secret and
// --curve-server-key, else $SIROCCO_CURVE_SECRET and
// $SIROCCO_CURVE_SERVER_KEY; checked by loading them once, so that a bad
// file is a usage error naming the option rather than a timeout later.
#include "cli_curve.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

// The option's value, else the environment's, else NULL.
static const char *
s_pick(const cli_args_t *args, const char *opt, const char *env)
{
    const char *v = args ? cli_args_get(args, opt) : NULL;
    if (!v)
        v = getenv(env);
    return v && *v ? v : NULL;
}

static int
s_load(const char *cmd, const char *secret, const char *server,
       sr_curve_t **out)
{
    if (!secret && !server)
        return CLI_OK;
    if (!secret || !server) {
        fprintf(stderr,
                "sirocco %s: CurveZMQ needs both --curve-secret (or $%s) and "
                "--curve-server-key (or $%s)\n",
                cmd, CLI_CURVE_SECRET_ENV, CLI_CURVE_SERVER_ENV);
        return CLI_USAGE;
    }
    sr_error_t err;
    if (sr_curve_load(secret, server, out, &err) != SR_OK) {
        fprintf(stderr, "sirocco %s: %s\n", cmd, err.msg);
        return CLI_USAGE;
    }
    return CLI_OK;
}

int
cli_curve_opts(const char *cmd, const cli_args_t *args, sr_client_opts_t *opts)
{
    const char *secret = s_pick(args, "--curve-secret", CLI_CURVE_SECRET_ENV);
    const char *server =
        s_pick(args, "--curve-server-key", CLI_CURVE_SERVER_ENV);
    sr_curve_t *keys = NULL;
    int rc = s_load(cmd, secret, server, &keys);
    sr_curve_destroy(&keys);
    if (rc)
        return rc;
    opts->curve_secret = secret;
    opts->curve_server_key = server;
    return CLI_OK;
}

int
cli_curve_load_env(const char *cmd, sr_curve_t **out)
{
    return s_load(cmd, s_pick(NULL, NULL, CLI_CURVE_SECRET_ENV),
                  s_pick(NULL, NULL, CLI_CURVE_SERVER_ENV), out);
}
