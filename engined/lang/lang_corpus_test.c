// Data-driven loader tests. tests/data/workflows/*.yaml (the sample
// workflows with known outcomes) must load, and define the workflow their
// header names, except those whose header says `# expect: INVALID`, which
// must fail with the text of `# expect-state-info-contains:`.
// tests/data/invalid/*.yaml must fail with exactly the lines of the .expect
// file next to each.
#include <glob.h>
#include <libgen.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lang_spec.h"

static char s_data[1024];

static int
s_setup(void **state)
{
    (void)state;
    const char *src = getenv("SR_SOURCE_DIR");
    snprintf(s_data, sizeof s_data, "%s/tests/data", src ? src : "../..");
    return 0;
}

// The whole file (NUL-terminated; caller frees), or NULL.
static char *
s_read(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&buf, &size);
    char chunk[4096];
    size_t n;
    while (mem && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, mem);
    fclose(f);
    if (mem)
        fclose(mem);
    return buf;
}

// The value of a "# key: value" header line (static buffer) or NULL.
static const char *
s_header(const char *text, const char *key)
{
    static char value[512];
    char pat[64];
    snprintf(pat, sizeof pat, "\n# %s: ", key);
    const char *p = strstr(text, pat);
    if (!p && strncmp(text, pat + 1, strlen(pat + 1)) == 0)
        p = text - 1;
    if (!p)
        return NULL;
    p += strlen(pat);
    size_t n = strcspn(p, "\n");
    snprintf(value, sizeof value, "%.*s", (int)n, p);
    return value;
}

// Diagnostics as printed by `sirocco validate` (caller frees).
static char *
s_printed(const lang_diags_t *d, const char *name)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&buf, &size);
    assert_non_null(mem);
    lang_diags_print(d, name, mem);
    fclose(mem);
    return buf;
}

static size_t
s_glob(const char *pattern, glob_t *g)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", s_data, pattern);
    if (glob(path, 0, NULL, g) != 0)
        fail_msg("no files match %s", path);
    return g->gl_pathc;
}

static int
s_check_sample(const char *path)
{
    char *text = s_read(path);
    assert_non_null(text);
    const char *expect = s_header(text, "expect");
    bool invalid = expect && strcmp(expect, "INVALID") == 0;
    char contains[512] = "";
    const char *c = s_header(text, "expect-state-info-contains");
    if (c && strlen(c) >= 2) // a JSON string: drop the quotes
        snprintf(contains, sizeof contains, "%.*s", (int)strlen(c) - 2, c + 1);
    char wf[128] = "";
    if ((c = s_header(text, "workflow")))
        snprintf(wf, sizeof wf, "%s", c);
    lang_diags_t d = {0};
    lang_doc_t *doc = NULL;
    sr_err_t rc = lang_doc_load(path, NULL, &doc, &d);
    char *printed = s_printed(&d, path);
    int bad = 0;
    if (!invalid && rc != SR_OK) {
        print_error("%s: expected valid, got:\n%s", path, printed);
        bad = 1;
    } else if (!invalid && wf[0] && !lang_doc_workflow(doc, wf)) {
        print_error("%s: no workflow '%s'\n", path, wf);
        bad = 1;
    } else if (invalid && (rc != SR_EINVAL || !strstr(printed, contains))) {
        print_error("%s: expected INVALID with \"%s\", got:\n%s", path,
                    contains, printed);
        bad = 1;
    }
    free(printed);
    free(text);
    lang_diags_fini(&d);
    lang_doc_destroy(&doc);
    return bad;
}

static void
test_sample_workflows_load_or_fail_as_their_header_says(void **state)
{
    (void)state;
    glob_t g;
    size_t n = s_glob("workflows/*.yaml", &g);
    int bad = 0, invalid = 0;
    for (size_t i = 0; i < n; i++) {
        bad += s_check_sample(g.gl_pathv[i]);
        char *text = s_read(g.gl_pathv[i]);
        invalid += text && strstr(text, "\n# expect: INVALID") != NULL;
        free(text);
    }
    globfree(&g);
    assert_true(n >= 40);
    assert_true(invalid >= 1);
    assert_int_equal(bad, 0);
}

static void
test_invalid_files_fail_with_the_expected_lines(void **state)
{
    (void)state;
    glob_t g;
    size_t n = s_glob("invalid/*.yaml", &g);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const char *path = g.gl_pathv[i];
        char expect_path[1200], name[256];
        snprintf(expect_path, sizeof expect_path, "%.*s.expect",
                 (int)strlen(path) - 5, path);
        char *copy = strdup(path);
        snprintf(name, sizeof name, "%s", basename(copy));
        free(copy);
        char *expected = s_read(expect_path);
        lang_diags_t d = {0};
        lang_doc_t *doc = NULL;
        sr_err_t rc = lang_doc_load(path, NULL, &doc, &d);
        char *printed = s_printed(&d, name);
        if (!expected || rc != SR_EINVAL || strcmp(printed, expected) != 0) {
            print_error("%s (rc %d):\n--- expected\n%s--- got\n%s", name, rc,
                        expected ? expected : "(no .expect file)\n", printed);
            bad++;
        }
        free(expected);
        free(printed);
        lang_diags_fini(&d);
        lang_doc_destroy(&doc);
    }
    globfree(&g);
    assert_true(n >= 20);
    assert_int_equal(bad, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_sample_workflows_load_or_fail_as_their_header_says),
        cmocka_unit_test(test_invalid_files_fail_with_the_expected_lines),
    };
    return cmocka_run_group_tests(tests, s_setup, NULL);
}
