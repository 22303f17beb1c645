// Tests of the value model and its msgpack and JSON forms.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sr_hash_flood.h"
#include "sr_value.h"
#include "sr_value_json.h"
#include "sr_value_msgpack.h"

static sr_value_t *
s_json(const char *text)
{
    sr_value_t *v = NULL;
    sr_error_t err;
    assert_int_equal(sr_value_from_json(text, strlen(text), NULL, &v, &err),
                     SR_OK);
    return v;
}

static void
s_assert_json(const sr_value_t *v, int flags, const char *expected)
{
    char *text = sr_value_to_json(v, flags);
    assert_non_null(text);
    assert_string_equal(text, expected);
    free(text);
}

// `v` encoded to msgpack and decoded again.
static sr_value_t *
s_msgpack_back(const sr_value_t *v)
{
    char *buf;
    size_t len;
    assert_int_equal(sr_value_encode(v, &buf, &len), SR_OK);
    sr_value_t *back = NULL;
    sr_error_t err;
    assert_int_equal(sr_value_decode(buf, len, NULL, &back, &err), SR_OK);
    free(buf);
    return back;
}

// Encode to msgpack and back, and to JSON and back; both must be equal.
static void
s_round_trip(const sr_value_t *v)
{
    sr_value_t *back = s_msgpack_back(v);
    assert_true(sr_value_equal(v, back));
    sr_value_destroy(&back);

    char *text = sr_value_to_json(v, 0);
    assert_non_null(text);
    back = s_json(text);
    assert_true(sr_value_equal(v, back));
    sr_value_destroy(&back);
    free(text);
}

static void
scalars_round_trip_through_msgpack_and_json(void **state)
{
    (void)state;
    int64_t ints[] = {0,         1,
                      -1,        127,
                      128,       -32,
                      -33,       255,
                      256,       65535,
                      65536,     INT32_MAX,
                      INT32_MIN, (int64_t)INT32_MAX + 1,
                      INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        sr_value_t *v = sr_value_new_int(ints[i]);
        s_round_trip(v);
        sr_value_destroy(&v);
    }
    double floats[] = {0.0, 0.5, -1.25, 10.1, 1e300, -2.5e-300, 3.0};
    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++) {
        sr_value_t *v = sr_value_new_float(floats[i]);
        s_round_trip(v);
        sr_value_destroy(&v);
    }
    s_round_trip(sr_value_new_nil());
    s_round_trip(sr_value_new_bool(true));
    s_round_trip(sr_value_new_bool(false));
    sr_value_t *s = sr_value_new_str("h\xc3\xa9llo \xe2\x9c\x93 \"q\" \\ \n");
    s_round_trip(s);
    sr_value_destroy(&s);
}

static void
nested_containers_round_trip(void **state)
{
    (void)state;
    sr_value_t *v =
        s_json("{\"a\": [1, 2.5, \"x\", null, true, {\"b\": []}],"
               " \"c\": {\"d\": {\"e\": {\"\": 0}}}, \"\xe6\x97\xa5\": 1}");
    s_round_trip(v);
    assert_int_equal(sr_value_len(v), 3);
    assert_int_equal(sr_value_type(sr_value_map_get(v, "a")), SR_T_ARRAY);
    sr_value_destroy(&v);
}

static void
binary_round_trips_through_msgpack_and_prints_as_base64(void **state)
{
    (void)state;
    sr_value_t *v = sr_value_new_bin("\x00\x01\xff", 3);
    char *buf;
    size_t len;
    assert_int_equal(sr_value_encode(v, &buf, &len), SR_OK);
    sr_value_t *back = NULL;
    assert_int_equal(sr_value_decode(buf, len, NULL, &back, NULL), SR_OK);
    assert_true(sr_value_equal(v, back));
    s_assert_json(v, 0, "\"AAH/\"");
    free(buf);
    sr_value_destroy(&back);
    sr_value_destroy(&v);
}

