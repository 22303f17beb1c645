/* sirocco cluster add-engine | remove-engine | move: the membership of a
 * running local cluster with replicated partitions, changed online. Each
 * makes a newer cluster map (a `version` above the last, every engine's
 * id written out), writes DIR/cluster.yaml and DIR/cluster.json, sends it
 * to every engine (CLUSTER_MAP), and waits until every partition's Raft
 * group has the map's replicas, all voting, and every engine holds the
 * copies the map gives it: the leaders add, catch up and promote the new
 * replicas and demote and remove the old ones (engined/raft/rft_group.h),
 * while the cluster serves. add-engine starts the new engine first;
 * remove-engine stops the engine taken out last, and deletes its data
 * folder (its partitions are held by the others by then).
 * Thread rule: the main thread.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_local.h"
#include "cli_proc.h"
#include "cmd_cluster.h"
#include "cmd_cluster_ready.h"
#include "eng_cluster.h"
#include "sirocco/client.h"

#define S_WAIT_MS  60000 // default --timeout: the replicas moving
#define S_ROUND_MS 200   // between two looks at the engines

static int
s_fail(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "sirocco cluster %s: ", cmd);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return CLI_FAILED;
}

static cli_local_proc_t *
s_engine(cli_local_t *l, const char *name)
{
    for (size_t i = 0; i < l->nprocs; i++)
        if (l->procs[i].role == CLI_LOCAL_ENGINE &&
            strcmp(l->procs[i].name, name) == 0)
            return &l->procs[i];
    return NULL;
}

static bool
s_holds(const cli_local_proc_t *p, uint16_t part)
{
    for (size_t k = 0; k < p->nparts; k++)
        if (p->parts[k] == part)
            return true;
    return false;
}

static bool
s_add_part(cli_local_proc_t *p, uint16_t part)
{
    uint16_t *grown = realloc(p->parts, (p->nparts + 1) * sizeof *grown);
    if (!grown)
        return false;
    p->parts = grown;
    p->parts[p->nparts++] = part;
    return true;
}

static void
s_drop_part(cli_local_proc_t *p, uint16_t part)
{
    for (size_t k = 0; k < p->nparts; k++)
        if (p->parts[k] == part) {
            memmove(p->parts + k, p->parts + k + 1,
                    (p->nparts - k - 1) * sizeof *p->parts);
            p->nparts--;
            return;
        }
}

// The cluster recorded in --data, running, with replicated partitions;
// every engine's id written out (an engine removed later must not change
// the others').
static int
s_load(const cli_args_t *a, const char *cmd, cli_local_t *l)
{
    char dir[PATH_MAX];
    char what[64];
    snprintf(what, sizeof what, "cluster %s", cmd);
    int code = cli_cluster_dir(a, what, false, dir, sizeof dir);
    if (code)
        return code;
    sr_error_t err;
    if (cli_local_load(dir, l, &err))
        return s_fail(cmd, "%s", err.msg);
    if (l->replicas < 2)
        return s_fail(cmd,
                      "%s: the partitions are not replicated (start the "
                      "cluster with --replicas 3): engines join and leave "
                      "only a replicated cluster online",
                      l->dir);
    uint64_t place = 0;
    for (size_t i = 0; i < l->nprocs; i++) {
        cli_local_proc_t *p = &l->procs[i];
        if (p->role != CLI_LOCAL_ENGINE)
            continue;
        place++;
        if (!p->id)
            p->id = place;
        if (!cli_proc_is_alive(p->pid, p->start_ticks)) {
            fprintf(stderr,
                    "sirocco cluster %s: engine %s is not running: start the "
                    "cluster first (sirocco cluster up --data %s)\n",
                    cmd, p->name, l->dir);
            return CLI_FAILED;
        }
    }
    return CLI_OK;
}

// Send map `text` to every engine of `l` and `also` (an engine leaving),
// and say which did not take it: an engine refusing it fails the command;
// one that does not answer reads its file when it starts.
static int
s_send_text(const char *cmd, const cli_local_t *l, const char *text,
            const cli_local_proc_t *also)
{
    sr_error_t err;
    int code = CLI_OK;
    for (size_t i = 0; i < l->nprocs + (also != NULL) && !code; i++) {
        const cli_local_proc_t *p = i < l->nprocs ? &l->procs[i] : also;
        if (p->role != CLI_LOCAL_ENGINE)
            continue;
        sr_client_t *c = NULL;
        sr_value_t *taken = NULL;
        if (sr_client_open(p->client, NULL, &c, &err) ||
            sr_client_cluster_map(c, 0, text, 5000, &taken, &err)) {
            fprintf(stderr,
                    "sirocco cluster %s: engine %s did not take the map: "
                    "%s\n",
                    cmd, p->name, err.msg);
            code = err.code == SR_EINVAL || err.code == SR_ESTATE
                       ? CLI_FAILED
                       : CLI_OK; // a down engine reads the file at restart
        }
        sr_value_destroy(&taken);
        sr_client_close(&c);
    }
    return code;
}

// Write the map of local cluster `l` (DIR/cluster.yaml and
// DIR/cluster.json), then send it as s_send_text does.
static int
s_send(const char *cmd, cli_local_t *l, const cli_local_proc_t *also)
{
    sr_error_t err;
    char *text = NULL;
    if (cli_local_write_cluster_file(l, &err) || cli_local_save(l, &err) ||
        cli_local_cluster_text(l, &text, &err))
        return s_fail(cmd, "%s", err.msg);
    int code = s_send_text(cmd, l, text, also);
    free(text);
    return code;
}

// Does STATUS `st` of engine `p` show the map taken and, for each
// partition in `settled` (by number), its group settled there?
static bool
s_look(const cli_local_t *l, const cli_local_proc_t *p, const sr_value_t *st,
       bool *settled, const char **why)
{
    int64_t version = -1;
    if (!sr_value_map_int(st, "map_version", &version) ||
        (uint64_t)version != l->version) {
        *why = "has not taken the map";
        return false;
    }
    const sr_value_t *s = sr_value_map_get(st, "settled");
    for (size_t i = 0; i < sr_value_len(s); i++) {
        int64_t part = sr_value_int(sr_value_array_at(s, i));
        if (part >= 0 && (size_t)part < l->partitions)
            settled[part] = true;
    }
    const sr_value_t *copies = sr_value_map_get(st, "copies");
    if (sr_value_len(copies) != p->nparts) {
        *why = "does not hold the map's copies yet";
        return false;
    }
    for (size_t i = 0; i < sr_value_len(copies); i++) {
        int64_t part = sr_value_int(sr_value_array_at(copies, i));
        if (part < 0 || part > UINT16_MAX || !s_holds(p, (uint16_t)part)) {
            *why = "does not hold the map's copies yet";
            return false;
        }
    }
    return true;
}

// Wait until every engine of `l` has taken the map and holds its copies,
// and every partition's leader says its replicas are the map's.
static int
s_wait(const char *cmd, const cli_local_t *l, int timeout_ms)
{
    int64_t until = cli_proc_now_ms() + timeout_ms;
    char last[512] = "";
    for (;;) {
        sr_value_t *st[CLI_LOCAL_ENGINES_MAX] = {0};
        bool settled[CLI_LOCAL_PARTITIONS_MAX] = {false};
        bool done = cli_cluster_probe(l, 1000, st) == CLI_OK;
        size_t e = 0;
        for (size_t i = 0; i < l->nprocs; i++) {
            const cli_local_proc_t *p = &l->procs[i];
            if (p->role != CLI_LOCAL_ENGINE)
                continue;
            const char *why = "does not answer STATUS";
            if (!st[e] || !s_look(l, p, st[e], settled, &why)) {
                if (done)
                    snprintf(last, sizeof last, "engine %s %s", p->name, why);
                done = false;
            }
            sr_value_destroy(&st[e++]);
        }
        for (size_t part = 0; done && part < l->partitions; part++)
            if (!settled[part]) {
                snprintf(last, sizeof last,
                         "partition %zu: its replicas are not the map's yet",
                         part);
                done = false;
            }
        if (done)
            return CLI_OK;
        if (cli_proc_now_ms() > until) {
            fprintf(stderr,
                    "sirocco cluster %s: not done after %d ms: %s (the "
                    "change goes on; the engines' STATUS and logs say how "
                    "far it is)\n",
                    cmd, timeout_ms, last);
            return CLI_FAILED;
        }
        usleep(S_ROUND_MS * 1000);
    }
}

static int
s_timeout(const cli_args_t *a, const char *cmd, int *out)
{
    long t = S_WAIT_MS;
    char what[64];
    snprintf(what, sizeof what, "cluster %s", cmd);
    int code = cli_cluster_num(a, what, "--timeout", 1, 3600000, &t);
    *out = (int)t;
    return code;
}

static size_t
s_engines(const cli_local_t *l)
{
    return cli_local_count(l, CLI_LOCAL_ENGINE);
}

// The engine holding the most copies (the first on a tie), or the
// fewest among those without `part` (`fewest`).
static cli_local_proc_t *
s_pick(cli_local_t *l, bool fewest, int part, const cli_local_proc_t * not )
{
    cli_local_proc_t *best = NULL;
    for (size_t i = 0; i < l->nprocs; i++) {
        cli_local_proc_t *p = &l->procs[i];
        if (p->role != CLI_LOCAL_ENGINE || p == not ||
            (part >= 0 && s_holds(p, (uint16_t)part)))
            continue;
        if (!best ||
            (fewest ? p->nparts < best->nparts : p->nparts > best->nparts))
            best = p;
    }
    return best;
}

static bool
s_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (!n || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') ||
              (name[i] >= 'A' && name[i] <= 'Z') ||
              (name[i] >= '0' && name[i] <= '9') || name[i] == '-' ||
              name[i] == '_'))
            return false;
    return true;
}

// A copy of `argv` with the values after --name and --data replaced.
static sr_err_t
s_argv_for(cli_local_proc_t *p, const cli_local_proc_t *model, const char *data,
           sr_error_t *err)
{
    const char *argv[64];
    size_t n = 0;
    for (size_t i = 0; i < model->argc && n < 63; i++) {
        const char *v = model->argv[i];
        if (i > 0 && strcmp(model->argv[i - 1], "--name") == 0)
            v = p->name;
        else if (i > 0 && strcmp(model->argv[i - 1], "--data") == 0)
            v = data;
        argv[n++] = v;
    }
    argv[n] = NULL;
    return cli_local_set_argv(p, argv, err);
}

int
cli_cluster_add_engine(const cli_args_t *a)
{
    const char *cmd = "add-engine", *name = a->pos[0];
    cli_local_t l = {0};
    int timeout_ms;
    int code = s_timeout(a, cmd, &timeout_ms);
    if (!code)
        code = s_load(a, cmd, &l);
    if (!code && !s_name_ok(name))
        code = s_fail(
            cmd, "'%s': a name is 1 to 64 letters, digits, '-' or '_'", name);
    if (!code && s_engine(&l, name))
        code =
            s_fail(cmd, "an engine named %s is in the cluster already", name);
    if (!code && (s_engines(&l) >= CLI_LOCAL_ENGINES_MAX ||
                  l.nprocs >= CLI_LOCAL_PROCS_MAX))
        code = s_fail(cmd, "no room for another engine (%s at most)", "64");
    char data[PATH_MAX + 128];
    snprintf(data, sizeof data, "%s/%s", l.dir ? l.dir : ".", name);
    if (!code && access(data, F_OK) == 0)
        code = s_fail(cmd,
                      "%s exists: the data of an engine of that name; delete "
                      "it, or choose another name",
                      data);
    int ports[2];
    if (!code)
        code = cli_cluster_free_ports(2, ports);
    sr_error_t err;
    cli_local_proc_t *p = NULL;
    if (!code) { // after the last engine, so that engines come first
        size_t at = 0;
        uint64_t id = 0;
        for (size_t i = 0; i < l.nprocs; i++)
            if (l.procs[i].role == CLI_LOCAL_ENGINE) {
                at = i + 1;
                if (l.procs[i].id > id)
                    id = l.procs[i].id;
            }
        memmove(&l.procs[at + 1], &l.procs[at],
                (l.nprocs - at) * sizeof l.procs[0]);
        l.nprocs++;
        p = &l.procs[at];
        memset(p, 0, sizeof *p);
        char text[PATH_MAX + 128];
        p->role = CLI_LOCAL_ENGINE;
        p->id = id + 1;
        p->name = strdup(name);
        snprintf(text, sizeof text, "%s/logs/%s.log", l.dir, name);
        p->log = strdup(text);
        snprintf(text, sizeof text, "tcp://127.0.0.1:%d", ports[0]);
        p->client = strdup(text);
        snprintf(text, sizeof text, "tcp://127.0.0.1:%d", ports[1]);
        p->worker = strdup(text);
        if (!p->name || !p->log || !p->client || !p->worker ||
            s_argv_for(p, &l.procs[0], data, &err))
            code = s_fail(cmd, "%s", "out of memory");
    }
    // Its share of the copies, taken from the engines holding the most
    // (the copy each lists last: the one it is least likely to lead).
    size_t share = code ? 0 : l.partitions * l.replicas / s_engines(&l);
    while (!code && p->nparts < share) {
        cli_local_proc_t *from = s_pick(&l, false, -1, p);
        int part = -1;
        for (size_t k = from ? from->nparts : 0; k-- > 0 && part < 0;)
            if (!s_holds(p, from->parts[k]))
                part = from->parts[k];
        if (part < 0 || from->nparts <= p->nparts + 1)
            break;
        if (!s_add_part(p, (uint16_t)part))
            code = s_fail(cmd, "%s", "out of memory");
        s_drop_part(from, (uint16_t)part);
    }
    if (!code && !p->nparts)
        code = s_fail(cmd, "%s", "no copy to give the new engine");
    if (!code) {
        l.version++;
        pid_t pid;
        if (cli_local_write_cluster_file(&l, &err) ||
            cli_proc_spawn(p->argv, p->log, &pid, &err))
            code = s_fail(cmd, "%s", err.msg);
        else {
            p->pid = pid;
            p->start_ticks = cli_proc_start_ticks(pid);
        }
    }
    if (!code)
        code = s_send(cmd, &l, NULL);
    if (!code)
        code = s_wait(cmd, &l, timeout_ms);
    if (!code)
        printf("engine %s added (pid %ld, client %s): %zu copies moved to "
               "it; cluster map version %llu\n",
               name, (long)p->pid, p->client, p->nparts,
               (unsigned long long)l.version);
    cli_local_fini(&l);
    return code;
}

static int
s_remove(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

int
cli_cluster_remove_engine(const cli_args_t *a)
{
    const char *cmd = "remove-engine", *name = a->pos[0];
    cli_local_t l = {0};
    int timeout_ms;
    int code = s_timeout(a, cmd, &timeout_ms);
    if (!code)
        code = s_load(a, cmd, &l);
    cli_local_proc_t *p = code ? NULL : s_engine(&l, name);
    if (!code && !p)
        code = s_fail(cmd, "no engine named %s in the cluster", name);
    if (!code && s_engines(&l) <= l.replicas)
        code = s_fail(cmd,
                      "%s: the others would be fewer than the replicas of "
                      "each partition",
                      name);
    // Its copies go to the engines holding the fewest, one without each.
    for (size_t k = 0; !code && k < p->nparts; k++) {
        cli_local_proc_t *to = s_pick(&l, true, p->parts[k], p);
        if (!to || !s_add_part(to, p->parts[k]))
            code = s_fail(cmd, "partition copies: %s", "no engine takes one");
    }
    cli_local_proc_t gone = {0};
    if (!code) { // out of the map; its process is stopped at the end
        gone = *p;
        memmove(p, p + 1, (size_t)(&l.procs[l.nprocs] - (p + 1)) * sizeof *p);
        l.nprocs--;
        l.version++;
        code = s_send(cmd, &l, &gone);
    }
    if (!code)
        code = s_wait(cmd, &l, timeout_ms);
    if (!code) {
        bool killed = false;
        cli_proc_stop(&gone.pid, &gone.start_ticks, 1, 15000, &killed);
        char data[PATH_MAX + 128];
        snprintf(data, sizeof data, "%s/%s", l.dir, gone.name);
        if (nftw(data, s_remove, 16, FTW_DEPTH | FTW_PHYS) && errno != ENOENT)
            fprintf(stderr, "sirocco cluster %s: %s was not deleted: %s\n", cmd,
                    data, strerror(errno));
        printf("engine %s removed (stopped%s; its data folder deleted); "
               "cluster map version %llu\n",
               name, killed ? " with SIGKILL" : "",
               (unsigned long long)l.version);
    }
    if (gone.name) { // owned by the record no more
        cli_local_t one = {.nprocs = 1};
        one.procs[0] = gone;
        cli_local_fini(&one);
    }
    cli_local_fini(&l);
    return code;
}

int
cli_cluster_move(const cli_args_t *a)
{
    const char *cmd = "move";
    cli_local_t l = {0};
    int timeout_ms;
    int code = s_timeout(a, cmd, &timeout_ms);
    if (!code)
        code = s_load(a, cmd, &l);
    long part = -1;
    const char *from_name = cli_args_get(a, "--from");
    const char *to_name = cli_args_get(a, "--to");
    char *end = NULL;
    if (!code) {
        errno = 0;
        part = strtol(a->pos[0], &end, 10);
        if (errno || end == a->pos[0] || *end || part < 0 ||
            (size_t)part >= l.partitions)
            code =
                s_fail(cmd, "'%s': not a partition of the cluster", a->pos[0]);
    }
    cli_local_proc_t *from =
        code || !from_name ? NULL : s_engine(&l, from_name);
    cli_local_proc_t *to = code || !to_name ? NULL : s_engine(&l, to_name);
    if (!code && (!from || !to))
        code = s_fail(cmd, "--from and --to name engines of the cluster%s", "");
    if (!code && !s_holds(from, (uint16_t)part))
        code = s_fail(cmd, "%s holds no copy of that partition", from->name);
    if (!code && s_holds(to, (uint16_t)part))
        code =
            s_fail(cmd, "%s holds a copy of that partition already", to->name);
    if (!code && from->nparts == 1)
        code = s_fail(cmd, "%s would hold nothing", from->name);
    if (!code && !s_add_part(to, (uint16_t)part))
        code = s_fail(cmd, "%s", "out of memory");
    if (!code) {
        s_drop_part(from, (uint16_t)part);
        l.version++;
        code = s_send(cmd, &l, NULL);
    }
    if (!code)
        code = s_wait(cmd, &l, timeout_ms);
    if (!code)
        printf("partition %ld: copy moved from %s to %s; cluster map "
               "version %llu\n",
               part, from->name, to->name, (unsigned long long)l.version);
    cli_local_fini(&l);
    return code;
}

// The engines of cluster file `m` as a record with no process (what
// s_send_text and s_wait use: names, endpoints, copies).
static sr_err_t
s_record_of(const eng_cluster_t *m, const char *path, cli_local_t *l,
            sr_error_t *err)
{
    l->dir = strdup(path);
    l->partitions = m->total;
    l->replicas = m->replicas;
    l->version = m->version;
    if (!l->dir)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    for (size_t i = 0; i < m->nengines; i++) {
        const eng_member_t *e = &m->engines[i];
        cli_local_proc_t *p = &l->procs[l->nprocs++];
        p->role = CLI_LOCAL_ENGINE;
        p->id = e->id;
        p->name = strdup(e->name);
        p->client = strdup(e->client);
        p->worker = strdup(e->worker);
        p->parts = malloc((e->npartitions + 1) * sizeof *p->parts);
        if (!p->name || !p->client || !p->worker || !p->parts)
            return sr_error_set(err, SR_ENOMEM, "out of memory");
        memcpy(p->parts, e->partitions, e->npartitions * sizeof *p->parts);
        p->nparts = e->npartitions;
    }
    return SR_OK;
}

int
cli_cluster_apply(const cli_args_t *a)
{
    const char *cmd = "apply", *path = a->pos[0];
    const char *also = cli_args_get(a, "--also");
    int timeout_ms;
    int code = s_timeout(a, cmd, &timeout_ms);
    FILE *f = code ? NULL : fopen(path, "rb");
    if (!code && !f)
        code = s_fail(cmd, "%s: cannot be read", path);
    char *text = code ? NULL : calloc(1, (1 << 20) + 1);
    size_t len = text ? fread(text, 1, 1 << 20, f) : 0;
    if (f)
        fclose(f);
    if (!code && (!text || len == 1 << 20))
        code = s_fail(cmd, "%s: over 1 MiB, or out of memory", path);
    eng_cluster_t m = {0};
    sr_error_t err;
    if (!code && eng_cluster_parse(text, len, path, &m, &err))
        code = s_fail(cmd, "%s", err.msg);
    if (!code && m.replicas < 2)
        code = s_fail(cmd,
                      "%s: replicas is 1: the map of single copies changes "
                      "only with a restart of the cluster",
                      path);
    cli_local_t l = {0};
    if (!code && s_record_of(&m, path, &l, &err))
        code = s_fail(cmd, "%s", err.msg);
    // An engine the map leaves out is told too, so that it stops counting.
    cli_local_proc_t leaving = {.role = CLI_LOCAL_ENGINE,
                                .name = (char *)"(--also)",
                                .client = (char *)also};
    if (!code)
        code = s_send_text(cmd, &l, text, also ? &leaving : NULL);
    if (!code)
        code = s_wait(cmd, &l, timeout_ms);
    if (!code)
        printf("cluster map version %llu taken by %zu engines; every "
               "partition's replicas are the map's\n",
               (unsigned long long)l.version, l.nprocs);
    eng_cluster_fini(&m);
    cli_local_fini(&l);
    free(text);
    return code;
}
