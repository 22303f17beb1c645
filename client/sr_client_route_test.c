// Tests of routing in a cluster of two fake engines (A owns partitions 0
// and 1, B owns 2 and 3): requests reach the owner of their partition,
// new executions go round-robin, a moved partition is found again, lists
// from both are merged; and unit tests of the partition map and merging.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "sr_client_body.h"
#include "sr_client_route.h"
#include "sr_client_test_util.h"
#include "sr_value_json.h"

#define T SR_FX_WAIT_MS

static sr_fx_t s_fx;

static int
s_setup(void **state)
{
    (void)state;
    return sr_fx_setup(&s_fx);
}

static int
s_teardown(void **state)
{
    (void)state;
    sr_fx_teardown(&s_fx);
    return 0;
}

// Fresh engines for each test, so request counts start at zero.
static int
s_each(void **state)
{
    s_teardown(state);
    return s_setup(state);
}

static size_t
s_count(int engine, sr_msg_type_t type)
{
    return sr_fake_engine_count(s_fx.fe[engine], type);
}

static void
requests_about_an_execution_go_to_the_owner_of_its_partition(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open_connected(s_fx.both);
    sr_id_t on_b = sr_fx_id(2, 0), on_a = sr_fx_id(0, 0);
    sr_fake_engine_add_execution(s_fx.fe[1], &on_b, "wf", "RUNNING");
    sr_fake_engine_add_execution(s_fx.fe[0], &on_a, "wf", "RUNNING");
    sr_fake_engine_add_task(s_fx.fe[1], &on_b, "t1", "RUNNING");
    sr_value_t *v = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_ex_get(c, sr_fx_text(&on_b, 0), T, &v, &err), &err);
    sr_value_destroy(&v);
    assert_int_equal(s_count(0, SR_MSG_EX_GET), 0);
    assert_int_equal(s_count(1, SR_MSG_EX_GET), 1);
    sr_fx_ok(sr_client_ex_get(c, sr_fx_text(&on_a, 1), T, &v, &err), &err);
    sr_value_destroy(&v);
    sr_fx_ok(sr_client_task_list(c, sr_fx_text(&on_b, 0), T, &v, &err), &err);
    assert_int_equal(sr_value_len(v), 1);
    sr_value_destroy(&v);
    sr_fx_ok(sr_client_ex_pause(c, sr_fx_text(&on_b, 0), NULL, T, NULL, &err),
             &err);
    assert_int_equal(s_count(0, SR_MSG_EX_GET), 1);
    assert_int_equal(s_count(1, SR_MSG_EX_GET), 1);
    assert_int_equal(s_count(1, SR_MSG_TASK_LIST), 1);
    assert_int_equal(s_count(1, SR_MSG_EX_PAUSE), 1);
    assert_int_equal(s_count(0, SR_MSG_TASK_LIST) + s_count(0, SR_MSG_EX_PAUSE),
                     0);
    // The map was learnt once, from both engines.
    assert_int_equal(s_count(0, SR_MSG_STATUS), 2); // one from the fixture
    assert_int_equal(s_count(1, SR_MSG_STATUS), 2);

    sr_id_t action = sr_fx_id(3, 0);
    sr_fake_engine_add_action(s_fx.fe[1], sr_fx_text(&action, 2));
    sr_client_completion_t cp = {.action_id = sr_fx_text(&action, 2)};
    sr_fx_ok(sr_client_complete(c, &cp, T, NULL, &err), &err);
    assert_int_equal(s_count(1, SR_MSG_COMPLETE), 1);
    assert_int_equal(s_count(0, SR_MSG_COMPLETE), 0);
    sr_client_close(&c);
}

// A client on both engines, once connected, that stored workflow "wf".
static sr_client_t *
s_open_with_wf(void)
{
    sr_client_t *c = sr_fx_open_connected(s_fx.both);
    sr_value_t *v = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_wf_create(c, "version: '2.0'\nwf:\n  tasks: {}\n", T, &v,
                                 &err),
             &err);
    sr_value_destroy(&v);
    return c;
}

static void
new_executions_go_to_the_engines_in_turn(void **state)
{
    (void)state;
    sr_client_t *c = s_open_with_wf();
    sr_value_t *v = NULL;
    sr_error_t err;
    assert_int_equal(s_count(0, SR_MSG_WF_CREATE), 1);
    assert_int_equal(s_count(1, SR_MSG_WF_CREATE), 1);
    sr_client_start_t st = {.workflow = "wf"};
    for (int i = 0; i < 4; i++) {
        sr_fx_ok(sr_client_ex_start(c, &st, T, &v, &err), &err);
        sr_value_destroy(&v);
    }
    assert_int_equal(s_count(0, SR_MSG_EX_START), 2);
    assert_int_equal(s_count(1, SR_MSG_EX_START), 2);

    st.has_partition = true;
    st.partition = 3;
    sr_fx_ok(sr_client_ex_start(c, &st, T, &v, &err), &err);
    sr_id_t id;
    assert_int_equal(sr_id_parse(sr_value_map_str(v, "id"), &id), SR_OK);
    assert_int_equal(sr_id_partition(&id), 3);
    sr_value_destroy(&v);
    assert_int_equal(s_count(1, SR_MSG_EX_START), 3);
    sr_client_close(&c);
}

