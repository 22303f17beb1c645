// Tests of heartbeat bookkeeping: when peers are due a heartbeat, when they
// expire, and that the table holds many binary keys through removals.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sr_heartbeat.h"

typedef struct {
    size_t calls;
    char last[SR_HEARTBEAT_KEY_MAX + 1];
} s_seen_t;

static void
s_record(const void *key, size_t len, void *arg)
{
    s_seen_t *seen = arg;
    seen->calls++;
    memcpy(seen->last, key, len);
    seen->last[len] = '\0';
}

static void
peers_are_due_a_heartbeat_after_the_interval_of_silence(void **state)
{
    (void)state;
    sr_heartbeat_t *hb = sr_heartbeat_new(1000, 3000);
    s_seen_t seen = {0};
    assert_int_equal(sr_heartbeat_touch(hb, "w1", 2, 0), SR_OK);
    assert_int_equal(sr_heartbeat_due(hb, 999, s_record, &seen), 0);
    assert_int_equal(sr_heartbeat_due(hb, 1000, s_record, &seen), 1);
    assert_string_equal(seen.last, "w1");
    // Counted as sent: not due again until another interval passes.
    assert_int_equal(sr_heartbeat_due(hb, 1999, s_record, &seen), 0);
    // Any message sent counts as a heartbeat.
    sr_heartbeat_sent(hb, "w1", 2, 2500);
    assert_int_equal(sr_heartbeat_due(hb, 3499, s_record, &seen), 0);
    assert_int_equal(sr_heartbeat_due(hb, 3500, NULL, NULL), 1);
    sr_heartbeat_sent(hb, "nobody", 6, 3500); // ignored
    assert_int_equal(sr_heartbeat_size(hb), 1);
    sr_heartbeat_destroy(&hb);
    assert_null(hb);
    sr_heartbeat_destroy(&hb); // NULL-safe
}

static void
silent_peers_expire_and_are_removed(void **state)
{
    (void)state;
    sr_heartbeat_t *hb = sr_heartbeat_new(1000, 3000);
    s_seen_t seen = {0};
    sr_heartbeat_touch(hb, "a", 1, 0);
    sr_heartbeat_touch(hb, "b", 1, 0);
    sr_heartbeat_touch(hb, "b", 1, 2000); // b spoke again
    // Heartbeats we send do not keep a silent peer alive.
    sr_heartbeat_sent(hb, "a", 1, 2900);
    assert_int_equal(sr_heartbeat_expire(hb, 2999, s_record, &seen), 0);
    assert_int_equal(sr_heartbeat_expire(hb, 3000, s_record, &seen), 1);
    assert_string_equal(seen.last, "a");
    assert_false(sr_heartbeat_has(hb, "a", 1));
    assert_true(sr_heartbeat_has(hb, "b", 1));
    assert_int_equal(sr_heartbeat_expire(hb, 5000, NULL, NULL), 1);
    assert_int_equal(sr_heartbeat_size(hb), 0);
    sr_heartbeat_destroy(&hb);
}

static void
next_time_bounds_the_poll(void **state)
{
    (void)state;
    sr_heartbeat_t *hb = sr_heartbeat_new(1000, 3000);
    assert_true(sr_heartbeat_next_ms(hb) == INT64_MAX);
    sr_heartbeat_touch(hb, "a", 1, 100);
    assert_int_equal(sr_heartbeat_next_ms(hb), 1100); // heartbeat due
    sr_heartbeat_touch(hb, "b", 1, 50);
    sr_heartbeat_sent(hb, "b", 1, 5000);
    assert_int_equal(sr_heartbeat_next_ms(hb), 1100);
    sr_heartbeat_sent(hb, "a", 1, 2900);
    assert_int_equal(sr_heartbeat_next_ms(hb), 3050); // b expires first
    assert_true(sr_heartbeat_remove(hb, "b", 1));
    assert_false(sr_heartbeat_remove(hb, "b", 1));
    assert_int_equal(sr_heartbeat_next_ms(hb), 3100);
    sr_heartbeat_destroy(&hb);
}

static void
many_binary_keys_survive_growth_and_removal(void **state)
{
    (void)state;
    sr_heartbeat_t *hb = sr_heartbeat_new(10, 100);
    uint8_t key[5] = {0}; // like ZeroMQ's generated routing ids
    for (uint32_t i = 0; i < 2000; i++) {
        memcpy(key + 1, &i, sizeof i);
        assert_int_equal(sr_heartbeat_touch(hb, key, sizeof key, i % 50),
                         SR_OK);
    }
    assert_int_equal(sr_heartbeat_size(hb), 2000);
    for (uint32_t i = 0; i < 2000; i += 2) {
        memcpy(key + 1, &i, sizeof i);
        assert_true(sr_heartbeat_remove(hb, key, sizeof key));
    }
    for (uint32_t i = 0; i < 2000; i++) {
        memcpy(key + 1, &i, sizeof i);
        assert_int_equal(sr_heartbeat_has(hb, key, sizeof key), i % 2 == 1);
    }
    // Odd peers were heard at odd times 1..49; those heard at 1..23 (12 of
    // 25 times, 40 peers each) are silent for 100 ms or more at 124.
    size_t expired = sr_heartbeat_expire(hb, 124, NULL, NULL);
    assert_int_equal(expired, 480);
    assert_int_equal(sr_heartbeat_size(hb), 520);
    for (uint32_t i = 1; i < 2000; i += 2) {
        memcpy(key + 1, &i, sizeof i);
        assert_int_equal(sr_heartbeat_has(hb, key, sizeof key), i % 50 >= 25);
    }
    sr_heartbeat_destroy(&hb);
}

static void
bad_keys_and_intervals_are_refused(void **state)
{
    (void)state;
    assert_null(sr_heartbeat_new(0, 100));
    assert_null(sr_heartbeat_new(100, -1));
    sr_heartbeat_t *hb = sr_heartbeat_new(10, 100);
    char big[SR_HEARTBEAT_KEY_MAX + 1];
    memset(big, 'k', sizeof big);
    assert_int_equal(sr_heartbeat_touch(hb, "", 0, 0), SR_EINVAL);
    assert_int_equal(sr_heartbeat_touch(hb, big, sizeof big, 0), SR_EINVAL);
    assert_int_equal(sr_heartbeat_touch(hb, big, sizeof big - 1, 0), SR_OK);
    assert_false(sr_heartbeat_has(hb, big, sizeof big));
    assert_true(sr_heartbeat_has(hb, big, sizeof big - 1));
    sr_heartbeat_destroy(&hb);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            peers_are_due_a_heartbeat_after_the_interval_of_silence),
        cmocka_unit_test(silent_peers_expire_and_are_removed),
        cmocka_unit_test(next_time_bounds_the_poll),
        cmocka_unit_test(many_binary_keys_survive_growth_and_removal),
        cmocka_unit_test(bad_keys_and_intervals_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
