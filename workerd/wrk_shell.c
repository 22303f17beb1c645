// sirocco.shell: one /bin/sh -c run through the process runner, with the
// caller's environment variables and working folder. Reentrant.
#include "wrk_shell.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sr_value_json.h"
#include "wrk_env.h"
#include "wrk_exec.h"
#include "wrk_proc.h"

#define S_SHELL "/bin/sh"

// Text of a scalar env value into buf; NULL when not a scalar.
static const char *
s_scalar_text(const sr_value_t *v, char *buf, size_t size, size_t *len)
{
    switch (sr_value_type(v)) {
    case SR_T_STR:
        *len = sr_value_len(v);
        return sr_value_str(v);
    case SR_T_INT:
        snprintf(buf, size, "%" PRId64, sr_value_int(v));
        break;
    case SR_T_FLOAT:
        sr_format_double(sr_value_float(v), buf, size);
        break;
    case SR_T_BOOL:
        snprintf(buf, size, "%s", sr_value_bool(v) ? "true" : "false");
        break;
    default:
        return NULL;
    }
    *len = strlen(buf);
    return buf;
}

// The child's environment: worker's, the run's SIROCCO_*, then `env`.
static bool
s_make_env(const wrk_run_t *run, wrk_env_t **out, wrk_result_t *res)
{
    wrk_env_t *env = NULL;
    sr_error_t err;
    if (wrk_env_new(&env, &err) || wrk_env_set_run(env, run, &err)) {
        wrk_result_error_value(res, NULL);
        goto fail;
    }
    const sr_value_t *vars = wrk_run_arg(run, "env");
    for (size_t i = 0; i < sr_value_len(vars); i++) {
        const char *name = sr_value_str(sr_value_map_key(vars, i));
        char buf[64];
        size_t len = 0;
        const char *text =
            s_scalar_text(sr_value_map_val(vars, i), buf, sizeof buf, &len);
        if (!text) {
            wrk_result_error(res, run->action,
                             "env '%s' must be a string, number or bool", name);
            goto fail;
        }
        if (wrk_env_set(env, name, text, len, &err) != SR_OK) {
            wrk_result_error(res, run->action, "env: %s", err.msg);
            goto fail;
        }
    }
    *out = env;
    return true;
fail:
    wrk_env_destroy(&env);
    return false;
}

static sr_value_t *
s_output_map(const wrk_proc_result_t *p)
{
    sr_value_t *m = sr_value_new_map(3);
    if (m &&
        (sr_value_map_put(m, "stdout", sr_value_new_strn(p->out, p->out_len)) ||
         sr_value_map_put(m, "stderr", sr_value_new_strn(p->err, p->err_len)) ||
         sr_value_map_put(m, "exit_code", sr_value_new_int(p->code))))
        sr_value_destroy(&m);
    return m;
}

static void
s_outcome(const wrk_run_t *run, const wrk_proc_result_t *p, wrk_result_t *out)
{
    if (wrk_exec_stopped(run, p, out))
        return;
    if (p->code == 0)
        wrk_result_success(out, s_output_map(p));
    else
        wrk_result_error_value(out, s_output_map(p));
}

static void
s_shell(const wrk_run_t *run, wrk_result_t *out)
{
    const sr_value_t *cwd_v = wrk_run_arg(run, "cwd");
    const char *cwd = cwd_v ? sr_value_str(cwd_v) : NULL;
    struct stat st;
    if (cwd && (!cwd[0] || stat(cwd, &st) < 0 || !S_ISDIR(st.st_mode))) {
        wrk_result_error(out, run->action, "cwd '%s' is not a directory", cwd);
        return;
    }
    wrk_env_t *env = NULL;
    if (!s_make_env(run, &env, out))
        return;
    char *argv[] = {"sh", "-c", (char *)sr_value_str(wrk_run_arg(run, "cmd")),
                    NULL};
    wrk_bound_t bound =
        wrk_bound_narrow(run->bound, run->config->default_timeout_ms);
    wrk_proc_opts_t opts = {
        .path = S_SHELL,
        .argv = argv,
        .envp = wrk_env_array(env),
        .cwd = cwd && cwd[0] ? cwd : NULL,
        .output_limit = run->config->output_limit_bytes,
        .kill_grace_ms = run->config->kill_grace_ms,
        .bound = &bound,
    };
    wrk_proc_result_t p;
    sr_error_t err;
    if (wrk_proc_run(&opts, &p, &err) != SR_OK) {
        if (err.code == SR_ENOMEM)
            wrk_result_error_value(out, NULL);
        else
            wrk_result_error(out, run->action, "%s", err.msg);
    } else {
        s_outcome(run, &p, out);
        wrk_proc_result_fini(&p);
    }
    wrk_env_destroy(&env);
}

static const wrk_param_t s_params[] = {
    {"cmd", WRK_T(SR_T_STR), true, NULL, "the command line for /bin/sh -c"},
    {"env", WRK_T(SR_T_MAP), false, NULL,
     "extra environment variables (string, number or bool values)"},
    {"cwd", WRK_T(SR_T_STR), false, NULL, "working folder"},
};

const wrk_action_def_t wrk_shell_action = {
    .name = WRK_SHELL_NAME,
    .doc = "runs a command with /bin/sh -c (only when the worker enables it)",
    .params = s_params,
    .n_params = sizeof s_params / sizeof s_params[0],
    .run = s_shell, // waits for a child process: never inline
};
