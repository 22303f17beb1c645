// The cancel handle: an atomic flag plus an eventfd that becomes readable
// when the flag is set. Nobody reads the eventfd, so it stays readable and
// every later poll sees it too. Set from any thread; owned by one.
#include "wrk_cancel.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct wrk_cancel {
    atomic_bool is_set;
    int fd; // eventfd, close-on-exec, non-blocking
};

sr_err_t
wrk_cancel_new(wrk_cancel_t **out, sr_error_t *err)
{
    wrk_cancel_t *self = calloc(1, sizeof *self);
    if (!self)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    self->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (self->fd < 0) {
        int e = errno;
        free(self);
        return sr_error_set(err, SR_EIO, "eventfd: %s", strerror(e));
    }
    atomic_init(&self->is_set, false);
    *out = self;
    return SR_OK;
}

void
wrk_cancel_destroy(wrk_cancel_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    close((*self_p)->fd);
    free(*self_p);
    *self_p = NULL;
}

void
wrk_cancel_set(wrk_cancel_t *self)
{
    if (!self || atomic_exchange(&self->is_set, true))
        return;
    uint64_t one = 1;
    // A full counter (EAGAIN) is impossible after one write; nothing to do
    // on failure since the flag is already visible to pollers that wake.
    ssize_t n = write(self->fd, &one, sizeof one);
    (void)n;
}

bool
wrk_cancel_is_set(const wrk_cancel_t *self)
{
    return self && atomic_load(&((wrk_cancel_t *)self)->is_set);
}

int
wrk_cancel_fd(const wrk_cancel_t *self)
{
    return self ? self->fd : -1;
}
