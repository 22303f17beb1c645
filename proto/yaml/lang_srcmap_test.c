// Tests of the value-to-source map: for every byte of every string scalar
// in a set of tricky documents, the mapped source byte is the same
// character (or the escape that produced it).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lang_srcmap.h"
#include "lang_tree.h"

static void
s_check_node(const char *src, size_t len, const lang_node_t *n)
{
    if (n->kind != LANG_NODE_SCALAR) {
        for (size_t i = 0; i < n->nitems; i++)
            s_check_node(src, len, n->items[i]);
        return;
    }
    if (!lang_node_is_str(n))
        return;
    for (size_t v = 0; v < n->len; v++) {
        char c = n->str[v];
        size_t at = lang_srcmap_offset(src, len, n->offset, n->style, v);
        assert_true(at < len);
        if (c == ' ' || c == '\n' || src[at] == '\\')
            continue;
        if (src[at] != c)
            fail_msg("value byte %zu '%c' of \"%s\" maps to '%c' at %zu", v, c,
                     n->str, src[at], at);
    }
}

static void
s_check_doc(const char *src)
{
    lang_diags_t d = {0};
    lang_tree_t *y = NULL;
    assert_int_equal(lang_tree_parse(src, strlen(src), NULL, &y, &d), SR_OK);
    s_check_node(src, strlen(src), lang_tree_root(y));
    lang_tree_destroy(&y);
    lang_diags_fini(&d);
}

static void
test_flow_scalars_map_byte_by_byte(void **state)
{
    (void)state;
    s_check_doc("a: plain <% $.x %> text\n"
                "b: 'single ''quoted'' <% $.y %>'\n"
                "c: \"double \\\"esc\\\" \\x41\\u00e9 <% $.z %>\"\n"
                "d: plain\n  folded over\n\n  three lines <% $.q %>\n"
                "e: 'quoted   \n   folded  \n\n\n   again'\n"
                "f: \"escaped \\\n   break <% $.w %>\"\n"
                "g: [flow <% $.a %>, 'x''y', \"\\tz\"]\n"
                "h: caf\xc3\xa9 <% $.u %>\n");
}

static void
test_block_scalars_map_byte_by_byte(void **state)
{
    (void)state;
    s_check_doc("a: |\n  line one <% $.x %>\n\n  line two\n    more\n"
                "b: >\n  folded one\n  folded two <% $.y %>\n\n"
                "  para\n     indented\n  back\n"
                "c: |-\n\n   after empty\n"
                "d: >+ # comment\n  keep\n\n"
                "e: |2\n   extra <% $.z %>\n");
}

static void
test_offsets_point_inside_expressions(void **state)
{
    (void)state;
    const char *src = "x: |\n  <% $.a +\n     ) %>\n";
    size_t len = strlen(src);
    // value: "<% $.a +\n   ) %>\n"; ')' is value byte 12
    size_t at = lang_srcmap_offset(src, len, 3, LANG_STYLE_LITERAL, 12);
    assert_int_equal(src[at], ')');
    assert_int_equal(at, 21);
    assert_int_equal(lang_srcmap_offset(src, len, 3, LANG_STYLE_LITERAL, 999),
                     3);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flow_scalars_map_byte_by_byte),
        cmocka_unit_test(test_block_scalars_map_byte_by_byte),
        cmocka_unit_test(test_offsets_point_inside_expressions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
