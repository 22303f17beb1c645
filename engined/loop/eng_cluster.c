// Reading and checking the cluster file (see eng_cluster.h).
#include "eng_cluster.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"
#include "eng_config.h"
#include "lang_yaml.h"

void
eng_cluster_fini(eng_cluster_t *c)
{
    for (size_t i = 0; i < c->nengines; i++) {
        eng_member_t *m = &c->engines[i];
        free(m->name);
        free(m->client);
        free(m->worker);
        free(m->bind_client);
        free(m->bind_worker);
        free(m->partitions);
    }
    memset(c, 0, sizeof *c);
}

size_t
eng_cluster_place(const uint16_t *parts, size_t n, uint16_t number)
{
    for (size_t k = 0; k < n; k++)
        if (parts[k] == number)
            return k;
    return SIZE_MAX;
}

const eng_member_t *
eng_cluster_find(const eng_cluster_t *c, const char *name)
{
    for (size_t i = 0; name && i < c->nengines; i++)
        if (strcmp(c->engines[i].name, name) == 0)
            return &c->engines[i];
    return NULL;
}

sr_err_t
eng_cluster_apply(const eng_cluster_t *c, eng_config_t *cfg, sr_error_t *err)
{
    const eng_member_t *me = eng_cluster_find(c, cfg->name);
    cfg->left = !me;
    if (me) {
        memcpy(cfg->partitions, me->partitions,
               me->npartitions * sizeof *me->partitions);
        cfg->npartitions = me->npartitions;
        cfg->replica_id = me->id;
    }
    cfg->replicas = c->replicas;
    cfg->map_version = c->version;
    cfg->cluster_partitions = c->total;
    for (size_t i = 0; i < cfg->npeers; i++) {
        eng_peer_config_t *p = &cfg->peers[i];
        const eng_member_t *m = eng_cluster_find(c, p->name);
        p->removed = !m;
        p->npartitions = m ? m->npartitions : 0;
        if (m) // the same name, id and endpoints (eng_map checks)
            p->name = m->name, p->client = m->client, p->worker = m->worker,
            p->partitions = m->partitions;
    }
    for (size_t i = 0; i < c->nengines; i++) {
        const eng_member_t *m = &c->engines[i];
        bool known = m == me;
        for (size_t k = 0; !known && k < cfg->npeers; k++)
            known = strcmp(cfg->peers[k].name, m->name) == 0;
        if (known)
            continue;
        if (cfg->npeers == ENG_MAX_PEERS)
            return sr_error_set(err, SR_EINVAL,
                                "engine %s: over %d peers in all", m->name,
                                ENG_MAX_PEERS);
        cfg->peers[cfg->npeers++] =
            (eng_peer_config_t){.name = m->name,
                                .client = m->client,
                                .worker = m->worker,
                                .partitions = m->partitions,
                                .npartitions = m->npartitions,
                                .replica_id = m->id};
    }
    return SR_OK;
}

static char *
s_str(const sr_value_t *m, const char *key)
{
    const char *s = sr_value_map_str(m, key);
    return s ? strdup(s) : NULL;
}

// partitions: "0-3", "0,2" or a list of numbers.
static sr_err_t
s_partitions(const sr_value_t *v, eng_member_t *m, sr_error_t *err)
{
    eng_config_t tmp = {0};
    char text[2048] = "";
    if (sr_value_is(v, SR_T_INT))
        snprintf(text, sizeof text, "%lld", (long long)sr_value_int(v));
    else if (sr_value_is(v, SR_T_STR))
        snprintf(text, sizeof text, "%s", sr_value_str(v));
    else if (sr_value_is(v, SR_T_ARRAY))
        for (size_t i = 0; i < sr_value_len(v); i++) {
            size_t n = strlen(text);
            const sr_value_t *x = sr_value_array_at(v, i);
            if (!sr_value_is(x, SR_T_INT) || n > sizeof text - 16)
                return sr_error_set(err, SR_EINVAL,
                                    "must list partition numbers");
            snprintf(text + n, sizeof text - n, "%s%lld", i ? "," : "",
                     (long long)sr_value_int(x));
        }
    sr_err_t rc = eng_parse_partitions(text, &tmp, err);
    if (rc)
        return rc;
    m->partitions = malloc(tmp.npartitions * sizeof *m->partitions);
    if (!m->partitions)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    memcpy(m->partitions, tmp.partitions,
           tmp.npartitions * sizeof *m->partitions);
    m->npartitions = tmp.npartitions;
    return SR_OK;
}

