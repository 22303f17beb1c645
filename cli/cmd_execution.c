/* `sirocco execution`: start (under an id from new-id: safe to retry),
 * read, list, pause, resume, cancel, rerun and delete executions on a
 * cluster (watch is in cmd_execution_watch.c). Each subcommand is one
 * function of the table below; the client library routes. Owns nothing
 * past the call.
 */
#include "cmd_execution.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "cli_print.h"
#include "sr_id.h"

// One execution: its fields, or JSON.
static int
s_print(const cli_ctx_t *ctx, const sr_value_t *ex)
{
    if (ctx->is_json)
        cli_print_json(stdout, ex, false);
    else
        cli_print_fields(stdout, ex);
    return CLI_OK;
}

// A number option within [0, max]; false after a usage error.
static bool
s_number(const cli_ctx_t *ctx, const char *opt, long long max, long long *out)
{
    const char *text = cli_args_get(ctx->args, opt);
    if (!text)
        return true;
    char *end = NULL;
    errno = 0;
    long long n = strtoll(text, &end, 10);
    if (errno || end == text || *end || n < 0 || n > max) {
        cli_cluster_usage(ctx, "%s '%s': expected a number from 0 to %lld", opt,
                          text, max);
        return false;
    }
    *out = n;
    return true;
}

// --input, --env, --params and --task; CLI_OK or CLI_USAGE.
static int
s_start_values(cli_ctx_t *ctx, sr_value_t **input, sr_value_t **env,
               sr_value_t **params)
{
    int code = cli_cluster_json_arg(ctx, "--input", true, input);
    if (!code)
        code = cli_cluster_json_arg(ctx, "--env", true, env);
    if (!code)
        code = cli_cluster_json_arg(ctx, "--params", true, params);
    const char *task = cli_args_get(ctx->args, "--task");
    if (code || !task)
        return code;
    if (!*params)
        *params = sr_value_new_map(1);
    if (!*params ||
        sr_value_map_put(*params, "task_name", sr_value_new_str(task))) {
        fprintf(stderr, "sirocco %s: out of memory\n", ctx->cmd);
        return CLI_FAILED;
    }
    return CLI_OK;
}

// start --watch: say what started (a JSON line with --json), then watch.
static int
s_start_watch(cli_ctx_t *ctx, const sr_value_t *ex)
{
    const char *id = sr_value_map_str(ex, "id");
    if (!id) {
        fprintf(stderr, "sirocco %s: the engine's answer has no 'id'\n",
                ctx->cmd);
        return CLI_FAILED;
    }
    if (ctx->is_json)
        cli_print_json(stdout, ex, true);
    else
        printf("started execution %s\n", id);
    fflush(stdout);
    return cli_execution_watch(ctx, id);
}

// --id: a UUID laid out as the engines' ids; false after a usage error.
static bool
s_start_id(const cli_ctx_t *ctx, const char *text)
{
    sr_id_t id;
    sr_error_t err;
    if (!text)
        return true;
    if (!cli_cluster_check_id(ctx, text, "execution id"))
        return false;
    sr_id_parse(text, &id);
    if (sr_id_check_layout(&id, &err) == SR_OK)
        return true;
    cli_cluster_usage(ctx, "--id: %s; make one with execution new-id", err.msg);
    return false;
}

static int
s_start(cli_ctx_t *ctx)
{
    sr_value_t *input = NULL, *env = NULL, *params = NULL, *ex = NULL;
    long long partition = -1;
    const char *id = cli_args_get(ctx->args, "--id");
    int code = s_start_values(ctx, &input, &env, &params);
    if (!code &&
        (!s_number(ctx, "--partition", SR_PARTITIONS_MAX - 1, &partition) ||
         !s_start_id(ctx, id)))
        code = CLI_USAGE;
    sr_client_start_t st = {
        .workflow = ctx->args->pos[0],
        .version = cli_args_get(ctx->args, "--version"),
        .input = input,
        .env = env,
        .params = params,
        .description = cli_args_get(ctx->args, "--description"),
        .has_partition = partition >= 0,
        .partition = partition >= 0 ? (uint16_t)partition : 0,
        .id = id};
    sr_error_t err;
    sr_err_t rc =
        code ? SR_OK
             : sr_client_ex_start(ctx->client, &st, ctx->timeout_ms, &ex, &err);
    if (rc)
        code = cli_cluster_fail(ctx, rc, &err);
    else if (!code && !cli_args_has(ctx->args, "--watch"))
        code = s_print(ctx, ex);
    else if (!code)
        code = s_start_watch(ctx, ex);
    sr_value_destroy(&input);
    sr_value_destroy(&env);
    sr_value_destroy(&params);
    sr_value_destroy(&ex);
    return code;
}

