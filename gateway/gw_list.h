// Mistral's list query on items already shaped as Mistral resources:
// `limit`, `marker` (the id after which a page starts), `sort_keys` and
// `sort_dirs` (comma-separated), `fields` (which fields to return, `id`
// always), and any other parameter as an equality filter on that field
// (`nulls` and `all_projects` are accepted and ignored).
//
// Ownership as in the signatures; pure functions on values.
#ifndef GW_LIST_H
#define GW_LIST_H

#include "gw_http.h"
#include "sr_err.h"
#include "sr_value.h"

// The query of `req` checked, as a map {"limit", "marker", "sort_keys",
// "sort_dirs", "fields", "filters"} (absent keys: not given). SR_EINVAL
// names the parameter at fault. Caller owns *out.
sr_err_t gw_list_query(const gw_req_t *req, sr_value_t **out, sr_error_t *err);

// The value of filter `key` of a parsed query, or NULL.
const char *gw_list_filter(const sr_value_t *q, const char *key);

// Filter, sort (default: created_at ascending, then id), page and
// project `items` (an array of maps) by query `q`. *out is a new array
// sharing the items. SR_EINVAL when the marker is not in the list.
sr_err_t gw_list_apply(const sr_value_t *items, const sr_value_t *q,
                       sr_value_t **out, sr_error_t *err);

#endif
