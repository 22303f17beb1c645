// Definitions Mistral rejects on upload, with Sirocco's message and
// position: a transition list naming the same entry twice (uniqueItems in
// Mistral's schema), and workflow names with spaces.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lang_load_test_util.h"

static void
test_repeated_transition_items_are_rejected(void **state)
{
    (void)state;
    assert_string_equal(lt_errors("version: '2.0'\n"
                                  "wf:\n"
                                  "  tasks:\n"
                                  "    a:\n"
                                  "      on-success: [b, b]\n"
                                  "    b: {}\n"),
                        "5:23: 'on-success' has non-unique elements (item 2 "
                        "repeats item 1)\n");
    assert_string_equal(lt_errors("version: '2.0'\n"
                                  "wf:\n"
                                  "  task-defaults:\n"
                                  "    on-error:\n"
                                  "      - b: <% $.x %>\n"
                                  "      - fail\n"
                                  "      - b: <% $.x %>\n"
                                  "  tasks:\n"
                                  "    a: {}\n"
                                  "    b: {}\n"),
                        "7:9: 'on-error' has non-unique elements (item 3 "
                        "repeats item 1)\n");
    // The same task with different conditions is two items.
    lang_doc_t *doc = lt_load("version: '2.0'\n"
                              "wf:\n"
                              "  tasks:\n"
                              "    a:\n"
                              "      on-complete:\n"
                              "        - b: <% $.x = 1 %>\n"
                              "        - b: <% $.x = 2 %>\n"
                              "    b: {}\n");
    lang_doc_destroy(&doc);
}

static void
test_workflow_names_with_spaces_are_rejected(void **state)
{
    (void)state;
    assert_string_equal(lt_errors("version: '2.0'\n"
                                  "wf name:\n"
                                  "  tasks:\n"
                                  "    t1: {}\n"),
                        "2:1: Name 'wf name' must not contain spaces\n");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repeated_transition_items_are_rejected),
        cmocka_unit_test(test_workflow_names_with_spaces_are_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
