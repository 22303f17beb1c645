// The piece-by-piece writer: what it packs is ordinary msgpack (the value
// decoder reads it), a header can be followed by another writer's bytes,
// and sizes at the format's edges pick the right headers.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sr_pack.h"
#include "sr_unpack.h"
#include "sr_value_msgpack.h"

// Decode what `pk` holds as one value.
static sr_value_t *
s_value(const sr_pack_t *pk)
{
    size_t len = 0;
    const void *data = sr_pack_data(pk, &len);
    sr_value_t *v = NULL;
    sr_error_t err;
    assert_int_equal(sr_value_decode(data, len, NULL, &v, &err), SR_OK);
    return v;
}

static void
items_packed_are_read_by_the_value_decoder(void **state)
{
    (void)state;
    sr_pack_t *pk = sr_pack_new();
    assert_non_null(pk);
    assert_int_equal(sr_pack_map(pk, 1), SR_OK);
    assert_int_equal(sr_pack_str(pk, "k", 1), SR_OK);
    assert_int_equal(sr_pack_array(pk, 5), SR_OK);
    assert_int_equal(sr_pack_nil(pk), SR_OK);
    assert_int_equal(sr_pack_int(pk, -5), SR_OK);
    assert_int_equal(sr_pack_int(pk, INT64_MAX), SR_OK);
    assert_int_equal(sr_pack_bin(pk, "\0\1", 2), SR_OK);
    assert_int_equal(sr_pack_bin(pk, NULL, 0), SR_OK);
    sr_value_t *v = s_value(pk);
    const sr_value_t *a = sr_value_map_get(v, "k");
    assert_int_equal(sr_value_len(a), 5);
    assert_true(sr_value_is(sr_value_array_at(a, 0), SR_T_NIL));
    assert_int_equal(sr_value_int(sr_value_array_at(a, 1)), -5);
    assert_int_equal(sr_value_int(sr_value_array_at(a, 2)), INT64_MAX);
    size_t n = 0;
    const void *b = sr_value_bin(sr_value_array_at(a, 3), &n);
    assert_int_equal(n, 2);
    assert_memory_equal(b, "\0\1", 2);
    sr_value_bin(sr_value_array_at(a, 4), &n);
    assert_int_equal(n, 0);
    sr_value_destroy(&v);
    sr_pack_destroy(&pk);
    assert_null(pk);
}

static void
a_header_can_be_followed_by_another_writers_items(void **state)
{
    (void)state;
    sr_pack_t *items = sr_pack_new(), *out = sr_pack_new();
    for (int i = 0; i < 300; i++) // past the 16-item fixarray
        assert_int_equal(sr_pack_int(items, i), SR_OK);
    size_t len = 0;
    const void *data = sr_pack_data(items, &len);
    assert_int_equal(sr_pack_reserve(out, len + 5), SR_OK);
    assert_int_equal(sr_pack_array(out, 300), SR_OK);
    assert_int_equal(sr_pack_raw(out, data, len), SR_OK);
    sr_value_t *v = s_value(out);
    assert_int_equal(sr_value_len(v), 300);
    assert_int_equal(sr_value_int(sr_value_array_at(v, 299)), 299);
    sr_value_destroy(&v);

    char *buf = NULL;
    sr_pack_take(out, &buf, &len);
    assert_non_null(buf);
    assert_true(len > 300);
    free(buf);
    sr_pack_data(out, &len);
    assert_int_equal(len, 0); // taken: empty again
    sr_pack_destroy(&items);
    sr_pack_destroy(&out);
}

// Lengths at the edges of str8/str16 and bin8/bin16/bin32 read back.
static void
long_strings_and_binaries_read_back_through_the_cursor(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 31, 32, 255, 256, 65535, 65536, 100000};
    size_t n = sizeof sizes / sizeof *sizes;
    char *big = malloc(sizes[n - 1]);
    memset(big, 'x', sizes[n - 1]);
    sr_pack_t *pk = sr_pack_new();
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(sr_pack_str(pk, big, sizes[i]), SR_OK);
        assert_int_equal(sr_pack_bin(pk, big, sizes[i]), SR_OK);
    }
    size_t len = 0;
    const void *data = sr_pack_data(pk, &len);
    sr_unpack_t u;
    sr_unpack_init(&u, data, len);
    sr_error_t err;
    for (size_t i = 0; i < n; i++) {
        const char *s = NULL;
        const void *b = NULL;
        size_t slen = 1, blen = 1;
        assert_int_equal(sr_unpack_str(&u, &s, &slen, &err), SR_OK);
        assert_int_equal(sr_unpack_bin(&u, &b, &blen, &err), SR_OK);
        assert_int_equal(slen, sizes[i]);
        assert_int_equal(blen, sizes[i]);
        assert_non_null(s);
        assert_non_null(b);
    }
    assert_int_equal(sr_unpack_left(&u), 0);
    sr_pack_destroy(&pk);
    free(big);
}

// Unsigned integers over the whole range read back, small ones in one byte.
static void
unsigned_integers_read_back_over_the_whole_range(void **state)
{
    (void)state;
    static const uint64_t vals[] = {
        0, 127, 128, 65535, 1ULL << 32, INT64_MAX, 1ULL << 63, UINT64_MAX};
    size_t n = sizeof vals / sizeof *vals;
    sr_pack_t *pk = sr_pack_new();
    assert_int_equal(sr_pack_uint(pk, 5), SR_OK);
    size_t len = 0;
    sr_pack_data(pk, &len);
    assert_int_equal(len, 1);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(sr_pack_uint(pk, vals[i]), SR_OK);
    const void *data = sr_pack_data(pk, &len);
    sr_unpack_t u;
    sr_unpack_init(&u, data, len);
    sr_error_t err;
    uint64_t v = 0;
    assert_int_equal(sr_unpack_uint(&u, &v, &err), SR_OK);
    assert_true(v == 5);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(sr_unpack_uint(&u, &v, &err), SR_OK);
        assert_true(v == vals[i]);
    }
    assert_int_equal(sr_unpack_left(&u), 0);
    sr_pack_destroy(&pk);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(items_packed_are_read_by_the_value_decoder),
        cmocka_unit_test(a_header_can_be_followed_by_another_writers_items),
        cmocka_unit_test(
            long_strings_and_binaries_read_back_through_the_cursor),
        cmocka_unit_test(unsigned_integers_read_back_over_the_whole_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