// A start with the caller's id goes to the owner of the id's partition,
// retried or not; new ids are made in the partitions the engines hold.
static void
a_start_with_an_id_goes_to_the_owner_of_its_partition(void **state)
{
    (void)state;
    sr_client_t *c = s_open_with_wf();
    sr_value_t *v = NULL;
    sr_error_t err;
    sr_id_t on_b = sr_fx_id(2, 0), on_a = sr_fx_id(1, 0);
    sr_client_start_t st = {.workflow = "wf", .id = sr_fx_text(&on_b, 0)};
    for (int i = 0; i < 2; i++) {
        sr_fx_ok(sr_client_ex_start(c, &st, T, &v, &err), &err);
        assert_string_equal(sr_value_map_str(v, "id"), sr_fx_text(&on_b, 0));
        sr_value_destroy(&v);
    }
    st.id = sr_fx_text(&on_a, 1);
    sr_fx_ok(sr_client_ex_start(c, &st, T, &v, &err), &err);
    sr_value_destroy(&v);
    assert_int_equal(s_count(1, SR_MSG_EX_START), 2);
    assert_int_equal(s_count(0, SR_MSG_EX_START), 1);
    bool seen[4] = {false};
    for (int i = 0; i < 40; i++) {
        char id[SR_CLIENT_ID_SIZE];
        sr_id_t made;
        sr_fx_ok(sr_client_ex_new_id(c, T, id, &err), &err);
        assert_int_equal(sr_id_parse(id, &made), SR_OK);
        assert_int_equal(sr_id_check_layout(&made, NULL), SR_OK);
        assert_true(sr_id_partition(&made) < 4);
        seen[sr_id_partition(&made)] = true;
    }
    // Both engines were asked in turn (40 draws miss a partition with a
    // chance of 4 x 2^-20).
    assert_true(seen[0] && seen[1] && seen[2] && seen[3]);
    sr_client_close(&c);
}

static void
a_moved_partition_is_found_again_after_eunavail(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open_connected(s_fx.both);
    sr_id_t on_a = sr_fx_id(0, 0), moved = sr_fx_id(2, 0);
    sr_fake_engine_add_execution(s_fx.fe[0], &on_a, "wf", "RUNNING");
    sr_value_t *v = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_ex_get(c, sr_fx_text(&on_a, 0), T, &v, &err), &err);
    sr_value_destroy(&v);

    static const uint16_t a[] = {0, 1, 2}, b[] = {3};
    sr_fake_engine_set_partitions(s_fx.fe[0], a, 3);
    sr_fake_engine_set_partitions(s_fx.fe[1], b, 1);
    sr_fake_engine_add_execution(s_fx.fe[0], &moved, "wf", "RUNNING");
    sr_fx_ok(sr_client_ex_get(c, sr_fx_text(&moved, 1), T, &v, &err), &err);
    assert_string_equal(sr_value_map_str(v, "id"), sr_fx_text(&moved, 1));
    sr_value_destroy(&v);
    assert_int_equal(s_count(1, SR_MSG_EX_GET), 1); // EUNAVAIL
    assert_int_equal(s_count(0, SR_MSG_EX_GET), 2);
    assert_int_equal(s_count(0, SR_MSG_STATUS), 3);
    sr_client_close(&c);
}

static void
a_partition_nobody_owns_gives_the_engine_message(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open_connected(s_fx.both);
    sr_id_t lost = sr_fx_id(9, 0);
    sr_value_t *v = NULL;
    sr_error_t err;
    assert_int_equal(sr_client_ex_get(c, sr_fx_text(&lost, 0), T, &v, &err),
                     SR_EUNAVAIL);
    assert_non_null(strstr(err.msg, "partition 9 is not owned by engine"));
    assert_null(v);
    sr_client_close(&c);
}

static void
an_engine_that_is_down_does_not_hold_up_the_others(void **state)
{
    (void)state;
    char eps[512];
    snprintf(eps, sizeof eps, "%s,%s", s_fx.nobody, s_fx.ep[0]);
    sr_client_t *c = sr_fx_open(eps);
    sr_id_t on_a = sr_fx_id(1, 0);
    sr_fake_engine_add_execution(s_fx.fe[0], &on_a, "wf", "RUNNING");
    sr_value_t *v = NULL;
    sr_error_t err;
    int64_t start = zclock_mono();
    sr_fx_ok(sr_client_ex_get(c, sr_fx_text(&on_a, 0), T, &v, &err), &err);
    sr_value_destroy(&v);
    assert_int_equal(sr_client_wf_get(c, "none", NULL, T, &v, &err),
                     SR_ENOTFOUND); // answered by A, the engine that is up
    assert_true(zclock_mono() - start < T / 2);
    assert_int_equal(sr_client_wf_list(c, 200, &v, &err), SR_ETIMEDOUT);
    assert_non_null(strstr(err.msg, s_fx.nobody));
    sr_client_close(&c);
}