static void
maps_keep_insertion_order_and_replace_in_place(void **state)
{
    (void)state;
    sr_value_t *m = sr_value_new_map(0);
    for (int i = 0; i < 40; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%02d", 39 - i);
        assert_int_equal(sr_value_map_put(m, key, sr_value_new_int(i)), SR_OK);
    }
    assert_int_equal(sr_value_len(m), 40);
    assert_string_equal(sr_value_str(sr_value_map_key(m, 0)), "k39");
    assert_int_equal(sr_value_int(sr_value_map_get(m, "k00")), 39);
    assert_int_equal(sr_value_map_put(m, "k39", sr_value_new_str("x")), SR_OK);
    assert_int_equal(sr_value_len(m), 40);
    assert_string_equal(sr_value_str(sr_value_map_val(m, 0)), "x");
    assert_true(sr_value_map_del(m, "k20"));
    assert_false(sr_value_map_del(m, "k20"));
    assert_null(sr_value_map_get(m, "k20"));
    assert_int_equal(sr_value_int(sr_value_map_get(m, "k19")), 20);
    assert_int_equal(sr_value_len(m), 39);
    sr_value_destroy(&m);
    assert_null(m);
}

// The map holds exactly keys "k<i>" for the i in want[0..n), in that
// order, each with the value i.
static void
s_assert_map(const sr_value_t *m, const int *want, size_t n)
{
    assert_int_equal(sr_value_len(m), n);
    for (size_t j = 0; j < n; j++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", want[j]);
        assert_string_equal(sr_value_str(sr_value_map_key(m, j)), key);
        assert_int_equal(sr_value_int(sr_value_map_get(m, key)), want[j]);
    }
}

static void
deletes_keep_the_order_and_the_index_of_large_maps(void **state)
{
    (void)state;
    enum { N = 40 };
    int want[N];
    size_t n = N;
    sr_value_t *m = sr_value_new_map(0);
    for (int i = 0; i < N; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(sr_value_map_put(m, key, sr_value_new_int(i)), SR_OK);
        want[i] = i;
    }
    s_assert_map(m, want, n);
    // Delete the first, one in the middle, the last, ... down to nothing.
    while (n) {
        size_t at = n % 3 == 0 ? 0 : n % 3 == 1 ? n / 2 : n - 1;
        char key[16];
        snprintf(key, sizeof key, "k%d", want[at]);
        assert_true(sr_value_map_del(m, key));
        assert_false(sr_value_map_del(m, key));
        assert_null(sr_value_map_get(m, key));
        memmove(&want[at], &want[at + 1], (--n - at) * sizeof *want);
        s_assert_map(m, want, n);
    }
    // Grown again past the index's threshold.
    for (int i = 0; i < N; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%d", N - 1 - i);
        assert_int_equal(sr_value_map_put(m, key, sr_value_new_int(N - 1 - i)),
                         SR_OK);
        want[i] = N - 1 - i;
    }
    s_assert_map(m, want, N);
    sr_value_destroy(&m);
}

static void
large_maps_print_and_encode_in_insertion_order(void **state)
{
    (void)state;
    const char *text = "{\"z\":1,\"y\":2,\"x\":3,\"w\":4,\"v\":5,\"u\":6,"
                       "\"t\":7,\"s\":8,\"r\":9,\"q\":10,\"p\":11,"
                       "\"o\":12}";
    sr_value_t *m = s_json(text);
    s_assert_json(m, SR_JSON_COMPACT, text);
    sr_value_t *back = s_msgpack_back(m);
    s_assert_json(back, SR_JSON_COMPACT, text);
    sr_value_destroy(&back);
    sr_value_destroy(&m);
}

static void
dup_is_deep_and_unshare_copies_on_write(void **state)
{
    (void)state;
    sr_value_t *a = s_json("{\"x\": {\"y\": [1, 2]}}");
    sr_value_t *shared = sr_value_ref(a);
    assert_true(sr_value_is_shared(a));
    assert_int_equal(sr_value_unshare(&shared), SR_OK);
    assert_ptr_not_equal(shared, a);
    assert_int_equal(sr_value_map_put(shared, "z", sr_value_new_int(1)), SR_OK);
    assert_null(sr_value_map_get(a, "z"));
    sr_value_t *d = sr_value_dup(a);
    assert_true(sr_value_equal(a, d));
    sr_value_destroy(&a);
    sr_value_destroy(&d);
    sr_value_destroy(&shared);
}

static void
equality_treats_int_and_float_alike_and_ignores_map_order(void **state)
{
    (void)state;
    sr_value_t *a = s_json("{\"a\": 1, \"b\": [1.0, \"s\"]}");
    sr_value_t *b = s_json("{\"b\": [1, \"s\"], \"a\": 1.0}");
    sr_value_t *c = s_json("{\"b\": [1, \"t\"], \"a\": 1.0}");
    assert_true(sr_value_equal(a, b));
    assert_false(sr_value_equal(a, c));
    assert_true(sr_value_compare(a, c) < 0);
    sr_value_destroy(&a);
    sr_value_destroy(&b);
    sr_value_destroy(&c);
}

