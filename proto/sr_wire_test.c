// Tests of messages on real inproc sockets: PAIR, ROUTER/DEALER routing,
// REQ peers, bad messages answered with ERROR, and send errors.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sr_msg_codec.h"
#include "sr_test_util.h"
#include "sr_value_msgpack.h"
#include "sr_wire.h"

#define S_STR2(x) #x
#define S_STR(x)  S_STR2(x)
// "MAJOR.MINOR" of this build, as ERROR messages print it.
#define S_NODE_VERSION S_STR(SR_PROTO_MAJOR) "." S_STR(SR_PROTO_MINOR)

#define S_WAIT_MS 5000 // bounded wait for inproc delivery

static sr_msg_t *
s_status(int64_t req_id)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_STATUS);
    sr_msg_set_int(m, SR_F_STATUS_req_id, req_id);
    return m;
}

static void
s_send_ok(zsock_t *sock, const sr_wire_peer_t *peer, sr_msg_t *m)
{
    sr_error_t err;
    sr_err_t rc = sr_wire_send(sock, peer, m, &err);
    if (rc)
        fail_msg("send %s: %s", sr_strerror(rc), err.msg);
    sr_msg_destroy(&m);
}

// Send raw bytes as one frame.
static void
s_send_raw(zsock_t *sock, const void *buf, size_t len)
{
    assert_int_equal(zmq_send(zsock_resolve(sock), buf, len, 0), (int)len);
}

static void
pair_sockets_carry_messages(void **state)
{
    (void)state;
    zsock_t *a = zsock_new_pair("@inproc://wire-pair");
    zsock_t *b = zsock_new_pair(">inproc://wire-pair");
    assert_non_null(a);
    assert_non_null(b);
    sr_msg_t *m = sr_msg_new(SR_MSG_RESULT);
    sr_id_t id, got;
    sr_id_make(5, 0, &id);
    sr_msg_set_id(m, SR_F_RESULT_action_id, &id);
    sr_msg_set_int(m, SR_F_RESULT_attempt, 2);
    sr_msg_set_int(m, SR_F_RESULT_epoch, 1);
    sr_msg_set_str(m, SR_F_RESULT_status, "success");
    sr_msg_set(m, SR_F_RESULT_output, sr_value_new_int(42));
    s_send_ok(a, NULL, m);
    sr_wire_in_t in;
    sr_test_recv(b, &in, SR_MSG_RESULT);
    assert_int_equal(in.peer.len, 0);
    assert_int_equal(in.req_id, -1);
    assert_true(in.payload_bytes > 20);
    assert_true(sr_msg_id(in.msg, SR_F_RESULT_action_id, &got));
    assert_true(sr_id_equal(&id, &got));
    assert_int_equal(sr_value_int(sr_msg_get(in.msg, SR_F_RESULT_output)), 42);
    sr_wire_in_fini(&in);
    assert_null(in.msg);
    sr_wire_in_fini(NULL);
    zsock_destroy(&b);
    zsock_destroy(&a);
}

static void
recv_times_out_when_nothing_waits(void **state)
{
    (void)state;
    zsock_t *a = zsock_new_pair("@inproc://wire-idle");
    sr_wire_in_t in;
    sr_error_t err;
    assert_int_equal(sr_wire_recv(a, 0, NULL, &in, &err), SR_ETIMEDOUT);
    assert_null(in.msg);
    assert_int_equal(in.type, SR_MSG_NONE);
    assert_int_equal(sr_wire_recv(a, 5, NULL, &in, &err), SR_ETIMEDOUT);
    sr_wire_in_fini(&in);
    zsock_destroy(&a);
}

