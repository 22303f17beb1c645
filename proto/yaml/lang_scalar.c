// Scalar resolution for the loader: plain scalars go through PyYAML's YAML
// 1.1 rules in lang_yaml.c (shared with yaml_parse()); this room adds the
// explicit tags !!str, !!int, !!float, !!bool, !!null, !!timestamp and the
// non-specific "!", and the error messages. Owns nothing; reentrant.
#include "lang_scalar.h"

#include <string.h>

#include "lang_yaml.h"

#define S_TAG_PREFIX "tag:yaml.org,2002:"

static sr_err_t
s_str(const char *text, size_t len, sr_value_t **out)
{
    *out = sr_value_new_strn(text, len);
    return *out ? SR_OK : SR_ENOMEM;
}

// The value of `text` when it resolves to `want` (INT also accepted for
// FLOAT, then converted).
static sr_err_t
s_typed(const char *text, size_t len, lang_yaml_type_t want, sr_value_t **out,
        const char **problem)
{
    lang_yaml_type_t got = lang_yaml_resolve(text, len);
    if (got != want && !(want == LANG_YAML_FLOAT && got == LANG_YAML_INT)) {
        *problem = want == LANG_YAML_INT    ? "not an integer"
                   : want == LANG_YAML_BOOL ? "not a boolean"
                                            : "not a number";
        return SR_EINVAL;
    }
    sr_value_t *v = NULL;
    sr_err_t rc = lang_yaml_scalar(text, len, &v);
    if (rc == SR_EINVAL)
        *problem = "number out of range";
    if (rc != SR_OK)
        return rc;
    if (want == LANG_YAML_FLOAT && sr_value_is(v, SR_T_INT)) {
        double d = (double)sr_value_int(v);
        sr_value_destroy(&v);
        if (!(v = sr_value_new_float(d)))
            return SR_ENOMEM;
    }
    *out = v;
    return SR_OK;
}

static sr_err_t
s_tagged(const char *text, size_t len, const char *tag, sr_value_t **out,
         const char **problem)
{
    if (strcmp(tag, "!") == 0 || strcmp(tag, S_TAG_PREFIX "str") == 0 ||
        strcmp(tag, S_TAG_PREFIX "timestamp") == 0)
        return s_str(text, len, out);
    if (strcmp(tag, S_TAG_PREFIX "null") == 0) {
        *out = sr_value_new_nil();
        return SR_OK;
    }
    if (strcmp(tag, S_TAG_PREFIX "bool") == 0) {
        char low[8];
        if (len >= sizeof low) {
            *problem = "not a boolean";
            return SR_EINVAL;
        }
        for (size_t i = 0; i < len; i++)
            low[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] + 32
                                                             : text[i]);
        return s_typed(low, len, LANG_YAML_BOOL, out, problem);
    }
    if (strcmp(tag, S_TAG_PREFIX "int") == 0)
        return s_typed(text, len, LANG_YAML_INT, out, problem);
    if (strcmp(tag, S_TAG_PREFIX "float") == 0)
        return s_typed(text, len, LANG_YAML_FLOAT, out, problem);
    *problem = "unsupported YAML tag";
    return SR_EINVAL;
}

sr_err_t
lang_scalar_resolve(const char *text, size_t len, bool is_plain,
                    const char *tag, sr_value_t **out, const char **problem)
{
    *problem = NULL;
    if (tag)
        return s_tagged(text, len, tag, out, problem);
    if (!is_plain)
        return s_str(text, len, out);
    sr_err_t rc = lang_yaml_scalar(text, len, out);
    if (rc == SR_EINVAL)
        *problem = "integer out of the 64-bit range";
    return rc;
}

bool
lang_scalar_is_merge(const char *text, size_t len, bool is_plain,
                     const char *tag)
{
    if (tag)
        return strcmp(tag, S_TAG_PREFIX "merge") == 0;
    return is_plain && lang_yaml_resolve(text, len) == LANG_YAML_MERGE;
}
