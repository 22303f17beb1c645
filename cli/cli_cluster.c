/* Dispatch of the cluster commands: finds the subcommand, reads its
 * arguments (its options plus --cluster, --json, --timeout), opens a
 * client on the cluster, runs it and closes the client. Also the shared
 * error reports and the reading of ids, JSON values and files. Does not
 * print results (cli_print.c) nor know any subcommand.
 * Thread rule: the main thread.
 */
#include "cli_cluster.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_curve.h"
#include "sr_id.h"
#include "sr_value_json.h"

#define S_FILE_MAX ((size_t)64 << 20) // largest file an option may name

static const cli_opt_t s_common[] = {
    {"--cluster", "ENDPOINTS|FILE",
     "engine client endpoints, comma-separated, or a cluster file (default "
     "$" CLI_CLUSTER_ENV ")"},
    {"--json", NULL, "print JSON instead of tables"},
    {"--timeout", "MS", "give up after MS milliseconds"},
    CLI_CURVE_OPTS,
};
#define S_NCOMMON (sizeof s_common / sizeof s_common[0])

static void
s_group_usage(FILE *out, const char *group, const cli_sub_t *subs, size_t n)
{
    fprintf(out, "usage:\n");
    for (size_t i = 0; i < n; i++)
        fprintf(out, "  sirocco %s %s %s\n      %s\n", group, subs[i].name,
                subs[i].usage, subs[i].summary);
    fprintf(out,
            "common options: --cluster ENDPOINTS|FILE (or $%s), --json, "
            "--timeout MS,\n"
            "  --curve-secret FILE (or $%s), --curve-server-key FILE (or "
            "$%s)\n",
            CLI_CLUSTER_ENV, CLI_CURVE_SECRET_ENV, CLI_CURVE_SERVER_ENV);
}

static void
s_sub_help(const char *group, const cli_sub_t *s, const cli_opt_t *opts,
           size_t n)
{
    printf("usage: sirocco %s %s %s\n  %s\noptions:\n", group, s->name,
           s->usage, s->summary);
    cli_args_print_options(opts, n);
}

// --timeout, or the default; false after a usage error.
static bool
s_timeout(cli_ctx_t *ctx, const cli_sub_t *s)
{
    const char *t = cli_args_get(ctx->args, "--timeout");
    ctx->timeout_ms = s->timeout_ms ? s->timeout_ms : CLI_TIMEOUT_MS;
    if (!t)
        return true;
    char *end = NULL;
    errno = 0;
    long ms = strtol(t, &end, 10);
    if (errno || end == t || *end || ms <= 0 || ms > INT_MAX) {
        cli_cluster_usage(ctx, "--timeout '%s': expected milliseconds > 0", t);
        return false;
    }
    ctx->timeout_ms = (int)ms;
    return true;
}

// Open the client and run the subcommand.
static int
s_run(cli_ctx_t *ctx, const cli_sub_t *s)
{
    const char *eps = cli_args_get(ctx->args, "--cluster");
    if (!eps)
        eps = getenv(CLI_CLUSTER_ENV);
    if (!eps || !*eps)
        return cli_cluster_usage(ctx,
                                 "no cluster: give --cluster ENDPOINTS|FILE "
                                 "or set $%s",
                                 CLI_CLUSTER_ENV);
    if (!s_timeout(ctx, s))
        return CLI_USAGE;
    // A person's Ctrl-C ends the command, as for any program (czmq would
    // otherwise catch it).
    setenv("ZSYS_SIGHANDLER", "false", 1);
    sr_client_opts_t opts = {0};
    if (cli_curve_opts(ctx->cmd, ctx->args, &opts))
        return CLI_USAGE;
    sr_error_t err;
    sr_err_t rc = sr_client_open(eps, &opts, &ctx->client, &err);
    if (rc)
        return cli_cluster_usage(ctx, "--cluster '%s': %s", eps, err.msg);
    int code = s->run(ctx);
    sr_client_close(&ctx->client);
    return code;
}