// A new execution id for start --id: the line, or {"id": ID}.
static int
s_new_id(cli_ctx_t *ctx)
{
    char id[SR_CLIENT_ID_SIZE];
    sr_error_t err;
    sr_err_t rc = sr_client_ex_new_id(ctx->client, ctx->timeout_ms, id, &err);
    if (rc)
        return cli_cluster_fail(ctx, rc, &err);
    if (ctx->is_json)
        printf("{\"id\": \"%s\"}\n", id);
    else
        printf("%s\n", id);
    return CLI_OK;
}

static int
s_get(cli_ctx_t *ctx)
{
    const char *id = ctx->args->pos[0];
    if (!cli_cluster_check_id(ctx, id, "execution id"))
        return CLI_USAGE;
    sr_value_t *ex = NULL;
    sr_error_t err;
    sr_err_t rc = sr_client_ex_get(ctx->client, id, ctx->timeout_ms, &ex, &err);
    if (rc)
        return cli_cluster_fail(ctx, rc, &err);
    s_print(ctx, ex);
    sr_value_destroy(&ex);
    return CLI_OK;
}

static const cli_col_t s_list_cols[] = {{"ID", "id"},
                                        {"WORKFLOW", "workflow"},
                                        {"STATE", "state"},
                                        {"CREATED", "created_ms"},
                                        {"INFO", "state_info"}};

static int
s_list(cli_ctx_t *ctx)
{
    long long limit = 0;
    const char *after = cli_args_get(ctx->args, "--after");
    if (!s_number(ctx, "--limit", 1000000, &limit) ||
        (after && !cli_cluster_check_id(ctx, after, "execution id")))
        return CLI_USAGE;
    sr_client_list_t f = {.state = cli_args_get(ctx->args, "--state"),
                          .workflow = cli_args_get(ctx->args, "--workflow"),
                          .after = after,
                          .limit = limit};
    sr_value_t *exs = NULL;
    sr_error_t err;
    sr_err_t rc =
        sr_client_ex_list(ctx->client, &f, ctx->timeout_ms, &exs, &err);
    if (rc)
        return cli_cluster_fail(ctx, rc, &err);
    size_t n = sr_value_len(exs);
    if (ctx->is_json) {
        cli_print_json(stdout, exs, false);
    } else {
        cli_print_table(stdout, s_list_cols,
                        sizeof s_list_cols / sizeof s_list_cols[0], exs);
        if (n > 0 && n == (size_t)(limit ? limit : SR_CLIENT_LIST_LIMIT))
            fprintf(stderr, "(%zu shown; next page: --after %s)\n", n,
                    sr_value_map_str(sr_value_array_at(exs, n - 1), "id"));
    }
    sr_value_destroy(&exs);
    return CLI_OK;
}

static int
s_watch(cli_ctx_t *ctx)
{
    const char *id = ctx->args->pos[0];
    if (!cli_cluster_check_id(ctx, id, "execution id"))
        return CLI_USAGE;
    return cli_execution_watch(ctx, id);
}

typedef sr_err_t (*s_change_fn)(sr_client_t *c, const char *id,
                                const char *reason, int timeout_ms,
                                sr_value_t **execution, sr_error_t *err);

// Print an execution after a change: "execution ID: STATE", or JSON.
static int
s_changed(cli_ctx_t *ctx, sr_err_t rc, const sr_error_t *err, sr_value_t *ex)
{
    if (rc)
        return cli_cluster_fail(ctx, rc, err);
    if (ctx->is_json)
        cli_print_json(stdout, ex, false);
    else
        printf("execution %s: %s\n", ctx->args->pos[0],
               sr_value_map_str(ex, "state") ? sr_value_map_str(ex, "state")
                                             : "?");
    sr_value_destroy(&ex);
    return CLI_OK;
}

static int
s_change(cli_ctx_t *ctx, s_change_fn fn)
{
    const char *id = ctx->args->pos[0];
    if (!cli_cluster_check_id(ctx, id, "execution id"))
        return CLI_USAGE;
    sr_value_t *ex = NULL;
    sr_error_t err;
    sr_err_t rc = fn(ctx->client, id, cli_args_get(ctx->args, "--reason"),
                     ctx->timeout_ms, &ex, &err);
    return s_changed(ctx, rc, &err, ex);
}

static int
s_pause(cli_ctx_t *ctx)
{
    return s_change(ctx, sr_client_ex_pause);
}

static int
s_resume(cli_ctx_t *ctx)
{
    return s_change(ctx, sr_client_ex_resume);
}

static int
s_cancel(cli_ctx_t *ctx)
{
    return s_change(ctx, sr_client_ex_cancel);
}

