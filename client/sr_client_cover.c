/* Which partitions a cluster has and which the engines that answered
 * served, from their STATUS bodies: one flag byte per possible partition.
 * It decides nothing about when to ask STATUS (sr_client.c does) and sends
 * nothing. Thread rule: one thread.
 */
#include "sr_client_cover.h"

#include <stdlib.h>
#include <string.h>

#include "sr_body.h"
#include "sr_client_route.h"
#include "sr_id.h"

enum { S_NAMED = 1, S_SERVED = 2 }; // flags of a partition

struct sr_client_cover {
    uint8_t flags[SR_PARTITIONS_MAX];
};

sr_client_cover_t *
sr_client_cover_new(void)
{
    return calloc(1, sizeof(sr_client_cover_t));
}

void
sr_client_cover_destroy(sr_client_cover_t **cv_p)
{
    if (!cv_p || !*cv_p)
        return;
    free(*cv_p);
    *cv_p = NULL;
}

// Flag the partitions of a "partitions" array.
static void
s_flag(sr_client_cover_t *cv, const sr_value_t *parts, uint8_t flag)
{
    for (size_t i = 0; i < sr_value_len(parts); i++) {
        int64_t p = sr_client_route_partition(sr_value_array_at(parts, i));
        if (p >= 0)
            cv->flags[p] |= flag;
    }
}

void
sr_client_cover_name(sr_client_cover_t *cv, const sr_value_t *status)
{
    const sr_value_t *members = sr_body_get(status, SR_B_STATUS_cluster);
    for (size_t k = 0; k < sr_value_len(members); k++)
        s_flag(
            cv,
            sr_body_get(sr_value_array_at(members, k), SR_B_MEMBER_partitions),
            S_NAMED);
}

int64_t
sr_client_cover_epoch(const sr_value_t *status, int64_t p)
{
    const sr_value_t *parts = sr_body_get(status, SR_B_STATUS_partitions);
    const sr_value_t *epochs = sr_body_get(status, SR_B_STATUS_epochs);
    for (size_t i = 0; i < sr_value_len(parts); i++) {
        if (sr_client_route_partition(sr_value_array_at(parts, i)) != p)
            continue;
        const sr_value_t *e =
            i < sr_value_len(epochs) ? sr_value_array_at(epochs, i) : NULL;
        return sr_value_is(e, SR_T_INT) ? sr_value_int(e) : 0;
    }
    return -1;
}

void
sr_client_cover_serve(sr_client_cover_t *cv, const sr_value_t *before,
                      const sr_value_t *after)
{
    if (!after) {
        s_flag(cv, sr_body_get(before, SR_B_STATUS_partitions), S_SERVED);
        return;
    }
    const sr_value_t *parts = sr_body_get(before, SR_B_STATUS_partitions);
    for (size_t i = 0; i < sr_value_len(parts); i++) {
        int64_t p = sr_client_route_partition(sr_value_array_at(parts, i));
        if (p >= 0 &&
            sr_client_cover_epoch(before, p) == sr_client_cover_epoch(after, p))
            cv->flags[p] |= S_SERVED;
    }
}

bool
sr_client_cover_is_member(const sr_value_t *status, const char *endpoint)
{
    const sr_value_t *members = sr_body_get(status, SR_B_STATUS_cluster);
    for (size_t k = 0; endpoint && k < sr_value_len(members); k++) {
        const char *ep =
            sr_body_str(sr_value_array_at(members, k), SR_B_MEMBER_client);
        if (ep && strcmp(ep, endpoint) == 0)
            return true;
    }
    return false;
}

bool
sr_client_cover_is_whole(const sr_client_cover_t *cv)
{
    bool has_named = false;
    for (size_t p = 0; p < SR_PARTITIONS_MAX; p++) {
        if (cv->flags[p] == S_NAMED)
            return false;
        has_named |= (cv->flags[p] & S_NAMED) != 0;
    }
    return has_named;
}

sr_err_t
sr_client_cover_unserved(const sr_client_cover_t *cv, sr_value_t **out,
                         sr_error_t *err)
{
    sr_value_t *a = sr_value_new_array(4);
    for (size_t p = 0; a && p < SR_PARTITIONS_MAX; p++)
        if (cv->flags[p] == S_NAMED &&
            sr_value_array_append(a, sr_value_new_int((int64_t)p)))
            sr_value_destroy(&a);
    if (!a)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    *out = a;
    return SR_OK;
}
