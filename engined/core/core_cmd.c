// The command list core_step fills (core_cmd.h): it owns the commands'
// strings and values until the caller clears it.
#include "core_cmd.h"

#include <stdlib.h>
#include <string.h>

static void
s_cmd_fini(core_cmd_t *c)
{
    free(c->action);
    free(c->target);
    free(c->task_name);
    free(c->worker);
    free(c->text);
    free(c->token);
    sr_value_destroy(&c->input);
    sr_value_destroy(&c->context);
}

void
core_cmds_init(core_cmds_t *cmds)
{
    memset(cmds, 0, sizeof *cmds);
}

void
core_cmds_fini(core_cmds_t *cmds)
{
    core_cmds_clear(cmds);
    free(cmds->items);
    memset(cmds, 0, sizeof *cmds);
}

void
core_cmds_clear(core_cmds_t *cmds)
{
    for (size_t i = 0; i < cmds->count; i++)
        s_cmd_fini(&cmds->items[i]);
    cmds->count = 0;
}

void
core_cmds_truncate(core_cmds_t *cmds, size_t count)
{
    while (cmds->count > count)
        s_cmd_fini(&cmds->items[--cmds->count]);
}

sr_err_t
core_cmds_push(core_cmds_t *cmds, core_cmd_t *cmd)
{
    if (cmds->count == cmds->cap) {
        size_t cap = cmds->cap ? cmds->cap * 2 : 16;
        core_cmd_t *items = realloc(cmds->items, cap * sizeof *items);
        if (!items) {
            s_cmd_fini(cmd);
            return SR_ENOMEM;
        }
        cmds->items = items;
        cmds->cap = cap;
    }
    cmds->items[cmds->count++] = *cmd;
    memset(cmd, 0, sizeof *cmd);
    return SR_OK;
}
