// `sirocco keygen`: one CurveZMQ keypair as czmq certificates, through
// sr_curve_keygen, with a short note of where each file goes
// (docs/security.md). Owns nothing past the call.
#include "cmd_keygen.h"

#include <stdio.h>

#include "cli.h"
#include "cli_args.h"
#include "sr_curve.h"

static const cli_opt_t s_opts[] = {
    {"--dir", "DIR", "folder to write the two files in (default: .)"},
    {"--force", NULL, "replace a keypair of that name"},
};
#define S_NOPTS (sizeof s_opts / sizeof s_opts[0])

int
cli_keygen(int argc, char **argv)
{
    cli_args_t args;
    if (!cli_args_parse("keygen", s_opts, S_NOPTS, 1, 1, argc, argv, 1,
                        &args)) {
        fprintf(stderr, "usage: sirocco keygen NAME [--dir DIR] [--force]\n");
        return CLI_USAGE;
    }
    if (args.is_help) {
        printf("usage: sirocco keygen NAME [--dir DIR] [--force]\n"
               "  make a CurveZMQ keypair: DIR/NAME (public) and "
               "DIR/NAME_secret\noptions:\n");
        cli_args_print_options(s_opts, S_NOPTS);
        return CLI_OK;
    }
    const char *dir = cli_args_get(&args, "--dir");
    const char *name = args.pos[0];
    char pub[SR_CURVE_TXT_SIZE];
    sr_error_t err;
    sr_err_t rc = sr_curve_keygen(dir ? dir : ".", name,
                                  cli_args_has(&args, "--force"), pub, &err);
    if (rc) {
        fprintf(stderr, "sirocco keygen: %s\n", err.msg);
        return rc == SR_EINVAL ? CLI_USAGE : CLI_FAILED;
    }
    dir = dir ? dir : ".";
    printf("public key %s\n"
           "wrote %s/%s (public: into the engines' allow folder, or as "
           "--curve-server-key)\n"
           "wrote %s/%s_secret (secret: this process's --curve-secret; "
           "keep it private)\n",
           pub, dir, name, dir, name);
    return CLI_OK;
}
