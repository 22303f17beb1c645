// Tests of the one-line scanner: names, parameters of every value form,
// engine commands with parentheses, with-items clauses, and failures with
// their offsets.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lang_inline.h"

static void
s_expect_param(const char *s, const lang_inline_t *in, size_t i,
               const char *key, const char *val, lang_pv_kind_t kind)
{
    assert_true(i < in->nparams);
    const lang_pspan_t *p = &in->params[i];
    char k[64], v[128];
    snprintf(k, sizeof k, "%.*s", (int)p->key_len, s + p->key);
    snprintf(v, sizeof v, "%.*s", (int)p->val_len, s + p->val);
    assert_string_equal(k, key);
    assert_string_equal(v, val);
    assert_int_equal(p->kind, kind);
}

static void
test_names_and_parameters_split(void **state)
{
    (void)state;
    const char *s = "std.echo output=\"Hi there\" n=1 l=[\"a b\", [2]] "
                    "q='it' t=<% $.a + 1 %>-x{{ y }} w=hello";
    lang_inline_t in;
    assert_int_equal(lang_inline_parse(s, strlen(s), true, &in), SR_OK);
    assert_int_equal(in.name_len, 8);
    assert_false(in.name_is_expr);
    assert_int_equal(in.nparams, 6);
    s_expect_param(s, &in, 0, "output", "Hi there", LANG_PV_QUOTED);
    s_expect_param(s, &in, 1, "n", "1", LANG_PV_WORD);
    s_expect_param(s, &in, 2, "l", "[\"a b\", [2]]", LANG_PV_FLOW);
    s_expect_param(s, &in, 3, "q", "it", LANG_PV_QUOTED);
    s_expect_param(s, &in, 4, "t", "<% $.a + 1 %>-x{{ y }}", LANG_PV_TEMPLATE);
    s_expect_param(s, &in, 5, "w", "hello", LANG_PV_WORD);
    lang_inline_fini(&in);
}

static void
test_expression_names_and_commands(void **state)
{
    (void)state;
    lang_inline_t in;
    const char *s = "<% $.wf_action %> output=<% $.param1 %>";
    assert_int_equal(lang_inline_parse(s, strlen(s), true, &in), SR_OK);
    assert_true(in.name_is_expr);
    assert_int_equal(in.name_len, 17);
    s_expect_param(s, &in, 0, "output", "<% $.param1 %>", LANG_PV_TEMPLATE);
    lang_inline_fini(&in);
    s = "fail(msg='my_var value is 1')";
    assert_int_equal(lang_inline_parse(s, strlen(s), true, &in), SR_OK);
    assert_true(in.has_parens);
    assert_int_equal(in.name_len, 4);
    s_expect_param(s, &in, 0, "msg", "my_var value is 1", LANG_PV_QUOTED);
    lang_inline_fini(&in);
    s = "pause(msg=<% task().name %>, x=1)";
    assert_int_equal(lang_inline_parse(s, strlen(s), true, &in), SR_OK);
    s_expect_param(s, &in, 0, "msg", "<% task().name %>", LANG_PV_TEMPLATE);
    s_expect_param(s, &in, 1, "x", "1", LANG_PV_WORD);
    lang_inline_fini(&in);
    s = "count=3 delay=<% $.d %>";
    assert_int_equal(lang_inline_parse(s, strlen(s), false, &in), SR_OK);
    assert_int_equal(in.nparams, 2);
    lang_inline_fini(&in);
}

static void
test_malformed_lines_fail_at_the_right_offset(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        bool with_name;
        const char *error;
        size_t at;
    } cases[] = {
        {"std.echo output=\"open", true, "the quoted text is not closed", 16},
        {"std.echo output=<% $.x", true, "the expression is not closed", 16},
        {"std.echo junk", true, "expected a parameter as name=value", 9},
        {"std.echo l=[1, 2", true, "the list or map is not closed", 11},
        {"fail(msg='x') more", true, "unexpected text after ')'", 14},
        {"fail(msg='x'", true, "')' is missing", 12},
        {"std.echo x=", true, "a parameter needs a value after '='", 11},
        {"std.echo x='a'b", true, "unexpected text after a parameter value",
         14},
        {"count=3 delay", false, "expected a parameter as name=value", 8},
        {"std.echo\"x\"", true, "expected a space after the name", 8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        lang_inline_t in;
        assert_int_equal(lang_inline_parse(cases[i].s, strlen(cases[i].s),
                                           cases[i].with_name, &in),
                         SR_EINVAL);
        assert_string_equal(in.error, cases[i].error);
        assert_int_equal(in.error_at, cases[i].at);
        lang_inline_fini(&in);
    }
}

static void
test_with_items_clauses_split(void **state)
{
    (void)state;
    size_t v, vl, r, rl;
    const char *s = "  name in <% $.names %>  ";
    assert_int_equal(lang_inline_items(s, strlen(s), &v, &vl, &r, &rl), SR_OK);
    assert_int_equal(v, 2);
    assert_int_equal(vl, 4);
    assert_int_equal(r, 10);
    assert_int_equal(rl, 13);
    s = "i in[1, 2]";
    assert_int_equal(lang_inline_items(s, strlen(s), &v, &vl, &r, &rl), SR_OK);
    assert_int_equal(r, 4);
    assert_int_equal(lang_inline_items("x on [1]", 8, &v, &vl, &r, &rl),
                     SR_EINVAL);
    assert_int_equal(lang_inline_items("x in ", 5, &v, &vl, &r, &rl),
                     SR_EINVAL);
    assert_int_equal(lang_inline_items("xin [1]", 7, &v, &vl, &r, &rl),
                     SR_EINVAL);
    assert_true(lang_inline_is_expr("<% $.a %>  ", 11));
    assert_true(lang_inline_is_expr("{{ _.a }}", 9));
    assert_false(lang_inline_is_expr("x <% $.a %>", 11));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_parameters_split),
        cmocka_unit_test(test_expression_names_and_commands),
        cmocka_unit_test(test_malformed_lines_fail_at_the_right_offset),
        cmocka_unit_test(test_with_items_clauses_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
