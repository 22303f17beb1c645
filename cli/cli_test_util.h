// Support for the tests of the sirocco cluster commands: two fake engines
// (the client tests' fixture) and the built binary run against them.
#ifndef CLI_TEST_UTIL_H
#define CLI_TEST_UTIL_H

#include <stddef.h>

#include "sr_client_test_util.h"
#include "sr_value.h"

extern sr_fx_t cli_fx;      // the engines and the temp folder
extern char cli_out[65536]; // stdout of the last run
extern char cli_err[65536]; // stderr of the last run

// cmocka setup and teardown: start and stop the engines (0 on success).
int cli_test_setup(void **state);
int cli_test_teardown(void **state);

// Run `sirocco ARGS` in the temp folder with $SIROCCO_CLUSTER naming both
// engines; returns the exit code. ARGS go through the shell.
int cli_test_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
// $SIROCCO_CLUSTER for the next runs (borrowed; NULL = both engines).
void cli_test_set_cluster(const char *value);
// Fail unless `part` is in `text`.
void cli_test_has(const char *text, const char *part);
// cli_out parsed as JSON; fails the test when it is not.
sr_value_t *cli_test_json_out(void);
// Write a file in the temp folder.
void cli_test_write(const char *name, const char *text);

#endif
