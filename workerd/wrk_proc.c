// One child process of an action: spawn it in its own process group, feed
// its stdin and collect its stdout and stderr in one poll loop, end it on
// cancel, time bound or overflow, and always reap it. Owns the child, its
// pipes and the output buffers until wrk_proc_run returns. Reentrant.
#include "wrk_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <unistd.h>

#define S_CHUNK        16384 // bytes per read() or write()
#define S_TICK_MS      20    // exit polling period when pidfd is missing
#define S_DRAIN_MAX_MS 1000  // reading leftovers after the child exited

typedef struct {
    int fd; // our read end; -1 once closed
    char *buf;
    size_t len, cap;
} s_stream_t;

typedef struct {
    const wrk_proc_opts_t *opts;
    pid_t pid;
    int pidfd;     // -1 when the kernel has none
    int in_fd;     // our write end of stdin; -1 once closed
    size_t in_off; // bytes of stdin written
    s_stream_t out, err;
    bool has_exited; // the child is a zombie we have not reaped yet
    bool is_stopping;
    wrk_proc_end_t end;
    const char *overflow;
} s_child_t;

static void
s_close(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

// A close-on-exec pipe whose ends are above 2, so the dup2 onto the
// child's stdin/stdout/stderr can never clobber one another.
static int
s_pipe(int fds[2])
{
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        if (fds[i] > 2)
            continue;
        int moved = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
        int e = errno;
        close(fds[i]);
        fds[i] = moved;
        if (moved < 0) {
            s_close(&fds[1 - i]);
            errno = e;
            return -1;
        }
    }
    return 0;
}

static int
s_spawn_attrs(posix_spawnattr_t *attr)
{
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    if (posix_spawnattr_init(attr))
        return -1;
    // Own process group (to kill it whole), no blocked signals and default
    // dispositions (the worker may block or ignore some in its threads).
    if (posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP |
                                           POSIX_SPAWN_SETSIGMASK |
                                           POSIX_SPAWN_SETSIGDEF) ||
        posix_spawnattr_setpgroup(attr, 0) ||
        posix_spawnattr_setsigmask(attr, &none) ||
        posix_spawnattr_setsigdefault(attr, &all)) {
        posix_spawnattr_destroy(attr);
        return -1;
    }
    return 0;
}

static int
s_spawn_actions(posix_spawn_file_actions_t *fa, const char *cwd, int in,
                int out, int err)
{
    if (posix_spawn_file_actions_init(fa))
        return -1;
    if (posix_spawn_file_actions_adddup2(fa, in, 0) ||
        posix_spawn_file_actions_adddup2(fa, out, 1) ||
        posix_spawn_file_actions_adddup2(fa, err, 2) ||
        posix_spawn_file_actions_addclosefrom_np(fa, 3) ||
        (cwd && posix_spawn_file_actions_addchdir_np(fa, cwd))) {
        posix_spawn_file_actions_destroy(fa);
        return -1;
    }
    return 0;
}

// Start the child with pipes on its stdio; fills c->pid and our ends.
static sr_err_t
s_spawn(s_child_t *c, sr_error_t *err)
{
    const wrk_proc_opts_t *o = c->opts;
    int in[2] = {-1, -1}, out[2] = {-1, -1}, errp[2] = {-1, -1};
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    sr_err_t rc = SR_OK;
    if (s_pipe(in) || s_pipe(out) || s_pipe(errp)) {
        rc = sr_error_set(err, SR_EIO, "cannot make pipes for '%s': %s",
                          o->path, strerror(errno));
        goto done;
    }
    if (s_spawn_attrs(&attr)) {
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
        goto done;
    }
    if (s_spawn_actions(&fa, o->cwd, in[0], out[1], errp[1])) {
        posix_spawnattr_destroy(&attr);
        rc = sr_error_set(err, SR_ENOMEM, "out of memory");
        goto done;
    }
    int e = posix_spawn(&c->pid, o->path, &fa, &attr, o->argv, o->envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (e) {
        rc = sr_error_set(err, SR_EIO, "cannot start '%s': %s", o->path,
                          strerror(e));
        goto done;
    }
    c->in_fd = in[1], in[1] = -1;
    c->out.fd = out[0], out[0] = -1;
    c->err.fd = errp[0], errp[0] = -1;
    fcntl(c->in_fd, F_SETFL, O_NONBLOCK);
    fcntl(c->out.fd, F_SETFL, O_NONBLOCK);
    fcntl(c->err.fd, F_SETFL, O_NONBLOCK);
    c->pidfd = (int)pidfd_open(c->pid, 0);
    if (c->pidfd >= 0)
        fcntl(c->pidfd, F_SETFD, FD_CLOEXEC);
done:
    for (int i = 0; i < 2; i++) {
        s_close(&in[i]);
        s_close(&out[i]);
        s_close(&errp[i]);
    }
    return rc;
}

// Has the child exited? Leaves it a zombie (WNOWAIT) so that its pid, and
// so its process group id, cannot be reused before we kill the group.
static bool
s_exited(s_child_t *c)
{
    if (c->has_exited)
        return true;
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_PID, (id_t)c->pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
        info.si_pid == c->pid)
        c->has_exited = true;
    return c->has_exited;
}

