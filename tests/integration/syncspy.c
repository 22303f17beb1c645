// syncspy: an LD_PRELOAD library for the durability test. In the engine
// process it watches every write to a file below SR_SYNCSPY_DIR (LMDB's
// data file) and every fsync / fdatasync, and checks, each time the
// process sends an answer that says something happened (ACK, GO, REPLY,
// EVENT, TASK), that nothing written there is still unsynced: an
// acknowledged batch was on disk before its answer left. At exit it
// writes `checked=N violations=N syncs=N writes=N first=TYPE` to
// SR_SYNCSPY_REPORT. A write to a file opened O_DSYNC / O_SYNC counts as
// synced. Test code only: never linked into a Sirocco binary.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>
#include <zmq.h>

#define S_FDS 4096

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static bool s_dirty[S_FDS]; // written below the folder, not synced since
static unsigned long s_checked, s_violations, s_syncs, s_writes;
static char s_first[32]; // type of the first answer sent unsynced

// Is `fd` a file below SR_SYNCSPY_DIR opened without O_DSYNC / O_SYNC?
static bool
s_watched(int fd)
{
    const char *dir = getenv("SR_SYNCSPY_DIR");
    if (!dir || fd < 0 || fd >= S_FDS)
        return false;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || (fl & (O_DSYNC | O_SYNC)))
        return false;
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0)
        return false;
    path[n] = '\0';
    return strncmp(path, dir, strlen(dir)) == 0;
}

static void
s_wrote(int fd, ssize_t rc)
{
    if (rc <= 0 || !s_watched(fd))
        return;
    pthread_mutex_lock(&s_lock);
    s_dirty[fd] = true;
    s_writes++;
    pthread_mutex_unlock(&s_lock);
}

static void
s_synced(int fd, int rc)
{
    if (rc != 0 || fd < 0 || fd >= S_FDS)
        return;
    pthread_mutex_lock(&s_lock);
    if (s_dirty[fd])
        s_syncs++;
    s_dirty[fd] = false;
    pthread_mutex_unlock(&s_lock);
}

static void s_sending(const void *data, size_t len);

// Big-endian unsigned of `n` bytes.
static size_t
s_be(const unsigned char *b, size_t n)
{
    size_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | b[i];
    return v;
}

// The items of a BATCH, from its fields {"messages": [bin, ...]} at `b`
// (`len` bytes, as the encoder writes them), each checked as a frame.
static void
s_batch(const unsigned char *b, size_t len)
{
    static const unsigned char key[] = "\x81\xa8messages";
    size_t at = sizeof key - 1, count = 0;
    if (len < at + 3 || memcmp(b, key, at) != 0)
        return;
    if ((b[at] & 0xf0) == 0x90)
        count = b[at++] & 0x0f;
    else if (b[at] == 0xdc)
        count = s_be(b + at + 1, 2), at += 3;
    for (size_t i = 0; i < count && at < len; i++) {
        size_t w = b[at] == 0xc4   ? 1
                   : b[at] == 0xc5 ? 2
                   : b[at] == 0xc6 ? 4
                                   : 0;
        if (!w || at + 1 + w > len)
            return;
        size_t n = s_be(b + at + 1, w);
        at += 1 + w;
        if (n > len - at)
            return;
        s_sending(b + at, n);
        at += n;
    }
}

// A protocol frame [major, minor, "TYPE", {...}] of a type that reports
// something done: check that nothing is unsynced. A BATCH: each of its
// items.
static void
s_sending(const void *data, size_t len)
{
    static const char *const done[] = {"ACK", "GO", "REPLY", "EVENT", "TASK"};
    const unsigned char *b = data;
    if (len < 5 || b[0] != 0x94 || b[1] > 0x7f || b[2] > 0x7f ||
        (b[3] & 0xe0) != 0xa0)
        return;
    size_t n = b[3] & 0x1f;
    if (len < 4 + n)
        return;
    if (n == 5 && memcmp(b + 4, "BATCH", 5) == 0) {
        s_batch(b + 9, len - 9);
        return;
    }
    bool is_done = false;
    for (size_t i = 0; i < sizeof done / sizeof *done; i++)
        is_done |= strlen(done[i]) == n && memcmp(b + 4, done[i], n) == 0;
    if (!is_done)
        return;
    pthread_mutex_lock(&s_lock);
    bool dirty = false;
    for (int fd = 0; fd < S_FDS && !dirty; fd++)
        dirty = s_dirty[fd];
    s_checked++;
    if (dirty && !s_violations++)
        snprintf(s_first, sizeof s_first, "%.*s", (int)n, b + 4);
    pthread_mutex_unlock(&s_lock);
}

#define S_REAL(ret, name, ...)                                                 \
    static ret (*real)(__VA_ARGS__);                                           \
    if (!real)                                                                 \
        real = (ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, name);

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
    S_REAL(ssize_t, "pwrite", int, const void *, size_t, off_t);
    ssize_t rc = real(fd, buf, n, off);
    s_wrote(fd, rc);
    return rc;
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    S_REAL(ssize_t, "pwrite64", int, const void *, size_t, off_t);
    ssize_t rc = real(fd, buf, n, off);
    s_wrote(fd, rc);
    return rc;
}

ssize_t
write(int fd, const void *buf, size_t n)
{
    S_REAL(ssize_t, "write", int, const void *, size_t);
    ssize_t rc = real(fd, buf, n);
    s_wrote(fd, rc);
    return rc;
}

ssize_t
writev(int fd, const struct iovec *iov, int n)
{
    S_REAL(ssize_t, "writev", int, const struct iovec *, int);
    ssize_t rc = real(fd, iov, n);
    s_wrote(fd, rc);
    return rc;
}

int
fdatasync(int fd)
{
    S_REAL(int, "fdatasync", int);
    int rc = real(fd);
    s_synced(fd, rc);
    return rc;
}

int
fsync(int fd)
{
    S_REAL(int, "fsync", int);
    int rc = real(fd);
    s_synced(fd, rc);
    return rc;
}

int
zmq_msg_send(zmq_msg_t *msg, void *socket, int flags)
{
    S_REAL(int, "zmq_msg_send", zmq_msg_t *, void *, int);
    s_sending(zmq_msg_data(msg), zmq_msg_size(msg));
    return real(msg, socket, flags);
}

int
zmq_send(void *socket, const void *buf, size_t len, int flags)
{
    S_REAL(int, "zmq_send", void *, const void *, size_t, int);
    s_sending(buf, len);
    return real(socket, buf, len, flags);
}

__attribute__((destructor)) static void
s_report(void)
{
    const char *path = getenv("SR_SYNCSPY_REPORT");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (!f)
        return;
    fprintf(f, "checked=%lu violations=%lu syncs=%lu writes=%lu first=%s\n",
            s_checked, s_violations, s_syncs, s_writes,
            s_first[0] ? s_first : "-");
    fclose(f);
}
