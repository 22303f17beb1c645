// Tests of the YAML layer: scalar types as PyYAML resolves them, positions,
// merge keys, and every refusal of hostile input.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lang_src.h"
#include "lang_tree.h"

// Parse and return the first diagnostic as "L:C: msg" ("" when none).
static char s_first[600];
static lang_tree_t *
s_parse(const char *text, const lang_limits_t *lim, sr_err_t expect)
{
    lang_diags_t d = {0};
    lang_tree_t *y = NULL;
    sr_err_t rc = lang_tree_parse(text, strlen(text), lim, &y, &d);
    s_first[0] = '\0';
    if (d.count)
        snprintf(s_first, sizeof s_first, "%d:%d: %s", d.items[0].pos.line,
                 d.items[0].pos.col, d.items[0].msg);
    if (rc != expect)
        fail_msg("rc %d, expected %d; first diag: %s", rc, expect, s_first);
    lang_diags_fini(&d);
    return y;
}

// A problem that leaves a usable tree: reported, and the tree is built.
static void
s_soft(const char *text)
{
    lang_tree_t *y = s_parse(text, NULL, SR_OK);
    assert_non_null(y);
    lang_tree_destroy(&y);
    assert_true(s_first[0] != '\0');
}

static const lang_node_t *
s_get(const lang_tree_t *y, const char *key)
{
    const lang_node_t *n = lang_node_map_get(lang_tree_root(y), key);
    if (!n)
        fail_msg("no key %s", key);
    return n;
}

static void
test_plain_scalars_resolve_like_pyyaml(void **state)
{
    (void)state;
    lang_tree_t *y = s_parse("a: 1\nb: '1'\nc: true\nd: True\ne: yes\n"
                             "f: ~\ng: null\nh:\ni: 1.5\nj: 0x1F\nk: 017\n"
                             "l: 0b101\nm: 1:30\nn: 1_000\no: .inf\n"
                             "p: -.INF\nq: 1e3\nr: 1.0e+3\ns: off\n"
                             "t: 2001-12-14\nu: \"2\"\nv: +.5\nw: -1:30.5\n"
                             "x: 0o17\ny: 1.\nz: !!str 12\n",
                             NULL, SR_OK);
    assert_int_equal(sr_value_int(s_get(y, "a")->value), 1);
    assert_true(sr_value_is(s_get(y, "b")->value, SR_T_STR));
    assert_true(sr_value_bool(s_get(y, "c")->value));
    assert_true(sr_value_bool(s_get(y, "d")->value));
    assert_true(sr_value_bool(s_get(y, "e")->value));
    assert_true(sr_value_is(s_get(y, "f")->value, SR_T_NIL));
    assert_true(sr_value_is(s_get(y, "g")->value, SR_T_NIL));
    assert_true(sr_value_is(s_get(y, "h")->value, SR_T_NIL));
    assert_true(sr_value_float(s_get(y, "i")->value) == 1.5);
    assert_int_equal(sr_value_int(s_get(y, "j")->value), 31);
    assert_int_equal(sr_value_int(s_get(y, "k")->value), 15);
    assert_int_equal(sr_value_int(s_get(y, "l")->value), 5);
    assert_int_equal(sr_value_int(s_get(y, "m")->value), 90);
    assert_int_equal(sr_value_int(s_get(y, "n")->value), 1000);
    assert_true(sr_value_float(s_get(y, "o")->value) > 1e308);
    assert_true(sr_value_float(s_get(y, "p")->value) < -1e308);
    assert_string_equal(s_get(y, "q")->str, "1e3"); // PyYAML: a string
    assert_true(sr_value_float(s_get(y, "r")->value) == 1000.0);
    assert_false(sr_value_bool(s_get(y, "s")->value));
    assert_true(sr_value_is(s_get(y, "s")->value, SR_T_BOOL));
    assert_string_equal(s_get(y, "t")->str, "2001-12-14");
    assert_true(sr_value_is(s_get(y, "u")->value, SR_T_STR));
    assert_true(sr_value_is(s_get(y, "v")->value, SR_T_STR));
    assert_true(sr_value_float(s_get(y, "w")->value) == -90.5);
    assert_true(sr_value_is(s_get(y, "x")->value, SR_T_STR));
    assert_true(sr_value_float(s_get(y, "y")->value) == 1.0);
    assert_true(sr_value_is(s_get(y, "z")->value, SR_T_STR));
    lang_tree_destroy(&y);
}

