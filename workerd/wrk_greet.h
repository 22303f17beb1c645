// The session messages a worker node sends to engines, built from its
// configuration: READY (who it is, its slots, actions and target),
// HEARTBEAT, CREDIT and BYE. Stateless.
//
// Thread rule: any thread; the results belong to the caller.
#ifndef WRK_GREET_H
#define WRK_GREET_H

#include <stddef.h>
#include <stdint.h>

#include "sr_msg.h"
#include "wrk_node.h"

// READY for `cfg` (a complete configuration). Caller owns the result;
// NULL when out of memory.
sr_msg_t *wrk_greet_ready_new(const wrk_node_config_t *cfg);

// HEARTBEAT with the sender's clock, name and load. Caller owns it; NULL
// when out of memory.
sr_msg_t *wrk_greet_heartbeat_new(const wrk_node_config_t *cfg);

// CREDIT giving `slots` as the new total. Caller owns it; NULL on OOM.
sr_msg_t *wrk_greet_credit_new(size_t slots);

// BYE from the worker. Caller owns it; NULL when out of memory.
sr_msg_t *wrk_greet_bye_new(const wrk_node_config_t *cfg);

#endif
