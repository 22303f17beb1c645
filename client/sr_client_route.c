/* The partition map of a client: for each of the 65,536 possible
 * partitions, the engine that owns it (or none known), filled from STATUS
 * replies; and the round-robin cursor for requests any engine may take.
 * It decides nothing about when to learn (sr_client.c does) and sends
 * nothing. Thread rule: one thread.
 */
#include "sr_client_route.h"

#include <stdlib.h>
#include <string.h>

#include "sr_body.h"
#include "sr_id.h"

#define S_NONE 0xff // no known owner

struct sr_client_route {
    size_t engines;
    size_t next; // round-robin cursor
    bool is_known;
    uint8_t owner[SR_PARTITIONS_MAX]; // engine index, or S_NONE
};

sr_client_route_t *
sr_client_route_new(size_t engines)
{
    if (engines == 0 || engines >= S_NONE)
        return NULL;
    sr_client_route_t *r = malloc(sizeof *r);
    if (!r)
        return NULL;
    r->engines = engines;
    r->next = 0;
    sr_client_route_forget(r);
    return r;
}

void
sr_client_route_destroy(sr_client_route_t **r_p)
{
    if (!r_p || !*r_p)
        return;
    free(*r_p);
    *r_p = NULL;
}

int64_t
sr_client_route_partition(const sr_value_t *p)
{
    int64_t n = -1;
    if (sr_value_is(p, SR_T_INT))
        n = sr_value_int(p);
    else if (sr_value_is(p, SR_T_MAP) && !sr_value_map_int(p, "number", &n))
        n = -1;
    return n >= 0 && n < SR_PARTITIONS_MAX ? n : -1;
}

// Check the "partitions" array of a STATUS body.
static sr_err_t
s_check(const sr_value_t *parts, size_t engine, sr_error_t *err)
{
    if (!sr_value_is(parts, SR_T_ARRAY))
        return sr_error_set(err, SR_EPROTO,
                            "STATUS of engine %zu has no 'partitions' array",
                            engine);
    for (size_t i = 0; i < sr_value_len(parts); i++)
        if (sr_client_route_partition(sr_value_array_at(parts, i)) < 0)
            return sr_error_set(err, SR_EPROTO,
                                "STATUS of engine %zu: partitions[%zu] is "
                                "not a partition number (0 .. %d)",
                                engine, i, SR_PARTITIONS_MAX - 1);
    return SR_OK;
}

sr_err_t
sr_client_route_learn(sr_client_route_t *r, size_t engine,
                      const sr_value_t *status, sr_error_t *err)
{
    if (engine >= r->engines)
        return sr_error_set(err, SR_EINVAL, "no engine %zu", engine);
    const sr_value_t *parts = sr_body_get(status, SR_B_STATUS_partitions);
    sr_err_t rc = s_check(parts, engine, err);
    if (rc)
        return rc;
    for (size_t p = 0; p < SR_PARTITIONS_MAX; p++)
        if (r->owner[p] == engine)
            r->owner[p] = S_NONE;
    for (size_t i = 0; i < sr_value_len(parts); i++)
        r->owner[sr_client_route_partition(sr_value_array_at(parts, i))] =
            (uint8_t)engine;
    r->is_known = true;
    return SR_OK;
}

void
sr_client_route_forget(sr_client_route_t *r)
{
    memset(r->owner, S_NONE, sizeof r->owner);
    r->is_known = false;
}

bool
sr_client_route_is_known(const sr_client_route_t *r)
{
    return r->is_known;
}

bool
sr_client_route_owner(const sr_client_route_t *r, uint16_t partition,
                      size_t *engine)
{
    if (r->owner[partition] == S_NONE)
        return false;
    *engine = r->owner[partition];
    return true;
}

size_t
sr_client_route_next(sr_client_route_t *r)
{
    size_t i = r->next;
    r->next = (r->next + 1) % r->engines;
    return i;
}
