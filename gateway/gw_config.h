// sirocco-gateway's settings: a YAML file and command-line flags (the
// flags win), checked here so the gateway starts with a valid
// configuration or says exactly which key is wrong. Scalar settings come
// from one table (key, type, range, default, doc) that also prints the
// usage text; bearer tokens and hooks are lists.
//
// Ownership: a gw_config_t owns every string in it; free with
// gw_config_fini(). Thread rule: built by one thread before the server
// starts; read-only afterwards (shared by the server's threads).
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sr_err.h"
#include "sr_log.h"

#define GW_CONFIG_MAX_FILE_BYTES (1 << 16)
#define GW_MAX_TOKENS            64
#define GW_MAX_HOOKS             256

// A webhook: POST /v1/hooks/NAME starts WORKFLOW when the body is signed
// with SECRET (HMAC-SHA256, X-Hub-Signature-256).
typedef struct {
    char *name;
    char *workflow;
    char *secret;
} gw_hook_cfg_t;

typedef struct {
    char *listen;                // "HOST:PORT"
    char *cluster;               // engine client endpoints, comma-separated
    char *curve_secret;          // CurveZMQ: the gateway's secret key file
    char *curve_server_key;      // and the engines' public key; or NULL
    char *tokens[GW_MAX_TOKENS]; // bearer tokens for /v2; none = no auth
    size_t ntokens;
    gw_hook_cfg_t hooks[GW_MAX_HOOKS];
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
    sr_log_level_t log_level;
} gw_config_t;

// Defaults for every setting (cluster is left unset).
void gw_config_init(gw_config_t *cfg);
void gw_config_fini(gw_config_t *cfg);

// Apply one setting by key (a YAML key or a flag without its dashes; '-'
// and '_' are the same). "token" adds a bearer token; "hook" adds a hook
// written NAME:WORKFLOW:SECRET. SR_EINVAL names the key and the problem.
sr_err_t gw_config_set(gw_config_t *cfg, const char *key, const char *value,
                       sr_error_t *err);

// Read a YAML mapping of settings. `tokens` is a list of strings, `hooks`
// a list of maps with name, workflow and secret (or secret_file),
// `cluster` a string or a list. Errors read "FILE: ...".
sr_err_t gw_config_load(gw_config_t *cfg, const char *path, sr_error_t *err);

// Final checks once everything is applied: a cluster is set, hook names
// are unique and usable in a URL, the CurveZMQ files come in pairs.
sr_err_t gw_config_check(const gw_config_t *cfg, sr_error_t *err);

// The settings with their defaults and docs, for --help.
void gw_config_usage(FILE *out);

#endif
