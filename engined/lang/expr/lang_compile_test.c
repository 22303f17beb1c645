// Tests of template compilation: which syntax a string holds, what parses,
// and the exact byte offset and message of every kind of compile error.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang_expr.h"

static lang_tmpl_t *
s_compile_ok(const char *text)
{
    lang_tmpl_t *t = NULL;
    size_t off = 12345;
    sr_error_t err;
    sr_error_clear(&err);
    sr_err_t rc = lang_tmpl_compile(text, strlen(text), &t, &off, &err);
    if (rc != SR_OK)
        fail_msg("compile '%s': %s at %zu", text, err.msg, off);
    assert_non_null(t);
    return t;
}

static void
s_compile_err(const char *text, size_t want_off, const char *want_msg)
{
    lang_tmpl_t *t = NULL;
    size_t off = 12345;
    sr_error_t err;
    sr_error_clear(&err);
    sr_err_t rc = lang_tmpl_compile(text, strlen(text), &t, &off, &err);
    if (rc != SR_EEXPR)
        fail_msg("compile '%s' gave %s, expected EEXPR", text, sr_strerror(rc));
    assert_null(t);
    if (off != want_off)
        fail_msg("compile '%s': offset %zu, expected %zu (%s)", text, off,
                 want_off, err.msg);
    if (!strstr(err.msg, want_msg))
        fail_msg("compile '%s': message '%s' lacks '%s'", text, err.msg,
                 want_msg);
}

static void
plain_text_is_constant(void **state)
{
    (void)state;
    const char *texts[] = {"",
                           "hello",
                           "50% off",
                           "<% not closed",
                           "{{ not closed",
                           "a } b { c",
                           "{# just text #}"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        lang_tmpl_t *t = s_compile_ok(texts[i]);
        assert_true(lang_tmpl_is_const(t));
        assert_int_equal(lang_tmpl_syntax(t), LANG_SYNTAX_NONE);
        assert_string_equal(lang_tmpl_text(t), texts[i]);
        lang_tmpl_destroy(&t);
        assert_null(t);
    }
}

static void
syntax_is_detected(void **state)
{
    (void)state;
    struct {
        const char *text;
        lang_syntax_t syntax;
    } cases[] = {
        {"<% $.a %>", LANG_SYNTAX_YAQL},
        {"x <% $.a %> y <% $.b %>", LANG_SYNTAX_YAQL},
        {"<% {a => 1} %>", LANG_SYNTAX_YAQL},
        {"{{ _.a }}", LANG_SYNTAX_JINJA},
        {"{% if _.a %}yes{% endif %}", LANG_SYNTAX_JINJA},
        {"{{ {'a': {'b': 1}} }}", LANG_SYNTAX_JINJA},
        {"{{ {'a':1}}}", LANG_SYNTAX_JINJA},
        {"a {# note #} {{ 1 }}", LANG_SYNTAX_JINJA},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lang_tmpl_t *t = s_compile_ok(cases[i].text);
        assert_false(lang_tmpl_is_const(t));
        assert_int_equal(lang_tmpl_syntax(t), cases[i].syntax);
        lang_tmpl_destroy(&t);
    }
}

static void
valid_yaql_parses(void **state)
{
    (void)state;
    const char *exprs[] = {
        "<% $ %>",
        "<% $.x.y %>",
        "<% $.x[0] %>",
        "<% $.x['k'] %>",
        "<% $.x['k', 'default'] %>",
        "<% 1 + 2 * 3 - 4 / 5 mod 6 %>",
        "<% -1 %>",
        "<% not $.a and $.b or $.c %>",
        "<% $.a = 1 and $.b != 2 %>",
        "<% $.a < 1 or $.a <= 2 or $.a > 3 or $.a >= 4 %>",
        "<% 1 in [1, 2] %>",
        "<% 'a' + \"b\" + `c` %>",
        "<% {a => 1, 'b' => [1, 2], c => {d => null}} %>",
        "<% true and false or null %>",
        "<% 10.1 > 10 %>",
        "<% $.servers.where($.name = ubuntu).first() %>",
        "<% $.h.len() >= $.b + $.c %>",
        "<% switch($.a > 1 => 'big', true => 'small') %>",
        "<% coalesce($.a, $.b, 0) %>",
        "<% task(task1).result.sub_wf_out %>",
        "<% $.x?.y %>",
        "<% $.get('x', 'default') %>",
        "<% ($.a + $.b) * $.c %>",
        "<%($.a + $.b) * $.c %>",
        "<% $.a %><% $.b %>",
        "<% 'it\\'s \\n \\u00e9' %>",
        "<% len('hey') %>",
        "<% dict(a => 1) %>",
        "<% [] %>",
        "<% {} %>",
    };
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        lang_tmpl_t *t = s_compile_ok(exprs[i]);
        assert_int_equal(lang_tmpl_syntax(t), LANG_SYNTAX_YAQL);
        lang_tmpl_destroy(&t);
    }
}

