// The partition map of a worker node alone (wrk_parts.c): the highest
// epoch wins, a link that stops listing a partition or is forgotten loses
// it, repeated lists change nothing, and a bad list is refused whole.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "wrk_parts.h"
#include "wrk_test_support.h"

// Link `link` lists `json` (HEARTBEAT.partitions as JSON); returns
// whether its list changed.
static bool
s_heard(wrk_parts_t *parts, size_t link, const char *json)
{
    sr_value_t *list = wt_json(json);
    bool is_changed = false;
    sr_error_t err;
    sr_err_t rc = wrk_parts_heard(parts, link, list, &is_changed, &err);
    if (rc)
        fail_msg("heard %s: %s %s", json, sr_strerror(rc), err.msg);
    sr_value_destroy(&list);
    return is_changed;
}

// The link serving `partition`, or -1 when none.
static int
s_leader(const wrk_parts_t *parts, uint16_t partition)
{
    size_t link = 99;
    return wrk_parts_leader(parts, partition, &link) ? (int)link : -1;
}

static void
the_highest_epoch_serves_a_partition(void **state)
{
    (void)state;
    wrk_parts_t *parts = wrk_parts_new(4);
    assert_non_null(parts);
    assert_int_equal(s_leader(parts, 3), -1);
    assert_true(s_heard(parts, 0, "[{\"partition\": 3, \"epoch\": 7}]"));
    assert_int_equal(s_leader(parts, 3), 0);
    assert_int_equal(s_leader(parts, 4), -1);
    // A deposed leader still listing an older epoch does not win.
    assert_true(s_heard(parts, 2,
                        "[{\"partition\": 3, \"epoch\": 8}, "
                        "{\"partition\": 4, \"epoch\": 1}]"));
    assert_int_equal(s_leader(parts, 3), 2);
    assert_int_equal(s_leader(parts, 4), 2);
    // A tie goes to the lower link.
    assert_true(s_heard(parts, 1, "[{\"partition\": 4, \"epoch\": 1}]"));
    assert_int_equal(s_leader(parts, 4), 1);
    wrk_parts_destroy(&parts);
    assert_null(parts);
}

static void
a_link_that_stops_listing_or_is_forgotten_loses_its_partitions(void **state)
{
    (void)state;
    wrk_parts_t *parts = wrk_parts_new(4);
    assert_true(s_heard(parts, 0, "[{\"partition\": 3, \"epoch\": 7}]"));
    assert_true(s_heard(parts, 1, "[{\"partition\": 3, \"epoch\": 8}]"));
    assert_true(s_heard(parts, 1, "[]"));
    assert_int_equal(s_leader(parts, 3), 0);
    assert_true(s_heard(parts, 1, "[{\"partition\": 3, \"epoch\": 8}]"));
    assert_true(wrk_parts_forget(parts, 1));
    assert_false(wrk_parts_forget(parts, 1)); // nothing left to lose
    assert_int_equal(s_leader(parts, 3), 0);
    assert_true(wrk_parts_forget(parts, 0));
    assert_int_equal(s_leader(parts, 3), -1);
    wrk_parts_destroy(&parts);
}

static void
the_same_list_again_changes_nothing(void **state)
{
    (void)state;
    wrk_parts_t *parts = wrk_parts_new(2);
    assert_false(s_heard(parts, 0, "[]"));
    assert_true(s_heard(parts, 0,
                        "[{\"partition\": 5, \"epoch\": 2}, "
                        "{\"partition\": 3, \"epoch\": 2}]"));
    // Another order, another key, a repeat with a lower epoch: the same.
    assert_false(s_heard(parts, 0,
                         "[{\"partition\": 3, \"epoch\": 2}, "
                         "{\"partition\": 5, \"epoch\": 2, "
                         "\"executions\": 10}, "
                         "{\"partition\": 3, \"epoch\": 1}]"));
    assert_true(s_heard(parts, 0,
                        "[{\"partition\": 3, \"epoch\": 3}, "
                        "{\"partition\": 5, \"epoch\": 2}]"));
    wrk_parts_destroy(&parts);
}

static void
a_bad_list_is_refused_and_changes_nothing(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{\"partition\": 3}",
        "[{\"partition\": 3, \"epoch\": 8}, 5]",
        "[{\"partition\": 65536, \"epoch\": 8}]",
        "[{\"partition\": -1, \"epoch\": 8}]",
        "[{\"partition\": 3, \"epoch\": -8}]",
        "[{\"partition\": \"3\", \"epoch\": 8}]",
        "[{\"epoch\": 8}]",
    };
    wrk_parts_t *parts = wrk_parts_new(2);
    assert_true(s_heard(parts, 0, "[{\"partition\": 3, \"epoch\": 7}]"));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        sr_value_t *list = wt_json(bad[i]);
        bool is_changed = true;
        sr_error_t err;
        assert_int_equal(wrk_parts_heard(parts, 0, list, &is_changed, &err),
                         SR_EPROTO);
        assert_string_equal(err.where, "field 'partitions'");
        sr_value_destroy(&list);
    }
    assert_int_equal(s_leader(parts, 3), 0);
    assert_false(s_heard(parts, 0, "[{\"partition\": 3, \"epoch\": 7}]"));
    wrk_parts_destroy(&parts);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_highest_epoch_serves_a_partition),
        cmocka_unit_test(
            a_link_that_stops_listing_or_is_forgotten_loses_its_partitions),
        cmocka_unit_test(the_same_list_again_changes_nothing),
        cmocka_unit_test(a_bad_list_is_refused_and_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
