// Mistral's data functions: json_dump (json.dumps(indent=4)), json_pp (the
// deprecated variant), json_parse, yaml_dump (yaml.safe_dump), yaml_parse
// (yaml.safe_load), uuid (random, version 4), now (UTC time as Python's
// str(datetime)), and Jinja's tojson filter. Parsing input is bounded by the
// evaluation's size limit and a nesting limit.
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lang_eval.h"
#include "lang_fn.h"
#include "lang_text.h"
#include "lang_yaml.h"
#include "lang_yaml_dump.h"
#include "sr_value_json.h"

#define S_PARSE_DEPTH 64

static sr_err_t
s_json(lang_call_t *c, const sr_value_t *v, const lang_json_opts_t *o,
       lang_buf_t *b)
{
    sr_err_t rc = lang_text_json(b, v, o);
    return rc == SR_OK ? SR_OK : lang_fail_code(c->env, rc);
}

static sr_err_t
s_take(lang_call_t *c, lang_buf_t *b, sr_err_t rc, sr_value_t **out)
{
    if (rc == SR_OK && (rc = lang_buf_take(b, out)) != SR_OK)
        rc = lang_fail_code(c->env, rc);
    lang_buf_fini(b);
    return rc;
}

static sr_err_t
s_json_dump(lang_call_t *c, sr_value_t **out)
{
    lang_buf_t b = {.limit = c->env->max_bytes};
    lang_json_opts_t o = {.indent = 4};
    return s_take(c, &b, s_json(c, c->argv[0], &o, &b), out);
}

// json_pp(data=$): dumps(data or context, indent=4) with the escaped
// newlines turned back into newlines and trailing spaces dropped.
static sr_err_t
s_json_pp(lang_call_t *c, sr_value_t **out)
{
    const sr_value_t *v =
        c->argc > 0 && sr_value_truthy(c->argv[0]) ? c->argv[0] : c->env->data;
    lang_buf_t b = {.limit = c->env->max_bytes}, res = {.limit = 0};
    lang_json_opts_t o = {.indent = 4};
    sr_err_t rc = s_json(c, v, &o, &b);
    for (size_t i = 0; rc == SR_OK && i < b.len; i++) {
        if (b.data[i] == '\\' && i + 1 < b.len && b.data[i + 1] == 'n') {
            rc = lang_buf_putc(&res, '\n');
            i++;
        } else if (b.data[i] == ' ' && i + 1 < b.len && b.data[i + 1] == '\n') {
            continue;
        } else {
            rc = lang_buf_putc(&res, b.data[i]);
        }
    }
    lang_buf_fini(&b);
    if (rc != SR_OK)
        rc = lang_fail_code(c->env, rc);
    return s_take(c, &res, rc, out);
}

// Jinja tojson(indent=none): sorted keys, HTML-safe escapes.
static sr_err_t
s_tojson(lang_call_t *c, sr_value_t **out)
{
    sr_value_t *indent = lang_call_arg(c, 1, "indent");
    lang_json_opts_t o = {.indent = -1, .sort_keys = true, .html_safe = true};
    if (indent && sr_value_type(indent) == SR_T_INT)
        o.indent = (int)(sr_value_int(indent) < 0    ? 0
                         : sr_value_int(indent) > 16 ? 16
                                                     : sr_value_int(indent));
    lang_buf_t b = {.limit = c->env->max_bytes};
    return s_take(c, &b, s_json(c, c->argv[0], &o, &b), out);
}

static sr_err_t
s_json_parse(lang_call_t *c, sr_value_t **out)
{
    const char *s;
    size_t len;
    sr_err_t rc = lang_fn_str(c, 0, &s, &len);
    if (rc != SR_OK)
        return rc;
    sr_limits_t limits = {.max_bytes = c->env->max_bytes,
                          .max_depth = S_PARSE_DEPTH};
    sr_error_t err;
    if (sr_value_from_json(s, len, &limits, out, &err) != SR_OK)
        return lang_fail(c->env, "json_parse(): %s", err.msg);
    return SR_OK;
}

static sr_err_t
s_yaml_dump(lang_call_t *c, sr_value_t **out)
{
    lang_buf_t b = {.limit = c->env->max_bytes};
    sr_error_t err;
    sr_err_t rc = lang_yaml_dump(c->argv[0], &b, &err);
    if (rc == SR_ETOOBIG || rc == SR_ENOMEM)
        rc = lang_fail_code(c->env, rc);
    else if (rc != SR_OK)
        rc = lang_fail(c->env, "yaml_dump(): %s", err.msg);
    return s_take(c, &b, rc, out);
}

static sr_err_t
s_yaml_parse(lang_call_t *c, sr_value_t **out)
{
    const char *s;
    size_t len;
    sr_err_t rc = lang_fn_str(c, 0, &s, &len);
    if (rc != SR_OK)
        return rc;
    sr_error_t err;
    if ((rc = lang_yaml_parse(s, len, S_PARSE_DEPTH, out, &err)) != SR_OK)
        return rc == SR_ENOMEM ? lang_oom(c->env)
                               : lang_fail(c->env, "yaml_parse(): %s", err.msg);
    return SR_OK;
}

// A random (version 4) UUID in its text form.
static sr_err_t
s_uuid(lang_call_t *c, sr_value_t **out)
{
    unsigned char b[16];
    char text[37];
    if (sodium_init() < 0)
        return lang_fail(c->env, "uuid(): no source of randomness");
    randombytes_buf(b, sizeof b);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    snprintf(text, sizeof text,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x"
             "%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10],
             b[11], b[12], b[13], b[14], b[15]);
    return lang_fn_ret(c, sr_value_new_str(text), out);
}

// now(): UTC as Python's str(datetime.utcnow()), "2024-05-01 12:00:00.5"
// written with six fraction digits when the time has any.
static sr_err_t
s_now(lang_call_t *c, sr_value_t **out)
{
    int64_t ms = c->env->ctx->now_ms;
    if (ms == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    }
    time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int frac = (int)(ms - (int64_t)secs * 1000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm))
        return lang_fail(c->env, "now(): time out of range");
    char text[64];
    size_t n = strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
    if (frac)
        snprintf(text + n, sizeof text - n, ".%06d", frac * 1000);
    return lang_fn_ret(c, sr_value_new_str(text), out);
}

static const lang_builtin_t s_funcs[] = {
    {"json_dump", s_json_dump, 1, 1, 0},
    {"json_pp", s_json_pp, 0, 1, 0},
    {"json_parse", s_json_parse, 1, 1, 0},
    {"yaml_dump", s_yaml_dump, 1, 1, 0},
    {"yaml_parse", s_yaml_parse, 1, 1, 0},
    {"uuid", s_uuid, 0, 0, 0},
    {"now", s_now, 0, 0, 0},
};

static const lang_builtin_t s_filters[] = {
    {"tojson", s_tojson, 1, 2, LANG_FN_KEYWORDS},
};

const lang_fn_table_t lang_fn_data_tables[] = {
    {LANG_NS_YAQL_FUNC, s_funcs, sizeof s_funcs / sizeof s_funcs[0]},
    {LANG_NS_JINJA_FUNC, s_funcs, sizeof s_funcs / sizeof s_funcs[0]},
    {LANG_NS_JINJA_FILTER, s_filters, sizeof s_filters / sizeof s_filters[0]},
};
const size_t lang_fn_data_ntables =
    sizeof lang_fn_data_tables / sizeof lang_fn_data_tables[0];
