// The environment of an action's child process: the worker's own
// environment without any SIROCCO_* variable, plus the run's SIROCCO_*
// variables (action name, execution and action ids, task name, callback
// URL and token, deadline) and, for sirocco.shell, the caller's variables.
//
// Thread rule: one env belongs to one thread. wrk_env_new reads `environ`,
// so nothing may change the process environment (setenv) while workers run.
#ifndef WRK_ENV_H
#define WRK_ENV_H

#include "sr_err.h"
#include "wrk_action.h"

typedef struct wrk_env wrk_env_t;

// A copy of the process environment without SIROCCO_* entries. Caller owns
// *out (wrk_env_destroy).
sr_err_t wrk_env_new(wrk_env_t **out, sr_error_t *err);

void wrk_env_destroy(wrk_env_t **self_p);

// Set (or replace) one variable. SR_EINVAL when `name` is empty or holds
// '=' or the value holds a NUL (given by length); SR_ENOMEM.
sr_err_t wrk_env_set(wrk_env_t *self, const char *name, const char *value,
                     size_t value_len, sr_error_t *err);

// SIROCCO_ACTION, SIROCCO_EXECUTION_ID, SIROCCO_TASK_NAME,
// SIROCCO_ACTION_ID, SIROCCO_CALLBACK_URL, SIROCCO_CALLBACK_TOKEN and
// SIROCCO_DEADLINE_MS from the run (each only when known).
sr_err_t wrk_env_set_run(wrk_env_t *self, const wrk_run_t *run,
                         sr_error_t *err);

// NULL-terminated "NAME=value" array for posix_spawn; borrowed, valid
// until the next change or destroy.
char *const *wrk_env_array(const wrk_env_t *self);

#endif
