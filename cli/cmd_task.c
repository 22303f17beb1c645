/* `sirocco task list EXECUTION`: the task executions of one execution, in
 * the order they started, from the engine that owns it. Owns nothing past
 * the call.
 */
#include "cmd_task.h"

#include <stdio.h>

#include "cli.h"
#include "cli_cluster.h"
#include "cli_print.h"

static const cli_col_t s_cols[] = {
    {"NAME", "name"}, {"STATE", "state"}, {"ID", "id"}, {"INFO", "state_info"}};

static int
s_list(cli_ctx_t *ctx)
{
    const char *id = ctx->args->pos[0];
    if (!cli_cluster_check_id(ctx, id, "execution id"))
        return CLI_USAGE;
    sr_value_t *tasks = NULL;
    sr_error_t err;
    sr_err_t rc =
        sr_client_task_list(ctx->client, id, ctx->timeout_ms, &tasks, &err);
    if (rc)
        return cli_cluster_fail(ctx, rc, &err);
    if (ctx->is_json)
        cli_print_json(stdout, tasks, false);
    else
        cli_print_table(stdout, s_cols, sizeof s_cols / sizeof s_cols[0],
                        tasks);
    sr_value_destroy(&tasks);
    return CLI_OK;
}

static const cli_sub_t s_subs[] = {
    {"list", "EXECUTION", "list the task executions of an execution", NULL, 0,
     1, 1, 0, s_list},
};

int
cli_task(int argc, char **argv)
{
    return cli_cluster_run("task", s_subs, sizeof s_subs / sizeof s_subs[0],
                           argc, argv);
}
