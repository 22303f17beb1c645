/* The record of a local cluster (cli_local.h): DIR/cluster.json read and
 * written through sr_value and its JSON codec, and DIR/cluster.yaml, the
 * engines' cluster file, written as text. Knows nothing of processes
 * beyond their description (cli_proc.c starts and stops them).
 * One thread.
 */
#include "cli_local.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_value.h"
#include "sr_value_json.h"

#define S_RECORD_MAX ((size_t)4 << 20)

static const char *const s_roles[] = {"engine", "worker", "gateway"};

// --- writing ----------------------------------------------------------------

static sr_value_t *
s_parts(const cli_local_proc_t *p)
{
    sr_value_t *a = sr_value_new_array(p->nparts);
    for (size_t k = 0; a && k < p->nparts; k++)
        if (sr_value_array_append(a, sr_value_new_int(p->parts[k])))
            sr_value_destroy(&a);
    return a;
}

static sr_value_t *
s_strs(char *const *list, size_t n)
{
    sr_value_t *a = sr_value_new_array(n);
    for (size_t k = 0; a && k < n; k++)
        if (sr_value_array_append(a, sr_value_new_str(list[k])))
            sr_value_destroy(&a);
    return a;
}

// The worker endpoints of every engine (a worker's links), or their
// client endpoints (the gateway's).
static sr_value_t *
s_engine_eps(const cli_local_t *l, bool is_client)
{
    sr_value_t *a = sr_value_new_array(l->nprocs);
    for (size_t i = 0; a && i < l->nprocs; i++) {
        const cli_local_proc_t *p = &l->procs[i];
        if (p->role == CLI_LOCAL_ENGINE &&
            sr_value_array_append(
                a, sr_value_new_str(is_client ? p->client : p->worker)))
            sr_value_destroy(&a);
    }
    return a;
}

static sr_value_t *
s_endpoints(const cli_local_t *l, const cli_local_proc_t *p)
{
    sr_value_t *m = sr_value_new_map(2);
    if (!m)
        return NULL;
    sr_err_t rc = SR_OK;
    if (p->role == CLI_LOCAL_ENGINE) {
        rc = sr_value_map_put(m, "client", sr_value_new_str(p->client));
        if (!rc)
            rc = sr_value_map_put(m, "worker", sr_value_new_str(p->worker));
    } else if (p->role == CLI_LOCAL_WORKER)
        rc = sr_value_map_put(m, "engines", s_engine_eps(l, false));
    else {
        rc = sr_value_map_put(m, "http",
                              sr_value_new_strf("http://%s", p->listen));
        if (!rc)
            rc = sr_value_map_put(m, "engines", s_engine_eps(l, true));
    }
    if (rc)
        sr_value_destroy(&m);
    return m;
}

static sr_value_t *
s_proc(const cli_local_t *l, const cli_local_proc_t *p)
{
    sr_value_t *m = sr_value_new_map(9);
    if (!m)
        return NULL;
    sr_err_t rc =
        sr_value_map_put(m, "role", sr_value_new_str(s_roles[p->role]));
    if (!rc)
        rc = sr_value_map_put(m, "name", sr_value_new_str(p->name));
    if (!rc)
        rc = sr_value_map_put(m, "pid", sr_value_new_int(p->pid));
    if (!rc)
        rc = sr_value_map_put(m, "start_ticks",
                              sr_value_new_int((int64_t)p->start_ticks));
    if (!rc)
        rc = sr_value_map_put(m, "endpoints", s_endpoints(l, p));
    if (!rc && p->role == CLI_LOCAL_ENGINE)
        rc = sr_value_map_put(m, "partitions", s_parts(p));
    if (!rc && p->role == CLI_LOCAL_ENGINE && p->id)
        rc = sr_value_map_put(m, "id", sr_value_new_int((int64_t)p->id));
    if (!rc)
        rc = sr_value_map_put(m, "log", sr_value_new_str(p->log));
    if (!rc)
        rc = sr_value_map_put(m, "argv", s_strs(p->argv, p->argc));
    if (rc)
        sr_value_destroy(&m);
    return m;
}

