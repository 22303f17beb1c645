// The key layouts of a partition's databases, built and taken apart here
// and nowhere else (docs/engine.md section 3 has the table). Keys are
// fixed-width binary that sorts usefully: ids (which sort by the time they
// were made), big-endian numbers, times biased so that negative ones sort
// before positive ones. Executions and actions are keyed by their id
// alone (16 bytes), tokens by their hash (32).
//
// Private to engined/store: tests/check_repo.sh fails any other includer.
// Pure functions; any thread.
#ifndef STORE_KEY_H
#define STORE_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_id.h"

#define STORE_KEY_ID    16 // an execution's or an action's id
#define STORE_KEY_TASK  20 // exec id (16) + seq (4)
#define STORE_KEY_TIMER 24 // due ms (8) + timer id (16)
#define STORE_KEY_QUEUE 24 // created ms (8) + action id (16)
#define STORE_KEY_TOKEN 32 // SHA-256 of a delegate token

// A time as 8 bytes that sort in time order (also the clock's value).
void store_key_ms(uint8_t out[8], int64_t ms);
int64_t store_key_get_ms(const uint8_t in[8]);

// A task execution: its execution's id, then its seq.
void store_key_task(uint8_t out[STORE_KEY_TASK], const sr_id_t *exec_id,
                    uint32_t seq);
// A timer: its due time, then its id. parse: false when `key` is no
// timer key.
void store_key_timer(uint8_t out[STORE_KEY_TIMER], int64_t due_ms,
                     const sr_id_t *id);
bool store_key_timer_parse(const void *key, size_t klen, int64_t *due_ms,
                           sr_id_t *id);
// The dispatch queue's entry of an action: when it was made, then its id.
// parse: false when `key` is no queue key.
void store_key_queue(uint8_t out[STORE_KEY_QUEUE], int64_t created_ms,
                     const sr_id_t *action_id);
bool store_key_queue_parse(const void *key, size_t klen, sr_id_t *action_id);

#endif
