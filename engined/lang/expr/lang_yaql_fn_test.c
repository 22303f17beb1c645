// Tests of every YAQL function and method: conversions, collections,
// queries with predicates, strings, Mistral's data functions (json_dump,
// yaml_dump, json_parse, yaml_parse, uuid, now), and the errors of a method
// used on the wrong type.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lang_expr.h"
#include "lang_test_util.h"

static const char *D =
    "{\"c\": 3, \"n\": null, \"s\": \"text\", \"h\": [1, 2, 3, 4, 5],"
    " \"m\": {\"k\": \"v\", \"deep\": {\"x\": 1}},"
    " \"servers\": [{\"name\": \"centos\", \"cpu\": 4},"
    " {\"name\": \"ubuntu\", \"cpu\": 2}, {\"name\": \"fedora\", \"cpu\": 8}]}";

static void
conversions(void **state)
{
    (void)state;
    T_EXPECT("<% len('h\\u00e9llo') %>", D, "5");
    T_EXPECT("<% len($.h) %>", D, "5");
    T_EXPECT("<% len($.m) %>", D, "2");
    T_ERR("<% len(1) %>", D, SR_EEXPR, "object of type 'int' has no len()");
    T_EXPECT("<% str(null) %>", D, "\"null\"");
    T_EXPECT("<% str(true) %>", D, "\"true\"");
    T_EXPECT("<% str(3.0) %>", D, "\"3.0\"");
    T_EXPECT("<% str($.c) %>", D, "\"3\"");
    T_EXPECT("<% str([1, 'a', null]) %>", D, "\"[1, 'a', None]\"");
    T_EXPECT("<% int('12') %>", D, "12");
    T_EXPECT("<% int(' -3 ') %>", D, "-3");
    T_EXPECT("<% int('1_000') %>", D, "1000");
    T_EXPECT("<% int(3.9) %>", D, "3");
    T_EXPECT("<% int(-3.9) %>", D, "-3");
    T_EXPECT("<% int(null) %>", D, "0");
    T_EXPECT("<% int(true) %>", D, "1");
    T_ERR("<% int('abc') %>", D, SR_EEXPR,
          "invalid literal for int() with base 10: 'abc'");
    T_ERR("<% int('3.5') %>", D, SR_EEXPR, "invalid literal");
    T_ERR("<% int([]) %>", D, SR_EEXPR, "not 'list'");
    T_EXPECT("<% float('1e3') %>", D, "1000.0");
    T_EXPECT("<% float(' 2.5 ') %>", D, "2.5");
    T_EXPECT("<% float(2) %>", D, "2.0");
    T_EXPECT("<% float(null) %>", D, "0.0");
    T_ERR("<% float('x') %>", D, SR_EEXPR,
          "could not convert string to float: 'x'");
    T_EXPECT("<% bool(0) %>", D, "false");
    T_EXPECT("<% bool('a') %>", D, "true");
    T_EXPECT("<% bool([]) %>", D, "false");
    T_EXPECT("<% abs(-3) %>", D, "3");
    T_EXPECT("<% abs(-2.5) %>", D, "2.5");
    T_EXPECT("<% round(2.5) %>", D, "2.0");
    T_EXPECT("<% round(3.5) %>", D, "4.0");
    T_EXPECT("<% round(3.14159, 2) %>", D, "3.14");
    T_EXPECT("<% round(7) %>", D, "7");
    T_EXPECT("<% round(1250, -2) %>", D, "1200");
    T_EXPECT("<% min(3, 1) %>", D, "1");
    T_EXPECT("<% max('a', 'b') %>", D, "\"b\"");
    T_EXPECT("<% max($.h) %>", D, "5");
}

