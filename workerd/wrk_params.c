// Parameter tables of built-in actions: input checking, defaults and
// descriptions. Owns nothing but the values it returns; reentrant.
#include "wrk_params.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sr_value_json.h"

typedef struct {
    char text[sizeof(((sr_error_t *)0)->msg)];
    size_t len;
    int problems;
} s_msg_t;

static void s_add(s_msg_t *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
s_add(s_msg_t *m, const char *fmt, ...)
{
    if (m->len >= sizeof m->text - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(m->text + m->len, sizeof m->text - m->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        m->len += (size_t)n < sizeof m->text - m->len
                      ? (size_t)n
                      : sizeof m->text - m->len - 1;
}

static const wrk_param_t *
s_find(const wrk_param_t *params, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(params[i].name) == len &&
            memcmp(params[i].name, name, len) == 0)
            return &params[i];
    return NULL;
}

// Start one more problem in the message.
static void
s_problem(s_msg_t *m)
{
    s_add(m, "%s", m->problems++ ? "; " : "");
}

const char *
wrk_params_types_text(unsigned types, char *buf, size_t size)
{
    static const char *const words[] = {
        [SR_T_NIL] = "null",       [SR_T_BOOL] = "a bool",
        [SR_T_INT] = "an integer", [SR_T_FLOAT] = "a float",
        [SR_T_STR] = "a string",   [SR_T_BIN] = "binary",
        [SR_T_ARRAY] = "a list",   [SR_T_MAP] = "a map"};
    if (types == 0) {
        snprintf(buf, size, "any value");
        return buf;
    }
    size_t len = 0;
    buf[0] = '\0';
    int count = 0;
    for (int t = SR_T_NIL; t <= SR_T_MAP && len < size; t++) {
        const char *word = words[t];
        if ((types & WRK_T_NUMBER) == WRK_T_NUMBER && t == SR_T_INT)
            word = "a number";
        else if ((types & WRK_T_NUMBER) == WRK_T_NUMBER && t == SR_T_FLOAT)
            continue;
        if (!(types & WRK_T(t)))
            continue;
        int n = snprintf(buf + len, size - len, "%s%s", count++ ? " or " : "",
                         word);
        if (n < 0)
            break;
        len += (size_t)n;
    }
    return buf;
}

sr_err_t
wrk_params_check(const char *action, const wrk_param_t *params, size_t n,
                 const sr_value_t *input, sr_error_t *err)
{
    s_msg_t m = {.len = 0, .problems = 0};
    s_add(&m, "%s: ", action);
    if (!sr_value_is(input, SR_T_MAP)) {
        s_add(&m, "input must be a map, not %s",
              sr_type_name(sr_value_type(input)));
        return sr_error_set(err, SR_EINVAL, "%s", m.text);
    }
    for (size_t i = 0; i < n; i++) {
        const sr_value_t *v = sr_value_map_get(input, params[i].name);
        if (params[i].is_required && !v) {
            s_problem(&m);
            s_add(&m, "missing required parameter '%s'", params[i].name);
        }
    }
    for (size_t i = 0; i < sr_value_len(input); i++) {
        const sr_value_t *key = sr_value_map_key(input, i);
        const sr_value_t *v = sr_value_map_val(input, i);
        const wrk_param_t *p =
            s_find(params, n, sr_value_str(key), sr_value_len(key));
        if (!p) {
            s_problem(&m);
            s_add(&m, "unexpected parameter '%.*s'", (int)sr_value_len(key),
                  sr_value_str(key));
            continue;
        }
        bool is_absent = !p->is_required && sr_value_is(v, SR_T_NIL);
        if (p->types == 0 || is_absent || (p->types & WRK_T(sr_value_type(v))))
            continue;
        char words[96];
        s_problem(&m);
        s_add(&m, "'%s' must be %s, not %s", p->name,
              wrk_params_types_text(p->types, words, sizeof words),
              sr_type_name(sr_value_type(v)));
    }
    if (m.problems)
        return sr_error_set(err, SR_EINVAL, "%s", m.text);
    return SR_OK;
}

sr_err_t
wrk_params_defaults(const wrk_param_t *params, size_t n, sr_value_t **out,
                    sr_error_t *err)
{
    sr_value_t *map = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *json = params[i].default_json;
        if (!json || params[i].is_required)
            continue;
        sr_value_t *v = NULL;
        if (sr_value_from_json(json, strlen(json), NULL, &v, err) != SR_OK) {
            sr_value_destroy(&map);
            return sr_error_set(err, SR_EINTERNAL,
                                "default of '%s' is not JSON: %s",
                                params[i].name, json);
        }
        if (!map)
            map = sr_value_new_map(n);
        if (!map || sr_value_map_put(map, params[i].name, v) != SR_OK) {
            if (!map)
                sr_value_destroy(&v);
            sr_value_destroy(&map);
            return sr_error_set(err, SR_ENOMEM, "out of memory");
        }
    }
    *out = map;
    return SR_OK;
}

// The default of an optional parameter as a value (nil when none); NULL
// when the table's JSON is broken or memory runs out.
static sr_value_t *
s_default_value(const wrk_param_t *p)
{
    if (!p->default_json || p->is_required)
        return sr_value_new_nil();
    sr_value_t *v = NULL;
    sr_error_t err;
    if (sr_value_from_json(p->default_json, strlen(p->default_json), NULL, &v,
                           &err) != SR_OK)
        return NULL;
    return v;
}

static sr_value_t *
s_describe_one(const wrk_param_t *p)
{
    sr_value_t *m = sr_value_new_map(5);
    char words[96];
    if (!m)
        return NULL;
    wrk_params_types_text(p->types, words, sizeof words);
    if (sr_value_map_put(m, "name", sr_value_new_str(p->name)) ||
        sr_value_map_put(m, "required", sr_value_new_bool(p->is_required)) ||
        sr_value_map_put(m, "default", s_default_value(p)) ||
        sr_value_map_put(m, "types", sr_value_new_str(words)) ||
        sr_value_map_put(m, "doc", sr_value_new_str(p->doc ? p->doc : "")))
        sr_value_destroy(&m);
    return m;
}

sr_err_t
wrk_params_describe(const wrk_param_t *params, size_t n, sr_value_t **out,
                    sr_error_t *err)
{
    sr_value_t *list = sr_value_new_array(n);
    if (!list)
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (sr_value_array_append(list, s_describe_one(&params[i]))) {
            sr_value_destroy(&list);
            return sr_error_set(err, SR_ENOMEM, "cannot describe '%s'",
                                params[i].name);
        }
    }
    *out = list;
    return SR_OK;
}
