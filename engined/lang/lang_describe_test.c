// A workflow's input as Mistral's API shows it: names, then defaults as
// written (strings), as JSON (other values) or as their source
// (templates); nothing for a workflow without input.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lang_describe.h"
#include "lang_load_test_util.h"

static void
the_input_line_names_each_parameter_with_its_default(void **state)
{
    (void)state;
    lang_doc_t *doc = lt_load("version: '2.0'\n"
                              "one:\n"
                              "  input:\n"
                              "    - x\n"
                              "    - y: 2\n"
                              "    - z: text\n"
                              "    - w: [1, 2]\n"
                              "    - m: {k: true}\n"
                              "    - n: null\n"
                              "    - e: <% 1 + 1 %>\n"
                              "  tasks:\n    t: {action: std.noop}\n"
                              "two:\n  tasks:\n    t: {action: std.noop}\n");
    sr_value_t *v = NULL;
    assert_int_equal(lang_workflow_input_text(lt_wf(doc, "one"), &v), SR_OK);
    assert_string_equal(sr_value_str(v), "x, y=2, z=text, w=[1, 2], "
                                         "m={\"k\": true}, n=null, "
                                         "e=<% 1 + 1 %>");
    sr_value_destroy(&v);
    assert_int_equal(lang_workflow_input_text(lt_wf(doc, "two"), &v), SR_OK);
    assert_string_equal(sr_value_str(v), "");
    sr_value_destroy(&v);
    lang_doc_destroy(&doc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_input_line_names_each_parameter_with_its_default),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