static void
dict_and_list_functions(void **state)
{
    (void)state;
    T_EXPECT("<% $.m.keys() %>", D, "[\"k\",\"deep\"]");
    T_EXPECT("<% keys($.m) %>", D, "[\"k\",\"deep\"]");
    T_EXPECT("<% $.m.values() %>", D, "[\"v\",{\"x\":1}]");
    T_EXPECT("<% {a => 1, b => 2}.items() %>", D, "[[\"a\",1],[\"b\",2]]");
    T_ERR("<% $.h.keys() %>", D, SR_EEXPR, "keys() applies to dict, not list");
    T_EXPECT("<% $.m.get(k) %>", D, "\"v\"");
    T_EXPECT("<% $.m.get(zz, 0) %>", D, "0");
    T_EXPECT("<% $.m.get(zz) %>", D, "null");
    T_ERR("<% $.h.get(0) %>", D, SR_EEXPR, "get() applies to dict");
    T_EXPECT("<% list(1, 'a') %>", D, "[1,\"a\"]");
    T_EXPECT("<% list($.h) %>", D, "[1,2,3,4,5]");
    T_EXPECT("<% list() %>", D, "[]");
    T_EXPECT("<% list(range(0, 3)) %>", D, "[0,1,2]");
    T_EXPECT("<% $.m.toList() %>", D, "[\"k\",\"deep\"]");
    T_EXPECT("<% dict(a => 1, b => 'x') %>", D, "{\"a\":1,\"b\":\"x\"}");
    T_EXPECT("<% dict([[a, 1], [b, 2]]) %>", D, "{\"a\":1,\"b\":2}");
    T_EXPECT("<% dict($.m.items()) %>", D, "{\"k\":\"v\",\"deep\":{\"x\":1}}");
    T_EXPECT("<% dict() %>", D, "{}");
    T_ERR("<% dict([1]) %>", D, SR_EEXPR, "is not a [key, value] pair");
    T_EXPECT("<% set(1, 2, 2, 1.0) %>", D, "[1,2]");
    T_EXPECT("<% set($.h + $.h) %>", D, "[1,2,3,4,5]");
    T_EXPECT("<% [3, 1, 3, 'a', 'a'].toSet() %>", D, "[3,1,\"a\"]");
    T_EXPECT("<% range(3) %>", D, "[0,1,2]");
    T_EXPECT("<% range(1, 4) %>", D, "[1,2,3]");
    T_EXPECT("<% range(10, 0, -3) %>", D, "[10,7,4,1]");
    T_EXPECT("<% range(0) %>", D, "[]");
    T_EXPECT("<% range(5, 1) %>", D, "[]");
    T_ERR("<% range(1, 2, 0) %>", D, SR_EEXPR, "must not be zero");
    T_ERR("<% range('a') %>", D, SR_EEXPR, "must be int, not str");
}

static void
queries_with_predicates(void **state)
{
    (void)state;
    T_EXPECT("<% $.servers.where($.cpu > 2).name %>", D,
             "[\"centos\",\"fedora\"]");
    T_EXPECT("<% $.servers.where($.name = ubuntu).first() %>", D,
             "{\"name\":\"ubuntu\",\"cpu\":2}");
    T_EXPECT("<% where($.h, $ > 3) %>", D, "[4,5]");
    T_EXPECT("<% $.h.select($ * 2) %>", D, "[2,4,6,8,10]");
    T_EXPECT("<% $.servers.select($.name) %>", D,
             "[\"centos\",\"ubuntu\",\"fedora\"]");
    T_EXPECT("<% $.servers.select([$.name, $.cpu]).where($[1] < 5) %>", D,
             "[[\"centos\",4],[\"ubuntu\",2]]");
    T_EXPECT("<% $.servers.where($.name.startsWith(c)).len() %>", D, "1");
    T_EXPECT("<% $.h.where($ > 1).select($ * 10).where($ < 40) %>", D,
             "[20,30]");
    T_EXPECT("<% [[1, 2], [3]].select($.select($ + 1)) %>", D, "[[2,3],[4]]");
    T_EXPECT("<% $.h.any($ > 4) %>", D, "true");
    T_EXPECT("<% $.h.any($ > 5) %>", D, "false");
    T_EXPECT("<% $.h.all($ > 0) %>", D, "true");
    T_EXPECT("<% [0, 1].all() %>", D, "false");
    T_EXPECT("<% [].any() %>", D, "false");
    T_EXPECT("<% $.servers.orderBy($.cpu).name %>", D,
             "[\"ubuntu\",\"centos\",\"fedora\"]");
    T_EXPECT("<% $.servers.orderByDescending($.cpu).name %>", D,
             "[\"fedora\",\"centos\",\"ubuntu\"]");
    T_EXPECT("<% [[1, a], [0, b], [1, c]].orderBy($[0]) %>", D,
             "[[0,\"b\"],[1,\"a\"],[1,\"c\"]]");
    T_EXPECT("<% ['b', 'a', 'C'].orderBy($) %>", D, "[\"C\",\"a\",\"b\"]");
    T_ERR("<% [1, 'a'].orderBy($) %>", D, SR_EEXPR, "'<' not supported");
    T_ERR("<% $.c.where($ > 1) %>", D, SR_EEXPR,
          "where(): 'int' object is not iterable");
    T_ERR("<% $.h.where($.zz) %>", D, SR_EEXPR,
          "cannot read key 'zz' of type 'int'");
    T_ERR("<% $.h.where() %>", D, SR_EEXPR, "where() takes 1 argument");
}

