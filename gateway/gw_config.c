// Settings of sirocco-gateway from a YAML file and flags: one table of
// scalar settings (walked for setting, defaults and usage), plus the
// bearer token and hook lists. Every value is checked here. Owns the
// strings of a gw_config_t; knows nothing of HTTP.
#include "gw_config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lang_yaml.h"

typedef enum { S_STR, S_INT, S_LEVEL } s_kind_t;

typedef struct {
    const char *key;
    s_kind_t kind;
    size_t off; // of the field in gw_config_t
    int64_t min, max;
    const char *def; // default as text; NULL = unset
    const char *doc;
} s_key_t;

#define S_OFF(f) offsetof(gw_config_t, f)

static const s_key_t s_keys[] = {
    {"listen", S_STR, S_OFF(listen), 0, 0, "127.0.0.1:8989",
     "HOST:PORT to serve HTTP on (IPv6: [::1]:8989)"},
    {"cluster", S_STR, S_OFF(cluster), 0, 0, NULL,
     "engine client endpoints, comma-separated (required)"},
    {"curve-secret", S_STR, S_OFF(curve_secret), 0, 0, NULL,
     "CurveZMQ: the gateway's secret key file (docs/security.md)"},
    {"curve-server-key", S_STR, S_OFF(curve_server_key), 0, 0, NULL,
     "CurveZMQ: the engines' public key file"},
    {"max-body-bytes", S_INT, S_OFF(max_body_bytes), 1, (int64_t)1 << 30,
     "1048576", "largest request body; larger gets 413"},
    {"max-header-bytes", S_INT, S_OFF(max_header_bytes), 4096, 1 << 24, "32768",
     "room for the request line and headers (414 or 431 beyond)"},
    {"max-connections", S_INT, S_OFF(max_connections), 1, 65536, "256",
     "connections open at once; more are refused"},
    {"max-connections-per-ip", S_INT, S_OFF(max_connections_per_ip), 1, 65536,
     "64", "connections open at once from one client address"},
    {"idle-clients", S_INT, S_OFF(idle_clients), 0, 1024, "8",
     "engine clients kept open between requests (each request borrows one)"},
    {"conn-timeout-s", S_INT, S_OFF(conn_timeout_s), 1, 3600, "15",
     "an idle connection is closed after this"},
    {"header-timeout-ms", S_INT, S_OFF(header_timeout_ms), 100, 3600000,
     "10000",
     "a request line and headers must be in within this of the "
     "connection's opening (or of the previous answer on it)"},
    {"request-timeout-ms", S_INT, S_OFF(request_timeout_ms), 100, 3600000,
     "30000", "a request still uploading after this is dropped"},
    {"engine-timeout-ms", S_INT, S_OFF(engine_timeout_ms), 10, 600000, "5000",
     "each call to the engines; then 503"},
    {"json-max-depth", S_INT, S_OFF(json_max_depth), 1, 1000, "32",
     "nesting of arrays and objects in a JSON body"},
    {"replay-window-s", S_INT, S_OFF(replay_window_s), 1, 86400 * 7, "300",
     "a webhook delivery id is refused again within this"},
    {"retry-after-s", S_INT, S_OFF(retry_after_s), 0, 3600, "1",
     "Retry-After of a 503 answer"},
    {"list-max", S_INT, S_OFF(list_max), 1, 1000000, "1000",
     "most items a REST list reads from the engines"},
    {"log-level", S_LEVEL, S_OFF(log_level), 0, 0, "info",
     "debug, info, warn, error or off"},
};

#define S_NKEYS (sizeof s_keys / sizeof s_keys[0])

static sr_err_t s_apply(gw_config_t *cfg, const s_key_t *k, const char *value,
                        sr_error_t *err);

void
gw_config_init(gw_config_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < S_NKEYS; i++)
        if (s_keys[i].def)
            (void)s_apply(cfg, &s_keys[i], s_keys[i].def, NULL);
}

static void
s_hook_fini(gw_hook_cfg_t *h)
{
    free(h->name);
    free(h->workflow);
    if (h->secret)
        memset(h->secret, 0, strlen(h->secret));
    free(h->secret);
    memset(h, 0, sizeof *h);
}

