// Tests of the text forms: Python's str() and repr() of every value type
// (float repr included), json.dumps with its options, the size-limited
// buffer, and the YAML 1.1 resolver, dumper and parser.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang_expr.h"
#include "lang_text.h"
#include "lang_yaml.h"
#include "lang_yaml_dump.h"
#include "sr_value_json.h"

static sr_value_t *
s_json(const char *text)
{
    sr_value_t *v = NULL;
    sr_error_t err;
    if (sr_value_from_json(text, strlen(text), NULL, &v, &err) != SR_OK)
        fail_msg("bad JSON %s: %s", text, err.msg);
    return v;
}

static void
s_check_str(sr_value_t *v, const char *want)
{
    char *got = lang_value_to_text(v);
    assert_non_null(got);
    if (strcmp(got, want) != 0)
        fail_msg("str() gave '%s', expected '%s'", got, want);
    free(got);
    sr_value_destroy(&v);
}

static void
floats_print_like_python(void **state)
{
    (void)state;
    struct {
        double d;
        const char *want;
    } cases[] = {
        {3.0, "3.0"},
        {10.1, "10.1"},
        {0.1, "0.1"},
        {-2.5, "-2.5"},
        {1e16, "1e+16"},
        {1e15, "1000000000000000.0"},
        {123456789.123, "123456789.123"},
        {0.0001, "0.0001"},
        {0.00001, "1e-05"},
        {1.5e-7, "1.5e-07"},
        {2.5e-5, "2.5e-05"},
        {1e100, "1e+100"},
        {1.0 / 3, "0.3333333333333333"},
        {0.1 + 0.2, "0.30000000000000004"},
        {-0.0, "-0.0"},
        {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {INFINITY, "inf"},
        {-INFINITY, "-inf"},
        {NAN, "nan"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        s_check_str(sr_value_new_float(cases[i].d), cases[i].want);
}

static void
str_of_every_type(void **state)
{
    (void)state;
    s_check_str(sr_value_new_nil(), "None");
    s_check_str(sr_value_new_bool(true), "True");
    s_check_str(sr_value_new_bool(false), "False");
    s_check_str(sr_value_new_int(-5), "-5");
    s_check_str(sr_value_new_int(INT64_MIN), "-9223372036854775808");
    s_check_str(sr_value_new_str("abc 'x'"), "abc 'x'");
    s_check_str(sr_value_new_bin("\0a'", 3), "b\"\\x00a'\"");
    s_check_str(s_json("[1, \"a\", null, true, 1.5, [], {}]"),
                "[1, 'a', None, True, 1.5, [], {}]");
    s_check_str(s_json("{\"k\": \"v\", \"n\": 1, \"l\": [{\"x\": false}]}"),
                "{'k': 'v', 'n': 1, 'l': [{'x': False}]}");
    s_check_str(s_json("[\"it's\"]"), "[\"it's\"]");
    s_check_str(s_json("[\"say \\\"hi\\\"\"]"), "['say \"hi\"']");
    s_check_str(s_json("[\"both ' and \\\"\"]"), "['both \\' and \"']");
    s_check_str(s_json("[\"a\\nb\\tc\\r\", \"back\\\\slash\"]"),
                "['a\\nb\\tc\\r', 'back\\\\slash']");
    s_check_str(s_json("[\"\\u0001\\u007f\\u0085\\u00a0\\u00e9\\u4e2d\"]"),
                "['\\x01\\x7f\\x85\\xa0\xc3\xa9\xe4\xb8\xad']");
    s_check_str(s_json("{\"it's\": 1}"), "{\"it's\": 1}");
}

static void
deep_values_print_without_crashing(void **state)
{
    (void)state;
    sr_value_t *v = sr_value_new_int(1);
    for (int i = 0; i < 1000; i++) {
        sr_value_t *outer = sr_value_new_array(1);
        assert_int_equal(sr_value_array_append(outer, v), SR_OK);
        v = outer;
    }
    char *text = lang_value_to_text(v);
    assert_non_null(text);
    assert_non_null(strstr(text, "[...]"));
    free(text);
    lang_buf_t b = {0};
    lang_json_opts_t o = {.indent = -1};
    assert_int_equal(lang_text_json(&b, v, &o), SR_ETOOBIG);
    lang_buf_fini(&b);
    sr_value_destroy(&v);
}

static void
s_check_json(const char *in, lang_json_opts_t o, const char *want)
{
    sr_value_t *v = s_json(in);
    lang_buf_t b = {0};
    assert_int_equal(lang_text_json(&b, v, &o), SR_OK);
    if (strcmp(b.data, want) != 0)
        fail_msg("json of %s gave\n%s\nexpected\n%s", in, b.data, want);
    lang_buf_fini(&b);
    sr_value_destroy(&v);
}

static void
json_dumps_like_python(void **state)
{
    (void)state;
    const char *in = "{\"b\": [1, {\"c\": null}, 2.0, []], \"a\": "
                     "\"\\u00e9\\ud83d\\ude00\\u0001\\u007f\", \"d\": {}}";
    s_check_json(in, (lang_json_opts_t){.indent = -1},
                 "{\"b\": [1, {\"c\": null}, 2.0, []], \"a\": "
                 "\"\\u00e9\\ud83d\\ude00\\u0001\\u007f\", \"d\": {}}");
    s_check_json(in, (lang_json_opts_t){.indent = 4},
                 "{\n    \"b\": [\n        1,\n        {\n            \"c\": "
                 "null\n        },\n        2.0,\n        []\n    ],\n    "
                 "\"a\": \"\\u00e9\\ud83d\\ude00\\u0001\\u007f\",\n    "
                 "\"d\": {}\n}");
    s_check_json(in, (lang_json_opts_t){.indent = -1, .sort_keys = true},
                 "{\"a\": \"\\u00e9\\ud83d\\ude00\\u0001\\u007f\", \"b\": "
                 "[1, {\"c\": null}, 2.0, []], \"d\": {}}");
    s_check_json("[\"<a href='x'>&</a>\"]",
                 (lang_json_opts_t){.indent = -1, .html_safe = true},
                 "[\"\\u003ca href=\\u0027x\\u0027\\u003e\\u0026\\u003c/"
                 "a\\u003e\"]");
    s_check_json("\"tab\\there \\\\ \\\"q\\\"\"",
                 (lang_json_opts_t){.indent = -1},
                 "\"tab\\there \\\\ \\\"q\\\"\"");
    lang_buf_t b = {0};
    sr_value_t *v = sr_value_new_float(NAN);
    lang_json_opts_t o = {.indent = -1};
    assert_int_equal(lang_text_json(&b, v, &o), SR_OK);
    assert_string_equal(b.data, "NaN");
    lang_buf_fini(&b);
    sr_value_destroy(&v);
}

static void
buffer_refuses_past_its_limit(void **state)
{
    (void)state;
    lang_buf_t b = {.limit = 8};
    assert_int_equal(lang_buf_puts(&b, "12345"), SR_OK);
    assert_int_equal(lang_buf_puts(&b, "6789"), SR_ETOOBIG);
    assert_int_equal(b.len, 5);
    assert_int_equal(lang_buf_puts(&b, "678"), SR_OK);
    assert_int_equal(lang_buf_putc(&b, 'x'), SR_ETOOBIG);
    sr_value_t *v;
    assert_int_equal(lang_buf_take(&b, &v), SR_OK);
    assert_string_equal(sr_value_str(v), "12345678");
    sr_value_destroy(&v);
    lang_buf_fini(&b);
    assert_int_equal(lang_utf8_count("h\xc3\xa9llo", 6), 5);
    assert_int_equal(lang_utf8_offset("h\xc3\xa9llo", 6, 2), 3);
    assert_int_equal(lang_utf8_count("\xff\xfe", 2), 2);
}

static void
yaml_resolver_follows_yaml_1_1(void **state)
{
    (void)state;
    struct {
        const char *s;
        lang_yaml_type_t t;
    } cases[] = {
        {"", LANG_YAML_NULL},
        {"~", LANG_YAML_NULL},
        {"null", LANG_YAML_NULL},
        {"Null", LANG_YAML_NULL},
        {"NULL", LANG_YAML_NULL},
        {"nUll", LANG_YAML_STR},
        {"yes", LANG_YAML_BOOL},
        {"No", LANG_YAML_BOOL},
        {"on", LANG_YAML_BOOL},
        {"OFF", LANG_YAML_BOOL},
        {"True", LANG_YAML_BOOL},
        {"tRue", LANG_YAML_STR},
        {"0", LANG_YAML_INT},
        {"-12", LANG_YAML_INT},
        {"+1_000", LANG_YAML_INT},
        {"0x1F", LANG_YAML_INT},
        {"0b101", LANG_YAML_INT},
        {"017", LANG_YAML_INT},
        {"019", LANG_YAML_STR},
        {"1:30", LANG_YAML_INT},
        {"1:70", LANG_YAML_STR},
        {"1.5", LANG_YAML_FLOAT},
        {"1.", LANG_YAML_FLOAT},
        {".5", LANG_YAML_FLOAT},
        {"-.5", LANG_YAML_STR},
        {"1e3", LANG_YAML_STR},
        {"1.0e+3", LANG_YAML_FLOAT},
        {"1.0e3", LANG_YAML_STR},
        {"1:30.5", LANG_YAML_FLOAT},
        {".inf", LANG_YAML_FLOAT},
        {"-.Inf", LANG_YAML_FLOAT},
        {".NaN", LANG_YAML_FLOAT},
        {"2001-12-14", LANG_YAML_TIMESTAMP},
        {"2001-12-14t21:59:43.10-05:00", LANG_YAML_TIMESTAMP},
        {"2001-12-14 21:59:43.10 -5", LANG_YAML_TIMESTAMP},
        {"2001-1-4", LANG_YAML_STR},
        {"<<", LANG_YAML_MERGE},
        {"=", LANG_YAML_VALUE},
        {"abc", LANG_YAML_STR},
        {"12abc", LANG_YAML_STR},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (lang_yaml_resolve(cases[i].s, strlen(cases[i].s)) != cases[i].t)
            fail_msg("'%s' resolved to %d, expected %d", cases[i].s,
                     lang_yaml_resolve(cases[i].s, strlen(cases[i].s)),
                     cases[i].t);
}

static void
s_check_scalar(const char *s, const char *want_json)
{
    sr_value_t *v = NULL;
    assert_int_equal(lang_yaml_scalar(s, strlen(s), &v), SR_OK);
    char *got = sr_value_to_json(v, 0);
    if (strcmp(got, want_json) != 0)
        fail_msg("'%s' gave %s, expected %s", s, got, want_json);
    free(got);
    sr_value_destroy(&v);
}

static void
yaml_scalars_convert(void **state)
{
    (void)state;
    s_check_scalar("0x1F", "31");
    s_check_scalar("-0x10", "-16");
    s_check_scalar("017", "15");
    s_check_scalar("0b101", "5");
    s_check_scalar("1_000", "1000");
    s_check_scalar("1:30", "90");
    s_check_scalar("-1:30", "-90");
    s_check_scalar("1.5", "1.5");
    s_check_scalar("1:30.5", "90.5");
    s_check_scalar("yes", "true");
    s_check_scalar("Off", "false");
    s_check_scalar("on", "true");
    s_check_scalar("~", "null");
    s_check_scalar("2001-12-14", "\"2001-12-14\"");
    sr_value_t *v = NULL;
    assert_int_equal(lang_yaml_scalar(".inf", 4, &v), SR_OK);
    assert_true(isinf(sr_value_float(v)));
    sr_value_destroy(&v);
    assert_int_equal(lang_yaml_scalar("99999999999999999999", 20, &v),
                     SR_EINVAL);
}

static void
s_check_parse(const char *text, const char *want_json)
{
    sr_value_t *v = NULL;
    sr_error_t err;
    if (lang_yaml_parse(text, strlen(text), 64, &v, &err) != SR_OK)
        fail_msg("parse '%s': %s", text, err.msg);
    char *got = sr_value_to_json(v, 0);
    if (strcmp(got, want_json) != 0)
        fail_msg("parse '%s' gave %s, expected %s", text, got, want_json);
    free(got);
    sr_value_destroy(&v);
}

static void
s_check_parse_err(const char *text, const char *want)
{
    sr_value_t *v = NULL;
    sr_error_t err;
    assert_int_equal(lang_yaml_parse(text, strlen(text), 64, &v, &err),
                     SR_EINVAL);
    if (!strstr(err.msg, want))
        fail_msg("parse '%s': '%s' lacks '%s'", text, err.msg, want);
}

static void
yaml_parses_like_safe_load(void **state)
{
    (void)state;
    s_check_parse("a: 1\nb:\n  - x\n  - {c: d}\n",
                  "{\"a\":1,\"b\":[\"x\",{\"c\":\"d\"}]}");
    s_check_parse("- '123'\n- \"yes\"\n- !!str 12\n- !!int '7'\n",
                  "[\"123\",\"yes\",\"12\",7]");
    s_check_parse("a: 1\na: 2\n", "{\"a\":2}");
    s_check_parse("", "null");
    s_check_parse("# only a comment\n", "null");
    s_check_parse("--- x\n...\n", "\"x\"");
    s_check_parse("1: one\ntrue: t\n", "{\"1\":\"one\",\"true\":\"t\"}");
    s_check_parse_err("a: [1", "line 2 column 1: did not find expected");
    s_check_parse_err("a: &x 1\nb: *x\n", "aliases are not supported");
    s_check_parse_err("!foo x", "unsupported tag");
    s_check_parse_err("!!int abc", "unsupported tag");
    s_check_parse_err("? [1]\n: x\n", "only scalar keys");
    s_check_parse_err("<<: {a: 1}\n", "merge keys");
    s_check_parse_err("a\n---\nb\n", "single document");
    char deep[256];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    deep[200] = '\0';
    s_check_parse_err(deep, "nested too deeply");
}

static void
s_check_dump(const char *in, const char *want)
{
    sr_value_t *v = s_json(in);
    lang_buf_t b = {0};
    sr_error_t err;
    assert_int_equal(lang_yaml_dump(v, &b, &err), SR_OK);
    if (strcmp(b.data, want) != 0)
        fail_msg("yaml of %s gave\n%s\nexpected\n%s", in, b.data, want);
    lang_buf_fini(&b);
    sr_value_destroy(&v);
}

static void
yaml_dumps_like_safe_dump(void **state)
{
    (void)state;
    s_check_dump("{\"key2\": \"bar\", \"key1\": \"foo\"}",
                 "key1: foo\nkey2: bar\n");
    s_check_dump("{\"b\": [1, {\"c\": null}], \"a\": {}}",
                 "a: {}\nb:\n- 1\n- c: null\n");
    s_check_dump("[1e16, 2.5, -1.0, true, \"true\", \"\", \"x: y\"]",
                 "- 1.0e+16\n- 2.5\n- -1.0\n- true\n- 'true'\n- ''\n- 'x: "
                 "y'\n");
    s_check_dump("[\"\\u00e9\"]", "- \"\\xE9\"\n");
    s_check_dump("{\"1\": 1}", "'1': 1\n");
    s_check_dump("7", "7\n...\n");
    s_check_dump("\"yes\"", "'yes'\n");
    s_check_dump("[]", "[]\n");
    lang_buf_t b = {.limit = 10};
    sr_error_t err;
    sr_value_t *v = s_json("{\"a_long_key\": \"a long value\"}");
    assert_int_equal(lang_yaml_dump(v, &b, &err), SR_ETOOBIG);
    lang_buf_fini(&b);
    sr_value_destroy(&v);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(floats_print_like_python),
        cmocka_unit_test(str_of_every_type),
        cmocka_unit_test(deep_values_print_without_crashing),
        cmocka_unit_test(json_dumps_like_python),
        cmocka_unit_test(buffer_refuses_past_its_limit),
        cmocka_unit_test(yaml_resolver_follows_yaml_1_1),
        cmocka_unit_test(yaml_scalars_convert),
        cmocka_unit_test(yaml_parses_like_safe_load),
        cmocka_unit_test(yaml_dumps_like_safe_dump),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