static void
collection_methods(void **state)
{
    (void)state;
    T_EXPECT("<% $.h.len() %>", D, "5");
    T_EXPECT("<% $.h.count() %>", D, "5");
    T_EXPECT("<% $.h.first() %>", D, "1");
    T_EXPECT("<% $.h.last() %>", D, "5");
    T_EXPECT("<% [].first(0) %>", D, "0");
    T_EXPECT("<% $.h.first(99) %>", D, "1");
    T_ERR("<% [].first() %>", D, SR_EEXPR, "first(): the collection is empty");
    T_ERR("<% [].last() %>", D, SR_EEXPR, "last(): the collection is empty");
    T_EXPECT("<% $.servers.name.join(', ') %>", D,
             "\"centos, ubuntu, fedora\"");
    T_EXPECT("<% join([1, 'a', null], '-') %>", D, "\"1-a-None\"");
    T_ERR("<% $.h.join(1) %>", D, SR_EEXPR, "join() argument 1 must be str");
    T_EXPECT("<% $.h.sum() %>", D, "15");
    T_EXPECT("<% $.h.sum(10) %>", D, "25");
    T_EXPECT("<% [1.5, 2].sum() %>", D, "3.5");
    T_EXPECT("<% ['a', 'b'].sum() %>", D, "\"ab\"");
    T_EXPECT("<% [].sum() %>", D, "0");
    T_EXPECT("<% $.h.min() %>", D, "1");
    T_EXPECT("<% $.h.max() %>", D, "5");
    T_EXPECT("<% ['b', 'c', 'a'].max() %>", D, "\"c\"");
    T_ERR("<% [].max() %>", D, SR_EEXPR, "max() arg is an empty sequence");
    T_EXPECT("<% [1, 2, 1, 'a', 'a', 1.0, true].distinct() %>", D,
             "[1,2,\"a\"]");
    T_EXPECT("<% [[1], [1], {a => 1}, {a => 1}].distinct() %>", D,
             "[[1],{\"a\":1}]");
    T_EXPECT("<% $.h.contains(3) %>", D, "true");
    T_EXPECT("<% $.h.contains(9) %>", D, "false");
    T_EXPECT("<% $.m.contains(k) %>", D, "true");
    T_EXPECT("<% $.s.contains('ex') %>", D, "true");
    T_EXPECT("<% concat('a', 'b', 'c') %>", D, "\"abc\"");
    T_EXPECT("<% $.h.concat([6], [7]) %>", D, "[1,2,3,4,5,6,7]");
    T_EXPECT("<% $.h.indexOf(3) %>", D, "2");
    T_EXPECT("<% $.h.indexOf(9) %>", D, "-1");
    T_EXPECT("<% 'h\\u00e9llo'.indexOf('l') %>", D, "2");
    T_EXPECT("<% $.h.skip(3) %>", D, "[4,5]");
    T_EXPECT("<% $.h.limit(2) %>", D, "[1,2]");
    T_EXPECT("<% $.h.take(10) %>", D, "[1,2,3,4,5]");
    T_EXPECT("<% $.h.reverse() %>", D, "[5,4,3,2,1]");
    T_EXPECT("<% $.h.append(6, 7) %>", D, "[1,2,3,4,5,6,7]");
    T_EXPECT("<% ''.isEmpty() and '  '.isEmpty() and [].isEmpty() %>", D,
             "true");
    T_EXPECT("<% 'a'.isEmpty() or [1].isEmpty() %>", D, "false");
    T_EXPECT("<% $.n.isEmpty() %>", D, "true");
}

