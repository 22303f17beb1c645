// The header deadline on socket pairs: a connection whose headers are
// late is shut down (its peer reads the end of the stream), one whose
// headers came in time is left alone until it is answered, and then the
// next request's headers are due again (issue 18, header slowloris).
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gw_watch.h"

#define S_TIMEOUT_MS 100

typedef struct {
    gw_watch_t *w;
    int fds[2]; // [0] is the gateway's side, [1] the client's
} s_fix_t;

static int
s_setup(void **state)
{
    static s_fix_t f;
    assert_int_equal(gw_watch_new(S_TIMEOUT_MS, &f.w, NULL), SR_OK);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, f.fds), 0);
    *state = &f;
    return 0;
}

static int
s_teardown(void **state)
{
    s_fix_t *f = *state;
    gw_watch_destroy(&f->w);
    assert_null(f->w);
    close(f->fds[0]);
    close(f->fds[1]);
    return 0;
}

// True when the client's side reads the end of the stream within
// `wait_ms`.
static bool
s_is_shut(int fd, int wait_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    char byte;
    return poll(&p, 1, wait_ms) == 1 && recv(fd, &byte, 1, 0) == 0;
}

static void
late_headers_get_the_connection_shut_down(void **state)
{
    s_fix_t *f = *state;
    gw_watch_conn_t *c = gw_watch_begin(f->w, f->fds[0]);
    assert_non_null(c);
    assert_false(s_is_shut(f->fds[1], S_TIMEOUT_MS / 2));
    assert_true(s_is_shut(f->fds[1], 20 * S_TIMEOUT_MS));
    assert_int_equal(gw_watch_closed(f->w), 1);
    gw_watch_end(f->w, &c);
    assert_null(c);
}

static void
headers_in_time_hold_until_the_answer_then_the_next_are_due(void **state)
{
    s_fix_t *f = *state;
    gw_watch_conn_t *c = gw_watch_begin(f->w, f->fds[0]);
    gw_watch_headers_in(f->w, c);
    assert_false(s_is_shut(f->fds[1], 3 * S_TIMEOUT_MS)); // a slow answer
    gw_watch_answered(f->w, c);
    assert_true(s_is_shut(f->fds[1], 20 * S_TIMEOUT_MS));
    assert_int_equal(gw_watch_closed(f->w), 1);
    gw_watch_end(f->w, &c);
}

static void
an_ended_connection_is_never_touched(void **state)
{
    s_fix_t *f = *state;
    gw_watch_conn_t *c = gw_watch_begin(f->w, f->fds[0]);
    gw_watch_end(f->w, &c);
    assert_false(s_is_shut(f->fds[1], 3 * S_TIMEOUT_MS));
    assert_int_equal(gw_watch_closed(f->w), 0);
    gw_watch_end(f->w, &c); // NULL-safe, as the others
    gw_watch_headers_in(f->w, NULL);
    gw_watch_answered(f->w, NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            late_headers_get_the_connection_shut_down, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            headers_in_time_hold_until_the_answer_then_the_next_are_due,
            s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(an_ended_connection_is_never_touched,
                                        s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
