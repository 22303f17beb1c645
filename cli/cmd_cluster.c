/* sirocco cluster: the table of the local cluster's subcommands (up,
 * status, down) with their options, the dispatch, and what they share:
 * the data folder and number options. The subcommands live in
 * cmd_cluster_up.c, cmd_cluster_status.c and cmd_cluster_down.c.
 * Thread rule: the main thread.
 */
#include "cmd_cluster.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "wrk_node.h"

typedef int (*s_run_fn)(const cli_args_t *a);

typedef struct {
    const char *name, *usage, *summary;
    const cli_opt_t *opts;
    size_t nopts;
    s_run_fn run;
    size_t npos; // positional arguments it takes
} s_sub_t;

#define S_DATA_OPT                                                             \
    {                                                                          \
        "--data", "DIR",                                                       \
            "folder of the cluster (default ./" CLI_CLUSTER_DEFAULT_DIR ")"    \
    }

static const cli_opt_t s_up_opts[] = {
    {"--engines", "N", "engines to start (default 3)"},
    {"--workers", "N", "workers to start (default 2)"},
    {"--partitions", "N", "partitions in all (default 2 per engine)"},
    {"--replicas", "R",
     "copies of each partition, on R engines, kept by a Raft group "
     "(default 3, or the number of engines when fewer)"},
    S_DATA_OPT,
    {"--base-port", "P",
     "ports P, P+1, ... (default: free ports the system picks)"},
    {"--slots", "N",
     "actions each worker runs at once (default " WRK_NODE_DEFAULT_SLOTS_TEXT
     ")"},
    {"--actions-dir", "DIR", "custom action executables for the workers"},
    {"--gateway", "HOST:PORT",
     "also start an HTTP gateway listening there (docs/gateway.md)"},
    {"--durability", "sync|nosync", "engine commits (default sync)"},
    {"--heartbeat-ms", "MS", "heartbeat of engines and workers"},
    {"--log-level", "LEVEL", "of the daemons (default info)"},
    {"--timeout", "MS",
     "longest wait for the cluster to be ready "
     "(default 30000)"},
    {"--json", NULL, "print cluster.json instead of a summary"},
};

static const cli_opt_t s_status_opts[] = {
    S_DATA_OPT,
    {"--timeout", "MS",
     "longest wait for each engine's STATUS "
     "(default 1000)"},
    {"--json", NULL, "print JSON instead of tables"},
};

static const cli_opt_t s_down_opts[] = {
    S_DATA_OPT,
    {"--timeout", "MS", "from SIGTERM to SIGKILL (default 15000)"},
};

static const cli_opt_t s_member_opts[] = {
    S_DATA_OPT,
    {"--timeout", "MS",
     "longest wait for the replicas to move (default 60000)"},
};

static const cli_opt_t s_move_opts[] = {
    S_DATA_OPT,
    {"--from", "ENGINE", "the engine whose copy moves"},
    {"--to", "ENGINE", "the engine that takes it"},
    {"--timeout", "MS",
     "longest wait for the replicas to move (default 60000)"},
};

static const cli_opt_t s_apply_opts[] = {
    {"--also", "ENDPOINT",
     "the client endpoint of an engine the map leaves out, told too"},
    {"--timeout", "MS",
     "longest wait for the replicas to move (default 60000)"},
};

#define S_N(a) (sizeof(a) / sizeof((a)[0]))

