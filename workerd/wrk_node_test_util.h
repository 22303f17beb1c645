// What the worker node tests share (linked into tests only): a temporary
// folder, a fake engine, a registry and a node configured for fast,
// bounded tests, plus waits on the node's counters.
//
// Thread rule: one test thread.
#ifndef WRK_NODE_TEST_UTIL_H
#define WRK_NODE_TEST_UTIL_H

#include "wrk_fake_engine.h"
#include "wrk_node.h"
#include "wrk_registry.h"

struct CMUnitTest; // cmocka.h

typedef struct {
    char *dir;
    fe_t fe, fe2; // fe2 is opened by tests that need two engines
    wrk_registry_t *reg;
    wrk_node_t *node;
    const char *engines[2];
    wrk_node_config_t cfg; // name w1, 2 slots, engine fe, short times
} nt_env_t;

// cmocka setup / teardown (the teardown stops the node), and a test of
// the table run between them.
int nt_setup(void **state);
int nt_teardown(void **state);
#define NT_TEST(f) cmocka_unit_test_setup_teardown(f, nt_setup, nt_teardown)

// Run the node tests of `tests[0..n)` with logs off unless
// SIROCCO_LOG_LEVEL is set; returns the failures (the exit code).
int nt_run_tests(const struct CMUnitTest *tests, size_t n);
#define NT_RUN_TESTS(tests) nt_run_tests(tests, sizeof tests / sizeof *tests)

// Start the node with env->cfg; nt_start_ready also takes its READY.
void nt_start(nt_env_t *env);
void nt_start_ready(nt_env_t *env);

wrk_node_stats_t nt_stats(nt_env_t *env);

// Wait (bounded by FE_WAIT_MS) until the node's counters `st` satisfy
// `cond`; fails the test naming the condition.
#define NT_WAIT_STATS(env, st, cond)                                           \
    do {                                                                       \
        int64_t end_ = zclock_mono() + FE_WAIT_MS;                             \
        for (;;) {                                                             \
            st = nt_stats(env);                                                \
            if (cond)                                                          \
                break;                                                         \
            if (zclock_mono() > end_)                                          \
                fail_msg("node stats: '%s' not true within %d ms", #cond,      \
                         FE_WAIT_MS);                                          \
            zclock_sleep(2);                                                   \
        }                                                                      \
    } while (0)

// A TASK for `action` from fake engine `fe`, its CONFIRM there, and GO:
// the action runs. *id gets its id.
void nt_go_on(fe_t *fe, const char *action, const char *input, sr_id_t *id);

// One action through TASK, CONFIRM, GO, RESULT (of `status`), ACK;
// returns the RESULT (caller owns).
sr_msg_t *nt_run(nt_env_t *env, const char *action, const char *input,
                 const char *status);

// Assert that field `f` of `m`, as compact JSON, is `json`.
void nt_assert_field_json(const sr_msg_t *m, sr_field_t f, const char *json);

#endif