void
gw_config_fini(gw_config_t *cfg)
{
    for (size_t i = 0; i < S_NKEYS; i++)
        if (s_keys[i].kind == S_STR)
            free(*(char **)((char *)cfg + s_keys[i].off));
    for (size_t i = 0; i < cfg->ntokens; i++) {
        memset(cfg->tokens[i], 0, strlen(cfg->tokens[i]));
        free(cfg->tokens[i]);
    }
    for (size_t i = 0; i < cfg->nhooks; i++)
        s_hook_fini(&cfg->hooks[i]);
    memset(cfg, 0, sizeof *cfg);
}

static sr_err_t
s_apply(gw_config_t *cfg, const s_key_t *k, const char *value, sr_error_t *err)
{
    void *field = (char *)cfg + k->off;
    if (k->kind == S_STR) {
        char *copy = strdup(value);
        if (!copy)
            return sr_error_set(err, SR_ENOMEM, "out of memory");
        free(*(char **)field);
        *(char **)field = copy;
        return SR_OK;
    }
    if (k->kind == S_LEVEL) {
        if (!sr_log_parse_level(value, (sr_log_level_t *)field))
            return sr_error_set(err, SR_EINVAL,
                                "'%s' must be debug, info, warn, error or "
                                "off, not '%.64s'",
                                k->key, value);
        return SR_OK;
    }
    char *end = NULL;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (errno || !*value || *end || v < k->min || v > k->max)
        return sr_error_set(err, SR_EINVAL,
                            "'%s' must be an integer from %lld to %lld, not "
                            "'%.64s'",
                            k->key, (long long)k->min, (long long)k->max,
                            value);
    *(int64_t *)field = v;
    return SR_OK;
}

// A hook name is one URL path segment of safe characters.
static bool
s_is_name(const char *s)
{
    if (!*s || strlen(s) > 128)
        return false;
    for (; *s; s++)
        if (!(*s >= 'a' && *s <= 'z') && !(*s >= 'A' && *s <= 'Z') &&
            !(*s >= '0' && *s <= '9') && !strchr("-_.", *s))
            return false;
    return true;
}

