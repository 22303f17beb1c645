// The sim's runner over workerd's registry: maps a sim call to a registry
// call and its result to an outcome, and turns std.sleep's and std.echo's
// waits into virtual time. It owns the registry it is the argument of; it
// knows nothing of the sim beyond sim_runner.h.
#include "sim_std_runner.h"

#include <stdbool.h>
#include <string.h>

#include "wrk_registry.h"

// Virtual wait of an action, in ms: std.sleep `seconds` (default 1),
// std.echo `delay`. The key is set to 0 in *input (a copy: the caller's
// input is the workflow's) so the real action code does not wait; removing
// it would give std.sleep its default second.
static int64_t
s_virtual_wait(const char *action, const sr_value_t **input, sr_value_t **copy)
{
    bool sleep = strcmp(action, "std.sleep") == 0;
    const char *key = sleep                             ? "seconds"
                      : strcmp(action, "std.echo") == 0 ? "delay"
                                                        : NULL;
    if (!key)
        return 0;
    const sr_value_t *v = sr_value_map_get(*input, key);
    if (v && !sr_value_is_number(v))
        return 0; // the action code reports a bad value itself
    double secs = v ? sr_value_float(v) : sleep ? 1.0 : 0.0;
    if (!v && !sleep)
        return 0;
    if (!(*copy = sr_value_dup(*input)) ||
        sr_value_map_put(*copy, key, sr_value_new_int(0))) {
        sr_value_destroy(copy);
        return 0; // out of memory: the action waits for real
    }
    *input = *copy;
    return secs > 0 ? (int64_t)(secs * 1000.0) : 0;
}

static sr_err_t
s_run(const sim_call_t *call, void *arg, sim_outcome_t *out, sr_error_t *err)
{
    const sr_value_t *input = call->input;
    sr_value_t *copy = NULL;
    int64_t wait = s_virtual_wait(call->action, &input, &copy);
    wrk_call_t wc = {
        .action = call->action, .input = input, .context = call->context};
    wrk_result_t res = {0};
    sr_err_t rc = wrk_registry_run(arg, &wc, &res, err);
    sr_value_destroy(&copy);
    if (rc)
        return rc;
    out->status = res.status == WRK_SUCCESS ? CORE_RESULT_SUCCESS
                  : res.status == WRK_ERROR ? CORE_RESULT_ERROR
                                            : CORE_RESULT_PENDING;
    out->value = res.value; // taken from the result
    out->delay_ms = wait;
    return SR_OK;
}

sr_err_t
sim_std_runner_init(sim_runner_t *self, sr_error_t *err)
{
    wrk_registry_t *registry = NULL;
    sr_err_t rc = wrk_registry_new(NULL, &registry, err);
    if (rc)
        return rc;
    *self = (sim_runner_t){.run = s_run, .arg = registry};
    return SR_OK;
}

void
sim_std_runner_fini(sim_runner_t *self)
{
    wrk_registry_t *registry = self->arg;
    wrk_registry_destroy(&registry);
    memset(self, 0, sizeof *self);
}
