// sirocco-gateway's settings: its table of keys for the config reader
// (sr_cfg.h), each a key of the YAML file and a flag (the flags win); the
// hooks are a section (a map each, or NAME:WORKFLOW:SECRET), the bearer
// tokens a list; the checks that span keys.
//
// Ownership: a gw_config_t owns every string in it; free with
// gw_config_fini(). Thread rule: built by one thread before the server
// starts; read-only afterwards (shared by the server's threads).
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "sr_cfg.h"
#include "sr_err.h"

#define GW_MAX_TOKENS 64
#define GW_MAX_HOOKS  256

// A webhook: POST /v1/hooks/NAME starts WORKFLOW when the body is signed
// with SECRET (HMAC-SHA256, X-Hub-Signature-256).
typedef struct {
    char *name;
    char *workflow;
    char *secret;
    char *secret_file; // read: the file's text, moved to secret
} gw_hook_cfg_t;

typedef struct {
    char *listen;           // "HOST:PORT"
    char **cluster_items;   // engine client endpoints, as given
    size_t ncluster_items;  //
    char *cluster;          // the same, comma-separated
    char *curve_secret;     // CurveZMQ: the gateway's secret key file
    char *curve_server_key; // and the engines' public key; or NULL
    char **tokens;          // bearer tokens for /v2; none = no auth
    size_t ntokens;
    gw_hook_cfg_t *hooks;
    size_t nhooks;
    int64_t max_body_bytes;         // request body
    int64_t max_header_bytes;       // request line and headers
    int64_t max_connections;        // open at once
    int64_t max_connections_per_ip; // open at once from one address
    int64_t idle_clients;           // engine clients kept between requests
    int64_t conn_timeout_s;         // idle connection
    int64_t header_timeout_ms;      // request line and headers, from the
                                    // opening or the previous answer
    int64_t request_timeout_ms;     // whole request, upload included
    int64_t engine_timeout_ms;      // each call to the engines
    int64_t json_max_depth;         // nesting of a JSON body
    int64_t replay_window_s;        // webhook delivery ids remembered
    int64_t retry_after_s;          // Retry-After of a 503
    int64_t list_max;               // most items a list reads from the engines
    int log_level;                  // an sr_log_level_t
} gw_config_t;

// The table of keys, in --help order; values go into a gw_config_t.
const sr_cfg_table_t *gw_config_table(void);

void gw_config_fini(gw_config_t *cfg);

#endif
