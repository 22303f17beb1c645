// Tests of lang_doc_load: the size limit is checked before reading, and
// unreadable paths give clear messages without a position.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lang_spec.h"

static char s_dir[64];

static int
s_setup(void **state)
{
    (void)state;
    snprintf(s_dir, sizeof s_dir, "/tmp/sirocco-lang-XXXXXX");
    return mkdtemp(s_dir) ? 0 : -1;
}

static int
s_teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *
s_path(const char *name, const char *text)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", s_dir, name);
    if (text) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
    }
    return path;
}

static void
s_expect(const char *path, const lang_limits_t *lim, sr_err_t rc,
         const char *msg)
{
    lang_diags_t d = {0};
    lang_doc_t *doc = NULL;
    assert_int_equal(lang_doc_load(path, lim, &doc, &d), rc);
    assert_null(doc);
    assert_int_equal(d.count, 1);
    assert_int_equal(d.items[0].pos.line, 0);
    assert_string_equal(d.items[0].msg, msg);
    lang_diags_fini(&d);
}

static void
test_files_load_and_limits_apply_before_reading(void **state)
{
    (void)state;
    const char *text = "version: '2.0'\nwf:\n  tasks:\n    t1: {}\n";
    const char *path = s_path("ok.yaml", text);
    lang_diags_t d = {0};
    lang_doc_t *doc = NULL;
    assert_int_equal(lang_doc_load(path, NULL, &doc, &d), SR_OK);
    assert_string_equal(lang_doc_text(doc), text);
    lang_doc_destroy(&doc);
    lang_limits_t lim = {.max_bytes = 16};
    s_expect(path, &lim, SR_EINVAL,
             "the file is 39 bytes, over the limit of 16 bytes");
}

static void
test_unreadable_paths_are_reported(void **state)
{
    (void)state;
    s_expect(s_path("nope.yaml", NULL), NULL, SR_EIO,
             "cannot read the file: No such file or directory");
    s_expect(s_dir, NULL, SR_EIO, "cannot read the file: it is a directory");
    lang_diags_t d = {0};
    lang_doc_t *doc = NULL;
    assert_int_equal(lang_doc_load("/dev/null", NULL, &doc, &d), SR_EINVAL);
    assert_int_equal(d.count, 1);
    assert_string_equal(d.items[0].msg, "a workflow file must be a map: "
                                        "version: '2.0' and workflows (or a "
                                        "workbook)");
    lang_diags_fini(&d);
}

static void
test_diagnostics_print_with_and_without_position(void **state)
{
    (void)state;
    lang_diags_t d = {0};
    lang_doc_t *doc = NULL;
    const char *text = "version: '2.0'\nwf:\n  tasks:\n    t1: {on-success: "
                       "x}\n    t2: {action: 1}\n";
    assert_int_equal(
        lang_doc_parse("f.yaml", text, strlen(text), NULL, &doc, &d),
        SR_EINVAL);
    lang_pos_t none = {0, 0};
    d.items[0].pos = none; // as for a file that cannot be read
    char *buf = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&buf, &size);
    lang_diags_print(&d, "f.yaml", mem);
    fclose(mem);
    assert_string_equal(buf, "f.yaml: Task 'x' not found\n"
                             "f.yaml:5:18: 'action' must be a non-empty "
                             "string\n");
    free(buf);
    lang_diags_fini(&d);
    lang_diags_fini(&d); // twice is fine
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files_load_and_limits_apply_before_reading),
        cmocka_unit_test(test_unreadable_paths_are_reported),
        cmocka_unit_test(test_diagnostics_print_with_and_without_position),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
