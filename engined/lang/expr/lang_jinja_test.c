// Tests of Jinja: expressions and operators, every filter, test and method,
// the statements (if, for, set) with Mistral's whitespace settings, and
// Jinja's errors (undefined values, unknown filters and tests).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lang_expr.h"
#include "lang_test_util.h"

static const char *D =
    "{\"c\": 3, \"n\": null, \"s\": \"text\", \"h\": [1, 2, 3, 4, 5],"
    " \"m\": {\"k\": \"v\", \"deep\": {\"x\": 1}},"
    " \"servers\": [{\"name\": \"centos\", \"cpu\": 4},"
    " {\"name\": \"ubuntu\", \"cpu\": 2}, {\"name\": \"fedora\", \"cpu\": 8}]}";

static void
data_and_literals(void **state)
{
    (void)state;
    T_EXPECT("{{ _ }}", "[1]", "[1]");
    T_EXPECT("{{ _.m.deep.x }}", D, "1");
    T_EXPECT("{{ _.h[0] }}", D, "1");
    T_EXPECT("{{ _.h.0 }}", D, "1");
    T_EXPECT("{{ _['m']['k'] }}", D, "\"v\"");
    T_EXPECT("{{ _.h[-1] }}", D, "5");
    T_EXPECT("{{ _.h[1:3] }}", D, "[2,3]");
    T_EXPECT("{{ _.h[::-1] }}", D, "[5,4,3,2,1]");
    T_EXPECT("{{ _.h[-2:] }}", D, "[4,5]");
    T_EXPECT("{{ _.h[:10:2] }}", D, "[1,3,5]");
    T_EXPECT("{{ _.s[1:] }}", D, "\"ext\"");
    T_EXPECT("{{ 'h\\u00e9llo'[1:3] }}", D, "\"\\u00e9l\"");
    T_EXPECT("{{ 42 }}", D, "42");
    T_EXPECT("{{ 1e3 }}", D, "1000.0");
    T_EXPECT("{{ 1_000 }}", D, "1000");
    T_EXPECT("{{ 'a' \"b\" }}", D, "\"ab\"");
    T_EXPECT("{{ [True, False, None, true, false, none] }}", D,
             "[true,false,null,true,false,null]");
    T_EXPECT("{{ (1, 'a') }}", D, "[1,\"a\"]");
    T_EXPECT("{{ {'k': [1, {'x': none}], 'n': 1.5} }}", D,
             "{\"k\":[1,{\"x\":null}],\"n\":1.5}");
    T_EXPECT("{{ {'a':{'b':1}} }}", D, "{\"a\":{\"b\":1}}");
    T_EXPECT("{{ __env.region }}", "{\"__env\": {\"region\": \"eu\"}}",
             "\"eu\"");
}

