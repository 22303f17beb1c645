// Helpers of the config reader's tests: a command line read with a table,
// and a problem looked for among those recorded.
#include "sr_cfg_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

sr_err_t
sr_cfg_test_args(const sr_cfg_table_t *table, void *values, sr_cfg_t **cfg,
                 const char *const *args)
{
    char *argv[64] = {(char *)table->program};
    int argc = 1;
    for (; args[argc - 1]; argc++) {
        assert_true(argc < 63);
        argv[argc] = (char *)args[argc - 1];
    }
    sr_cfg_destroy(cfg);
    assert_int_equal(sr_cfg_new(table, values, cfg), SR_OK);
    return sr_cfg_args(*cfg, argc, argv);
}

void
sr_cfg_test_has(const sr_cfg_t *cfg, const char *part)
{
    for (size_t i = 0; i < sr_cfg_nproblems(cfg); i++)
        if (strstr(sr_cfg_problem_at(cfg, i), part))
            return;
    fprintf(stderr, "problems:\n");
    for (size_t i = 0; i < sr_cfg_nproblems(cfg); i++)
        fprintf(stderr, "  %s\n", sr_cfg_problem_at(cfg, i));
    fail_msg("no problem mentions '%s'", part);
}
