// The set-up half of `sirocco bench` (see cmd_bench_setup.h).
#include "cmd_bench_setup.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_curve.h"
#include "eng.h"
#include "sirocco/client.h"
#include "sr_log.h"
#include "sr_msg.h"
#include "sr_value_json.h"
#include "sr_wire.h"
#include "wrk_node.h"

static const char *s_linear3 = "version: '2.0'\n"
                               "linear3:\n"
                               "  tasks:\n"
                               "    t1: {action: std.noop, on-success: t2}\n"
                               "    t2: {action: std.noop, on-success: t3}\n"
                               "    t3: {action: std.noop}\n";

static const char *s_wait = "version: '2.0'\n"
                            "wait:\n"
                            "  tasks:\n"
                            "    hold: {action: std.async_noop}\n";

static char *
s_fanout10(void)
{
    char *t = malloc(2048);
    if (!t)
        return NULL;
    int n = snprintf(t, 2048,
                     "version: '2.0'\nfanout10:\n  tasks:\n    start:\n"
                     "      action: std.noop\n      on-success: [p0, p1, p2, "
                     "p3, p4, p5, p6, p7, p8, p9]\n");
    for (int i = 0; i < 10; i++)
        n += snprintf(t + n, 2048 - (size_t)n,
                      "    p%d: {action: std.noop, on-success: join}\n", i);
    snprintf(t + n, 2048 - (size_t)n,
             "    join: {join: all, action: std.noop}\n");
    return t;
}

static int
s_bad(const char *fmt, const char *arg)
{
    fprintf(stderr, "sirocco bench: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nusage:\n");
    cli_usage(stderr, "bench");
    return CLI_USAGE;
}

static int
s_count(const char *opt, const char *text, size_t max, size_t *out)
{
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    if (*end || v < 1 || (size_t)v > max)
        return s_bad("%s must be a positive number in range", opt);
    *out = (size_t)v;
    return CLI_OK;
}

int
bench_parse(int argc, char **argv, bench_opts_t *o)
{
    *o = (bench_opts_t){.workflow = "linear3",
                        .executions = 10000,
                        .engines = 1,
                        .workers = 1,
                        .slots = WRK_NODE_DEFAULT_SLOTS,
                        .window = 2000};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = CLI_OK;
        if (strcmp(a, "--json") == 0) {
            o->json = true;
            continue;
        }
        if (strcmp(a, "--nosync") == 0) {
            o->nosync = true;
            continue;
        }
        if (!v)
            return s_bad("unknown option or missing value: %s", a);
        i++;
        if (strcmp(a, "--workflow") == 0)
            o->workflow = v;
        else if (strcmp(a, "--cluster") == 0)
            o->cluster = v;
        else if (strcmp(a, "--executions") == 0)
            rc = s_count(a, v, 10000000, &o->executions);
        else if (strcmp(a, "--engines") == 0)
            rc = s_count(a, v, BENCH_MAX_ENGINES, &o->engines);
        else if (strcmp(a, "--workers") == 0)
            rc = s_count(a, v, BENCH_MAX_WORKERS, &o->workers);
        else if (strcmp(a, "--slots") == 0)
            rc = s_count(a, v, WRK_NODE_SLOTS_MAX, &o->slots);
        else if (strcmp(a, "--window") == 0)
            rc = s_count(a, v, 1000000, &o->window);
        else
            return s_bad("unknown option %s", a);
        if (rc)
            return rc;
    }
    return CLI_OK;
}

