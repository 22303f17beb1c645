// Tests of subscriptions against fake engines: events reach the queue
// also during other calls, heartbeats go to subscribed engines only,
// watch follows an execution to its end, and the event queue's bound.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <stdio.h>
#include <string.h>

#include "sr_client_queue.h"
#include "sr_client_test_util.h"

#define T SR_FX_WAIT_MS

static sr_fx_t s_fx;

static int
s_each(void **state)
{
    (void)state;
    return sr_fx_setup(&s_fx);
}

static int
s_done(void **state)
{
    (void)state;
    sr_fx_teardown(&s_fx);
    return 0;
}

// An execution on B (partition 2) with a scripted story.
static sr_id_t
s_story(const char *final)
{
    sr_id_t id = sr_fx_id(2, 0);
    sr_fake_engine_add_execution(s_fx.fe[1], &id, "wf", "RUNNING");
    sr_fake_engine_add_event(s_fx.fe[1], &id, "task", "t1", "RUNNING");
    sr_fake_engine_add_event(s_fx.fe[1], &id, "task", "t1", "SUCCESS");
    if (final)
        sr_fake_engine_add_event(s_fx.fe[1], &id, "execution", "wf", final);
    return id;
}

static void
s_expect_event(sr_client_t *c, const char *kind, const char *name,
               const char *state, const char *id)
{
    sr_value_t *ev = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_next_event(c, T, &ev, &err), &err);
    assert_string_equal(sr_value_map_str(ev, "execution_id"), id);
    assert_string_equal(sr_value_map_str(ev, "kind"), kind);
    assert_string_equal(sr_value_map_str(ev, "name"), name);
    assert_string_equal(sr_value_map_str(ev, "state"), state);
    int64_t ms = 0;
    assert_true(sr_value_map_int(ev, "time_ms", &ms) && ms > 0);
    sr_value_destroy(&ev);
}

static void
events_of_a_subscribed_execution_are_queued_in_order(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open_connected(s_fx.both);
    sr_id_t id = s_story("SUCCESS");
    const char *text = sr_fx_text(&id, 0);
    sr_error_t err;
    sr_value_t *v = NULL;
    sr_fx_ok(sr_client_subscribe(c, text, T, &err), &err);
    assert_int_equal(sr_fake_engine_count(s_fx.fe[1], SR_MSG_SUBSCRIBE), 1);
    assert_int_equal(sr_fake_engine_count(s_fx.fe[0], SR_MSG_SUBSCRIBE), 0);
    sr_msg_t *m = sr_fake_engine_last(s_fx.fe[1], SR_MSG_SUBSCRIBE);
    sr_id_t got;
    assert_true(sr_msg_id(m, SR_F_SUBSCRIBE_execution_id, &got));
    assert_true(sr_id_equal(&got, &id));
    sr_msg_destroy(&m);
    // The events come during this call and wait in the queue.
    sr_fx_ok(sr_client_ex_get(c, text, T, &v, &err), &err);
    sr_value_destroy(&v);
    s_expect_event(c, "task", "t1", "RUNNING", text);
    s_expect_event(c, "task", "t1", "SUCCESS", text);
    s_expect_event(c, "execution", "wf", "SUCCESS", text);
    int64_t start = zclock_mono();
    assert_int_equal(sr_client_next_event(c, 50, &v, &err), SR_ETIMEDOUT);
    assert_true(zclock_mono() - start < 1000);
    assert_int_equal(sr_client_next_event(c, 0, &v, &err), SR_ETIMEDOUT);
    assert_null(v);
    assert_int_equal(sr_client_events_dropped(c), 0);

    sr_fx_ok(sr_client_unsubscribe(c, T, &err), &err);
    assert_int_equal(sr_fake_engine_count(s_fx.fe[1], SR_MSG_UNSUBSCRIBE), 1);
    assert_int_equal(sr_fake_engine_count(s_fx.fe[0], SR_MSG_UNSUBSCRIBE), 0);
    sr_fx_ok(sr_client_unsubscribe(c, T, &err), &err); // nothing to end
    assert_int_equal(sr_fake_engine_count(s_fx.fe[1], SR_MSG_UNSUBSCRIBE), 1);
    assert_int_equal(sr_client_subscribe(c, "x", T, &err), SR_EINVAL);
    sr_client_close(&c);
}

