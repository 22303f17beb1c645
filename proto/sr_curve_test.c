// Tests of CurveZMQ keys and allow lists: keygen writes what zcert reads
// back, loading names the file at fault, and over real TCP sockets an
// allowed client talks while an unknown key, a client without CurveZMQ
// and a wrong server key are refused and each logged as one line naming
// the peer. A key added to the allow folder later gets in.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sr_curve.h"
#include "sr_curve_auth.h"
#include "sr_curve_log.h"
#include "sr_log.h"
#include "sr_wire.h"

static char s_dir[64];

static const char *
s_path(const char *fmt, ...)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    int n = snprintf(p, 512, "%s/", s_dir);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p + n, (size_t)(512 - n), fmt, ap);
    va_end(ap);
    return p;
}

static void
s_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void
s_copy(const char *from, const char *to)
{
    char buf[4096];
    FILE *in = fopen(from, "rb");
    FILE *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    fclose(out);
}

static int
s_setup(void **state)
{
    (void)state;
    snprintf(s_dir, sizeof s_dir, "/tmp/sr-curve-XXXXXX");
    if (!mkdtemp(s_dir))
        return -1;
    return 0;
}

static int
s_teardown(void **state)
{
    (void)state;
    zdir_t *d = zdir_new(s_dir, NULL);
    if (d)
        zdir_remove(d, true);
    zdir_destroy(&d);
    return 0;
}