int
cli_cluster_run(const char *group, const cli_sub_t *subs, size_t n, int argc,
                char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "--help") == 0) {
        s_group_usage(argc < 2 ? stderr : stdout, group, subs, n);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const cli_sub_t *s = NULL;
    for (size_t i = 0; i < n && !s; i++)
        if (strcmp(argv[1], subs[i].name) == 0)
            s = &subs[i];
    if (!s) {
        fprintf(stderr, "sirocco %s: unknown command '%s'\n", group, argv[1]);
        s_group_usage(stderr, group, subs, n);
        return CLI_USAGE;
    }
    char cmd[64];
    snprintf(cmd, sizeof cmd, "%s %s", group, s->name);
    cli_opt_t opts[CLI_ARGS_MAX];
    size_t nopts = 0;
    for (size_t i = 0; i < s->nopts && nopts < CLI_ARGS_MAX; i++)
        opts[nopts++] = s->opts[i];
    for (size_t i = 0; i < S_NCOMMON && nopts < CLI_ARGS_MAX; i++)
        opts[nopts++] = s_common[i];
    cli_args_t args;
    if (!cli_args_parse(cmd, opts, nopts, s->min_pos, s->max_pos, argc, argv, 2,
                        &args)) {
        fprintf(stderr, "usage: sirocco %s %s\n", cmd, s->usage);
        return CLI_USAGE;
    }
    if (args.is_help) {
        s_sub_help(group, s, opts, nopts);
        return CLI_OK;
    }
    cli_ctx_t ctx = {.cmd = cmd, .args = &args};
    ctx.is_json = cli_args_has(&args, "--json");
    return s_run(&ctx, s);
}

int
cli_cluster_fail(const cli_ctx_t *ctx, sr_err_t rc, const sr_error_t *err)
{
    const char *where = err->where[0] ? err->where : NULL;
    fprintf(stderr, "sirocco %s: %s (%s%s%s)\n", ctx->cmd,
            err->msg[0] ? err->msg : sr_strerror(rc), sr_strerror(rc),
            where ? ", " : "", where ? where : "");
    return CLI_FAILED;
}

int
cli_cluster_usage(const cli_ctx_t *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "sirocco %s: ", ctx->cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CLI_USAGE;
}

bool
cli_cluster_check_id(const cli_ctx_t *ctx, const char *text, const char *what)
{
    sr_id_t id;
    if (sr_id_parse(text, &id) == SR_OK)
        return true;
    cli_cluster_usage(ctx,
                      "'%s' is not an %s (a UUID like "
                      "0003691f-2a40-830c-9d41-5e6a0b72c418)",
                      text, what);
    return false;
}

char *
cli_cluster_read_file(const cli_ctx_t *ctx, const char *path)
{
    bool is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (!f) {
        cli_cluster_usage(ctx, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    for (size_t got = 1; buf && got > 0;) {
        if (len + 1 == cap) {
            char *more = cap < S_FILE_MAX ? realloc(buf, cap * 2) : NULL;
            if (!more) {
                cli_cluster_usage(ctx, "%s: too large or out of memory", path);
                free(buf);
                buf = NULL;
                break;
            }
            buf = more;
            cap *= 2;
        }
        got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
    }
    if (buf && ferror(f)) {
        cli_cluster_usage(ctx, "%s: read error", path);
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[len] = '\0';
    if (!is_stdin)
        fclose(f);
    return buf;
}

int
cli_cluster_json_arg(const cli_ctx_t *ctx, const char *opt, bool is_map,
                     sr_value_t **out)
{
    const char *text = cli_args_get(ctx->args, opt);
    if (!text)
        return CLI_OK;
    char *file = text[0] == '@' ? cli_cluster_read_file(ctx, text + 1) : NULL;
    if (text[0] == '@' && !file)
        return CLI_USAGE;
    const char *json = file ? file : text;
    sr_value_t *v = NULL;
    sr_error_t err;
    int code = CLI_OK;
    if (sr_value_from_json(json, strlen(json), NULL, &v, &err) != SR_OK)
        code = cli_cluster_usage(ctx, "%s: invalid JSON: %s", opt, err.msg);
    else if (is_map && !sr_value_is(v, SR_T_MAP))
        code = cli_cluster_usage(ctx, "%s: expected a JSON object, got %s", opt,
                                 sr_type_name(sr_value_type(v)));
    free(file);
    if (code)
        sr_value_destroy(&v);
    else
        *out = v;
    return code;
}
