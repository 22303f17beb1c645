// Tests of the hash table and its keyed hash, with hash flooding (issue 16).
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sr_hash.h"
#include "sr_hash_flood.h"

#define S_MANY  100000 // keys of the flooding test
#define S_RUNS  3      // timings of each kind; the best counts
#define S_RATIO 5.0    // crafted keys may take this many times longer

// The caller's items: a key (bytes) and its hash.
typedef struct {
    const void *key;
    size_t len;
    uint32_t hash;
} s_item_t;

static bool
s_item_is(const void *arg, size_t pos, const void *key, size_t len)
{
    const s_item_t *it = (const s_item_t *)arg + pos;
    return it->len == len && memcmp(it->key, key, len) == 0;
}

static s_item_t
s_item(const void *key, size_t len)
{
    return (s_item_t){key, len, sr_hash_bytes(key, len)};
}

static size_t
s_find(const sr_hash_t *h, const s_item_t *items, const void *key, size_t len)
{
    return sr_hash_find(h, sr_hash_bytes(key, len), s_item_is, items, key, len);
}

// The items of most tests: key i is "key-i".
#define S_N 20000
static char s_keys[S_N][24];
static s_item_t s_items[S_N];

static int
s_setup(void **state)
{
    (void)state;
    for (size_t i = 0; i < S_N; i++) {
        snprintf(s_keys[i], sizeof s_keys[i], "key-%zu", i);
        s_items[i] = s_item(s_keys[i], strlen(s_keys[i]));
    }
    return 0;
}

// The position the table gives for key i.
static size_t
s_pos(const sr_hash_t *h, size_t i)
{
    return s_find(h, s_items, s_keys[i], strlen(s_keys[i]));
}

// Add items 0 to n - 1 to an empty table, each not found before.
static void
s_fill(sr_hash_t *h, size_t n)
{
    sr_hash_init(h);
    for (size_t i = 0; i < n; i++) {
        assert_true(s_pos(h, i) == SR_HASH_NONE);
        assert_int_equal(sr_hash_add(h, s_items[i].hash, i), SR_OK);
    }
    assert_int_equal(sr_hash_count(h), n);
}

static void
an_empty_table_finds_nothing(void **state)
{
    (void)state;
    sr_hash_t h;
    sr_hash_init(&h);
    assert_int_equal(sr_hash_count(&h), 0);
    assert_true(s_pos(&h, 0) == SR_HASH_NONE);
    assert_int_equal(sr_hash_reserve(&h, 0), SR_OK);
    sr_hash_clear(&h);
    sr_hash_fini(&h);
    sr_hash_fini(&h); // twice is harmless
}

static void
added_items_are_found_and_others_are_not(void **state)
{
    (void)state;
    sr_hash_t h;
    s_fill(&h, 1000);
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(s_pos(&h, i), i);
    assert_true(s_pos(&h, 1000) == SR_HASH_NONE);
    assert_true(s_find(&h, s_items, "key-1", 4) == SR_HASH_NONE); // prefix
    sr_hash_fini(&h);
}

static void
deleted_items_are_gone_and_the_rest_stay(void **state)
{
    (void)state;
    enum { N = 5000 };
    sr_hash_t h;
    s_fill(&h, N);
    // Delete every third in a scattered order (runs shift back in the
    // middle, at their ends and across the end of the slots).
    for (size_t k = 0; k < N; k++) {
        size_t i = (k * 7919) % N;
        if (i % 3 == 0)
            sr_hash_del(&h, s_items[i].hash, i);
    }
    assert_int_equal(sr_hash_count(&h), N - (N + 2) / 3);
    for (size_t i = 0; i < N; i++)
        assert_true(s_pos(&h, i) == (i % 3 ? i : SR_HASH_NONE));
    // Deleted keys can come back.
    for (size_t i = 0; i < N; i += 3)
        assert_int_equal(sr_hash_add(&h, s_items[i].hash, i), SR_OK);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(s_pos(&h, i), i);
    sr_hash_clear(&h);
    assert_int_equal(sr_hash_count(&h), 0);
    assert_true(s_pos(&h, 1) == SR_HASH_NONE);
    sr_hash_fini(&h);
}