// Begin ending the child: record why, close our pipe ends, ask the group to
// terminate.
static void
s_stop(s_child_t *c, wrk_proc_end_t why)
{
    if (c->is_stopping)
        return;
    c->is_stopping = true;
    c->end = why;
    s_close(&c->in_fd);
    s_close(&c->out.fd);
    s_close(&c->err.fd);
    kill(-c->pid, SIGTERM);
}

// Append read bytes; beyond the limit the child is stopped.
static void
s_keep(s_child_t *c, s_stream_t *s, const char *data, size_t n,
       const char *name)
{
    size_t limit = c->opts->output_limit;
    size_t room = limit - s->len;
    if (n > room) {
        n = room;
        c->overflow = name;
    }
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + n + 1)
            cap *= 2;
        char *buf = realloc(s->buf, cap);
        if (!buf) {
            c->overflow = name; // no room either way: same outcome
            s_stop(c, WRK_PROC_OVERFLOW);
            return;
        }
        s->buf = buf;
        s->cap = cap;
    }
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    s->buf[s->len] = '\0';
    if (c->overflow)
        s_stop(c, WRK_PROC_OVERFLOW);
}

static void
s_read(s_child_t *c, s_stream_t *s, const char *name)
{
    char chunk[S_CHUNK];
    ssize_t n = read(s->fd, chunk, sizeof chunk);
    if (n > 0)
        s_keep(c, s, chunk, (size_t)n, name);
    else if (n == 0 || (errno != EAGAIN && errno != EINTR))
        s_close(&s->fd);
}

static void
s_write(s_child_t *c)
{
    const wrk_proc_opts_t *o = c->opts;
    size_t left = o->stdin_len - c->in_off;
    ssize_t n = write(c->in_fd, o->stdin_data + c->in_off,
                      left < S_CHUNK ? left : S_CHUNK);
    if (n > 0)
        c->in_off += (size_t)n;
    // EPIPE: the child closed its stdin unread; that is its business.
    if ((n < 0 && errno != EAGAIN && errno != EINTR) ||
        c->in_off == o->stdin_len)
        s_close(&c->in_fd);
}

// One poll round over stdin, stdout, stderr, cancel and the pidfd.
static void
s_poll_once(s_child_t *c, int timeout_ms)
{
    struct pollfd p[5] = {
        {.fd = c->in_fd, .events = POLLOUT},
        {.fd = c->out.fd, .events = POLLIN},
        {.fd = c->err.fd, .events = POLLIN},
        {.fd = wrk_cancel_fd(c->opts->bound->cancel), .events = POLLIN},
        {.fd = c->pidfd, .events = POLLIN},
    };
    if (poll(p, 5, timeout_ms) <= 0)
        return;
    if (p[0].revents)
        s_write(c);
    if (p[1].revents && !c->is_stopping)
        s_read(c, &c->out, "stdout");
    if (p[2].revents && !c->is_stopping)
        s_read(c, &c->err, "stderr");
}

