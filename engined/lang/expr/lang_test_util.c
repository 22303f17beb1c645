// Test helpers for the expression tests (see lang_test_util.h). The fake
// host knows task(name), env() and fail(); anything else is unknown.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang_test_util.h"
#include "sr_value_json.h"

static sr_err_t
s_host(void *user, const char *name, sr_value_t *const *args, size_t nargs,
       sr_value_t **out, sr_error_t *err)
{
    (void)user;
    if (strcmp(name, "task") == 0) {
        sr_value_t *m = sr_value_new_map(4);
        sr_value_map_put(m, "name",
                         nargs ? sr_value_ref(args[0])
                               : sr_value_new_str("current"));
        sr_value_map_put(m, "state", sr_value_new_str("SUCCESS"));
        sr_value_t *r = sr_value_new_map(1);
        sr_value_map_put(r, "sub_wf_out", sr_value_new_str("abc"));
        sr_value_map_put(m, "result", r);
        *out = m;
        return SR_OK;
    }
    if (strcmp(name, "env") == 0) {
        sr_value_t *m = sr_value_new_map(1);
        sr_value_map_put(m, "region", sr_value_new_str("eu"));
        *out = m;
        return SR_OK;
    }
    if (strcmp(name, "fail") == 0)
        return sr_error_set(err, SR_ESTORE, "store is down");
    return SR_ENOTFOUND;
}

char *
t_json(const sr_value_t *v)
{
    return sr_value_to_json(v, SR_JSON_SORT_KEYS);
}

sr_err_t
t_run(const char *text, const char *data_json, const lang_eval_ctx_t *base,
      sr_value_t **out, sr_error_t *err)
{
    sr_value_t *data = NULL;
    if (data_json && sr_value_from_json(data_json, strlen(data_json), NULL,
                                        &data, err) != SR_OK)
        fail_msg("bad test data %s: %s", data_json, err->msg);
    lang_tmpl_t *t = NULL;
    size_t off = 0;
    sr_err_t rc = lang_tmpl_compile(text, strlen(text), &t, &off, err);
    if (rc != SR_OK)
        fail_msg("compile '%s': %s at %zu", text, err->msg, off);
    lang_eval_ctx_t ctx = {.call = s_host, .now_ms = 1700000000123};
    if (base)
        ctx = *base;
    ctx.data = data;
    rc = lang_tmpl_eval(t, &ctx, out, err);
    lang_tmpl_destroy(&t);
    sr_value_destroy(&data);
    return rc;
}

void
t_expect_at(const char *file, int line, const char *text, const char *data_json,
            const char *want_json)
{
    sr_value_t *v = NULL, *want = NULL;
    sr_error_t err;
    if (t_run(text, data_json, NULL, &v, &err) != SR_OK)
        fail_msg("%s:%d: '%s' failed: %s", file, line, text, err.msg);
    if (sr_value_from_json(want_json, strlen(want_json), NULL, &want, &err) !=
        SR_OK)
        fail_msg("%s:%d: bad expected JSON %s", file, line, want_json);
    char *a = t_json(v), *b = t_json(want);
    if (strcmp(a, b) != 0)
        fail_msg("%s:%d: '%s' gave %s, expected %s", file, line, text, a, b);
    free(a);
    free(b);
    sr_value_destroy(&v);
    sr_value_destroy(&want);
}

void
t_expect_text_at(const char *file, int line, const char *text,
                 const char *data_json, const char *want)
{
    sr_value_t *v = NULL;
    sr_error_t err;
    if (t_run(text, data_json, NULL, &v, &err) != SR_OK)
        fail_msg("%s:%d: '%s' failed: %s", file, line, text, err.msg);
    if (!sr_value_is(v, SR_T_STR) || strcmp(sr_value_str(v), want) != 0) {
        char *a = t_json(v);
        fail_msg("%s:%d: '%s' gave %s, expected the text '%s'", file, line,
                 text, a, want);
    }
    sr_value_destroy(&v);
}

void
t_expect_err_at(const char *file, int line, const char *text,
                const char *data_json, sr_err_t code, const char *want)
{
    sr_value_t *v = NULL;
    sr_error_t err;
    sr_err_t rc = t_run(text, data_json, NULL, &v, &err);
    if (rc == SR_OK) {
        char *a = t_json(v);
        fail_msg("%s:%d: '%s' gave %s, expected an error", file, line, text, a);
    }
    if (rc != code)
        fail_msg("%s:%d: '%s' gave %s (%s), expected %s", file, line, text,
                 sr_strerror(rc), err.msg, sr_strerror(code));
    if (!strstr(err.msg, want))
        fail_msg("%s:%d: '%s': message '%s' lacks '%s'", file, line, text,
                 err.msg, want);
}
