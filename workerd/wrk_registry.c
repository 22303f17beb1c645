// The registry of actions: built-in table with each action's defaults, the
// shell switch, the custom action folder, and the run dispatch (lookup,
// input check, bound, run). Owns its copy of the configuration and the
// defaults; read-only after creation, so shared by every worker thread.
#include "wrk_registry.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "wrk_exec.h"
#include "wrk_http.h"
#include "wrk_shell.h"
#include "wrk_std.h"

#define S_MAX_BUILTINS 16

typedef struct {
    const wrk_action_def_t *def;
    sr_value_t *defaults; // read-only once built; NULL when none
} s_builtin_t;

struct wrk_registry {
    wrk_config_t config; // resolved; action_dir points at dir below
    char *dir;           // owned copy of the action folder, or NULL
    s_builtin_t builtins[S_MAX_BUILTINS];
    size_t n_builtins; // the shell is the last one when enabled
};

static sr_err_t
s_add(wrk_registry_t *self, const wrk_action_def_t *def, sr_error_t *err)
{
    if (self->n_builtins == S_MAX_BUILTINS)
        return sr_error_set(err, SR_EINTERNAL, "too many built-in actions");
    s_builtin_t *b = &self->builtins[self->n_builtins];
    sr_err_t rc =
        wrk_params_defaults(def->params, def->n_params, &b->defaults, err);
    if (rc != SR_OK)
        return rc;
    b->def = def;
    self->n_builtins++;
    return SR_OK;
}

static sr_err_t
s_set_dir(wrk_registry_t *self, const char *dir, sr_error_t *err)
{
    struct stat st;
    if (!dir)
        return SR_OK;
    if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
        return sr_error_set(err, SR_EINVAL,
                            "action folder '%s' is not a folder", dir);
    if (!(self->dir = strdup(dir)))
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    self->config.action_dir = self->dir;
    return SR_OK;
}

sr_err_t
wrk_registry_new(const wrk_config_t *config, wrk_registry_t **out,
                 sr_error_t *err)
{
    wrk_registry_t *self = calloc(1, sizeof *self);
    if (!self)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    self->config = wrk_config_resolve(config);
    self->config.action_dir = NULL;
    size_t n_std = 0;
    const wrk_action_def_t *std = wrk_std_actions(&n_std);
    sr_err_t rc = s_set_dir(self, config ? config->action_dir : NULL, err);
    for (size_t i = 0; rc == SR_OK && i < n_std; i++)
        rc = s_add(self, &std[i], err);
    if (rc == SR_OK)
        rc = s_add(self, &wrk_http_action, err);
    if (rc == SR_OK && self->config.is_shell_enabled)
        rc = s_add(self, &wrk_shell_action, err);
    if (rc == SR_OK)
        rc = wrk_http_global_init(err);
    if (rc != SR_OK) {
        wrk_registry_destroy(&self);
        return rc;
    }
    *out = self;
    return SR_OK;
}

void
wrk_registry_destroy(wrk_registry_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    wrk_registry_t *self = *self_p;
    for (size_t i = 0; i < self->n_builtins; i++)
        sr_value_destroy(&self->builtins[i].defaults);
    free(self->dir);
    free(self);
    *self_p = NULL;
}

const wrk_config_t *
wrk_registry_config(const wrk_registry_t *self)
{
    return &self->config;
}

static const s_builtin_t *
s_find(const wrk_registry_t *self, const char *name)
{
    for (size_t i = 0; i < self->n_builtins; i++)
        if (strcmp(self->builtins[i].def->name, name) == 0)
            return &self->builtins[i];
    return NULL;
}

sr_err_t
wrk_registry_names(const wrk_registry_t *self, sr_value_t **out,
                   sr_error_t *err)
{
    sr_value_t *custom = NULL;
    if (self->dir && wrk_exec_list(self->dir, &custom, err) != SR_OK)
        return err ? err->code : SR_EIO;
    sr_value_t *names = sr_value_new_array(self->n_builtins + 8);
    sr_err_t rc = names ? SR_OK : SR_ENOMEM;
    for (size_t i = 0; rc == SR_OK && i < self->n_builtins; i++)
        rc = sr_value_array_append(
            names, sr_value_new_str(self->builtins[i].def->name));
    for (size_t i = 0; rc == SR_OK && i < sr_value_len(custom); i++) {
        const char *name = sr_value_str(sr_value_array_at(custom, i));
        if (!s_find(self, name) && strcmp(name, WRK_SHELL_NAME) != 0)
            rc = sr_value_array_append(names, sr_value_new_str(name));
    }
    sr_value_destroy(&custom);
    if (rc != SR_OK) {
        sr_value_destroy(&names);
        return sr_error_set(err, rc, "out of memory");
    }
    *out = names;
    return SR_OK;
}

// Why `name` is not a built-in on this worker: disabled shell, or unknown.
static sr_err_t
s_not_builtin(const wrk_registry_t *self, const char *name, char **path,
              sr_error_t *err)
{
    if (strcmp(name, WRK_SHELL_NAME) == 0)
        return sr_error_set(err, SR_ENOTFOUND,
                            "action '%s' is disabled on this worker", name);
    if (!self->dir)
        return sr_error_set(err, SR_ENOTFOUND, "unknown action '%s'", name);
    return wrk_exec_find(self->dir, name, path, err);
}

