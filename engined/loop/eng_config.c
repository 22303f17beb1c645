// Settings of sirocco-engined from a YAML file and flags. Every value is
// checked here, so the daemon starts with a valid configuration or says
// exactly which key is wrong.
#include "eng_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang_yaml.h"

void
eng_settings_init(eng_settings_t *s)
{
    memset(s, 0, sizeof *s);
    s->log_level = SR_LOG_INFO;
    s->cfg.durability = STORE_SYNC;
}

void
eng_settings_fini(eng_settings_t *s)
{
    free(s->name);
    free(s->client);
    free(s->worker);
    free(s->data);
    free(s->callback_url);
    free(s->cluster_path);
    free(s->curve_secret);
    free(s->curve_allow);
    eng_cluster_fini(&s->cluster);
    memset(s, 0, sizeof *s);
}

static sr_err_t
s_int(const char *key, const char *value, int64_t min, int64_t max,
      int64_t *out, sr_error_t *err)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (errno || !*value || *end || v < min || v > max)
        return sr_error_set(err, SR_EINVAL,
                            "'%s' must be an integer from %lld to %lld, not "
                            "'%s'",
                            key, (long long)min, (long long)max, value);
    *out = v;
    return SR_OK;
}

sr_err_t
eng_parse_partitions(const char *text, eng_config_t *cfg, sr_error_t *err)
{
    cfg->npartitions = 0;
    const char *p = text;
    while (*p) {
        char *end = NULL;
        long a = strtol(p, &end, 10), b = a;
        if (end == p)
            goto bad;
        if (*end == '-') {
            const char *q = end + 1;
            b = strtol(q, &end, 10);
            if (end == q)
                goto bad;
        }
        if (a < 0 || b < a || b > 65535)
            goto bad;
        for (long i = a; i <= b; i++) {
            if (cfg->npartitions == ENG_MAX_PARTITIONS)
                return sr_error_set(err, SR_EINVAL,
                                    "'partitions': at most %d per engine",
                                    ENG_MAX_PARTITIONS);
            cfg->partitions[cfg->npartitions++] = (uint16_t)i;
        }
        if (*end == ',')
            end++;
        else if (*end)
            goto bad;
        p = end;
    }
    if (cfg->npartitions)
        return SR_OK;
bad:
    return sr_error_set(err, SR_EINVAL,
                        "'partitions' must read like 0,1,2 or 0-3, not '%s'",
                        text);
}

static sr_err_t
s_str(char **field, const char *value)
{
    char *copy = strdup(value);
    if (!copy)
        return SR_ENOMEM;
    free(*field);
    *field = copy;
    return SR_OK;
}

sr_err_t
eng_settings_set(eng_settings_t *s, const char *key, const char *value,
                 sr_error_t *err)
{
    char k[64];
    size_t n = 0;
    for (; key[n] && n < sizeof k - 1; n++)
        k[n] = key[n] == '_' ? '-' : key[n];
    k[n] = '\0';
    int64_t v = 0;
    sr_err_t rc = SR_OK;
    if (strcmp(k, "name") == 0)
        rc = s_str(&s->name, value);
    else if (strcmp(k, "client") == 0)
        rc = s_str(&s->client, value);
    else if (strcmp(k, "worker") == 0)
        rc = s_str(&s->worker, value);
    else if (strcmp(k, "data") == 0)
        rc = s_str(&s->data, value);
    else if (strcmp(k, "callback-url") == 0)
        rc = s_str(&s->callback_url, value);
    else if (strcmp(k, "cluster") == 0)
        rc = s_str(&s->cluster_path, value);
    else if (strcmp(k, "curve-secret") == 0)
        rc = s_str(&s->curve_secret, value);
    else if (strcmp(k, "curve-allow") == 0)
        rc = s_str(&s->curve_allow, value);
    else if (strcmp(k, "partitions") == 0)
        return eng_parse_partitions(value, &s->cfg, err);
    else if (strcmp(k, "durability") == 0) {
        if (strcmp(value, "sync") == 0)
            s->cfg.durability = STORE_SYNC;
        else if (strcmp(value, "nosync") == 0)
            s->cfg.durability = STORE_NOSYNC;
        else
            return sr_error_set(err, SR_EINVAL,
                                "'durability' must be sync or nosync, not "
                                "'%s'",
                                value);
    } else if (strcmp(k, "max-batch") == 0) {
        if ((rc = s_int(key, value, 1, 1 << 20, &v, err)))
            return rc;
        s->cfg.max_batch = (size_t)v;
    } else if (strcmp(k, "max-payload") == 0) {
        if ((rc = s_int(key, value, 1024, (int64_t)1 << 30, &v, err)))
            return rc;
        s->cfg.max_payload = (size_t)v;
    } else if (strcmp(k, "heartbeat-ms") == 0) {
        if ((rc = s_int(key, value, 10, 3600000, &v, err)))
            return rc;
        s->cfg.heartbeat_ms = v;
    } else if (strcmp(k, "expire-after-s") == 0) {
        if ((rc = s_int(key, value, 0, (int64_t)10 * 366 * 86400, &v, err)))
            return rc;
        s->cfg.expire_after_ms = v * 1000;
    } else if (strcmp(k, "expiry-ms") == 0) {
        if ((rc = s_int(key, value, 20, 36000000, &v, err)))
            return rc;
        s->cfg.expiry_ms = v;
    } else if (strcmp(k, "log-level") == 0) {
        if (!sr_log_parse_level(value, &s->log_level))
            return sr_error_set(err, SR_EINVAL,
                                "'log-level' must be debug, info, warn, "
                                "error or off, not '%s'",
                                value);
    } else
        return sr_error_set(err, SR_EINVAL, "unknown setting '%s'", key);
    if (rc)
        return sr_error_set(err, rc, "out of memory");
    s->cfg.name = s->name;
    s->cfg.client_endpoint = s->client;
    s->cfg.worker_endpoint = s->worker;
    s->cfg.data_dir = s->data;
    s->cfg.callback_url = s->callback_url;
    s->cfg.curve_secret = s->curve_secret;
    s->cfg.curve_allow = s->curve_allow;
    return SR_OK;
}