static void
test_explicit_tags_force_types(void **state)
{
    (void)state;
    lang_tree_t *y = s_parse("a: !!int '12'\nb: !!float 1\nc: !!bool Yes\n"
                             "d: !!null x\ne: ! 12\nf: !!str true\n",
                             NULL, SR_OK);
    assert_int_equal(sr_value_int(s_get(y, "a")->value), 12);
    assert_true(sr_value_is(s_get(y, "b")->value, SR_T_FLOAT));
    assert_true(sr_value_bool(s_get(y, "c")->value));
    assert_true(sr_value_is(s_get(y, "d")->value, SR_T_NIL));
    assert_string_equal(s_get(y, "e")->str, "12");
    assert_string_equal(s_get(y, "f")->str, "true");
    lang_tree_destroy(&y);
    s_soft("a: !!int abc\n");
    assert_string_equal(s_first, "1:4: not an integer: 'abc' with tag "
                                 "tag:yaml.org,2002:int");
}

static void
test_nodes_keep_line_and_column(void **state)
{
    (void)state;
    lang_tree_t *y = s_parse("version: '2.0'\nwf:\n  tasks:\n    t1:\n"
                             "      action: \"std.noop\"\n",
                             NULL, SR_OK);
    const lang_node_t *wf = s_get(y, "wf");
    const lang_node_t *t1 =
        lang_node_map_get(lang_node_map_get(wf, "tasks"), "t1");
    const lang_node_t *act = lang_node_map_get(t1, "action");
    assert_int_equal(act->pos.line, 5);
    assert_int_equal(act->pos.col, 15);
    assert_int_equal(act->style, LANG_STYLE_DOUBLE);
    assert_int_equal(lang_node_map_key(t1, 0)->pos.col, 7);
    assert_int_equal(lang_tree_pos(y, act->offset).line, 5);
    assert_int_equal(lang_tree_pos(y, act->offset).col, 15);
    lang_tree_destroy(&y);
}

static void
test_merge_keys_apply_and_explicit_keys_win(void **state)
{
    (void)state;
    lang_tree_t *y = s_parse("base: &b {x: 1, y: 2}\n"
                             "other: &o {y: 3, z: 4}\n"
                             "m:\n  <<: [*b, *o]\n  x: 9\n",
                             NULL, SR_OK);
    const lang_node_t *m = s_get(y, "m");
    assert_int_equal(lang_node_map_len(m), 3);
    assert_int_equal(sr_value_int(lang_node_map_get(m, "x")->value), 9);
    assert_int_equal(sr_value_int(lang_node_map_get(m, "y")->value), 2);
    assert_int_equal(sr_value_int(lang_node_map_get(m, "z")->value), 4);
    lang_tree_destroy(&y);
    s_parse("a: {<<: 1}\n", NULL, SR_EINVAL);
    assert_string_equal(s_first, "1:9: the merge key '<<' needs a mapping "
                                 "or a list of mappings");
}

static void
test_duplicate_keys_are_errors_named_by_context(void **state)
{
    (void)state;
    s_soft("a: 1\nb: 2\na: 3\n");
    assert_string_equal(s_first, "3:1: duplicate key 'a' (first at 1:1)");
    s_soft("wf:\n  tasks:\n    t1: {}\n    t1: {}\n");
    assert_string_equal(s_first,
                        "4:5: duplicate task name 't1' (first at 3:5)");
    s_soft("m: {<<: {a: 1}, b: 1, b: 2}\n");
    assert_string_equal(s_first, "1:23: duplicate key 'b' (first at 1:17)");
}

static void
test_alias_bomb_is_refused(void **state)
{
    (void)state;
    const char *bomb = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                       "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                       "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
    s_parse(bomb, NULL, SR_EINVAL);
    assert_non_null(strstr(s_first, "more than 100000 YAML nodes after "
                                    "alias expansion"));
    lang_limits_t lim = {.max_nodes = 50};
    s_parse("a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [*a, *a, *a, *a, "
            "*a]\n",
            &lim, SR_EINVAL);
    assert_string_equal(s_first, "2:4: more than 50 YAML nodes after alias "
                                 "expansion (alias bomb?)");
}

static void
test_deep_nesting_is_refused(void **state)
{
    (void)state;
    char text[400];
    memset(text, '[', 100);
    text[100] = '\0';
    s_parse(text, NULL, SR_EINVAL);
    assert_string_equal(s_first, "1:65: YAML nesting is deeper than 64 levels");
    lang_limits_t lim = {.max_depth = 3};
    s_parse("a: &a [[1]]\nb: [*a]\n", &lim, SR_EINVAL);
    assert_string_equal(s_first, "1:1: YAML nesting is deeper than 3 levels "
                                 "(after alias expansion)");
}

