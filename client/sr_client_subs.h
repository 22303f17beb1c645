// The subscriptions a client holds, and where: each execution subscribed
// to, the engine its SUBSCRIBE went to, the epoch its partition was served
// in there and the last state heard of it; and whether every execution is
// wanted, and which engines hold that subscription. From the engines'
// STATUS bodies it plans what a check does so that each subscription is
// held where its partition is served now (a replicated partition moves
// when its leader dies, and back later). Pure bookkeeping: no sockets
// (sr_client_events.c sends).
//
// Thread rule: one thread.
#ifndef SR_CLIENT_SUBS_H
#define SR_CLIENT_SUBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_id.h"
#include "sr_value.h"

typedef struct sr_client_subs sr_client_subs_t;

// No subscription, for a client of `engines` engines (1 ..
// SR_CLIENT_ENGINES_MAX). Caller owns it; free with
// sr_client_subs_destroy(). NULL when memory runs out.
sr_client_subs_t *sr_client_subs_new(size_t engines);
void sr_client_subs_destroy(sr_client_subs_t **s_p);

// Subscribed to execution `id` at `engine` (its SUBSCRIBE answered), in
// an epoch not known yet. One already held is kept where it is. SR_ENOMEM
// only.
sr_err_t sr_client_subs_add(sr_client_subs_t *s, const sr_id_t *id,
                            size_t engine, sr_error_t *err);
// Every execution is wanted, from every engine.
void sr_client_subs_want_all(sr_client_subs_t *s);
// Engine `engine` holds the subscription to every execution.
void sr_client_subs_held_all(sr_client_subs_t *s, size_t engine);
// Nothing is subscribed to any more.
void sr_client_subs_clear(sr_client_subs_t *s);
bool sr_client_subs_is_empty(const sr_client_subs_t *s);

// When the next check is due (monotonic ms; 0: none planned).
int64_t sr_client_subs_due_ms(const sr_client_subs_t *s);
void sr_client_subs_set_due_ms(sr_client_subs_t *s, int64_t due_ms);

// An event as it is queued (sr_client_event_seen_fn; `arg` is the
// subs): an `execution` event's state is the last heard of its execution,
// and DELETED ends that subscription (the engine ended it).
void sr_client_subs_seen(const sr_value_t *event, void *arg);

// What a check does.
typedef enum {
    SR_CLIENT_SUBS_READ,    // read `id` at `engine` (its partition moved
                            // away and back: events may have been missed)
    SR_CLIENT_SUBS_MOVE,    // SUBSCRIBE to `id` at `engine`, then read it
    SR_CLIENT_SUBS_ALL,     // SUBSCRIBE to every execution at `engine`
    SR_CLIENT_SUBS_NOTHING, // (not planned)
} sr_client_subs_do_t;

typedef struct {
    sr_client_subs_do_t what;
    size_t engine;
    sr_id_t id;    // READ, MOVE
    int64_t epoch; // READ, MOVE: the partition's epoch at `engine`
} sr_client_subs_step_t;

// Plan a check from `statuses`, an array of one item per engine: its
// STATUS body, or nil when it did not answer. A subscription to one
// execution moves to the engine that answered and serves its partition
// (the highest epoch, when several do), when that is not where it is held
// or the engine held it says it holds none of this client's ("subscriptions"
// 0: it restarted, or forgot the client); one held where its partition is
// served, in another epoch than before, is read again. Engines that
// answered and do not hold the subscription to every execution (when it
// is wanted) get it. *steps (caller frees it with free()) holds *n steps;
// *is_waiting: some subscription's partition is served by no engine that
// answered (check again soon). SR_ENOMEM only.
sr_err_t sr_client_subs_plan(sr_client_subs_t *s, const sr_value_t *statuses,
                             sr_client_subs_step_t **steps, size_t *n,
                             bool *is_waiting, sr_error_t *err);

// How many `execution` events of `id` were heard so far.
uint64_t sr_client_subs_heard(sr_client_subs_t *s, const sr_id_t *id);

// Step READ or MOVE done: `id` is held at `engine` in `epoch`, and
// `execution` (its EX_GET body; NULL when it could not be read) is what
// it was when read, `heard` (sr_client_subs_heard) events of it having
// been heard then. *event (caller owns it; NULL when none) is an
// `execution` event of its state, when that differs from the last state
// heard (as a final state does when none was heard) and no event of it
// was heard since the read: a state change made while the subscription
// moved, whose EVENT went nowhere. Its time_ms is the execution's
// updated_ms. SR_ENOMEM only.
sr_err_t sr_client_subs_moved(sr_client_subs_t *s, const sr_id_t *id,
                              size_t engine, int64_t epoch,
                              const sr_value_t *execution, uint64_t heard,
                              sr_value_t **event, sr_error_t *err);

#endif
