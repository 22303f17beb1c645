// Mistral list semantics (filters, sort, marker, limit, fields) over
// arrays of resource maps, shared by every /v2 list. The engines filter
// by state and workflow and page oldest first; everything else a Mistral
// client may ask happens here, on at most list-max items. Pure.
#include "gw_list.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sr_value_json.h"

#define S_MAX_KEYS 32 // sort keys and fields are short lists

// Keys of the query that are not filters.
static const char *const s_paging[] = {"limit",       "marker", "sort_keys",
                                       "sort_dirs",   "fields", "nulls",
                                       "all_projects"};

static bool
s_is_field_name(const char *s)
{
    if (!*s || strlen(s) > 64)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || *s == '_' ||
              (*s >= '0' && *s <= '9')))
            return false;
    return true;
}

// "a,b , c" into an array of names; SR_EINVAL names `param`.
static sr_err_t
s_names(const char *text, const char *param, sr_value_t **out, sr_error_t *err)
{
    sr_value_t *a = sr_value_new_array(4);
    sr_err_t rc = a ? SR_OK : SR_ENOMEM;
    const char *p = text;
    while (!rc && *p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, ",");
        size_t m = n;
        while (m && p[m - 1] == ' ')
            m--;
        char name[65];
        if (m == 0 || m >= sizeof name || sr_value_len(a) == S_MAX_KEYS) {
            rc = SR_EINVAL;
            break;
        }
        memcpy(name, p, m);
        name[m] = '\0';
        if (!s_is_field_name(name))
            rc = SR_EINVAL;
        else
            rc = sr_value_array_append(a, sr_value_new_str(name));
        p += n;
        if (*p == ',')
            p++;
    }
    if (rc) {
        sr_value_destroy(&a);
        if (rc == SR_ENOMEM)
            return sr_error_set(err, rc, "out of memory");
        return sr_error_at(err, SR_EINVAL, param,
                           "'%s' must be up to %d comma-separated field names",
                           param, S_MAX_KEYS);
    }
    *out = a;
    return SR_OK;
}

static sr_err_t
s_put_names(sr_value_t *q, const gw_req_t *req, const char *param,
            sr_error_t *err)
{
    const char *text = gw_req_query(req, param);
    if (!text || !*text)
        return SR_OK;
    sr_value_t *a = NULL;
    sr_err_t rc = s_names(text, param, &a, err);
    if (!rc && strcmp(param, "sort_dirs") == 0)
        for (size_t i = 0; !rc && i < sr_value_len(a); i++) {
            const char *d = sr_value_str(sr_value_array_at(a, i));
            if (strcmp(d, "asc") != 0 && strcmp(d, "desc") != 0)
                rc = sr_error_at(err, SR_EINVAL, "sort_dirs",
                                 "sort direction '%s' is not asc or desc", d);
        }
    if (!rc)
        rc = sr_value_map_put(q, param, a);
    else
        sr_value_destroy(&a);
    return rc;
}

static sr_err_t
s_put_limit(sr_value_t *q, const char *text, sr_error_t *err)
{
    if (!text || !*text)
        return SR_OK;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || *end || v < 0)
        return sr_error_at(err, SR_EINVAL, "limit",
                           "'limit' must be a whole number >= 0, not '%.32s'",
                           text);
    return v ? sr_value_map_put(q, "limit", sr_value_new_int(v)) : SR_OK;
}

static bool
s_is_paging(const char *key)
{
    for (size_t i = 0; i < sizeof s_paging / sizeof *s_paging; i++)
        if (strcmp(key, s_paging[i]) == 0)
            return true;
    return false;
}

sr_err_t
gw_list_query(const gw_req_t *req, sr_value_t **out, sr_error_t *err)
{
    sr_value_t *q = sr_value_new_map(6);
    sr_value_t *filters = sr_value_new_map(4);
    sr_err_t rc = q && filters ? SR_OK : SR_ENOMEM;
    if (!rc)
        rc = s_put_limit(q, gw_req_query(req, "limit"), err);
    const char *marker = gw_req_query(req, "marker");
    if (!rc && marker && *marker)
        rc = sr_value_map_put(q, "marker", sr_value_new_str(marker));
    if (!rc)
        rc = s_put_names(q, req, "sort_keys", err);
    if (!rc)
        rc = s_put_names(q, req, "sort_dirs", err);
    if (!rc)
        rc = s_put_names(q, req, "fields", err);
    for (size_t i = 0; !rc && i < req->nquery; i++) {
        const gw_kv_t *kv = &req->query[i];
        if (s_is_paging(kv->key))
            continue;
        if (!s_is_field_name(kv->key))
            rc = sr_error_at(err, SR_EINVAL, "query",
                             "'%.64s' is not a field to filter on", kv->key);
        else if (!sr_value_map_has(filters, kv->key))
            rc = sr_value_map_put(filters, kv->key,
                                  sr_value_new_str(kv->value ? kv->value : ""));
    }
    if (!rc)
        rc = sr_value_map_put(q, "filters", sr_value_ref(filters));
    sr_value_destroy(&filters);
    if (rc) {
        sr_value_destroy(&q);
        return rc == SR_ENOMEM ? sr_error_set(err, rc, "out of memory") : rc;
    }
    *out = q;
    return SR_OK;
}

