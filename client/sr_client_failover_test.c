// Tests of what the client does across a failover (issue 12): a
// subscription follows its partition to the engine that serves it now
// (another one, the same one restarted, or the same one in a new epoch)
// and a state change made meanwhile is told once; a subscription to
// everything, a workflow created and a completion by token need only the
// engines that serve every partition; and the plan of a check, from
// STATUS bodies. Fake engines: A owns 0 and 1, B 2 and 3, C (when there
// is one) 4 and 5.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_body.h"
#include "sr_client_subs.h"
#include "sr_client_test_util.h"

#define T SR_FX_WAIT_MS

static sr_fx_t s_fx;
static const sr_client_opts_t s_quick = {.follow_ms = 50};

static size_t
s_count(int engine, sr_msg_type_t type)
{
    return sr_fake_engine_count(s_fx.fe[engine], type);
}

// The next event is `kind name state` of `id`; *time_ms its time.
static void
s_expect(sr_client_t *c, const char *kind, const char *state, const char *id,
         int64_t *time_ms)
{
    sr_value_t *ev = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_next_event(c, T, &ev, &err), &err);
    assert_string_equal(sr_value_map_str(ev, "execution_id"), id);
    assert_string_equal(sr_value_map_str(ev, "kind"), kind);
    assert_string_equal(sr_value_map_str(ev, "name"), "wf");
    assert_string_equal(sr_value_map_str(ev, "state"), state);
    int64_t ms = 0;
    assert_true(sr_value_map_int(ev, "time_ms", &ms) && ms > 0);
    if (time_ms)
        *time_ms = ms;
    sr_value_destroy(&ev);
}

// No event comes for a while (during which checks run).
static void
s_expect_none(sr_client_t *c)
{
    sr_value_t *ev = NULL;
    sr_error_t err;
    sr_err_t rc = sr_client_next_event(c, 300, &ev, &err);
    if (ev)
        fail_msg("unexpected event: %s %s %s", sr_value_map_str(ev, "kind"),
                 sr_value_map_str(ev, "name"), sr_value_map_str(ev, "state"));
    assert_int_equal(rc, SR_ETIMEDOUT);
}

// A client subscribed to execution `id` (partition 2, on B), once a
// check has seen B serve it.
static sr_client_t *
s_subscribed(const sr_id_t *id)
{
    sr_client_t *c = sr_fx_open_connected_with(s_fx.both, &s_quick);
    sr_fake_engine_add_execution(s_fx.fe[1], id, "wf", "RUNNING");
    sr_error_t err;
    sr_fx_ok(sr_client_subscribe(c, sr_fx_text(id, 0), T, &err), &err);
    assert_int_equal(s_count(1, SR_MSG_SUBSCRIBE), 1);
    s_expect_none(c);
    return c;
}

// B is killed; A serves every partition now and has execution `id` in
// `state` (its copy of the partition).
static void
s_b_dies(const sr_id_t *id, const char *state)
{
    static const uint16_t all[] = {0, 1, 2, 3};
    sr_fake_engine_destroy(&s_fx.fe[1]);
    sr_fake_engine_add_execution(s_fx.fe[0], id, "wf", state);
    sr_fake_engine_set_partitions(s_fx.fe[0], all, 4);
}

// Before, the subscription stayed on the dead engine: no event came.
static void
a_subscription_follows_its_partition_to_its_new_engine(void **state)
{
    (void)state;
    sr_id_t id = sr_fx_id(2, 0);
    sr_client_t *c = s_subscribed(&id);
    s_b_dies(&id, "RUNNING");
    // It ends once A has it (after the client's read that follows).
    sr_fake_engine_add_event(s_fx.fe[0], &id, "execution", "wf", "SUCCESS");
    int64_t start = zclock_mono();
    s_expect(c, "execution", "SUCCESS", sr_fx_text(&id, 0), NULL);
    assert_true(zclock_mono() - start < T / 2);
    assert_int_equal(s_count(0, SR_MSG_SUBSCRIBE), 1);
    s_expect_none(c); // told once, and not subscribed again
    assert_int_equal(s_count(0, SR_MSG_SUBSCRIBE), 1);
    sr_error_t err;
    sr_fx_ok(sr_client_unsubscribe(c, T, &err), &err);
    assert_int_equal(s_count(0, SR_MSG_UNSUBSCRIBE), 1);
    sr_client_close(&c);
}

