// Helpers of the config reader's tests, shared by the daemons' settings
// tests (cmocka): read a command line with a table, and look for a
// problem. Thread rule: one thread.
#ifndef SR_CFG_TEST_UTIL_H
#define SR_CFG_TEST_UTIL_H

#include "sr_cfg.h"

// Read `args` (NULL-terminated; the program name is added) into `values`
// with a new reader, left in *cfg for the problems (the one there before
// is destroyed; destroy the last one). Returns what sr_cfg_args returns.
sr_err_t sr_cfg_test_args(const sr_cfg_table_t *table, void *values,
                          sr_cfg_t **cfg, const char *const *args);

// Fail the test, listing the problems, unless one of them contains `part`.
void sr_cfg_test_has(const sr_cfg_t *cfg, const char *part);

#endif
