// Ids of executions, task executions and action executions: 16 bytes,
// printed as UUIDs (version 8 layout), carrying the partition that owns
// them so any process can route a message about an id without a lookup.
//
// Layout: bytes 0-1 partition (big-endian), 2-5 unix seconds, 6-7 version
// nibble + milliseconds, then a 16-bit sequence of the ids the thread made
// in that millisecond (the low 2 bits of byte 7, byte 8 after its variant
// bits, byte 9), 10-15 random. Ids of one partition sort by creation time
// (those of one thread in creation order), which keeps LMDB inserts near
// the end of the tree.
#ifndef SR_ID_H
#define SR_ID_H

#include <stdbool.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_value.h"

#define SR_ID_SIZE        16
#define SR_ID_TEXT_SIZE   37 // 36 characters + NUL
#define SR_PARTITIONS_MAX 65536

typedef struct {
    uint8_t b[SR_ID_SIZE];
} sr_id_t;

// Make a new id in `partition` at time `now_ms` (unix ms; 0 = clock now).
void sr_id_make(uint16_t partition, int64_t now_ms, sr_id_t *out);
// n cryptographically random bytes (the OS source, pooled per thread).
void sr_random(void *buf, size_t n);
uint16_t sr_id_partition(const sr_id_t *id);
// Creation time in unix milliseconds.
int64_t sr_id_time_ms(const sr_id_t *id);
// The smallest id of `partition` made at `ms` (unix ms, clamped to the
// layout's range): where a scan of ids made from then on starts.
void sr_id_floor(uint16_t partition, int64_t ms, sr_id_t *out);
bool sr_id_is_nil(const sr_id_t *id);
int sr_id_compare(const sr_id_t *a, const sr_id_t *b);
bool sr_id_equal(const sr_id_t *a, const sr_id_t *b);

// Check that `id`, chosen outside the engines (EX_START's `id`), is laid
// out as sr_id_make lays ids out: the version nibble (high half of byte
// 6) is 8 and the variant (two high bits of byte 8) is 10. SR_EINVAL,
// saying which is wrong (`err` may be NULL); the caller names the field.
sr_err_t sr_id_check_layout(const sr_id_t *id, sr_error_t *err);

// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", lower case; returns out.
const char *sr_id_format(const sr_id_t *id, char out[SR_ID_TEXT_SIZE]);
// Parse the 36-character form (any case) or 32 hex digits.
sr_err_t sr_id_parse(const char *text, sr_id_t *out);

// As a value: a 16-byte binary (what the protocol carries).
sr_value_t *sr_id_to_value(const sr_id_t *id);
// Accepts a 16-byte binary or a UUID string.
sr_err_t sr_id_from_value(const sr_value_t *v, sr_id_t *out);

#endif