// Feed and read the child until it exits or must be stopped.
static void
s_run_loop(s_child_t *c)
{
    const wrk_bound_t *bound = c->opts->bound;
    while (!c->is_stopping && !s_exited(c)) {
        wrk_wake_t wake = wrk_bound_check(bound);
        if (wake != WRK_WAKE_OK) {
            s_stop(c, wake == WRK_WAKE_CANCELLED ? WRK_PROC_CANCELLED
                                                 : WRK_PROC_TIMEOUT);
            break;
        }
        s_poll_once(c,
                    wrk_bound_poll_ms(bound, c->pidfd >= 0 ? -1 : S_TICK_MS));
    }
}

// After a normal exit: kill what is left of its group (so pipes reach EOF)
// and read what is still buffered, for a short bounded time.
static void
s_drain(s_child_t *c)
{
    kill(-c->pid, SIGKILL);
    s_close(&c->in_fd);
    // Its own bound: the run's may have ended just as the child did.
    wrk_bound_t drain = wrk_bound_make(0, S_DRAIN_MAX_MS, NULL);
    while (!c->is_stopping && (c->out.fd >= 0 || c->err.fd >= 0) &&
           wrk_bound_check(&drain) == WRK_WAKE_OK)
        s_poll_once(c, wrk_bound_poll_ms(&drain, S_DRAIN_MAX_MS));
    s_close(&c->out.fd);
    s_close(&c->err.fd);
}

// Wait up to the grace period for the stopped child, then kill the group.
static void
s_finish_stop(s_child_t *c)
{
    wrk_bound_t grace = wrk_bound_make(0, c->opts->kill_grace_ms, NULL);
    while (!s_exited(c) && wrk_bound_check(&grace) == WRK_WAKE_OK) {
        struct pollfd p = {.fd = c->pidfd, .events = POLLIN};
        poll(&p, 1, wrk_bound_poll_ms(&grace, c->pidfd >= 0 ? -1 : S_TICK_MS));
    }
    kill(-c->pid, SIGKILL);
}

static void
s_reap(s_child_t *c, wrk_proc_result_t *out)
{
    int status = 0;
    while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
        ;
    s_close(&c->pidfd);
    if (c->is_stopping) {
        out->end = c->end;
        out->code = 0;
    } else if (WIFSIGNALED(status)) {
        out->end = WRK_PROC_SIGNALED;
        out->code = WTERMSIG(status);
    } else {
        out->end = WRK_PROC_EXITED;
        out->code = WEXITSTATUS(status);
    }
}

// Move a stream's bytes into the result (an empty string when none).
static char *
s_take(s_stream_t *s, size_t *len)
{
    char *buf = s->buf ? s->buf : calloc(1, 1);
    *len = s->buf ? s->len : 0;
    s->buf = NULL;
    return buf;
}

sr_err_t
wrk_proc_run(const wrk_proc_opts_t *opts, wrk_proc_result_t *out,
             sr_error_t *err)
{
    s_child_t c = {.opts = opts, .pid = -1, .pidfd = -1, .in_fd = -1};
    c.out.fd = c.err.fd = -1;
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    sigpending(&pending);
    bool was_pending = sigismember(&pending, SIGPIPE);

    sr_err_t rc = s_spawn(&c, err);
    if (rc == SR_OK) {
        if (!opts->stdin_data || opts->stdin_len == 0)
            s_close(&c.in_fd);
        s_run_loop(&c);
        if (!c.is_stopping)
            s_drain(&c);
        if (c.is_stopping)
            s_finish_stop(&c);
        wrk_proc_result_t r = {.overflow = c.overflow};
        s_reap(&c, &r);
        r.out = s_take(&c.out, &r.out_len);
        r.err = s_take(&c.err, &r.err_len);
        if (!r.out || !r.err) {
            wrk_proc_result_fini(&r);
            rc = sr_error_set(err, SR_ENOMEM, "out of memory");
        } else {
            *out = r;
        }
    }
    free(c.out.buf);
    free(c.err.buf);
    // Swallow a SIGPIPE our writes raised in this thread, then unblock.
    sigpending(&pending);
    if (!was_pending && sigismember(&pending, SIGPIPE)) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

void
wrk_proc_result_fini(wrk_proc_result_t *self)
{
    if (!self)
        return;
    free(self->out);
    free(self->err);
    self->out = self->err = NULL;
    self->out_len = self->err_len = 0;
}
