// Tests of evaluation: Mistral's typing rule, every YAQL operator and
// literal, data access ($.x, lists, indexes, misses), host functions,
// Mistral's error wording, and the step and size limits.
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
#include "sr_value_json.h"

static const char *D =
    "{\"a\": 1, \"b\": 2, \"c\": 3, \"d\": true, \"e\": false, \"f\": 10.1,"
    " \"s\": \"text\", \"n\": null, \"h\": [1, 2, 3, 4, 5],"
    " \"m\": {\"k\": \"v\", \"deep\": {\"x\": [10, 20]}},"
    " \"servers\": [{\"name\": \"centos\", \"cpu\": 4},"
    " {\"name\": \"ubuntu\", \"cpu\": 2}, {\"name\": \"fedora\", \"cpu\": 8}]}";

static void
one_expression_keeps_its_type(void **state)
{
    (void)state;
    T_EXPECT("<% $.c %>", D, "3");
    T_EXPECT("<% $.f %>", D, "10.1");
    T_EXPECT("<% $.d %>", D, "true");
    T_EXPECT("<% $.n %>", D, "null");
    T_EXPECT("<% $.h %>", D, "[1,2,3,4,5]");
    T_EXPECT("<% $.m %>", D, "{\"k\":\"v\",\"deep\":{\"x\":[10,20]}}");
    T_EXPECT("<%$.c%>", D, "3");
    T_EXPECT("{{ _.c }}", D, "3");
    T_EXPECT("{{ _.h }}", D, "[1,2,3,4,5]");
    T_EXPECT("{{ none }}", D, "null");
    T_EXPECT("plain text", D, "\"plain text\"");
}

static void
text_around_or_several_expressions_give_text(void **state)
{
    (void)state;
    T_TEXT(" <% $.c %>", D, " 3");
    T_TEXT("<% $.c %> ", D, "3 ");
    T_TEXT("<% $.c %><% $.c %>", D, "33");
    T_TEXT("x <% true %> <% null %> <% 1.0 %> <% 10.1 %>", D,
           "x True None 1.0 10.1");
    T_TEXT("<% [1, 'a', null] %>!", D, "[1, 'a', None]!");
    T_TEXT("<% {a => 'b', c => [true]} %>!", D, "{'a': 'b', 'c': [True]}!");
    T_TEXT("<% \"it's\" %>: <% [\"it's\"] %>", D, "it's: [\"it's\"]");
    T_TEXT("{{ _.c }}\n", D, "3");
    T_TEXT("a{{ 1 }}b{{ none }}", D, "a1bNone");
    T_TEXT("{{ _.c }}{{ _.c }}", D, "33");
}

static void
yaql_arithmetic_follows_python_and_yaql(void **state)
{
    (void)state;
    T_EXPECT("<% 2 + 3 * 4 %>", D, "14");
    T_EXPECT("<% (2 + 3) * 4 %>", D, "20");
    T_EXPECT("<% 2 - 3 - 4 %>", D, "-5");
    T_EXPECT("<% -2 * 3 %>", D, "-6");
    T_EXPECT("<% +2 %>", D, "2");
    T_EXPECT("<% -$.f %>", D, "-10.1");
    T_EXPECT("<% 10 / 4 %>", D, "2");
    T_EXPECT("<% -7 / 2 %>", D, "-4");
    T_EXPECT("<% 10.0 / 4 %>", D, "2.5");
    T_EXPECT("<% 7 mod 3 %>", D, "1");
    T_EXPECT("<% -7 mod 3 %>", D, "2");
    T_EXPECT("<% 7 mod -3 %>", D, "-2");
    T_EXPECT("<% 7.5 mod 2 %>", D, "1.5");
    T_EXPECT("<% 1.5 + 1 %>", D, "2.5");
    T_EXPECT("<% 0.1 + 0.2 %>", D, "0.30000000000000004");
    T_EXPECT("<% true + 1 %>", D, "2");
    T_ERR("<% 1 / 0 %>", D, SR_EEXPR, "division or modulo by zero");
    T_ERR("<% 1.0 / 0 %>", D, SR_EEXPR, "float division by zero");
    T_ERR("<% 5 mod 0 %>", D, SR_EEXPR, "modulo by zero");
    T_ERR("<% 9223372036854775807 + 1 %>", D, SR_EEXPR, "integer overflow");
    T_ERR("<% -'a' %>", D, SR_EEXPR, "bad operand type for unary -: 'str'");
    T_ERR("<% 'a' - 1 %>", D, SR_EEXPR, "unsupported operand type(s) for -");
}