static void
string_methods(void **state)
{
    (void)state;
    T_EXPECT("<% 'Ab'.toUpper() %>", D, "\"AB\"");
    T_EXPECT("<% 'Ab'.toLower() %>", D, "\"ab\"");
    T_ERR("<% $.h.toUpper() %>", D, SR_EEXPR,
          "toUpper() applies to str, not list");
    T_EXPECT("<% 'a,b,,c'.split(',') %>", D, "[\"a\",\"b\",\"\",\"c\"]");
    T_EXPECT("<% ' a  b '.split() %>", D, "[\"a\",\"b\"]");
    T_EXPECT("<% 'a,b,c'.split(',', 1) %>", D, "[\"a\",\"b,c\"]");
    T_EXPECT("<% ''.split(',') %>", D, "[\"\"]");
    T_EXPECT("<% ''.split() %>", D, "[]");
    T_ERR("<% 'a'.split('') %>", D, SR_EEXPR, "empty separator");
    T_EXPECT("<% 'aaa'.replace('a', 'b') %>", D, "\"bbb\"");
    T_EXPECT("<% 'aaa'.replace('a', 'b', 2) %>", D, "\"bba\"");
    T_EXPECT("<% 'abc'.replace('', '-') %>", D, "\"-a-b-c-\"");
    T_EXPECT("<% 'hello'.startsWith('he') %>", D, "true");
    T_EXPECT("<% 'hello'.startsWith('x', 'h') %>", D, "true");
    T_EXPECT("<% 'hello'.endsWith('lo') %>", D, "true");
    T_EXPECT("<% 'hello'.endsWith('hello!') %>", D, "false");
    T_EXPECT("<% '  a  '.trim() %>", D, "\"a\"");
    T_EXPECT("<% 'xxaxx'.trim('x') %>", D, "\"a\"");
    T_EXPECT("<% '  a  '.trimLeft() %>", D, "\"a  \"");
    T_EXPECT("<% '  a  '.trimRight() %>", D, "\"  a\"");
    T_EXPECT("<% '{0} and {1}'.format(a, b) %>", D, "\"a and b\"");
    T_EXPECT("<% '{} {}'.format(1, null) %>", D, "\"1 None\"");
    T_EXPECT("<% format('{0}!', 'hi') %>", D, "\"hi!\"");
    T_EXPECT("<% 'a{{'.format() %>", D, "\"a{\"");
    T_ERR("<% '{0:.2f}'.format(1) %>", D, SR_EEXPR, "only {}, {N} and {name}");
    T_ERR("<% '{1}'.format(1) %>", D, SR_EEXPR, "no value for field '{1}'");
    T_EXPECT("<% 'hello'.substring(1, 3) %>", D, "\"ell\"");
    T_EXPECT("<% 'hello'.substring(-3) %>", D, "\"llo\"");
}