static void
moved_items_are_found_at_their_new_position(void **state)
{
    (void)state;
    enum { N = 100 };
    sr_hash_t h;
    s_fill(&h, N);
    // Remove item 10 by moving the last one into its place, as a dense
    // array does.
    s_item_t items[N];
    memcpy(items, s_items, sizeof items);
    sr_hash_del(&h, items[10].hash, 10);
    items[10] = items[N - 1];
    sr_hash_move(&h, items[10].hash, N - 1, 10);
    assert_int_equal(sr_hash_count(&h), N - 1);
    for (size_t i = 0; i < N; i++) {
        size_t want = i == 10 ? SR_HASH_NONE : i == N - 1 ? 10 : i;
        assert_true(s_find(&h, items, s_keys[i], strlen(s_keys[i])) == want);
    }
    sr_hash_fini(&h);
}

static void
reserved_room_takes_adds_without_growing(void **state)
{
    (void)state;
    sr_hash_t h;
    sr_hash_init(&h);
    assert_int_equal(sr_hash_reserve(&h, S_N), SR_OK);
    const sr_hash_slot_t *slots = h.slots;
    for (size_t i = 0; i < S_N; i++)
        assert_int_equal(sr_hash_add(&h, s_items[i].hash, i), SR_OK);
    assert_ptr_equal(h.slots, slots);
    // More room moves the slots; every item is still found.
    assert_int_equal(sr_hash_reserve(&h, 2 * S_N), SR_OK);
    assert_ptr_not_equal(h.slots, slots);
    for (size_t i = 0; i < S_N; i++)
        assert_int_equal(s_pos(&h, i), i);
    assert_int_equal(sr_hash_reserve(&h, SR_HASH_MAX + 1), SR_ETOOBIG);
    assert_int_equal(sr_hash_add(&h, 0, SR_HASH_MAX), SR_ETOOBIG);
    assert_int_equal(sr_hash_count(&h), S_N);
    sr_hash_fini(&h);
}

static void
empty_and_binary_keys_are_keys_like_any_other(void **state)
{
    (void)state;
    static const uint8_t bin[][4] = {
        {0, 0, 0, 0}, {0, 0, 0, 1}, {0xff, 0, 0xfe, 0}, {'a', 0, 'b', 0}};
    s_item_t items[] = {
        s_item("", 0),     s_item(bin[0], 4), s_item(bin[0], 3),
        s_item(bin[1], 4), s_item(bin[2], 4), s_item(bin[3], 4),
        s_item(bin[2], 1), s_item("a\0b", 3), s_item("a", 1),
        s_item(bin[0], 1),
    };
    size_t n = sizeof items / sizeof *items;
    sr_hash_t h;
    sr_hash_init(&h);
    for (size_t i = 0; i < n; i++) {
        assert_true(s_find(&h, items, items[i].key, items[i].len) ==
                    SR_HASH_NONE);
        assert_int_equal(sr_hash_add(&h, items[i].hash, i), SR_OK);
    }
    for (size_t i = 0; i < n; i++)
        assert_int_equal(s_find(&h, items, items[i].key, items[i].len), i);
    assert_int_equal(sr_hash_bytes(NULL, 0), sr_hash_bytes("", 0));
    sr_hash_fini(&h);
}

// The hash of "sirocco" in a new process of this program (see main).
static uint32_t
s_hash_elsewhere(void)
{
    char self[4096], cmd[4200];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    assert_true(n > 0);
    self[n] = '\0';
    snprintf(cmd, sizeof cmd, "'%s' --print-hash", self);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    unsigned long h = 0;
    assert_int_equal(fscanf(p, "%lu", &h), 1);
    assert_int_equal(pclose(p), 0);
    return (uint32_t)h;
}