static void
yaql_strings_lists_and_dicts_combine(void **state)
{
    (void)state;
    T_EXPECT("<% 'a' + \"b\" + `c` %>", D, "\"abc\"");
    T_EXPECT("<% 'ab' * 3 %>", D, "\"ababab\"");
    T_EXPECT("<% 2 * 'ab' %>", D, "\"abab\"");
    T_EXPECT("<% [1] + [2, 3] %>", D, "[1,2,3]");
    T_EXPECT("<% [1, 2] * 2 %>", D, "[1,2,1,2]");
    T_EXPECT("<% {a => 1, b => 2} + {b => 3} %>", D, "{\"a\":1,\"b\":3}");
    T_ERR("<% 'a' + 1 %>", D, SR_EEXPR,
          "unsupported operand type(s) for +: 'str' and 'int'");
    T_ERR("<% {a => 1} + [1] %>", D, SR_EEXPR, "'dict' and 'list'");
}

static void
yaql_comparisons_and_logic(void **state)
{
    (void)state;
    T_EXPECT("<% 1 = 1 %>", D, "true");
    T_EXPECT("<% 1 + 1 = 3 %>", D, "false");
    T_EXPECT("<% 1 = 1.0 %>", D, "true");
    T_EXPECT("<% 1 != 2 %>", D, "true");
    T_EXPECT("<% 'a' = 'a' %>", D, "true");
    T_EXPECT("<% [1, 2] = [1, 2] %>", D, "true");
    T_EXPECT("<% {a => 1} = {a => 1.0} %>", D, "true");
    T_EXPECT("<% 1 = '1' %>", D, "false");
    T_EXPECT("<% $.f > 10 %>", D, "true");
    T_EXPECT("<% 2 >= 2 and 2 <= 2 and 1 < 2 and 3 > 2 %>", D, "true");
    T_EXPECT("<% 'abc' < 'abd' %>", D, "true");
    T_EXPECT("<% [1, 2] < [1, 3] %>", D, "true");
    T_EXPECT("<% null < 1 %>", D, "true");
    T_EXPECT("<% 1 > null %>", D, "true");
    T_EXPECT("<% null = null %>", D, "true");
    T_EXPECT("<% null <= null %>", D, "true");
    T_EXPECT("<% null = 0 %>", D, "false");
    T_ERR("<% 'a' < 1 %>", D, SR_EEXPR,
          "'<' not supported between instances of 'str' and 'int'");
    T_EXPECT("<% 1 and 2 %>", D, "2");
    T_EXPECT("<% 0 and 2 %>", D, "0");
    T_EXPECT("<% 0 or 'x' %>", D, "\"x\"");
    T_EXPECT("<% null or [] %>", D, "[]");
    T_EXPECT("<% $.d and $.e %>", D, "false");
    T_EXPECT("<% not 1 = 2 %>", D, "true");
    T_EXPECT("<% not true and false %>", D, "false");
    T_EXPECT("<% not '' %>", D, "true");
    T_EXPECT("<% true or 1 / 0 %>", D, "true"); // short circuit
    T_EXPECT("<% 3 in $.h %>", D, "true");
    T_EXPECT("<% 100 in $.h %>", D, "false");
    T_EXPECT("<% 'ext' in $.s %>", D, "true");
    T_EXPECT("<% k in $.m %>", D, "true");
    T_EXPECT("<% 1 in [1.0] %>", D, "true");
    T_ERR("<% 1 in 'abc' %>", D, SR_EEXPR, "requires string as left operand");
    T_ERR("<% 1 in 5 %>", D, SR_EEXPR,
          "argument of type 'int' is not "
          "iterable");
}