static void
a_subscription_to_everything_reaches_every_engine(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open_connected(s_fx.both);
    sr_id_t on_a = sr_fx_id(0, 0);
    sr_fake_engine_add_execution(s_fx.fe[0], &on_a, "wf", "RUNNING");
    sr_error_t err;
    sr_fx_ok(sr_client_subscribe(c, NULL, T, &err), &err);
    assert_int_equal(sr_fake_engine_count(s_fx.fe[0], SR_MSG_SUBSCRIBE), 1);
    assert_int_equal(sr_fake_engine_count(s_fx.fe[1], SR_MSG_SUBSCRIBE), 1);
    sr_msg_t *m = sr_fake_engine_last(s_fx.fe[0], SR_MSG_SUBSCRIBE);
    assert_false(sr_msg_has(m, SR_F_SUBSCRIBE_execution_id));
    sr_msg_destroy(&m);
    // A change made by this client comes back as an event.
    sr_fx_ok(sr_client_ex_pause(c, sr_fx_text(&on_a, 0), "wait", T, NULL, &err),
             &err);
    sr_value_t *ev = NULL;
    sr_fx_ok(sr_client_next_event(c, T, &ev, &err), &err);
    assert_string_equal(sr_value_map_str(ev, "state"), "PAUSED");
    assert_string_equal(sr_value_map_str(ev, "state_info"), "wait");
    sr_value_destroy(&ev);
    sr_fx_ok(sr_client_unsubscribe(c, T, &err), &err);
    assert_int_equal(sr_fake_engine_count(s_fx.fe[0], SR_MSG_UNSUBSCRIBE), 1);
    assert_int_equal(sr_fake_engine_count(s_fx.fe[1], SR_MSG_UNSUBSCRIBE), 1);
    sr_client_close(&c);
}

static void
subscribed_engines_get_heartbeats_and_others_do_not(void **state)
{
    (void)state;
    sr_client_opts_t opts = {.heartbeat_ms = 20};
    sr_client_t *c = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_open(s_fx.both, &opts, &c, &err), &err);
    sr_id_t id = s_story(NULL);
    sr_fx_ok(sr_client_subscribe(c, sr_fx_text(&id, 0), T, &err), &err);
    sr_value_t *v = NULL;
    assert_int_equal(sr_client_next_event(c, 200, &v, &err), SR_ETIMEDOUT);
    assert_true(sr_fake_engine_count(s_fx.fe[1], SR_MSG_HEARTBEAT) >= 3);
    assert_int_equal(sr_fake_engine_count(s_fx.fe[0], SR_MSG_HEARTBEAT), 0);
    sr_msg_t *m = sr_fake_engine_last(s_fx.fe[1], SR_MSG_HEARTBEAT);
    assert_true(sr_msg_int(m, SR_F_HEARTBEAT_sent_ms, 0) > 0);
    sr_msg_destroy(&m);
    sr_fx_ok(sr_client_unsubscribe(c, T, &err), &err);
    size_t beats = sr_fake_engine_count(s_fx.fe[1], SR_MSG_HEARTBEAT);
    assert_int_equal(sr_client_next_event(c, 100, &v, &err), SR_ETIMEDOUT);
    assert_int_equal(sr_fake_engine_count(s_fx.fe[1], SR_MSG_HEARTBEAT), beats);
    sr_client_close(&c);
}

// What a watch callback saw.
typedef struct {
    char lines[8][64];
    int count;
    int stop_after; // 0 = never stop
} s_seen_t;

static bool
s_on_event(const sr_value_t *ev, void *arg)
{
    s_seen_t *seen = arg;
    if (seen->count < 8)
        snprintf(seen->lines[seen->count], sizeof seen->lines[0], "%s %s %s",
                 sr_value_map_str(ev, "kind"), sr_value_map_str(ev, "name"),
                 sr_value_map_str(ev, "state"));
    seen->count++;
    return seen->stop_after == 0 || seen->count < seen->stop_after;
}

