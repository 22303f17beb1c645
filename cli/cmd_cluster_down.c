/* sirocco cluster down: stops exactly the processes DIR/cluster.json
 * records, those still running with the PID and start time `up` saw:
 * the workers first (so they say BYE to engines that still listen), then
 * the engines; SIGTERM, then SIGKILL after --timeout. The record stays,
 * so `status` shows the cluster stopped and `up` can start it again.
 * Thread rule: the main thread.
 */
#include <limits.h>
#include <stdio.h>

#include "cli.h"
#include "cli_local.h"
#include "cli_proc.h"
#include "cmd_cluster.h"

#define S_CMD        "cluster down"
#define S_TIMEOUT_MS 15000

// Stop the processes of `role`; print what happened to each.
static void
s_stop_role(const cli_local_t *l, cli_local_role_t role, int timeout_ms)
{
    pid_t pids[CLI_LOCAL_PROCS_MAX] = {0};
    uint64_t ticks[CLI_LOCAL_PROCS_MAX] = {0};
    bool is_alive[CLI_LOCAL_PROCS_MAX], killed[CLI_LOCAL_PROCS_MAX];
    const cli_local_proc_t *procs[CLI_LOCAL_PROCS_MAX];
    size_t n = 0;
    for (size_t i = 0; i < l->nprocs; i++) {
        const cli_local_proc_t *p = &l->procs[i];
        if (p->role != role)
            continue;
        procs[n] = p;
        pids[n] = p->pid;
        ticks[n] = p->start_ticks;
        is_alive[n] = cli_proc_is_alive(p->pid, p->start_ticks);
        n++;
    }
    cli_proc_stop(pids, ticks, n, timeout_ms, killed);
    for (size_t i = 0; i < n; i++) {
        const char *what = !is_alive[i] ? "was not running"
                           : killed[i]  ? "killed (SIGKILL)"
                                        : "stopped";
        printf("%s %s (pid %ld) %s\n", cli_local_role_name(role),
               procs[i]->name, (long)procs[i]->pid, what);
    }
}

int
cli_cluster_down(const cli_args_t *a)
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
    if (cli_local_load(dir, &l, &err) != SR_OK) {
        fprintf(stderr, "sirocco " S_CMD ": %s\n", err.msg);
        cli_local_fini(&l);
        return CLI_FAILED;
    }
    s_stop_role(&l, CLI_LOCAL_GATEWAY, (int)timeout_ms);
    s_stop_role(&l, CLI_LOCAL_WORKER, (int)timeout_ms);
    s_stop_role(&l, CLI_LOCAL_ENGINE, (int)timeout_ms);
    cli_local_fini(&l);
    return CLI_OK;
}