static int
s_rerun(cli_ctx_t *ctx)
{
    const char *id = ctx->args->pos[0];
    if (!cli_cluster_check_id(ctx, id, "execution id"))
        return CLI_USAGE;
    int flags = cli_args_has(ctx->args, "--reset") ? SR_CLIENT_RERUN_RESET : 0;
    sr_value_t *ex = NULL;
    sr_error_t err;
    sr_err_t rc = sr_client_ex_rerun(ctx->client, id, ctx->args->pos[1], flags,
                                     ctx->timeout_ms, &ex, &err);
    return s_changed(ctx, rc, &err, ex);
}

// "deleted execution ID", or the engine's answer as JSON.
static int
s_delete(cli_ctx_t *ctx)
{
    const char *id = ctx->args->pos[0];
    if (!cli_cluster_check_id(ctx, id, "execution id"))
        return CLI_USAGE;
    sr_value_t *reply = NULL;
    sr_error_t err;
    sr_err_t rc =
        sr_client_ex_delete(ctx->client, id, cli_args_has(ctx->args, "--force"),
                            ctx->timeout_ms, &reply, &err);
    if (rc)
        return cli_cluster_fail(ctx, rc, &err);
    if (ctx->is_json)
        cli_print_json(stdout, reply, false);
    else
        printf("deleted execution %s\n", id);
    sr_value_destroy(&reply);
    return CLI_OK;
}

static const cli_opt_t s_start_opts[] = {
    {"--input", "JSON|@FILE", "workflow input (a JSON object)"},
    {"--env", "JSON|@FILE", "environment, read by env() (a JSON object)"},
    {"--params", "JSON|@FILE", "start parameters (a JSON object)"},
    {"--task", "NAME", "target task of a reverse workflow"},
    {"--version", "HASH", "a stored version (default: the latest)"},
    {"--description", "TEXT", "free text kept with the execution"},
    {"--partition", "N", "start in partition N (default: any)"},
    {"--id", "ID",
     "start under this execution id (from execution new-id); a start "
     "retried with it makes one execution"},
    {"--watch", NULL, "then follow it to its end, like execution watch"},
};
static const cli_opt_t s_list_opts[] = {
    {"--state", "STATE", "only executions in this state"},
    {"--workflow", "NAME", "only executions of this workflow"},
    {"--limit", "N", "at most N executions (default 100)"},
    {"--after", "ID", "the page after this execution id"},
};
static const cli_opt_t s_reason_opts[] = {
    {"--reason", "TEXT", "why; kept as the execution's state_info"}};
static const cli_opt_t s_rerun_opts[] = {
    {"--reset", NULL, "with-items: run every item again, not only failed"}};
static const cli_opt_t s_delete_opts[] = {
    {"--force", NULL, "cancel a RUNNING or PAUSED execution first"}};
#define S_N(a) (sizeof(a) / sizeof((a)[0]))

static const cli_sub_t s_subs[] = {
    {"start",
     "WORKFLOW [--input JSON|@FILE] [--env JSON|@FILE] [--task NAME] "
     "[--watch] ...",
     "start an execution", s_start_opts, S_N(s_start_opts), 1, 1, 0, s_start},
    {"new-id", "",
     "print a new execution id, in a partition of the cluster, for start "
     "--id",
     NULL, 0, 0, 0, 0, s_new_id},
    {"get", "ID", "print an execution", NULL, 0, 1, 1, 0, s_get},
    {"list", "[--state STATE] [--workflow NAME] [--limit N] [--after ID]",
     "list executions of every engine, oldest first", s_list_opts,
     S_N(s_list_opts), 0, 0, 0, s_list},
    {"watch", "ID",
     "print each state change until the execution ends (exit 0 on SUCCESS)",
     NULL, 0, 1, 1, CLI_NO_TIMEOUT, s_watch},
    {"pause", "ID [--reason TEXT]", "pause a RUNNING execution", s_reason_opts,
     1, 1, 1, 0, s_pause},
    {"resume", "ID [--reason TEXT]", "resume a PAUSED execution", s_reason_opts,
     1, 1, 1, 0, s_resume},
    {"cancel", "ID [--reason TEXT]", "cancel an execution", s_reason_opts, 1, 1,
     1, 0, s_cancel},
    {"rerun", "ID TASK [--reset]",
     "run a failed task again and resume its ERROR execution", s_rerun_opts, 1,
     2, 2, 0, s_rerun},
    {"delete", "ID [--force]",
     "delete a finished top-level execution with its sub-workflows, tasks "
     "and actions",
     s_delete_opts, 1, 1, 1, 0, s_delete},
};

int
cli_execution(int argc, char **argv)
{
    return cli_cluster_run("execution", s_subs, S_N(s_subs), argc, argv);
}
