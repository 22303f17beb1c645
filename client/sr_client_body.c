/* REPLY bodies as the client hands them out. Ids travel as 16-byte
 * binaries in protocol fields and may in bodies too; callers and JSON
 * output want text, so bodies are normalised once here. Merging sorts
 * references to the engines' items; nothing is copied. Knows nothing of
 * sockets or routing. Thread rule: the caller's thread.
 */
#include "sr_client_body.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "sr_id.h"
#include "sr_limits.h"

static bool
s_is_id_key(const sr_value_t *key)
{
    const char *k = sr_value_str(key);
    size_t len = sr_value_len(key);
    return (len == 2 && memcmp(k, "id", 2) == 0) ||
           (len > 3 && memcmp(k + len - 3, "_id", 3) == 0);
}

static sr_err_t
s_norm(sr_value_t *v, int depth)
{
    if (depth > SR_DEFAULT_MAX_DEPTH)
        return SR_OK; // decoded values are never this deep
    if (sr_value_is(v, SR_T_ARRAY)) {
        for (size_t i = 0; i < sr_value_len(v); i++)
            if (s_norm(sr_value_array_at(v, i), depth + 1))
                return SR_ENOMEM;
        return SR_OK;
    }
    if (!sr_value_is(v, SR_T_MAP))
        return SR_OK;
    for (size_t i = 0; i < sr_value_len(v); i++) {
        sr_value_t *key = sr_value_map_key(v, i);
        sr_value_t *val = sr_value_map_val(v, i);
        sr_id_t id;
        char text[SR_ID_TEXT_SIZE];
        size_t len = 0;
        const void *bin = sr_value_bin(val, &len);
        if (s_is_id_key(key) && sr_value_is(val, SR_T_BIN) &&
            len == SR_ID_SIZE) {
            memcpy(id.b, bin, SR_ID_SIZE);
            if (sr_value_map_putv(v, key,
                                  sr_value_new_str(sr_id_format(&id, text))))
                return SR_ENOMEM;
        } else if (s_norm(val, depth + 1)) {
            return SR_ENOMEM;
        }
    }
    return SR_OK;
}

sr_err_t
sr_client_body_norm(sr_value_t **v_p)
{
    if (sr_value_unshare(v_p))
        return SR_ENOMEM;
    return s_norm(*v_p, 0);
}

// --- executions ---------------------------------------------------------

typedef struct {
    sr_id_t id;
    int64_t time_ms;
    sr_value_t *item; // borrowed from its list
} s_entry_t;

static int
s_entry_cmp(const s_entry_t *a, const s_entry_t *b)
{
    if (a->time_ms != b->time_ms)
        return a->time_ms < b->time_ms ? -1 : 1;
    return sr_id_compare(&a->id, &b->id);
}

static int
s_entry_qsort(const void *a, const void *b)
{
    return s_entry_cmp(a, b);
}

static sr_err_t
s_entry_set(s_entry_t *e, sr_value_t *item, sr_bfield_t id, size_t list,
            size_t i, sr_error_t *err)
{
    if (!sr_body_id(item, id, &e->id))
        return sr_error_set(err, SR_EPROTO,
                            "execution list of engine %zu: item %zu has no "
                            "valid '%s'",
                            list, i, sr_bfield_desc(id)->name);
    e->time_ms = sr_id_time_ms(&e->id);
    e->item = item;
    return SR_OK;
}

static size_t
s_total(sr_value_t *const *lists, size_t n)
{
    size_t total = 0;
    for (size_t l = 0; l < n; l++)
        total += sr_value_len(lists[l]);
    return total;
}

// Gather every item of every list into `es`.
static sr_err_t
s_gather(sr_value_t *const *lists, size_t n, sr_bfield_t id, s_entry_t *es,
         sr_error_t *err)
{
    size_t k = 0;
    for (size_t l = 0; l < n; l++) {
        if (!sr_value_is(lists[l], SR_T_ARRAY))
            return sr_error_set(err, SR_EPROTO,
                                "execution list of engine %zu is not an array",
                                l);
        for (size_t i = 0; i < sr_value_len(lists[l]); i++) {
            sr_err_t rc = s_entry_set(&es[k++], sr_value_array_at(lists[l], i),
                                      id, l, i, err);
            if (rc)
                return rc;
        }
    }
    return SR_OK;
}