static sr_err_t
s_add_hook(gw_config_t *cfg, const char *name, const char *workflow,
           const char *secret, sr_error_t *err)
{
    if (cfg->nhooks == GW_MAX_HOOKS)
        return sr_error_set(err, SR_EINVAL, "at most %d hooks", GW_MAX_HOOKS);
    if (!name || !s_is_name(name))
        return sr_error_set(err, SR_EINVAL,
                            "hook name '%.64s' must be 1 to 128 letters, "
                            "digits, '-', '_' or '.'",
                            name ? name : "");
    if (!workflow || !*workflow)
        return sr_error_set(err, SR_EINVAL, "hook '%s' has no workflow", name);
    if (!secret || strlen(secret) < 8)
        return sr_error_set(err, SR_EINVAL,
                            "hook '%s' needs a secret of at least 8 bytes",
                            name);
    gw_hook_cfg_t *h = &cfg->hooks[cfg->nhooks];
    h->name = strdup(name);
    h->workflow = strdup(workflow);
    h->secret = strdup(secret);
    if (!h->name || !h->workflow || !h->secret) {
        s_hook_fini(h);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    cfg->nhooks++;
    return SR_OK;
}

static sr_err_t
s_add_token(gw_config_t *cfg, const char *token, sr_error_t *err)
{
    if (cfg->ntokens == GW_MAX_TOKENS)
        return sr_error_set(err, SR_EINVAL, "at most %d tokens", GW_MAX_TOKENS);
    if (strlen(token) < 16)
        return sr_error_set(err, SR_EINVAL,
                            "a bearer token must have at least 16 bytes");
    if (!(cfg->tokens[cfg->ntokens] = strdup(token)))
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    cfg->ntokens++;
    return SR_OK;
}

// "NAME:WORKFLOW:SECRET" (the secret may hold ':').
static sr_err_t
s_hook_flag(gw_config_t *cfg, const char *value, sr_error_t *err)
{
    const char *a = strchr(value, ':');
    const char *b = a ? strchr(a + 1, ':') : NULL;
    if (!a || !b)
        return sr_error_set(err, SR_EINVAL,
                            "'hook' must read NAME:WORKFLOW:SECRET");
    char *name = strndup(value, (size_t)(a - value));
    char *wf = strndup(a + 1, (size_t)(b - a - 1));
    sr_err_t rc = name && wf ? s_add_hook(cfg, name, wf, b + 1, err)
                             : sr_error_set(err, SR_ENOMEM, "out of memory");
    free(name);
    free(wf);
    return rc;
}

sr_err_t
gw_config_set(gw_config_t *cfg, const char *key, const char *value,
              sr_error_t *err)
{
    char k[64];
    size_t n = 0;
    for (; key[n] && n < sizeof k - 1; n++)
        k[n] = key[n] == '_' ? '-' : key[n];
    k[n] = '\0';
    if (strcmp(k, "token") == 0)
        return s_add_token(cfg, value, err);
    if (strcmp(k, "hook") == 0)
        return s_hook_flag(cfg, value, err);
    for (size_t i = 0; i < S_NKEYS; i++)
        if (strcmp(k, s_keys[i].key) == 0)
            return s_apply(cfg, &s_keys[i], value, err);
    return sr_error_set(err, SR_EINVAL, "unknown setting '%.64s'", key);
}

// --- the YAML file ------------------------------------------------------

static char *
s_read_file(const char *path, size_t max, size_t *len, sr_error_t *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        sr_error_set(err, SR_EIO, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    char *text = malloc(max + 1);
    size_t n = text ? fread(text, 1, max + 1, f) : 0;
    fclose(f);
    if (!text)
        sr_error_set(err, SR_ENOMEM, "out of memory");
    else if (n > max) {
        sr_error_set(err, SR_ETOOBIG, "%s is over %zu bytes", path, max);
        free(text);
        return NULL;
    } else
        text[n] = '\0';
    *len = n;
    return text;
}

static const char *
s_map_str(const sr_value_t *m, const char *key)
{
    return sr_value_map_str(m, key);
}

static sr_err_t
s_load_hook(gw_config_t *cfg, const sr_value_t *h, sr_error_t *err)
{
    if (!sr_value_is(h, SR_T_MAP))
        return sr_error_set(err, SR_EINVAL,
                            "each of 'hooks' is a map (name, workflow, "
                            "secret)");
    const char *file = s_map_str(h, "secret_file");
    char *secret = NULL;
    if (file) {
        size_t len = 0;
        if (!(secret = s_read_file(file, 4096, &len, err)))
            return err ? err->code : SR_EIO;
        while (len && (secret[len - 1] == '\n' || secret[len - 1] == '\r'))
            secret[--len] = '\0';
    }
    sr_err_t rc =
        s_add_hook(cfg, s_map_str(h, "name"), s_map_str(h, "workflow"),
                   secret ? secret : s_map_str(h, "secret"), err);
    if (secret)
        memset(secret, 0, strlen(secret));
    free(secret);
    return rc;
}

// A scalar as text (numbers as written); NULL for anything else.
static char *
s_scalar(const sr_value_t *v)
{
    char buf[32];
    if (sr_value_is(v, SR_T_STR))
        return strdup(sr_value_str(v));
    if (sr_value_is(v, SR_T_INT)) {
        snprintf(buf, sizeof buf, "%lld", (long long)sr_value_int(v));
        return strdup(buf);
    }
    return NULL;
}

// A list of strings joined by commas (cluster) or added one by one.
static sr_err_t
s_load_list(gw_config_t *cfg, const char *key, const sr_value_t *v,
            sr_error_t *err)
{
    sr_err_t rc = SR_OK;
    for (size_t i = 0; !rc && i < sr_value_len(v); i++) {
        const sr_value_t *item = sr_value_array_at(v, i);
        if (strcmp(key, "hooks") == 0) {
            rc = s_load_hook(cfg, item, err);
            continue;
        }
        if (!sr_value_is(item, SR_T_STR))
            return sr_error_set(err, SR_EINVAL, "'%s' lists strings", key);
        if (strcmp(key, "tokens") == 0) {
            rc = s_add_token(cfg, sr_value_str(item), err);
        } else { // cluster
            size_t len = cfg->cluster && i ? strlen(cfg->cluster) : 0;
            char *joined = malloc(len + sr_value_len(item) + 2);
            if (!joined)
                return sr_error_set(err, SR_ENOMEM, "out of memory");
            snprintf(joined, len + sr_value_len(item) + 2, "%.*s%s%s", (int)len,
                     len ? cfg->cluster : "", len ? "," : "",
                     sr_value_str(item));
            free(cfg->cluster);
            cfg->cluster = joined;
        }
    }
    return rc;
}

static sr_err_t
s_load_entry(gw_config_t *cfg, const char *key, const sr_value_t *v,
             sr_error_t *err)
{
    bool is_list = strcmp(key, "tokens") == 0 || strcmp(key, "hooks") == 0 ||
                   strcmp(key, "cluster") == 0;
    if (is_list && sr_value_is(v, SR_T_ARRAY))
        return s_load_list(cfg, key, v, err);
    if (strcmp(key, "tokens") == 0 || strcmp(key, "hooks") == 0)
        return sr_error_set(err, SR_EINVAL, "'%s' must be a list", key);
    char *text = s_scalar(v);
    if (!text)
        return sr_error_set(err, SR_EINVAL,
                            "'%.64s' must be a string or a number", key);
    sr_err_t rc = gw_config_set(cfg, key, text, err);
    free(text);
    return rc;
}

sr_err_t
gw_config_load(gw_config_t *cfg, const char *path, sr_error_t *err)
{
    size_t len = 0;
    char *text = s_read_file(path, GW_CONFIG_MAX_FILE_BYTES, &len, err);
    if (!text)
        return err ? err->code : SR_EIO;
    sr_value_t *doc = NULL;
    sr_err_t rc = lang_yaml_parse(text, len, 8, &doc, err);
    free(text);
    if (!rc && !sr_value_is(doc, SR_T_MAP))
        rc = sr_error_set(err, SR_EINVAL, "expected a mapping of settings");
    for (size_t i = 0; !rc && i < sr_value_len(doc); i++)
        rc = s_load_entry(cfg, sr_value_str(sr_value_map_key(doc, i)),
                          sr_value_map_val(doc, i), err);
    sr_value_destroy(&doc);
    if (rc && err) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        sr_error_set(err, rc, "%s: %.200s", path, msg);
    }
    return rc;
}

sr_err_t
gw_config_check(const gw_config_t *cfg, sr_error_t *err)
{
    if (!cfg->cluster || !*cfg->cluster)
        return sr_error_set(err, SR_EINVAL,
                            "no cluster: give --cluster ENDPOINTS (or "
                            "'cluster' in the config file)");
    for (size_t i = 0; i < cfg->nhooks; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(cfg->hooks[i].name, cfg->hooks[j].name) == 0)
                return sr_error_set(err, SR_EINVAL,
                                    "hook '%s' is defined twice",
                                    cfg->hooks[i].name);
    if (!cfg->curve_secret != !cfg->curve_server_key)
        return sr_error_set(
            err, SR_EINVAL,
            "'%s' needs '%s' too: CurveZMQ takes the "
            "gateway's secret key and the engines' public key",
            cfg->curve_secret ? "curve-secret" : "curve-server-key",
            cfg->curve_secret ? "curve-server-key" : "curve-secret");
    return SR_OK;
}

void
gw_config_usage(FILE *out)
{
    for (size_t i = 0; i < S_NKEYS; i++)
        fprintf(out, "  --%-20s %s%s%s%s\n", s_keys[i].key, s_keys[i].doc,
                s_keys[i].def ? " (default " : "",
                s_keys[i].def ? s_keys[i].def : "", s_keys[i].def ? ")" : "");
    fprintf(out, "  --%-20s %s\n", "token TOKEN",
            "a bearer token for /v2 (repeatable; none = no auth)");
    fprintf(out, "  --%-20s %s\n", "hook N:WF:SECRET",
            "POST /v1/hooks/N starts WF (repeatable)");
}