static sr_err_t
s_fill(eng_settings_t *s, const char *key, char *const *field,
       const char *value, sr_error_t *err)
{
    return *field || !value ? SR_OK : eng_settings_set(s, key, value, err);
}

// This engine's entry and its peers from the cluster file.
static sr_err_t
s_cluster(eng_settings_t *s, sr_error_t *err)
{
    sr_err_t rc = eng_cluster_load(s->cluster_path, &s->cluster, err);
    if (rc)
        return rc;
    const eng_member_t *me = eng_cluster_find(&s->cluster, s->name);
    if (!me)
        return sr_error_set(err, SR_EINVAL,
                            "%s: no engine named '%s' (give --name)",
                            s->cluster_path, s->name ? s->name : "");
    if ((rc = s_fill(s, "client", &s->client,
                     me->bind_client ? me->bind_client : me->client, err)) ||
        (rc = s_fill(s, "worker", &s->worker,
                     me->bind_worker ? me->bind_worker : me->worker, err)))
        return rc;
    if (!s->cfg.npartitions) {
        memcpy(s->cfg.partitions, me->partitions,
               me->npartitions * sizeof *me->partitions);
        s->cfg.npartitions = me->npartitions;
    }
    s->cfg.advertise_worker = me->worker;
    s->cfg.advertise_client = me->client;
    s->cfg.npeers = 0;
    for (size_t i = 0; i < s->cluster.nengines; i++) {
        const eng_member_t *m = &s->cluster.engines[i];
        if (m == me || s->cfg.npeers == ENG_MAX_PEERS)
            continue;
        s->cfg.peers[s->cfg.npeers++] = (eng_peer_config_t){
            m->name, m->client, m->worker, m->partitions, m->npartitions};
    }
    return SR_OK;
}

sr_err_t
eng_settings_finish(eng_settings_t *s, sr_error_t *err)
{
    sr_err_t rc = s->cluster_path ? s_cluster(s, err) : SR_OK;
    if (!rc && !s->curve_secret != !s->curve_allow)
        rc = sr_error_set(err, SR_EINVAL,
                          "'%s' needs '%s' too: CurveZMQ takes the engines' "
                          "secret key (curve-secret) and the folder of the "
                          "public keys they accept (curve-allow)",
                          s->curve_secret ? "curve-secret" : "curve-allow",
                          s->curve_secret ? "curve-allow" : "curve-secret");
    if (!rc)
        rc = s_fill(s, "client", &s->client, "tcp://127.0.0.1:7100", err);
    if (!rc)
        rc = s_fill(s, "worker", &s->worker, "tcp://127.0.0.1:7101", err);
    if (!rc)
        rc = s_fill(s, "data", &s->data, "./sirocco-data", err);
    return rc;
}

// A scalar setting as text (numbers and booleans as written).
static char *
s_text(const sr_value_t *v)
{
    char buf[64];
    switch (sr_value_type(v)) {
    case SR_T_STR:
        return strdup(sr_value_str(v));
    case SR_T_INT:
        snprintf(buf, sizeof buf, "%lld", (long long)sr_value_int(v));
        return strdup(buf);
    case SR_T_BOOL:
        return strdup(sr_value_bool(v) ? "true" : "false");
    case SR_T_ARRAY: { // partitions: [0, 1, 2]
        size_t n = sr_value_len(v), len = 0;
        char *out = calloc(n * 8 + 1, 1);
        for (size_t i = 0; out && i < n; i++) {
            const sr_value_t *x = sr_value_array_at(v, i);
            if (!sr_value_is(x, SR_T_INT)) {
                free(out);
                return NULL;
            }
            len += (size_t)snprintf(out + len, 8, "%s%lld", i ? "," : "",
                                    (long long)sr_value_int(x));
        }
        return out;
    }
    default:
        return NULL;
    }
}

sr_err_t
eng_settings_load(eng_settings_t *s, const char *path, sr_error_t *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sr_error_set(err, SR_EIO, "%s: cannot open: %s", path,
                            strerror(errno));
    char *text = malloc(1 << 16);
    size_t len = text ? fread(text, 1, 1 << 16, f) : 0;
    fclose(f);
    if (!text)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    sr_value_t *doc = NULL;
    sr_err_t rc = len == 1 << 16 ? sr_error_set(err, SR_ETOOBIG, "over 64 KiB")
                                 : lang_yaml_parse(text, len, 8, &doc, err);
    free(text);
    if (!rc && !sr_value_is(doc, SR_T_MAP))
        rc = sr_error_set(err, SR_EINVAL, "expected a mapping of settings");
    for (size_t i = 0; !rc && i < sr_value_len(doc); i++) {
        const char *key = sr_value_str(sr_value_map_key(doc, i));
        const sr_value_t *v = sr_value_map_val(doc, i);
        // Only `partitions` may be a list.
        char *value =
            sr_value_is(v, SR_T_ARRAY) && strcmp(key, "partitions") != 0
                ? NULL
                : s_text(v);
        rc = value ? eng_settings_set(s, key, value, err)
                   : sr_error_set(err, SR_EINVAL,
                                  "'%s' must be a string, a number or a "
                                  "list of partition numbers",
                                  key);
        free(value);
    }
    sr_value_destroy(&doc);
    if (rc) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        sr_error_set(err, rc, "%s: %.200s", path, msg);
    }
    return rc;
}