// The execution ended while the subscription moved: its EVENT went
// nowhere; the client reads it where it is served now and tells it.
static void
a_state_reached_during_the_move_is_told_once(void **state)
{
    (void)state;
    sr_id_t id = sr_fx_id(2, 1700000005000);
    sr_client_t *c = s_subscribed(&id);
    s_b_dies(&id, "SUCCESS");
    int64_t ms = 0;
    s_expect(c, "execution", "SUCCESS", sr_fx_text(&id, 0), &ms);
    assert_int_equal(ms, 1700000005000); // when it changed: updated_ms
    s_expect_none(c);
    sr_client_close(&c);
}

// What a watch saw; B dies at its first event.
typedef struct {
    char lines[4][64];
    int count;
    sr_id_t id;
} s_seen_t;

static bool
s_kill_b_at_first(const sr_value_t *ev, void *arg)
{
    s_seen_t *seen = arg;
    if (seen->count < 4)
        snprintf(seen->lines[seen->count], sizeof seen->lines[0], "%s %s %s",
                 sr_value_map_str(ev, "kind"), sr_value_map_str(ev, "name"),
                 sr_value_map_str(ev, "state"));
    if (seen->count++ == 0)
        s_b_dies(&seen->id, "SUCCESS"); // it ends during the move
    return true;
}

// Before, a watch whose engine died waited for its time to run out (or
// until it read the execution again: not an event).
static void
a_watch_ends_on_its_final_event_across_the_move(void **state)
{
    (void)state;
    sr_client_opts_t opts = {.follow_ms = 50, .watch_check_ms = 60000};
    sr_client_t *c = sr_fx_open_connected_with(s_fx.both, &opts);
    s_seen_t seen = {.id = sr_fx_id(2, 0)};
    sr_fake_engine_add_execution(s_fx.fe[1], &seen.id, "wf", "RUNNING");
    sr_fake_engine_add_event(s_fx.fe[1], &seen.id, "task", "t1", "RUNNING");
    sr_value_t *ex = NULL;
    sr_error_t err;
    int64_t start = zclock_mono();
    sr_fx_ok(sr_client_watch(c, sr_fx_text(&seen.id, 0), s_kill_b_at_first,
                             &seen, T, &ex, &err),
             &err);
    assert_true(zclock_mono() - start < T / 2);
    assert_int_equal(seen.count, 2);
    assert_string_equal(seen.lines[0], "task t1 RUNNING");
    assert_string_equal(seen.lines[1], "execution wf SUCCESS");
    assert_string_equal(sr_value_map_str(ex, "state"), "SUCCESS");
    sr_value_destroy(&ex);
    sr_client_close(&c);
}

// An engine that restarted forgot its subscribers: STATUS says it holds
// none of this client's, and the client subscribes there again.
static void
an_engine_that_forgot_the_client_is_subscribed_to_again(void **state)
{
    (void)state;
    sr_id_t id = sr_fx_id(2, 0);
    sr_client_t *c = s_subscribed(&id);
    static const uint16_t b_parts[] = {2, 3};
    sr_fake_engine_destroy(&s_fx.fe[1]);
    s_fx.fe[1] = sr_fake_engine_new("B", s_fx.ep[1], b_parts, 2);
    assert_non_null(s_fx.fe[1]);
    sr_fake_engine_add_execution(s_fx.fe[1], &id, "wf", "RUNNING");
    sr_fake_engine_add_event(s_fx.fe[1], &id, "execution", "wf", "ERROR");
    s_expect(c, "execution", "ERROR", sr_fx_text(&id, 0), NULL);
    assert_int_equal(s_count(1, SR_MSG_SUBSCRIBE), 1);
    s_expect_none(c);
    sr_client_close(&c);
}