// Issue 18: with the owner of a partition down, learning the map used
// the whole timeout; the request then went to another engine with none
// left, and failed saying "no answer from engine A within 0 ms". Once
// the map was learnt (without the owner), the request went to another
// engine, which forwards it to the owner, and timed out naming that one.
static void
a_partition_whose_owner_is_down_times_out_saying_so(void **state)
{
    (void)state;
    char eps[512];
    snprintf(eps, sizeof eps, "%s,%s", s_fx.ep[0], s_fx.nobody);
    sr_client_t *c = sr_fx_open(eps);
    sr_id_t on_nobody = sr_fx_id(5, 0); // A owns 0 and 1
    sr_value_t *v = NULL;
    sr_error_t err;
    for (int round = 0; round < 2; round++) { // map unknown, then learnt
        assert_int_equal(
            sr_client_ex_get(c, sr_fx_text(&on_nobody, 0), 300, &v, &err),
            SR_ETIMEDOUT);
        assert_null(v);
        assert_null(strstr(err.msg, "within 0 ms"));
        assert_non_null(
            strstr(err.msg, "no engine that answered owns partition 5"));
        assert_non_null(strstr(err.msg, s_fx.nobody));
        assert_int_equal(s_count(0, SR_MSG_EX_GET), 0); // no time was left
    }
    sr_client_close(&c);
}

// After `delay_ms`, engine `fe` owns `parts`, as the next leader of a
// replicated partition does once elected, while a call waits.
typedef struct {
    sr_fake_engine_t *fe;
    const uint16_t *parts;
    size_t n;
    int delay_ms;
    pthread_t thread;
} s_later_t;

static void *
s_later_run(void *arg)
{
    s_later_t *l = arg;
    zclock_sleep(l->delay_ms);
    sr_fake_engine_set_partitions(l->fe, l->parts, l->n);
    return NULL;
}

// Get execution `id` while `later` happens: it must take longer than
// the delay, and not the whole timeout.
static void
s_get_meanwhile(sr_client_t *c, const sr_id_t *id, s_later_t *later)
{
    assert_int_equal(pthread_create(&later->thread, NULL, s_later_run, later),
                     0);
    int64_t start = zclock_mono();
    sr_value_t *v = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_ex_get(c, sr_fx_text(id, 0), T, &v, &err), &err);
    sr_value_destroy(&v);
    int64_t took = zclock_mono() - start;
    assert_int_equal(pthread_join(later->thread, NULL), 0);
    assert_true(took >= later->delay_ms && took < T / 2);
}

// Issue 12: a replicated partition whose leader was killed has no owner
// until its group elects another. A call meanwhile asked the engines
// once, and waited out its time for the dead one: it failed although the
// partition was served again within seconds. It asks again.
static void
a_partition_is_found_once_its_new_leader_serves_it(void **state)
{
    (void)state;
    char eps[600];
    snprintf(eps, sizeof eps, "%s,%s,%s", s_fx.ep[0], s_fx.ep[1],
             s_fx.nobody); // the dead leader never answers
    static const uint16_t electing[] = {3}, elected[] = {2, 3};
    sr_fake_engine_set_partitions(s_fx.fe[1], electing, 1);
    sr_id_t id = sr_fx_id(2, 0);
    sr_fake_engine_add_execution(s_fx.fe[1], &id, "wf", "RUNNING");
    sr_client_t *c = sr_fx_open(eps);
    s_later_t later = {s_fx.fe[1], elected, 2, 600, 0};
    s_get_meanwhile(c, &id, &later);
    sr_client_close(&c);
}

// The same for a client that knew the leader before it was killed: it
// does not wait out its time for an engine it has no connection to.
static void
a_call_does_not_wait_for_an_owner_that_is_gone(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open_connected(s_fx.both);
    sr_id_t id = sr_fx_id(0, 0);
    sr_fake_engine_add_execution(s_fx.fe[0], &id, "wf", "RUNNING");
    sr_value_t *v = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_ex_get(c, sr_fx_text(&id, 0), T, &v, &err), &err);
    sr_value_destroy(&v); // the map says A owns partition 0
    sr_fake_engine_add_execution(s_fx.fe[1], &id, "wf", "RUNNING");
    sr_fake_engine_destroy(&s_fx.fe[0]); // A is killed
    zclock_sleep(50);                    // and ZeroMQ has seen it go
    static const uint16_t all[] = {0, 1, 2, 3};
    s_later_t later = {s_fx.fe[1], all, 4, 600, 0};
    s_get_meanwhile(c, &id, &later);
    sr_client_close(&c);
}