static void
keygen_writes_a_public_file_and_a_private_secret_file(void **state)
{
    (void)state;
    char pub[SR_CURVE_TXT_SIZE];
    sr_error_t err;
    assert_int_equal(sr_curve_keygen(s_path("keys"), "alice", false, pub, &err),
                     SR_OK);
    assert_int_equal(strlen(pub), 40);
    struct stat st;
    assert_int_equal(stat(s_path("keys"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(s_path("keys/alice_secret"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    sr_curve_t *c = NULL;
    assert_int_equal(sr_curve_load(s_path("keys/alice_secret"), NULL, &c, &err),
                     SR_OK);
    assert_string_equal(sr_curve_public_txt(c), pub);
    // Without a server key, the server key is the keypair's own.
    assert_string_equal(sr_curve_server_txt(c), pub);
    sr_curve_destroy(&c);
    assert_null(c);
    sr_curve_destroy(&c);
    // The public NAME works too when NAME_secret is next to it.
    assert_int_equal(
        sr_curve_load(s_path("keys/alice"), s_path("keys/alice"), &c, &err),
        SR_OK);
    assert_string_equal(sr_curve_public_txt(c), pub);
    sr_curve_destroy(&c);
    // Existing keys are kept unless overwriting is asked for.
    char again[SR_CURVE_TXT_SIZE];
    assert_int_equal(
        sr_curve_keygen(s_path("keys"), "alice", false, again, &err),
        SR_EEXIST);
    assert_non_null(strstr(err.msg, "--force"));
    assert_int_equal(
        sr_curve_keygen(s_path("keys"), "alice", true, again, &err), SR_OK);
    assert_string_not_equal(again, pub);
}

static void
keygen_refuses_names_that_are_not_plain_file_names(void **state)
{
    (void)state;
    const char *bad[] = {"",
                         "a/b",
                         ".hidden",
                         "-x",
                         "k_secret",
                         "a b",
                         "0123456789012345678901234567890123456789"
                         "0123456789012345678901234567890123456789"};
    char pub[SR_CURVE_TXT_SIZE];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sr_error_t err;
        assert_int_equal(sr_curve_keygen(s_path("k"), bad[i], false, pub, &err),
                         SR_EINVAL);
        assert_true(strstr(err.msg, "key name") != NULL);
    }
    sr_error_t err;
    s_write(s_path("plainfile"), "x");
    assert_int_equal(
        sr_curve_keygen(s_path("plainfile"), "k", false, pub, &err), SR_EINVAL);
    assert_non_null(strstr(err.msg, "not a folder"));
}

static void
loading_names_the_file_and_the_problem(void **state)
{
    (void)state;
    char pub[SR_CURVE_TXT_SIZE];
    sr_error_t err;
    sr_curve_t *c = NULL;
    assert_int_equal(sr_curve_keygen(s_path("ld"), "bob", false, pub, &err),
                     SR_OK);
    assert_int_equal(sr_curve_load(s_path("ld/nobody_secret"), NULL, &c, &err),
                     SR_EIO);
    assert_non_null(strstr(err.msg, "ld/nobody_secret: cannot read"));
    assert_non_null(strstr(err.msg, "secret key"));
    // A public certificate alone holds no secret key.
    s_copy(s_path("ld/bob"), s_path("ld/public-only"));
    assert_int_equal(sr_curve_load(s_path("ld/public-only"), NULL, &c, &err),
                     SR_EINVAL);
    assert_non_null(strstr(err.msg, "holds no secret key"));
    s_write(s_path("ld/junk"), "this is not a certificate\n");
    assert_int_equal(sr_curve_load(s_path("ld/junk"), NULL, &c, &err),
                     SR_EINVAL);
    assert_non_null(strstr(err.msg, "not a CurveZMQ certificate"));
    // A secret key under another public key.
    char other[SR_CURVE_TXT_SIZE];
    assert_int_equal(sr_curve_keygen(s_path("ld"), "carol", false, other, &err),
                     SR_OK);
    FILE *f = fopen(s_path("ld/bob_secret"), "r");
    assert_non_null(f);
    char text[2048] = "";
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char *at = strstr(text, pub);
    assert_non_null(at);
    memcpy(at, other, 40);
    s_write(s_path("ld/mixed_secret"), text);
    assert_int_equal(sr_curve_load(s_path("ld/mixed_secret"), NULL, &c, &err),
                     SR_EINVAL);
    assert_non_null(strstr(err.msg, "does not match"));
    assert_int_equal(sr_curve_load(s_path("ld/bob_secret"),
                                   s_path("ld/no-server"), &c, &err),
                     SR_EIO);
    assert_non_null(strstr(err.msg, "server key"));
    assert_null(c);
}

static void
the_allow_list_checks_its_folder_and_runs_once_per_process(void **state)
{
    (void)state;
    sr_curve_auth_t *a = NULL, *b = NULL;
    sr_error_t err;
    assert_int_equal(sr_curve_auth_start(s_path("missing"), NULL, &a, &err),
                     SR_EINVAL);
    assert_non_null(strstr(err.msg, "missing"));
    s_write(s_path("afile"), "x");
    assert_int_equal(sr_curve_auth_start(s_path("afile"), NULL, &a, &err),
                     SR_EINVAL);
    assert_non_null(strstr(err.msg, "not a folder"));
    char pub[SR_CURVE_TXT_SIZE], other[SR_CURVE_TXT_SIZE];
    assert_int_equal(sr_curve_keygen(s_path("ak"), "dan", false, pub, &err),
                     SR_OK);
    assert_int_equal(sr_curve_keygen(s_path("ak"), "eve", false, other, &err),
                     SR_OK);
    mkdir(s_path("aa"), 0700);
    s_copy(s_path("ak/dan"), s_path("aa/dan"));
    assert_int_equal(sr_curve_auth_start(s_path("aa"), NULL, &a, &err), SR_OK);
    assert_true(sr_curve_auth_allows(a, pub));
    assert_false(sr_curve_auth_allows(a, other));
    assert_int_equal(sr_curve_auth_start(s_path("aa"), NULL, &b, &err),
                     SR_ESTATE);
    assert_null(b);
    sr_curve_auth_stop(&a);
    assert_null(a);
    // Free again once stopped.
    assert_int_equal(sr_curve_auth_start(s_path("aa"), NULL, &b, &err), SR_OK);
    sr_curve_auth_stop(&b);
}

// --- over sockets -----------------------------------------------------------

typedef struct {
    sr_curve_t *server;
    sr_curve_auth_t *auth;
    zsock_t *router;
    int port;
} s_net_t;

static void
s_net_start(s_net_t *net)
{
    sr_error_t err;
    char pub[SR_CURVE_TXT_SIZE];
    assert_int_equal(sr_curve_keygen(s_path("nk"), "server", false, pub, &err),
                     SR_OK);
    mkdir(s_path("na"), 0700);
    assert_int_equal(
        sr_curve_load(s_path("nk/server_secret"), NULL, &net->server, &err),
        SR_OK);
    assert_int_equal(sr_curve_auth_start(s_path("na"),
                                         sr_curve_public_txt(net->server),
                                         &net->auth, &err),
                     SR_OK);
    net->router = zsock_new(ZMQ_ROUTER);
    assert_non_null(net->router);
    zsock_set_linger(net->router, 0);
    assert_int_equal(sr_curve_apply_server(net->server, net->router, &err),
                     SR_OK);
    net->port = zsock_bind(net->router, "tcp://127.0.0.1:*");
    assert_true(net->port > 0);
    assert_int_equal(
        sr_curve_auth_watch(net->auth, net->router, "test-server", &err),
        SR_OK);
}

static void
s_net_stop(s_net_t *net)
{
    zsock_destroy(&net->router);
    sr_curve_auth_stop(&net->auth);
    sr_curve_destroy(&net->server);
}

// A keypair NAME made in nk/, allowed (its public file in na/) or not.
static sr_curve_t *
s_keys(const char *name, bool is_allowed, const char *server_key)
{
    sr_error_t err;
    char pub[SR_CURVE_TXT_SIZE];
    assert_int_equal(sr_curve_keygen(s_path("nk"), name, false, pub, &err),
                     SR_OK);
    if (is_allowed)
        s_copy(s_path("nk/%s", name), s_path("na/%s", name));
    sr_curve_t *c = NULL;
    assert_int_equal(
        sr_curve_load(s_path("nk/%s_secret", name),
                      server_key ? server_key : s_path("nk/server"), &c, &err),
        SR_OK);
    return c;
}

// A DEALER (CurveZMQ client with `keys`, or plain when NULL) that says
// hello to the test server.
static zsock_t *
s_dealer(const s_net_t *net, const sr_curve_t *keys)
{
    zsock_t *d = zsock_new(ZMQ_DEALER);
    assert_non_null(d);
    zsock_set_linger(d, 0);
    sr_error_t err;
    if (keys)
        assert_int_equal(sr_curve_apply_client(keys, d, &err), SR_OK);
    assert_int_equal(zsock_connect(d, "tcp://127.0.0.1:%d", net->port), 0);
    assert_int_equal(zstr_send(d, "hello"), 0);
    return d;
}

// True when the server hears a hello within `timeout_ms`; `key` (may be
// NULL) then gets the key its connection was accepted with, as
// sr_wire_recv tells it (the hello is no protocol message: SR_EPROTO).
static bool
s_heard_key(s_net_t *net, int timeout_ms, char key[SR_WIRE_KEY_SIZE])
{
    sr_wire_in_t in;
    sr_error_t err;
    sr_err_t rc = sr_wire_recv(net->router, timeout_ms, NULL, &in, &err);
    bool heard = rc != SR_ETIMEDOUT && rc != SR_EIO;
    if (heard && key)
        memcpy(key, in.key, SR_WIRE_KEY_SIZE);
    sr_wire_in_fini(&in);
    return heard;
}

static bool
s_heard(s_net_t *net, int timeout_ms)
{
    return s_heard_key(net, timeout_ms, NULL);
}

// Wait (bounded) until the watch has seen `count` refusals.
static void
s_wait_refusals(s_net_t *net, uint64_t count)
{
    int64_t deadline = zclock_mono() + 5000;
    while (sr_curve_auth_refusals(net->auth) < count) {
        if (zclock_mono() > deadline)
            fail_msg("%llu refusals within 5 s, want %llu",
                     (unsigned long long)sr_curve_auth_refusals(net->auth),
                     (unsigned long long)count);
        zclock_sleep(5);
    }
}

static void
s_read_file(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static void
allowed_keys_get_in_and_refusals_are_logged_with_the_peer(void **state)
{
    (void)state;
    // The refusal log goes to stderr: read it from a file.
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *log = fopen(s_path("log"), "w");
    assert_non_null(log);
    dup2(fileno(log), STDERR_FILENO);

    s_net_t net = {0};
    s_net_start(&net);
    sr_curve_t *good = s_keys("good", true, NULL);
    sr_curve_t *bad = s_keys("bad", false, NULL);
    sr_curve_t *lost = s_keys("lost", true, s_path("nk/good"));
    zsock_t *d1 = s_dealer(&net, good);
    char key[SR_WIRE_KEY_SIZE];
    assert_true(s_heard_key(&net, 5000, key));
    // Each message names the key it came with, which its sender cannot
    // choose as it does its routing id (a peer engine's is the server's).
    assert_string_equal(key, sr_curve_public_txt(good));
    // The server's own key (a peer engine's) gets in without the folder.
    zsock_t *d0 = s_dealer(&net, net.server);
    assert_true(s_heard_key(&net, 5000, key));
    assert_string_equal(key, sr_curve_public_txt(net.server));
    zsock_destroy(&d0);
    zsock_t *d2 = s_dealer(&net, bad);
    s_wait_refusals(&net, 1);
    zsock_t *d3 = s_dealer(&net, NULL);
    zsock_t *d4 = s_dealer(&net, lost);
    s_wait_refusals(&net, 3);
    assert_false(s_heard(&net, 200));
    // The unknown key is allowed now: it gets in (a new connection).
    s_copy(s_path("nk/bad"), s_path("na/bad"));
    zsock_t *d5 = s_dealer(&net, bad);
    assert_true(s_heard(&net, 5000));

    zsock_destroy(&d5);
    zsock_destroy(&d4);
    zsock_destroy(&d3);
    zsock_destroy(&d2);
    zsock_destroy(&d1);
    s_net_stop(&net);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    fclose(log);
    sr_curve_destroy(&good);
    sr_curve_destroy(&bad);
    sr_curve_destroy(&lost);

    static char text[1 << 16];
    s_read_file(s_path("log"), text, sizeof text);
    fputs(text, stderr);
    assert_non_null(strstr(text, "curve: refused key="));
    assert_non_null(strstr(text, " address=127.0.0.1: not in the allow "
                                 "folder "));
    assert_non_null(strstr(text, "curve: refused connection "
                                 "endpoint=test-server: the peer does not "
                                 "use CurveZMQ"));
    assert_non_null(strstr(text, "does not decrypt"));
    // One line for each peer and reason, however often the peers retried.
    size_t lines = 0;
    for (const char *p = text; (p = strstr(p, "curve: refused")) != NULL; p++)
        lines++;
    assert_int_equal(lines, 3);
}

static void
repeated_refusals_are_summed_up(void **state)
{
    (void)state;
    sr_curve_log_t *log = sr_curve_log_new(1000);
    assert_non_null(log);
    sr_log_set_level(SR_LOG_ERROR); // the lines are not read here
    assert_true(sr_curve_log_refusal(log, 0, "a", "a at 0"));
    assert_false(sr_curve_log_refusal(log, 10, "a", "a at 10"));
    assert_true(sr_curve_log_refusal(log, 20, "b", "b at 20"));
    assert_false(sr_curve_log_refusal(log, 999, "a", "a at 999"));
    assert_true(sr_curve_log_refusal(log, 1000, "a", "a at 1000"));
    assert_false(sr_curve_log_refusal(log, 1500, "a", "a at 1500"));
    assert_int_equal(sr_curve_log_count(log), 6);
    // More peers than the table holds: the oldest is forgotten.
    for (int i = 0; i < SR_CURVE_LOG_PEERS; i++) {
        char key[16];
        snprintf(key, sizeof key, "p%d", i);
        assert_true(sr_curve_log_refusal(log, 1600 + i, key, key));
    }
    assert_true(sr_curve_log_refusal(log, 1700, "a", "a again"));
    sr_curve_log_destroy(&log);
    assert_null(log);
    sr_curve_log_destroy(&log);
    sr_log_set_level(SR_LOG_INFO);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keygen_writes_a_public_file_and_a_private_secret_file),
        cmocka_unit_test(keygen_refuses_names_that_are_not_plain_file_names),
        cmocka_unit_test(loading_names_the_file_and_the_problem),
        cmocka_unit_test(
            the_allow_list_checks_its_folder_and_runs_once_per_process),
        cmocka_unit_test(
            allowed_keys_get_in_and_refusals_are_logged_with_the_peer),
        cmocka_unit_test(repeated_refusals_are_summed_up),
    };
    int rc = cmocka_run_group_tests(tests, s_setup, s_teardown);
    zsys_shutdown();
    return rc;
}