static void
every_process_hashes_under_its_own_key(void **state)
{
    (void)state;
    uint32_t here = sr_hash_bytes("sirocco", 7);
    assert_int_equal(sr_hash_bytes("sirocco", 7), here);
    uint32_t a = s_hash_elsewhere(), b = s_hash_elsewhere();
    // Three equal 32-bit hashes under random keys: about 2^-64.
    assert_false(a == here && b == here);
}

static bool
s_flood_key_is(const void *arg, size_t pos, const void *key, size_t len)
{
    const char *k = (const char *)arg + pos * (SR_HASH_FLOOD_LEN + 1);
    return len == SR_HASH_FLOOD_LEN && memcmp(k, key, len) == 0;
}

// Best CPU seconds of loading `keys` (S_MANY of them) into a table, as a
// map does: look each up, then add it.
static double
s_load(const char *keys)
{
    double best = -1;
    for (int r = 0; r < S_RUNS; r++) {
        sr_hash_t h;
        sr_hash_init(&h);
        double t0 = sr_hash_flood_cpu();
        for (size_t i = 0; i < S_MANY; i++) {
            const char *k = keys + i * (SR_HASH_FLOOD_LEN + 1);
            uint32_t hash = sr_hash_bytes(k, SR_HASH_FLOOD_LEN);
            assert_true(sr_hash_find(&h, hash, s_flood_key_is, keys, k,
                                     SR_HASH_FLOOD_LEN) == SR_HASH_NONE);
            assert_int_equal(sr_hash_add(&h, hash, i), SR_OK);
        }
        double t = sr_hash_flood_cpu() - t0;
        assert_int_equal(sr_hash_count(&h), S_MANY);
        sr_hash_fini(&h);
        if (best < 0 || t < best)
            best = t;
    }
    return best;
}

static void
keys_crafted_against_the_old_hash_load_in_linear_time(void **state)
{
    (void)state;
    char *crafted = sr_hash_flood_crafted(S_MANY);
    char *plain = sr_hash_flood_plain(S_MANY);
    assert_non_null(crafted);
    assert_non_null(plain);
    // They do collide under the old hash: every one lands in the same slot
    // of a table of up to 2^20 slots indexed by FNV-1a.
    uint32_t mask = (1u << SR_HASH_FLOOD_BITS) - 1;
    uint32_t home = sr_hash_flood_fnv1a(crafted, SR_HASH_FLOOD_LEN) & mask;
    for (size_t i = 0; i < S_MANY; i++) {
        const char *k = crafted + i * (SR_HASH_FLOOD_LEN + 1);
        assert_int_equal(strlen(k), SR_HASH_FLOOD_LEN);
        assert_int_equal(sr_hash_flood_fnv1a(k, SR_HASH_FLOOD_LEN) & mask,
                         home);
    }
    double c = s_load(crafted), p = s_load(plain);
    print_message("%d crafted keys %.3f s, plain keys %.3f s (CPU)\n", S_MANY,
                  c, p);
    assert_true(c < S_RATIO * p);
    free(crafted);
    free(plain);
}

int
main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--print-hash") == 0) {
        printf("%lu\n", (unsigned long)sr_hash_bytes("sirocco", 7));
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(an_empty_table_finds_nothing),
        cmocka_unit_test(added_items_are_found_and_others_are_not),
        cmocka_unit_test(deleted_items_are_gone_and_the_rest_stay),
        cmocka_unit_test(moved_items_are_found_at_their_new_position),
        cmocka_unit_test(reserved_room_takes_adds_without_growing),
        cmocka_unit_test(empty_and_binary_keys_are_keys_like_any_other),
        cmocka_unit_test(every_process_hashes_under_its_own_key),
        cmocka_unit_test(keys_crafted_against_the_old_hash_load_in_linear_time),
    };
    return cmocka_run_group_tests(tests, s_setup, NULL);
}