// A call whose time ran out before its request could go sends nothing:
// the request might act (start an execution) with no one to hear of it.
static void
no_request_is_sent_once_its_time_has_run_out(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open_connected(s_fx.ep[0]);
    sr_client_start_t st = {.workflow = "wf"};
    sr_value_t *v = NULL;
    sr_error_t err;
    assert_int_equal(sr_client_ex_start(c, &st, 0, &v, &err), SR_ETIMEDOUT);
    assert_non_null(strstr(err.msg, "not sent"));
    zclock_sleep(100);
    assert_int_equal(s_count(0, SR_MSG_EX_START), 0);
    sr_client_close(&c);
}

// Ids of a list, as "partition@ms" words, e.g. "0@1000 2@2000".
static void
s_ids(const sr_value_t *list, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t i = 0; i < sr_value_len(list); i++) {
        sr_id_t id;
        const sr_value_t *ex = sr_value_array_at(list, i);
        assert_int_equal(sr_id_from_value(sr_value_map_get(ex, "id"), &id),
                         SR_OK);
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%u@%lld", i ? " " : "",
                 sr_id_partition(&id), (long long)sr_id_time_ms(&id) % 10000);
    }
}

// Issue 18: with one engine down a list failed whole (after waiting the
// whole timeout for it); the partial list gives the others' executions,
// at once, and says which engine is missing.
static void
a_partial_list_leaves_out_an_engine_that_is_down(void **state)
{
    (void)state;
    char eps[512];
    snprintf(eps, sizeof eps, "%s,%s", s_fx.ep[0], s_fx.nobody);
    sr_client_t *c = sr_fx_open(eps);
    sr_id_t on_a = sr_fx_id(1, 1700000001000);
    sr_fake_engine_add_execution(s_fx.fe[0], &on_a, "wf", "RUNNING");
    sr_value_t *v = NULL, *missing = NULL;
    sr_error_t err;
    int64_t start = zclock_mono();
    sr_fx_ok(sr_client_ex_list_partial(c, NULL, T, &v, &missing, &err), &err);
    assert_true(zclock_mono() - start < T / 2);
    char got[64];
    s_ids(v, got, sizeof got);
    assert_string_equal(got, "1@1000");
    const sr_value_t *engines = sr_value_map_get(missing, "engines");
    assert_int_equal(sr_value_len(engines), 1);
    assert_string_equal(
        sr_value_map_str(sr_value_array_at(engines, 0), "endpoint"),
        s_fx.nobody);
    assert_non_null(
        strstr(sr_value_map_str(sr_value_array_at(engines, 0), "error"),
               "not connected"));
    // The fake engines name no cluster: no partition is known missing.
    assert_int_equal(sr_value_len(sr_value_map_get(missing, "partitions")), 0);
    sr_value_destroy(&v);
    sr_value_destroy(&missing);
    sr_client_close(&c);
    // A whole list says nothing is missing.
    c = sr_fx_open_connected(s_fx.both);
    sr_fx_ok(sr_client_ex_list_partial(c, NULL, T, &v, &missing, &err), &err);
    assert_int_equal(sr_value_len(v), 1);
    assert_int_equal(sr_value_len(sr_value_map_get(missing, "engines")), 0);
    assert_int_equal(sr_value_len(sr_value_map_get(missing, "partitions")), 0);
    sr_value_destroy(&v);
    sr_value_destroy(&missing);
    sr_client_close(&c);
    // None answering: the call fails as a whole list does.
    c = sr_fx_open(s_fx.nobody);
    assert_int_equal(
        sr_client_ex_list_partial(c, NULL, 200, &v, &missing, &err),
        SR_ETIMEDOUT);
    assert_null(v);
    sr_client_close(&c);
}

// --- issue 12: one engine of a replicated cluster down ------------------

static const uint16_t s_six[] = {0, 1, 2, 3, 4, 5};

static sr_client_t *
s_open_three_then_close_c(void)
{
    return sr_fx_open_three_then_close_c(&s_fx, NULL);
}

// Workflow "name" stored on engine `engine` alone.
static void
s_wf_on(int engine, const char *name)
{
    sr_client_t *c = sr_fx_open(s_fx.ep[engine]);
    char text[64];
    snprintf(text, sizeof text, "%s: {}\n", name);
    sr_value_t *v = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_wf_create(c, text, T, &v, &err), &err);
    sr_value_destroy(&v);
    sr_client_close(&c);
}

