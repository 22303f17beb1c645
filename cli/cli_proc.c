/* Daemon processes of a local cluster: detached start with a log file,
 * liveness by PID and start time (/proc/PID/stat), stop by SIGTERM then
 * SIGKILL. Owns no state: callers keep the PIDs (cluster.json). Between
 * fork and exec the child calls only async-signal-safe functions, since
 * the parent may run ZeroMQ threads. Main thread only.
 */
#include "cli_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define S_POLL_MS      20   // how often a stop looks again
#define S_KILL_WAIT_MS 3000 // after SIGKILL, the most we wait

static void
s_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int64_t
cli_proc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

// The child: from fork to exec. Reports errno on `report` if exec fails.
static void
s_child(char *const argv[], int log_fd, int report)
{
    // A daemon starts clean: no signal blocked, none ignored (a shell
    // running us in the background ignores SIGINT, and exec keeps that).
    static const int sigs[] = {SIGINT,  SIGTERM, SIGHUP,
                               SIGQUIT, SIGPIPE, SIGCHLD};
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], SIG_DFL);
    setsid();
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(log_fd, 1) < 0 ||
        dup2(log_fd, 2) < 0) {
        int e = errno;
        (void)!write(report, &e, sizeof e);
        _exit(127);
    }
    execv(argv[0], argv);
    int e = errno;
    (void)!write(report, &e, sizeof e);
    _exit(127);
}

sr_err_t
cli_proc_spawn(char *const argv[], const char *log_path, pid_t *pid,
               sr_error_t *err)
{
    int log_fd =
        open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (log_fd < 0)
        return sr_error_set(err, SR_EIO, "%s: %s", log_path, strerror(errno));
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        int e = errno;
        close(log_fd);
        return sr_error_set(err, SR_EIO, "pipe: %s", strerror(e));
    }
    pid_t child = fork();
    if (child == 0)
        s_child(argv, log_fd, report[1]);
    int fork_errno = errno;
    close(report[1]);
    close(log_fd);
    if (child < 0) {
        close(report[0]);
        return sr_error_set(err, SR_EIO, "fork: %s", strerror(fork_errno));
    }
    int exec_errno = 0;
    ssize_t n;
    do
        n = read(report[0], &exec_errno, sizeof exec_errno);
    while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n > 0) {
        waitpid(child, NULL, 0);
        return sr_error_set(err, SR_EIO, "cannot run %s: %s", argv[0],
                            strerror(exec_errno));
    }
    *pid = child;
    return SR_OK;
}

bool
cli_proc_reap(pid_t pid)
{
    int status;
    return waitpid(pid, &status, WNOHANG) == pid;
}

uint64_t
cli_proc_start_ticks(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    // "PID (COMM) STATE ..." where COMM may hold anything: after the last
    // ')' come field 3 (state) and, 19 fields later, 22 (starttime).
    char *p = strrchr(buf, ')');
    if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
        return 0;
    p += 2;
    for (int field = 3; field < 22 && p; field++) {
        p = strchr(p, ' ');
        p = p ? p + 1 : NULL;
    }
    if (!p)
        return 0;
    unsigned long long ticks = strtoull(p, NULL, 10);
    return ticks ? (uint64_t)ticks : 1; // 0 means "none" to callers
}

bool
cli_proc_is_alive(pid_t pid, uint64_t start_ticks)
{
    if (pid <= 0)
        return false;
    uint64_t now = cli_proc_start_ticks(pid);
    return now != 0 && (start_ticks == 0 || now == start_ticks);
}

// Wait until none of the signalled processes runs or `ms` pass.
static void
s_wait_all(const pid_t *pids, const uint64_t *ticks, const bool *is_sent,
           size_t n, int ms)
{
    int64_t end = cli_proc_now_ms() + ms;
    for (;;) {
        bool is_any = false;
        for (size_t i = 0; i < n; i++) {
            if (!is_sent[i])
                continue;
            cli_proc_reap(pids[i]); // our child when `up` gives up
            is_any |= cli_proc_is_alive(pids[i], ticks ? ticks[i] : 0);
        }
        if (!is_any || cli_proc_now_ms() >= end)
            return;
        s_sleep_ms(S_POLL_MS);
    }
}

size_t
cli_proc_stop(const pid_t *pids, const uint64_t *start_ticks, size_t n,
              int timeout_ms, bool *killed)
{
    bool *is_sent = calloc(n ? n : 1, sizeof *is_sent);
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (killed)
            killed[i] = false;
        uint64_t t = start_ticks ? start_ticks[i] : 0;
        if (cli_proc_is_alive(pids[i], t) && kill(pids[i], SIGTERM) == 0) {
            count++;
            if (is_sent)
                is_sent[i] = true;
        }
    }
    if (!is_sent)
        return count; // out of memory: SIGTERM was sent, no more
    s_wait_all(pids, start_ticks, is_sent, n, timeout_ms);
    bool is_any = false;
    for (size_t i = 0; i < n; i++) {
        uint64_t t = start_ticks ? start_ticks[i] : 0;
        if (is_sent[i] && cli_proc_is_alive(pids[i], t) &&
            kill(pids[i], SIGKILL) == 0) {
            is_any = true;
            if (killed)
                killed[i] = true;
        }
    }
    if (is_any)
        s_wait_all(pids, start_ticks, is_sent, n, S_KILL_WAIT_MS);
    free(is_sent);
    return count;
}

sr_err_t
cli_proc_self_dir(char *out, size_t size, sr_error_t *err)
{
    char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0)
        return sr_error_set(err, SR_EIO, "/proc/self/exe: %s",
                            n < 0 ? strerror(errno) : "empty");
    path[n] = '\0';
    char *slash = strrchr(path, '/');
    if (!slash)
        return sr_error_set(err, SR_EIO, "/proc/self/exe: no folder in %s",
                            path);
    *slash = '\0';
    if ((size_t)(slash - path) + 1 > size)
        return sr_error_set(err, SR_ETOOBIG, "folder %s: too long", path);
    memcpy(out, path, (size_t)(slash - path) + 1);
    return SR_OK;
}
