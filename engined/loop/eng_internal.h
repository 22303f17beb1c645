// Inside the engine node: the loop's state shared by its files.
//   eng_node.c    lifecycle, sockets, the loop and its batches
//   eng_batch.c   applying a batch of operations to one partition
//   eng_work.c    the worker endpoint: sessions, credit, dispatch queue
//   eng_client.c  the client endpoint: requests, replies, subscriptions
//   eng_view.c    executions, tasks and workflows as reply bodies
//   eng_view_action.c  one task execution, action executions
//   eng_part.c    partitions: open, timers, recovery, tokens
//   eng_peer.c    the other engines: forwarding, definitions
//   eng_peer_hb.c heartbeats between engines: which peers are down
//   eng_expire.c  deleting executions finished longer ago than
//                 expire-after-s
#ifndef ENG_INTERNAL_H
#define ENG_INTERNAL_H

#include <czmq.h>

#include "core.h"
#include "eng_clock.h"
#include "eng.h"
#include "eng_batch.h"
#include "eng_dispatch.h"
#include "eng_expire.h"
#include "eng_part.h"
#include "eng_peers.h"
#include "eng_subs.h"
#include "eng_view.h"
#include "eng_view_action.h"
#include "eng_workers.h"
#include "sr_curve_auth.h"
#include "sr_heartbeat.h"
#include "sr_wire.h"
#include "store_docs.h"

struct eng {
    eng_config_t cfg;
    char *name, *data_dir, *client_ep, *worker_ep, *callback_url;
    zsock_t *client, *worker;
    sr_curve_t *curve;     // NULL: no CurveZMQ
    sr_curve_auth_t *auth; // the allow list, with curve
    eng_parts_t *parts;
    eng_expire_t *expire;
    size_t next_part; // round robin for new executions
    store_docs_t *docs;
    eng_batch_t *batch;
    sr_limits_t limits;
    eng_workers_t *workers;
    eng_dispatch_t *dispatch;
    eng_peers_t *peers;
    eng_subs_t *subs;
    // stopping
    zactor_t *actor;
    volatile bool stop;
};

// eng_client.c
void eng_client_recv(eng_t *eng, sr_wire_in_t *in);
void eng_client_answer(eng_t *eng, const eng_op_t *op);

// eng_view_status.c
sr_err_t eng_view_status(eng_t *eng, sr_value_t **out, sr_error_t *err);

#endif