static void
lists_are_whole_when_the_engines_that_answer_serve_every_partition(void **state)
{
    (void)state;
    sr_client_t *c = s_open_three_then_close_c();
    static const uint16_t a_parts[] = {0, 1, 4}, b_parts[] = {2, 3, 5};
    sr_fake_engine_set_partitions(s_fx.fe[0], a_parts, 3);
    sr_fake_engine_set_partitions(s_fx.fe[1], b_parts, 3);
    int64_t base = 1700000000000;
    sr_id_t ids[4] = {sr_fx_id(0, base + 1000), sr_fx_id(4, base + 2000),
                      sr_fx_id(5, base + 3000), sr_fx_id(2, base + 4000)};
    for (int i = 0; i < 4; i++)
        sr_fake_engine_add_execution(s_fx.fe[i / 2], &ids[i], "wf", "RUNNING");
    s_wf_on(0, "alpha");
    s_wf_on(1, "zeta");
    size_t status_a = s_count(0, SR_MSG_STATUS);
    sr_value_t *v = NULL;
    sr_error_t err;
    char got[256];
    int64_t start = zclock_mono();
    sr_fx_ok(sr_client_ex_list(c, NULL, T, &v, &err), &err);
    s_ids(v, got, sizeof got);
    assert_string_equal(got, "0@1000 4@2000 5@3000 2@4000");
    sr_value_destroy(&v);
    // A STATUS before and after each list asked again.
    assert_int_equal(s_count(0, SR_MSG_STATUS), status_a + 2);
    assert_int_equal(s_count(0, SR_MSG_EX_LIST), 2);
    sr_fx_ok(sr_client_wf_list(c, T, &v, &err), &err);
    assert_int_equal(sr_value_len(v), 2);
    assert_string_equal(sr_value_map_str(sr_value_array_at(v, 0), "name"),
                        "alpha");
    assert_string_equal(sr_value_map_str(sr_value_array_at(v, 1), "name"),
                        "zeta");
    sr_value_destroy(&v);
    assert_true(zclock_mono() - start < T / 2); // C is not waited for
    sr_client_close(&c);
}

static void
lists_fail_naming_the_engine_down_when_a_partition_is_not_served(void **state)
{
    (void)state;
    sr_client_t *c = s_open_three_then_close_c();
    static const uint16_t a_parts[] = {0, 1, 4}; // 5: nobody
    sr_fake_engine_set_partitions(s_fx.fe[0], a_parts, 3);
    sr_id_t on_a = sr_fx_id(4, 1700000001000);
    sr_fake_engine_add_execution(s_fx.fe[0], &on_a, "wf", "RUNNING");
    sr_value_t *v = NULL, *missing = NULL;
    sr_error_t err;
    assert_int_equal(sr_client_ex_list(c, NULL, 300, &v, &err), SR_ETIMEDOUT);
    assert_null(v);
    assert_non_null(strstr(err.msg, s_fx.nobody));
    assert_non_null(strstr(err.msg, "not connected"));
    assert_int_equal(sr_client_wf_list(c, 300, &v, &err), SR_ETIMEDOUT);
    assert_non_null(strstr(err.msg, s_fx.nobody));
    // The partial list still gives what there is and names the gap.
    sr_fx_ok(sr_client_ex_list_partial(c, NULL, T, &v, &missing, &err), &err);
    assert_int_equal(sr_value_len(v), 1);
    char *json = sr_value_to_json(sr_value_map_get(missing, "partitions"),
                                  SR_JSON_COMPACT);
    assert_string_equal(json, "[5]");
    free(json);
    sr_value_destroy(&v);
    sr_value_destroy(&missing);
    // Every partition served, but by a cluster that does not name C (its
    // engines read another cluster file): C may hold partitions of its own.
    static const uint16_t a_more[] = {0, 1, 4, 5};
    sr_fake_engine_set_partitions(s_fx.fe[0], a_more, 4);
    assert_int_equal(sr_client_ex_list(c, NULL, 300, &v, &err), SR_OK);
    sr_value_destroy(&v);
    for (int i = 0; i < 2; i++)
        sr_fake_engine_set_cluster(s_fx.fe[i], s_fx.both, s_six, 6);
    assert_int_equal(sr_client_ex_list(c, NULL, 300, &v, &err), SR_ETIMEDOUT);
    assert_non_null(strstr(err.msg, s_fx.nobody));
    // None answering a list: the first engine's error, asked once.
    for (int i = 0; i < 2; i++)
        sr_fake_engine_fail(s_fx.fe[i], SR_MSG_EX_LIST, SR_EINVAL, "no", NULL);
    size_t asked = s_count(0, SR_MSG_EX_LIST);
    assert_int_equal(sr_client_ex_list(c, NULL, 300, &v, &err), SR_EINVAL);
    assert_string_equal(err.msg, "no");
    assert_int_equal(s_count(0, SR_MSG_EX_LIST), asked + 1);
    sr_client_close(&c);
}

