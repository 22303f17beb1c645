// The pool of sirocco clients the gateway's requests borrow: a stack of
// idle clients under a mutex (the last given back is taken first: its
// connections are the freshest). It opens and closes clients; it knows
// nothing of HTTP or of what the clients are asked. Thread rule: any
// thread (it locks itself).
#include "gw_clients.h"

#include <pthread.h>
#include <stdlib.h>

struct gw_clients {
    pthread_mutex_t lock;
    const char *cluster;          // borrowed
    const sr_client_opts_t *opts; // borrowed; may be NULL
    size_t idle_max;
    size_t nidle;
    sr_client_t **idle; // idle_max slots; owned clients
};

gw_clients_t *
gw_clients_new(const char *cluster, const sr_client_opts_t *opts,
               size_t idle_max)
{
    gw_clients_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->idle = calloc(idle_max ? idle_max : 1, sizeof *p->idle);
    if (!p->idle || pthread_mutex_init(&p->lock, NULL) != 0) {
        free(p->idle);
        free(p);
        return NULL;
    }
    p->cluster = cluster;
    p->opts = opts;
    p->idle_max = idle_max;
    return p;
}

void
gw_clients_destroy(gw_clients_t **p_p)
{
    if (!p_p || !*p_p)
        return;
    gw_clients_t *p = *p_p;
    for (size_t i = 0; i < p->nidle; i++)
        sr_client_close(&p->idle[i]);
    pthread_mutex_destroy(&p->lock);
    free(p->idle);
    free(p);
    *p_p = NULL;
}

sr_err_t
gw_clients_take(gw_clients_t *p, sr_client_t **out, sr_error_t *err)
{
    sr_client_t *c = NULL;
    pthread_mutex_lock(&p->lock);
    if (p->nidle)
        c = p->idle[--p->nidle];
    pthread_mutex_unlock(&p->lock);
    if (!c) {
        sr_err_t rc = sr_client_open(p->cluster, p->opts, &c, err);
        if (rc)
            return rc;
    }
    *out = c;
    return SR_OK;
}

void
gw_clients_give(gw_clients_t *p, sr_client_t **c_p)
{
    if (!c_p || !*c_p)
        return;
    pthread_mutex_lock(&p->lock);
    if (p->nidle < p->idle_max) {
        p->idle[p->nidle++] = *c_p;
        *c_p = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    sr_client_close(c_p); // not kept: closed outside the lock
}
