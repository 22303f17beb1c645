// The partition map of a worker node: per engine link, the partitions it
// last said it serves (sorted by number, with their epochs); the leader
// of a partition is looked up across the links (at most
// WRK_NODE_ENGINES_MAX, each a binary search). Owns the lists. Knows
// nothing of jobs or sockets. Node thread only.
#include "wrk_parts.h"

#include <stdlib.h>

// One partition a link serves.
typedef struct {
    uint16_t partition;
    int64_t epoch;
} s_entry_t;

// What one link last listed.
typedef struct {
    s_entry_t *items; // owned, sorted by partition, no duplicates
    size_t n;
} s_list_t;

struct wrk_parts {
    s_list_t *links; // owned; max_links
    size_t max_links;
};

wrk_parts_t *
wrk_parts_new(size_t max_links)
{
    wrk_parts_t *self = calloc(1, sizeof *self);
    if (self && !(self->links = calloc(max_links, sizeof *self->links)))
        wrk_parts_destroy(&self);
    if (self)
        self->max_links = max_links;
    return self;
}

void
wrk_parts_destroy(wrk_parts_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    wrk_parts_t *self = *self_p;
    for (size_t i = 0; self->links && i < self->max_links; i++)
        free(self->links[i].items);
    free(self->links);
    free(self);
    *self_p = NULL;
}

static int
s_by_partition(const void *a, const void *b)
{
    const s_entry_t *x = a, *y = b;
    return (x->partition > y->partition) - (x->partition < y->partition);
}

// Entry k of `list` into *out; SR_EPROTO naming it when it is not a map
// of a partition number and an epoch.
static sr_err_t
s_entry(const sr_value_t *list, size_t k, s_entry_t *out, sr_error_t *err)
{
    const sr_value_t *v = sr_value_array_at(list, k);
    int64_t partition = -1, epoch = -1;
    if (!sr_value_is(v, SR_T_MAP) ||
        !sr_value_map_int(v, "partition", &partition) ||
        !sr_value_map_int(v, "epoch", &epoch) || partition < 0 ||
        partition > UINT16_MAX || epoch < 0)
        return sr_error_at(err, SR_EPROTO, "field 'partitions'",
                           "item %zu: expected a map of 'partition' (0 to "
                           "65535) and 'epoch' (>= 0)",
                           k);
    *out = (s_entry_t){(uint16_t)partition, epoch};
    return SR_OK;
}

// Are items[0..n) what `list` holds? (Entry by entry: padding differs.)
static bool
s_is_same(const s_entry_t *items, size_t n, const s_list_t *list)
{
    if (n != list->n)
        return false;
    for (size_t k = 0; k < n; k++)
        if (items[k].partition != list->items[k].partition ||
            items[k].epoch != list->items[k].epoch)
            return false;
    return true;
}

sr_err_t
wrk_parts_heard(wrk_parts_t *self, size_t link, const sr_value_t *list,
                bool *is_changed, sr_error_t *err)
{
    if (!sr_value_is(list, SR_T_ARRAY))
        return sr_error_at(err, SR_EPROTO, "field 'partitions'",
                           "expected an array");
    size_t n = sr_value_len(list);
    s_entry_t *items = n ? malloc(n * sizeof *items) : NULL;
    if (n && !items)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    for (size_t k = 0; k < n; k++) {
        sr_err_t rc = s_entry(list, k, &items[k], err);
        if (rc) {
            free(items);
            return rc;
        }
    }
    if (n)
        qsort(items, n, sizeof *items, s_by_partition);
    size_t m = 0; // one entry per partition, its highest epoch
    for (size_t k = 0; k < n; k++) {
        if (m && items[m - 1].partition == items[k].partition) {
            if (items[k].epoch > items[m - 1].epoch)
                items[m - 1].epoch = items[k].epoch;
        } else
            items[m++] = items[k];
    }
    s_list_t *was = &self->links[link];
    *is_changed = !s_is_same(items, m, was);
    free(was->items);
    *was = (s_list_t){items, m};
    return SR_OK;
}

bool
wrk_parts_forget(wrk_parts_t *self, size_t link)
{
    s_list_t *list = &self->links[link];
    bool had = list->n > 0;
    free(list->items);
    *list = (s_list_t){NULL, 0};
    return had;
}

bool
wrk_parts_leader(const wrk_parts_t *self, uint16_t partition, size_t *link)
{
    const s_entry_t key = {partition, 0};
    bool is_found = false;
    int64_t best = -1;
    for (size_t i = 0; i < self->max_links; i++) {
        const s_list_t *list = &self->links[i];
        const s_entry_t *e = list->n
                                 ? bsearch(&key, list->items, list->n,
                                           sizeof *list->items, s_by_partition)
                                 : NULL;
        if (e && e->epoch > best) {
            best = e->epoch;
            *link = i;
            is_found = true;
        }
    }
    return is_found;
}
