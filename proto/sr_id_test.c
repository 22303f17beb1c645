// Tests of execution ids: partition round trip, text form, value form.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sr_id.h"

static void
partition_and_time_round_trip(void **state)
{
    (void)state;
    uint16_t parts[] = {0, 1, 7, 255, 256, 65535};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        sr_id_t id;
        sr_id_make(parts[i], 1763900000123, &id);
        assert_int_equal(sr_id_partition(&id), parts[i]);
        assert_int_equal(sr_id_time_ms(&id), 1763900000123);
        char text[SR_ID_TEXT_SIZE];
        sr_id_format(&id, text);
        assert_int_equal(strlen(text), 36);
        assert_int_equal(text[14], '8'); // version 8
        sr_id_t back;
        assert_int_equal(sr_id_parse(text, &back), SR_OK);
        assert_true(sr_id_equal(&id, &back));
        assert_int_equal(sr_id_partition(&back), parts[i]);
    }
}

static void
ids_are_unique_and_sort_by_time(void **state)
{
    (void)state;
    sr_id_t a, b, c;
    sr_id_make(3, 1000000, &a);
    sr_id_make(3, 1000000, &b);
    sr_id_make(3, 2000000, &c);
    assert_false(sr_id_equal(&a, &b));
    assert_true(sr_id_compare(&a, &c) < 0);
    assert_true(sr_id_compare(&b, &c) < 0);
}

static void
ids_of_one_millisecond_sort_in_the_order_they_were_made(void **state)
{
    (void)state;
    sr_id_t prev, id;
    sr_id_make(5, 1767225600000, &prev);
    for (int i = 0; i < 5000; i++) {
        sr_id_make(5, 1767225600000, &id);
        assert_true(sr_id_compare(&prev, &id) < 0);
        assert_int_equal(sr_id_time_ms(&id), 1767225600000);
        assert_int_equal(id.b[6] >> 4, 8); // version 8
        assert_int_equal(id.b[8] >> 6, 2); // RFC variant
        prev = id;
    }
    // A later millisecond sorts after, whatever the sequence was.
    sr_id_make(5, 1767225600001, &id);
    assert_true(sr_id_compare(&prev, &id) < 0);
}

static void
floor_is_the_smallest_id_made_at_that_time(void **state)
{
    (void)state;
    int64_t t = 1767225600123; // 2026-01-01T00:00:00.123Z
    sr_id_t floor, id, before;
    sr_id_floor(9, t, &floor);
    assert_int_equal(sr_id_partition(&floor), 9);
    assert_int_equal(sr_id_time_ms(&floor), t);
    for (int i = 0; i < 100; i++) {
        sr_id_make(9, t, &id);
        assert_true(sr_id_compare(&floor, &id) <= 0);
        sr_id_make(9, t - 1, &before);
        assert_true(sr_id_compare(&before, &floor) < 0);
    }
    sr_id_floor(9, -5, &floor); // clamped
    assert_int_equal(sr_id_time_ms(&floor), 0);
    sr_id_floor(9, INT64_MAX, &floor);
    assert_int_equal(sr_id_time_ms(&floor), (int64_t)0xffffffff * 1000 + 999);
}

static void
parse_refuses_malformed_text(void **state)
{
    (void)state;
    sr_id_t id;
    const char *bad[] = {"", "xyz", "0123456789abcdef0123456789abcdeg",
                         "01234567-89ab-cdef-0123-456789abcdef0",
                         "01234567+89ab-cdef-0123-456789abcdef"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sr_id_parse(bad[i], &id), SR_EINVAL);
    assert_int_equal(sr_id_parse("0123456789ABCDEF0123456789abcdef", &id),
                     SR_OK);
    assert_int_equal(sr_id_partition(&id), 0x0123);
}

