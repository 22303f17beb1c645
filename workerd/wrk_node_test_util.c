// Shared set-up of the worker node tests: temporary folder, fake engine,
// registry and a node with short times. Tests only; one thread.
#include "wrk_node_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sr_log.h"
#include "wrk_test_support.h"

int
nt_setup(void **state)
{
    nt_env_t *env = calloc(1, sizeof *env);
    assert_non_null(env);
    env->dir = wt_tmpdir();
    fe_open(&env->fe, env->dir, "engine1");
    sr_error_t err;
    assert_int_equal(wrk_registry_new(NULL, &env->reg, &err), SR_OK);
    env->engines[0] = env->fe.endpoint;
    env->cfg = (wrk_node_config_t){
        .name = "w1",
        .slots = 2,
        .engines = env->engines,
        .n_engines = 1,
        .heartbeat_ms = 100,
        .expiry_ms = 3000,
        .resend_ms = 5000,
        .grace_ms = 300,
        .registry = env->reg,
    };
    *state = env;
    return 0;
}

int
nt_run_tests(const struct CMUnitTest *tests, size_t n)
{
    if (!getenv("SIROCCO_LOG_LEVEL"))
        sr_log_set_level(SR_LOG_OFF);
    return _cmocka_run_group_tests("node", tests, n, NULL, NULL);
}

int
nt_teardown(void **state)
{
    nt_env_t *env = *state;
    wrk_node_stop(&env->node);
    fe_close(&env->fe);
    fe_close(&env->fe2);
    wrk_registry_destroy(&env->reg);
    wt_rmtree(&env->dir);
    free(env);
    return 0;
}

void
nt_start(nt_env_t *env)
{
    sr_error_t err;
    sr_err_t rc = wrk_node_start(&env->cfg, &env->node, &err);
    if (rc)
        fail_msg("node start: %s %s %s", sr_strerror(rc), err.where, err.msg);
}

void
nt_start_ready(nt_env_t *env)
{
    nt_start(env);
    sr_msg_t *ready = fe_expect(&env->fe, SR_MSG_READY);
    sr_msg_destroy(&ready);
}

wrk_node_stats_t
nt_stats(nt_env_t *env)
{
    wrk_node_stats_t st;
    sr_error_t err;
    assert_int_equal(wrk_node_stats(env->node, &st, &err), SR_OK);
    return st;
}

void
nt_go_on(fe_t *fe, const char *action, const char *input, sr_id_t *id)
{
    fe_send_task(fe, action, input, id);
    fe_expect_confirm(fe, id);
    fe_send_go(fe, id, 1);
}

sr_msg_t *
nt_run(nt_env_t *env, const char *action, const char *input, const char *status)
{
    sr_id_t id;
    nt_go_on(&env->fe, action, input, &id);
    sr_msg_t *result = fe_expect_result(&env->fe, &id, status);
    fe_send_ack(&env->fe, &id, 1);
    return result;
}

void
nt_assert_field_json(const sr_msg_t *m, sr_field_t f, const char *json)
{
    char *got = fe_json(m, f);
    assert_string_equal(got, json);
    free(got);
}