// The engines as the cluster file lists them.
static sr_value_t *
s_members(const cli_local_t *l)
{
    sr_value_t *a = sr_value_new_array(l->nprocs);
    for (size_t i = 0; a && i < l->nprocs; i++) {
        const cli_local_proc_t *p = &l->procs[i];
        if (p->role != CLI_LOCAL_ENGINE)
            continue;
        sr_value_t *m = sr_value_new_map(4);
        if (!m || sr_value_map_put(m, "name", sr_value_new_str(p->name)) ||
            sr_value_map_put(m, "client", sr_value_new_str(p->client)) ||
            sr_value_map_put(m, "worker", sr_value_new_str(p->worker)) ||
            sr_value_map_put(m, "partitions", s_parts(p)))
            sr_value_destroy(&m);
        if (sr_value_array_append(a, m))
            sr_value_destroy(&a);
    }
    return a;
}

static sr_value_t *
s_record(const cli_local_t *l)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", l->dir, CLI_LOCAL_CLUSTER_FILE);
    char *eps = cli_local_endpoints(l);
    sr_value_t *procs = sr_value_new_array(l->nprocs);
    for (size_t i = 0; procs && i < l->nprocs; i++)
        if (sr_value_array_append(procs, s_proc(l, &l->procs[i])))
            sr_value_destroy(&procs);
    sr_value_t *m = sr_value_new_map(6);
    if (!eps || !procs || !m ||
        sr_value_map_put(m, "data", sr_value_new_str(l->dir)) ||
        sr_value_map_put(m, "partitions",
                         sr_value_new_int((int64_t)l->partitions)) ||
        sr_value_map_put(m, "cluster_file", sr_value_new_str(path)) ||
        sr_value_map_put(m, "cluster", sr_value_new_str(eps)) ||
        sr_value_map_put(m, "engines", s_members(l)) ||
        sr_value_map_put(m, "processes", sr_value_ref(procs)))
        sr_value_destroy(&m);
    if (m && l->replicas > 1 &&
        sr_value_map_put(m, "replicas", sr_value_new_int((int64_t)l->replicas)))
        sr_value_destroy(&m);
    if (m && l->version &&
        sr_value_map_put(m, "version", sr_value_new_int((int64_t)l->version)))
        sr_value_destroy(&m);
    const cli_local_proc_t *gw = cli_local_gateway(l);
    if (m && gw &&
        sr_value_map_put(m, "gateway",
                         sr_value_new_strf("http://%s", gw->listen)))
        sr_value_destroy(&m);
    sr_value_destroy(&procs);
    free(eps);
    return m;
}

// Write `text` to DIR/name through DIR/.name.tmp and a rename.
static sr_err_t
s_write(const char *dir, const char *name, const char *text, sr_error_t *err)
{
    char tmp[4200], path[4200];
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return sr_error_set(err, SR_EIO, "%s: %s", tmp, strerror(errno));
    bool is_ok = fputs(text, f) >= 0;
    is_ok = (fclose(f) == 0) && is_ok;
    if (!is_ok || rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        return sr_error_set(err, SR_EIO, "%s: %s", path, strerror(e));
    }
    return SR_OK;
}