sr_err_t
sr_client_body_merge_executions(sr_value_t *const *lists, size_t n,
                                size_t limit, sr_bfield_t id, sr_value_t **out,
                                sr_error_t *err)
{
    size_t total = s_total(lists, n);
    s_entry_t *es = calloc(total ? total : 1, sizeof *es);
    sr_value_t *merged = sr_value_new_array(limit < total ? limit : total);
    sr_err_t rc = es && merged ? s_gather(lists, n, id, es, err)
                               : sr_error_set(err, SR_ENOMEM, "out of memory");
    if (rc)
        goto done;
    qsort(es, total, sizeof *es, s_entry_qsort);
    for (size_t k = 0; k < total && sr_value_len(merged) < limit; k++) {
        if (k > 0 && sr_id_equal(&es[k].id, &es[k - 1].id))
            continue;
        if (sr_value_array_append(merged, sr_value_ref(es[k].item))) {
            rc = sr_error_set(err, SR_ENOMEM, "out of memory");
            goto done;
        }
    }
    *out = merged;
    merged = NULL;
done:
    sr_value_destroy(&merged);
    free(es);
    return rc;
}

// --- workflows ----------------------------------------------------------

static int
s_wf_cmp(const void *a, const void *b)
{
    sr_value_t *const *x = a, *const *y = b;
    return strcmp(sr_body_str(*x, SR_B_WORKFLOW_name),
                  sr_body_str(*y, SR_B_WORKFLOW_name));
}

// True when `b` should replace `a` (same name): b is newer.
static bool
s_wf_newer(const sr_value_t *a, const sr_value_t *b)
{
    int64_t ta = sr_body_int(a, SR_B_WORKFLOW_created_ms, -1);
    int64_t tb = sr_body_int(b, SR_B_WORKFLOW_created_ms, -1);
    return ta >= 0 && tb > ta;
}

static sr_err_t
s_wf_gather(sr_value_t *const *lists, size_t n, sr_value_t **items,
            sr_error_t *err)
{
    size_t k = 0;
    for (size_t l = 0; l < n; l++) {
        if (!sr_value_is(lists[l], SR_T_ARRAY))
            return sr_error_set(err, SR_EPROTO,
                                "workflow list of engine %zu is not an array",
                                l);
        for (size_t i = 0; i < sr_value_len(lists[l]); i++) {
            sr_value_t *wf = sr_value_array_at(lists[l], i);
            if (!sr_body_str(wf, SR_B_WORKFLOW_name))
                return sr_error_set(err, SR_EPROTO,
                                    "workflow list of engine %zu: item %zu "
                                    "has no '%s'",
                                    l, i,
                                    sr_bfield_desc(SR_B_WORKFLOW_name)->name);
            items[k++] = wf;
        }
    }
    return SR_OK;
}

sr_err_t
sr_client_body_merge_workflows(sr_value_t *const *lists, size_t n,
                               sr_value_t **out, sr_error_t *err)
{
    size_t total = s_total(lists, n);
    sr_value_t **items = calloc(total ? total : 1, sizeof *items);
    sr_value_t *merged = sr_value_new_array(total);
    sr_err_t rc = items && merged
                      ? s_wf_gather(lists, n, items, err)
                      : sr_error_set(err, SR_ENOMEM, "out of memory");
    if (rc)
        goto done;
    // equal names end up side by side; keep the newest of each run
    qsort(items, total, sizeof *items, s_wf_cmp);
    for (size_t k = 0; k < total; k++) {
        size_t best = k;
        while (k + 1 < total && s_wf_cmp(&items[k], &items[k + 1]) == 0) {
            k++;
            if (s_wf_newer(items[best], items[k]))
                best = k;
        }
        if (sr_value_array_append(merged, sr_value_ref(items[best]))) {
            rc = sr_error_set(err, SR_ENOMEM, "out of memory");
            goto done;
        }
    }
    *out = merged;
    merged = NULL;
done:
    sr_value_destroy(&merged);
    free(items);
    return rc;
}
