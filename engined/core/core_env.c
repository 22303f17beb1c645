// Evaluation of an execution's environment at start: each string of the env
// that holds an expression is replaced by its value (with its type), at any
// depth; data without expressions is kept as given (shared, not copied).
#include "core_env.h"

#include <stdio.h>

#include "core_ctx.h"
#include "core_rec.h"
#include "lang_vt.h"

// False only for an explicit evaluate_env: false.
static bool
s_wanted(const core_exec_t *exec)
{
    const sr_value_t *flag = sr_value_map_get(exec->params, "evaluate_env");
    return !sr_value_is(flag, SR_T_BOOL) || sr_value_truthy(flag);
}

sr_err_t
core_env_evaluate(core_run_t *r, core_exec_t *exec)
{
    if (!s_wanted(exec) || !sr_value_len(exec->env))
        return SR_OK;
    lang_vt_t *vt = NULL;
    sr_value_t *env = NULL;
    sr_err_t rc = lang_vt_from_value(exec->env, &vt, r->err);
    if (!rc && lang_vt_const(vt)) {
        lang_vt_destroy(&vt);
        return SR_OK;
    }
    if (!rc)
        rc = core_eval(r, exec, NULL, NULL, NULL, vt, NULL, &env);
    lang_vt_destroy(&vt);
    if (rc == SR_EEXPR) {
        char msg[sizeof r->err->msg];
        snprintf(msg, sizeof msg, "%s", r->err->msg);
        return sr_error_set(r->err, SR_EINVAL,
                            "Failed to evaluate the environment: %s", msg);
    }
    if (rc)
        return rc;
    core_set_value(&exec->env, env);
    return SR_OK;
}