static const s_sub_t s_subs[] = {
    {"up",
     "[--engines N] [--workers N] [--partitions N] [--data DIR] "
     "[--base-port P] [--gateway HOST:PORT] ...",
     "start engines and workers (and a gateway) on loopback; write "
     "DIR/cluster.yaml and DIR/cluster.json",
     s_up_opts, S_N(s_up_opts), cli_cluster_up, 0},
    {"status", "[--data DIR] [--json]",
     "each process (running or not) and each partition (its owner and "
     "state); exit 1 when anything is down",
     s_status_opts, S_N(s_status_opts), cli_cluster_status, 0},
    {"down", "[--data DIR] [--timeout MS]",
     "stop the processes `up` started (SIGTERM, then SIGKILL)", s_down_opts,
     S_N(s_down_opts), cli_cluster_down, 0},
    {"add-engine", "NAME [--data DIR] [--timeout MS]",
     "replicated: start engine NAME and move its share of the partitions' "
     "copies to it, online",
     s_member_opts, S_N(s_member_opts), cli_cluster_add_engine, 1},
    {"remove-engine", "NAME [--data DIR] [--timeout MS]",
     "replicated: move engine NAME's copies to the others, online, then "
     "stop it and delete its data",
     s_member_opts, S_N(s_member_opts), cli_cluster_remove_engine, 1},
    {"move", "PARTITION --from ENGINE --to ENGINE [--data DIR]",
     "replicated: move one copy of a partition to another engine, online",
     s_move_opts, S_N(s_move_opts), cli_cluster_move, 1},
    {"apply", "FILE [--also ENDPOINT] [--timeout MS]",
     "replicated, engines of your own: send the newer cluster file FILE "
     "to every engine it names, and wait until the replicas are its",
     s_apply_opts, S_N(s_apply_opts), cli_cluster_apply, 1},
};

static void
s_usage(FILE *out)
{
    fprintf(out, "usage:\n");
    for (size_t i = 0; i < S_N(s_subs); i++)
        fprintf(out, "  sirocco cluster %s %s\n      %s\n", s_subs[i].name,
                s_subs[i].usage, s_subs[i].summary);
}

int
cli_cluster_local(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "--help") == 0) {
        s_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const s_sub_t *s = NULL;
    for (size_t i = 0; i < S_N(s_subs) && !s; i++)
        if (strcmp(argv[1], s_subs[i].name) == 0)
            s = &s_subs[i];
    if (!s) {
        fprintf(stderr, "sirocco cluster: unknown command '%s'\n", argv[1]);
        s_usage(stderr);
        return CLI_USAGE;
    }
    char cmd[48];
    snprintf(cmd, sizeof cmd, "cluster %s", s->name);
    cli_args_t args;
    if (!cli_args_parse(cmd, s->opts, s->nopts, s->npos, s->npos, argc, argv, 2,
                        &args)) {
        fprintf(stderr, "usage: sirocco %s %s\n", cmd, s->usage);
        return CLI_USAGE;
    }
    if (args.is_help) {
        printf("usage: sirocco %s %s\n  %s\noptions:\n", cmd, s->usage,
               s->summary);
        cli_args_print_options(s->opts, s->nopts);
        return CLI_OK;
    }
    return s->run(&args);
}

// mkdir -p
static bool
s_mkdirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        bool is_ok = mkdir(path, 0755) == 0 || errno == EEXIST;
        *p = '/';
        if (!is_ok)
            return false;
    }
    return mkdir(path, 0755) == 0 || errno == EEXIST;
}

int
cli_cluster_dir(const cli_args_t *a, const char *cmd, bool is_create, char *out,
                size_t size)
{
    const char *dir = cli_args_get(a, "--data");
    char path[PATH_MAX];
    if (!dir)
        dir = CLI_CLUSTER_DEFAULT_DIR;
    if (strlen(dir) >= sizeof path) {
        fprintf(stderr, "sirocco %s: --data: too long\n", cmd);
        return CLI_FAILED;
    }
    snprintf(path, sizeof path, "%s", dir);
    if (is_create && !s_mkdirs(path)) {
        fprintf(stderr, "sirocco %s: cannot make %s: %s\n", cmd, dir,
                strerror(errno));
        return CLI_FAILED;
    }
    char real[PATH_MAX];
    if (!realpath(path, real)) {
        fprintf(stderr, "sirocco %s: %s: %s\n", cmd, dir, strerror(errno));
        return CLI_FAILED;
    }
    if (strlen(real) + 64 > size) { // room for the files inside
        fprintf(stderr, "sirocco %s: %s: path too long\n", cmd, real);
        return CLI_FAILED;
    }
    snprintf(out, size, "%s", real);
    return CLI_OK;
}

int
cli_cluster_num(const cli_args_t *a, const char *cmd, const char *opt, long min,
                long max, long *out)
{
    const char *text = cli_args_get(a, opt);
    if (!text)
        return CLI_OK;
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max) {
        fprintf(stderr,
                "sirocco %s: %s '%s': expected a number from %ld to "
                "%ld\n",
                cmd, opt, text, min, max);
        return CLI_USAGE;
    }
    *out = v;
    return CLI_OK;
}
