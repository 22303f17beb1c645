// Webhook signatures and the replay cache: right, wrong, missing and
// malformed signatures; delivery ids refused within the window, welcome
// after it or once forgotten; a full cache drops its oldest ids only.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "gw_hook.h"

static const char s_body[] = "{\"ref\": \"main\"}";

static void
a_signature_of_the_body_with_the_secret_is_accepted(void **state)
{
    (void)state;
    char sig[72];
    sr_error_t err;
    gw_hook_sign("topsecret", s_body, strlen(s_body), sig);
    assert_int_equal(strlen(sig), 71);
    assert_int_equal(
        gw_hook_verify("topsecret", sig, s_body, strlen(s_body), &err), SR_OK);
    // Upper-case hex and prefix are the same signature.
    for (char *p = sig; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    assert_int_equal(
        gw_hook_verify("topsecret", sig, s_body, strlen(s_body), &err), SR_OK);
    // The known answer of RFC 4231 test case 2 (key "Jefe").
    const char *data = "what do ya want for nothing?";
    gw_hook_sign("Jefe", data, strlen(data), sig);
    assert_string_equal(sig, "sha256=5bdcc146bf60754e6a042426089575c75a003f08"
                             "9d2739839dec58b964ec3843");
}

static void
wrong_missing_and_malformed_signatures_are_refused(void **state)
{
    (void)state;
    char sig[72];
    sr_error_t err;
    gw_hook_sign("another", s_body, strlen(s_body), sig);
    assert_int_equal(
        gw_hook_verify("topsecret", sig, s_body, strlen(s_body), &err),
        SR_EAUTH);
    assert_non_null(strstr(err.msg, "does not match"));
    gw_hook_sign("topsecret", s_body, strlen(s_body), sig);
    assert_int_equal(
        gw_hook_verify("topsecret", sig, s_body, strlen(s_body) - 1, &err),
        SR_EAUTH);
    assert_int_equal(
        gw_hook_verify("topsecret", NULL, s_body, strlen(s_body), &err),
        SR_EAUTH);
    assert_non_null(strstr(err.msg, "no X-Hub-Signature-256"));
    const char *bad[] = {"",
                         "sha256=",
                         "sha1=0123",
                         sig + 7,
                         "sha256=zz5bdcc146bf60754e6a042426089575c75a003f089d"
                         "2739839dec58b964ec38",
                         "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2"
                         "739839dec58b964ec384300"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(
            gw_hook_verify("topsecret", bad[i], s_body, strlen(s_body), &err),
            SR_EAUTH);
        assert_non_null(strstr(err.msg, "must read sha256="));
    }
}

static void
a_delivery_is_refused_again_within_the_window(void **state)
{
    (void)state;
    gw_replay_t *r = gw_replay_new(64, 1000);
    assert_non_null(r);
    assert_true(gw_replay_admit(r, "gh", "d1", 5000));
    assert_false(gw_replay_admit(r, "gh", "d1", 5999));
    assert_true(gw_replay_admit(r, "other", "d1", 5999)); // another hook
    assert_true(gw_replay_admit(r, "gh", "d1", 6000));    // window passed
    assert_false(gw_replay_admit(r, "gh", "d1", 6001));
    gw_replay_forget(r, "gh", "d1");
    assert_true(gw_replay_admit(r, "gh", "d1", 6002));
    // "g" + "h\0d1" must not collide with "gh" + "d1".
    assert_true(gw_replay_admit(r, "g", "hd1", 6003));
    gw_replay_destroy(&r);
    assert_null(r);
    gw_replay_destroy(&r); // NULL-safe
}

static void
a_full_cache_drops_only_its_oldest_ids(void **state)
{
    (void)state;
    gw_replay_t *r = gw_replay_new(16, 1000000);
    char id[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(id, sizeof id, "d%d", i);
        assert_true(gw_replay_admit(r, "gh", id, 1 + i));
    }
    // The newest ids are still remembered.
    assert_false(gw_replay_admit(r, "gh", "d999", 2000));
    assert_false(gw_replay_admit(r, "gh", "d998", 2000));
    gw_replay_destroy(&r);
}

int
main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_signature_of_the_body_with_the_secret_is_accepted),
        cmocka_unit_test(wrong_missing_and_malformed_signatures_are_refused),
        cmocka_unit_test(a_delivery_is_refused_again_within_the_window),
        cmocka_unit_test(a_full_cache_drops_only_its_oldest_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
