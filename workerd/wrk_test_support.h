// Helpers shared by the workerd unit tests (linked into tests only):
// temporary folders with executable scripts, running an action from JSON
// text, checking results, and a timer thread that sets a cancel handle.
#ifndef WRK_TEST_SUPPORT_H
#define WRK_TEST_SUPPORT_H

#include <pthread.h>
#include <stdint.h>

#include "sr_value.h"
#include "wrk_cancel.h"
#include "wrk_registry.h"

// A new empty folder under $TMPDIR (or /tmp). Caller frees with wt_rmtree.
char *wt_tmpdir(void);
// Remove the folder and everything in it; frees *dir and sets it to NULL.
void wt_rmtree(char **dir);
// Write `text` to dir/name with mode 0755 (0644 when !is_exec).
void wt_write_file(const char *dir, const char *name, const char *text,
                   int is_exec);

// Parse JSON text; fails the test when invalid. Caller owns the value.
sr_value_t *wt_json(const char *text);

// Run `action` with input given as JSON text (NULL = no input), context
// as JSON text (NULL = none), deadline as ms from now (0 = none).
wrk_result_t wt_run(const wrk_registry_t *reg, const char *action,
                    const char *input_json, const char *context_json,
                    int64_t deadline_in_ms, wrk_cancel_t *cancel);

// Assert the status, and that the value as compact JSON equals `json`.
void wt_assert_result(const wrk_result_t *r, int status, const char *json);
// Assert ERROR with a string value containing `part`.
void wt_assert_error_has(const wrk_result_t *r, const char *part);

// Set `cancel` after `ms` milliseconds from a thread; join with
// wt_timer_join.
typedef struct {
    pthread_t thread;
    wrk_cancel_t *cancel;
    int64_t ms;
} wt_timer_t;
void wt_timer_start(wt_timer_t *t, wrk_cancel_t *cancel, int64_t ms);
void wt_timer_join(wt_timer_t *t);

#endif
