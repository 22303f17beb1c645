// YAML parse through libyaml with PyYAML's safe rules: YAML 1.1 scalars
// (lang_yaml.c), the standard tags, one document, no aliases, bounded
// nesting. Errors give the line and column. Owns nothing beyond one call.
#include "lang_yaml.h"

#include <stdbool.h>
#include <string.h>
#include <yaml.h>

typedef struct {
    yaml_parser_t p;
    yaml_event_t ev;
    bool have; // ev holds an event to delete
    int max_depth;
    sr_error_t *err;
} s_parse_t;

static sr_err_t
s_next(s_parse_t *s)
{
    if (s->have)
        yaml_event_delete(&s->ev);
    s->have = false;
    if (!yaml_parser_parse(&s->p, &s->ev))
        return sr_error_set(s->err, SR_EINVAL, "line %zu column %zu: %s",
                            s->p.problem_mark.line + 1,
                            s->p.problem_mark.column + 1,
                            s->p.problem ? s->p.problem : "invalid YAML");
    s->have = true;
    return SR_OK;
}

static sr_err_t
s_fail_at(s_parse_t *s, const char *what)
{
    return sr_error_set(s->err, SR_EINVAL, "line %zu column %zu: %s",
                        s->ev.start_mark.line + 1, s->ev.start_mark.column + 1,
                        what);
}

static bool
s_scalar_tag(const char *suffix)
{
    return strcmp(suffix, "int") == 0 || strcmp(suffix, "float") == 0 ||
           strcmp(suffix, "bool") == 0 || strcmp(suffix, "null") == 0;
}

static sr_err_t
s_scalar_value(s_parse_t *s, sr_value_t **out)
{
    const char *v = (const char *)s->ev.data.scalar.value;
    size_t len = s->ev.data.scalar.length;
    const char *tag = (const char *)s->ev.data.scalar.tag;
    static const char prefix[] = "tag:yaml.org,2002:";
    sr_err_t rc;
    if (!tag && s->ev.data.scalar.plain_implicit)
        rc = lang_yaml_scalar(v, len, out);
    else if (!tag || strcmp(tag, "!") == 0 ||
             strcmp(tag, "tag:yaml.org,2002:str") == 0)
        rc = (*out = sr_value_new_strn(v, len)) ? SR_OK : SR_ENOMEM;
    else if (strncmp(tag, prefix, sizeof prefix - 1) == 0 &&
             s_scalar_tag(tag + sizeof prefix - 1) &&
             lang_yaml_resolve(v, len) != LANG_YAML_STR)
        rc = lang_yaml_scalar(v, len, out);
    else
        return s_fail_at(s, "unsupported tag or value for its tag");
    if (rc == SR_EINVAL)
        return s_fail_at(s, "number out of range");
    if (rc == SR_ENOMEM)
        return sr_error_set(s->err, rc, "out of memory");
    return rc;
}

static sr_err_t s_value(s_parse_t *s, int depth, sr_value_t **out);

static sr_err_t
s_collection(s_parse_t *s, int depth, bool is_map, sr_value_t **out)
{
    yaml_event_type_t end =
        is_map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
    sr_value_t *c = is_map ? sr_value_new_map(0) : sr_value_new_array(0);
    sr_err_t rc = SR_OK;
    if (!c)
        rc = sr_error_set(s->err, SR_ENOMEM, "out of memory");
    else
        rc = s_next(s);
    while (rc == SR_OK && s->ev.type != end) {
        sr_value_t *key = NULL, *val = NULL;
        if (is_map) {
            if (s->ev.type != YAML_SCALAR_EVENT)
                rc = s_fail_at(s, "only scalar keys are supported");
            else if (s->ev.data.scalar.plain_implicit &&
                     lang_yaml_resolve((const char *)s->ev.data.scalar.value,
                                       s->ev.data.scalar.length) ==
                         LANG_YAML_MERGE)
                rc = s_fail_at(s, "merge keys (<<) are not supported");
            else if (!(key = sr_value_new_strn(
                           (const char *)s->ev.data.scalar.value,
                           s->ev.data.scalar.length)))
                rc = sr_error_set(s->err, SR_ENOMEM, "out of memory");
            if (rc == SR_OK)
                rc = s_next(s);
        }
        if (rc == SR_OK)
            rc = s_value(s, depth + 1, &val);
        if (rc == SR_OK) {
            sr_err_t put = is_map ? sr_value_map_putv(c, key, val)
                                  : sr_value_array_append(c, val);
            if (put != SR_OK)
                rc = sr_error_set(s->err, SR_ENOMEM, "out of memory");
            rc = rc == SR_OK ? s_next(s) : rc;
        }
        sr_value_destroy(&key);
    }
    if (rc != SR_OK)
        sr_value_destroy(&c);
    else
        *out = c;
    return rc;
}

// The node starting at the current event (left on its last event).
static sr_err_t
s_value(s_parse_t *s, int depth, sr_value_t **out)
{
    if (depth > s->max_depth)
        return s_fail_at(s, "nested too deeply");
    switch (s->ev.type) {
    case YAML_SCALAR_EVENT:
        return s_scalar_value(s, out);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        const yaml_char_t *tag = s->ev.type == YAML_MAPPING_START_EVENT
                                     ? s->ev.data.mapping_start.tag
                                     : s->ev.data.sequence_start.tag;
        if (tag && strcmp((const char *)tag, "tag:yaml.org,2002:map") != 0 &&
            strcmp((const char *)tag, "tag:yaml.org,2002:seq") != 0)
            return s_fail_at(s, "unsupported tag");
        return s_collection(s, depth, s->ev.type == YAML_MAPPING_START_EVENT,
                            out);
    }
    case YAML_ALIAS_EVENT:
        return s_fail_at(s, "aliases are not supported");
    default:
        return s_fail_at(s, "unexpected YAML event");
    }
}

sr_err_t
lang_yaml_parse(const char *text, size_t len, int max_depth, sr_value_t **out,
                sr_error_t *err)
{
    s_parse_t s = {.max_depth = max_depth, .err = err};
    if (!yaml_parser_initialize(&s.p))
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&s.p, (const unsigned char *)text, len);
    sr_value_t *v = NULL;
    sr_err_t rc = s_next(&s); // stream start
    if (rc == SR_OK)
        rc = s_next(&s);
    if (rc == SR_OK && s.ev.type == YAML_STREAM_END_EVENT) {
        v = sr_value_new_nil(); // an empty stream is None
    } else if (rc == SR_OK && (rc = s_next(&s)) == SR_OK &&
               (rc = s_value(&s, 0, &v)) == SR_OK &&
               (rc = s_next(&s)) == SR_OK && // document end
               (rc = s_next(&s)) == SR_OK &&
               s.ev.type != YAML_STREAM_END_EVENT) {
        rc = s_fail_at(&s, "expected a single document in the stream");
    }
    if (s.have)
        yaml_event_delete(&s.ev);
    yaml_parser_delete(&s.p);
    if (rc != SR_OK) {
        sr_value_destroy(&v);
        return rc;
    }
    *out = v;
    return SR_OK;
}
