// The client endpoint's requests. Those that change state become
// operations of the batch, answered once durable (eng_client_answer);
// reads are answered at once from read transactions; a request about a
// partition held elsewhere goes to its owner through the peers (or gets
// EUNAVAIL); COMPLETE finishes delegates (by action id or token);
// definitions go to every partition and every peer; SUBSCRIBE and
// UNSUBSCRIBE keep the subscriptions.
//
// Owns nothing but the round robin of new executions over the
// partitions; everything it uses is the node's and borrowed. Replies on
// the client socket; applies nothing itself.
//
// Thread rule: the engine loop's thread.
#ifndef ENG_CLIENT_H
#define ENG_CLIENT_H

#include <czmq.h>

#include "eng_batch.h"
#include "eng_part.h"
#include "eng_peers.h"
#include "eng_subs.h"
#include "sr_value.h"
#include "sr_wire.h"
#include "store_docs.h"

typedef struct eng_client eng_client_t;

// The body of a STATUS reply (caller owns *out), gathered by the node
// from every object.
typedef sr_err_t(eng_client_status_fn)(void *arg, sr_value_t **out,
                                       sr_error_t *err);

// CLUSTER_MAP: take the cluster file `text`; the reply's body (caller
// owns *out) or the error (eng_map_take's).
typedef sr_err_t(eng_client_map_fn)(void *arg, const char *text, size_t len,
                                    sr_value_t **out, sr_error_t *err);

// What the client side works with, borrowed from the node: all must
// outlive it.
typedef struct {
    zsock_t *sock;                // the client endpoint (ROUTER)
    eng_parts_t *parts;           // the partitions held, and the cluster map
    eng_peers_t *peers;           // the other engines
    eng_batch_t *batch;           // where state changes go
    eng_subs_t *subs;             // the subscriptions
    store_docs_t *docs;           // the definition cache
    eng_client_status_fn *status; // STATUS
    void *status_arg;
    eng_client_map_fn *map; // CLUSTER_MAP
    void *map_arg;
} eng_client_deps_t;

// NULL when out of memory.
eng_client_t *eng_client_new(const eng_client_deps_t *deps);
// NULL-safe; sets *self_p to NULL.
void eng_client_destroy(eng_client_t **self_p);

// A request from the client endpoint (decoded); ownership of in->msg may
// move into the batch.
void eng_client_recv(eng_client_t *self, sr_wire_in_t *in);
// After the commit: the reply to a state-changing request from `op`'s
// outcome (nothing when no reply was asked).
void eng_client_answer(eng_client_t *self, const eng_op_t *op);

#endif
