// The state of a fake engine (sr_fake_engine.h): workflows, executions,
// tasks, pending actions, scripted events and subscribers in memory, and
// the answer to each client request. No sockets: answers and events go
// out through a send callback.
//
// Thread rule: a store belongs to one thread at a time (the fake engine
// locks it).
#ifndef SR_FAKE_STORE_H
#define SR_FAKE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_fake_subs.h"
#include "sr_id.h"
#include "sr_msg.h"
#include "sr_value.h"
#include "sr_wire.h"

typedef struct sr_fake_store sr_fake_store_t;

// An empty store for an engine called `name` at `endpoint`. NULL when
// memory runs out.
sr_fake_store_t *sr_fake_store_new(const char *name, const char *endpoint);
void sr_fake_store_destroy(sr_fake_store_t **st_p);
void sr_fake_store_set_partitions(sr_fake_store_t *st, const uint16_t *parts,
                                  size_t n);
// Name a cluster in STATUS "cluster": the engines of `members` (client
// endpoints, comma-separated), each holding the partitions `parts`.
void sr_fake_store_set_cluster(sr_fake_store_t *st, const char *members,
                               const uint16_t *parts, size_t n);
// Serve every partition in `epoch` (STATUS "epochs"; 1 by default).
void sr_fake_store_set_epoch(sr_fake_store_t *st, int64_t epoch);
// Answer EX_START as an engine before protocol 1.5 does: ignore its `id`.
void sr_fake_store_set_before_1_5(sr_fake_store_t *st, bool is_before_1_5);

// Answer request `req` from `peer` (REPLY or ERROR, and EVENTs to
// subscribers when a state changes).
void sr_fake_store_handle(sr_fake_store_t *st, const sr_wire_peer_t *peer,
                          const sr_msg_t *req, sr_fake_send_fn *send,
                          void *arg);

void sr_fake_store_add_execution(sr_fake_store_t *st, const sr_id_t *id,
                                 const char *workflow, const char *state);
void sr_fake_store_add_task(sr_fake_store_t *st, const sr_id_t *id,
                            const char *name, const char *state);
void sr_fake_store_add_action(sr_fake_store_t *st, const char *key);
void sr_fake_store_add_event(sr_fake_store_t *st, const sr_id_t *id,
                             const char *kind, const char *name,
                             const char *state);
// A deep copy of an execution's map; NULL when unknown.
sr_value_t *sr_fake_store_execution(sr_fake_store_t *st, const sr_id_t *id);

#endif
