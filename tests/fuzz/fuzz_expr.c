// Fuzz target: any bytes compiled as a template (and as a bare YAQL
// expression) must compile or fail cleanly; whatever compiles is evaluated
// against a small fixed data map with tight limits and must evaluate or
// fail cleanly, without crash, leak or undefined behaviour.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lang_expr.h"
#include "sr_value_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char s_data[] =
    "{\"a\": 1, \"f\": 2.5, \"s\": \"text\", \"n\": null, \"b\": true,"
    " \"h\": [1, 2, 3], \"m\": {\"k\": \"v\", \"l\": [{\"x\": 1}]},"
    " \"servers\": [{\"name\": \"a\", \"cpu\": 2}, {\"name\": \"b\"}]}";

static sr_err_t
s_host(void *user, const char *name, sr_value_t *const *args, size_t nargs,
       sr_value_t **out, sr_error_t *err)
{
    (void)user;
    if (strcmp(name, "task") == 0) {
        sr_value_t *m = sr_value_new_map(2);
        if (!m)
            return SR_ENOMEM;
        sr_value_map_put(m, "name",
                         nargs ? sr_value_ref(args[0]) : sr_value_new_str("t"));
        sr_value_map_put(m, "result", sr_value_new_int(7));
        *out = m;
        return SR_OK;
    }
    if (strcmp(name, "fail") == 0)
        return sr_error_set(err, SR_ESTORE, "host failure");
    return SR_ENOTFOUND;
}

static void
s_run(lang_tmpl_t *t, const sr_value_t *data)
{
    lang_eval_ctx_t ctx = {.data = data,
                           .call = s_host,
                           .now_ms = 1700000000000,
                           .max_steps = 20000,
                           .max_bytes = 1 << 16};
    sr_value_t *v = NULL;
    sr_error_t err;
    if (lang_tmpl_eval(t, &ctx, &v, &err) == SR_OK) {
        free(lang_value_to_text(v));
        sr_value_destroy(&v);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sr_value_t *fixed;
    sr_error_t err;
    if (!fixed && sr_value_from_json(s_data, sizeof s_data - 1, NULL, &fixed,
                                     &err) != SR_OK)
        abort();
    lang_tmpl_t *t = NULL;
    size_t off = 0;
    const char *text = (const char *)data;
    if (lang_tmpl_compile(text, size, &t, &off, &err) == SR_OK) {
        s_run(t, fixed);
        lang_tmpl_destroy(&t);
    } else if (off > size) {
        abort(); // an error offset must point inside the text
    }
    if (lang_tmpl_compile_yaql(text, size, &t, &off, &err) == SR_OK) {
        s_run(t, fixed);
        lang_tmpl_destroy(&t);
    } else if (off > size) {
        abort();
    }
    return 0;
}
