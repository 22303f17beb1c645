// The gateway's sirocco clients, shared by its serving threads (one per
// HTTP connection): a request takes a client (an idle one, else a new
// one) for as long as it runs and gives it back. Up to `idle_max` idle
// clients stay open between requests, each with its connections to the
// engines and its learnt partition map, so that a request seldom pays
// for connecting; a burst opens more, closed as they come back.
//
// Ownership: the pool owns the idle clients; a taken client belongs to
// the request until given back. Thread rule: take and give from any
// thread (the pool locks itself; the lock is also the memory barrier
// ZeroMQ asks for when a socket moves to another thread). A client taken
// is used by the taking thread only.
#ifndef GW_CLIENTS_H
#define GW_CLIENTS_H

#include <stddef.h>

#include "sirocco/client.h"
#include "sr_err.h"

typedef struct gw_clients gw_clients_t;

// A pool of clients of `cluster` with `opts` (both borrowed: they must
// outlive the pool; `opts` may be NULL). NULL when memory runs out.
gw_clients_t *gw_clients_new(const char *cluster, const sr_client_opts_t *opts,
                             size_t idle_max);
// Close every idle client and free the pool (every client must have been
// given back); sets *p_p to NULL.
void gw_clients_destroy(gw_clients_t **p_p);

// A client for one request: the most recently used idle one, else a new
// one (errors of sr_client_open). Give it back with gw_clients_give.
sr_err_t gw_clients_take(gw_clients_t *p, sr_client_t **out, sr_error_t *err);
// Give a client back (kept idle, or closed when enough are); sets *c_p
// to NULL. NULL-safe.
void gw_clients_give(gw_clients_t *p, sr_client_t **c_p);

#endif
