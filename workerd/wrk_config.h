// Configuration of the action runners of one worker: where custom actions
// live, whether the shell action is offered, and the limits every action run
// obeys. A plain struct the daemon fills from its config file; zero fields
// mean "the default" (see wrk_config_resolve). Thread rule: read-only once
// given to wrk_registry_new, which keeps its own copy.
#ifndef WRK_CONFIG_H
#define WRK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_limits.h"

#define WRK_DEFAULT_OUTPUT_LIMIT  SR_1MIB         // per stream of a process
#define WRK_DEFAULT_HTTP_LIMIT    (10 * SR_1MIB)  // std.http response body
#define WRK_DEFAULT_KILL_GRACE_MS ((int64_t)2000) // SIGTERM -> SIGKILL
#define WRK_DEFAULT_MESSAGE_LIMIT ((size_t)4096)  // stderr kept in an error

typedef struct {
    const char *action_dir;     // folder of custom executables; NULL = none
    bool is_shell_enabled;      // offer sirocco.shell (off by default)
    int64_t default_timeout_ms; // bound of processes and std.http; 0 = none
    size_t output_limit_bytes;  // stdout and stderr of a process, each
    size_t http_limit_bytes;    // body of a std.http response
    int64_t kill_grace_ms;      // wait between SIGTERM and SIGKILL
} wrk_config_t;

// A copy of `cfg` (NULL = all defaults) with every zero limit replaced by its
// default. `action_dir` stays borrowed from `cfg`.
wrk_config_t wrk_config_resolve(const wrk_config_t *cfg);

#endif