static int
s_workflow(const bench_opts_t *o, bench_env_t *env)
{
    if (strcmp(o->workflow, "linear3") == 0) {
        env->definition = strdup(s_linear3);
        env->tasks_per_exec = 3;
    } else if (strcmp(o->workflow, "fanout10") == 0) {
        env->definition = s_fanout10();
        env->tasks_per_exec = 12;
    } else if (strcmp(o->workflow, "wait") == 0) {
        env->definition = strdup(s_wait);
        env->tasks_per_exec = 1;
        env->waiting = true;
    } else {
        FILE *f = fopen(o->workflow, "rb");
        if (!f) {
            fprintf(stderr, "sirocco bench: %s: %s\n", o->workflow,
                    strerror(errno));
            return CLI_USAGE;
        }
        env->definition = calloc(1, 1 << 20);
        if (env->definition &&
            fread(env->definition, 1, (1 << 20) - 1, f) == 0) {
            free(env->definition);
            env->definition = NULL;
        }
        fclose(f);
        env->tasks_per_exec = 1; // counted as executions
        // The first top-level key after "version" names the workflow.
        const char *p = env->definition ? strstr(env->definition, "\n") : NULL;
        while (p && (p[1] == ' ' || p[1] == '#' || p[1] == '\n' ||
                     strncmp(p + 1, "version", 7) == 0 ||
                     strncmp(p + 1, "---", 3) == 0))
            p = strchr(p + 1, '\n');
        static char name[256];
        if (p && sscanf(p + 1, "%255[^:\n]", name) == 1)
            env->workflow = name;
        if (!env->workflow) {
            fprintf(stderr, "sirocco bench: %s: no workflow found\n",
                    o->workflow);
            return CLI_USAGE;
        }
        return CLI_OK;
    }
    env->workflow = o->workflow;
    return env->definition ? CLI_OK : CLI_FAILED;
}

static int
s_embedded(const bench_opts_t *o, bench_env_t *env)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(env->data, sizeof env->data, "%s/sirocco-bench-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(env->data))
        return CLI_FAILED;
    const char *wendpoints[BENCH_MAX_ENGINES];
    char wep[BENCH_MAX_ENGINES][96];
    sr_error_t err;
    for (size_t i = 0; i < o->engines; i++) {
        char cep[96], dir[4200], name[32];
        snprintf(cep, sizeof cep, "inproc://bench-%d-%zu-c", (int)getpid(), i);
        snprintf(wep[i], sizeof wep[i], "inproc://bench-%d-%zu-w",
                 (int)getpid(), i);
        snprintf(dir, sizeof dir, "%s/e%zu", env->data, i);
        snprintf(name, sizeof name, "bench%zu", i);
        eng_config_t cfg = {.name = name,
                            .client_endpoint = cep,
                            .worker_endpoint = wep[i],
                            .data_dir = dir,
                            .partitions = {(uint16_t)i},
                            .npartitions = 1,
                            .durability =
                                o->nosync ? STORE_NOSYNC : STORE_SYNC};
        if (eng_start(&cfg, (eng_t **)&env->engines[i], &err)) {
            fprintf(stderr, "sirocco bench: engine: %s\n", err.msg);
            return CLI_FAILED;
        }
        env->endpoints[env->nendpoints++] = strdup(cep);
        wendpoints[i] = wep[i];
    }
    if (wrk_registry_new(NULL, (wrk_registry_t **)&env->registry, &err))
        return CLI_FAILED;
    for (size_t i = 0; i < o->workers; i++) {
        char name[32];
        snprintf(name, sizeof name, "bench-w%zu", i);
        wrk_node_config_t wc = {.name = name,
                                .slots = o->slots,
                                .engines = wendpoints,
                                .n_engines = o->engines,
                                .registry = env->registry};
        if (wrk_node_start(&wc, (wrk_node_t **)&env->nodes[i], &err)) {
            fprintf(stderr, "sirocco bench: worker: %s\n", err.msg);
            return CLI_FAILED;
        }
    }
    return CLI_OK;
}