static sr_err_t
s_member(const sr_value_t *e, eng_member_t *m, sr_error_t *err)
{
    if (!sr_value_is(e, SR_T_MAP))
        return sr_error_set(err, SR_EINVAL, "must be a mapping");
    m->name = s_str(e, "name");
    m->client = s_str(e, "client");
    m->worker = s_str(e, "worker");
    m->bind_client = s_str(e, "bind-client");
    m->bind_worker = s_str(e, "bind-worker");
    if (!m->name || !m->client || !m->worker)
        return sr_error_set(err, SR_EINVAL,
                            "name, client and worker are required strings");
    const sr_value_t *id = sr_value_map_get(e, "id");
    if (id && (!sr_value_is(id, SR_T_INT) || sr_value_int(id) < 1 ||
               sr_value_int(id) > 1000000))
        return sr_error_set(err, SR_EINVAL,
                            "id: a replica id from 1 to 1000000");
    if (id)
        m->id = (uint64_t)sr_value_int(id);
    const sr_value_t *p = sr_value_map_get(e, "partitions");
    if (!p)
        return sr_error_set(err, SR_EINVAL, "partitions: required");
    sr_err_t rc = s_partitions(p, m, err);
    if (rc) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        sr_error_set(err, rc, "partitions: %.200s", msg);
    }
    return rc;
}

// Every partition below the total held `replicas` times, by distinct
// engines; names unique.
static sr_err_t
s_check(const eng_cluster_t *c, sr_error_t *err)
{
    uint8_t *owned = calloc(c->total ? c->total : 1, 1);
    if (!owned)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    sr_err_t rc = SR_OK;
    for (size_t i = 0; !rc && i < c->nengines; i++) {
        const eng_member_t *m = &c->engines[i];
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->engines[j].name, m->name) == 0)
                rc = sr_error_set(err, SR_EINVAL,
                                  "engines[%zu]: name '%s' used twice", i,
                                  m->name);
            else if (c->engines[j].id == m->id)
                rc = sr_error_set(err, SR_EINVAL,
                                  "engines[%zu]: id %llu used twice", i,
                                  (unsigned long long)m->id);
        for (size_t k = 0; !rc && k < m->npartitions; k++) {
            uint16_t p = m->partitions[k];
            if (p >= c->total)
                rc = sr_error_set(err, SR_EINVAL,
                                  "engines[%zu]: partition %u is not below "
                                  "the total of %zu",
                                  i, p, c->total);
            else if (c->replicas == 1 && owned[p])
                rc = sr_error_set(err, SR_EINVAL,
                                  "engines[%zu]: partition %u has another "
                                  "owner",
                                  i, p);
            else if (++owned[p] > c->replicas)
                rc = sr_error_set(err, SR_EINVAL,
                                  "engines[%zu]: partition %u is held by "
                                  "more than %zu engines (replicas)",
                                  i, p, c->replicas);
            for (size_t q = 0; !rc && q < k; q++)
                if (m->partitions[q] == p)
                    rc = sr_error_set(err, SR_EINVAL,
                                      "engines[%zu]: partition %u listed "
                                      "twice",
                                      i, p);
        }
    }
    for (size_t p = 0; !rc && p < c->total; p++)
        if (!owned[p])
            rc = sr_error_set(err, SR_EINVAL, "partition %zu has no owner", p);
        else if (owned[p] != c->replicas)
            rc = sr_error_set(err, SR_EINVAL,
                              "partition %zu is held by %u engines; "
                              "replicas is %zu",
                              p, owned[p], c->replicas);
    free(owned);
    return rc;
}