static void
yaql_literals(void **state)
{
    (void)state;
    T_EXPECT("<% 42 %>", D, "42");
    T_EXPECT("<% 4.25 %>", D, "4.25");
    T_EXPECT("<% 'single' %>", D, "\"single\"");
    T_EXPECT("<% \"double\" %>", D, "\"double\"");
    T_EXPECT("<% 'a\\'b\\n\\t\\u00e9\\x41' %>", D, "\"a'b\\n\\t\\u00e9A\"");
    T_EXPECT("<% true %>", D, "true");
    T_EXPECT("<% false %>", D, "false");
    T_EXPECT("<% null %>", D, "null");
    T_EXPECT("<% [] %>", D, "[]");
    T_EXPECT("<% [1, [2, 'x'], {a => null}] %>", D,
             "[1,[2,\"x\"],{\"a\":null}]");
    T_EXPECT("<% {} %>", D, "{}");
    T_EXPECT("<% {key1 => foo, key2 => bar} %>", D,
             "{\"key1\":\"foo\",\"key2\":\"bar\"}");
    T_EXPECT("<% {1 => a, true => b, null => c, $.s => d} %>", D,
             "{\"1\":\"a\",\"true\":\"b\",\"null\":\"c\",\"text\":\"d\"}");
    T_ERR("<% {[1] => a} %>", D, SR_EEXPR, "unhashable type: 'list'");
    T_EXPECT("<% ubuntu %>", D, "\"ubuntu\"");
    T_EXPECT("<% True %>", D, "\"True\"");
}

static void
yaql_data_access(void **state)
{
    (void)state;
    T_EXPECT("<% $ %>", "[1, 2]", "[1,2]");
    T_EXPECT("<% $.m.k %>", D, "\"v\"");
    T_EXPECT("<% $.m.deep.x[1] %>", D, "20");
    T_EXPECT("<% $.h[0] %>", D, "1");
    T_EXPECT("<% $.h[-1] %>", D, "5");
    T_EXPECT("<% $.m['k'] %>", D, "\"v\"");
    T_EXPECT("<% $['m']['k'] %>", D, "\"v\"");
    T_EXPECT("<% $.m['zz', 'dflt'] %>", D, "\"dflt\"");
    T_EXPECT("<% $.s[1] %>", D, "\"e\"");
    T_EXPECT("<% $.servers.name %>", D, "[\"centos\",\"ubuntu\",\"fedora\"]");
    T_EXPECT("<% $.servers[1].name %>", D, "\"ubuntu\"");
    T_EXPECT("<% [[{a => 1}], [{a => 2}, {b => 3}]].a %>", D, "[[1],[2,null]]");
    T_EXPECT("<% $.m.missing %>", D, "null");
    T_EXPECT("<% $.m.deep.missing %>", D, "null");
    T_EXPECT("<% $.get('missing') %>", D, "null");
    T_EXPECT("<% $.get('missing', 'dflt') %>", D, "\"dflt\"");
    T_EXPECT("<% $.get(c) %>", D, "3");
    T_EXPECT("<% $.n?.x %>", D, "null");
    T_EXPECT("<% $.n?.len() %>", D, "null");
    T_EXPECT("<% $.m?.k %>", D, "\"v\"");
    T_ERR("<% $.missing %>", D, SR_EEXPR,
          "Can not evaluate YAQL expression [expression=$.missing, "
          "error=The key 'missing' is not found");
    T_ERR("<% $.n.x %>", D, SR_EEXPR, "cannot read key 'x' of null");
    T_ERR("<% $.c.x %>", D, SR_EEXPR, "cannot read key 'x' of type 'int'");
    T_ERR("<% $.h[5] %>", D, SR_EEXPR, "list index out of range");
    T_ERR("<% $.h['a'] %>", D, SR_EEXPR, "list indices must be integers");
    T_ERR("<% $.m['zz'] %>", D, SR_EEXPR, "The key 'zz' is not found");
    T_ERR("<% $.c[0] %>", D, SR_EEXPR, "'int' object is not subscriptable");
    T_ERR("<% $.x %>", NULL, SR_EEXPR, "The key 'x' is not found");
}

