// Every sample workflow of tests/data/workflows reaches the outcome its
// header states, through the in-process driver. One line per file; the
// test fails listing every difference.
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sim_check.h"
#include "sim_std_runner.h"

static int
s_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

// Sorted names of the .yaml files in `dir`.
static char **
s_list(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    char **names = NULL;
    *n = 0;
    struct dirent *ent;
    while ((ent = readdir(d))) {
        size_t l = strlen(ent->d_name);
        if (l < 6 || strcmp(ent->d_name + l - 5, ".yaml") != 0)
            continue;
        names = realloc(names, (*n + 1) * sizeof *names);
        assert_non_null(names);
        names[(*n)++] = strdup(ent->d_name);
    }
    closedir(d);
    qsort(names, *n, sizeof *names, s_cmp);
    return names;
}

static void
test_samples(void **state)
{
    (void)state;
    const char *src = getenv("SR_SOURCE_DIR");
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/tests/data/workflows", src ? src : "../..");
    size_t n = 0, failed = 0;
    char **names = s_list(dir, &n);
    assert_true(n >= 40);
    sim_runner_t runner;
    sr_error_t err;
    assert_int_equal(sim_std_runner_init(&runner, &err), SR_OK);
    for (size_t i = 0; i < n; i++) {
        char tmp[] = "/tmp/sr-sim-XXXXXX";
        assert_non_null(mkdtemp(tmp));
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        sim_sample_t s;
        assert_int_equal(sim_sample_read(path, &s, &err), SR_OK);
        char *report = NULL;
        size_t bad = sim_sample_check(&s, names[i], tmp, &runner, &report);
        printf("%-58s %s\n%s", names[i], bad ? "FAIL" : "ok",
               report ? report : "");
        failed += bad > 0;
        free(report);
        sim_sample_fini(&s);
        char cmd[200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
        assert_int_equal(system(cmd), 0);
        free(names[i]);
    }
    free(names);
    sim_std_runner_fini(&runner);
    printf("%zu of %zu samples differ\n", failed, n);
    assert_int_equal(failed, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_samples)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