static void
value_form_is_sixteen_bytes_or_text(void **state)
{
    (void)state;
    sr_id_t id, back;
    sr_id_make(42, 0, &id);
    sr_value_t *v = sr_id_to_value(&id);
    assert_int_equal(sr_value_type(v), SR_T_BIN);
    assert_int_equal(sr_value_len(v), 16);
    assert_int_equal(sr_id_from_value(v, &back), SR_OK);
    assert_true(sr_id_equal(&id, &back));
    sr_value_destroy(&v);
    char text[SR_ID_TEXT_SIZE];
    v = sr_value_new_str(sr_id_format(&id, text));
    assert_int_equal(sr_id_from_value(v, &back), SR_OK);
    assert_true(sr_id_equal(&id, &back));
    sr_value_destroy(&v);
    v = sr_value_new_int(5);
    assert_int_equal(sr_id_from_value(v, &back), SR_EINVAL);
    sr_value_destroy(&v);
}

// An id a client chose must be laid out as the engines lay theirs out.
static void
layout_check_accepts_made_ids_and_names_what_is_wrong(void **state)
{
    (void)state;
    sr_id_t id;
    sr_error_t err;
    for (uint16_t p = 0; p < 4; p++) {
        sr_id_make(p, 0, &id);
        assert_int_equal(sr_id_check_layout(&id, &err), SR_OK);
    }
    assert_int_equal(sr_id_parse("0003691f-2a40-830c-9d41-5e6a0b72c418", &id),
                     SR_OK);
    assert_int_equal(sr_id_check_layout(&id, NULL), SR_OK);
    assert_int_equal(sr_id_parse("0003691f-2a40-430c-9d41-5e6a0b72c418", &id),
                     SR_OK); // a random (version 4) UUID
    assert_int_equal(sr_id_check_layout(&id, &err), SR_EINVAL);
    assert_string_equal(err.msg,
                        "0003691f-2a40-430c-9d41-5e6a0b72c418 is not a "
                        "Sirocco id: its version is 4, not 8 "
                        "(docs/protocol.md, EX_START)");
    assert_int_equal(sr_id_parse("0003691f-2a40-830c-dd41-5e6a0b72c418", &id),
                     SR_OK);
    assert_int_equal(sr_id_check_layout(&id, &err), SR_EINVAL);
    assert_string_equal(err.msg,
                        "0003691f-2a40-830c-dd41-5e6a0b72c418 is not a "
                        "Sirocco id: its variant bits are 11, not 10 "
                        "(docs/protocol.md, EX_START)");
    memset(&id, 0, sizeof id);
    assert_int_equal(sr_id_check_layout(&id, &err), SR_EINVAL);
    assert_non_null(strstr(err.msg, "its version is 0, not 8"));
}

// A forked child must not make the ids its parent makes next: the
// random pool it inherits is thrown away.
static void
a_forked_child_makes_other_ids(void **state)
{
    (void)state;
    sr_id_t warm, mine, theirs;
    sr_id_make(1, 1000, &warm); // the pool now holds unused bytes
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        sr_id_t id;
        sr_id_make(1, 1000, &id);
        _exit(write(fds[1], id.b, 16) == 16 ? 0 : 1);
    }
    close(fds[1]);
    assert_int_equal(read(fds[0], theirs.b, 16), 16);
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    sr_id_make(1, 1000, &mine);
    assert_false(sr_id_equal(&mine, &theirs));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(partition_and_time_round_trip),
        cmocka_unit_test(ids_are_unique_and_sort_by_time),
        cmocka_unit_test(
            ids_of_one_millisecond_sort_in_the_order_they_were_made),
        cmocka_unit_test(floor_is_the_smallest_id_made_at_that_time),
        cmocka_unit_test(parse_refuses_malformed_text),
        cmocka_unit_test(value_form_is_sixteen_bytes_or_text),
        cmocka_unit_test(layout_check_accepts_made_ids_and_names_what_is_wrong),
        cmocka_unit_test(a_forked_child_makes_other_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