static void
operators(void **state)
{
    (void)state;
    T_EXPECT("{{ 7 / 2 }}", D, "3.5");
    T_EXPECT("{{ 6 / 2 }}", D, "3.0");
    T_EXPECT("{{ 7 // 2 }}", D, "3");
    T_EXPECT("{{ -7 // 2 }}", D, "-4");
    T_EXPECT("{{ 7.5 // 2 }}", D, "3.0");
    T_EXPECT("{{ 7 % 3 }}", D, "1");
    T_EXPECT("{{ 2 ** 10 }}", D, "1024");
    T_EXPECT("{{ 2 ** -1 }}", D, "0.5");
    T_EXPECT("{{ 2 + 3 * 4 - 1 }}", D, "13");
    T_EXPECT("{{ -_.c }}", D, "-3");
    T_EXPECT("{{ 'a' ~ 1 ~ none ~ [1] }}", D, "\"a1None[1]\"");
    T_EXPECT("{{ 'a' + 'b' }}", D, "\"ab\"");
    T_EXPECT("{{ [1] + [2] }}", D, "[1,2]");
    T_EXPECT("{{ 1 == 1.0 and 1 != 2 and 1 < 2 and 2 <= 2 and 3 > 2 }}", D,
             "true");
    T_EXPECT("{{ 1 < 2 < 3 }}", D, "true");
    T_EXPECT("{{ 1 < 3 < 2 }}", D, "false");
    T_EXPECT("{{ 3 in _.h and 9 not in _.h and 'k' in _.m }}", D, "true");
    T_EXPECT("{{ not _.n and (_.c or 0) }}", D, "3");
    T_EXPECT("{{ 'yes' if _.c > 1 else 'no' }}", D, "\"yes\"");
    T_EXPECT("{{ 'yes' if _.c > 5 else 'no' if _.c > 2 else 'never' }}", D,
             "\"no\"");
    T_ERR("{{ 1 if false }}", D, SR_EEXPR, "no else section");
    T_ERR("{{ none < 1 }}", D, SR_EEXPR,
          "'<' not supported between instances of 'NoneType' and 'int'");
    T_ERR("{{ {'a': 1} + {'b': 2} }}", D, SR_EEXPR,
          "unsupported operand type(s) for +: 'dict' and 'dict'");
    T_ERR("{{ '%s' % 1 }}", D, SR_EEXPR, "string formatting with %");
    T_ERR("{{ 1 / 0 }}", D, SR_EEXPR, "division");
}

static void
conversion_and_string_filters(void **state)
{
    (void)state;
    T_EXPECT("{{ _.h | length }}", D, "5");
    T_EXPECT("{{ 'h\\u00e9llo' | length }}", D, "5");
    T_EXPECT("{{ _.m | count }}", D, "2");
    T_EXPECT("{{ '3.5' | int }}", D, "3");
    T_EXPECT("{{ 'abc' | int }}", D, "0");
    T_EXPECT("{{ 'abc' | int(7) }}", D, "7");
    T_EXPECT("{{ '0x1F' | int(0, 16) }}", D, "31");
    T_EXPECT("{{ '2.5' | float }}", D, "2.5");
    T_EXPECT("{{ 'x' | float }}", D, "0.0");
    T_EXPECT("{{ 3 | string }}", D, "\"3\"");
    T_EXPECT("{{ none | string }}", D, "\"None\"");
    T_EXPECT("{{ 'Ab' | lower }}{{ 'Ab' | upper }}", D, "\"abAB\"");
    T_EXPECT("{{ 'hello world' | title }}", D, "\"Hello World\"");
    T_EXPECT("{{ 'hELLO' | capitalize }}", D, "\"Hello\"");
    T_EXPECT("{{ 5 | upper }}", D, "\"5\"");
    T_EXPECT("{{ 'aXa' | replace('a', 'b') }}", D, "\"bXb\"");
    T_EXPECT("{{ 'aaa' | replace('a', 'b', 1) }}", D, "\"baa\"");
    T_EXPECT("{{ '  x ' | trim }}", D, "\"x\"");
    T_EXPECT("{{ 'xxhixx' | trim('x') }}", D, "\"hi\"");
    T_EXPECT("{{ [1, 2] | join(', ') }}", D, "\"1, 2\"");
    T_EXPECT("{{ ['a', 'b'] | join }}", D, "\"ab\"");
    T_EXPECT("{{ _.servers | join(', ', attribute='name') }}", D,
             "\"centos, ubuntu, fedora\"");
    T_EXPECT("{{ -3 | abs }}", D, "3");
    T_EXPECT("{{ 2.5 | round }}", D, "2.0");
    T_EXPECT("{{ 2.567 | round(2) }}", D, "2.57");
    T_EXPECT("{{ 2.1 | round(method='ceil') }}", D, "3.0");
    T_EXPECT("{{ 2.9 | round(0, 'floor') }}", D, "2.0");
    T_EXPECT("{{ 3 | round }}", D, "3");
    T_EXPECT("{{ 0 | bool }}", D, "false");
    T_EXPECT("{{ {'b': 1, 'a': '<&>\\''} | tojson }}", D,
             "\"{\\\"a\\\": \\\"\\\\u003c\\\\u0026\\\\u003e\\\\u0027\\\", "
             "\\\"b\\\": 1}\"");
    T_TEXT("{{ [1, 2] | tojson(indent=2) }}", D, "[\n  1,\n  2\n]");
}