const char *
gw_list_filter(const sr_value_t *q, const char *key)
{
    return sr_value_map_str(sr_value_map_get(q, "filters"), key);
}

// A field's value as the text a filter compares with.
static bool
s_matches(const sr_value_t *v, const char *want)
{
    if (!v)
        return false;
    if (sr_value_is(v, SR_T_STR))
        return strcmp(sr_value_str(v), want) == 0;
    if (sr_value_is(v, SR_T_NIL))
        return strcmp(want, "null") == 0 || strcmp(want, "None") == 0;
    if (sr_value_is(v, SR_T_BOOL))
        return strcasecmp(want, sr_value_bool(v) ? "true" : "false") == 0;
    char *text = sr_value_to_json(v, SR_JSON_SPACED);
    bool same = text && strcmp(text, want) == 0;
    free(text);
    return same;
}

typedef struct {
    const sr_value_t *keys, *dirs;
} s_sort_t;

// Direction of sort key i: its own, else the last one given, else asc.
static bool
s_is_desc(const s_sort_t *s, size_t i)
{
    size_t n = s->dirs ? sr_value_len(s->dirs) : 0;
    if (!n)
        return false;
    const sr_value_t *d = sr_value_array_at(s->dirs, i < n ? i : n - 1);
    return strcmp(sr_value_str(d), "desc") == 0;
}

static int
s_cmp(const void *pa, const void *pb, void *arg)
{
    const s_sort_t *s = arg;
    const sr_value_t *a = *(sr_value_t *const *)pa;
    const sr_value_t *b = *(sr_value_t *const *)pb;
    size_t n = sr_value_len(s->keys);
    for (size_t i = 0; i <= n; i++) { // then by id
        const char *key =
            i < n ? sr_value_str(sr_value_array_at(s->keys, i)) : "id";
        const sr_value_t *x = sr_value_map_get(a, key);
        const sr_value_t *y = sr_value_map_get(b, key);
        int c = !x || !y ? (x ? 1 : 0) - (y ? 1 : 0) : sr_value_compare(x, y);
        if (c)
            return s_is_desc(s, i) ? -c : c;
    }
    return 0;
}

// A copy of `item` with only `fields` (and "id").
static sr_value_t *
s_project(sr_value_t *item, const sr_value_t *fields)
{
    if (!fields)
        return sr_value_ref(item);
    sr_value_t *m = sr_value_new_map(sr_value_len(fields) + 1);
    for (size_t i = 0; m && i <= sr_value_len(fields); i++) {
        const char *k = i < sr_value_len(fields)
                            ? sr_value_str(sr_value_array_at(fields, i))
                            : "id";
        sr_value_t *v = sr_value_map_get(item, k);
        if (v && !sr_value_map_has(m, k) &&
            sr_value_map_put(m, k, sr_value_ref(v)))
            sr_value_destroy(&m);
    }
    return m;
}

sr_err_t
gw_list_apply(const sr_value_t *items, const sr_value_t *q, sr_value_t **out,
              sr_error_t *err)
{
    size_t n = sr_value_len(items), kept = 0;
    sr_value_t **v = calloc(n ? n : 1, sizeof *v);
    if (!v)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    const sr_value_t *filters = sr_value_map_get(q, "filters");
    for (size_t i = 0; i < n; i++) {
        sr_value_t *it = sr_value_array_at(items, i);
        bool keep = true;
        for (size_t k = 0; keep && k < sr_value_len(filters); k++)
            keep =
                s_matches(sr_value_map_get(
                              it, sr_value_str(sr_value_map_key(filters, k))),
                          sr_value_str(sr_value_map_val(filters, k)));
        if (keep)
            v[kept++] = it;
    }
    sr_value_t *def_keys = sr_value_new_array(1);
    if (!def_keys ||
        sr_value_array_append(def_keys, sr_value_new_str("created_at"))) {
        free(v);
        sr_value_destroy(&def_keys);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    s_sort_t s = {sr_value_map_get(q, "sort_keys"),
                  sr_value_map_get(q, "sort_dirs")};
    if (!s.keys)
        s.keys = def_keys;
    qsort_r(v, kept, sizeof *v, s_cmp, &s);
    size_t from = 0;
    const char *marker = sr_value_map_str(q, "marker");
    if (marker) {
        while (from < kept &&
               !s_matches(sr_value_map_get(v[from], "id"), marker))
            from++;
        if (from == kept) {
            free(v);
            sr_value_destroy(&def_keys);
            return sr_error_at(err, SR_EINVAL, "marker",
                               "marker '%.64s' is not in the list", marker);
        }
        from++;
    }
    int64_t limit = 0;
    sr_value_map_int(q, "limit", &limit);
    const sr_value_t *fields = sr_value_map_get(q, "fields");
    sr_value_t *a = sr_value_new_array(kept - from + 1);
    sr_err_t rc = a ? SR_OK : SR_ENOMEM;
    for (size_t i = from; !rc && i < kept; i++) {
        if (limit && (int64_t)(i - from) >= limit)
            break;
        sr_value_t *p = s_project(v[i], fields);
        rc = p ? sr_value_array_append(a, p) : SR_ENOMEM;
    }
    free(v);
    sr_value_destroy(&def_keys);
    if (rc) {
        sr_value_destroy(&a);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    *out = a;
    return SR_OK;
}
