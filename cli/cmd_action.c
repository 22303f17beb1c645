/* `sirocco action complete`: finishes a pending (delegate) action with a
 * result or an error. The action is named by its id (a UUID) or by the
 * callback token its TASK carried; --token forces the second reading.
 * Owns nothing past the call.
 */
#include "cmd_action.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_cluster.h"
#include "cli_print.h"
#include "sr_id.h"

// An action id is the 36-character UUID form; anything else is a token.
static bool
s_is_action_id(const char *text)
{
    sr_id_t id;
    return strlen(text) == SR_ID_TEXT_SIZE - 1 &&
           sr_id_parse(text, &id) == SR_OK;
}

static int
s_complete(cli_ctx_t *ctx)
{
    const char *name = ctx->args->pos[0];
    const char *error = cli_args_get(ctx->args, "--error");
    bool has_result = cli_args_has(ctx->args, "--result");
    if (has_result == (error != NULL))
        return cli_cluster_usage(ctx, "give --result JSON or --error TEXT "
                                      "(exactly one)");
    sr_value_t *result = NULL, *reply = NULL;
    int code = cli_cluster_json_arg(ctx, "--result", false, &result);
    if (code)
        return code;
    bool is_id = !cli_args_has(ctx->args, "--token") && s_is_action_id(name);
    sr_client_completion_t cp = {.action_id = is_id ? name : NULL,
                                 .token = is_id ? NULL : name,
                                 .error = error,
                                 .output = result};
    sr_error_t err;
    sr_err_t rc =
        sr_client_complete(ctx->client, &cp, ctx->timeout_ms, &reply, &err);
    if (rc)
        code = cli_cluster_fail(ctx, rc, &err);
    else if (ctx->is_json)
        cli_print_json(stdout, reply, false);
    else
        printf("action %s: %s\n", name,
               sr_value_map_str(reply, "state")
                   ? sr_value_map_str(reply, "state")
                   : "completed");
    sr_value_destroy(&result);
    sr_value_destroy(&reply);
    return code;
}

static const cli_opt_t s_opts[] = {
    {"--result", "JSON|@FILE", "the action succeeded with this result"},
    {"--error", "TEXT", "the action failed with this error"},
    {"--token", NULL,
     "the argument is a callback token, even if it looks "
     "like an id"},
};

static const cli_sub_t s_subs[] = {
    {"complete", "ACTION_ID|TOKEN (--result JSON|@FILE | --error TEXT)",
     "finish a pending (delegate) action", s_opts,
     sizeof s_opts / sizeof s_opts[0], 1, 1, 0, s_complete},
};

int
cli_action(int argc, char **argv)
{
    return cli_cluster_run("action", s_subs, sizeof s_subs / sizeof s_subs[0],
                           argc, argv);
}