// The partition left B and came back (another epoch): what changed
// meanwhile is read, without subscribing again where it is held.
static void
a_partition_back_in_a_new_epoch_is_read_again(void **state)
{
    (void)state;
    sr_id_t id = sr_fx_id(2, 1700000007000);
    sr_client_t *c = s_subscribed(&id);
    sr_fake_engine_add_execution(s_fx.fe[1], &id, "wf", "CANCELLED");
    sr_fake_engine_set_epoch(s_fx.fe[1], 2);
    s_expect(c, "execution", "CANCELLED", sr_fx_text(&id, 0), NULL);
    assert_int_equal(s_count(1, SR_MSG_SUBSCRIBE), 1);
    s_expect_none(c);
    sr_client_close(&c);
}

// A, B and C in a cluster of 0 .. 5, C down; A and B serve every
// partition when `is_covered` (A 0, 1, 4; B 2, 3, 5), else 5 is served by
// no one.
static sr_client_t *
s_c_down(bool is_covered)
{
    sr_client_t *c = sr_fx_open_three_then_close_c(&s_fx, &s_quick);
    static const uint16_t a[] = {0, 1, 4}, b[] = {2, 3, 5};
    sr_fake_engine_set_partitions(s_fx.fe[0], a, 3);
    sr_fake_engine_set_partitions(s_fx.fe[1], b, is_covered ? 3 : 2);
    return c;
}

// The error of a call that needed C: it names C and what is not served.
static void
s_names_c(sr_err_t rc, const sr_error_t *err)
{
    assert_int_equal(rc, SR_ETIMEDOUT);
    assert_non_null(strstr(err->msg, s_fx.nobody));
    assert_non_null(strstr(err->msg, "not connected"));
    assert_non_null(strstr(err->msg, "no engine that answered served "
                                     "partition 5"));
}

static void
a_subscription_to_everything_needs_the_engines_serving_every_partition(
    void **state)
{
    (void)state;
    sr_client_t *c = s_c_down(true);
    sr_id_t on_a = sr_fx_id(4, 0); // C's partition, moved to A
    sr_fake_engine_add_execution(s_fx.fe[0], &on_a, "wf", "RUNNING");
    sr_error_t err;
    int64_t start = zclock_mono();
    sr_fx_ok(sr_client_subscribe(c, NULL, T, &err), &err);
    assert_true(zclock_mono() - start < T / 2);
    sr_fx_ok(sr_client_ex_pause(c, sr_fx_text(&on_a, 0), NULL, T, NULL, &err),
             &err);
    s_expect(c, "execution", "PAUSED", sr_fx_text(&on_a, 0), NULL);
    // C comes back: subscribed to as well (once: it says so).
    static const uint16_t none[] = {0};
    sr_fake_engine_t *fc = sr_fake_engine_new("C", s_fx.nobody, none, 0);
    assert_non_null(fc);
    for (int i = 0; i < 50 && !sr_fake_engine_count(fc, SR_MSG_SUBSCRIBE);
         i++) {
        sr_value_t *ev = NULL;
        (void)sr_client_next_event(c, 100, &ev, &err);
        sr_value_destroy(&ev);
    }
    s_expect_none(c);
    assert_true(sr_fake_engine_count(fc, SR_MSG_SUBSCRIBE) >= 1);
    sr_value_t *st = NULL;
    sr_fx_ok(sr_client_status(c, 2, T, &st, &err), &err);
    int64_t subs = 0;
    assert_true(sr_value_map_int(st, "subscriptions", &subs) && subs == 1);
    sr_value_destroy(&st);
    sr_fake_engine_destroy(&fc);
    sr_client_close(&c);

    c = s_c_down(false);
    s_names_c(sr_client_subscribe(c, NULL, 300, &err), &err);
    sr_client_close(&c);
}