static sr_err_t
s_read(const char *path, char **text, size_t *len, sr_error_t *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sr_error_set(err, SR_EIO, "cannot open: %s", strerror(errno));
    *text = malloc(1 << 20);
    *len = *text ? fread(*text, 1, 1 << 20, f) : 0;
    fclose(f);
    if (!*text)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    if (*len == 1 << 20) {
        free(*text);
        *text = NULL;
        return sr_error_set(err, SR_ETOOBIG, "over 1 MiB");
    }
    return SR_OK;
}

sr_err_t
eng_cluster_load(const char *path, eng_cluster_t *out, sr_error_t *err)
{
    memset(out, 0, sizeof *out);
    char *text = NULL;
    size_t len = 0;
    sr_err_t rc = s_read(path, &text, &len, err);
    if (rc) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        return sr_error_set(err, rc, "%s: %.400s", path, msg);
    }
    rc = eng_cluster_parse(text, len, path, out, err);
    free(text);
    return rc;
}

sr_err_t
eng_cluster_parse(const char *text, size_t len, const char *where,
                  eng_cluster_t *out, sr_error_t *err)
{
    memset(out, 0, sizeof *out);
    sr_value_t *doc = NULL;
    sr_err_t rc = len > 1 << 20 ? sr_error_set(err, SR_ETOOBIG, "over 1 MiB")
                                : lang_yaml_parse(text, len, 16, &doc, err);
    const sr_value_t *engines = sr_value_map_get(doc, "engines");
    const sr_value_t *total = sr_value_map_get(doc, "partitions");
    if (!rc && (!sr_value_is(engines, SR_T_ARRAY) || !sr_value_len(engines) ||
                sr_value_len(engines) > ENG_CLUSTER_MAX_ENGINES))
        rc = sr_error_set(err, SR_EINVAL,
                          "engines: a list of 1 to %d engines is required",
                          ENG_CLUSTER_MAX_ENGINES);
    if (!rc && (!sr_value_is(total, SR_T_INT) || sr_value_int(total) < 1 ||
                sr_value_int(total) > 65536))
        rc = sr_error_set(err, SR_EINVAL,
                          "partitions: the total number (1 to 65536) is "
                          "required");
    if (!rc)
        out->total = (size_t)sr_value_int(total);
    const sr_value_t *replicas = sr_value_map_get(doc, "replicas");
    out->replicas = 1;
    if (!rc && replicas &&
        (!sr_value_is(replicas, SR_T_INT) || sr_value_int(replicas) < 1 ||
         sr_value_int(replicas) > ENG_CLUSTER_MAX_REPLICAS ||
         (size_t)sr_value_int(replicas) > sr_value_len(engines)))
        rc = sr_error_set(err, SR_EINVAL,
                          "replicas: copies of each partition, 1 to %d and "
                          "at most the number of engines",
                          ENG_CLUSTER_MAX_REPLICAS);
    else if (!rc && replicas)
        out->replicas = (size_t)sr_value_int(replicas);
    const sr_value_t *version = sr_value_map_get(doc, "version");
    if (!rc && version &&
        (!sr_value_is(version, SR_T_INT) || sr_value_int(version) < 0))
        rc = sr_error_set(err, SR_EINVAL,
                          "version: the map's version, 0 or more");
    else if (!rc && version)
        out->version = (uint64_t)sr_value_int(version);
    for (size_t i = 0; !rc && i < sr_value_len(engines); i++) {
        out->nengines = i + 1;
        out->engines[i].id = (uint64_t)i + 1;
        rc = s_member(sr_value_array_at(engines, i), &out->engines[i], err);
        if (rc) {
            char msg[sizeof err->msg];
            memcpy(msg, err->msg, sizeof msg);
            sr_error_set(err, rc, "engines[%zu]: %.300s", i, msg);
        }
    }
    if (!rc)
        rc = s_check(out, err);
    sr_value_destroy(&doc);
    if (rc) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        sr_error_set(err, rc, "%s: %.400s", where, msg);
        eng_cluster_fini(out);
    }
    return rc;
}