static void
truthiness_follows_python(void **state)
{
    (void)state;
    const char *falsy[] = {"null", "false", "0", "0.0", "\"\"", "[]", "{}"};
    const char *truthy[] = {"true", "1", "-0.5", "\"0\"", "[0]", "{\"a\":0}"};
    for (size_t i = 0; i < 7; i++) {
        sr_value_t *v = s_json(falsy[i]);
        assert_false(sr_value_truthy(v));
        sr_value_destroy(&v);
    }
    for (size_t i = 0; i < 6; i++) {
        sr_value_t *v = s_json(truthy[i]);
        assert_true(sr_value_truthy(v));
        sr_value_destroy(&v);
    }
}

static void
deep_merge_combines_nested_maps(void **state)
{
    (void)state;
    sr_value_t *dst = s_json("{\"a\": {\"x\": 1, \"y\": 2}, \"b\": 1}");
    sr_value_t *src = s_json("{\"a\": {\"y\": 3, \"z\": 4}, \"c\": [1]}");
    assert_int_equal(sr_value_map_merge(dst, src, true), SR_OK);
    sr_value_t *want =
        s_json("{\"a\": {\"x\": 1, \"y\": 3, \"z\": 4}, \"b\": 1, \"c\": [1]}");
    assert_true(sr_value_equal(dst, want));
    sr_value_destroy(&dst);
    sr_value_destroy(&src);
    sr_value_destroy(&want);
}

static void
json_output_matches_python_layouts(void **state)
{
    (void)state;
    sr_value_t *v = s_json("{\"key1\": \"foo\", \"key2\": [1, 10.1, 3.0]}");
    s_assert_json(v, 0, "{\"key1\":\"foo\",\"key2\":[1,10.1,3.0]}");
    s_assert_json(v, SR_JSON_SPACED,
                  "{\"key1\": \"foo\", \"key2\": [1, 10.1, 3.0]}");
    s_assert_json(v, SR_JSON_PRETTY,
                  "{\n    \"key1\": \"foo\",\n    \"key2\": [\n        1,\n"
                  "        10.1,\n        3.0\n    ]\n}");
    sr_value_destroy(&v);
    v = s_json("{\"b\": 1, \"a\": 2}");
    s_assert_json(v, SR_JSON_SORT_KEYS, "{\"a\":2,\"b\":1}");
    sr_value_destroy(&v);
}

static void
json_writer_escapes_controls_and_replaces_invalid_utf8(void **state)
{
    (void)state;
    sr_value_t *v = sr_value_new_strn("a\x01\xff\xc3\xa9", 5);
    s_assert_json(v, 0, "\"a\\u0001\\ufffd\xc3\xa9\"");
    sr_value_destroy(&v);
}

static void
invalid_json_reports_line_and_column(void **state)
{
    (void)state;
    sr_value_t *v = NULL;
    sr_error_t err;
    const char *text = "{\n  \"a\": [1,\n}";
    assert_int_equal(sr_value_from_json(text, strlen(text), NULL, &v, &err),
                     SR_EINVAL);
    assert_null(v);
    assert_non_null(strstr(err.msg, "line 3"));
}

static void
json_over_limits_is_refused(void **state)
{
    (void)state;
    sr_value_t *v = NULL;
    sr_error_t err;
    sr_limits_t lim = {.max_bytes = 8, .max_depth = 3};
    assert_int_equal(sr_value_from_json("[1,2,3,4,5]", 11, &lim, &v, &err),
                     SR_ETOOBIG);
    assert_int_equal(sr_value_from_json("[[[[1]]]]", 9, &lim, &v, &err),
                     SR_ETOOBIG);
    assert_null(v);
}