static void
workflows_are_created_while_an_engine_is_down(void **state)
{
    (void)state;
    sr_client_t *c = s_c_down(true);
    sr_value_t *v = NULL;
    sr_error_t err;
    int64_t start = zclock_mono();
    sr_fx_ok(sr_client_wf_create(c, "wf: {}\n", T, &v, &err), &err);
    assert_true(zclock_mono() - start < T / 2);
    assert_int_equal(sr_value_len(v), 1);
    assert_string_equal(sr_value_map_str(sr_value_array_at(v, 0), "name"),
                        "wf");
    sr_value_destroy(&v);
    assert_true(s_count(0, SR_MSG_WF_CREATE) >= 1);
    assert_true(s_count(1, SR_MSG_WF_CREATE) >= 1);
    // A file with errors is the engines' answer, at once.
    start = zclock_mono();
    assert_int_equal(sr_client_wf_create(c, "version: '2.0'\n", T, &v, &err),
                     SR_EINVAL);
    assert_true(zclock_mono() - start < T / 2);
    sr_client_close(&c);

    c = s_c_down(false);
    s_names_c(sr_client_wf_create(c, "wf: {}\n", 300, &v, &err), &err);
    assert_null(v);
    sr_client_close(&c);
}

static void
a_completion_by_token_needs_the_engines_serving_every_partition(void **state)
{
    (void)state;
    sr_client_t *c = s_c_down(true);
    sr_fake_engine_add_action(s_fx.fe[1], "tok-b");
    sr_client_completion_t cp = {.token = "tok-b"};
    sr_value_t *v = NULL;
    sr_error_t err;
    int64_t start = zclock_mono();
    sr_fx_ok(sr_client_complete(c, &cp, T, &v, &err), &err);
    assert_string_equal(sr_value_map_str(v, "state"), "SUCCESS");
    sr_value_destroy(&v);
    cp.token = "tok-none"; // known nowhere: every partition answered so
    assert_int_equal(sr_client_complete(c, &cp, T, &v, &err), SR_ENOTFOUND);
    assert_true(zclock_mono() - start < T / 2);
    sr_client_close(&c);

    c = s_c_down(false); // C may hold it
    s_names_c(sr_client_complete(c, &cp, 300, &v, &err), &err);
    sr_client_close(&c);
}

// Engine B starts (again) after 50 ms, as its connection comes up late
// on a loaded machine while a call is under way.
static void *
s_b_starts_late(void *arg)
{
    (void)arg;
    static const uint16_t b_parts[] = {2, 3};
    zclock_sleep(50);
    s_fx.fe[1] = sr_fake_engine_new("B", s_fx.ep[1], b_parts, 2);
    return NULL;
}

// A new client whose connection to an engine is not up yet at the first
// ask waits for it a little before it asks the others again between two
// STATUS: each engine gets the request once (the CLI opens a new client
// for every command).
static void
an_engine_still_connecting_gets_the_request_once(void **state)
{
    (void)state;
    sr_fake_engine_destroy(&s_fx.fe[1]);
    sr_client_t *c = sr_fx_open_connected(s_fx.ep[0]);
    sr_client_close(&c);
    c = sr_fx_open(s_fx.both);
    pthread_t later;
    assert_int_equal(pthread_create(&later, NULL, s_b_starts_late, NULL), 0);
    sr_value_t *v = NULL;
    sr_error_t err;
    sr_err_t rc = sr_client_wf_create(c, "wf: {}\n", T, &v, &err);
    assert_int_equal(pthread_join(later, NULL), 0);
    sr_fx_ok(rc, &err);
    sr_value_destroy(&v);
    assert_non_null(s_fx.fe[1]);
    assert_int_equal(s_count(0, SR_MSG_WF_CREATE), 1);
    assert_int_equal(s_count(1, SR_MSG_WF_CREATE), 1);
    sr_client_close(&c);
}

// --- the plan of a check ------------------------------------------------

