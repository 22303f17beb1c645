// The gateway's deadline for request headers. libmicrohttpd's connection
// timeout only measures idleness, so a client that drips one header byte
// now and then holds its connection (and a slot of max-connections) for
// ever: a few hundred such clients shut everyone else out. The watch
// closes a connection whose request line and headers are not all in
// within `timeout_ms` of its opening, or of the answer to its previous
// request (keep-alive): it shuts its socket down, and libmicrohttpd, on
// reading the end of the stream, closes the connection and frees its
// slot. It writes nothing to the socket.
//
// Ownership: the watch owns its thread and its records; the sockets stay
// libmicrohttpd's. Thread rule: every function may be called from any
// thread (the watch locks itself); a record is ended (gw_watch_end)
// before its socket is closed, so the watch never shuts a reused one.
#ifndef GW_WATCH_H
#define GW_WATCH_H

#include <stdint.h>

#include "sr_err.h"

typedef struct gw_watch gw_watch_t;
typedef struct gw_watch_conn gw_watch_conn_t;

// Start a watch (and its thread) with a header deadline of `timeout_ms`
// (> 0). Caller owns *out. Errors: SR_ENOMEM, SR_EINTERNAL (no thread).
sr_err_t gw_watch_new(int64_t timeout_ms, gw_watch_t **out, sr_error_t *err);
// Stop the thread and free the watch (every record must have ended);
// sets *w_p to NULL. NULL-safe.
void gw_watch_destroy(gw_watch_t **w_p);

// A new connection on socket `fd`: its first request's headers are due.
// NULL when memory runs out (the connection is then not watched).
gw_watch_conn_t *gw_watch_begin(gw_watch_t *w, int fd);
// The headers of the current request are all in: no deadline until the
// request is answered. NULL-safe (a connection not watched).
void gw_watch_headers_in(gw_watch_t *w, gw_watch_conn_t *c);
// The request was answered: the next one's headers are due. NULL-safe.
void gw_watch_answered(gw_watch_t *w, gw_watch_conn_t *c);
// The connection is closing (its socket is not closed yet): forget it.
// Sets *c_p to NULL. NULL-safe.
void gw_watch_end(gw_watch_t *w, gw_watch_conn_t **c_p);

// How many connections the watch closed so far.
uint64_t gw_watch_closed(gw_watch_t *w);

#endif
