// The client half of `sirocco run`: over the engine's client endpoint it
// defines the workflow, starts it (or resumes one), follows its events
// with one progress line per task state change, and prints the outcome.
#ifndef CMD_RUN_CLIENT_H
#define CMD_RUN_CLIENT_H

#include <stdbool.h>

#include "sr_value.h"

typedef struct {
    const char *endpoint;          // the engine's client endpoint
    const char *definition;        // YAML text; NULL when resuming
    const char *workflow;          // name to start
    const sr_value_t *input, *env; // maps or NULL
    const char *task;              // reverse workflows: the target task
    const char *resume;            // execution id to resume, or NULL
    bool json;                     // one JSON object on stdout at the end
} run_client_opts_t;

// Returns the exit code: CLI_OK (SUCCESS), CLI_FAILED (ERROR, CANCELLED,
// or the engine refused), CLI_USAGE (a bad id), CLI_PAUSED.
int run_client(const run_client_opts_t *o);

#endif