static void
mistral_data_functions(void **state)
{
    (void)state;
    T_EXPECT("<% json_dump({key1 => foo, key2 => bar}) %>", D,
             "\"{\\n    \\\"key1\\\": \\\"foo\\\",\\n    \\\"key2\\\": "
             "\\\"bar\\\"\\n}\"");
    T_TEXT("<% json_dump({a => [1, {}, 2.0], b => '\\u00e9', c => null}) %>", D,
           "{\n    \"a\": [\n        1,\n        {},\n        2.0\n    ],\n"
           "    \"b\": \"\\u00e9\",\n    \"c\": null\n}");
    T_TEXT("<% json_dump([]) %>", D, "[]");
    T_TEXT("<% json_pp({a => 'x\\ny'}) %>", D, "{\n    \"a\": \"x\ny\"\n}");
    T_TEXT("<% json_pp() %>", "{\"a\": 1}", "{\n    \"a\": 1\n}");
    T_EXPECT("<% json_parse('{\"a\": [1, 2.5, null, true]}') %>", D,
             "{\"a\":[1,2.5,null,true]}");
    T_ERR("<% json_parse('{') %>", D, SR_EEXPR, "json_parse():");
    T_TEXT("<% yaml_dump({key1 => foo, key2 => bar}) %>", D,
           "key1: foo\nkey2: bar\n");
    T_TEXT("<% yaml_dump({b => [1, 2], a => 'yes', c => {d => []}}) %>", D,
           "a: 'yes'\nb:\n- 1\n- 2\nc:\n  d: []\n");
    T_TEXT("<% yaml_dump([1, 2.5, null, true, '12', '']) %>", D,
           "- 1\n- 2.5\n- null\n- true\n- '12'\n- ''\n");
    T_TEXT("<% yaml_dump('abc') %>", D, "abc\n...\n");
    T_TEXT("<% yaml_dump('123') %>", D, "'123'\n");
    T_EXPECT("<% yaml_parse('a: 1\\nb: [yes, off, ~, 1.5, 0x10, \"s\"]') %>", D,
             "{\"a\":1,\"b\":[true,false,null,1.5,16,\"s\"]}");
    T_EXPECT("<% yaml_parse('') %>", D, "null");
    T_EXPECT("<% yaml_parse('- 2001-12-14') %>", D, "[\"2001-12-14\"]");
    T_ERR("<% yaml_parse('a: &x 1\\nb: *x') %>", D, SR_EEXPR,
          "aliases are not supported");
    T_ERR("<% yaml_parse('a: [1') %>", D, SR_EEXPR, "yaml_parse(): line");
    T_ERR("<% yaml_parse('a\\n---\\nb') %>", D, SR_EEXPR, "single document");
    T_EXPECT("<% now() %>", D, "\"2023-11-14 22:13:20.123000\"");
    sr_value_t *a = NULL, *b = NULL;
    sr_error_t err;
    assert_int_equal(t_run("<% uuid() %>", D, NULL, &a, &err), SR_OK);
    assert_int_equal(t_run("<% uuid() %>", D, NULL, &b, &err), SR_OK);
    const char *s = sr_value_str(a);
    assert_int_equal(strlen(s), 36);
    assert_int_equal(s[8], '-');
    assert_int_equal(s[14], '4');
    assert_non_null(strchr("89ab", s[19]));
    assert_int_equal(strspn(s, "0123456789abcdef-"), 36);
    assert_string_not_equal(s, sr_value_str(b));
    sr_value_destroy(&a);
    sr_value_destroy(&b);
    lang_eval_ctx_t ctx = {.now_ms = 1700000000000};
    assert_int_equal(t_run("<% now() %>", D, &ctx, &a, &err), SR_OK);
    assert_string_equal(sr_value_str(a), "2023-11-14 22:13:20");
    sr_value_destroy(&a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conversions),
        cmocka_unit_test(dict_and_list_functions),
        cmocka_unit_test(queries_with_predicates),
        cmocka_unit_test(collection_methods),
        cmocka_unit_test(string_methods),
        cmocka_unit_test(mistral_data_functions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
