// Settings of sirocco-engined: the table of keys that the config reader
// (sr_cfg.h) walks for the YAML file, the flags, --help and
// docs/operations.md; partition lists; and the finish that reads the
// cluster file, checks the keys that go in pairs and makes the engine's
// eng_config_t. Every value is checked, so the daemon starts with a valid
// configuration or says exactly which key is wrong.
#include "eng_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_log.h"

#define S_OFF(f)           offsetof(eng_settings_t, f)
#define S_PARTITION_LAST   65535
#define S_EXPIRE_AFTER_MAX ((int64_t)10 * 366 * 86400)

// One item of a partition list, "N" or "A-B", at p; *end after it.
static bool
s_range(const char *p, long *a, long *b, char **end)
{
    *a = strtol(p, end, 10);
    *b = *a;
    if (*end == p)
        return false;
    if (**end == '-') {
        const char *q = *end + 1;
        *b = strtol(q, end, 10);
        if (*end == q)
            return false;
    }
    return *a >= 0 && *b >= *a && *b <= S_PARTITION_LAST;
}

// Append partitions a..b to cfg.
static sr_err_t
s_add_range(eng_config_t *cfg, long a, long b, sr_error_t *err)
{
    for (long i = a; i <= b; i++) {
        if (cfg->npartitions == ENG_MAX_PARTITIONS)
            return sr_error_set(err, SR_EINVAL,
                                "'partitions': at most %d per engine",
                                ENG_MAX_PARTITIONS);
        cfg->partitions[cfg->npartitions++] = (uint16_t)i;
    }
    return SR_OK;
}

