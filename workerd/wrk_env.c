// Environment arrays for child processes: copy of the worker's own minus
// SIROCCO_*, then the run's variables. Owns its strings; one thread.
#include "wrk_env.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

struct wrk_env {
    char **vars; // "NAME=value", owned, NULL-terminated
    size_t len, cap;
};

static const char s_prefix[] = "SIROCCO_";

static sr_err_t
s_push(wrk_env_t *self, char *entry)
{
    if (self->len + 2 > self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 32;
        char **vars = realloc(self->vars, cap * sizeof *vars);
        if (!vars)
            return SR_ENOMEM;
        self->vars = vars;
        self->cap = cap;
    }
    self->vars[self->len++] = entry;
    self->vars[self->len] = NULL;
    return SR_OK;
}

sr_err_t
wrk_env_new(wrk_env_t **out, sr_error_t *err)
{
    wrk_env_t *self = calloc(1, sizeof *self);
    if (!self || s_push(self, NULL) != SR_OK)
        goto oom;
    self->len = 0; // the push above only made room for the terminator
    for (char **e = environ; e && *e; e++) {
        if (strncmp(*e, s_prefix, sizeof s_prefix - 1) == 0)
            continue;
        char *copy = strdup(*e);
        if (!copy || s_push(self, copy) != SR_OK) {
            free(copy);
            goto oom;
        }
    }
    *out = self;
    return SR_OK;
oom:
    wrk_env_destroy(&self);
    return sr_error_set(err, SR_ENOMEM, "out of memory");
}

void
wrk_env_destroy(wrk_env_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    wrk_env_t *self = *self_p;
    for (size_t i = 0; i < self->len; i++)
        free(self->vars[i]);
    free(self->vars);
    free(self);
    *self_p = NULL;
}

sr_err_t
wrk_env_set(wrk_env_t *self, const char *name, const char *value,
            size_t value_len, sr_error_t *err)
{
    size_t name_len = strlen(name);
    if (name_len == 0 || strchr(name, '='))
        return sr_error_set(err, SR_EINVAL,
                            "environment variable name '%s' is not valid",
                            name);
    if (memchr(value, '\0', value_len))
        return sr_error_set(err, SR_EINVAL,
                            "environment variable '%s' holds a NUL byte", name);
    char *entry = malloc(name_len + value_len + 2);
    if (!entry)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    memcpy(entry, name, name_len);
    entry[name_len] = '=';
    memcpy(entry + name_len + 1, value, value_len);
    entry[name_len + value_len + 1] = '\0';
    for (size_t i = 0; i < self->len; i++) {
        if (strncmp(self->vars[i], entry, name_len + 1) == 0) {
            free(self->vars[i]);
            self->vars[i] = entry;
            return SR_OK;
        }
    }
    if (s_push(self, entry) != SR_OK) {
        free(entry);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    return SR_OK;
}

static sr_err_t
s_set_str(wrk_env_t *self, const char *name, const char *value, sr_error_t *err)
{
    if (!value)
        return SR_OK;
    return wrk_env_set(self, name, value, strlen(value), err);
}

sr_err_t
wrk_env_set_run(wrk_env_t *self, const wrk_run_t *run, sr_error_t *err)
{
    static const struct {
        const char *key, *var;
    } map[] = {
        {"execution_id", "SIROCCO_EXECUTION_ID"},
        {"task_name", "SIROCCO_TASK_NAME"},
        {"action_id", "SIROCCO_ACTION_ID"},
        {"callback_url", "SIROCCO_CALLBACK_URL"},
        {"token", "SIROCCO_CALLBACK_TOKEN"},
    };
    sr_err_t rc = s_set_str(self, "SIROCCO_ACTION", run->action, err);
    for (size_t i = 0; rc == SR_OK && i < sizeof map / sizeof map[0]; i++)
        rc = s_set_str(self, map[i].var, wrk_run_context_str(run, map[i].key),
                       err);
    if (rc == SR_OK && run->deadline_ms > 0) {
        char text[32];
        snprintf(text, sizeof text, "%" PRId64, run->deadline_ms);
        rc = s_set_str(self, "SIROCCO_DEADLINE_MS", text, err);
    }
    return rc;
}

char *const *
wrk_env_array(const wrk_env_t *self)
{
    return self->vars;
}