int
bench_env_start(const bench_opts_t *o, bench_env_t *env)
{
    memset(env, 0, sizeof *env);
    if (!getenv("SIROCCO_LOG_LEVEL"))
        sr_log_set_level(SR_LOG_WARN);
    int rc = s_workflow(o, env);
    if (rc)
        return rc;
    if (!o->cluster)
        return s_embedded(o, env);
    if ((rc = cli_curve_load_env("bench", &env->curve))) {
        bench_env_stop(env);
        return rc;
    }
    char *list = NULL;
    sr_error_t err;
    if (sr_client_cluster_endpoints(o->cluster, &list, &err) != SR_OK) {
        bench_env_stop(env);
        return s_bad("--cluster: %s", err.msg);
    }
    for (char *save = NULL, *t = strtok_r(list, ",", &save);
         t && env->nendpoints < BENCH_MAX_ENGINES;
         t = strtok_r(NULL, ",", &save))
        env->endpoints[env->nendpoints++] = strdup(t);
    free(list);
    return env->nendpoints ? CLI_OK : s_bad("--cluster %s names nothing", "");
}

void
bench_env_stop(bench_env_t *env)
{
    sr_curve_destroy(&env->curve);
    for (size_t i = 0; i < BENCH_MAX_WORKERS; i++)
        wrk_node_stop((wrk_node_t **)&env->nodes[i]);
    wrk_registry_destroy((wrk_registry_t **)&env->registry);
    for (size_t i = 0; i < BENCH_MAX_ENGINES; i++)
        eng_stop((eng_t **)&env->engines[i]);
    for (size_t i = 0; i < env->nendpoints; i++)
        free(env->endpoints[i]);
    free(env->definition);
    if (env->data[0]) {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", env->data);
        if (system(cmd) != 0)
            fprintf(stderr, "sirocco bench: could not remove %s\n", env->data);
    }
}

// A field of /proc/self/status in MiB, or -1.
static double
s_status_mb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double mb = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0 && line[n] == ':')
            mb = strtod(line + n + 1, NULL) / 1024.0;
    if (f)
        fclose(f);
    return mb;
}

double
bench_rss_mb(const bench_env_t *env)
{
    return env->engines[0] ? s_status_mb("VmRSS") : -1;
}

// The slots of each worker this process starts.
static sr_value_t *
s_own_slots(const bench_opts_t *o)
{
    sr_value_t *slots = sr_value_new_array(o->workers);
    for (size_t i = 0; slots && i < o->workers; i++)
        if (sr_value_array_append(slots, sr_value_new_int((int64_t)o->slots)))
            sr_value_destroy(&slots);
    return slots;
}

sr_value_t *
bench_settings(const bench_opts_t *o, const bench_env_t *env,
               const sr_value_t *slots)
{
    sr_value_t *s = sr_value_new_map(10);
    sr_value_t *w = slots        ? sr_value_ref((sr_value_t *)slots)
                    : o->cluster ? NULL
                                 : s_own_slots(o);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (s &&
        (sr_value_map_put(s, "workflow", sr_value_new_str(env->workflow)) ||
         sr_value_map_put(s, "executions",
                          sr_value_new_int((int64_t)o->executions)) ||
         sr_value_map_put(s, "engines",
                          sr_value_new_int((int64_t)env->nendpoints)) ||
         (w && sr_value_map_put(s, "workers",
                                sr_value_new_int((int64_t)sr_value_len(w)))) ||
         (w && sr_value_map_put(s, "slots", sr_value_ref(w))) ||
         sr_value_map_put(s, "window", sr_value_new_int((int64_t)o->window)) ||
         (!o->cluster &&
          sr_value_map_put(s, "durability",
                           sr_value_new_str(o->nosync ? "nosync" : "sync"))) ||
         sr_value_map_put(
             s, "mode",
             sr_value_new_str(o->cluster ? "cluster" : "embedded")) ||
         sr_value_map_put(s, "cpus", sr_value_new_int(cpus))))
        sr_value_destroy(&s);
    sr_value_destroy(&w);
    return s;
}