static void
yaql_switch_and_coalesce(void **state)
{
    (void)state;
    T_EXPECT("<% switch($.a > 5 => big, $.a > 0 => small, true => none) %>", D,
             "\"small\"");
    T_EXPECT("<% switch(false => 1) %>", D, "null");
    T_EXPECT("<% switch($.a = 1 => $.m.k) %>", D, "\"v\"");
    T_EXPECT("<% switch(false => 1 / 0, true => 2) %>", D, "2");
    T_ERR("<% switch(1) %>", D, SR_EEXPR, "'condition => value'");
    T_EXPECT("<% coalesce($.n, $.m.missing, 0, 5) %>", D, "0");
    T_EXPECT("<% coalesce($.n) %>", D, "null");
    T_EXPECT("<% coalesce(1, 1 / 0) %>", D, "1");
}

static void
host_functions_are_called(void **state)
{
    (void)state;
    T_EXPECT("<% task(task1).result.sub_wf_out %>", D, "\"abc\"");
    T_EXPECT("<% task(task1).name %>", D, "\"task1\"");
    T_EXPECT("<% task('task1').name %>", D, "\"task1\"");
    T_EXPECT("<% task().name %>", D, "\"current\"");
    T_EXPECT("<% env().region %>", D, "\"eu\"");
    T_EXPECT("{{ task('t2').name }}", D, "\"t2\"");
    T_EXPECT("{{ task().state }}", D, "\"SUCCESS\"");
    T_ERR("<% foo() %>", D, SR_EEXPR, "unknown function 'foo'");
    T_ERR("{{ foo() }}", D, SR_EEXPR, "unknown function 'foo'");
    T_ERR("<% fail() %>", D, SR_ESTORE, "store is down");
    T_ERR("<% foo($.a > 0 => 1, 2) %>", D, SR_EEXPR,
          "foo(): unexpected 'key => value' argument");
    T_ERR("<% task(x => 1) %>", D, SR_EEXPR,
          "task() got an unexpected keyword argument 'x'");
    sr_value_t *v = NULL;
    sr_error_t err;
    lang_eval_ctx_t no_host = {0};
    assert_int_equal(t_run("<% task() %>", D, &no_host, &v, &err), SR_EEXPR);
    assert_non_null(strstr(err.msg, "unknown function 'task'"));
}

static void
errors_use_mistral_wording(void **state)
{
    (void)state;
    T_ERR("<% $.non_existing_function_AAA() %>", D, SR_EEXPR,
          "Can not evaluate YAQL expression "
          "[expression=$.non_existing_function_AAA(), error=unknown method "
          "'non_existing_function_AAA' for type 'dict'");
    T_ERR("x <% $.a %> y <% $.zz %>", D, SR_EEXPR,
          "[expression=$.zz, error=The key 'zz'");
    T_ERR("{{ _.missing }}", D, SR_EEXPR,
          "Can not evaluate Jinja expression [expression=_.missing, "
          "error='dict object' has no attribute 'missing']");
    T_ERR("!! {{ _.nonexistent_variable }} !!\n", D, SR_EEXPR,
          "[expression=!! {{ _.nonexistent_variable }} !!");
    T_ERR("<% len(1, 2) %>", D, SR_EEXPR, "len() takes 1 argument (2 given)");
    T_ERR("<% $.h.len(1) %>", D, SR_EEXPR,
          "len() takes 0 arguments (1 "
          "given)");
    T_ERR("<% range() %>", D, SR_EEXPR, "range() takes 1 to 3 arguments");
    char text[300];
    snprintf(text, sizeof text, "<%% $.a + %s %%>",
             "$.b + $.b + $.b + $.b + $.b + $.b + $.b + $.b + $.b + $.b + "
             "$.b + $.b + $.b + $.b + $.b + $.zz");
    T_ERR(text, D, SR_EEXPR, "...");
}