static void
watch_follows_an_execution_to_its_end(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open_connected(s_fx.both);
    sr_id_t id = s_story("SUCCESS");
    s_seen_t seen = {0};
    sr_value_t *ex = NULL;
    sr_error_t err;
    sr_fx_ok(
        sr_client_watch(c, sr_fx_text(&id, 0), s_on_event, &seen, T, &ex, &err),
        &err);
    assert_int_equal(seen.count, 3);
    assert_string_equal(seen.lines[0], "task t1 RUNNING");
    assert_string_equal(seen.lines[1], "task t1 SUCCESS");
    assert_string_equal(seen.lines[2], "execution wf SUCCESS");
    assert_string_equal(sr_value_map_str(ex, "state"), "SUCCESS");
    sr_value_destroy(&ex);
    assert_int_equal(sr_fake_engine_count(s_fx.fe[1], SR_MSG_UNSUBSCRIBE), 1);

    // Finished: returns at once, without events.
    seen = (s_seen_t){0};
    sr_fx_ok(
        sr_client_watch(c, sr_fx_text(&id, 0), s_on_event, &seen, T, &ex, &err),
        &err);
    assert_int_equal(seen.count, 0);
    assert_string_equal(sr_value_map_str(ex, "state"), "SUCCESS");
    sr_value_destroy(&ex);
    sr_client_close(&c);
}

static void
watch_ends_when_the_execution_is_deleted(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open_connected(s_fx.both);
    sr_id_t id = s_story(NULL);
    sr_fake_engine_add_event(s_fx.fe[1], &id, "execution", "wf", "DELETED");
    s_seen_t seen = {0};
    sr_value_t *ex = NULL;
    sr_error_t err;
    assert_int_equal(
        sr_client_watch(c, sr_fx_text(&id, 0), s_on_event, &seen, T, &ex, &err),
        SR_ENOTFOUND);
    char msg[128];
    snprintf(msg, sizeof msg, "execution %s was deleted", sr_fx_text(&id, 0));
    assert_string_equal(err.msg, msg);
    assert_int_equal(seen.count, 3);
    assert_string_equal(seen.lines[2], "execution wf DELETED");
    assert_null(ex);
    assert_int_equal(sr_fake_engine_count(s_fx.fe[1], SR_MSG_UNSUBSCRIBE), 1);
    sr_client_close(&c);
}

static void
watch_stops_when_the_callback_says_so(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open_connected(s_fx.both);
    sr_id_t id = s_story(NULL);
    s_seen_t seen = {.stop_after = 1};
    sr_value_t *ex = NULL;
    sr_error_t err;
    sr_fx_ok(
        sr_client_watch(c, sr_fx_text(&id, 0), s_on_event, &seen, T, &ex, &err),
        &err);
    assert_int_equal(seen.count, 1);
    assert_string_equal(sr_value_map_str(ex, "state"), "RUNNING");
    sr_value_destroy(&ex);
    sr_client_close(&c);
}

static void
watch_gives_up_in_time_and_ends_its_subscription(void **state)
{
    (void)state;
    sr_client_t *c = sr_fx_open_connected(s_fx.both);
    sr_id_t id = s_story(NULL);
    sr_value_t *ex = NULL;
    sr_error_t err;
    int64_t start = zclock_mono();
    assert_int_equal(
        sr_client_watch(c, sr_fx_text(&id, 0), NULL, NULL, 200, &ex, &err),
        SR_ETIMEDOUT);
    assert_true(zclock_mono() - start < 2000);
    char msg[128];
    snprintf(msg, sizeof msg, "execution %s did not finish in time",
             sr_fx_text(&id, 0));
    assert_string_equal(err.msg, msg);
    assert_null(ex);
    assert_int_equal(sr_fake_engine_count(s_fx.fe[1], SR_MSG_UNSUBSCRIBE), 1);

    sr_fx_ok(sr_client_subscribe(c, NULL, T, &err), &err);
    assert_int_equal(
        sr_client_watch(c, sr_fx_text(&id, 0), NULL, NULL, T, &ex, &err),
        SR_ESTATE);
    assert_int_equal(sr_client_watch(c, NULL, NULL, NULL, T, &ex, &err),
                     SR_EINVAL);
    sr_id_t none = sr_fx_id(3, 0);
    sr_fx_ok(sr_client_unsubscribe(c, T, &err), &err);
    assert_int_equal(
        sr_client_watch(c, sr_fx_text(&none, 1), NULL, NULL, T, &ex, &err),
        SR_ENOTFOUND);
    sr_client_close(&c);
}

