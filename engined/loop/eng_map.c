// A newer cluster map, taken online (see eng_map.h).
#include "eng_map.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sr_log.h"

struct eng_map {
    eng_cluster_t **maps; // owned, every map taken
    size_t n;
};

eng_map_t *
eng_map_new(void)
{
    return calloc(1, sizeof(eng_map_t));
}

void
eng_map_destroy(eng_map_t **self_p)
{
    eng_map_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->n; i++) {
        eng_cluster_fini(self->maps[i]);
        free(self->maps[i]);
    }
    free(self->maps);
    free(self);
    *self_p = NULL;
}

static bool
s_same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

// What may not change between cfg's map and `next`.
static sr_err_t
s_check(const eng_config_t *cfg, const eng_cluster_t *next, sr_error_t *err)
{
    if (cfg->replicas < 2)
        return sr_error_set(err, SR_EINVAL,
                            "map: the engines' partitions are not replicated "
                            "(replicas 1): their map changes only with a "
                            "restart");
    if (next->replicas != cfg->replicas)
        return sr_error_set(err, SR_EINVAL,
                            "map: replicas: %zu, not %zu: the number of "
                            "copies does not change online",
                            next->replicas, cfg->replicas);
    if (next->total != cfg->cluster_partitions)
        return sr_error_set(err, SR_EINVAL,
                            "map: partitions: %zu, not %zu: the total is fixed "
                            "when the cluster is made",
                            next->total, cfg->cluster_partitions);
    for (size_t i = 0; i < next->nengines; i++) {
        const eng_member_t *m = &next->engines[i];
        uint64_t id = 0;
        const char *client = NULL, *worker = NULL;
        if (s_same(m->name, cfg->name)) {
            id = cfg->replica_id;
            client = cfg->advertise_client;
            worker = cfg->advertise_worker;
        }
        for (size_t k = 0; !id && k < cfg->npeers; k++)
            if (s_same(m->name, cfg->peers[k].name)) {
                id = cfg->peers[k].replica_id;
                client = cfg->peers[k].client;
                worker = cfg->peers[k].worker;
            }
        if (!id) { // a new engine: a new id
            bool used = m->id == cfg->replica_id;
            for (size_t k = 0; !used && k < cfg->npeers; k++)
                used = cfg->peers[k].replica_id == m->id;
            if (used)
                return sr_error_set(err, SR_EINVAL,
                                    "map: engines[%zu]: id %llu is another "
                                    "engine's",
                                    i, (unsigned long long)m->id);
            continue;
        }
        if (m->id != id)
            return sr_error_set(err, SR_EINVAL,
                                "map: engines[%zu] (%s): id %llu, not %llu: an "
                                "engine keeps its id",
                                i, m->name, (unsigned long long)m->id,
                                (unsigned long long)id);
        if ((client && !s_same(client, m->client)) ||
            (worker && !s_same(worker, m->worker)))
            return sr_error_set(err, SR_EINVAL,
                                "map: engines[%zu] (%s): its endpoints "
                                "change: an engine keeps its endpoints (remove "
                                "it, then add it under another name)",
                                i, m->name);
    }
    return SR_OK;
}

// Write `text` over the cluster file, through a temporary file and a
// rename (engines sharing one file write the same text).
static sr_err_t
s_write(const eng_config_t *cfg, const char *text, size_t len, sr_error_t *err)
{
    if (!cfg->cluster_path)
        return SR_OK;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.%s.tmp", cfg->cluster_path, cfg->name);
    FILE *f = fopen(tmp, "wb");
    bool ok = f && fwrite(text, 1, len, f) == len && fflush(f) == 0 &&
              fsync(fileno(f)) == 0;
    int e = errno;
    if (f && fclose(f))
        ok = false, e = errno;
    if (!ok || rename(tmp, cfg->cluster_path)) {
        e = ok ? errno : e;
        unlink(tmp);
        return sr_error_set(err, SR_EIO, "cannot write the cluster file %s: %s",
                            cfg->cluster_path, strerror(e));
    }
    return SR_OK;
}

sr_err_t
eng_map_take(eng_map_t *self, eng_config_t *cfg, const char *text, size_t len,
             eng_map_change_t *out, sr_error_t *err)
{
    out->changed = false;
    out->nadded = 0;
    eng_cluster_t *next = calloc(1, sizeof *next);
    eng_cluster_t **maps = realloc(self->maps, (self->n + 1) * sizeof *maps);
    if (maps)
        self->maps = maps;
    if (!next || !maps) {
        free(next);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    sr_err_t rc = eng_cluster_parse(text, len, "map", next, err);
    if (!rc && next->version < cfg->map_version)
        rc = sr_error_set(err, SR_ESTATE,
                          "map: version %llu is older than this engine's "
                          "(%llu)",
                          (unsigned long long)next->version,
                          (unsigned long long)cfg->map_version);
    bool newer = !rc && next->version > cfg->map_version;
    if (newer && !(rc = s_check(cfg, next, err)))
        rc = s_write(cfg, text, len, err);
    eng_config_t was = *cfg;
    if (newer && !rc && (rc = eng_cluster_apply(next, cfg, err)))
        *cfg = was;
    if (rc || !newer) {
        eng_cluster_fini(next);
        free(next);
        return rc;
    }
    self->maps[self->n++] = next; // cfg's strings point into it now
    out->changed = true;
    for (size_t i = 0; !cfg->left && i < cfg->npartitions; i++)
        if (was.left || eng_cluster_place(was.partitions, was.npartitions,
                                          cfg->partitions[i]) == SIZE_MAX)
            out->added[out->nadded++] = cfg->partitions[i];
    sr_info("cluster map: version %llu taken (%zu partitions held, %zu of "
            "them new here%s)",
            (unsigned long long)cfg->map_version,
            cfg->left ? 0 : cfg->npartitions, out->nadded,
            cfg->left ? "; this engine is left out" : "");
    return SR_OK;
}