static void
router_answers_each_dealer_by_its_routing_id(void **state)
{
    (void)state;
    zsock_t *router = zsock_new_router("@inproc://wire-router");
    zsock_t *w1 = zsock_new(ZMQ_DEALER), *w2 = zsock_new(ZMQ_DEALER);
    zsock_set_identity(w1, "w1");
    zsock_set_identity(w2, "w2");
    assert_int_equal(zsock_connect(w1, "inproc://wire-router"), 0);
    assert_int_equal(zsock_connect(w2, "inproc://wire-router"), 0);
    s_send_ok(w2, NULL, s_status(2));
    s_send_ok(w1, NULL, s_status(1));
    for (int i = 0; i < 2; i++) {
        sr_wire_in_t in;
        sr_test_recv(router, &in, SR_MSG_STATUS);
        assert_int_equal(in.peer.len, 2);
        assert_false(in.peer.is_req);
        assert_int_equal(in.peer.id[1] - '0', in.req_id);
        assert_string_equal(in.key, ""); // no CurveZMQ (sr_curve_test)
        sr_msg_t *reply = sr_msg_new(SR_MSG_REPLY);
        sr_msg_set_int(reply, SR_F_REPLY_req_id, in.req_id);
        sr_msg_set(reply, SR_F_REPLY_body,
                   sr_value_new_strn((char *)in.peer.id, in.peer.len));
        sr_wire_peer_t copy = in.peer; // a plain value
        sr_wire_in_fini(&in);
        s_send_ok(router, &copy, reply);
    }
    zsock_t *workers[] = {w1, w2};
    for (int i = 0; i < 2; i++) {
        sr_wire_in_t in;
        sr_test_recv(workers[i], &in, SR_MSG_REPLY);
        assert_int_equal(in.req_id, i + 1);
        sr_wire_in_fini(&in);
    }
    zsock_destroy(&w1);
    zsock_destroy(&w2);
    zsock_destroy(&router);
}

static void
req_peers_get_their_delimiter_back(void **state)
{
    (void)state;
    zsock_t *router = zsock_new_router("@inproc://wire-req");
    zsock_t *req = zsock_new_req(">inproc://wire-req");
    s_send_ok(req, NULL, s_status(7));
    sr_wire_in_t in;
    sr_test_recv(router, &in, SR_MSG_STATUS);
    assert_true(in.peer.is_req);
    sr_msg_t *reply = sr_msg_new(SR_MSG_REPLY);
    sr_msg_set_int(reply, SR_F_REPLY_req_id, 7);
    sr_msg_set(reply, SR_F_REPLY_body, sr_value_new_map(0));
    s_send_ok(router, &in.peer, reply);
    sr_wire_in_fini(&in);
    sr_test_recv(req, &in, SR_MSG_REPLY); // a REQ drops replies without one
    assert_int_equal(in.req_id, 7);
    sr_wire_in_fini(&in);
    zsock_destroy(&req);
    zsock_destroy(&router);
}

static void
bad_messages_get_an_error_naming_field_and_req_id(void **state)
{
    (void)state;
    zsock_t *router = zsock_new_router("@inproc://wire-bad");
    zsock_t *client = zsock_new_dealer(">inproc://wire-bad");
    sr_value_t *f = sr_value_new_map(2);
    sr_value_map_put(f, "req_id", sr_value_new_int(41));
    sr_value_map_put(f, "execution_id", sr_value_new_int(3));
    size_t len;
    char *buf = sr_test_wire(1, 0, "EX_GET", f, &len);
    s_send_raw(client, buf, len);
    free(buf);
    sr_wire_in_t in;
    sr_error_t cause, err;
    assert_int_equal(sr_wire_recv(router, S_WAIT_MS, NULL, &in, &cause),
                     SR_EPROTO);
    assert_null(in.msg);
    assert_int_equal(in.type, SR_MSG_EX_GET);
    assert_int_equal(in.req_id, 41);
    assert_true(in.peer.len > 0);
    assert_int_equal(sr_wire_reply_error(router, &in, &cause, &err), SR_OK);
    sr_wire_in_fini(&in);
    sr_test_recv(client, &in, SR_MSG_ERROR);
    assert_int_equal(in.req_id, 41);
    assert_string_equal(sr_msg_str(in.msg, SR_F_ERROR_code), "EPROTO");
    assert_string_equal(sr_msg_str(in.msg, SR_F_ERROR_field), "execution_id");
    sr_wire_in_fini(&in);

    // Another major version: EVERSION, still answered with the req_id.
    f = sr_value_new_map(1);
    sr_value_map_put(f, "req_id", sr_value_new_int(3));
    buf = sr_test_wire(2, 0, "STATUS", f, &len);
    s_send_raw(client, buf, len);
    free(buf);
    assert_int_equal(sr_wire_recv(router, S_WAIT_MS, NULL, &in, &cause),
                     SR_EVERSION);
    assert_int_equal(sr_wire_reply_error(router, &in, &cause, &err), SR_OK);
    sr_wire_in_fini(&in);
    sr_test_recv(client, &in, SR_MSG_ERROR);
    assert_int_equal(in.req_id, 3);
    assert_string_equal(sr_msg_str(in.msg, SR_F_ERROR_code), "EVERSION");
    assert_string_equal(
        sr_msg_str(in.msg, SR_F_ERROR_message),
        "peer speaks protocol 2.0, this node speaks " S_NODE_VERSION);
    sr_wire_in_fini(&in);

    // Several frames: refused, the peer still known.
    assert_int_equal(zmq_send(zsock_resolve(client), "a", 1, ZMQ_SNDMORE), 1);
    assert_int_equal(zmq_send(zsock_resolve(client), "b", 1, 0), 1);
    assert_int_equal(sr_wire_recv(router, S_WAIT_MS, NULL, &in, &cause),
                     SR_EPROTO);
    assert_string_equal(cause.msg, "message of 2 frames; expected one");
    assert_true(in.peer.len > 0);
    sr_wire_in_fini(&in);

    // Over the payload limit.
    sr_limits_t small = {.max_bytes = 8};
    s_send_ok(client, NULL, s_status(123456));
    assert_int_equal(sr_wire_recv(router, S_WAIT_MS, &small, &in, &cause),
                     SR_ETOOBIG);
    sr_wire_in_fini(&in);
    zsock_destroy(&client);
    zsock_destroy(&router);
}

