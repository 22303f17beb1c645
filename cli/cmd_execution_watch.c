/* `sirocco execution watch ID` (and `execution start --watch`): follows
 * one execution with sr_client_watch, printing a line per state change
 * as it comes, then the final state. Owns nothing past the call.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_print.h"
#include "cmd_execution.h"

static bool
s_on_event(const sr_value_t *ev, void *arg)
{
    const cli_ctx_t *ctx = arg;
    if (ctx->is_json) {
        cli_print_json(stdout, ev, true);
    } else {
        int64_t ms = 0;
        char when[64];
        sr_value_map_int(ev, "time_ms", &ms);
        const char *name = sr_value_map_str(ev, "name");
        const char *info = sr_value_map_str(ev, "state_info");
        printf(
            "%s  %-9s  %-20s  %s%s%s\n", cli_print_time(ms, when, sizeof when),
            sr_value_map_str(ev, "kind"), name ? name : "-",
            sr_value_map_str(ev, "state"), info ? "  " : "", info ? info : "");
    }
    fflush(stdout);
    return true;
}

int
cli_execution_watch(cli_ctx_t *ctx, const char *id)
{
    sr_value_t *ex = NULL;
    sr_error_t err;
    sr_err_t rc = sr_client_watch(ctx->client, id, s_on_event, ctx,
                                  ctx->timeout_ms, &ex, &err);
    if (rc)
        return cli_cluster_fail(ctx, rc, &err);
    const char *state = sr_value_map_str(ex, "state");
    const char *info = sr_value_map_str(ex, "state_info");
    if (ctx->is_json)
        cli_print_json(stdout, ex, true);
    else
        printf("execution %s: %s%s%s\n", id, state ? state : "?",
               info ? ": " : "", info ? info : "");
    int code = state && strcmp(state, "SUCCESS") == 0 ? CLI_OK : CLI_FAILED;
    sr_value_destroy(&ex);
    return code;
}
