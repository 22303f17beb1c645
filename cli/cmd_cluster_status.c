/* sirocco cluster status: reads DIR/cluster.json, tells for each process
 * whether it still runs (its PID and start time), asks each engine for
 * STATUS with a short timeout (and shows the CPU time, memory and
 * messages it reports), and shows each partition with its owner
 * and state (`serving` when the owner answers and holds it, else
 * `unavailable`), epoch, leader, term, replicas, commit index and its
 * followers' lag: with replicated partitions from the Raft groups the
 * engines report (a leader's view first), else the owner alone in its
 * epoch. Tables, or JSON with --json. Exit 0 when everything runs and
 * every partition is served, else 1.
 * Thread rule: the main thread.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_local.h"
#include "cli_print.h"
#include "cli_proc.h"
#include "cmd_cluster.h"
#include "cmd_cluster_ready.h"
#include "sr_value.h"

#define S_CMD        "cluster status"
#define S_TIMEOUT_MS 1000

typedef struct {
    const cli_local_t *l;
    sr_value_t *status[CLI_LOCAL_ENGINES_MAX]; // by engine; NULL = silent
    size_t nengines;
    bool is_all_well;
} s_view_t;

static sr_value_t *
s_str(const char *s)
{
    return sr_value_new_str(s);
}

// How many engines list worker `name`.
static size_t
s_seen_by(const s_view_t *v, const char *name)
{
    size_t n = 0;
    for (size_t k = 0; k < v->nengines; k++)
        n += v->status[k] && cli_cluster_sees_worker(v->status[k], name);
    return n;
}

static sr_value_t *
s_num_or_nil(bool has, double v)
{
    return has ? sr_value_new_float(v) : sr_value_new_nil();
}

// An engine's process figures from its STATUS (nil when it does not tell
// them: it did not answer, or speaks a protocol older than 1.7): CPU
// seconds, resident MiB, and the messages of all its sockets together
// (`messages` per socket, in --json).
static sr_err_t
s_engine_figures(const sr_value_t *st, sr_value_t *m)
{
    int64_t cpu_us = -1, rss = -1;
    (void)sr_value_map_int(st, "cpu_us", &cpu_us);
    (void)sr_value_map_int(st, "rss_bytes", &rss);
    const sr_value_t *msgs = sr_value_map_get(st, "messages");
    int64_t in = 0, out = 0;
    for (size_t i = 0; i < sr_value_len(msgs); i++) {
        const char *key = sr_value_str(sr_value_map_key(msgs, i));
        int64_t n = sr_value_int(sr_value_map_val(msgs, i));
        size_t len = strlen(key);
        if (len > 9 && strcmp(key + len - 9, "_received") == 0)
            in += n;
        else if (len > 5 && strcmp(key + len - 5, "_sent") == 0)
            out += n;
    }
    bool has_msgs = sr_value_is(msgs, SR_T_MAP);
    sr_err_t rc = sr_value_map_put(
        m, "cpu_s", s_num_or_nil(cpu_us >= 0, (double)(cpu_us / 10000) / 100));
    if (!rc)
        rc = sr_value_map_put(
            m, "rss_mb",
            s_num_or_nil(rss >= 0, (double)(rss * 10 / 1048576) / 10));
    if (!rc)
        rc = sr_value_map_put(
            m, "msgs_in", has_msgs ? sr_value_new_int(in) : sr_value_new_nil());
    if (!rc)
        rc = sr_value_map_put(m, "msgs_out",
                              has_msgs ? sr_value_new_int(out)
                                       : sr_value_new_nil());
    if (!rc)
        rc = sr_value_map_put(m, "messages",
                              has_msgs ? sr_value_ref((sr_value_t *)msgs)
                                       : sr_value_new_nil());
    return rc;
}

static sr_value_t *
s_process(s_view_t *v, const cli_local_proc_t *p, size_t engine)
{
    bool is_up = cli_proc_is_alive(p->pid, p->start_ticks);
    bool is_engine = p->role == CLI_LOCAL_ENGINE;
    const sr_value_t *st = is_engine ? v->status[engine] : NULL;
    char links[64] = "", url[300] = "";
    if (is_engine)
        snprintf(links, sizeof links, "%zu workers",
                 st ? sr_value_len(sr_value_map_get(st, "workers")) : 0);
    else if (p->role == CLI_LOCAL_WORKER)
        snprintf(links, sizeof links, "%zu/%zu engines", s_seen_by(v, p->name),
                 v->nengines);
    else
        snprintf(url, sizeof url, "http://%s", p->listen);
    v->is_all_well &= is_up && (!is_engine || st);
    // The gateway's URL stands in the CLIENT column: where clients go.
    const char *client = is_engine ? p->client : url[0] ? url : NULL;
    sr_value_t *m = sr_value_new_map(13);
    if (!m || sr_value_map_put(m, "name", s_str(p->name)) ||
        sr_value_map_put(m, "role", s_str(cli_local_role_name(p->role))) ||
        sr_value_map_put(m, "pid", sr_value_new_int(p->pid)) ||
        sr_value_map_put(m, "state", s_str(is_up ? "running" : "stopped")) ||
        sr_value_map_put(m, "answers",
                         is_engine ? s_str(st ? "yes" : "no")
                                   : sr_value_new_nil()) ||
        sr_value_map_put(m, "links",
                         links[0] && (!is_engine || st) ? s_str(links)
                                                        : sr_value_new_nil()) ||
        sr_value_map_put(m, "client",
                         client ? s_str(client) : sr_value_new_nil()) ||
        sr_value_map_put(m, "worker",
                         is_engine ? s_str(p->worker) : sr_value_new_nil()) ||
        s_engine_figures(st, m))
        sr_value_destroy(&m);
    return m;
}

// The epoch of partition `part` in STATUS `st`, or -1 when not held.
static int64_t
s_epoch(const sr_value_t *st, size_t part)
{
    const sr_value_t *parts = sr_value_map_get(st, "partitions");
    const sr_value_t *epochs = sr_value_map_get(st, "epochs");
    for (size_t i = 0; i < sr_value_len(parts); i++)
        if (sr_value_int(sr_value_array_at(parts, i)) == (int64_t)part)
            return i < sr_value_len(epochs)
                       ? sr_value_int(sr_value_array_at(epochs, i))
                       : 0;
    return -1;
}

static bool
s_holds(const cli_local_proc_t *p, size_t part)
{
    for (size_t k = 0; k < p->nparts; k++)
        if (p->parts[k] == part)
            return true;
    return false;
}

// Partition `part`'s Raft group in STATUS `st`, or NULL (no replicated
// partitions, or no copy of it there).
static const sr_value_t *
s_group_in(const sr_value_t *st, size_t part)
{
    const sr_value_t *groups =
        sr_value_map_get(sr_value_map_get(st, "raft"), "groups");
    for (size_t i = 0; i < sr_value_len(groups); i++) {
        const sr_value_t *g = sr_value_array_at(groups, i);
        int64_t p;
        if (sr_value_map_int(g, "partition", &p) && p == (int64_t)part)
            return g;
    }
    return NULL;
}

static bool
s_is_leader(const sr_value_t *group)
{
    const char *state = sr_value_map_str(group, "state");
    return state && strcmp(state, "leader") == 0;
}

// The most telling view of partition `part`'s group among the engines
// that answered: a leader's (of the latest term, should a deposed one
// not know it yet), else the latest term's. NULL without replication.
static const sr_value_t *
s_best_group(const s_view_t *v, size_t part)
{
    const sr_value_t *best = NULL;
    int64_t best_term = -1;
    for (size_t e = 0; e < v->nengines; e++) {
        const sr_value_t *g = s_group_in(v->status[e], part);
        int64_t term;
        if (!g || !sr_value_map_int(g, "term", &term))
            continue;
        bool leads = s_is_leader(g), best_leads = s_is_leader(best);
        if ((leads && !best_leads) || (leads == best_leads && term > best_term))
            best = g, best_term = term;
    }
    return best;
}

static bool
s_has_name(const sr_value_t *names, const char *name)
{
    for (size_t i = 0; i < sr_value_len(names); i++)
        if (strcmp(sr_value_str(sr_value_array_at(names, i)), name) == 0)
            return true;
    return false;
}

// The group's replicas in the cluster record's order of engines, then
// any the record does not name.
static sr_value_t *
s_group_replicas(const cli_local_t *l, const sr_value_t *names)
{
    sr_value_t *out = sr_value_new_array(sr_value_len(names));
    for (size_t i = 0; out && i < l->nprocs; i++)
        if (l->procs[i].role == CLI_LOCAL_ENGINE &&
            s_has_name(names, l->procs[i].name) &&
            sr_value_array_append(out, s_str(l->procs[i].name)))
            sr_value_destroy(&out);
    for (size_t i = 0; out && i < sr_value_len(names); i++) {
        const sr_value_t *n = sr_value_array_at(names, i);
        if (!s_has_name(out, sr_value_str(n)) &&
            sr_value_array_append(out, sr_value_ref((sr_value_t *)n)))
            sr_value_destroy(&out);
    }
    return out;
}

// The most entries a follower misses, of a leader's `lag` map; nil when
// it has no followers.
static sr_value_t *
s_max_lag(const sr_value_t *lag)
{
    int64_t most = -1;
    for (size_t i = 0; i < sr_value_len(lag); i++) {
        int64_t n = sr_value_int(sr_value_map_val(lag, i));
        most = n > most ? n : most;
    }
    return most >= 0 ? sr_value_new_int(most) : sr_value_new_nil();
}

// With replicated partitions, the Raft figures of partition `part` into
// `m` from its best group view (NULL: none answered): its leader, term,
// replicas, commit index and, from a leader, each follower's lag.
static sr_err_t
s_raft_figures(const s_view_t *v, const sr_value_t *g, sr_value_t *m)
{
    bool leads = s_is_leader(g);
    const char *leader = leads ? sr_value_map_str(g, "leader") : NULL;
    const sr_value_t *term = sr_value_map_get(g, "term");
    const sr_value_t *commit = sr_value_map_get(g, "commit");
    const sr_value_t *lag = sr_value_map_get(g, "lag");
    sr_value_t *replicas =
        s_group_replicas(v->l, sr_value_map_get(g, "replicas"));
    sr_err_t rc = sr_value_map_put(m, "leader",
                                   leader ? s_str(leader) : sr_value_new_nil());
    if (!rc)
        rc = sr_value_map_put(m, "term",
                              term ? sr_value_ref((sr_value_t *)term)
                                   : sr_value_new_nil());
    if (!rc)
        rc = sr_value_map_put(m, "replicas", replicas);
    else
        sr_value_destroy(&replicas);
    if (!rc)
        rc = sr_value_map_put(m, "commit",
                              commit ? sr_value_ref((sr_value_t *)commit)
                                     : sr_value_new_nil());
    if (!rc)
        rc = sr_value_map_put(m, "lag",
                              leads ? (lag ? sr_value_ref((sr_value_t *)lag)
                                           : sr_value_new_map(0))
                                    : sr_value_new_nil());
    if (!rc)
        rc = sr_value_map_put(m, "max_lag",
                              leads ? s_max_lag(lag) : sr_value_new_nil());
    return rc;
}

// Without replication: the owner leads while it serves, in its epoch,
// alone (no commit index, no followers).
static sr_err_t
s_owner_figures(const cli_local_proc_t *owner, int64_t epoch,
                sr_value_t *replicas, sr_value_t *m)
{
    bool serving = epoch >= 0;
    sr_err_t rc = sr_value_map_put(
        m, "leader", serving ? s_str(owner->name) : sr_value_new_nil());
    if (!rc)
        rc = sr_value_map_put(
            m, "term", serving ? sr_value_new_int(epoch) : sr_value_new_nil());
    if (!rc)
        rc = sr_value_map_put(m, "replicas", sr_value_ref(replicas));
    if (!rc)
        rc = sr_value_map_put(m, "commit", sr_value_new_nil());
    if (!rc)
        rc = sr_value_map_put(m, "lag", sr_value_new_map(0));
    if (!rc)
        rc = sr_value_map_put(m, "max_lag", sr_value_new_nil());
    return rc;
}

// Partition `part`: the engine serving it (its owner; with replicas, the
// leader of its group), else the first that holds it, unavailable; the
// engines that hold a copy; and its leader, term, commit index and
// followers' lag (from the Raft groups the engines report, with
// replicas; else the owner's epoch).
static sr_value_t *
s_partition(s_view_t *v, size_t part)
{
    const cli_local_t *l = v->l;
    const cli_local_proc_t *owner = NULL;
    int64_t epoch = -1;
    sr_value_t *replicas = sr_value_new_array(l->replicas ? l->replicas : 1);
    for (size_t i = 0, e = 0; i < l->nprocs; i++) {
        const cli_local_proc_t *p = &l->procs[i];
        if (p->role != CLI_LOCAL_ENGINE)
            continue;
        if (s_holds(p, part)) {
            int64_t ep = v->status[e] ? s_epoch(v->status[e], part) : -1;
            if (!owner || (epoch < 0 && ep >= 0))
                owner = p, epoch = ep;
            if (replicas && sr_value_array_append(replicas, s_str(p->name)))
                sr_value_destroy(&replicas);
        }
        e++;
    }
    v->is_all_well &= epoch >= 0;
    const sr_value_t *group = l->replicas > 1 ? s_best_group(v, part) : NULL;
    sr_value_t *m = sr_value_new_map(12);
    if (!m || !owner || !replicas ||
        sr_value_map_put(m, "id", sr_value_new_int((int64_t)part)) ||
        sr_value_map_put(m, "partition", sr_value_new_int((int64_t)part)) ||
        sr_value_map_put(m, "owner", s_str(owner->name)) ||
        sr_value_map_put(m, "state",
                         s_str(epoch >= 0 ? "serving" : "unavailable")) ||
        sr_value_map_put(m, "epoch",
                         epoch >= 0 ? sr_value_new_int(epoch)
                                    : sr_value_new_nil()) ||
        (group ? s_raft_figures(v, group, m)
               : s_owner_figures(owner, epoch, replicas, m)))
        sr_value_destroy(&m);
    sr_value_destroy(&replicas);
    return m;
}

// {"processes": [...], "partitions": [...]}
static sr_value_t *
s_view(s_view_t *v)
{
    const cli_local_t *l = v->l;
    sr_value_t *procs = sr_value_new_array(l->nprocs);
    sr_value_t *parts = sr_value_new_array(l->partitions);
    for (size_t i = 0, e = 0; procs && parts && i < l->nprocs; i++) {
        const cli_local_proc_t *p = &l->procs[i];
        bool is_engine = p->role == CLI_LOCAL_ENGINE;
        if (sr_value_array_append(procs, s_process(v, p, e)))
            sr_value_destroy(&procs);
        e += is_engine;
    }
    for (size_t part = 0; parts && part < l->partitions; part++)
        if (sr_value_array_append(parts, s_partition(v, part)))
            sr_value_destroy(&parts);
    sr_value_t *m = sr_value_new_map(2);
    if (!procs || !parts || !m ||
        sr_value_map_put(m, "processes", sr_value_ref(procs)) ||
        sr_value_map_put(m, "partitions", sr_value_ref(parts)))
        sr_value_destroy(&m);
    sr_value_destroy(&procs);
    sr_value_destroy(&parts);
    return m;
}

static void
s_print(const cli_local_t *l, const sr_value_t *view)
{
    static const cli_col_t procs[] = {
        {"NAME", "name"},     {"ROLE", "role"},       {"PID", "pid"},
        {"STATE", "state"},   {"ANSWERS", "answers"}, {"LINKS", "links"},
        {"CLIENT", "client"}, {"WORKER", "worker"},   {"CPU_S", "cpu_s"},
        {"RSS_MB", "rss_mb"}, {"MSGS_IN", "msgs_in"}, {"MSGS_OUT", "msgs_out"},
    };
    static const cli_col_t parts[] = {
        {"PARTITION", "partition"}, {"OWNER", "owner"},
        {"STATE", "state"},         {"LEADER", "leader"},
        {"TERM", "term"},           {"COMMIT", "commit"},
        {"LAG", "max_lag"},         {"REPLICAS", "replicas"},
    };
    printf("cluster in %s\n", l->dir);
    cli_print_table(stdout, procs, sizeof procs / sizeof procs[0],
                    sr_value_map_get(view, "processes"));
    printf("\n");
    cli_print_table(stdout, parts, sizeof parts / sizeof parts[0],
                    sr_value_map_get(view, "partitions"));
}

int
cli_cluster_status(const cli_args_t *a)
{
    char dir[PATH_MAX];
    long timeout_ms = S_TIMEOUT_MS;
    int code = cli_cluster_num(a, S_CMD, "--timeout", 1, 600000, &timeout_ms);
    if (!code)
        code = cli_cluster_dir(a, S_CMD, false, dir, sizeof dir);
    if (code)
        return code;
    cli_local_t l;
    sr_error_t err;
    sr_err_t rc = cli_local_load(dir, &l, &err);
    if (rc) {
        fprintf(stderr, "sirocco " S_CMD ": %s%s\n", err.msg,
                rc == SR_ENOTFOUND ? " (start a cluster with `sirocco cluster "
                                     "up`)"
                                   : "");
        cli_local_fini(&l);
        return CLI_FAILED;
    }
    s_view_t v = {.l = &l, .is_all_well = true};
    v.nengines = cli_local_count(&l, CLI_LOCAL_ENGINE);
    code = cli_cluster_probe(&l, (int)timeout_ms, v.status);
    sr_value_t *view = code ? NULL : s_view(&v);
    if (!code && !view) {
        fprintf(stderr, "sirocco " S_CMD ": out of memory\n");
        code = CLI_FAILED;
    }
    if (view && cli_args_has(a, "--json"))
        cli_print_json(stdout, view, false);
    else if (view)
        s_print(&l, view);
    if (!code && !v.is_all_well)
        code = CLI_FAILED;
    sr_value_destroy(&view);
    for (size_t k = 0; k < CLI_LOCAL_ENGINES_MAX; k++)
        sr_value_destroy(&v.status[k]);
    cli_local_fini(&l);
    return code;
}
