/* What a client is told to connect to: a comma-separated list of engine
 * client endpoints, taken as is, or the path of a cluster file, from
 * which the engines' client endpoints are read. The file is the YAML
 * cluster file the engines read (engined/loop/eng_cluster.h) or the
 * cluster.json `sirocco cluster up` writes (the same `engines` list);
 * only `engines[].client` matters here: the engines check the rest.
 * Owns nothing beyond a call. Reentrant.
 */
#include "sirocco/client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lang_yaml.h"
#include "sr_value_json.h"

#define S_FILE_MAX  ((size_t)1 << 20) // a cluster file is small
#define S_MAX_DEPTH 16

static bool
s_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

// The whole of file `path`, NUL-terminated, in *out (caller frees).
static sr_err_t
s_read(const char *path, char **out, size_t *len, sr_error_t *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sr_error_set(err, SR_EINVAL, "cannot open: %s", strerror(errno));
    char *text = malloc(S_FILE_MAX + 1);
    size_t n = text ? fread(text, 1, S_FILE_MAX + 1, f) : 0;
    bool is_bad = ferror(f);
    fclose(f);
    if (!text)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    sr_err_t rc = SR_OK;
    if (is_bad)
        rc = sr_error_set(err, SR_EIO, "read error");
    else if (n > S_FILE_MAX)
        rc = sr_error_set(err, SR_ETOOBIG, "over %zu bytes", S_FILE_MAX);
    if (rc) {
        free(text);
        return rc;
    }
    text[n] = '\0';
    *out = text;
    *len = n;
    return SR_OK;
}

// The document of the file: JSON for *.json, else YAML.
static sr_err_t
s_parse(const char *path, sr_value_t **doc, sr_error_t *err)
{
    char *text = NULL;
    size_t len = 0;
    sr_err_t rc = s_read(path, &text, &len, err);
    if (rc)
        return rc;
    if (s_ends_with(path, ".json"))
        rc = sr_value_from_json(text, len, NULL, doc, err);
    else
        rc = lang_yaml_parse(text, len, S_MAX_DEPTH, doc, err);
    free(text);
    return rc;
}

// "e1,e2,..." from engines[].client.
static sr_err_t
s_join(const sr_value_t *doc, char **out, sr_error_t *err)
{
    const sr_value_t *engines = sr_value_map_get(doc, "engines");
    size_t n = sr_value_is(engines, SR_T_ARRAY) ? sr_value_len(engines) : 0;
    if (n == 0 || n > SR_CLIENT_ENGINES_MAX)
        return sr_error_set(err, SR_EINVAL,
                            "engines: a list of 1 to %d engines is required",
                            SR_CLIENT_ENGINES_MAX);
    size_t total = 1;
    for (size_t i = 0; i < n; i++) {
        const sr_value_t *e = sr_value_array_at(engines, i);
        const char *ep =
            sr_value_is(e, SR_T_MAP) ? sr_value_map_str(e, "client") : NULL;
        if (!ep || !*ep || strchr(ep, ','))
            return sr_error_set(err, SR_EINVAL,
                                "engines[%zu].client: an endpoint is required",
                                i);
        total += strlen(ep) + 1;
    }
    char *list = malloc(total);
    if (!list)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        const char *ep =
            sr_value_map_str(sr_value_array_at(engines, i), "client");
        at += (size_t)snprintf(list + at, total - at, "%s%s", i ? "," : "", ep);
    }
    *out = list;
    return SR_OK;
}

bool
sr_client_is_cluster_file(const char *cluster)
{
    if (!cluster || !*cluster || strstr(cluster, "://") || strchr(cluster, ','))
        return false;
    return s_ends_with(cluster, ".yaml") || s_ends_with(cluster, ".yml") ||
           s_ends_with(cluster, ".json") || access(cluster, F_OK) == 0;
}

sr_err_t
sr_client_cluster_endpoints(const char *cluster, char **endpoints,
                            sr_error_t *err)
{
    if (!cluster)
        return sr_error_set(err, SR_EINVAL, "no engine endpoints given");
    if (!sr_client_is_cluster_file(cluster)) {
        char *copy = strdup(cluster);
        if (!copy)
            return sr_error_set(err, SR_ENOMEM, "out of memory");
        *endpoints = copy;
        return SR_OK;
    }
    sr_value_t *doc = NULL;
    sr_err_t rc = s_parse(cluster, &doc, err);
    if (!rc && !sr_value_is(doc, SR_T_MAP))
        rc = sr_error_set(err, SR_EINVAL, "not a mapping with 'engines'");
    if (!rc)
        rc = s_join(doc, endpoints, err);
    sr_value_destroy(&doc);
    if (rc && err) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        sr_error_set(err, rc, "cluster file %.200s: %.300s", cluster, msg);
    }
    return rc;
}
