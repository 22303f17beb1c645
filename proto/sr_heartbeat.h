// Heartbeat bookkeeping for a set of peers keyed by bytes (a ROUTER
// routing id, or a name): when we last heard from each peer and when we
// last sent it anything. It tells which peers are due a HEARTBEAT (we have
// been silent towards them for `interval_ms`) and which are expired (they
// have been silent for `expiry_ms`). It reads no clock and sends nothing:
// time is passed in and the caller sends, so the logic is testable.
//
// Thread rule: a table belongs to one thread.
#ifndef SR_HEARTBEAT_H
#define SR_HEARTBEAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"

#define SR_HEARTBEAT_KEY_MAX 255

typedef struct sr_heartbeat sr_heartbeat_t;

// Called for a peer; `key` is valid during the call only. Must not change
// the table.
typedef void(sr_heartbeat_fn)(const void *key, size_t len, void *arg);

// An empty table. Caller owns it; free with sr_heartbeat_destroy(). NULL
// when memory runs out or an interval is not positive.
sr_heartbeat_t *sr_heartbeat_new(int64_t interval_ms, int64_t expiry_ms);
void sr_heartbeat_destroy(sr_heartbeat_t **hb_p);

// We heard from a peer (any message counts). An unknown peer is added, as
// if we had also just sent it something. Errors: SR_EINVAL for an empty
// key or one over SR_HEARTBEAT_KEY_MAX bytes, SR_ENOMEM.
sr_err_t sr_heartbeat_touch(sr_heartbeat_t *hb, const void *key, size_t len,
                            int64_t now_ms);
// We sent a peer something (any message counts); unknown peers are
// ignored.
void sr_heartbeat_sent(sr_heartbeat_t *hb, const void *key, size_t len,
                       int64_t now_ms);
// Forget a peer (e.g. after BYE); false when it was unknown.
bool sr_heartbeat_remove(sr_heartbeat_t *hb, const void *key, size_t len);
bool sr_heartbeat_has(const sr_heartbeat_t *hb, const void *key, size_t len);
size_t sr_heartbeat_size(const sr_heartbeat_t *hb);

// Call `fn` for every peer we have sent nothing to for interval_ms or
// more, and count each as sent at now_ms (the caller sends a HEARTBEAT).
// Returns how many peers were due.
size_t sr_heartbeat_due(sr_heartbeat_t *hb, int64_t now_ms, sr_heartbeat_fn *fn,
                        void *arg);
// Remove every peer we have heard nothing from for expiry_ms or more,
// calling `fn` (may be NULL) for each before it goes. Returns how many.
size_t sr_heartbeat_expire(sr_heartbeat_t *hb, int64_t now_ms,
                           sr_heartbeat_fn *fn, void *arg);
// The earliest time at which a peer becomes due or expires, to bound a
// poll; INT64_MAX when the table is empty.
int64_t sr_heartbeat_next_ms(const sr_heartbeat_t *hb);

#endif