static void
execution_lists_are_gathered_from_every_engine_oldest_first(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open_connected(s_fx.both);
    int64_t base = 1700000000000;
    sr_id_t ids[5] = {sr_fx_id(0, base + 1000), sr_fx_id(2, base + 2000),
                      sr_fx_id(1, base + 3000), sr_fx_id(3, base + 4000),
                      sr_fx_id(0, base + 5000)};
    const char *states[5] = {"SUCCESS", "RUNNING", "SUCCESS", "ERROR",
                             "RUNNING"};
    for (int i = 4; i >= 0; i--)
        sr_fake_engine_add_execution(s_fx.fe[sr_id_partition(&ids[i]) / 2],
                                     &ids[i], i == 3 ? "other" : "wf",
                                     states[i]);
    sr_value_t *v = NULL;
    sr_error_t err;
    char got[256];
    sr_fx_ok(sr_client_ex_list(c, NULL, T, &v, &err), &err);
    s_ids(v, got, sizeof got);
    assert_string_equal(got, "0@1000 2@2000 1@3000 3@4000 0@5000");
    sr_value_destroy(&v);
    sr_msg_t *m = sr_fake_engine_last(s_fx.fe[1], SR_MSG_EX_LIST);
    assert_int_equal(sr_msg_int(m, SR_F_EX_LIST_limit, -1),
                     SR_CLIENT_LIST_LIMIT);
    sr_msg_destroy(&m);

    sr_client_list_t f = {.limit = 3};
    sr_fx_ok(sr_client_ex_list(c, &f, T, &v, &err), &err);
    s_ids(v, got, sizeof got);
    assert_string_equal(got, "0@1000 2@2000 1@3000");
    sr_value_destroy(&v);

    f.after = sr_fx_text(&ids[2], 0);
    sr_fx_ok(sr_client_ex_list(c, &f, T, &v, &err), &err);
    s_ids(v, got, sizeof got);
    assert_string_equal(got, "3@4000 0@5000");
    sr_value_destroy(&v);

    f = (sr_client_list_t){.state = "RUNNING"};
    sr_fx_ok(sr_client_ex_list(c, &f, T, &v, &err), &err);
    s_ids(v, got, sizeof got);
    assert_string_equal(got, "2@2000 0@5000");
    sr_value_destroy(&v);
    f = (sr_client_list_t){.workflow = "other"};
    sr_fx_ok(sr_client_ex_list(c, &f, T, &v, &err), &err);
    s_ids(v, got, sizeof got);
    assert_string_equal(got, "3@4000");
    sr_value_destroy(&v);
    m = sr_fake_engine_last(s_fx.fe[0], SR_MSG_EX_LIST);
    assert_string_equal(sr_msg_str(m, SR_F_EX_LIST_workflow), "other");
    sr_msg_destroy(&m);

    f = (sr_client_list_t){.limit = -1};
    assert_int_equal(sr_client_ex_list(c, &f, T, &v, &err), SR_EINVAL);
    f = (sr_client_list_t){.after = "yesterday"};
    assert_int_equal(sr_client_ex_list(c, &f, T, &v, &err), SR_EINVAL);
    assert_non_null(strstr(err.msg, "page cursor (after) 'yesterday'"));
    sr_client_close(&c);
}

static void
workflow_lists_are_merged_and_deletes_reach_every_engine(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open(s_fx.both), *only_b = sr_fx_open(s_fx.ep[1]);
    sr_value_t *v = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_wf_create(c, "version: '2.0'\nzeta: {}\n", T, &v, &err),
             &err);
    sr_value_destroy(&v);
    sr_fx_ok(sr_client_wf_create(only_b, "alpha: {}\nzeta: {tasks: {}}\n", T,
                                 &v, &err),
             &err);
    sr_value_destroy(&v);
    sr_fx_ok(sr_client_wf_list(c, T, &v, &err), &err);
    assert_int_equal(sr_value_len(v), 2);
    sr_value_t *alpha = sr_value_array_at(v, 0),
               *zeta = sr_value_array_at(v, 1);
    assert_string_equal(sr_value_map_str(alpha, "name"), "alpha");
    assert_string_equal(sr_value_map_str(zeta, "name"), "zeta");
    sr_value_t *newest = NULL; // B's zeta is newer than A's
    sr_fx_ok(sr_client_wf_get(only_b, "zeta", NULL, T, &newest, &err), &err);
    assert_string_equal(sr_value_map_str(zeta, "version"),
                        sr_value_map_str(newest, "version"));
    sr_value_destroy(&newest);
    sr_value_destroy(&v);

    sr_fx_ok(sr_client_wf_delete(c, "alpha", T, &err), &err); // B only
    assert_int_equal(s_count(0, SR_MSG_WF_DELETE), 1);
    assert_int_equal(s_count(1, SR_MSG_WF_DELETE), 1);
    assert_int_equal(sr_client_wf_delete(c, "alpha", T, &err), SR_ENOTFOUND);
    sr_client_close(&c);
    sr_client_close(&only_b);
}

// --- units --------------------------------------------------------------