// Read what has arrived (waiting at most `wait_ms` for the first
// message) and count task RUNNING events into *seen.
static void
s_drain_events(zsock_t **socks, size_t nsocks, int wait_ms, size_t *seen)
{
    for (size_t e = 0; e < nsocks; e++)
        for (int k = 0; k < 100000; k++) {
            sr_wire_in_t in;
            sr_error_t err;
            sr_err_t rc =
                sr_wire_recv(socks[e], k ? 0 : wait_ms, NULL, &in, &err);
            if (rc == SR_OK && in.type == SR_MSG_EVENT &&
                strcmp(sr_msg_str(in.msg, SR_F_EVENT_kind), "task") == 0 &&
                strcmp(sr_msg_str(in.msg, SR_F_EVENT_state), "RUNNING") == 0)
                (*seen)++;
            sr_wire_in_fini(&in);
            if (rc == SR_ETIMEDOUT || rc == SR_EIO)
                break;
        }
}

// Wait until `want` task RUNNING events arrived (or 300 s).
static size_t
s_wait_running(zsock_t **socks, size_t nsocks, size_t want, size_t seen)
{
    int64_t deadline = zclock_mono() + 300000;
    while (seen < want && zclock_mono() < deadline)
        s_drain_events(socks, nsocks, 100, &seen);
    return seen;
}

int
bench_wait_run(const bench_opts_t *o, bench_env_t *env, zsock_t **socks,
               size_t nsocks)
{
    malloc_trim(0);
    double anon0 = s_status_mb("RssAnon"), rss0 = s_status_mb("VmRSS");
    int64_t req = 1000000;
    size_t seen = 0;
    for (size_t i = 0; i < o->executions; i++) {
        sr_msg_t *m = sr_msg_new(SR_MSG_EX_START);
        sr_error_t err;
        if (!m || sr_msg_set_int(m, SR_F_EX_START_req_id, req++) ||
            sr_msg_set_str(m, SR_F_EX_START_workflow, env->workflow) ||
            sr_wire_send(socks[i % nsocks], NULL, m, &err)) {
            sr_msg_destroy(&m);
            return CLI_FAILED;
        }
        sr_msg_destroy(&m);
        // Keep the engine's answers flowing: at most ~2,000 starts ahead.
        while (i + 1 - seen > 2000 && zclock_mono() < 0x7fffffffffffLL) {
            size_t before = seen;
            s_drain_events(socks, nsocks, 1000, &seen);
            if (seen == before)
                break; // no progress within a second: go on sending
        }
    }
    seen = s_wait_running(socks, nsocks, o->executions, seen);
    zclock_sleep(1000); // the delegates' pending RESULTs are applied
    // Give freed heap back to the system first, so that what is left is
    // what the process holds, not what malloc keeps for reuse.
    malloc_trim(0);
    double anon1 = s_status_mb("RssAnon"), rss1 = s_status_mb("VmRSS");
    sr_value_t *r = sr_value_new_map(8);
    double per = seen ? (anon1 - anon0) * 1048576.0 / (double)seen : -1;
    if (!r ||
        sr_value_map_put(r, "waiting_executions",
                         sr_value_new_int((int64_t)seen)) ||
        sr_value_map_put(r, "rss_before_mb", sr_value_new_float(rss0)) ||
        sr_value_map_put(r, "rss_after_mb", sr_value_new_float(rss1)) ||
        sr_value_map_put(r, "anon_before_mb", sr_value_new_float(anon0)) ||
        sr_value_map_put(r, "anon_after_mb", sr_value_new_float(anon1)) ||
        sr_value_map_put(r, "anon_bytes_per_execution",
                         sr_value_new_float(per)) ||
        sr_value_map_put(r, "settings", bench_settings(o, env, NULL))) {
        sr_value_destroy(&r);
        return CLI_FAILED;
    }
    char *text = sr_value_to_json(r, o->json ? SR_JSON_SPACED : SR_JSON_PRETTY);
    printf("%s\n", text ? text : "{}");
    free(text);
    sr_value_destroy(&r);
    return seen == o->executions ? CLI_OK : CLI_FAILED;
}
