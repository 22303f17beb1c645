// An execution's environment (what env() returns): expressions written in
// its values are evaluated once, when a top-level execution starts, as
// Mistral does unless the start parameter evaluate_env is false.
#ifndef CORE_ENV_H
#define CORE_ENV_H

#include "core_run.h"

// Replace exec->env by its evaluated form. Inside, env() sees the env as
// given and $ the execution's input. SR_EINVAL with r->err set when an
// expression fails (the start is refused).
sr_err_t core_env_evaluate(core_run_t *r, core_exec_t *exec);

#endif