static void
default_filter(void **state)
{
    (void)state;
    T_EXPECT("{{ _.missing | default('x') }}", D, "\"x\"");
    T_EXPECT("{{ _.m.zz | d('x') }}", D, "\"x\"");
    T_EXPECT("{{ _.missing | default }}", D, "\"\"");
    T_EXPECT("{{ '' | default('x') }}", D, "\"\"");
    T_EXPECT("{{ '' | default('x', true) }}", D, "\"x\"");
    T_EXPECT("{{ none | default('x') }}", D, "null");
    T_EXPECT("{{ _.c | default('x') }}", D, "3");
    T_EXPECT("{{ nothing | default(1) + 1 }}", D, "2");
    T_ERR("{{ _.c.zz.y | default(1) }}", D, SR_EEXPR,
          "'int object' has no attribute 'zz'");
}

static void
collection_filters(void **state)
{
    (void)state;
    T_EXPECT("{{ [3, 1, 2] | first }}", D, "3");
    T_EXPECT("{{ [3, 1, 2] | last }}", D, "2");
    T_ERR("{{ [] | first }}", D, SR_EEXPR, "No first item");
    T_EXPECT("{{ 'ab' | list }}", D, "[\"a\",\"b\"]");
    T_EXPECT("{{ {'a': 1} | list }}", D, "[\"a\"]");
    T_EXPECT("{{ {'a': 1} | items | list }}", D, "[[\"a\",1]]");
    T_EXPECT("{{ ['a', 'b'] | map('upper') | list }}", D, "[\"A\",\"B\"]");
    T_EXPECT("{{ _.servers | map(attribute='cpu') | sum }}", D, "14");
    T_EXPECT("{{ [{'a': 1}, {}] | map(attribute='a', default=0) | list }}", D,
             "[1,0]");
    T_EXPECT("{{ [[1, 2], [3]] | map('length') | list }}", D, "[2,1]");
    T_ERR("{{ [{}] | map(attribute='a') | list }}", D, SR_EEXPR,
          "has no attribute 'a'");
    T_EXPECT("{{ _.servers | selectattr('cpu', 'gt', 3) | map(attribute="
             "'name') | list }}",
             D, "[\"centos\",\"fedora\"]");
    T_EXPECT("{{ _.servers | selectattr('name', 'equalto', 'ubuntu') | map("
             "attribute='cpu') | list }}",
             D, "[2]");
    T_EXPECT("{{ _.servers | selectattr('cpu', '==', 8) | length }}", D, "1");
    T_EXPECT("{{ [{'a': 0}, {'a': 1}] | selectattr('a') | list }}", D,
             "[{\"a\":1}]");
    T_EXPECT("{{ [{'a': 0}, {'a': 1}] | rejectattr('a') | list }}", D,
             "[{\"a\":0}]");
    T_EXPECT("{{ [{'a': 0}, {}] | selectattr('a', 'defined') | list }}", D,
             "[{\"a\":0}]");
    T_EXPECT("{{ range(6) | select('odd') | list }}", D, "[1,3,5]");
    T_EXPECT("{{ range(6) | reject('even') | list }}", D, "[1,3,5]");
    T_EXPECT("{{ [0, 1, '', 'a'] | select | list }}", D, "[1,\"a\"]");
    T_EXPECT("{{ range(10) | select('divisibleby', 3) | list }}", D,
             "[0,3,6,9]");
    T_ERR("{{ [1] | select('nope') | list }}", D, SR_EEXPR,
          "No test named 'nope'.");
    T_EXPECT("{{ ['b', 'a', 'C'] | sort }}", D, "[\"a\",\"b\",\"C\"]");
    T_EXPECT("{{ ['b', 'a', 'C'] | sort(case_sensitive=true) }}", D,
             "[\"C\",\"a\",\"b\"]");
    T_EXPECT("{{ [3, 1, 2] | sort(reverse=true) }}", D, "[3,2,1]");
    T_EXPECT("{{ _.servers | sort(attribute='cpu') | map(attribute='name') | "
             "list }}",
             D, "[\"ubuntu\",\"centos\",\"fedora\"]");
    T_EXPECT("{{ [1, 2, 3] | sum }}", D, "6");
    T_EXPECT("{{ [1, 2] | sum(start=10) }}", D, "13");
    T_EXPECT("{{ ['a', 'A', 'b', 'a'] | unique | list }}", D, "[\"a\",\"b\"]");
    T_EXPECT("{{ ['a', 'A', 'b'] | unique(case_sensitive=true) | list }}", D,
             "[\"a\",\"A\",\"b\"]");
    T_EXPECT("{{ [3, 1, 2] | min }}", D, "1");
    T_EXPECT("{{ ['b', 'A'] | max }}", D, "\"b\"");
    T_ERR("{{ [] | max }}", D, SR_EEXPR, "sequence was empty");
    T_EXPECT("{{ [1, 2, 3] | reverse | list }}", D, "[3,2,1]");
    T_EXPECT("{{ 'abc' | reverse }}", D, "\"cba\"");
    T_ERR("{{ _.c | nofilter }}", D, SR_EEXPR, "No filter named 'nofilter'.");
    T_ERR("{{ _.c | sum }}", D, SR_EEXPR, "'int' object is not iterable");
}

