// Whether the engines that answered a request sent to every engine serve,
// together, every partition of the cluster: the partitions the cluster
// has (named by the answering engines' STATUS "cluster" entries, which
// come from the cluster file every engine reads) against
// those the answering engines served throughout (their STATUS
// "partitions" and "epochs", read before and after the request).
// Pure bookkeeping on STATUS bodies: no sockets.
//
// Thread rule: a cover belongs to one thread.
#ifndef SR_CLIENT_COVER_H
#define SR_CLIENT_COVER_H

#include <stdbool.h>

#include "sr_err.h"
#include "sr_value.h"

typedef struct sr_client_cover sr_client_cover_t;

// An empty cover: no partition named, none served. Caller owns it; free
// with sr_client_cover_destroy(). NULL when memory runs out.
sr_client_cover_t *sr_client_cover_new(void);
void sr_client_cover_destroy(sr_client_cover_t **cv_p);

// Note the partitions of the cluster that a STATUS body names: those of
// each member of its "cluster" array (the cluster file's engines, each
// with the partitions it holds). Anything else in the body is ignored.
void sr_client_cover_name(sr_client_cover_t *cv, const sr_value_t *status);

// Note the partitions an engine served throughout a request: listed in
// its STATUS "partitions" both `before` and `after` the request, in the
// same epoch (a partition's epoch is the term it is served in: the same
// epoch twice means no other engine served it in between). `after` NULL:
// trust `before` alone. A body without "epochs" counts as epoch 0.
void sr_client_cover_serve(sr_client_cover_t *cv, const sr_value_t *before,
                           const sr_value_t *after);

// The epoch in which `status` says its engine serves partition
// `partition`; -1 when it does not serve it. A body without "epochs"
// serves in epoch 0.
int64_t sr_client_cover_epoch(const sr_value_t *status, int64_t partition);

// True when `status` names, in its "cluster", a member whose client
// endpoint is `endpoint` (as written): an engine of the same cluster, so
// that its partitions are among those sr_client_cover_name notes. An
// engine not named so may hold partitions no answering engine knows of.
bool sr_client_cover_is_member(const sr_value_t *status, const char *endpoint);

// True when at least one partition was named and every one named is
// served.
bool sr_client_cover_is_whole(const sr_client_cover_t *cv);

// The partitions named and not served, in order: a new array of numbers
// (caller owns it). SR_ENOMEM only.
sr_err_t sr_client_cover_unserved(const sr_client_cover_t *cv, sr_value_t **out,
                                  sr_error_t *err);

#endif
