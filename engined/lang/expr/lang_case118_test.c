// Case 118 (tests/data/workflows/118_expr_yaql_semantics.yaml): Mistral's
// own YAQL evaluator tests wrapped into a workflow. Every `output` entry is
// evaluated against the input defaults and must equal the `expect-output`
// header exactly (types included).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang_expr.h"
#include "lang_test_util.h"
#include "lang_yaml.h"
#include "sr_value_json.h"

static char *
s_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    static char buf[1 << 16];
    *len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[*len] = '\0';
    return buf;
}

// The workflow's input defaults as the data map.
static sr_value_t *
s_inputs(const sr_value_t *wf)
{
    const sr_value_t *input = sr_value_map_get(wf, "input");
    sr_value_t *data = sr_value_new_map(0);
    assert_true(sr_value_is(input, SR_T_ARRAY));
    for (size_t i = 0; i < sr_value_len(input); i++) {
        const sr_value_t *item = sr_value_array_at(input, i);
        assert_true(sr_value_is(item, SR_T_MAP));
        assert_int_equal(sr_value_len(item), 1);
        assert_int_equal(
            sr_value_map_putv(data, sr_value_map_key(item, 0),
                              sr_value_ref(sr_value_map_val(item, 0))),
            SR_OK);
    }
    return data;
}

static void
every_output_matches_mistral(void **state)
{
    (void)state;
    const char *root = getenv("SR_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof path,
             "%s/tests/data/workflows/"
             "118_expr_yaql_semantics.yaml",
             root ? root : "../../..");
    size_t len;
    char *text = s_read(path, &len);
    const char *tag = "# expect-output: ";
    char *line = strstr(text, tag);
    assert_non_null(line);
    line += strlen(tag);
    sr_value_t *want = NULL, *doc = NULL;
    sr_error_t err;
    assert_int_equal(
        sr_value_from_json(line, strcspn(line, "\n"), NULL, &want, &err),
        SR_OK);
    assert_int_equal(lang_yaml_parse(text, len, 64, &doc, &err), SR_OK);
    const sr_value_t *wf = sr_value_map_get(doc, "expressions_yaql");
    const sr_value_t *outputs = sr_value_map_get(wf, "output");
    sr_value_t *data = s_inputs(wf);
    assert_int_equal(sr_value_len(outputs), sr_value_len(want));
    lang_eval_ctx_t ctx = {.data = data};
    for (size_t i = 0; i < sr_value_len(outputs); i++) {
        const char *key = sr_value_str(sr_value_map_key(outputs, i));
        const sr_value_t *src = sr_value_map_val(outputs, i);
        assert_true(sr_value_is(src, SR_T_STR));
        lang_tmpl_t *t = NULL;
        size_t off;
        sr_value_t *got = NULL;
        if (lang_tmpl_compile(sr_value_str(src), sr_value_len(src), &t, &off,
                              &err) != SR_OK ||
            lang_tmpl_eval(t, &ctx, &got, &err) != SR_OK)
            fail_msg("%s: '%s': %s", key, sr_value_str(src), err.msg);
        const sr_value_t *expected = sr_value_map_get(want, key);
        assert_non_null(expected);
        char *a = t_json(got), *b = t_json(expected);
        if (strcmp(a, b) != 0)
            fail_msg("%s: '%s' gave %s, expected %s", key, sr_value_str(src), a,
                     b);
        free(a);
        free(b);
        sr_value_destroy(&got);
        lang_tmpl_destroy(&t);
    }
    sr_value_destroy(&data);
    sr_value_destroy(&doc);
    sr_value_destroy(&want);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_output_matches_mistral),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
