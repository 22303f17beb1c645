// The piece-by-piece reader against hostile bytes: a table of inputs and
// the read attempted, each refused with SR_EPROTO and a message saying
// why, the cursor unmoved; and what it accepts, every integer width.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "sr_unpack.h"

typedef enum { S_ARRAY, S_MAP, S_INT, S_UINT, S_STR, S_BIN } s_read_t;

typedef struct {
    const char *bytes;
    size_t len;
    s_read_t read;
    const char *says; // part of the error message
} s_case_t;

#define S_B(lit) lit, sizeof lit - 1

static const s_case_t s_refused[] = {
    {S_B(""), S_ARRAY, "truncated data"},
    {S_B("\xdd\x00\x00"), S_ARRAY, "truncated header"},
    {S_B("\xdd\xff\xff\xff\xff\x90"), S_ARRAY, "4294967295 items larger"},
    {S_B("\xdf\x00\x00\x00\x02\x01\x02\x03"), S_MAP, "2 pairs larger"},
    {S_B("\x92\x01\x02"), S_ARRAY, NULL}, // the count fits: accepted
    {S_B("\x94\x01\x02"), S_ARRAY, "4 items larger"},
    {S_B("\xc6\x7f\xff\xff\xff\x00"), S_BIN, "2147483647 bytes larger"},
    {S_B("\xc4\x03\x01\x02"), S_BIN, "3 bytes larger"},
    {S_B("\xa5"
         "abc"),
     S_STR, "5 bytes larger"},
    {S_B("\xa1x"), S_BIN, "expected binary, found a string"},
    {S_B("\xc4\x01x"), S_STR, "expected a string, found binary"},
    {S_B("\x91\x01"), S_MAP, "expected a map, found an array"},
    {S_B("\xc0"), S_INT, "expected an integer, found nil"},
    {S_B("\xc3"), S_ARRAY, "found a boolean"},
    {S_B("\xcb\x00\x00\x00\x00\x00\x00\x00\x00"), S_INT, "found a float"},
    {S_B("\xd4\x01\x02"), S_BIN, "found an ext"},
    {S_B("\xc1"), S_INT, "found the unused type"},
    {S_B("\xcf\xff\xff\xff\xff\xff\xff\xff\xff"), S_INT, "above the int64"},
    {S_B("\xcf\x00\x00"), S_INT, "truncated header"},
    {S_B("\xff"), S_UINT, "expected an unsigned integer, found -1"},
    {S_B("\xd3\x80\x00\x00\x00\x00\x00\x00\x00"), S_UINT,
     "found -9223372036854775808"},
    {S_B("\xa1x"), S_UINT, "expected an integer, found a string"},
    {S_B("\xcf\xff\xff"), S_UINT, "truncated header"},
};

static sr_err_t
s_read(sr_unpack_t *u, s_read_t read, sr_error_t *err)
{
    size_t n;
    int64_t i;
    uint64_t ui;
    const char *s;
    const void *b;
    switch (read) {
    case S_ARRAY:
        return sr_unpack_array(u, &n, err);
    case S_MAP:
        return sr_unpack_map(u, &n, err);
    case S_INT:
        return sr_unpack_int(u, &i, err);
    case S_UINT:
        return sr_unpack_uint(u, &ui, err);
    case S_STR:
        return sr_unpack_str(u, &s, &n, err);
    case S_BIN:
        return sr_unpack_bin(u, &b, &n, err);
    }
    return SR_EINTERNAL;
}

static void
hostile_bytes_are_refused_with_a_reason_and_the_cursor_unmoved(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof s_refused / sizeof *s_refused; i++) {
        const s_case_t *c = &s_refused[i];
        sr_unpack_t u;
        sr_unpack_init(&u, c->bytes, c->len);
        sr_error_t err = {0};
        sr_err_t rc = s_read(&u, c->read, &err);
        if (!c->says) {
            assert_int_equal(rc, SR_OK);
            continue;
        }
        if (rc != SR_EPROTO || !strstr(err.msg, c->says))
            fail_msg("case %zu: %s, '%s' (wanted '%s')", i, sr_strerror(rc),
                     err.msg, c->says);
        assert_int_equal(sr_unpack_left(&u), c->len);
    }
}

// An integer read as signed (S_INT) or unsigned (S_UINT): `v` holds its
// bits.
static void
integers_of_every_width_are_read(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        size_t len;
        s_read_t read;
        uint64_t v;
    } ints[] = {
        {S_B("\x7f"), S_INT, 127},
        {S_B("\xff"), S_INT, (uint64_t)-1},
        {S_B("\xe0"), S_INT, (uint64_t)-32},
        {S_B("\xcc\xff"), S_INT, 255},
        {S_B("\xcd\x01\x00"), S_INT, 256},
        {S_B("\xce\xff\xff\xff\xff"), S_INT, 4294967295},
        {S_B("\xcf\x7f\xff\xff\xff\xff\xff\xff\xff"), S_INT, INT64_MAX},
        {S_B("\xd0\x80"), S_INT, (uint64_t)-128},
        {S_B("\xd1\x80\x00"), S_INT, (uint64_t)-32768},
        {S_B("\xd2\x80\x00\x00\x00"), S_INT, (uint64_t)INT32_MIN},
        {S_B("\xd3\x80\x00\x00\x00\x00\x00\x00\x00"), S_INT,
         (uint64_t)INT64_MIN},
        {S_B("\x00"), S_UINT, 0},
        {S_B("\xcd\xff\xff"), S_UINT, 65535},
        {S_B("\xcf\x80\x00\x00\x00\x00\x00\x00\x00"), S_UINT, 1ULL << 63},
        {S_B("\xcf\xff\xff\xff\xff\xff\xff\xff\xff"), S_UINT, UINT64_MAX},
        {S_B("\xd0\x05"), S_UINT, 5}, // a signed format, a positive value
    };
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        sr_unpack_t u;
        sr_unpack_init(&u, ints[i].bytes, ints[i].len);
        int64_t v = 0;
        uint64_t uv = 0;
        sr_error_t err;
        if (ints[i].read == S_INT) {
            assert_int_equal(sr_unpack_int(&u, &v, &err), SR_OK);
            uv = (uint64_t)v;
        } else {
            assert_int_equal(sr_unpack_uint(&u, &uv, &err), SR_OK);
        }
        if (uv != ints[i].v)
            fail_msg("case %zu: read %llu", i, (unsigned long long)uv);
        assert_int_equal(sr_unpack_left(&u), 0);
    }
}

static void
a_nil_is_consumed_only_when_it_comes_next(void **state)
{
    (void)state;
    sr_unpack_t u;
    sr_unpack_init(&u, "\xc0\x01", 2);
    assert_true(sr_unpack_nil(&u));
    assert_false(sr_unpack_nil(&u));
    assert_int_equal(sr_unpack_left(&u), 1);
    sr_unpack_init(&u, NULL, 0);
    assert_false(sr_unpack_nil(&u));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            hostile_bytes_are_refused_with_a_reason_and_the_cursor_unmoved),
        cmocka_unit_test(integers_of_every_width_are_read),
        cmocka_unit_test(a_nil_is_consumed_only_when_it_comes_next),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
