// Tests of the message counters: what sr_wire sends and receives on a
// counted socket is counted, on others nothing is, and the table of
// counted sockets refuses a socket twice and a socket too many.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sr_wire.h"
#include "sr_wire_count.h"

#define S_WAIT_MS 5000 // bounded wait for inproc delivery

static void
s_attach_ok(zsock_t *sock, sr_wire_count_t *count)
{
    sr_error_t err;
    sr_err_t rc = sr_wire_count_attach(sock, count, &err);
    if (rc)
        fail_msg("attach: %s: %s", sr_strerror(rc), err.msg);
}

static void
sends_and_receives_of_a_counted_socket_are_counted(void **state)
{
    (void)state;
    zsock_t *router = zsock_new_router("@inproc://count-loop");
    zsock_t *dealer = zsock_new_dealer(">inproc://count-loop");
    sr_wire_count_t rc = {0}, dc = {0};
    s_attach_ok(router, &rc);
    s_attach_ok(dealer, &dc);
    assert_ptr_equal(sr_wire_count_of(router), &rc);
    sr_error_t err;
    sr_wire_in_t in;
    // Nothing there: a timeout is no message.
    assert_int_equal(sr_wire_recv(router, 0, NULL, &in, &err), SR_ETIMEDOUT);
    sr_wire_in_fini(&in);
    sr_msg_t *m = sr_msg_new(SR_MSG_HEARTBEAT);
    for (int i = 0; i < 3; i++)
        assert_int_equal(sr_wire_send(dealer, NULL, m, &err), SR_OK);
    // A frame that is not a message counts as received too.
    assert_int_equal(zmq_send(zsock_resolve(dealer), "junk", 4, 0), 4);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sr_wire_recv(router, S_WAIT_MS, NULL, &in, &err),
                         SR_OK);
        assert_int_equal(sr_wire_send(router, &in.peer, m, &err), SR_OK);
        sr_wire_in_fini(&in);
    }
    assert_int_equal(sr_wire_recv(router, S_WAIT_MS, NULL, &in, &err),
                     SR_EPROTO);
    sr_error_t cause = err;
    assert_int_equal(sr_wire_reply_error(router, &in, &cause, &err), SR_OK);
    sr_wire_in_fini(&in);
    // A send that cannot go is not counted.
    sr_wire_peer_t ghost;
    sr_wire_peer_set(&ghost, "ghost", 5);
    zsock_set_router_mandatory(router, 1);
    assert_int_equal(sr_wire_send(router, &ghost, m, &err), SR_EUNAVAIL);
    assert_int_equal(rc.received, 4);
    assert_int_equal(rc.sent, 4); // three answers and the ERROR
    assert_int_equal(dc.sent, 3); // the raw frame did not go through sr_wire
    for (int i = 0; i < 4; i++) {
        assert_int_equal(sr_wire_recv(dealer, S_WAIT_MS, NULL, &in, &err),
                         SR_OK);
        sr_wire_in_fini(&in);
    }
    assert_int_equal(dc.received, 4);
    sr_msg_destroy(&m);
    sr_wire_count_detach(dealer);
    sr_wire_count_detach(router);
    zsock_destroy(&dealer);
    zsock_destroy(&router);
}

static void
sockets_can_share_a_counter_and_detached_ones_count_nothing(void **state)
{
    (void)state;
    zsock_t *router = zsock_new_router("@inproc://count-share");
    zsock_t *a = zsock_new_dealer(">inproc://count-share");
    zsock_t *b = zsock_new_dealer(">inproc://count-share");
    sr_wire_count_t shared = {0};
    s_attach_ok(a, &shared);
    s_attach_ok(b, &shared);
    assert_null(sr_wire_count_of(router));
    sr_error_t err;
    sr_msg_t *m = sr_msg_new(SR_MSG_HEARTBEAT);
    assert_int_equal(sr_wire_send(a, NULL, m, &err), SR_OK);
    assert_int_equal(sr_wire_send(b, NULL, m, &err), SR_OK);
    assert_int_equal(shared.sent, 2);
    sr_wire_count_detach(b);
    sr_wire_count_detach(b);      // twice: nothing
    sr_wire_count_detach(router); // never counted: nothing
    sr_wire_count_detach(NULL);
    assert_null(sr_wire_count_of(b));
    assert_int_equal(sr_wire_send(b, NULL, m, &err), SR_OK);
    assert_int_equal(shared.sent, 2);
    sr_msg_destroy(&m);
    sr_wire_count_detach(a);
    zsock_destroy(&a);
    zsock_destroy(&b);
    zsock_destroy(&router);
}

// The table never dereferences a socket, so addresses inside an array
// stand for as many sockets as it can hold.
static void
the_table_refuses_a_socket_twice_and_one_too_many(void **state)
{
    (void)state;
    static char socks[SR_WIRE_COUNT_MAX + 1];
    sr_wire_count_t count = {0};
    sr_error_t err;
    s_attach_ok((zsock_t *)&socks[0], &count);
    assert_int_equal(sr_wire_count_attach((zsock_t *)&socks[0], &count, &err),
                     SR_EINVAL);
    for (size_t i = 1; i < SR_WIRE_COUNT_MAX; i++)
        s_attach_ok((zsock_t *)&socks[i], &count);
    assert_int_equal(sr_wire_count_attach((zsock_t *)&socks[SR_WIRE_COUNT_MAX],
                                          &count, &err),
                     SR_ENOMEM);
    // A slot set free is used again.
    sr_wire_count_detach((zsock_t *)&socks[7]);
    s_attach_ok((zsock_t *)&socks[SR_WIRE_COUNT_MAX], &count);
    assert_ptr_equal(sr_wire_count_of((zsock_t *)&socks[SR_WIRE_COUNT_MAX]),
                     &count);
    assert_null(sr_wire_count_of((zsock_t *)&socks[7]));
    for (size_t i = 0; i <= SR_WIRE_COUNT_MAX; i++)
        sr_wire_count_detach((zsock_t *)&socks[i]);
    assert_null(sr_wire_count_of((zsock_t *)&socks[0]));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sends_and_receives_of_a_counted_socket_are_counted),
        cmocka_unit_test(
            sockets_can_share_a_counter_and_detached_ones_count_nothing),
        cmocka_unit_test(the_table_refuses_a_socket_twice_and_one_too_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