static void
limits_stop_runaway_evaluation(void **state)
{
    (void)state;
    sr_value_t *v = NULL;
    sr_error_t err;
    lang_eval_ctx_t ctx = {.max_steps = 1000};
    assert_int_equal(
        t_run("<% range(100000).select($ * 2).len() %>", D, &ctx, &v, &err),
        SR_ETOOBIG);
    assert_non_null(strstr(err.msg, "exceeded the limit of 1000 steps"));
    assert_int_equal(t_run("{% for i in range(100) %}{% for j in range(100) "
                           "%}x{% endfor %}{% endfor %}",
                           D, &ctx, &v, &err),
                     SR_ETOOBIG);
    ctx = (lang_eval_ctx_t){.max_bytes = 100};
    assert_int_equal(t_run("<% 'a' * 200 %>", D, &ctx, &v, &err), SR_ETOOBIG);
    assert_non_null(strstr(err.msg, "size limit of 100 bytes"));
    assert_int_equal(t_run("<% 'a' * 50 %>", D, &ctx, &v, &err), SR_OK);
    sr_value_destroy(&v);
    assert_int_equal(t_run("<% range(1000) %>", D, &ctx, &v, &err), SR_ETOOBIG);
    assert_int_equal(t_run("{% for i in range(10) %}0123456789abc{% endfor %}",
                           D, &ctx, &v, &err),
                     SR_ETOOBIG);
    T_ERR("<% 'ab' * 1000000 %>", D, SR_ETOOBIG, "size limit");
    T_ERR("<% range(1000000000) %>", D, SR_ETOOBIG, "size limit");
    T_ERR("<% range(100000).select(range(20).len()).len() %>", D, SR_ETOOBIG,
          "steps");
}

static void
data_is_returned_by_reference(void **state)
{
    (void)state;
    sr_value_t *data = NULL, *v = NULL;
    sr_error_t err;
    assert_int_equal(sr_value_from_json(D, strlen(D), NULL, &data, &err),
                     SR_OK);
    lang_tmpl_t *t = NULL;
    size_t off;
    const char *text = "<% $.m.deep %>";
    assert_int_equal(lang_tmpl_compile(text, strlen(text), &t, &off, &err),
                     SR_OK);
    lang_eval_ctx_t ctx = {.data = data};
    for (int i = 0; i < 3; i++) { // a template evaluates many times
        assert_int_equal(lang_tmpl_eval(t, &ctx, &v, &err), SR_OK);
        assert_ptr_equal(v,
                         sr_value_map_get(sr_value_map_get(data, "m"), "deep"));
        assert_true(sr_value_is_shared(v));
        sr_value_destroy(&v);
    }
    lang_tmpl_destroy(&t);
    sr_value_destroy(&data);
}

static void
bare_yaql_evaluates_typed(void **state)
{
    (void)state;
    sr_value_t *data = NULL, *v = NULL;
    sr_error_t err;
    assert_int_equal(sr_value_from_json(D, strlen(D), NULL, &data, &err),
                     SR_OK);
    lang_tmpl_t *t = NULL;
    size_t off;
    assert_int_equal(lang_tmpl_compile_yaql("$.a + $.b", 9, &t, &off, &err),
                     SR_OK);
    lang_eval_ctx_t ctx = {.data = data};
    assert_int_equal(lang_tmpl_eval(t, &ctx, &v, &err), SR_OK);
    assert_int_equal(sr_value_int(v), 3);
    assert_true(sr_value_is(v, SR_T_INT));
    sr_value_destroy(&v);
    lang_tmpl_destroy(&t);
    assert_int_equal(lang_tmpl_compile_yaql("$.zz", 4, &t, &off, &err), SR_OK);
    assert_int_equal(lang_tmpl_eval(t, &ctx, &v, &err), SR_EEXPR);
    assert_non_null(strstr(err.msg, "[expression=$.zz, error=The key 'zz'"));
    lang_tmpl_destroy(&t);
    sr_value_destroy(&data);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_expression_keeps_its_type),
        cmocka_unit_test(text_around_or_several_expressions_give_text),
        cmocka_unit_test(yaql_arithmetic_follows_python_and_yaql),
        cmocka_unit_test(yaql_strings_lists_and_dicts_combine),
        cmocka_unit_test(yaql_comparisons_and_logic),
        cmocka_unit_test(yaql_literals),
        cmocka_unit_test(yaql_data_access),
        cmocka_unit_test(yaql_switch_and_coalesce),
        cmocka_unit_test(host_functions_are_called),
        cmocka_unit_test(errors_use_mistral_wording),
        cmocka_unit_test(limits_stop_runaway_evaluation),
        cmocka_unit_test(data_is_returned_by_reference),
        cmocka_unit_test(bare_yaql_evaluates_typed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
