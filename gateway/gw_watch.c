// The header deadline of the gateway's connections: a list of the
// connections whose headers are due, in the order they fall due (the
// timeout is the same for all, so appending keeps it sorted), and one
// thread that sleeps until the first is due and shuts down the sockets
// of those that are late. It does not read, write or close a socket, and
// knows nothing of HTTP. Thread rule: any thread; one mutex guards all.
#include "gw_watch.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "gw.h"
#include "sr_log.h"

struct gw_watch_conn {
    gw_watch_conn_t *prev, *next; // in the due list, when is_due
    int fd;                       // borrowed: libmicrohttpd's socket
    int64_t due_ms;               // gw_clock_ms (CLOCK_MONOTONIC)
    bool is_due;
};

struct gw_watch {
    pthread_mutex_t lock;
    pthread_cond_t wake; // on CLOCK_MONOTONIC
    pthread_t thread;
    int64_t timeout_ms;
    gw_watch_conn_t *head, *tail; // headers due, soonest first
    uint64_t closed;
    bool is_stopping;
};

// With the lock held.
static void
s_unlist(gw_watch_t *w, gw_watch_conn_t *c)
{
    if (!c->is_due)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        w->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        w->tail = c->prev;
    c->prev = c->next = NULL;
    c->is_due = false;
}

// With the lock held: due in timeout_ms, at the end of the list.
static void
s_list(gw_watch_t *w, gw_watch_conn_t *c)
{
    s_unlist(w, c);
    c->due_ms = gw_clock_ms() + w->timeout_ms;
    c->prev = w->tail;
    if (w->tail)
        w->tail->next = c;
    else
        w->head = c;
    w->tail = c;
    c->is_due = true;
    if (w->head == c)
        pthread_cond_signal(&w->wake); // the thread may sleep for ever
}

// With the lock held: shut down every connection that is late.
static void
s_close_late(gw_watch_t *w)
{
    int64_t now = gw_clock_ms();
    uint64_t n = 0;
    while (w->head && w->head->due_ms <= now) {
        gw_watch_conn_t *c = w->head;
        s_unlist(w, c);
        (void)shutdown(c->fd, SHUT_RDWR); // the connection sees its end
        n++;
    }
    if (n) {
        w->closed += n;
        sr_info("gateway: closed %llu connection(s) whose request headers "
                "took over %lld ms",
                (unsigned long long)n, (long long)w->timeout_ms);
    }
}

static void *
s_run(void *arg)
{
    gw_watch_t *w = arg;
    pthread_mutex_lock(&w->lock);
    while (!w->is_stopping) {
        s_close_late(w);
        if (!w->head) {
            pthread_cond_wait(&w->wake, &w->lock);
            continue;
        }
        struct timespec at = {.tv_sec = (time_t)(w->head->due_ms / 1000),
                              .tv_nsec =
                                  (long)(w->head->due_ms % 1000) * 1000000};
        (void)pthread_cond_timedwait(&w->wake, &w->lock, &at);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

sr_err_t
gw_watch_new(int64_t timeout_ms, gw_watch_t **out, sr_error_t *err)
{
    gw_watch_t *w = calloc(1, sizeof *w);
    if (!w)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    w->timeout_ms = timeout_ms;
    pthread_condattr_t attr;
    bool is_ok = pthread_condattr_init(&attr) == 0;
    is_ok = is_ok && pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
            pthread_cond_init(&w->wake, &attr) == 0;
    if (is_ok && pthread_mutex_init(&w->lock, NULL) != 0) {
        pthread_cond_destroy(&w->wake);
        is_ok = false;
    }
    pthread_condattr_destroy(&attr);
    if (is_ok && pthread_create(&w->thread, NULL, s_run, w) != 0) {
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->wake);
        is_ok = false;
    }
    if (!is_ok) {
        free(w);
        return sr_error_set(err, SR_EINTERNAL,
                            "cannot start the header deadline's thread");
    }
    *out = w;
    return SR_OK;
}

void
gw_watch_destroy(gw_watch_t **w_p)
{
    if (!w_p || !*w_p)
        return;
    gw_watch_t *w = *w_p;
    pthread_mutex_lock(&w->lock);
    w->is_stopping = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    free(w);
    *w_p = NULL;
}

gw_watch_conn_t *
gw_watch_begin(gw_watch_t *w, int fd)
{
    gw_watch_conn_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->fd = fd;
    pthread_mutex_lock(&w->lock);
    s_list(w, c);
    pthread_mutex_unlock(&w->lock);
    return c;
}

void
gw_watch_headers_in(gw_watch_t *w, gw_watch_conn_t *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&w->lock);
    s_unlist(w, c);
    pthread_mutex_unlock(&w->lock);
}

void
gw_watch_answered(gw_watch_t *w, gw_watch_conn_t *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&w->lock);
    s_list(w, c);
    pthread_mutex_unlock(&w->lock);
}

void
gw_watch_end(gw_watch_t *w, gw_watch_conn_t **c_p)
{
    if (!c_p || !*c_p)
        return;
    pthread_mutex_lock(&w->lock);
    s_unlist(w, *c_p);
    pthread_mutex_unlock(&w->lock);
    free(*c_p);
    *c_p = NULL;
}

uint64_t
gw_watch_closed(gw_watch_t *w)
{
    pthread_mutex_lock(&w->lock);
    uint64_t n = w->closed;
    pthread_mutex_unlock(&w->lock);
    return n;
}