static void
an_error_is_never_answered_with_an_error(void **state)
{
    (void)state;
    zsock_t *router = zsock_new_router("@inproc://wire-loop");
    zsock_t *peer = zsock_new_dealer(">inproc://wire-loop");
    sr_value_t *f = sr_value_new_map(1);
    sr_value_map_put(f, "code", sr_value_new_str("EINVAL")); // no message
    size_t len;
    char *buf = sr_test_wire(1, 0, "ERROR", f, &len);
    s_send_raw(peer, buf, len);
    free(buf);
    sr_wire_in_t in;
    sr_error_t cause, err;
    assert_int_equal(sr_wire_recv(router, S_WAIT_MS, NULL, &in, &cause),
                     SR_EPROTO);
    assert_int_equal(in.type, SR_MSG_ERROR);
    assert_int_equal(sr_wire_reply_error(router, &in, &cause, &err), SR_OK);
    // Nothing was sent: the next thing the peer receives is this REPLY.
    sr_msg_t *reply = sr_msg_new(SR_MSG_REPLY);
    sr_msg_set_int(reply, SR_F_REPLY_req_id, 1);
    sr_msg_set_bool(reply, SR_F_REPLY_body, true);
    s_send_ok(router, &in.peer, reply);
    sr_wire_in_fini(&in);
    sr_test_recv(peer, &in, SR_MSG_REPLY);
    sr_wire_in_fini(&in);
    zsock_destroy(&peer);
    zsock_destroy(&router);
}

static void
sends_that_cannot_go_say_why(void **state)
{
    (void)state;
    zsock_t *router = zsock_new_router("@inproc://wire-send");
    zsock_t *dealer = zsock_new_dealer(">inproc://wire-send");
    sr_wire_peer_t ghost;
    assert_true(sr_wire_peer_set(&ghost, "ghost", 5));
    assert_false(sr_wire_peer_set(&ghost, "", 0));
    sr_error_t err;
    sr_msg_t *m = s_status(1);
    assert_int_equal(sr_wire_send(router, NULL, m, &err), SR_EINVAL);
    assert_int_equal(sr_wire_send(dealer, &ghost, m, &err), SR_EINVAL);
    zsock_set_router_mandatory(router, 1);
    assert_int_equal(sr_wire_send(router, &ghost, m, &err), SR_EUNAVAIL);
    assert_string_equal(err.msg, "STATUS: peer unknown or gone");
    sr_msg_t *bad = sr_msg_new(SR_MSG_REPLY); // body is missing
    assert_int_equal(sr_wire_send(dealer, NULL, bad, &err), SR_EINVAL);
    assert_string_equal(err.where, "field 'req_id'");
    sr_msg_destroy(&bad);
    sr_msg_destroy(&m);
    sr_wire_peer_t a, b;
    sr_wire_peer_set(&a, "x", 1);
    sr_wire_peer_set(&b, "x", 1);
    assert_true(sr_wire_peer_equal(&a, &b));
    b.is_req = true;
    assert_false(sr_wire_peer_equal(&a, &b));
    zsock_destroy(&dealer);
    zsock_destroy(&router);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pair_sockets_carry_messages),
        cmocka_unit_test(recv_times_out_when_nothing_waits),
        cmocka_unit_test(router_answers_each_dealer_by_its_routing_id),
        cmocka_unit_test(req_peers_get_their_delimiter_back),
        cmocka_unit_test(bad_messages_get_an_error_naming_field_and_req_id),
        cmocka_unit_test(an_error_is_never_answered_with_an_error),
        cmocka_unit_test(sends_that_cannot_go_say_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
