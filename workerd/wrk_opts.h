// The options of sirocco-workerd: its table of keys for the config reader
// (sr_cfg.h), each a key of the YAML config file (`slots: 8`) and a flag
// (`--slots 8`), a flag winning over the file; the checks that span keys;
// and the registry and node configurations the options describe
// (wrk_node.h). main.c reads them with sr_cfg_main().
//
// Thread rule: one thread (the daemon's main).
#ifndef WRK_OPTS_H
#define WRK_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_cfg.h"
#include "wrk_config.h"
#include "wrk_node.h"

typedef struct {
    char **items; // owned, NULL-terminated
    size_t n;
} wrk_opt_list_t;

// The values; strings and lists owned, free with wrk_opts_fini().
typedef struct {
    char *name;
    wrk_opt_list_t engines;
    int64_t slots;
    wrk_opt_list_t offer;
    char *target;
    char *actions_dir;
    bool enable_shell;
    int64_t heartbeat_ms, expiry_ms, resend_ms, grace_ms;
    int64_t max_message_bytes;
    int64_t action_timeout_ms, output_limit_bytes, http_limit_bytes;
    int64_t kill_grace_ms;
    char *curve_secret;     // this worker's secret certificate
    char *curve_server_key; // the engines' public certificate
    int log_level;          // an sr_log_level_t
} wrk_opts_t;

// The table of keys, in --help order; values go into a wrk_opts_t.
const sr_cfg_table_t *wrk_opts_table(void);

void wrk_opts_fini(wrk_opts_t *self);

// The configurations the options describe. Strings stay borrowed from
// `self`; node->registry is left NULL for the caller.
void wrk_opts_worker_config(const wrk_opts_t *self, wrk_config_t *out);
void wrk_opts_node_config(const wrk_opts_t *self, wrk_node_config_t *out);

#endif
