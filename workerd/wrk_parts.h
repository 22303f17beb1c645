// The partition map of a worker node: which engine link serves each
// partition now, from the `partitions` of the engines' HEARTBEATs (with
// replicated partitions, a partition's Raft leader serves it and its term
// is the epoch). The last list of each link is kept; a partition is
// served by the link listing it with the highest epoch (on a tie, the
// lower link index). A link that stops listing a partition, or that is
// lost (wrk_parts_forget), no longer serves it. A partition no link
// lists is unknown: the node then answers the engine that sent the TASK.
// Pure bookkeeping: sends nothing, reads no clock.
//
// Thread rule: belongs to the node thread.
#ifndef WRK_PARTS_H
#define WRK_PARTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sr_err.h"
#include "sr_value.h"

typedef struct wrk_parts wrk_parts_t;

// An empty map for links 0..max_links-1; NULL when out of memory.
wrk_parts_t *wrk_parts_new(size_t max_links);
// NULL-safe; sets *self_p to NULL.
void wrk_parts_destroy(wrk_parts_t **self_p);

// Link `link` says it serves the partitions of `list` now (an array of
// maps with `partition`, 0..65535, and `epoch`, >= 0; other keys are
// ignored; a partition listed twice counts with its highest epoch),
// replacing what it said before. *is_changed tells whether its list
// differs from the last one. Errors leave the map as it was: SR_EPROTO
// naming the bad entry (field 'partitions'), SR_ENOMEM.
sr_err_t wrk_parts_heard(wrk_parts_t *self, size_t link, const sr_value_t *list,
                         bool *is_changed, sr_error_t *err);

// Link `link` is lost: it serves nothing until it lists partitions
// again. True when it served any.
bool wrk_parts_forget(wrk_parts_t *self, size_t link);

// The link serving `partition` now, in *link; false (nothing written)
// when no link lists it.
bool wrk_parts_leader(const wrk_parts_t *self, uint16_t partition,
                      size_t *link);

#endif