sr_err_t
cli_local_save(const cli_local_t *l, sr_error_t *err)
{
    sr_value_t *rec = s_record(l);
    char *text = rec ? sr_value_to_json(rec, SR_JSON_PRETTY) : NULL;
    sr_value_destroy(&rec);
    if (!text)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    size_t n = strlen(text);
    char *line = realloc(text, n + 2);
    if (!line) {
        free(text);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    memcpy(line + n, "\n", 2);
    sr_err_t rc = s_write(l->dir, CLI_LOCAL_RECORD, line, err);
    free(line);
    return rc;
}

sr_err_t
cli_local_cluster_text(const cli_local_t *l, char **out, sr_error_t *err)
{
    size_t cap = 256 + l->nprocs * 512, at = 0;
    for (size_t i = 0; i < l->nprocs; i++)
        cap += l->procs[i].nparts * 7;
    char *text = malloc(cap);
    if (!text)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    at += (size_t)snprintf(text, cap,
                           "# Written by `sirocco cluster`; every engine "
                           "reads it.\npartitions: %zu\n",
                           l->partitions);
    if (l->replicas > 1 && at < cap)
        at += (size_t)snprintf(text + at, cap - at, "replicas: %zu\n",
                               l->replicas);
    if (l->version && at < cap)
        at += (size_t)snprintf(text + at, cap - at, "version: %llu\n",
                               (unsigned long long)l->version);
    if (at < cap)
        at += (size_t)snprintf(text + at, cap - at, "engines:\n");
    for (size_t i = 0; i < l->nprocs && at < cap; i++) {
        const cli_local_proc_t *p = &l->procs[i];
        if (p->role != CLI_LOCAL_ENGINE)
            continue;
        at += (size_t)snprintf(text + at, cap - at, "  - name: %s\n", p->name);
        if (p->id && at < cap)
            at += (size_t)snprintf(text + at, cap - at, "    id: %llu\n",
                                   (unsigned long long)p->id);
        if (at < cap)
            at += (size_t)snprintf(text + at, cap - at,
                                   "    client: %s\n    worker: %s\n"
                                   "    partitions: [",
                                   p->client, p->worker);
        for (size_t k = 0; k < p->nparts && at < cap; k++)
            at += (size_t)snprintf(text + at, cap - at, "%s%u", k ? ", " : "",
                                   p->parts[k]);
        if (at < cap)
            at += (size_t)snprintf(text + at, cap - at, "]\n");
    }
    if (at >= cap) {
        free(text);
        return sr_error_set(err, SR_ETOOBIG, "cluster file: too long");
    }
    *out = text;
    return SR_OK;
}

sr_err_t
cli_local_write_cluster_file(const cli_local_t *l, sr_error_t *err)
{
    char *text = NULL;
    sr_err_t rc = cli_local_cluster_text(l, &text, err);
    if (!rc)
        rc = s_write(l->dir, CLI_LOCAL_CLUSTER_FILE, text, err);
    free(text);
    return rc;
}

// --- reading ----------------------------------------------------------------

static char *
s_dup(const sr_value_t *m, const char *key)
{
    const char *s = sr_value_map_str(m, key);
    return s ? strdup(s) : NULL;
}

static sr_err_t
s_load_argv(cli_local_proc_t *p, const sr_value_t *a, sr_error_t *err)
{
    size_t n = sr_value_is(a, SR_T_ARRAY) ? sr_value_len(a) : 0;
    if (n == 0)
        return sr_error_set(err, SR_EINVAL, "argv: a list of strings");
    p->argv = calloc(n + 1, sizeof *p->argv);
    if (!p->argv)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    for (size_t k = 0; k < n; k++) {
        const sr_value_t *s = sr_value_array_at(a, k);
        if (!sr_value_is(s, SR_T_STR))
            return sr_error_set(err, SR_EINVAL, "argv[%zu]: a string", k);
        if (!(p->argv[k] = strdup(sr_value_str(s))))
            return sr_error_set(err, SR_ENOMEM, "out of memory");
        p->argc = k + 1;
    }
    return SR_OK;
}

static sr_err_t
s_load_proc(cli_local_proc_t *p, const sr_value_t *m, sr_error_t *err)
{
    const char *role = sr_value_map_str(m, "role");
    int64_t pid = 0, ticks = 0;
    size_t r = 0;
    while (role && r < sizeof s_roles / sizeof s_roles[0] &&
           strcmp(role, s_roles[r]) != 0)
        r++;
    if (!role || r == sizeof s_roles / sizeof s_roles[0])
        return sr_error_set(err, SR_EINVAL, "role: engine, worker or gateway");
    p->role = (cli_local_role_t)r;
    p->name = s_dup(m, "name");
    p->log = s_dup(m, "log");
    if (!p->name || !p->log || !sr_value_map_int(m, "pid", &pid) ||
        !sr_value_map_int(m, "start_ticks", &ticks) || pid < 0 || ticks < 0)
        return sr_error_set(err, SR_EINVAL,
                            "name, log, pid and start_ticks are required");
    p->pid = (pid_t)pid;
    p->start_ticks = (uint64_t)ticks;
    if (p->role == CLI_LOCAL_ENGINE) {
        const sr_value_t *eps = sr_value_map_get(m, "endpoints");
        const sr_value_t *parts = sr_value_map_get(m, "partitions");
        p->client = s_dup(eps, "client");
        p->worker = s_dup(eps, "worker");
        size_t n = sr_value_is(parts, SR_T_ARRAY) ? sr_value_len(parts) : 0;
        if (!p->client || !p->worker || n == 0 || n > UINT16_MAX)
            return sr_error_set(err, SR_EINVAL,
                                "an engine needs endpoints.client, "
                                "endpoints.worker and partitions");
        if (!(p->parts = calloc(n, sizeof *p->parts)))
            return sr_error_set(err, SR_ENOMEM, "out of memory");
        for (size_t k = 0; k < n; k++) {
            const sr_value_t *v = sr_value_array_at(parts, k);
            if (!sr_value_is(v, SR_T_INT) || sr_value_int(v) < 0 ||
                sr_value_int(v) > UINT16_MAX)
                return sr_error_set(err, SR_EINVAL,
                                    "partitions: numbers from 0 to 65535");
            p->parts[k] = (uint16_t)sr_value_int(v);
        }
        p->nparts = n;
        int64_t id = 0;
        if (sr_value_map_get(m, "id") &&
            (!sr_value_map_int(m, "id", &id) || id < 1))
            return sr_error_set(err, SR_EINVAL, "id: a replica id from 1");
        p->id = (uint64_t)id;
    }
    if (p->role == CLI_LOCAL_GATEWAY) {
        const char *url =
            sr_value_map_str(sr_value_map_get(m, "endpoints"), "http");
        if (!url || strncmp(url, "http://", 7) != 0 || !url[7])
            return sr_error_set(err, SR_EINVAL,
                                "a gateway needs endpoints.http");
        if (!(p->listen = strdup(url + 7)))
            return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    return s_load_argv(p, sr_value_map_get(m, "argv"), err);
}

static sr_err_t
s_load_doc(cli_local_t *out, const sr_value_t *doc, sr_error_t *err)
{
    const sr_value_t *procs = sr_value_map_get(doc, "processes");
    int64_t total = 0;
    if (!sr_value_map_int(doc, "partitions", &total) || total < 1 ||
        total > CLI_LOCAL_PARTITIONS_MAX)
        return sr_error_set(err, SR_EINVAL, "partitions: a number");
    out->partitions = (size_t)total;
    int64_t replicas = 1;
    if (sr_value_map_get(doc, "replicas") &&
        (!sr_value_map_int(doc, "replicas", &replicas) || replicas < 1 ||
         replicas > 7))
        return sr_error_set(err, SR_EINVAL, "replicas: a number, 1 to 7");
    out->replicas = (size_t)replicas;
    int64_t version = 0;
    if (sr_value_map_get(doc, "version") &&
        (!sr_value_map_int(doc, "version", &version) || version < 0))
        return sr_error_set(err, SR_EINVAL, "version: a number, 0 or more");
    out->version = (uint64_t)version;
    size_t n = sr_value_is(procs, SR_T_ARRAY) ? sr_value_len(procs) : 0;
    if (n == 0 || n > CLI_LOCAL_PROCS_MAX)
        return sr_error_set(err, SR_EINVAL, "processes: a list of 1 to %d",
                            CLI_LOCAL_PROCS_MAX);
    for (size_t i = 0; i < n; i++) {
        out->nprocs = i + 1;
        sr_err_t rc =
            s_load_proc(&out->procs[i], sr_value_array_at(procs, i), err);
        if (rc) {
            char msg[sizeof err->msg];
            memcpy(msg, err->msg, sizeof msg);
            return sr_error_set(err, rc, "processes[%zu]: %.200s", i, msg);
        }
    }
    return SR_OK;
}

sr_err_t
cli_local_load(const char *dir, cli_local_t *out, sr_error_t *err)
{
    memset(out, 0, sizeof *out);
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, CLI_LOCAL_RECORD);
    FILE *f = fopen(path, "rb");
    if (!f)
        return sr_error_set(err, errno == ENOENT ? SR_ENOTFOUND : SR_EIO,
                            "%s: %s", path, strerror(errno));
    char *text = malloc(S_RECORD_MAX + 1);
    size_t len = text ? fread(text, 1, S_RECORD_MAX, f) : 0;
    fclose(f);
    if (!text || !(out->dir = strdup(dir))) {
        free(text);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    sr_value_t *doc = NULL;
    sr_err_t rc = sr_value_from_json(text, len, NULL, &doc, err);
    free(text);
    if (!rc)
        rc = s_load_doc(out, doc, err);
    sr_value_destroy(&doc);
    if (rc) {
        char msg[sizeof err->msg];
        memcpy(msg, err->msg, sizeof msg);
        sr_error_set(err, rc == SR_ENOMEM ? rc : SR_EINVAL, "%s: %.300s", path,
                     msg);
        return rc == SR_ENOMEM ? rc : SR_EINVAL;
    }
    return SR_OK;
}

// --- the rest ---------------------------------------------------------------

char *
cli_local_endpoints(const cli_local_t *l)
{
    size_t cap = 1;
    for (size_t i = 0; i < l->nprocs; i++)
        if (l->procs[i].role == CLI_LOCAL_ENGINE)
            cap += strlen(l->procs[i].client) + 1;
    char *list = malloc(cap);
    size_t at = 0;
    for (size_t i = 0; list && i < l->nprocs; i++)
        if (l->procs[i].role == CLI_LOCAL_ENGINE)
            at += (size_t)snprintf(list + at, cap - at, "%s%s", at ? "," : "",
                                   l->procs[i].client);
    if (list && at == 0)
        list[0] = '\0';
    return list;
}

const char *
cli_local_role_name(cli_local_role_t role)
{
    return (size_t)role < sizeof s_roles / sizeof s_roles[0] ? s_roles[role]
                                                             : "?";
}

const cli_local_proc_t *
cli_local_gateway(const cli_local_t *l)
{
    for (size_t i = 0; i < l->nprocs; i++)
        if (l->procs[i].role == CLI_LOCAL_GATEWAY)
            return &l->procs[i];
    return NULL;
}

size_t
cli_local_count(const cli_local_t *l, cli_local_role_t role)
{
    size_t n = 0;
    for (size_t i = 0; i < l->nprocs; i++)
        n += l->procs[i].role == role;
    return n;
}

static void
s_free_argv(cli_local_proc_t *p)
{
    for (size_t k = 0; p->argv && k < p->argc; k++)
        free(p->argv[k]);
    free(p->argv);
    p->argv = NULL;
    p->argc = 0;
}

sr_err_t
cli_local_set_argv(cli_local_proc_t *p, const char *const *argv,
                   sr_error_t *err)
{
    s_free_argv(p);
    size_t n = 0;
    while (argv[n])
        n++;
    p->argv = calloc(n + 1, sizeof *p->argv);
    for (size_t k = 0; p->argv && k < n; k++) {
        if (!(p->argv[k] = strdup(argv[k]))) {
            s_free_argv(p);
            break;
        }
        p->argc = k + 1;
    }
    return p->argv ? SR_OK : sr_error_set(err, SR_ENOMEM, "out of memory");
}

void
cli_local_fini(cli_local_t *l)
{
    for (size_t i = 0; i < l->nprocs; i++) {
        cli_local_proc_t *p = &l->procs[i];
        free(p->name);
        free(p->client);
        free(p->worker);
        free(p->listen);
        free(p->log);
        free(p->parts);
        s_free_argv(p);
    }
    free(l->dir);
    memset(l, 0, sizeof *l);
}