static void
tests(void **state)
{
    (void)state;
    T_EXPECT("{{ [_.c is defined, _.zz is defined, _.zz is undefined, "
             "zz is defined] }}",
             D, "[true,false,true,false]");
    T_EXPECT("{{ [_.n is none, _.zz is none, _.c is not none] }}", D,
             "[true,false,true]");
    T_EXPECT("{{ ['a' is string, 1 is number, 1.5 is number, true is number,"
             " 1 is integer, true is integer, 1.5 is float] }}",
             D, "[true,true,true,true,true,false,true]");
    T_EXPECT("{{ [true is boolean, true is true, false is false, 0 is false,"
             " _.m is mapping, _.h is iterable, 's' is sequence, "
             "1 is iterable] }}",
             D, "[true,true,true,false,true,true,true,false]");
    T_EXPECT("{{ [2 is eq 2, 2 is equalto(2), 3 is ne 2, 1 is lt 2, "
             "2 is le 2, 3 is gt 2, 2 is ge 3, 1 is in [1, 2]] }}",
             D, "[true,true,true,true,true,true,false,true]");
    T_EXPECT("{{ [4 is even, 3 is odd, -3 is odd, 9 is divisibleby 3, "
             "9 is divisibleby(4)] }}",
             D, "[true,true,true,true,false]");
    T_EXPECT("{{ ['abc' is lower, 'ABC' is upper, 'Abc' is lower, "
             "none is sameas none, false is sameas false, "
             "0 is sameas false] }}",
             D, "[true,true,false,true,true,false]");
    T_EXPECT("{{ _.c is number and _.c is not string }}", D, "true");
    T_ERR("{{ 1 is foo }}", D, SR_EEXPR, "No test named 'foo'.");
    T_ERR("{{ _.zz is string }}", D, SR_EEXPR,
          "'dict object' has no attribute 'zz'");
}

