/* sirocco cluster up: plans a local cluster (engines with contiguous
 * ranges of partitions, loopback TCP ports, workers connected to every
 * engine), writes DIR/cluster.yaml, starts the daemons found next to the
 * sirocco binary with their logs in DIR/logs/, records them in
 * DIR/cluster.json (before waiting, so `down` can always clean up), and
 * waits until every engine answers STATUS and sees every worker. When
 * that fails it stops what it started and shows the end of the log of
 * the process at fault. A folder whose cluster is down is started again
 * with the same layout (the engines' data is kept).
 * Thread rule: the main thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_local.h"
#include "cli_proc.h"
#include "cmd_cluster.h"
#include "cmd_cluster_ready.h"
#include "wrk_node.h"

#define S_CMD          "cluster up"
#define S_PARTS_PER    2     // default partitions per engine
#define S_ENGINE_PARTS 256   // most partitions one engine holds
#define S_TIMEOUT_MS   30000 // default wait for the cluster to be ready
#define S_ARGS_MAX     (16 + 2 * CLI_LOCAL_ENGINES_MAX)

typedef struct {
    long engines, workers, partitions, replicas, base_port, slots;
    long heartbeat_ms, timeout_ms;
    const char *durability, *log_level;
    char actions_dir[PATH_MAX]; // absolute; "" = none
    char gateway[256];          // the gateway's HOST:PORT; "" = none
    bool is_json;
    char dir[PATH_MAX - 128]; // absolute
    char bin[PATH_MAX - 128]; // folder of the daemons
} s_up_t;

static int
s_fail(const char *fmt, const char *arg)
{
    fprintf(stderr, "sirocco " S_CMD ": ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return CLI_FAILED;
}

static bool
s_is_one_of(const char *v, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v, list[i]) == 0)
            return true;
    return false;
}

// The options, checked.
static int
s_options(const cli_args_t *a, s_up_t *up)
{
    static const char *const durability[] = {"sync", "nosync"};
    static const char *const levels[] = {"debug", "info", "warn", "error",
                                         "off"};
    int rc = CLI_OK;
    up->engines = 3, up->workers = 2, up->slots = WRK_NODE_DEFAULT_SLOTS;
    up->partitions = up->base_port = up->heartbeat_ms = 0;
    up->replicas = 1;
    up->timeout_ms = S_TIMEOUT_MS;
    if ((rc = cli_cluster_num(a, S_CMD, "--engines", 1, CLI_LOCAL_ENGINES_MAX,
                              &up->engines)) ||
        (rc = cli_cluster_num(a, S_CMD, "--workers", 0, CLI_LOCAL_WORKERS_MAX,
                              &up->workers)) ||
        (rc = cli_cluster_num(a, S_CMD, "--partitions", 1,
                              CLI_LOCAL_PARTITIONS_MAX, &up->partitions)) ||
        (rc = cli_cluster_num(a, S_CMD, "--replicas", 1, 7, &up->replicas)) ||
        (rc = cli_cluster_num(a, S_CMD, "--base-port", 1024, 65535,
                              &up->base_port)) ||
        (rc = cli_cluster_num(a, S_CMD, "--slots", 1, WRK_NODE_SLOTS_MAX,
                              &up->slots)) ||
        (rc = cli_cluster_num(a, S_CMD, "--heartbeat-ms", 10, 600000,
                              &up->heartbeat_ms)) ||
        (rc = cli_cluster_num(a, S_CMD, "--timeout", 1, INT_MAX,
                              &up->timeout_ms)))
        return rc;
    // Replicated by default: 3 copies, or one per engine when fewer.
    if (!cli_args_has(a, "--replicas"))
        up->replicas = up->engines < 3 ? up->engines : 3;
    up->durability = cli_args_get(a, "--durability");
    up->log_level = cli_args_get(a, "--log-level");
    if (up->durability && !s_is_one_of(up->durability, durability, 2)) {
        fprintf(stderr, "sirocco " S_CMD ": --durability: sync or nosync\n");
        return CLI_USAGE;
    }
    if (up->log_level && !s_is_one_of(up->log_level, levels, 5)) {
        fprintf(stderr, "sirocco " S_CMD ": --log-level: debug, info, warn, "
                        "error or off\n");
        return CLI_USAGE;
    }
    const char *actions = cli_args_get(a, "--actions-dir");
    if (actions && !realpath(actions, up->actions_dir))
        return s_fail("--actions-dir %s: no such folder", actions);
    const char *gw = cli_args_get(a, "--gateway");
    if (gw) {
        const char *colon = strrchr(gw, ':');
        char *end = NULL;
        long port = colon ? strtol(colon + 1, &end, 10) : 0;
        if (!colon || colon == gw || !end || *end || port < 1 || port > 65535 ||
            strlen(gw) >= sizeof up->gateway) {
            fprintf(stderr,
                    "sirocco " S_CMD ": --gateway %s: HOST:PORT, "
                    "e.g. 127.0.0.1:8989\n",
                    gw);
            return CLI_USAGE;
        }
        snprintf(up->gateway, sizeof up->gateway, "%s", gw);
    }
    up->is_json = cli_args_has(a, "--json");
    return CLI_OK;
}

static int
s_running(const char *dir)
{
    fprintf(stderr,
            "sirocco " S_CMD ": a cluster runs in %s: stop it first with "
            "`sirocco cluster down --data %s`\n",
            dir, dir);
    return CLI_FAILED;
}

// A cluster recorded in the folder: refuse when it runs; else keep its
// layout (its engines' data is in the folder). One whose members changed
// (map version above 0) is started again exactly as recorded: *kept
// takes the record, and its processes are started with their command
// lines.
static int
s_previous(const cli_args_t *a, s_up_t *up, cli_local_t *kept)
{
    cli_local_t old;
    sr_error_t err;
    sr_err_t rc = cli_local_load(up->dir, &old, &err);
    if (rc == SR_ENOTFOUND) {
        cli_local_fini(&old);
        return CLI_OK;
    }
    int code = CLI_OK;
    if (rc) {
        code = s_fail("%s (remove the folder, or use another --data)", err.msg);
        goto done;
    }
    for (size_t i = 0; i < old.nprocs && !code; i++)
        if (cli_proc_is_alive(old.procs[i].pid, old.procs[i].start_ticks))
            code = s_running(up->dir);
    long engines = (long)cli_local_count(&old, CLI_LOCAL_ENGINE);
    long parts = (long)old.partitions;
    long replicas = old.replicas > 1 ? (long)old.replicas : 1;
    if (!code &&
        ((cli_args_has(a, "--engines") && up->engines != engines) ||
         (cli_args_has(a, "--partitions") && up->partitions != parts) ||
         (cli_args_has(a, "--replicas") && up->replicas != replicas))) {
        fprintf(stderr,
                "sirocco " S_CMD ": %s holds a cluster of %ld engines and "
                "%ld partitions (replicas: %ld), with their data: start it "
                "as it was (without --engines, --partitions and "
                "--replicas), or use another --data\n",
                up->dir, engines, parts, replicas);
        code = CLI_USAGE;
    }
    up->engines = engines;
    up->partitions = parts;
    up->replicas = replicas;
    if (!cli_args_has(a, "--workers"))
        up->workers = (long)cli_local_count(&old, CLI_LOCAL_WORKER);
    const cli_local_proc_t *gw = cli_local_gateway(&old);
    if (gw && !up->gateway[0]) // started as it was: with its gateway
        snprintf(up->gateway, sizeof up->gateway, "%s", gw->listen);
    if (!code && old.version > 0) {
        *kept = old;
        return CLI_OK;
    }
done:
    cli_local_fini(&old);
    return code;
}

// 2 ports per engine: consecutive from --base-port, or free ones the
// system picks (each held open until all are chosen, so they differ).
static int
s_ports(const s_up_t *up, int *ports)
{
    size_t n = (size_t)up->engines * 2;
    if (up->base_port) {
        if (up->base_port + (long)n - 1 > 65535)
            return s_fail("--base-port: the ports of %s engines pass 65535",
                          "the");
        for (size_t i = 0; i < n; i++)
            ports[i] = (int)up->base_port + (int)i;
        return CLI_OK;
    }
    return cli_cluster_free_ports(n, ports);
}

int
cli_cluster_free_ports(size_t n, int *ports)
{
    int fds[2 * CLI_LOCAL_ENGINES_MAX];
    size_t opened = 0;
    int code = CLI_OK;
    for (; opened < n && !code; opened++) {
        struct sockaddr_in sa = {.sin_family = AF_INET,
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof sa;
        fds[opened] = socket(AF_INET, SOCK_STREAM, 0);
        if (fds[opened] < 0 ||
            bind(fds[opened], (struct sockaddr *)&sa, sizeof sa) != 0 ||
            getsockname(fds[opened], (struct sockaddr *)&sa, &len) != 0)
            code = s_fail("cannot find a free port: %s", strerror(errno));
        else
            ports[opened] = ntohs(sa.sin_port);
    }
    for (size_t i = 0; i < opened; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return code;
}

// The command line of engine `p` (index i, 1-based name).
static sr_err_t
s_engine_argv(const s_up_t *up, cli_local_proc_t *p, sr_error_t *err)
{
    char exe[PATH_MAX], cluster[PATH_MAX], data[PATH_MAX], hb[32];
    snprintf(exe, sizeof exe, "%s/sirocco-engined", up->bin);
    snprintf(cluster, sizeof cluster, "%s/%s", up->dir, CLI_LOCAL_CLUSTER_FILE);
    snprintf(data, sizeof data, "%s/%s", up->dir, p->name);
    snprintf(hb, sizeof hb, "%ld", up->heartbeat_ms);
    const char *argv[S_ARGS_MAX] = {exe,
                                    "--cluster",
                                    cluster,
                                    "--name",
                                    p->name,
                                    "--data",
                                    data,
                                    "--durability",
                                    up->durability ? up->durability : "sync",
                                    "--log-level",
                                    up->log_level ? up->log_level : "info"};
    size_t n = 11;
    if (up->heartbeat_ms) {
        argv[n++] = "--heartbeat-ms";
        argv[n++] = hb;
    }
    argv[n] = NULL;
    return cli_local_set_argv(p, argv, err);
}

// The command line of worker `p`: every engine's worker endpoint.
static sr_err_t
s_worker_argv(const s_up_t *up, const cli_local_t *l, cli_local_proc_t *p,
              sr_error_t *err)
{
    char exe[PATH_MAX], slots[32], hb[32];
    snprintf(exe, sizeof exe, "%s/sirocco-workerd", up->bin);
    snprintf(slots, sizeof slots, "%ld", up->slots);
    snprintf(hb, sizeof hb, "%ld", up->heartbeat_ms);
    const char *argv[S_ARGS_MAX] = {exe,
                                    "--name",
                                    p->name,
                                    "--slots",
                                    slots,
                                    "--log-level",
                                    up->log_level ? up->log_level : "info"};
    size_t n = 7;
    for (size_t i = 0; i < l->nprocs; i++)
        if (l->procs[i].role == CLI_LOCAL_ENGINE) {
            argv[n++] = "--engine";
            argv[n++] = l->procs[i].worker;
        }
    if (up->actions_dir[0]) {
        argv[n++] = "--actions-dir";
        argv[n++] = up->actions_dir;
    }
    if (up->heartbeat_ms) {
        argv[n++] = "--heartbeat-ms";
        argv[n++] = hb;
    }
    argv[n] = NULL;
    return cli_local_set_argv(p, argv, err);
}

// The command line of the gateway: every engine's client endpoint.
static sr_err_t
s_gateway_argv(const s_up_t *up, const cli_local_t *l, cli_local_proc_t *p,
               sr_error_t *err)
{
    char exe[PATH_MAX];
    snprintf(exe, sizeof exe, "%s/sirocco-gateway", up->bin);
    char *eps = cli_local_endpoints(l);
    if (!eps)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    const char *argv[] = {exe,
                          "--listen",
                          p->listen,
                          "--cluster",
                          eps,
                          "--log-level",
                          up->log_level ? up->log_level : "info",
                          NULL};
    sr_err_t rc = cli_local_set_argv(p, argv, err);
    free(eps);
    return rc;
}

// One process of the plan: name, log, endpoints.
static sr_err_t
s_proc(const s_up_t *up, cli_local_proc_t *p, cli_local_role_t role,
       size_t number, const int *ports, sr_error_t *err)
{
    char text[PATH_MAX];
    p->role = role;
    snprintf(text, sizeof text, "%c%zu", "ewg"[role], number);
    p->name = strdup(text);
    snprintf(text, sizeof text, "%s/logs/%s.log", up->dir, p->name);
    p->log = strdup(text);
    if (role == CLI_LOCAL_ENGINE) {
        snprintf(text, sizeof text, "tcp://127.0.0.1:%d", ports[0]);
        p->client = strdup(text);
        snprintf(text, sizeof text, "tcp://127.0.0.1:%d", ports[1]);
        p->worker = strdup(text);
    }
    if (role == CLI_LOCAL_GATEWAY)
        p->listen = strdup(up->gateway);
    bool is_ok = p->name && p->log &&
                 (role != CLI_LOCAL_ENGINE || (p->client && p->worker)) &&
                 (role != CLI_LOCAL_GATEWAY || p->listen);
    return is_ok ? SR_OK : sr_error_set(err, SR_ENOMEM, "out of memory");
}

// The whole plan in `l`.
static int
s_plan(const s_up_t *up, cli_local_t *l)
{
    int ports[2 * CLI_LOCAL_ENGINES_MAX];
    int code = s_ports(up, ports);
    if (code)
        return code;
    sr_error_t err;
    if (!(l->dir = strdup(up->dir)))
        return s_fail("%s", "out of memory");
    l->partitions = (size_t)up->partitions;
    l->replicas = (size_t)up->replicas;
    // Each engine owns a range of partitions; with replicas R, the next
    // R - 1 engines (in turn) hold a copy of each too.
    size_t e = (size_t)up->engines, per = l->partitions / e;
    size_t extra = l->partitions % e, first = 0, r = l->replicas;
    size_t owner_first[CLI_LOCAL_ENGINES_MAX], owned[CLI_LOCAL_ENGINES_MAX];
    for (size_t i = 0; i < e; i++) {
        owner_first[i] = first;
        owned[i] = per + (i < extra);
        first += owned[i];
    }
    for (size_t i = 0; i < e; i++) {
        cli_local_proc_t *p = &l->procs[l->nprocs++];
        if (s_proc(up, p, CLI_LOCAL_ENGINE, i + 1, ports + 2 * i, &err) ||
            s_engine_argv(up, p, &err))
            return s_fail("%s", err.msg);
        size_t n = 0;
        for (size_t j = 0; j < r; j++)
            n += owned[(i + e - j) % e];
        if (!(p->parts = calloc(n, sizeof *p->parts)))
            return s_fail("%s", "out of memory");
        for (size_t j = 0; j < r; j++) { // its own range first
            size_t o = (i + e - j) % e;
            for (size_t k = 0; k < owned[o]; k++)
                p->parts[p->nparts++] = (uint16_t)(owner_first[o] + k);
        }
    }
    for (size_t i = 0; i < (size_t)up->workers; i++) {
        cli_local_proc_t *p = &l->procs[l->nprocs++];
        if (s_proc(up, p, CLI_LOCAL_WORKER, i + 1, NULL, &err) ||
            s_worker_argv(up, l, p, &err))
            return s_fail("%s", err.msg);
    }
    if (up->gateway[0]) {
        cli_local_proc_t *p = &l->procs[l->nprocs++];
        if (s_proc(up, p, CLI_LOCAL_GATEWAY, 1, NULL, &err) ||
            s_gateway_argv(up, l, p, &err))
            return s_fail("%s", err.msg);
    }
    return CLI_OK;
}

// Start every process, saving the record after each.
static int
s_start_all(cli_local_t *l)
{
    sr_error_t err;
    for (size_t i = 0; i < l->nprocs; i++) {
        cli_local_proc_t *p = &l->procs[i];
        pid_t pid;
        if (cli_proc_spawn(p->argv, p->log, &pid, &err))
            return s_fail("%s", err.msg);
        p->pid = pid;
        p->start_ticks = cli_proc_start_ticks(pid);
        if (cli_local_save(l, &err))
            return s_fail("%s", err.msg);
    }
    return CLI_OK;
}

static void
s_stop_all(cli_local_t *l)
{
    pid_t pids[CLI_LOCAL_PROCS_MAX] = {0};
    uint64_t ticks[CLI_LOCAL_PROCS_MAX] = {0};
    for (size_t i = 0; i < l->nprocs; i++) {
        pids[i] = l->procs[i].pid;
        ticks[i] = l->procs[i].start_ticks;
    }
    cli_proc_stop(pids, ticks, l->nprocs, 3000, NULL);
}

static void
s_print(const s_up_t *up, const cli_local_t *l)
{
    if (up->is_json) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", l->dir, CLI_LOCAL_RECORD);
        FILE *f = fopen(path, "r");
        char buf[4096];
        size_t n;
        while (f && (n = fread(buf, 1, sizeof buf, f)) > 0)
            fwrite(buf, 1, n, stdout);
        if (f)
            fclose(f);
        return;
    }
    printf("cluster up in %s: %zu engines, %zu workers, %zu partitions", l->dir,
           cli_local_count(l, CLI_LOCAL_ENGINE),
           cli_local_count(l, CLI_LOCAL_WORKER), l->partitions);
    if (l->replicas > 1)
        printf(", %zu replicas of each", l->replicas);
    printf("\n");
    for (size_t i = 0; i < l->nprocs; i++) {
        const cli_local_proc_t *p = &l->procs[i];
        if (p->role == CLI_LOCAL_ENGINE) {
            printf("  engine %-4s pid %-7ld client %s  worker %s  "
                   "partitions ",
                   p->name, (long)p->pid, p->client, p->worker);
            // As ranges: "0-1", "0-1,4-5".
            for (size_t k = 0; k < p->nparts;) {
                size_t end = k;
                while (end + 1 < p->nparts &&
                       p->parts[end + 1] == p->parts[end] + 1)
                    end++;
                printf("%s%u-%u", k ? "," : "", p->parts[k], p->parts[end]);
                k = end + 1;
            }
            printf("\n");
        } else if (p->role == CLI_LOCAL_WORKER)
            printf("  worker %-4s pid %-7ld connected to every engine\n",
                   p->name, (long)p->pid);
        else
            printf("  gateway %-3s pid %-7ld http://%s (REST /v2, "
                   "callbacks, hooks)\n",
                   p->name, (long)p->pid, p->listen);
    }
    char *eps = cli_local_endpoints(l);
    printf("use:  --cluster %s/%s\n  or: export SIROCCO_CLUSTER=%s/%s\n"
           "endpoints: %s\nlogs: %s/logs/\nstop: sirocco cluster down "
           "--data %s\n",
           l->dir, CLI_LOCAL_CLUSTER_FILE, l->dir, CLI_LOCAL_CLUSTER_FILE,
           eps ? eps : "?", l->dir, l->dir);
    free(eps);
}

// The daemons next to this binary, checked.
static int
s_find_bin(s_up_t *up)
{
    sr_error_t err;
    if (cli_proc_self_dir(up->bin, sizeof up->bin, &err))
        return s_fail("%s", err.msg);
    const char *names[] = {"sirocco-engined", "sirocco-workerd",
                           "sirocco-gateway"};
    for (size_t i = 0; i < (up->gateway[0] ? 3u : 2u); i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", up->bin, names[i]);
        if (access(path, X_OK) != 0)
            return s_fail("%s: not found next to the sirocco binary", path);
    }
    return CLI_OK;
}

int
cli_cluster_up(const cli_args_t *a)
{
    s_up_t up = {0};
    cli_local_t l = {0};
    int code = s_options(a, &up);
    if (!code)
        code = cli_cluster_dir(a, S_CMD, true, up.dir, sizeof up.dir);
    if (!code)
        code = s_previous(a, &up, &l);
    if (!code && !up.partitions)
        up.partitions = up.engines * S_PARTS_PER;
    if (!code && up.replicas > up.engines) {
        fprintf(stderr,
                "sirocco " S_CMD ": --replicas %ld: at most the number of "
                "engines (%ld)\n",
                up.replicas, up.engines);
        code = CLI_USAGE;
    }
    if (!code && (up.partitions < up.engines ||
                  up.partitions * up.replicas > up.engines * S_ENGINE_PARTS)) {
        fprintf(stderr,
                "sirocco " S_CMD ": --partitions %ld: each of %ld engines "
                "needs 1 to %d\n",
                up.partitions, up.engines, S_ENGINE_PARTS);
        code = CLI_USAGE;
    }
    if (!code)
        code = s_find_bin(&up);
    char logs[PATH_MAX];
    snprintf(logs, sizeof logs, "%s/logs", up.dir);
    if (!code && mkdir(logs, 0755) != 0 && errno != EEXIST)
        code = s_fail("cannot make %s", logs);
    if (!code && !l.version)
        code = s_plan(&up, &l);
    sr_error_t err;
    if (!code && cli_local_write_cluster_file(&l, &err))
        code = s_fail("%s", err.msg);
    if (!code && !(code = s_start_all(&l)))
        code = cli_cluster_wait_ready(&l, (int)up.timeout_ms);
    if (code && l.nprocs) {
        s_stop_all(&l);
        if (l.dir)
            fprintf(stderr,
                    "sirocco " S_CMD ": stopped what was started; "
                    "logs in %s/logs/\n",
                    l.dir);
    }
    if (!code)
        s_print(&up, &l);
    cli_local_fini(&l);
    return code;
}