// A STATUS body serving `parts` in `epoch`, saying the asking client
// holds `subs` subscriptions (< 0: not said).
static sr_value_t *
s_status(const char *parts, int64_t epoch, int64_t subs)
{
    sr_value_t *st = sr_value_new_map(4), *p = sr_value_new_array(4),
               *e = sr_value_new_array(4);
    for (const char *q = parts; *q; q++) {
        sr_value_array_append(p, sr_value_new_int(*q - '0'));
        sr_value_array_append(e, sr_value_new_int(epoch));
    }
    sr_body_set(st, SR_B_STATUS_partitions, p);
    sr_body_set(st, SR_B_STATUS_epochs, e);
    if (subs >= 0)
        sr_body_set(st, SR_B_STATUS_subscriptions, sr_value_new_int(subs));
    return st;
}

// The statuses of three engines (NULL: did not answer).
static sr_value_t *
s_statuses(sr_value_t *a, sr_value_t *b, sr_value_t *c)
{
    sr_value_t *all = sr_value_new_array(3);
    sr_value_t *each[] = {a, b, c};
    for (int i = 0; i < 3; i++)
        sr_value_array_append(all, each[i] ? each[i] : sr_value_new_nil());
    return all;
}

// Plan from `statuses` (taken); the steps as "what@engine" words.
static void
s_plan(sr_client_subs_t *s, sr_value_t *statuses, const char *want,
       bool want_waiting)
{
    sr_client_subs_step_t *steps = NULL;
    size_t n = 0;
    bool is_waiting = false;
    sr_error_t err;
    sr_fx_ok(sr_client_subs_plan(s, statuses, &steps, &n, &is_waiting, &err),
             &err);
    static const char *names[] = {"read", "move", "all"};
    char got[128] = "";
    for (size_t k = 0, len = 0; k < n; k++)
        len += (size_t)snprintf(got + len, sizeof got - len, "%s%s@%zu",
                                k ? " " : "", names[steps[k].what],
                                steps[k].engine);
    assert_string_equal(got, want);
    assert_int_equal(is_waiting, want_waiting);
    free(steps);
    sr_value_destroy(&statuses);
}

