/* The engines of a local cluster asked for STATUS through the client
 * library (one client on every engine), and the wait of `cluster up`
 * until each engine answers and sees each worker, watching that no
 * process ends meanwhile. Holds nothing between calls.
 * Thread rule: the main thread.
 */
#include "cmd_cluster_ready.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_proc.h"
#include "sirocco/client.h"

#define S_TRY_MS   300  // one STATUS while waiting for readiness
#define S_PAUSE_MS 50   // between rounds
#define S_TAIL     1500 // bytes of a log shown after a failure

static sr_client_t *
s_open(const cli_local_t *l)
{
    char *eps = cli_local_endpoints(l);
    sr_client_t *c = NULL;
    sr_error_t err;
    if (!eps || sr_client_open(eps, NULL, &c, &err) != SR_OK)
        fprintf(stderr, "sirocco cluster: cannot reach the engines: %s\n",
                eps ? err.msg : "out of memory");
    free(eps);
    return c;
}

int
cli_cluster_probe(const cli_local_t *l, int timeout_ms, sr_value_t **out)
{
    sr_client_t *c = s_open(l);
    if (!c)
        return CLI_FAILED;
    for (size_t k = 0; k < sr_client_engine_count(c); k++) {
        sr_error_t err;
        out[k] = NULL;
        if (sr_client_status(c, k, timeout_ms, &out[k], &err) != SR_OK)
            out[k] = NULL;
    }
    sr_client_close(&c);
    return CLI_OK;
}

bool
cli_cluster_sees_worker(const sr_value_t *status, const char *name)
{
    const sr_value_t *ws = sr_value_map_get(status, "workers");
    for (size_t i = 0; i < sr_value_len(ws); i++) {
        const char *w = sr_value_map_str(sr_value_array_at(ws, i), "name");
        if (w && strcmp(w, name) == 0)
            return true;
    }
    return false;
}

// Print why `p` is at fault and the end of its log.
static int
s_blame(const cli_local_proc_t *p, const char *why)
{
    fprintf(stderr, "sirocco cluster up: %s %s %s; the end of %s:\n",
            cli_local_role_name(p->role), p->name, why, p->log);
    FILE *f = fopen(p->log, "rb");
    if (f) {
        char buf[S_TAIL + 1];
        if (fseek(f, -S_TAIL, SEEK_END) != 0)
            rewind(f);
        size_t n = fread(buf, 1, S_TAIL, f);
        buf[n] = '\0';
        fprintf(stderr, "%s%s", buf, n && buf[n - 1] != '\n' ? "\n" : "");
        fclose(f);
    }
    return CLI_FAILED;
}

// Engine `e` answers and lists every worker of `l`?
static bool
s_is_ready(const cli_local_t *l, sr_client_t *c, size_t e, const char **missing)
{
    sr_value_t *st = NULL;
    sr_error_t err;
    *missing = "does not answer STATUS";
    if (sr_client_status(c, e, S_TRY_MS, &st, &err) != SR_OK)
        return false;
    bool is_ready = true;
    for (size_t i = 0; i < l->nprocs && is_ready; i++)
        if (l->procs[i].role == CLI_LOCAL_WORKER &&
            !cli_cluster_sees_worker(st, l->procs[i].name)) {
            *missing = "does not see every worker";
            is_ready = false;
        }
    sr_value_destroy(&st);
    return is_ready;
}

// Replicated partitions: is every partition served by some engine (its
// group has elected a leader)? The first that is not goes in *part.
static bool
s_all_served(const cli_local_t *l, sr_client_t *c, size_t *part)
{
    bool served[CLI_LOCAL_PARTITIONS_MAX] = {false};
    for (size_t e = 0; e < cli_local_count(l, CLI_LOCAL_ENGINE); e++) {
        sr_value_t *st = NULL;
        sr_error_t err;
        if (sr_client_status(c, e, S_TRY_MS, &st, &err) != SR_OK)
            continue;
        const sr_value_t *parts = sr_value_map_get(st, "partitions");
        for (size_t i = 0; i < sr_value_len(parts); i++) {
            int64_t p = sr_value_int(sr_value_array_at(parts, i));
            if (p >= 0 && p < CLI_LOCAL_PARTITIONS_MAX)
                served[p] = true;
        }
        sr_value_destroy(&st);
    }
    for (size_t p = 0; p < l->partitions; p++)
        if (!served[p]) {
            *part = p;
            return false;
        }
    return true;
}

// Does the gateway accept TCP connections on its HOST:PORT ([V6]:PORT)?
static bool
s_gateway_listens(const cli_local_proc_t *p)
{
    char host[256];
    const char *colon = strrchr(p->listen, ':');
    if (!colon || (size_t)(colon - p->listen) >= sizeof host)
        return false;
    const char *h = p->listen;
    size_t len = (size_t)(colon - p->listen);
    if (len >= 2 && h[0] == '[' && h[len - 1] == ']') {
        h++;
        len -= 2;
    }
    memcpy(host, h, len);
    host[len] = '\0';
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    if (getaddrinfo(host, colon + 1, &hints, &res) != 0)
        return false;
    bool is_up = false;
    for (struct addrinfo *ai = res; ai && !is_up; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        is_up = connect(fd, ai->ai_addr, ai->ai_addrlen) == 0;
        close(fd);
    }
    freeaddrinfo(res);
    return is_up;
}

// A process that ended; NULL when all run.
static const cli_local_proc_t *
s_ended(const cli_local_t *l)
{
    for (size_t i = 0; i < l->nprocs; i++) {
        const cli_local_proc_t *p = &l->procs[i];
        cli_proc_reap(p->pid);
        if (!cli_proc_is_alive(p->pid, p->start_ticks))
            return p;
    }
    return NULL;
}

int
cli_cluster_wait_ready(const cli_local_t *l, int timeout_ms)
{
    sr_client_t *c = s_open(l);
    if (!c)
        return CLI_FAILED;
    bool is_ready[CLI_LOCAL_ENGINES_MAX] = {false};
    int64_t end = cli_proc_now_ms() + timeout_ms;
    int code = CLI_FAILED;
    for (;;) {
        const cli_local_proc_t *gone = s_ended(l);
        if (gone) {
            code = s_blame(gone, "ended at start");
            break;
        }
        size_t waiting = 0, e = 0;
        const char *missing = NULL;
        const cli_local_proc_t *late = NULL;
        for (size_t i = 0; i < l->nprocs; i++) {
            const cli_local_proc_t *p = &l->procs[i];
            if (p->role != CLI_LOCAL_ENGINE)
                continue;
            const char *why = NULL;
            if (!is_ready[e] && !(is_ready[e] = s_is_ready(l, c, e, &why))) {
                waiting++;
                if (!late) {
                    late = p;
                    missing = why;
                }
            }
            e++;
        }
        size_t unserved = 0;
        if (!waiting && l->replicas > 1 && !s_all_served(l, c, &unserved)) {
            waiting++;
            late = &l->procs[0];
            missing = "is up, but a partition has no leader yet";
        }
        const cli_local_proc_t *gw = cli_local_gateway(l);
        if (!waiting && gw && !s_gateway_listens(gw)) {
            waiting++;
            late = gw;
            missing = "does not accept connections";
        }
        if (!waiting) {
            code = CLI_OK;
            break;
        }
        if (cli_proc_now_ms() >= end) {
            char why[128];
            snprintf(why, sizeof why, "%s after %d ms", missing, timeout_ms);
            code = s_blame(late, why);
            break;
        }
        struct timespec ts = {0, S_PAUSE_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
    sr_client_close(&c);
    return code;
}
