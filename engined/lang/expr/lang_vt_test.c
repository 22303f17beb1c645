// Tests of value templates: sealing, evaluation, replacement, listing and
// the source form.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lang_vt.h"
#include "sr_value_json.h"

static lang_vt_t *
s_tmpl(const char *text)
{
    lang_tmpl_t *t = NULL;
    size_t off = 0;
    sr_error_t err;
    assert_int_equal(lang_tmpl_compile(text, strlen(text), &t, &off, &err),
                     SR_OK);
    return lang_vt_new_tmpl(&t);
}

static lang_vt_t *
s_const_int(int64_t i)
{
    sr_value_t *v = sr_value_new_int(i);
    lang_vt_t *vt = lang_vt_new_const(v);
    sr_value_destroy(&v);
    return vt;
}

static char *
s_eval_json(const lang_vt_t *vt, const char *data_json)
{
    sr_value_t *data = NULL, *out = NULL;
    sr_error_t err;
    assert_int_equal(
        sr_value_from_json(data_json, strlen(data_json), NULL, &data, &err),
        SR_OK);
    lang_eval_ctx_t ctx = {.data = data};
    assert_int_equal(lang_vt_eval(vt, &ctx, &out, &err), SR_OK);
    char *json = sr_value_to_json(out, SR_JSON_SPACED);
    sr_value_destroy(&out);
    sr_value_destroy(&data);
    return json;
}

static void
test_constant_subtrees_seal_into_one_value(void **state)
{
    (void)state;
    lang_vt_t *map = lang_vt_new_map(), *inner = lang_vt_new_list();
    lang_vt_t *one = s_const_int(1), *two = s_const_int(2),
              *x = s_tmpl("<% $.x %>");
    assert_int_equal(lang_vt_list_append(inner, &one), SR_OK);
    assert_int_equal(lang_vt_list_append(inner, &two), SR_OK);
    assert_int_equal(lang_vt_map_put(map, "list", &inner), SR_OK);
    assert_int_equal(lang_vt_map_put(map, "x", &x), SR_OK);
    assert_int_equal(lang_vt_seal(map), SR_OK);
    assert_null(lang_vt_const(map));
    const lang_vt_t *list = lang_vt_at(map, 0);
    assert_non_null(lang_vt_const(list));
    assert_true(lang_vt_is_list(list));
    assert_int_equal(lang_vt_len(list), 2);
    assert_string_equal(lang_vt_key(map, 1), "x");
    assert_string_equal(lang_vt_text(map), "<% $.x %>");
    char *json = s_eval_json(map, "{\"x\": [true]}");
    assert_string_equal(json, "{\"list\": [1, 2], \"x\": [true]}");
    free(json);
    sr_value_t *src = NULL;
    assert_int_equal(lang_vt_source(map, &src), SR_OK);
    json = sr_value_to_json(src, SR_JSON_SPACED);
    assert_string_equal(json, "{\"list\": [1, 2], \"x\": \"<% $.x %>\"}");
    free(json);
    sr_value_destroy(&src);
    lang_vt_destroy(&map);
    assert_null(map);
}

static void
test_putting_an_existing_key_replaces_in_place(void **state)
{
    (void)state;
    lang_vt_t *map = lang_vt_new_map();
    char key[16];
    for (int i = 0; i < 40; i++) {
        lang_vt_t *v = s_const_int(i);
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(lang_vt_map_put(map, key, &v), SR_OK);
    }
    lang_vt_t *v = s_const_int(99), *w = s_const_int(7);
    assert_int_equal(lang_vt_map_put(map, "k30", &v), SR_OK);
    assert_int_equal(lang_vt_map_put(map, "k3", &w), SR_OK);
    assert_int_equal(lang_vt_seal(map), SR_OK);
    assert_int_equal(lang_vt_len(map), 40);
    const sr_value_t *c = lang_vt_const(map);
    assert_int_equal(sr_value_int(sr_value_map_get(c, "k30")), 99);
    assert_int_equal(sr_value_int(sr_value_map_get(c, "k3")), 7);
    assert_string_equal(lang_vt_key(map, 30), "k30");
    lang_vt_destroy(&map);
}

static void
test_constant_containers_list_their_children(void **state)
{
    (void)state;
    sr_value_t *v = NULL;
    sr_error_t err;
    const char *j = "{\"a\": [1, {\"b\": null}]}";
    assert_int_equal(sr_value_from_json(j, strlen(j), NULL, &v, &err), SR_OK);
    lang_vt_t *vt = lang_vt_new_const(v);
    sr_value_destroy(&v);
    assert_true(lang_vt_is_map(vt));
    assert_string_equal(lang_vt_key(vt, 0), "a");
    const lang_vt_t *a = lang_vt_at(vt, 0);
    assert_int_equal(lang_vt_len(a), 2);
    assert_true(lang_vt_is_map(lang_vt_at(a, 1)));
    assert_null(lang_vt_text(vt));
    assert_null(lang_vt_tmpl(vt));
    char *json = s_eval_json(vt, "{}");
    assert_string_equal(json, "{\"a\": [1, {\"b\": null}]}");
    free(json);
    lang_vt_destroy(&vt);
}

static void
test_from_value_compiles_strings_at_any_depth(void **state)
{
    (void)state;
    sr_value_t *v = NULL;
    sr_error_t err;
    const char *j = "{\"a\": \"<% $.x + 1 %>\", \"b\": [\"plain\", "
                    "{\"c\": \"{{ _.x }}!\"}], \"d\": 4}";
    assert_int_equal(sr_value_from_json(j, strlen(j), NULL, &v, &err), SR_OK);
    lang_vt_t *vt = NULL;
    assert_int_equal(lang_vt_from_value(v, &vt, &err), SR_OK);
    sr_value_destroy(&v);
    assert_null(lang_vt_const(vt));
    assert_non_null(lang_vt_const(lang_vt_at(vt, 2)));
    char *json = s_eval_json(vt, "{\"x\": 1}");
    assert_string_equal(json, "{\"a\": 2, \"b\": [\"plain\", {\"c\": \"1!\"}], "
                              "\"d\": 4}");
    free(json);
    lang_vt_destroy(&vt);
    // Data without expressions is one constant; a bad one is refused.
    j = "[\"<% $.x + %>\"]";
    assert_int_equal(sr_value_from_json(j, strlen(j), NULL, &v, &err), SR_OK);
    vt = NULL;
    assert_int_equal(lang_vt_from_value(v, &vt, &err), SR_EEXPR);
    assert_null(vt);
    assert_true(strlen(err.msg) > 0);
    sr_value_destroy(&v);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_subtrees_seal_into_one_value),
        cmocka_unit_test(test_putting_an_existing_key_replaces_in_place),
        cmocka_unit_test(test_constant_containers_list_their_children),
        cmocka_unit_test(test_from_value_compiles_strings_at_any_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
