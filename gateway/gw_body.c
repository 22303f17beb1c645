// JSON body checks shared by the /v2 routes: keys and kinds from a small
// table per route, and objects sent as JSON text (Mistral's jsontype).
#include "gw_body.h"

#include <string.h>

#include "sr_value_json.h"

static int
s_kind(const sr_value_t *v)
{
    switch (sr_value_type(v)) {
    case SR_T_NIL:
        return GW_F_NULL;
    case SR_T_STR:
        return GW_F_STR;
    case SR_T_MAP:
        return GW_F_MAP;
    case SR_T_BOOL:
        return GW_F_BOOL;
    default:
        return 0x80; // numbers, arrays: only GW_F_ANY takes them
    }
}

sr_err_t
gw_body_check(const sr_value_t *body, const gw_field_t *fields, size_t n,
              sr_error_t *err)
{
    if (!body || !sr_value_is(body, SR_T_MAP))
        return sr_error_set(err, SR_EINVAL, "send a JSON object as the body");
    for (size_t i = 0; i < sr_value_len(body); i++) {
        const char *key = sr_value_str(sr_value_map_key(body, i));
        const sr_value_t *v = sr_value_map_val(body, i);
        size_t k = 0;
        while (k < n && strcmp(fields[k].name, key) != 0)
            k++;
        if (k == n)
            return sr_error_at(err, SR_EINVAL, key, "unknown field '%.64s'",
                               key);
        if (!(fields[k].kinds & s_kind(v)))
            return sr_error_at(err, SR_EINVAL, key,
                               "field '%s' must be %s, not %s", key,
                               fields[k].kinds & GW_F_MAP    ? "an object"
                               : fields[k].kinds & GW_F_BOOL ? "true or false"
                                                             : "a string",
                               sr_type_name(sr_value_type(v)));
    }
    return SR_OK;
}

const char *
gw_body_str(const sr_value_t *body, const char *key)
{
    return sr_value_map_str(body, key);
}

sr_err_t
gw_body_map(const sr_value_t *body, const char *key, int max_depth,
            sr_value_t **out, sr_error_t *err)
{
    *out = NULL;
    sr_value_t *v = sr_value_map_get(body, key);
    if (!v || sr_value_is(v, SR_T_NIL) ||
        (sr_value_is(v, SR_T_STR) && sr_value_len(v) == 0))
        return SR_OK;
    if (sr_value_is(v, SR_T_MAP)) {
        *out = sr_value_ref(v);
        return SR_OK;
    }
    sr_limits_t lim = {.max_bytes = sr_value_len(v) + 1,
                       .max_depth = max_depth};
    sr_value_t *m = NULL;
    if (!sr_value_is(v, SR_T_STR) ||
        sr_value_from_json(sr_value_str(v), sr_value_len(v), &lim, &m, NULL) ||
        !sr_value_is(m, SR_T_MAP)) {
        sr_value_destroy(&m);
        return sr_error_at(err, SR_EINVAL, key,
                           "field '%s' must be an object, or the JSON text of "
                           "one",
                           key);
    }
    *out = m;
    return SR_OK;
}