static void
methods_and_functions(void **state)
{
    (void)state;
    T_EXPECT("{{ _.m.items() | list }}", D,
             "[[\"k\",\"v\"],[\"deep\",{\"x\":1}]]");
    T_EXPECT("{{ _.m.keys() | list }}", D, "[\"k\",\"deep\"]");
    T_EXPECT("{{ _.m.values() | length }}", D, "2");
    T_EXPECT("{{ _.m.get('k') }}", D, "\"v\"");
    T_EXPECT("{{ _.m.get('zz', 5) }}", D, "5");
    T_EXPECT("{{ ', '.join(['a', 'b']) }}", D, "\"a, b\"");
    T_ERR("{{ ', '.join([1]) }}", D, SR_EEXPR,
          "sequence item 0: expected str instance, int found");
    T_EXPECT("{{ 'a,b'.split(',') }}", D, "[\"a\",\"b\"]");
    T_EXPECT("{{ 'a b'.split() }}", D, "[\"a\",\"b\"]");
    T_EXPECT("{{ 'a-b-c'.split('-', 1) }}", D, "[\"a\",\"b-c\"]");
    T_EXPECT("{{ 'a-b-c'.split(sep='-', maxsplit=1) }}", D, "[\"a\",\"b-c\"]");
    T_EXPECT("{{ 'x'.upper() ~ 'Y'.lower() ~ 'ab'.capitalize() }}", D,
             "\"XyAb\"");
    T_EXPECT("{{ '  x '.strip() ~ '|' ~ 'xax'.strip('x') ~ '|' ~ "
             "' x'.lstrip() ~ '|' ~ 'x '.rstrip() }}",
             D, "\"x|a|x|x\"");
    T_EXPECT("{{ ['abc'.startswith('ab'), 'abc'.endswith('c')] }}", D,
             "[true,true]");
    T_EXPECT("{{ 'a-a'.replace('-', '+') }}", D, "\"a+a\"");
    T_EXPECT("{{ '{} is {}'.format('x', 1) }}", D, "\"x is 1\"");
    T_EXPECT("{{ '{name}!'.format(name='bob') }}", D, "\"bob!\"");
    T_EXPECT("{{ 'abc'.find('c') }}", D, "2");
    T_ERR("{{ _.c.upper() }}", D, SR_EEXPR,
          "'int object' has no attribute 'upper'");
    T_EXPECT("{{ range(3) | list }}", D, "[0,1,2]");
    T_EXPECT("{{ dict(a=1, b='x') }}", D, "{\"a\":1,\"b\":\"x\"}");
    T_TEXT("{{ json_dump([1]) }}", D, "[\n    1\n]");
    T_TEXT("{{ yaml_dump({'a': 1}) }}", D, "a: 1\n");
    T_EXPECT("{{ task('t').name }}", D, "\"t\"");
    T_ERR("{{ foo }}", D, SR_EEXPR, "'foo' is undefined");
    T_ERR("{{ _.m.zz.x }}", D, SR_EEXPR, "'dict object' has no attribute 'zz'");
    T_ERR("{{ _.h[10] }}", D, SR_EEXPR, "list index out of range");
}

