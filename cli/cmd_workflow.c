/* `sirocco workflow`: store workflow files on every engine, list them,
 * print one (its YAML text, so `get` output can be stored again), delete
 * a name. Each subcommand is one function of the table below; the client
 * library does the talking. Owns nothing past the call.
 */
#include "cmd_workflow.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "cli_cluster.h"
#include "cli_print.h"

static const cli_col_t s_cols[] = {
    {"NAME", "name"}, {"VERSION", "version"}, {"CREATED", "created_ms"}};
#define S_NCOLS (sizeof s_cols / sizeof s_cols[0])

// Print a list of workflows.
static void
s_print_list(const cli_ctx_t *ctx, const sr_value_t *wfs)
{
    if (ctx->is_json)
        cli_print_json(stdout, wfs, false);
    else
        cli_print_table(stdout, s_cols, S_NCOLS, wfs);
}

static int
s_create(cli_ctx_t *ctx)
{
    sr_value_t *all = sr_value_new_array(4);
    int code = all ? CLI_OK : CLI_FAILED;
    for (size_t i = 0; code == CLI_OK && i < ctx->args->npos; i++) {
        const char *path = ctx->args->pos[i];
        char *text = cli_cluster_read_file(ctx, path);
        if (!text) {
            code = CLI_USAGE;
            break;
        }
        sr_value_t *wfs = NULL;
        sr_error_t err;
        sr_err_t rc =
            sr_client_wf_create(ctx->client, text, ctx->timeout_ms, &wfs, &err);
        free(text);
        if (rc) {
            fprintf(stderr, "sirocco %s: %s:\n", ctx->cmd, path);
            code = cli_cluster_fail(ctx, rc, &err);
        }
        for (size_t k = 0; !rc && k < sr_value_len(wfs); k++)
            sr_value_array_append(all, sr_value_ref(sr_value_array_at(wfs, k)));
        sr_value_destroy(&wfs);
    }
    if (code == CLI_OK)
        s_print_list(ctx, all);
    sr_value_destroy(&all);
    return code;
}

static int
s_list(cli_ctx_t *ctx)
{
    sr_value_t *wfs = NULL;
    sr_error_t err;
    sr_err_t rc = sr_client_wf_list(ctx->client, ctx->timeout_ms, &wfs, &err);
    if (rc)
        return cli_cluster_fail(ctx, rc, &err);
    s_print_list(ctx, wfs);
    sr_value_destroy(&wfs);
    return CLI_OK;
}

static int
s_get(cli_ctx_t *ctx)
{
    sr_value_t *wf = NULL;
    sr_error_t err;
    sr_err_t rc = sr_client_wf_get(ctx->client, ctx->args->pos[0],
                                   cli_args_get(ctx->args, "--version"),
                                   ctx->timeout_ms, &wf, &err);
    if (rc)
        return cli_cluster_fail(ctx, rc, &err);
    const char *text = sr_value_map_str(wf, "definition");
    if (ctx->is_json)
        cli_print_json(stdout, wf, false);
    else if (text)
        fputs(text, stdout);
    else
        cli_print_fields(stdout, wf);
    sr_value_destroy(&wf);
    return CLI_OK;
}

static int
s_delete(cli_ctx_t *ctx)
{
    const char *name = ctx->args->pos[0];
    sr_error_t err;
    sr_err_t rc = sr_client_wf_delete(ctx->client, name, ctx->timeout_ms, &err);
    if (rc)
        return cli_cluster_fail(ctx, rc, &err);
    if (!ctx->is_json) {
        printf("deleted workflow %s\n", name);
        return CLI_OK;
    }
    sr_value_t *out = sr_value_new_map(2);
    if (!out || sr_value_map_put(out, "name", sr_value_new_str(name)) ||
        sr_value_map_put(out, "deleted", sr_value_new_bool(true))) {
        sr_value_destroy(&out);
        fprintf(stderr, "sirocco %s: out of memory\n", ctx->cmd);
        return CLI_FAILED;
    }
    cli_print_json(stdout, out, false);
    sr_value_destroy(&out);
    return CLI_OK;
}

static const cli_opt_t s_get_opts[] = {
    {"--version", "HASH", "a stored version (default: the latest)"}};

static const cli_sub_t s_subs[] = {
    {"create", "FILE... [--json]",
     "store the workflows of YAML files (- is stdin) on every engine", NULL, 0,
     1, CLI_POS_MAX, 0, s_create},
    {"list", "[--json]", "list the workflows of every engine", NULL, 0, 0, 0, 0,
     s_list},
    {"get", "NAME [--version HASH] [--json]",
     "print a workflow's definition (YAML)", s_get_opts, 1, 1, 1, 0, s_get},
    {"delete", "NAME [--json]",
     "delete a workflow name (running executions keep their version)", NULL, 0,
     1, 1, 0, s_delete},
};

int
cli_workflow(int argc, char **argv)
{
    return cli_cluster_run("workflow", s_subs, sizeof s_subs / sizeof s_subs[0],
                           argc, argv);
}
