// Settings of sirocco-gateway: the table of keys that the config reader
// (sr_cfg.h) walks for the YAML file, the flags, --help and
// docs/gateway.md, with the hooks' section; the checks of a hook and
// those that span keys. Owns the strings of a gw_config_t; knows nothing
// of HTTP.
#include "gw_config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_OFF(f)  offsetof(gw_config_t, f)
#define S_HOOK(f) offsetof(gw_hook_cfg_t, f)

// A hook name is one URL path segment of safe characters.
static bool
s_is_name(const char *s, char *why, size_t size)
{
    for (; *s; s++)
        if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
            !(*s >= '0' && *s <= '9') && !strchr("-_.", *s)) {
            snprintf(why, size, "expected letters, digits, '-', '_' or '.'");
            return false;
        }
    return true;
}

// A hook's secret comes from `secret_file` when it is given.
static bool
s_hook_check(void *item, char *why, size_t size)
{
    gw_hook_cfg_t *h = item;
    if (h->secret_file) {
        if (h->secret)
            memset(h->secret, 0, strlen(h->secret));
        free(h->secret);
        h->secret = h->secret_file;
        h->secret_file = NULL;
    }
    if (h->secret)
        return true;
    snprintf(why, size,
             "hook '%s' needs a secret of at least 8 bytes "
             "(secret or secret_file)",
             h->name);
    return false;
}

static const sr_cfg_key_t s_hook_keys[] = {
    {.name = "name",
     .type = SR_CFG_STR,
     .flags = SR_CFG_REQUIRED,
     .offset = S_HOOK(name),
     .max = 128,
     .check = s_is_name,
     .doc = "POST /v1/hooks/NAME"},
    {.name = "workflow",
     .type = SR_CFG_STR,
     .flags = SR_CFG_REQUIRED,
     .offset = S_HOOK(workflow),
     .doc = "the workflow it starts"},
    {.name = "secret",
     .type = SR_CFG_STR,
     .flags = SR_CFG_SECRET,
     .offset = S_HOOK(secret),
     .min = 8,
     .doc = "the HMAC key"},
    {.name = "secret_file",
     .type = SR_CFG_FILE,
     .flags = SR_CFG_SECRET,
     .offset = S_HOOK(secret_file),
     .min = 8,
     .max = 4096,
     .doc = "a file holding the HMAC key"},
};

static const sr_cfg_section_t s_hook = {
    s_hook_keys,           sizeof s_hook_keys / sizeof *s_hook_keys,
    sizeof(gw_hook_cfg_t), "name:workflow:secret",
    s_hook_check,
};

