// Tests of the cover: the partitions a cluster names against those the
// engines that answered served throughout a request (issue 12).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "sr_client_cover.h"
#include "sr_client_test_util.h"
#include "sr_value_json.h"

// A STATUS body of an engine serving `parts` in `epochs`, in a cluster of
// partitions 0 .. 3 (two members, one naming a partition as a map).
static sr_value_t *
s_status(const char *parts, const char *epochs)
{
    char text[512];
    snprintf(text, sizeof text,
             "{\"partitions\": %s, \"epochs\": %s, \"cluster\": ["
             "{\"name\": \"e1\", \"partitions\": [0, 1, 2]},"
             "{\"name\": \"e2\", \"partitions\": [{\"number\": 3}, 2]}]}",
             parts, epochs);
    return sr_fx_json(text);
}

// Note `before` and `after` of one engine; check what is left unserved
// and whether the cover is whole. Frees both.
static void
s_check(sr_client_cover_t *cv, sr_value_t *before, sr_value_t *after,
        const char *unserved, bool is_whole)
{
    sr_client_cover_name(cv, before);
    sr_client_cover_serve(cv, before, after);
    sr_value_t *a = NULL;
    sr_error_t err;
    sr_fx_ok(sr_client_cover_unserved(cv, &a, &err), &err);
    char *json = sr_value_to_json(a, SR_JSON_COMPACT);
    assert_string_equal(json, unserved);
    assert_int_equal(sr_client_cover_is_whole(cv), is_whole);
    free(json);
    sr_value_destroy(&a);
    sr_value_destroy(&before);
    sr_value_destroy(&after);
}

static void
nothing_named_is_never_whole(void **state)
{
    (void)state;
    sr_client_cover_t *cv = sr_client_cover_new();
    s_check(cv, sr_fx_json("{\"partitions\": [0, 1], \"cluster\": []}"), NULL,
            "[]", false);
    sr_client_cover_destroy(&cv);
    assert_null(cv);
}

static void
engines_that_serve_every_named_partition_are_whole(void **state)
{
    (void)state;
    sr_client_cover_t *cv = sr_client_cover_new();
    s_check(cv, s_status("[0, 1]", "[4, 4]"), s_status("[0, 1]", "[4, 4]"),
            "[2,3]", false);
    s_check(cv, s_status("[2]", "[7]"), NULL, "[3]", false);
    s_check(cv, s_status("[3]", "[2]"), s_status("[3]", "[2]"), "[]", true);
    sr_client_cover_destroy(&cv);
}

// A partition lost, gained, or served again in another epoch between the
// two STATUS replies may have been served by another engine meanwhile:
// the list in between may lack its items.
static void
a_partition_counts_only_when_served_in_one_epoch_throughout(void **state)
{
    (void)state;
    sr_client_cover_t *cv = sr_client_cover_new();
    s_check(cv, s_status("[0, 1, 2]", "[3, 3, 3]"),
            s_status("[1, 2, 3]", "[3, 4, 3]"), "[0,2,3]", false);
    sr_client_cover_destroy(&cv);
}

static void
members_are_named_by_their_client_endpoint(void **state)
{
    (void)state;
    sr_value_t *st = sr_fx_json(
        "{\"cluster\": [{\"name\": \"e1\", \"client\": \"tcp://h:1\"},"
        "{\"name\": \"e2\", \"client\": \"tcp://h:2\"}]}");
    assert_true(sr_client_cover_is_member(st, "tcp://h:2"));
    assert_false(sr_client_cover_is_member(st, "tcp://h:3"));
    assert_false(sr_client_cover_is_member(st, NULL));
    sr_value_destroy(&st);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nothing_named_is_never_whole),
        cmocka_unit_test(engines_that_serve_every_named_partition_are_whole),
        cmocka_unit_test(
            a_partition_counts_only_when_served_in_one_epoch_throughout),
        cmocka_unit_test(members_are_named_by_their_client_endpoint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