static void
statements(void **state)
{
    (void)state;
    T_TEXT("{% if _.c > 5 %}big{% elif _.c > 1 %}mid{% else %}small{% endif "
           "%}",
           D, "mid");
    T_TEXT("{% if _.c > 5 %}big{% elif _.c > 3 %}mid{% endif %}!", D, "!");
    T_TEXT("{% if _.c < 5 %}{% if _.s %}nested{% endif %}{% endif %}", D,
           "nested");
    T_TEXT("{% for x in _.h %}{{ loop.index }}:{{ x }} {% endfor %}", D,
           "1:1 2:2 3:3 4:4 5:5 ");
    T_TEXT("{% for x in [1, 2, 3] %}{{ x }}{% if not loop.last %}, {% endif "
           "%}{% endfor %}",
           D, "1, 2, 3");
    T_TEXT("{% for k in _.m %}{{ k }};{% endfor %}", D, "k;deep;");
    T_TEXT("{% for k, v in _.m.items() %}{{ k }}={{ v }};{% endfor %}", D,
           "k=v;deep={'x': 1};");
    T_TEXT("{% for c in 'abc' %}{{ c }}-{% endfor %}", D, "a-b-c-");
    T_TEXT("{% for x in [] %}a{% else %}empty{% endfor %}", D, "empty");
    T_TEXT("{% for x in 'ab' %}{{ loop.revindex }}{{ loop.first }}"
           "{{ loop.length }}{{ loop.index0 }}{% endfor %}",
           D, "2True201False21");
    T_TEXT("{% for a in [1, 2] %}{% for b in [1, 2] %}{{ loop.index }}"
           "{% endfor %}{{ loop.index }}|{% endfor %}",
           D, "121|122|");
    T_TEXT("{% set x = _.c * 2 %}{{ x }}", D, "6");
    T_TEXT("{% set n = 1 %}{% for x in [1, 2] %}{% set n = n + x %}{{ n }}"
           "{% endfor %}{{ n }}",
           D, "231");
    T_TEXT("{% set n = 1 %}{% set n = n + 1 %}{{ n }}", D, "2");
    T_ERR("{% for x in 5 %}{% endfor %}", D, SR_EEXPR,
          "'int' object is not iterable");
    T_ERR("{% for a, b in [1] %}{% endfor %}", D, SR_EEXPR,
          "cannot unpack non-iterable int object");
    T_ERR("{% for a, b in [[1, 2, 3]] %}{% endfor %}", D, SR_EEXPR,
          "too many values to unpack (expected 2, got 3)");
    T_ERR("{% if _.zz %}x{% endif %}", D, SR_EEXPR,
          "'dict object' has no attribute 'zz'");
    char many[2048];
    size_t n = 0;
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(many + n, sizeof many - n, "{%% set v%d = %d %%}",
                              i, i);
    T_ERR(many, D, SR_EEXPR, "too many variables (limit 32)");
    char deep[4096] = "{% set x = 1 %}";
    n = strlen(deep);
    for (int i = 0; i < 140; i++)
        n += (size_t)snprintf(deep + n, sizeof deep - n, "{%% set x = [x] %%}");
    T_ERR(deep, D, SR_EEXPR, "value of 'x' is nested too deeply (limit 128)");
}

static void
whitespace_follows_mistral_settings(void **state)
{
    (void)state;
    T_TEXT("{% if true %}\nyes\n{% endif %}\n", D, "yes\n");
    T_TEXT("a\n  {% if true %}\n  b\n  {% endif %}\nc", D, "a\n  b\nc");
    T_TEXT("a  {{- 1 -}}  b", D, "a1b");
    T_TEXT("a {%- if true %} b {% endif -%} c", D, "a b c");
    T_TEXT("{# comment #}{{ 'x' }}", D, "x");
    T_TEXT("{#- c -#}  y {# c #}\n{{ 'z' }}", D, "y z");
    T_TEXT("{# only a comment #}", D, "{# only a comment #}");
    T_TEXT("  {% if true %}y{% endif %}", D, "y");
    T_TEXT("  {%+ if true %}y{% endif %}", D, "  y");
    T_TEXT("{% if true +%}\ny{% endif %}", D, "\ny");
    T_TEXT("line1\r\nline2 {{ 1 }}", D, "line1\nline2 1");
    T_TEXT("{{ 1 }}\n", D, "1");
    T_TEXT("{{ 1 }}\n\n", D, "1\n");
    T_TEXT("x {{ 1 }} y", D, "x 1 y");
    T_TEXT("{% for x in [1, 2] %}\n- {{ x }}\n{% endfor %}\n", D, "- 1\n- 2\n");
}

int
main(void)
{
    const struct CMUnitTest tests_table[] = {
        cmocka_unit_test(data_and_literals),
        cmocka_unit_test(operators),
        cmocka_unit_test(conversion_and_string_filters),
        cmocka_unit_test(default_filter),
        cmocka_unit_test(collection_filters),
        cmocka_unit_test(tests),
        cmocka_unit_test(methods_and_functions),
        cmocka_unit_test(statements),
        cmocka_unit_test(whitespace_follows_mistral_settings),
    };
    return cmocka_run_group_tests(tests_table, NULL, NULL);
}