static void
hostile_msgpack_is_refused_without_allocating(void **state)
{
    (void)state;
    struct {
        const char *bytes;
        size_t len;
        sr_err_t code;
    } cases[] = {
        {"\xdd\xff\xff\xff\xff", 5, SR_EPROTO},     // array32 of 4G items
        {"\xdf\x7f\xff\xff\xff\x01", 6, SR_EPROTO}, // map32 claim
        {"\xdb\xff\xff\xff\xff"
         "abc",
         8, SR_EPROTO},                 // str32 too long
        {"\xc1", 1, SR_EPROTO},         // never-used byte
        {"\xd4\x01\x02", 3, SR_EPROTO}, // fixext
        {"\x81\x01\x02", 3, SR_EPROTO}, // int map key
        {"\x01\x02", 2, SR_EPROTO},     // trailing bytes
        {"\xcf\xff\xff\xff\xff\xff\xff\xff\xff", 9, SR_EPROTO}, // > int64
        {"", 0, SR_EPROTO},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sr_value_t *v = NULL;
        sr_error_t err;
        assert_int_equal(
            sr_value_decode(cases[i].bytes, cases[i].len, NULL, &v, &err),
            cases[i].code);
        assert_null(v);
    }
    // 100 nested arrays exceed the default depth of 64.
    char deep[101];
    memset(deep, 0x91, 100);
    deep[100] = 0x00;
    sr_value_t *v = NULL;
    assert_int_equal(sr_value_decode(deep, sizeof deep, NULL, &v, NULL),
                     SR_ETOOBIG);
    sr_limits_t small = {.max_bytes = 4};
    assert_int_equal(
        sr_value_decode("\x95\x01\x02\x03\x04\x05", 6, &small, &v, NULL),
        SR_ETOOBIG);
    // Within a larger limit the same bytes decode (stored records nest
    // user data deeper than msgpack-c's unpacker stack of 32).
    sr_limits_t roomy = {.max_depth = 128};
    assert_int_equal(sr_value_decode(deep, sizeof deep, &roomy, &v, NULL),
                     SR_OK);
    char *enc = NULL;
    size_t len = 0;
    assert_int_equal(sr_value_encode(v, &enc, &len), SR_OK);
    assert_int_equal(len, sizeof deep);
    assert_memory_equal(enc, deep, len);
    free(enc);
    sr_value_destroy(&v);
}

static void
float_format_is_shortest_round_trip(void **state)
{
    (void)state;
    char buf[40];
    assert_string_equal(sr_format_double(0.1, buf, sizeof buf), "0.1");
    assert_string_equal(sr_format_double(2.0, buf, sizeof buf), "2.0");
    assert_string_equal(sr_format_double(1e100, buf, sizeof buf), "1e+100");
    assert_string_equal(sr_format_double(1.0 / 3, buf, sizeof buf),
                        "0.3333333333333333");
}

// Issue 16: an execution's input of 100,000 keys that all collided under
// the old hash decodes in about the time of ordinary keys.
static void
input_maps_of_keys_crafted_against_the_old_hash_decode_in_linear_time(
    void **state)
{
    (void)state;
    enum { N = 100000, RUNS = 3 };
    char *crafted = sr_hash_flood_crafted(N);
    char *plain = sr_hash_flood_plain(N);
    assert_non_null(crafted);
    assert_non_null(plain);
    for (int f = SR_HASH_FLOOD_MSGPACK; f <= SR_HASH_FLOOD_JSON; f++) {
        sr_error_t err;
        double c = sr_hash_flood_decode(crafted, N, f, RUNS, &err);
        double p = sr_hash_flood_decode(plain, N, f, RUNS, &err);
        print_message("%s: %d crafted keys %.3f s, plain keys %.3f s (CPU)\n",
                      f == SR_HASH_FLOOD_JSON ? "JSON" : "msgpack", N, c, p);
        assert_true(c > 0 && p > 0);
        assert_true(c < 5.0 * p);
    }
    free(crafted);
    free(plain);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scalars_round_trip_through_msgpack_and_json),
        cmocka_unit_test(nested_containers_round_trip),
        cmocka_unit_test(
            binary_round_trips_through_msgpack_and_prints_as_base64),
        cmocka_unit_test(maps_keep_insertion_order_and_replace_in_place),
        cmocka_unit_test(deletes_keep_the_order_and_the_index_of_large_maps),
        cmocka_unit_test(large_maps_print_and_encode_in_insertion_order),
        cmocka_unit_test(dup_is_deep_and_unshare_copies_on_write),
        cmocka_unit_test(
            equality_treats_int_and_float_alike_and_ignores_map_order),
        cmocka_unit_test(truthiness_follows_python),
        cmocka_unit_test(deep_merge_combines_nested_maps),
        cmocka_unit_test(json_output_matches_python_layouts),
        cmocka_unit_test(
            json_writer_escapes_controls_and_replaces_invalid_utf8),
        cmocka_unit_test(invalid_json_reports_line_and_column),
        cmocka_unit_test(json_over_limits_is_refused),
        cmocka_unit_test(hostile_msgpack_is_refused_without_allocating),
        cmocka_unit_test(float_format_is_shortest_round_trip),
        cmocka_unit_test(
            input_maps_of_keys_crafted_against_the_old_hash_decode_in_linear_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
