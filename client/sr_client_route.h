// The client's map of partitions to engines, learnt from the engines'
// STATUS replies, and the round-robin choice of an engine for requests
// any engine may take. Pure bookkeeping: no sockets.
//
// Thread rule: a map belongs to one thread.
#ifndef SR_CLIENT_ROUTE_H
#define SR_CLIENT_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_value.h"

typedef struct sr_client_route sr_client_route_t;

// An empty map for `engines` engines (1 .. SR_CLIENT_ENGINES_MAX). Caller
// owns it; free with sr_client_route_destroy(). NULL when memory runs out.
sr_client_route_t *sr_client_route_new(size_t engines);
void sr_client_route_destroy(sr_client_route_t **r_p);

// Record what engine `engine` owns from its STATUS body: the array
// "partitions" of partition numbers. Replaces what the map said about
// that engine, and takes the partitions it names from any other engine.
// Errors: SR_EPROTO when "partitions" is missing or holds anything but
// integers in 0 .. 65535 (the map is then unchanged).
sr_err_t sr_client_route_learn(sr_client_route_t *r, size_t engine,
                               const sr_value_t *status, sr_error_t *err);
// One item of a STATUS "partitions" array: a partition number, or a map
// with "number" (what sirocco-engined sends: {"number": n, "epoch": e}).
// -1 when it is neither, or out of range.
int64_t sr_client_route_partition(const sr_value_t *item);

// Forget every owner (before learning the map again).
void sr_client_route_forget(sr_client_route_t *r);
// True once anything was learnt since creation or the last forget.
bool sr_client_route_is_known(const sr_client_route_t *r);

// The engine that owns `partition`; false when not known.
bool sr_client_route_owner(const sr_client_route_t *r, uint16_t partition,
                           size_t *engine);
// The next engine in turn (round-robin over every engine).
size_t sr_client_route_next(sr_client_route_t *r);

#endif