static const sr_cfg_key_t s_keys[] = {
    {.name = "listen",
     .type = SR_CFG_STR,
     .offset = S_OFF(listen),
     .arg = "HOST:PORT",
     .dflt = "127.0.0.1:8989",
     .doc = "`HOST:PORT` to serve on (`[::1]:8989` for IPv6), alone: when "
            "another program listens there, the gateway exits at its start "
            "with status 1"},
    {.name = "cluster",
     .type = SR_CFG_COMMAS,
     .flags = SR_CFG_REQUIRED,
     .offset = S_OFF(cluster_items),
     .count_offset = S_OFF(ncluster_items),
     .arg = "ENDPOINTS",
     .doc = "the engines' client endpoints"},
    {.name = "curve-secret",
     .type = SR_CFG_STR,
     .offset = S_OFF(curve_secret),
     .arg = "FILE",
     .doc = "CurveZMQ: the gateway's secret key (`NAME_secret` of `sirocco "
            "keygen`); with `curve-server-key`, every connection to the "
            "engines is encrypted and authenticated (docs/security.md)"},
    {.name = "curve-server-key",
     .type = SR_CFG_STR,
     .offset = S_OFF(curve_server_key),
     .arg = "FILE",
     .doc = "CurveZMQ: the engines' public key"},
    {.name = "tokens",
     .flag = "token",
     .type = SR_CFG_LIST,
     .flags = SR_CFG_SECRET | SR_CFG_ADD,
     .offset = S_OFF(tokens),
     .count_offset = S_OFF(ntokens),
     .min = 16,
     .max_items = GW_MAX_TOKENS,
     .arg = "TOKEN",
     .shown = "none (no auth)",
     .doc = "bearer tokens accepted on `/v2`"},
    {.name = "hooks",
     .flag = "hook",
     .type = SR_CFG_SECTIONS,
     .flags = SR_CFG_ADD,
     .offset = S_OFF(hooks),
     .count_offset = S_OFF(nhooks),
     .max_items = GW_MAX_HOOKS,
     .section = &s_hook,
     .arg = "NAME:WORKFLOW:SECRET",
     .doc = "webhooks: in the file, a list of maps with `name`, `workflow` "
            "and `secret` or `secret_file` (a file holding the secret); a "
            "secret has at least 8 bytes"},
    {.name = "max-body-bytes",
     .type = SR_CFG_INT,
     .offset = S_OFF(max_body_bytes),
     .min = 1,
     .max = (int64_t)1 << 30,
     .arg = "BYTES",
     .dflt = "1048576",
     .doc = "largest request body; larger gets 413"},
    {.name = "max-header-bytes",
     .type = SR_CFG_INT,
     .offset = S_OFF(max_header_bytes),
     .min = 4096,
     .max = 1 << 24,
     .arg = "BYTES",
     .dflt = "32768",
     .doc = "room for the request line and headers (414 or 431 beyond)"},
    {.name = "max-connections",
     .type = SR_CFG_INT,
     .offset = S_OFF(max_connections),
     .min = 1,
     .max = 65536,
     .arg = "N",
     .dflt = "256",
     .doc = "connections open at once; more are refused"},
    {.name = "max-connections-per-ip",
     .type = SR_CFG_INT,
     .offset = S_OFF(max_connections_per_ip),
     .min = 1,
     .max = 65536,
     .arg = "N",
     .dflt = "64",
     .doc = "connections open at once from one address"},
    {.name = "idle-clients",
     .type = SR_CFG_INT,
     .offset = S_OFF(idle_clients),
     .min = 0,
     .max = 1024,
     .arg = "N",
     .dflt = "8",
     .doc = "engine clients kept open between requests; each request borrows "
            "one (a burst opens more)"},
    {.name = "conn-timeout-s",
     .type = SR_CFG_INT,
     .offset = S_OFF(conn_timeout_s),
     .min = 1,
     .max = 3600,
     .arg = "S",
     .dflt = "15",
     .doc = "an idle connection is closed after this"},
    {.name = "header-timeout-ms",
     .type = SR_CFG_INT,
     .offset = S_OFF(header_timeout_ms),
     .min = 100,
     .max = 3600000,
     .arg = "MS",
     .dflt = "10000",
     .doc = "a request line and its headers must all be in within this of "
            "the connection's opening (or of the answer to its previous "
            "request); else the connection is closed"},
    {.name = "request-timeout-ms",
     .type = SR_CFG_INT,
     .offset = S_OFF(request_timeout_ms),
     .min = 100,
     .max = 3600000,
     .arg = "MS",
     .dflt = "30000",
     .doc = "a request whose body is still arriving after this is dropped"},
    {.name = "engine-timeout-ms",
     .type = SR_CFG_INT,
     .offset = S_OFF(engine_timeout_ms),
     .min = 10,
     .max = 600000,
     .arg = "MS",
     .dflt = "5000",
     .doc = "the most one call to the engines may take; then 503"},
    {.name = "json-max-depth",
     .type = SR_CFG_INT,
     .offset = S_OFF(json_max_depth),
     .min = 1,
     .max = 1000,
     .arg = "N",
     .dflt = "32",
     .doc = "nesting of arrays and objects in a JSON body"},
    {.name = "replay-window-s",
     .type = SR_CFG_INT,
     .offset = S_OFF(replay_window_s),
     .min = 1,
     .max = 86400 * 7,
     .arg = "S",
     .dflt = "300",
     .doc = "a webhook delivery id is refused again within this"},
    {.name = "retry-after-s",
     .type = SR_CFG_INT,
     .offset = S_OFF(retry_after_s),
     .min = 0,
     .max = 3600,
     .arg = "S",
     .dflt = "1",
     .doc = "`Retry-After` of a 503 answer"},
    {.name = "list-max",
     .type = SR_CFG_INT,
     .offset = S_OFF(list_max),
     .min = 1,
     .max = 1000000,
     .arg = "N",
     .dflt = "1000",
     .doc = "the most items a `/v2` list reads from the engines"},
    {.name = "log-level",
     .type = SR_CFG_ENUM,
     .offset = S_OFF(log_level),
     .choices = sr_cfg_log_levels,
     .dflt = "info",
     .doc = "how much the gateway logs on stderr"},
};

// Checks that span keys; the endpoints joined for the client library.
static void
s_finish(sr_cfg_t *cfg, void *values)
{
    gw_config_t *c = values;
    for (size_t i = 0; i < c->nhooks; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->hooks[i].name, c->hooks[j].name) == 0)
                sr_cfg_problem(cfg, "hook '%s' is defined twice",
                               c->hooks[i].name);
    if (!c->curve_secret != !c->curve_server_key)
        sr_cfg_problem(cfg,
                       "'%s' needs '%s' too: CurveZMQ takes the gateway's "
                       "secret key and the engines' public key",
                       c->curve_secret ? "curve-secret" : "curve-server-key",
                       c->curve_secret ? "curve-server-key" : "curve-secret");
    size_t len = 1;
    for (size_t i = 0; i < c->ncluster_items; i++)
        len += strlen(c->cluster_items[i]) + 1;
    free(c->cluster);
    if (!(c->cluster = calloc(1, len))) {
        sr_cfg_problem(cfg, "out of memory");
        return;
    }
    for (size_t i = 0; i < c->ncluster_items; i++) {
        if (i)
            strcat(c->cluster, ",");
        strcat(c->cluster, c->cluster_items[i]);
    }
}

static const sr_cfg_table_t s_table = {
    "sirocco-gateway",
    "HTTP in front of a Sirocco cluster: delegate callbacks, webhooks, "
    "Mistral's REST API v2, health and metrics (docs/gateway.md).",
    s_keys,
    sizeof s_keys / sizeof *s_keys,
    sizeof(gw_config_t),
    s_finish,
};

const sr_cfg_table_t *
gw_config_table(void)
{
    return &s_table;
}

void
gw_config_fini(gw_config_t *cfg)
{
    if (!cfg)
        return;
    free(cfg->cluster); // made by s_finish, not by the reader
    cfg->cluster = NULL;
    sr_cfg_free(&s_table, cfg);
}