static void
valid_jinja_parses(void **state)
{
    (void)state;
    const char *exprs[] = {
        "{{ _ }}",
        "{{ _.x.y }}",
        "{{ _.x[0] }}",
        "{{ _['x'] }}",
        "{{ _.x[1:2] }}",
        "{{ _.x[::2] }}",
        "{{ 1 + 2 * 3 - 4 / 5 // 6 % 7 ** 2 }}",
        "{{ 'a' ~ 1 ~ none }}",
        "{{ a if b else c }}",
        "{{ a if b }}",
        "{{ not a and b or c }}",
        "{{ a == 1 and b != 2 and 1 < 2 <= 3 }}",
        "{{ 1 in [1] and 2 not in [1] }}",
        "{{ {'a': 1, 'b': [1, 2,],} }}",
        "{{ (1, 2) }}",
        "{{ () }}",
        "{{ (1) }}",
        "{{ True and False or None and true and false and none }}",
        "{{ _.x | length }}",
        "{{ _.x | map(attribute='name') | list }}",
        "{{ _.x | selectattr('x', 'equalto', 3) | list }}",
        "{{ _.x | default('y', true) }}",
        "{{ _.x is defined }}",
        "{{ _.x is not none }}",
        "{{ _.x is divisibleby 3 }}",
        "{{ _.x is divisibleby(3) }}",
        "{{ task('t1').result }}",
        "{{ _.items() }}",
        "{{ ', '.join(_.list) }}",
        "{{ -_.x | abs }}",
        "{{ 'a' 'b' }}",
        "{{ 1e3 + 1_000 }}",
        "{% if a %}x{% elif b %}y{% else %}z{% endif %}",
        "{% for x in _.list %}{{ loop.index }}{{ x }}{% endfor %}",
        "{% for k, v in _.d.items() %}{{ k }}={{ v }}{% else %}-{% endfor %}",
        "{% set x = 1 %}{{ x }}",
        "{%- if a -%} x {%+ endif %}",
        "{{- a -}}",
        "{# c #}{{ 1 }}{#- c -#}",
    };
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        lang_tmpl_t *t = s_compile_ok(exprs[i]);
        assert_int_equal(lang_tmpl_syntax(t), LANG_SYNTAX_JINJA);
        lang_tmpl_destroy(&t);
    }
}

static void
yaql_errors_point_at_the_problem(void **state)
{
    (void)state;
    s_compile_err("<% $.a + %>", 8, "unexpected end of expression");
    s_compile_err("x <% $.a ) %>", 9, "unexpected ')'");
    s_compile_err("<% 'abc %>", 3, "unterminated string");
    s_compile_err("<% $x %>", 3, "unknown variable '$x'");
    s_compile_err("<% %>", 0, "empty expression");
    s_compile_err("<% $.a == 1 %>", 7, "'=='");
    s_compile_err("<% $.a =~ 'x' %>", 7, "regular expression");
    s_compile_err("<% $.a -> $.b %>", 7, "'->'");
    s_compile_err("<% [1 => 2] %>", 4, "'=>' is not allowed in a list");
    s_compile_err("<% {a} %>", 4, "expected 'key => value'");
    s_compile_err("<% $.a[] %>", 6, "an index takes 1 or 2 values");
    s_compile_err("<% $. %>", 5, "unexpected end of expression");
    s_compile_err("<% 1 2 %>", 5, "unexpected '2'");
    s_compile_err("ok <% f(1,) %>", 10, "unexpected ')'");
    s_compile_err("<% 'a\\ud800' %>", 5, "invalid escape");
    s_compile_err("<% 99999999999999999999 %>", 3, "too large");
    s_compile_err("<% 1abc %>", 3, "invalid number");
    s_compile_err("<% $.a ! %>", 7, "unexpected character '!'");
    s_compile_err("<% and %>", 3, "unexpected 'and'");
    s_compile_err("a <% 1 %> b <% ) %>", 15, "unexpected ')'");
}