static void
watch_reads_the_execution_when_its_events_are_lost(void **state)
{
    (void)state;
    sr_client_opts_t opts = {.watch_check_ms = 50};
    sr_client_t *c = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_open(s_fx.both, &opts, &c, &err), &err);
    sr_id_t id = s_story("SUCCESS");
    sr_fake_engine_mute(s_fx.fe[1], SR_MSG_EVENT);
    s_seen_t seen = {0};
    sr_value_t *ex = NULL;
    int64_t start = zclock_mono();
    sr_fx_ok(
        sr_client_watch(c, sr_fx_text(&id, 0), s_on_event, &seen, T, &ex, &err),
        &err);
    assert_true(zclock_mono() - start < T / 2);
    assert_int_equal(seen.count, 0);
    assert_string_equal(sr_value_map_str(ex, "state"), "SUCCESS");
    assert_true(sr_fake_engine_count(s_fx.fe[1], SR_MSG_EX_GET) >= 3);
    sr_value_destroy(&ex);
    sr_client_close(&c);
}

static void
the_event_queue_drops_its_oldest_when_full(void **state)
{
    (void)state;
    sr_client_queue_t *q = sr_client_queue_new(2);
    assert_true(sr_client_queue_push(q, sr_value_new_int(1)));
    assert_true(sr_client_queue_push(q, sr_value_new_int(2)));
    assert_false(sr_client_queue_push(q, sr_value_new_int(3)));
    assert_false(sr_client_queue_push(q, NULL));
    assert_int_equal(sr_client_queue_lost(q), 2);
    assert_int_equal(sr_client_queue_size(q), 2);
    sr_value_t *v = sr_client_queue_pop(q);
    assert_int_equal(sr_value_int(v), 2);
    sr_value_destroy(&v);
    assert_true(sr_client_queue_push(q, sr_value_new_int(4)));
    sr_client_queue_clear(q);
    assert_null(sr_client_queue_pop(q));
    assert_int_equal(sr_client_queue_lost(q), 2);
    sr_client_queue_push(q, sr_value_new_int(5)); // freed by destroy
    sr_client_queue_destroy(&q);
    assert_null(q);
    assert_null(sr_client_queue_new(0));
    assert_true(sr_client_state_is_final("CANCELLED"));
    assert_false(sr_client_state_is_final("PAUSED"));
    assert_false(sr_client_state_is_final(NULL));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            events_of_a_subscribed_execution_are_queued_in_order, s_each,
            s_done),
        cmocka_unit_test_setup_teardown(
            a_subscription_to_everything_reaches_every_engine, s_each, s_done),
        cmocka_unit_test_setup_teardown(
            subscribed_engines_get_heartbeats_and_others_do_not, s_each,
            s_done),
        cmocka_unit_test_setup_teardown(watch_follows_an_execution_to_its_end,
                                        s_each, s_done),
        cmocka_unit_test_setup_teardown(
            watch_ends_when_the_execution_is_deleted, s_each, s_done),
        cmocka_unit_test_setup_teardown(watch_stops_when_the_callback_says_so,
                                        s_each, s_done),
        cmocka_unit_test_setup_teardown(
            watch_gives_up_in_time_and_ends_its_subscription, s_each, s_done),
        cmocka_unit_test_setup_teardown(
            watch_reads_the_execution_when_its_events_are_lost, s_each, s_done),
        cmocka_unit_test(the_event_queue_drops_its_oldest_when_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
