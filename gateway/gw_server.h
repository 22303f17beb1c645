// The HTTP server of sirocco-gateway: libmicrohttpd with one thread per
// connection, so that a request waiting for an engine holds up no other
// client; requests borrow sirocco clients from a pool (gw_clients.h). It
// enforces the transport limits (header room, body size with an early
// 413 when Content-Length is too large, idle and whole-request timeouts,
// connection counts) and hands complete requests to gw_handle().
//
// Thread rule: start and stop from one thread; the server's own threads
// run the requests.
#ifndef GW_SERVER_H
#define GW_SERVER_H

#include <stdint.h>

#include "gw.h"

typedef struct gw_server gw_server_t;

// Bind `cfg->listen` and start serving with `gw` (both borrowed; they
// must outlive the server). Errors: SR_EINVAL (a listen address that does
// not parse, a cluster the client refuses), SR_EIO (cannot bind).
sr_err_t gw_server_start(gw_t *gw, const gw_config_t *cfg, gw_server_t **out,
                         sr_error_t *err);
// The TCP port it listens on (useful with port 0).
uint16_t gw_server_port(const gw_server_t *s);
// Stop accepting, finish the requests in hand, free; sets *s_p to NULL.
void gw_server_stop(gw_server_t **s_p);

#endif