static void
the_partition_map_learns_from_status_and_refuses_nonsense(void **state)
{
    (void)state;
    sr_client_route_t *r = sr_client_route_new(3);
    size_t e = 99;
    sr_error_t err;
    assert_false(sr_client_route_is_known(r));
    assert_false(sr_client_route_owner(r, 0, &e));
    sr_value_t *a = sr_fx_json("{\"partitions\": [0, 1, 65535]}");
    sr_value_t *b = sr_fx_json("{\"partitions\": [1, 2]}");
    sr_fx_ok(sr_client_route_learn(r, 0, a, &err), &err);
    sr_fx_ok(sr_client_route_learn(r, 2, b, &err), &err); // takes 1 from 0
    assert_true(sr_client_route_is_known(r));
    assert_true(sr_client_route_owner(r, 0, &e) && e == 0);
    assert_true(sr_client_route_owner(r, 1, &e) && e == 2);
    assert_true(sr_client_route_owner(r, 65535, &e) && e == 0);
    sr_fx_ok(sr_client_route_learn(r, 0, b, &err), &err); // 0 now owns 1, 2
    assert_false(sr_client_route_owner(r, 65535, &e));
    assert_true(sr_client_route_owner(r, 2, &e) && e == 0);
    // sirocco-engined's form: maps with the number and the epoch.
    sr_value_t *m =
        sr_fx_json("{\"partitions\": [{\"number\": 7, \"epoch\": 2}]}");
    sr_fx_ok(sr_client_route_learn(r, 1, m, &err), &err);
    assert_true(sr_client_route_owner(r, 7, &e) && e == 1);
    sr_value_destroy(&m);

    const char *bad[] = {"{}",
                         "{\"partitions\": 3}",
                         "{\"partitions\": [1, \"2\"]}",
                         "{\"partitions\": [65536]}",
                         "{\"partitions\": [-1]}",
                         "{\"partitions\": [{\"epoch\": 1}]}",
                         "{\"partitions\": [{\"number\": -2}]}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sr_value_t *v = sr_fx_json(bad[i]);
        assert_int_equal(sr_client_route_learn(r, 1, v, &err), SR_EPROTO);
        sr_value_destroy(&v);
    }
    assert_string_equal(err.msg, "STATUS of engine 1: partitions[0] is not a "
                                 "partition number (0 .. 65535)");
    assert_int_equal(sr_client_route_learn(r, 3, a, &err), SR_EINVAL);
    assert_true(sr_client_route_owner(r, 2, &e) && e == 0); // unchanged
    sr_client_route_forget(r);
    assert_false(sr_client_route_is_known(r));
    assert_false(sr_client_route_owner(r, 2, &e));
    size_t turns[4];
    for (size_t i = 0; i < 4; i++)
        turns[i] = sr_client_route_next(r);
    assert_true(turns[0] == 0 && turns[1] == 1 && turns[2] == 2 &&
                turns[3] == 0);
    assert_null(sr_client_route_new(0));
    sr_value_destroy(&a);
    sr_value_destroy(&b);
    sr_client_route_destroy(&r);
    assert_null(r);
}

static sr_value_t *
s_exec(uint16_t p, int64_t ms)
{
    sr_id_t id = sr_fx_id(p, ms);
    sr_value_t *ex = sr_value_new_map(1);
    sr_value_map_put(ex, "id", sr_id_to_value(&id));
    return ex;
}

static void
merging_orders_by_time_drops_duplicates_and_checks_items(void **state)
{
    (void)state;
    sr_value_t *a = sr_value_new_array(3), *b = sr_value_new_array(3);
    sr_value_t *dup = s_exec(4, 1700000002000);
    sr_value_array_append(a, s_exec(1, 1700000001000));
    sr_value_array_append(a, sr_value_ref(dup));
    sr_value_array_append(b, sr_value_ref(dup));
    sr_value_array_append(b, s_exec(5, 1700000001500));
    sr_value_t *lists[2] = {a, b}, *out = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_body_merge_executions(lists, 2, 10, SR_B_EXECUTION_id,
                                             &out, &err),
             &err);
    char got[128];
    s_ids(out, got, sizeof got);
    assert_string_equal(got, "1@1000 5@1500 4@2000");
    sr_value_destroy(&out);
    sr_fx_ok(sr_client_body_merge_executions(lists, 2, 1, SR_B_EXECUTION_id,
                                             &out, &err),
             &err);
    assert_int_equal(sr_value_len(out), 1);
    sr_value_destroy(&out);
    sr_fx_ok(sr_client_body_merge_executions(lists, 0, 1, SR_B_EXECUTION_id,
                                             &out, &err),
             &err);
    assert_int_equal(sr_value_len(out), 0);
    sr_value_destroy(&out);

    sr_value_array_append(b, sr_fx_json("{\"id\": \"not an id\"}"));
    assert_int_equal(sr_client_body_merge_executions(
                         lists, 2, 9, SR_B_EXECUTION_id, &out, &err),
                     SR_EPROTO);
    assert_string_equal(err.msg, "execution list of engine 1: item 2 has no "
                                 "valid 'id'");
    sr_value_t *not_list = sr_value_new_map(0);
    lists[1] = not_list;
    assert_int_equal(sr_client_body_merge_executions(
                         lists, 2, 9, SR_B_EXECUTION_id, &out, &err),
                     SR_EPROTO);
    assert_int_equal(sr_client_body_merge_workflows(lists, 2, &out, &err),
                     SR_EPROTO);
    assert_null(out);
    sr_value_destroy(&not_list);
    sr_value_destroy(&dup);
    sr_value_destroy(&a);
    sr_value_destroy(&b);
}