static void
test_hostile_files_are_refused_clearly(void **state)
{
    (void)state;
    lang_limits_t lim = {.max_bytes = 10};
    s_parse("version: '2.0'\n", &lim, SR_EINVAL);
    assert_string_equal(s_first, "0:0: the file is 15 bytes, over the limit "
                                 "of 10 bytes");
    s_parse("a: 1\nb: \xc3\x28\n", NULL, SR_EINVAL);
    assert_string_equal(s_first,
                        "2:4: the file is not valid UTF-8 (byte 0xc3)");
    s_parse("a: 1\n---\nb: 2\n", NULL, SR_EINVAL);
    assert_string_equal(s_first, "2:1: the file holds more than one YAML "
                                 "document; put each in its own file");
    s_parse("a: *nope\n", NULL, SR_EINVAL);
    assert_string_equal(s_first, "1:4: unknown alias '*nope'");
    s_parse("a: &x [1, *x]\n", NULL, SR_EINVAL);
    assert_string_equal(s_first, "1:11: alias '*x' refers to a node that "
                                 "contains it (recursive alias)");
    s_soft("a: !!python/object foo\n");
    assert_string_equal(s_first, "1:4: unsupported YAML tag: 'foo' with tag "
                                 "tag:yaml.org,2002:python/object");
    s_soft("a: 99999999999999999999\n");
    assert_string_equal(s_first, "1:4: integer out of the 64-bit range: "
                                 "'99999999999999999999'");
    s_parse("a: [1, 2\nb: 3\n", NULL, SR_EINVAL);
    assert_non_null(strstr(s_first, "YAML syntax error"));
    s_parse("? [a]\n: 1\n", NULL, SR_EINVAL);
    assert_string_equal(s_first, "1:3: a mapping key must be a scalar, not a "
                                 "sequence");
}

static void
test_documents_markers_and_empty_streams(void **state)
{
    (void)state;
    lang_tree_t *y = s_parse("# comment\n---\na: 1\n...\n", NULL, SR_OK);
    assert_int_equal(sr_value_int(s_get(y, "a")->value), 1);
    lang_tree_destroy(&y);
    y = s_parse("# nothing\n", NULL, SR_OK);
    assert_null(lang_tree_root(y));
    lang_tree_destroy(&y);
    y = s_parse("\xef\xbb\xbf"
                "a: 1\n",
                NULL, SR_OK);
    assert_int_equal(s_get(y, "a")->pos.col, 5); // the BOM is a column
    assert_int_equal(lang_tree_pos(y, s_get(y, "a")->offset).col, 5);
    lang_tree_destroy(&y);
}

static void
test_source_offsets_walk_long_lines_both_ways(void **state)
{
    (void)state;
    const char *text = "a: [caf\xc3\xa9, b, c]\nx: 1\r\ny: 2\n";
    lang_src_t src;
    lang_pos_t bad;
    unsigned byte;
    assert_int_equal(lang_src_init(&src, text, strlen(text), &bad, &byte),
                     SR_OK);
    assert_int_equal(src.nlines, 4);
    assert_int_equal(lang_src_offset(&src, 0, 10), 11); // 'b' after "é"
    assert_int_equal(lang_src_offset(&src, 0, 13), 14); // 'c', from cache
    assert_int_equal(lang_src_offset(&src, 0, 4), 4);   // backwards
    assert_int_equal(lang_src_offset(&src, 1, 3), 20);
    assert_int_equal(lang_src_offset(&src, 2, 0), 23); // after CRLF
    assert_int_equal(lang_src_offset(&src, 9, 0), strlen(text));
    lang_pos_t p = lang_src_pos(&src, 14);
    assert_int_equal(p.line, 1);
    assert_int_equal(p.col, 14);
    lang_src_fini(&src);
    assert_int_equal(lang_src_init(&src, "ok\n\xed\xa0\x80", 6, &bad, &byte),
                     SR_EINVAL); // a UTF-16 surrogate is not UTF-8
    assert_int_equal(bad.line, 2);
    assert_int_equal(byte, 0xed);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_scalars_resolve_like_pyyaml),
        cmocka_unit_test(test_explicit_tags_force_types),
        cmocka_unit_test(test_nodes_keep_line_and_column),
        cmocka_unit_test(test_merge_keys_apply_and_explicit_keys_win),
        cmocka_unit_test(test_duplicate_keys_are_errors_named_by_context),
        cmocka_unit_test(test_alias_bomb_is_refused),
        cmocka_unit_test(test_deep_nesting_is_refused),
        cmocka_unit_test(test_hostile_files_are_refused_clearly),
        cmocka_unit_test(test_documents_markers_and_empty_streams),
        cmocka_unit_test(test_source_offsets_walk_long_lines_both_ways),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