static sr_value_t *
s_describe_builtin(const wrk_action_def_t *def, sr_error_t *err)
{
    sr_value_t *params = NULL;
    if (wrk_params_describe(def->params, def->n_params, &params, err))
        return NULL;
    sr_value_t *m = sr_value_new_map(4);
    if (!m || sr_value_map_put(m, "name", sr_value_new_str(def->name)) ||
        sr_value_map_put(m, "kind", sr_value_new_str("builtin")) ||
        sr_value_map_put(m, "doc", sr_value_new_str(def->doc)) ||
        sr_value_map_put(m, "params", params))
        goto fail;
    return m;
fail:
    if (!m)
        sr_value_destroy(&params);
    sr_value_destroy(&m);
    return NULL;
}

static sr_value_t *
s_describe_custom(const char *name)
{
    sr_value_t *m = sr_value_new_map(4);
    if (!m || sr_value_map_put(m, "name", sr_value_new_str(name)) ||
        sr_value_map_put(m, "kind", sr_value_new_str("executable")) ||
        sr_value_map_put(m, "doc",
                         sr_value_new_str("custom executable: input as "
                                          "JSON on stdin, result as JSON "
                                          "on stdout")) ||
        sr_value_map_put(m, "params", sr_value_new_nil()))
        sr_value_destroy(&m);
    return m;
}

sr_err_t
wrk_registry_describe(const wrk_registry_t *self, const char *name,
                      sr_value_t **out, sr_error_t *err)
{
    const s_builtin_t *b = s_find(self, name ? name : "");
    sr_value_t *d = NULL;
    if (b) {
        d = s_describe_builtin(b->def, err);
    } else {
        char *path = NULL;
        sr_err_t rc = s_not_builtin(self, name ? name : "", &path, err);
        if (rc != SR_OK)
            return rc == SR_EINVAL ? SR_ENOTFOUND : rc;
        free(path);
        d = s_describe_custom(name);
    }
    if (!d)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    *out = d;
    return SR_OK;
}

bool
wrk_registry_is_inline(const wrk_registry_t *self, const char *action,
                       const sr_value_t *input)
{
    const s_builtin_t *b = action ? s_find(self, action) : NULL;
    if (!b || !(b->def->flags & WRK_ACTION_INLINE))
        return false;
    return !b->def->waits || !b->def->waits(input);
}

// Look up, check and run; fills `out` (value NULL only on OOM).
static void
s_dispatch(const wrk_registry_t *self, wrk_run_t *run, wrk_result_t *out)
{
    const char *name = run->action;
    wrk_wake_t wake = wrk_bound_check(run->bound);
    if (wake != WRK_WAKE_OK) {
        wrk_result_error(out, name, "%s before it started",
                         wrk_wake_text(wake));
        return;
    }
    sr_error_t err;
    const s_builtin_t *b = s_find(self, name);
    if (b) {
        if (wrk_params_check(name, b->def->params, b->def->n_params, run->input,
                             &err) != SR_OK) {
            wrk_result_error_value(out, sr_value_new_str(err.msg));
            return;
        }
        run->defaults = b->defaults;
        b->def->run(run, out);
        return;
    }
    char *path = NULL;
    if (s_not_builtin(self, name, &path, &err) != SR_OK) {
        wrk_result_error_value(out, sr_value_new_str(err.msg));
        return;
    }
    if (!sr_value_is(run->input, SR_T_MAP))
        wrk_result_error(out, name, "input must be a map, not %s",
                         sr_type_name(sr_value_type(run->input)));
    else
        wrk_exec_run(run, path, out);
    free(path);
}

sr_err_t
wrk_registry_run(const wrk_registry_t *self, const wrk_call_t *call,
                 wrk_result_t *out, sr_error_t *err)
{
    sr_value_t *empty_input = NULL, *empty_context = NULL;
    wrk_bound_t bound = wrk_bound_make(call->deadline_ms, 0, call->cancel);
    wrk_run_t run = {
        .action = call->action ? call->action : "",
        .input = call->input,
        .context = call->context,
        .deadline_ms = call->deadline_ms,
        .config = &self->config,
        .bound = &bound,
    };
    if (!run.input)
        run.input = empty_input = sr_value_new_map(0);
    if (!run.context)
        run.context = empty_context = sr_value_new_map(0);
    wrk_result_t r = {.status = WRK_SUCCESS, .value = NULL};
    if (run.input && run.context) {
        if (!run.action[0])
            wrk_result_error_value(&r,
                                   sr_value_new_str("action name is empty"));
        else
            s_dispatch(self, &run, &r);
    }
    sr_value_destroy(&empty_input);
    sr_value_destroy(&empty_context);
    if (!r.value)
        return sr_error_set(err, SR_ENOMEM, "out of memory running '%s'",
                            run.action);
    *out = r;
    return SR_OK;
}