static void
jinja_errors_point_at_the_problem(void **state)
{
    (void)state;
    s_compile_err("{{ _.a + }}", 9, "unexpected '}}'");
    s_compile_err("{{ }}", 3, "empty expression");
    s_compile_err("{% if x %}abc", 0, "expected '{% endif %}'");
    s_compile_err("{% for x in y %}abc{% endif %}", 22,
                  "unexpected tag 'endif'");
    s_compile_err("ab {% foo %}", 6, "unknown or unexpected tag 'foo'");
    s_compile_err("{{ x | }}", 7, "expected a filter name");
    s_compile_err("{{ x is }}", 8, "expected a test name");
    s_compile_err("{{ 1 }}{# open", 7, "missing end of comment");
    s_compile_err("{{ f(a=1, 2) }}", 10, "positional argument after");
    s_compile_err("{{ (1 + 2)(3) }}", 10, "only functions and methods");
    s_compile_err("{% set a, b = 1 %}", 8, "only '{% set name = value %}'");
    s_compile_err("{% for x in y if x %}{% endfor %}", 14, "loop filters");
    s_compile_err("{{ x %} }}", 5, "expected '}}'");
    s_compile_err("{{ 'a' }} {{ [1, 2 }}", 19, "expected ',' or ']'");
    s_compile_err("{{ {'a' 1} }}", 8, "expected ':'");
    s_compile_err("{{ x = 1 }}", 5, "unexpected '='");
}

static void
mixing_yaql_and_jinja_is_refused(void **state)
{
    (void)state;
    s_compile_err("<% $.a %> {{ _.b }}", 10, "cannot be mixed");
    s_compile_err("{{ _.b }} <% $.a %>", 10, "cannot be mixed");
    s_compile_err("{% if 1 %}<% $.a %>{% endif %}", 10, "cannot be mixed");
}

static void
deep_nesting_is_refused(void **state)
{
    (void)state;
    char text[2048];
    // Parentheses: parser recursion.
    size_t n = 0;
    n += (size_t)snprintf(text + n, sizeof text - n, "<%% ");
    for (int i = 0; i < 300; i++)
        text[n++] = '(';
    text[n++] = '1';
    for (int i = 0; i < 300; i++)
        text[n++] = ')';
    snprintf(text + n, sizeof text - n, " %%>");
    lang_tmpl_t *t = NULL;
    size_t off;
    sr_error_t err;
    assert_int_equal(lang_tmpl_compile(text, strlen(text), &t, &off, &err),
                     SR_EEXPR);
    assert_non_null(strstr(err.msg, "nested too deeply"));
    assert_true(off > 3 && off < 310);
    // A long chain of operators: a deep tree without any parenthesis.
    n = (size_t)snprintf(text, sizeof text, "<%% 1");
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "+1");
    snprintf(text + n, sizeof text - n, " %%>");
    assert_int_equal(lang_tmpl_compile(text, strlen(text), &t, &off, &err),
                     SR_EEXPR);
    assert_non_null(strstr(err.msg, "nested too deeply"));
    // Jinja blocks inside blocks.
    n = 0;
    for (int i = 0; i < 150; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "{%% if 1 %%}");
    assert_int_equal(lang_tmpl_compile(text, n, &t, &off, &err), SR_EEXPR);
    assert_non_null(strstr(err.msg, "nested too deeply"));
    // A moderate depth is fine.
    n = (size_t)snprintf(text, sizeof text, "<%% 1");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "+1");
    snprintf(text + n, sizeof text - n, " %%>");
    lang_tmpl_destroy(&t);
    t = s_compile_ok(text);
    lang_tmpl_destroy(&t);
}

static void
bare_yaql_compiles(void **state)
{
    (void)state;
    lang_tmpl_t *t = NULL;
    size_t off = 0;
    sr_error_t err;
    assert_int_equal(lang_tmpl_compile_yaql("  $.x + 1 ", 10, &t, &off, &err),
                     SR_OK);
    assert_int_equal(lang_tmpl_syntax(t), LANG_SYNTAX_YAQL);
    assert_false(lang_tmpl_is_const(t));
    lang_tmpl_destroy(&t);
    assert_int_equal(lang_tmpl_compile_yaql("$.x +", 5, &t, &off, &err),
                     SR_EEXPR);
    assert_int_equal(off, 5);
    assert_int_equal(lang_tmpl_compile_yaql("  ", 2, &t, &off, &err), SR_EEXPR);
    assert_non_null(strstr(err.msg, "empty"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_text_is_constant),
        cmocka_unit_test(syntax_is_detected),
        cmocka_unit_test(valid_yaql_parses),
        cmocka_unit_test(valid_jinja_parses),
        cmocka_unit_test(yaql_errors_point_at_the_problem),
        cmocka_unit_test(jinja_errors_point_at_the_problem),
        cmocka_unit_test(mixing_yaql_and_jinja_is_refused),
        cmocka_unit_test(deep_nesting_is_refused),
        cmocka_unit_test(bare_yaql_compiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
