// YAML dump through libyaml with PyYAML's safe rules, for the yaml_dump()
// function of expressions: sorted keys, block style, strings quoted when
// they would read back as another type (lang_yaml_resolve), PyYAML's float
// spelling (1.0e+16, .inf). Owns nothing beyond one call.
#include "lang_yaml_dump.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lang_yaml.h"

#define S_DUMP_DEPTH 256

typedef struct {
    yaml_emitter_t em;
    lang_buf_t *buf;
    sr_err_t rc; // why the write handler refused
} s_dump_t;

static int
s_write(void *data, unsigned char *bytes, size_t size)
{
    s_dump_t *d = data;
    d->rc = lang_buf_put(d->buf, (const char *)bytes, size);
    return d->rc == SR_OK;
}

static bool
s_scalar(s_dump_t *d, const char *s, size_t len, bool plain_ok)
{
    yaml_event_t ev;
    if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s,
                                      (int)len, plain_ok, 1,
                                      YAML_ANY_SCALAR_STYLE))
        return false;
    return yaml_emitter_emit(&d->em, &ev);
}

// PyYAML's represent_float: repr, lowercased, "1e+16" becomes "1.0e+16".
static const char *
s_float_text(double f, char *buf, size_t size)
{
    if (isnan(f))
        return ".nan";
    if (isinf(f))
        return f > 0 ? ".inf" : "-.inf";
    char repr[40];
    lang_format_float(f, repr, sizeof repr);
    char *e = strchr(repr, 'e');
    if (e && !strchr(repr, '.'))
        snprintf(buf, size, "%.*s.0%s", (int)(e - repr), repr, e);
    else
        snprintf(buf, size, "%s", repr);
    return buf;
}

static int
s_key_cmp(const void *x, const void *y)
{
    const sr_value_t *a = *(sr_value_t *const *)x;
    const sr_value_t *b = *(sr_value_t *const *)y;
    size_t la = sr_value_len(a), lb = sr_value_len(b);
    int c = memcmp(sr_value_str(a), sr_value_str(b), la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

static bool s_node(s_dump_t *d, const sr_value_t *v, int depth);

static bool
s_mapping(s_dump_t *d, const sr_value_t *v, int depth)
{
    yaml_event_t ev;
    size_t n = sr_value_len(v);
    sr_value_t **keys = malloc((n ? n : 1) * sizeof *keys);
    if (!keys) {
        d->rc = SR_ENOMEM;
        return false;
    }
    for (size_t i = 0; i < n; i++)
        keys[i] = sr_value_map_key(v, i);
    qsort(keys, n, sizeof *keys, s_key_cmp);
    bool ok = yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                  YAML_BLOCK_MAPPING_STYLE) &&
              yaml_emitter_emit(&d->em, &ev);
    for (size_t i = 0; ok && i < n; i++) {
        const char *k = sr_value_str(keys[i]);
        size_t kl = sr_value_len(keys[i]);
        ok = s_scalar(d, k, kl, lang_yaml_resolve(k, kl) == LANG_YAML_STR) &&
             s_node(d, sr_value_map_getn(v, k, kl), depth + 1);
    }
    free(keys);
    return ok && yaml_mapping_end_event_initialize(&ev) &&
           yaml_emitter_emit(&d->em, &ev);
}

static bool
s_node(s_dump_t *d, const sr_value_t *v, int depth)
{
    char buf[48];
    yaml_event_t ev;
    if (depth > S_DUMP_DEPTH) {
        d->rc = SR_ETOOBIG;
        return false;
    }
    switch (sr_value_type(v)) {
    case SR_T_NIL:
        return s_scalar(d, "null", 4, true);
    case SR_T_BOOL:
        return sr_value_bool(v) ? s_scalar(d, "true", 4, true)
                                : s_scalar(d, "false", 5, true);
    case SR_T_INT:
        snprintf(buf, sizeof buf, "%lld", (long long)sr_value_int(v));
        return s_scalar(d, buf, strlen(buf), true);
    case SR_T_FLOAT: {
        const char *t = s_float_text(sr_value_float(v), buf, sizeof buf);
        return s_scalar(d, t, strlen(t), true);
    }
    case SR_T_STR:
    case SR_T_BIN: {
        size_t len;
        const char *s = sr_value_bin(v, &len);
        return s_scalar(d, s, len, lang_yaml_resolve(s, len) == LANG_YAML_STR);
    }
    case SR_T_ARRAY:
        if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                  YAML_BLOCK_SEQUENCE_STYLE) ||
            !yaml_emitter_emit(&d->em, &ev))
            return false;
        for (size_t i = 0; i < sr_value_len(v); i++)
            if (!s_node(d, sr_value_array_at(v, i), depth + 1))
                return false;
        return yaml_sequence_end_event_initialize(&ev) &&
               yaml_emitter_emit(&d->em, &ev);
    case SR_T_MAP:
        return s_mapping(d, v, depth);
    }
    return false;
}

sr_err_t
lang_yaml_dump(const sr_value_t *v, lang_buf_t *out, sr_error_t *err)
{
    size_t start = out->len;
    s_dump_t d = {.buf = out, .rc = SR_OK};
    yaml_event_t ev;
    if (!yaml_emitter_initialize(&d.em))
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    yaml_emitter_set_output(&d.em, s_write, &d);
    yaml_emitter_set_unicode(&d.em, 0);
    yaml_emitter_set_width(&d.em, 80);
    yaml_emitter_set_indent(&d.em, 2);
    bool ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
              yaml_emitter_emit(&d.em, &ev) &&
              yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
              yaml_emitter_emit(&d.em, &ev) && s_node(&d, v, 0) &&
              yaml_document_end_event_initialize(&ev, 1) &&
              yaml_emitter_emit(&d.em, &ev) &&
              yaml_stream_end_event_initialize(&ev) &&
              yaml_emitter_emit(&d.em, &ev) && yaml_emitter_flush(&d.em);
    sr_err_t rc = SR_OK;
    if (!ok && d.rc != SR_OK)
        rc = sr_error_set(err, d.rc, "%s",
                          d.rc == SR_ETOOBIG ? "result too large or too deep"
                                             : "out of memory");
    else if (!ok)
        rc = sr_error_set(err, SR_EINVAL, "cannot write YAML: %s",
                          d.em.problem ? d.em.problem : "emitter error");
    yaml_emitter_delete(&d.em);
    // PyYAML ends a document whose root is a plain scalar with "...".
    sr_type_t t = sr_value_type(v);
    if (rc == SR_OK && t != SR_T_ARRAY && t != SR_T_MAP && out->len > start &&
        !strchr("'\"|>", out->data[start]) &&
        (rc = lang_buf_put(out, "...\n", 4)) != SR_OK)
        rc = sr_error_set(err, rc, "result too large");
    return rc;
}