sr_err_t
eng_parse_partitions(const char *text, eng_config_t *cfg, sr_error_t *err)
{
    cfg->npartitions = 0;
    const char *p = text;
    while (*p) {
        char *end = NULL;
        long a, b;
        if (!s_range(p, &a, &b, &end))
            goto bad;
        sr_err_t rc = s_add_range(cfg, a, b, err);
        if (rc)
            return rc;
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

static bool
s_partition_check(const char *text, char *why, size_t size)
{
    char *end = NULL;
    long a, b;
    if (s_range(text, &a, &b, &end) && !*end)
        return true;
    snprintf(why, size, "expected a partition N or a range A-B, from 0 to %d",
             S_PARTITION_LAST);
    return false;
}

static const sr_cfg_choice_t s_durability[] = {
    {"sync", STORE_SYNC}, {"nosync", STORE_NOSYNC}, {NULL, 0}};

static const sr_cfg_key_t s_keys[] = {
    {.name = "name",
     .type = SR_CFG_STR,
     .offset = S_OFF(name),
     .arg = "NAME",
     .doc = "engine name; with `cluster`, its entry in the cluster file"},
    {.name = "cluster",
     .type = SR_CFG_STR,
     .offset = S_OFF(cluster_path),
     .arg = "FILE",
     .doc = "the cluster file: this engine's endpoints and partitions, and "
            "its peers"},
    {.name = "client",
     .type = SR_CFG_STR,
     .offset = S_OFF(client),
     .arg = "ENDPOINT",
     .dflt = "tcp://127.0.0.1:7100",
     .doc = "endpoint bound for clients (with a cluster file: its "
            "`bind-client`, else `client`)"},
    {.name = "worker",
     .type = SR_CFG_STR,
     .offset = S_OFF(worker),
     .arg = "ENDPOINT",
     .dflt = "tcp://127.0.0.1:7101",
     .doc = "endpoint bound for workers (with a cluster file: `bind-worker`, "
            "else `worker`)"},
    {.name = "data",
     .type = SR_CFG_STR,
     .offset = S_OFF(data),
     .arg = "DIR",
     .dflt = "./sirocco-data",
     .doc = "folder of the partitions, one LMDB environment each (`p0`, "
            "`p1`, ...)"},
    {.name = "partitions",
     .type = SR_CFG_COMMAS,
     .offset = S_OFF(partitions),
     .count_offset = S_OFF(npartitions),
     .check = s_partition_check,
     .arg = "0,1|0-3",
     .shown = "`0` (or the cluster file's)",
     .doc = "partitions held, as numbers and ranges: `0-3`, `0,2,5`"},
    {.name = "durability",
     .type = SR_CFG_ENUM,
     .offset = S_OFF(durability),
     .choices = s_durability,
     .dflt = "sync",
     .doc = "`sync`: a batch reaches the disk before anything is answered; "
            "`nosync`: faster, a machine crash may lose the last batches"},
    {.name = "max-batch",
     .type = SR_CFG_INT,
     .offset = S_OFF(max_batch),
     .min = 1,
     .max = 1 << 20,
     .arg = "N",
     .dflt = "1024",
     .doc = "messages taken per batch (one write transaction per partition)"},
    {.name = "max-payload",
     .type = SR_CFG_INT,
     .offset = S_OFF(max_payload),
     .min = 1024,
     .max = (int64_t)1 << 30,
     .arg = "BYTES",
     .dflt = "1048576",
     .doc = "largest message accepted, in bytes"},
    {.name = "heartbeat-ms",
     .type = SR_CFG_INT,
     .offset = S_OFF(heartbeat_ms),
     .min = 10,
     .max = 3600000,
     .arg = "MS",
     .dflt = "1000",
     .doc = "`HEARTBEAT` to silent workers and subscribed clients after this, "
            "and to every peer engine at this interval"},
    {.name = "expiry-ms",
     .type = SR_CFG_INT,
     .offset = S_OFF(expiry_ms),
     .min = 20,
     .max = 36000000,
     .arg = "MS",
     .shown = "5 × `heartbeat-ms`",
     .doc = "a worker or client silent this long is lost; a lost worker's "
            "running actions fail (the retry policy decides). A peer engine "
            "silent this long is down (see \"The cluster file\"): keep it "
            "above every engine's `heartbeat-ms`"},
    {.name = "election-ms",
     .type = SR_CFG_INT,
     .offset = S_OFF(election_ms),
     .min = 50,
     .max = 600000,
     .arg = "MS",
     .dflt = "1000",
     .doc = "replicated partitions (`replicas` above 1 in the cluster file): "
            "a follower that hears nothing from its leader this long (and "
            "up to twice as long, at random) stands for election; the "
            "leader sends its heartbeat ten times as often"},
    {.name = "expire-after-s",
     .type = SR_CFG_INT,
     .offset = S_OFF(expire_after_s),
     .min = 0,
     .max = S_EXPIRE_AFTER_MAX,
     .arg = "S",
     .dflt = "0",
     .shown = "0 (keep)",
     .doc = "delete top-level executions that finished (`SUCCESS`, `ERROR`, "
            "`CANCELLED`) more than this many seconds ago, with everything of "
            "them (see \"Deleting executions\")"},
    {.name = "callback-url",
     .type = SR_CFG_STR,
     .offset = S_OFF(callback_url),
     .arg = "URL",
     .doc = "base URL given to delegate actions to call back (the gateway)"},
    {.name = "curve-secret",
     .type = SR_CFG_STR,
     .offset = S_OFF(curve_secret),
     .arg = "FILE",
     .doc = "CurveZMQ: the engines' secret key (the keypair the engines of a "
            "cluster share); with `curve-allow`, every connection is "
            "encrypted and authenticated (docs/security.md)"},
    {.name = "curve-allow",
     .type = SR_CFG_STR,
     .offset = S_OFF(curve_allow),
     .arg = "DIR",
     .doc = "CurveZMQ: the folder of the public keys the engine accepts"},
    {.name = "log-level",
     .type = SR_CFG_ENUM,
     .offset = S_OFF(log_level),
     .choices = sr_cfg_log_levels,
     .dflt = "info",
     .doc = "how much the engine logs on stderr"},
};

// A setting from the cluster file, unless the file or a flag gave it.
static void
s_fill(sr_cfg_t *cfg, const char *key, char **field, const char *value)
{
    if (sr_cfg_is_given(cfg, key) || !value)
        return;
    char *copy = strdup(value);
    if (!copy) {
        sr_cfg_problem(cfg, "out of memory");
        return;
    }
    free(*field);
    *field = copy;
}

// This engine's entry and its peers from the cluster file.
static void
s_cluster(sr_cfg_t *cfg, eng_settings_t *s)
{
    sr_error_t err;
    if (eng_cluster_load(s->cluster_path, &s->cluster, &err)) {
        sr_cfg_problem(cfg, "%s", err.msg);
        return;
    }
    const eng_member_t *me = eng_cluster_find(&s->cluster, s->name);
    if (!me) {
        sr_cfg_problem(cfg, "%s: no engine named '%s' (give --name)",
                       s->cluster_path, s->name ? s->name : "");
        return;
    }
    s_fill(cfg, "client", &s->client,
           me->bind_client ? me->bind_client : me->client);
    s_fill(cfg, "worker", &s->worker,
           me->bind_worker ? me->bind_worker : me->worker);
    s->cfg.advertise_worker = me->worker;
    s->cfg.advertise_client = me->client;
    s->cfg.cluster_path = s->cluster_path;
    // Partitions given as flags win over the file's.
    uint16_t given[ENG_MAX_PARTITIONS];
    size_t ngiven = s->cfg.npartitions;
    memcpy(given, s->cfg.partitions, ngiven * sizeof *given);
    s->cfg.npeers = 0;
    s->cfg.name = s->name;
    if (eng_cluster_apply(&s->cluster, &s->cfg, &err)) {
        sr_cfg_problem(cfg, "%s: %s", s->cluster_path, err.msg);
        return;
    }
    if (ngiven) {
        memcpy(s->cfg.partitions, given, ngiven * sizeof *given);
        s->cfg.npartitions = ngiven;
    }
}

// After the file and the flags: the partitions given, the cluster file,
// the keys that go in pairs, then the engine's configuration.
static void
s_finish(sr_cfg_t *cfg, void *values)
{
    eng_settings_t *s = values;
    sr_error_t err;
    for (size_t i = 0; i < s->npartitions; i++) {
        char *end = NULL;
        long a, b;
        if (s_range(s->partitions[i], &a, &b, &end) &&
            s_add_range(&s->cfg, a, b, &err)) {
            sr_cfg_problem(cfg, "%s", err.msg);
            return;
        }
    }
    if (s->cluster_path)
        s_cluster(cfg, s);
    if (!s->curve_secret != !s->curve_allow)
        sr_cfg_problem(cfg,
                       "'%s' needs '%s' too: CurveZMQ takes the engines' "
                       "secret key (curve-secret) and the folder of the "
                       "public keys they accept (curve-allow)",
                       s->curve_secret ? "curve-secret" : "curve-allow",
                       s->curve_secret ? "curve-allow" : "curve-secret");
    s->cfg.name = s->name;
    s->cfg.client_endpoint = s->client;
    s->cfg.worker_endpoint = s->worker;
    s->cfg.data_dir = s->data;
    s->cfg.callback_url = s->callback_url;
    s->cfg.curve_secret = s->curve_secret;
    s->cfg.curve_allow = s->curve_allow;
    s->cfg.durability = (store_durability_t)s->durability;
    s->cfg.max_batch = (size_t)s->max_batch;
    s->cfg.max_payload = (size_t)s->max_payload;
    s->cfg.heartbeat_ms = s->heartbeat_ms;
    s->cfg.election_ms = s->election_ms;
    s->cfg.expiry_ms = s->expiry_ms;
    s->cfg.expire_after_ms = s->expire_after_s * 1000;
}

static const sr_cfg_table_t s_table = {
    "sirocco-engined",
    "The Sirocco engine: holds the executions of its partitions, each in its "
    "own LMDB folder DATA/pN, and serves clients and workers "
    "(docs/operations.md, \"Running engined\").",
    s_keys,
    sizeof s_keys / sizeof *s_keys,
    sizeof(eng_settings_t),
    s_finish,
};

const sr_cfg_table_t *
eng_settings_table(void)
{
    return &s_table;
}

void
eng_settings_fini(eng_settings_t *s)
{
    if (!s)
        return;
    eng_cluster_fini(&s->cluster);
    sr_cfg_free(&s_table, s);
}