static void
a_check_plans_moves_reads_and_subscriptions_to_all(void **state)
{
    (void)state;
    sr_client_subs_t *s = sr_client_subs_new(3);
    sr_id_t x = sr_fx_id(2, 0);
    sr_error_t err;
    sr_fx_ok(sr_client_subs_add(s, &x, 1, &err), &err);
    // Held where it is served: its epoch is noted, nothing to do.
    s_plan(s, s_statuses(s_status("01", 1, 0), s_status("23", 4, 1), NULL), "",
           false);
    s_plan(s, s_statuses(s_status("01", 1, 0), s_status("23", 4, -1), NULL), "",
           false);
    // B silent, nobody serves 2 (an election): wait.
    s_plan(s, s_statuses(s_status("01", 1, 0), NULL, NULL), "", true);
    // Served by C now; then by B again in a new epoch; B forgot us.
    s_plan(s, s_statuses(NULL, s_status("3", 4, 1), s_status("2", 5, 0)),
           "move@2", false);
    s_plan(s, s_statuses(NULL, s_status("23", 6, 1), NULL), "read@1", false);
    s_plan(s, s_statuses(NULL, s_status("23", 4, 0), NULL), "move@1", false);
    // Two claim it (a deposed leader not told yet): the higher epoch.
    s_plan(s,
           s_statuses(s_status("2", 9, 1), s_status("23", 4, 1),
                      s_status("2", 7, 1)),
           "move@0", false);
    // Every execution: each engine that answered and does not hold it.
    sr_client_subs_want_all(s);
    sr_client_subs_held_all(s, 0);
    s_plan(s, s_statuses(s_status("01", 1, 2), s_status("23", 4, 1), NULL),
           "all@1", false);
    s_plan(s, s_statuses(s_status("01", 1, 0), s_status("23", 4, 1), NULL),
           "all@0 all@1", false);
    // A read made after a move tells a change missed, once.
    sr_value_t *ex = sr_value_new_map(4), *ev = NULL;
    sr_value_map_put(ex, "id", sr_value_new_str(sr_fx_text(&x, 0)));
    sr_value_map_put(ex, "workflow_name", sr_value_new_str("wf"));
    sr_value_map_put(ex, "state", sr_value_new_str("RUNNING"));
    sr_value_map_put(ex, "updated_ms", sr_value_new_int(42));
    sr_fx_ok(sr_client_subs_moved(s, &x, 1, 4, ex, sr_client_subs_heard(s, &x),
                                  &ev, &err),
             &err);
    assert_null(ev); // RUNNING, and nothing heard: no news
    sr_value_map_put(ex, "state", sr_value_new_str("PAUSED"));
    sr_value_map_put(ex, "state_info", sr_value_new_str("why"));
    sr_fx_ok(sr_client_subs_moved(s, &x, 1, 4, ex, sr_client_subs_heard(s, &x),
                                  &ev, &err),
             &err);
    assert_null(ev); // nothing heard before, and not final
    sr_value_t *heard = sr_value_new_map(3);
    sr_value_map_put(heard, "execution_id",
                     sr_value_new_str(sr_fx_text(&x, 0)));
    sr_value_map_put(heard, "kind", sr_value_new_str("execution"));
    sr_value_map_put(heard, "state", sr_value_new_str("RUNNING"));
    sr_client_subs_seen(heard, s);
    sr_fx_ok(sr_client_subs_moved(s, &x, 1, 4, ex, sr_client_subs_heard(s, &x),
                                  &ev, &err),
             &err);
    assert_non_null(ev);
    assert_string_equal(sr_value_map_str(ev, "state"), "PAUSED");
    assert_string_equal(sr_value_map_str(ev, "state_info"), "why");
    assert_string_equal(sr_value_map_str(ev, "kind"), "execution");
    int64_t ms = 0;
    assert_true(sr_value_map_int(ev, "time_ms", &ms) && ms == 42);
    sr_value_destroy(&ev);
    sr_fx_ok(sr_client_subs_moved(s, &x, 1, 4, ex, sr_client_subs_heard(s, &x),
                                  &ev, &err),
             &err);
    assert_null(ev); // told already
    // An event heard after the read is newer than what it read: no news.
    uint64_t at_read = sr_client_subs_heard(s, &x);
    sr_client_subs_seen(heard, s); // RUNNING again, after the read
    sr_value_map_put(ex, "state", sr_value_new_str("SUCCESS"));
    sr_fx_ok(sr_client_subs_moved(s, &x, 1, 4, ex, at_read, &ev, &err), &err);
    assert_null(ev);
    // DELETED ends it: no step for it any more.
    sr_value_map_put(heard, "state", sr_value_new_str("DELETED"));
    sr_client_subs_seen(heard, s);
    s_plan(s, s_statuses(s_status("01", 1, 1), s_status("3", 4, 1), NULL),
           "all@0 all@1", false);
    sr_value_destroy(&heard);
    sr_value_destroy(&ex);
    sr_client_subs_clear(s);
    assert_true(sr_client_subs_is_empty(s));
    sr_client_subs_destroy(&s);
    assert_null(s);
    assert_null(sr_client_subs_new(0));
}

// Each test on fresh engines (sr_fx_t *fixture given as the state).
#define S_TEST(fn)                                                             \
    cmocka_unit_test_prestate_setup_teardown(fn, sr_fx_setup_state,            \
                                             sr_fx_teardown_state, &s_fx)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        S_TEST(a_subscription_follows_its_partition_to_its_new_engine),
        S_TEST(a_state_reached_during_the_move_is_told_once),
        S_TEST(a_watch_ends_on_its_final_event_across_the_move),
        S_TEST(an_engine_that_forgot_the_client_is_subscribed_to_again),
        S_TEST(a_partition_back_in_a_new_epoch_is_read_again),
        S_TEST(
            a_subscription_to_everything_needs_the_engines_serving_every_partition),
        S_TEST(workflows_are_created_while_an_engine_is_down),
        S_TEST(a_completion_by_token_needs_the_engines_serving_every_partition),
        S_TEST(an_engine_still_connecting_gets_the_request_once),
        cmocka_unit_test(a_check_plans_moves_reads_and_subscriptions_to_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