static void
merging_workflows_keeps_the_newest_of_each_name(void **state)
{
    (void)state;
    sr_value_t *a = sr_fx_json("[{\"name\": \"b\", \"version\": \"1\", "
                               "\"created_ms\": 5}, {\"name\": \"a\"}]");
    sr_value_t *b = sr_fx_json("[{\"name\": \"b\", \"version\": \"2\", "
                               "\"created_ms\": 9}, {\"name\": \"c\"}]");
    sr_value_t *lists[2] = {a, b}, *out = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_body_merge_workflows(lists, 2, &out, &err), &err);
    char *json = sr_value_to_json(out, SR_JSON_COMPACT);
    assert_string_equal(json, "[{\"name\":\"a\"},{\"name\":\"b\",\"version\":"
                              "\"2\",\"created_ms\":9},{\"name\":\"c\"}]");
    free(json);
    sr_value_destroy(&out);
    sr_value_t *bad = sr_fx_json("[{\"title\": \"x\"}]");
    lists[1] = bad;
    assert_int_equal(sr_client_body_merge_workflows(lists, 2, &out, &err),
                     SR_EPROTO);
    assert_string_equal(err.msg,
                        "workflow list of engine 1: item 0 has no 'name'");
    sr_value_destroy(&bad);
    sr_value_destroy(&a);
    sr_value_destroy(&b);
}

static void
bodies_carry_ids_as_text(void **state)
{
    (void)state;
    sr_id_t id = sr_fx_id(7, 0);
    sr_value_t *body = sr_value_new_map(3), *tasks = sr_value_new_array(1);
    sr_value_t *task = sr_value_new_map(2);
    sr_value_map_put(task, "task_id", sr_id_to_value(&id));
    sr_value_map_put(task, "blob", sr_id_to_value(&id)); // not an id key
    sr_value_array_append(tasks, task);
    sr_value_map_put(body, "id", sr_id_to_value(&id));
    sr_value_map_put(body, "hid", sr_value_new_bin("abc", 3));
    sr_value_map_put(body, "tasks", tasks);
    sr_value_t *shared = sr_value_ref(body);
    assert_int_equal(sr_client_body_norm(&body), SR_OK);
    assert_true(body != shared); // a shared body is copied, not changed
    assert_true(sr_value_is(sr_value_map_get(shared, "id"), SR_T_BIN));
    const char *text = sr_fx_text(&id, 0);
    assert_string_equal(sr_value_map_str(body, "id"), text);
    task = sr_value_array_at(sr_value_map_get(body, "tasks"), 0);
    assert_string_equal(sr_value_map_str(task, "task_id"), text);
    assert_true(sr_value_is(sr_value_map_get(task, "blob"), SR_T_BIN));
    assert_true(sr_value_is(sr_value_map_get(body, "hid"), SR_T_BIN));
    sr_value_destroy(&shared);
    sr_value_destroy(&body);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(
            requests_about_an_execution_go_to_the_owner_of_its_partition,
            s_each),
        cmocka_unit_test_setup(new_executions_go_to_the_engines_in_turn,
                               s_each),
        cmocka_unit_test_setup(
            a_start_with_an_id_goes_to_the_owner_of_its_partition, s_each),
        cmocka_unit_test_setup(a_moved_partition_is_found_again_after_eunavail,
                               s_each),
        cmocka_unit_test_setup(
            a_partition_whose_owner_is_down_times_out_saying_so, s_each),
        cmocka_unit_test_setup(no_request_is_sent_once_its_time_has_run_out,
                               s_each),
        cmocka_unit_test_setup(
            a_partition_is_found_once_its_new_leader_serves_it, s_each),
        cmocka_unit_test_setup(a_call_does_not_wait_for_an_owner_that_is_gone,
                               s_each),
        cmocka_unit_test_setup(a_partial_list_leaves_out_an_engine_that_is_down,
                               s_each),
        cmocka_unit_test_setup(a_partition_nobody_owns_gives_the_engine_message,
                               s_each),
        cmocka_unit_test_setup(
            an_engine_that_is_down_does_not_hold_up_the_others, s_each),
        cmocka_unit_test_setup(
            lists_are_whole_when_the_engines_that_answer_serve_every_partition,
            s_each),
        cmocka_unit_test_setup(
            lists_fail_naming_the_engine_down_when_a_partition_is_not_served,
            s_each),
        cmocka_unit_test_setup(
            execution_lists_are_gathered_from_every_engine_oldest_first,
            s_each),
        cmocka_unit_test_setup(
            workflow_lists_are_merged_and_deletes_reach_every_engine, s_each),
        cmocka_unit_test(
            the_partition_map_learns_from_status_and_refuses_nonsense),
        cmocka_unit_test(
            merging_orders_by_time_drops_duplicates_and_checks_items),
        cmocka_unit_test(merging_workflows_keeps_the_newest_of_each_name),
        cmocka_unit_test(bodies_carry_ids_as_text),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
