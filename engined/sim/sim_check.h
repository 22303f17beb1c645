// Checking a sample workflow against the outcome its header states (the
// `# key: value` lines above `---`, see tests/data/workflows/README.md):
// load it into a sim, run it to its end, compare. Used by the sample test
// and by the crash test.
#ifndef SIM_CHECK_H
#define SIM_CHECK_H

#include <stddef.h>

#include "sim.h"

// The header of one sample file. Values are the raw text after "key: ".
typedef struct {
    char *text; // the whole file (owned)
    size_t len;
    const char *keys[32];
    char *vals[32]; // owned
    size_t n;
} sim_sample_t;

sr_err_t sim_sample_read(const char *path, sim_sample_t *out, sr_error_t *err);
void sim_sample_fini(sim_sample_t *s);
// The value for `key`, or NULL.
const char *sim_sample_get(const sim_sample_t *s, const char *key);

// Mismatch lines, growing.
typedef struct {
    char *text;
    size_t len, count;
} sim_report_t;
void sim_report_add(sim_report_t *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

// Define the sample's document and start its workflow with the header's
// input, env and task_name. SR_EINVAL when the document is invalid.
sr_err_t sim_sample_start(sim_t *sim, const sim_sample_t *s, const char *file,
                          sr_id_t *id, sr_error_t *err);
// Compare the execution with the header's expect-* lines (the state with
// `expect`); returns the number of mismatches added to `rep`.
size_t sim_sample_compare(sim_t *sim, const sim_sample_t *s, const sr_id_t *id,
                          sim_report_t *rep);
// For `after-resume`: resume, run to the end and compare the state.
size_t sim_sample_resume(sim_t *sim, const sim_sample_t *s, const sr_id_t *id,
                         sim_report_t *rep);

// Run the sample in a new sim over folder `dir`, its actions run by
// `runner`, and compare. Returns the number of mismatches, each described
// on one line in `report` (a malloc'd text the caller frees; may be NULL
// when there is none).
size_t sim_sample_check(const sim_sample_t *s, const char *file,
                        const char *dir, const sim_runner_t *runner,
                        char **report);

#endif
