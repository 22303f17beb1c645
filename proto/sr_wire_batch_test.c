// Tests of BATCH: the message through the codec, a turn's messages sent
// as one frame or one by one, split at the count and byte limits, and
// the items of a received BATCH read one by one, bad ones refused alone.
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
#include "sr_wire_batch.h"

static sr_msg_t *
s_confirm(int64_t attempt)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_CONFIRM);
    sr_id_t id;
    memset(&id, 7, sizeof id);
    assert_int_equal(sr_msg_set_id(m, SR_F_CONFIRM_action_id, &id), SR_OK);
    assert_int_equal(sr_msg_set_int(m, SR_F_CONFIRM_attempt, attempt), SR_OK);
    assert_int_equal(sr_msg_set_int(m, SR_F_CONFIRM_epoch, 3), SR_OK);
    return m;
}

static sr_value_t *
s_encoded(const sr_msg_t *m)
{
    char *buf = NULL;
    size_t len = 0;
    sr_error_t err;
    assert_int_equal(sr_msg_encode(m, &buf, &len, &err), SR_OK);
    sr_value_t *v = sr_value_new_bin(buf, len);
    free(buf);
    return v;
}

static void
s_flush_ok(sr_wire_batch_t *b, zsock_t *sock, const sr_wire_peer_t *peer,
           bool use_batch, const sr_limits_t *limits, size_t frames)
{
    sr_error_t err;
    size_t sent = 0;
    sr_err_t rc =
        sr_wire_batch_flush(b, sock, peer, use_batch, limits, &sent, &err);
    if (rc)
        fail_msg("flush %s: %s", sr_strerror(rc), err.msg);
    assert_int_equal(sent, frames);
    assert_int_equal(sr_wire_batch_count(b), 0);
}

static void
a_batch_round_trips_through_the_codec(void **state)
{
    (void)state;
    sr_msg_t *m = sr_msg_new(SR_MSG_BATCH);
    sr_msg_t *c1 = s_confirm(1), *c2 = s_confirm(2);
    sr_value_t *list = sr_value_new_array(2);
    sr_value_array_append(list, s_encoded(c1));
    sr_value_array_append(list, s_encoded(c2));
    assert_int_equal(sr_msg_set(m, SR_F_BATCH_messages, list), SR_OK);
    sr_msg_t *back = sr_test_round_trip(m);
    assert_int_equal(sr_msg_type(back), SR_MSG_BATCH);
    assert_int_equal(sr_msg_minor(back), SR_PROTO_MINOR);
    assert_true(sr_value_equal(sr_msg_get(back, SR_F_BATCH_messages),
                               sr_msg_get(m, SR_F_BATCH_messages)));
    assert_true(sr_msg_flows(SR_MSG_BATCH, SR_DIR_WORKER_TO_ENGINE));
    assert_true(sr_msg_flows(SR_MSG_BATCH, SR_DIR_ENGINE_TO_WORKER));
    assert_false(sr_msg_flows(SR_MSG_BATCH, SR_DIR_CLIENT_TO_ENGINE));
    sr_msg_destroy(&back);
    // The sender's minor version is kept: an older peer's is lower.
    sr_value_t *f = sr_value_new_map(1);
    sr_value_map_put(f, "req_id", sr_value_new_int(1));
    size_t len = 0;
    sr_error_t err;
    char *buf = sr_test_wire(SR_PROTO_MAJOR, 6, "STATUS", f, &len);
    assert_int_equal(sr_msg_decode(buf, len, NULL, &back, &err), SR_OK);
    assert_int_equal(sr_msg_minor(back), 6);
    assert_false(sr_wire_batch_understood(sr_msg_minor(back)));
    assert_true(sr_wire_batch_understood(SR_PROTO_MINOR));
    sr_msg_t *dup = sr_msg_dup(back);
    assert_int_equal(sr_msg_minor(dup), 6);
    sr_msg_destroy(&dup);
    free(buf);
    sr_msg_destroy(&back);
    sr_msg_destroy(&m);
    sr_msg_destroy(&c1);
    sr_msg_destroy(&c2);
}

static void
one_message_goes_alone_and_several_as_one_batch(void **state)
{
    (void)state;
    zsock_t *router = zsock_new_router("@inproc://batch-router");
    zsock_t *dealer = zsock_new_dealer(">inproc://batch-router");
    sr_wire_batch_t *b = sr_wire_batch_new();
    assert_non_null(b);
    sr_error_t err;
    sr_msg_t *c = s_confirm(1);
    assert_int_equal(sr_wire_batch_add(b, c, &err), SR_OK);
    s_flush_ok(b, dealer, NULL, true, NULL, 1);
    sr_wire_in_t in;
    sr_test_recv(router, &in, SR_MSG_CONFIRM);
    assert_int_equal(sr_wire_in_items(&in), 0);
    sr_wire_in_fini(&in);
    for (int64_t a = 1; a <= 3; a++) {
        sr_msg_t *m = s_confirm(a);
        assert_int_equal(sr_wire_batch_add(b, m, &err), SR_OK);
        sr_msg_destroy(&m);
    }
    assert_int_equal(sr_wire_batch_count(b), 3);
    s_flush_ok(b, dealer, NULL, true, NULL, 1);
    sr_test_recv(router, &in, SR_MSG_BATCH);
    assert_int_equal(sr_wire_in_items(&in), 3);
    for (size_t i = 0; i < 3; i++) { // in order, as if alone
        sr_wire_in_t item;
        assert_int_equal(sr_wire_in_item(&in, i, NULL, &item, &err), SR_OK);
        assert_int_equal(item.type, SR_MSG_CONFIRM);
        assert_int_equal(sr_msg_int(item.msg, SR_F_CONFIRM_attempt, 0),
                         (int64_t)i + 1);
        assert_true(sr_wire_peer_equal(&item.peer, &in.peer));
        assert_true(item.payload_bytes > 0);
        sr_wire_in_fini(&item);
    }
    // The answers go back the same way, addressed to the dealer.
    sr_wire_peer_t peer = in.peer;
    sr_wire_in_fini(&in);
    assert_int_equal(sr_wire_batch_add(b, c, &err), SR_OK);
    assert_int_equal(sr_wire_batch_add(b, c, &err), SR_OK);
    s_flush_ok(b, router, &peer, true, NULL, 1);
    sr_test_recv(dealer, &in, SR_MSG_BATCH);
    assert_int_equal(sr_wire_in_items(&in), 2);
    sr_wire_in_fini(&in);
    sr_msg_destroy(&c);
    sr_wire_batch_destroy(&b);
    assert_null(b);
    zsock_destroy(&dealer);
    zsock_destroy(&router);
}

static void
a_peer_without_batch_gets_messages_one_by_one(void **state)
{
    (void)state;
    zsock_t *a = zsock_new_pair("@inproc://batch-old");
    zsock_t *z = zsock_new_pair(">inproc://batch-old");
    sr_wire_batch_t *b = sr_wire_batch_new();
    sr_error_t err;
    for (int64_t n = 1; n <= 3; n++) {
        sr_msg_t *m = s_confirm(n);
        assert_int_equal(sr_wire_batch_add(b, m, &err), SR_OK);
        sr_msg_destroy(&m);
    }
    s_flush_ok(b, a, NULL, false, NULL, 3);
    for (int64_t n = 1; n <= 3; n++) {
        sr_wire_in_t in;
        sr_test_recv(z, &in, SR_MSG_CONFIRM);
        assert_int_equal(sr_msg_int(in.msg, SR_F_CONFIRM_attempt, 0), n);
        sr_wire_in_fini(&in);
    }
    // Nothing added: nothing sent.
    s_flush_ok(b, a, NULL, true, NULL, 0);
    sr_wire_batch_destroy(&b);
    zsock_destroy(&z);
    zsock_destroy(&a);
}

// Receive `frames` frames on `sock` and check that they hold `n` CONFIRMs
// of attempts 1..n in order, each frame within `max_bytes`.
static void
s_expect_confirms(zsock_t *sock, size_t frames, int64_t n, size_t max_bytes)
{
    int64_t next = 1;
    for (size_t f = 0; f < frames; f++) {
        sr_wire_in_t in;
        sr_error_t err;
        sr_limits_t limits = {.max_bytes = max_bytes};
        assert_int_equal(
            sr_wire_recv(sock, SR_TEST_WAIT_MS, &limits, &in, &err), SR_OK);
        assert_true(in.payload_bytes <= max_bytes);
        size_t items = sr_wire_in_items(&in);
        for (size_t i = 0; i < (items ? items : 1); i++) {
            sr_wire_in_t item;
            if (items)
                assert_int_equal(sr_wire_in_item(&in, i, &limits, &item, &err),
                                 SR_OK);
            const sr_msg_t *m = items ? item.msg : in.msg;
            assert_int_equal(sr_msg_int(m, SR_F_CONFIRM_attempt, 0), next++);
            if (items)
                sr_wire_in_fini(&item);
        }
        sr_wire_in_fini(&in);
    }
    assert_int_equal(next, n + 1);
}

static void
batches_split_at_the_count_and_byte_limits(void **state)
{
    (void)state;
    zsock_t *a = zsock_new_pair("@inproc://batch-split");
    zsock_t *z = zsock_new_pair(">inproc://batch-split");
    zsock_set_rcvhwm(z, 0);
    zsock_set_sndhwm(a, 0);
    sr_wire_batch_t *b = sr_wire_batch_new();
    sr_error_t err;
    int64_t n = SR_WIRE_BATCH_MAX + 2;
    for (int64_t k = 1; k <= n; k++) {
        sr_msg_t *m = s_confirm(k);
        assert_int_equal(sr_wire_batch_add(b, m, &err), SR_OK);
        sr_msg_destroy(&m);
    }
    s_flush_ok(b, a, NULL, true, NULL, 2); // 4096, then 2
    s_expect_confirms(z, 2, n, SR_DEFAULT_MAX_BYTES);
    // A CONFIRM takes about 40 bytes: 10 of them in frames of 200 bytes.
    for (int64_t k = 1; k <= 10; k++) {
        sr_msg_t *m = s_confirm(k);
        assert_int_equal(sr_wire_batch_add(b, m, &err), SR_OK);
        sr_msg_destroy(&m);
    }
    sr_limits_t small = {.max_bytes = 200};
    size_t sent = 0;
    assert_int_equal(sr_wire_batch_flush(b, a, NULL, true, &small, &sent, &err),
                     SR_OK);
    assert_true(sent >= 3 && sent <= 5);
    s_expect_confirms(z, sent, 10, 200);
    sr_wire_batch_destroy(&b);
    zsock_destroy(&z);
    zsock_destroy(&a);
}

static void
bad_items_are_refused_alone_naming_the_field(void **state)
{
    (void)state;
    zsock_t *a = zsock_new_pair("@inproc://batch-bad");
    zsock_t *z = zsock_new_pair(">inproc://batch-bad");
    sr_msg_t *c = s_confirm(1);
    sr_msg_t *inner = sr_msg_new(SR_MSG_BATCH);
    sr_value_t *one = sr_value_new_array(1);
    sr_value_array_append(one, s_encoded(c));
    sr_msg_set(inner, SR_F_BATCH_messages, one);
    sr_value_t *items = sr_value_new_array(5);
    sr_value_array_append(items, s_encoded(c));
    sr_value_array_append(items, sr_value_new_bin("\xc1garbage", 8));
    sr_value_array_append(items, sr_value_new_int(5));
    sr_value_array_append(items, s_encoded(inner));
    sr_value_t *f = sr_value_new_map(1);
    sr_value_map_put(f, "req_id", sr_value_new_int(9));
    size_t len = 0;
    char *status =
        sr_test_wire(SR_PROTO_MAJOR, SR_PROTO_MINOR, "STATUS", f, &len);
    sr_value_array_append(items, sr_value_new_bin(status, len));
    free(status);
    sr_value_t *fields = sr_value_new_map(1);
    sr_value_map_put(fields, "messages", items);
    char *buf =
        sr_test_wire(SR_PROTO_MAJOR, SR_PROTO_MINOR, "BATCH", fields, &len);
    assert_int_equal(zmq_send(zsock_resolve(a), buf, len, 0), (int)len);
    free(buf);
    sr_wire_in_t in;
    sr_test_recv(z, &in, SR_MSG_BATCH);
    assert_int_equal(sr_wire_in_items(&in), 5);
    static const struct {
        sr_err_t rc;
        sr_msg_type_t type;
        const char *where;
    } want[] = {{SR_OK, SR_MSG_CONFIRM, ""},
                {SR_EPROTO, SR_MSG_NONE, ""},
                {SR_EPROTO, SR_MSG_NONE, "field 'messages'"},
                {SR_EPROTO, SR_MSG_BATCH, "field 'messages'"},
                {SR_OK, SR_MSG_STATUS, ""}};
    for (size_t i = 0; i < 5; i++) {
        sr_wire_in_t item;
        sr_error_t err = {0};
        sr_err_t rc = sr_wire_in_item(&in, i, NULL, &item, &err);
        assert_int_equal(rc, want[i].rc);
        assert_int_equal(item.type, want[i].type);
        if (rc)
            assert_string_equal(err.where, want[i].where);
        assert_true(rc ? item.msg == NULL : item.msg != NULL);
        if (i == 4)
            assert_int_equal(item.req_id, 9);
        sr_wire_in_fini(&item);
    }
    // Past the end: refused, never read out of bounds.
    sr_wire_in_t item;
    sr_error_t err;
    assert_int_equal(sr_wire_in_item(&in, 5, NULL, &item, &err), SR_EPROTO);
    sr_wire_in_fini(&item);
    sr_wire_in_fini(&in);
    sr_msg_destroy(&inner);
    sr_msg_destroy(&c);
    zsock_destroy(&z);
    zsock_destroy(&a);
}

static void
too_many_items_are_refused_naming_the_field(void **state)
{
    (void)state;
    sr_value_t *items = sr_value_new_array(SR_WIRE_BATCH_MAX + 1);
    for (size_t i = 0; i <= SR_WIRE_BATCH_MAX; i++)
        sr_value_array_append(items, sr_value_new_bin("x", 1));
    sr_value_t *fields = sr_value_new_map(1);
    sr_value_map_put(fields, "messages", items);
    size_t len = 0;
    char *buf =
        sr_test_wire(SR_PROTO_MAJOR, SR_PROTO_MINOR, "BATCH", fields, &len);
    sr_msg_t *m = NULL;
    sr_error_t err;
    assert_int_equal(sr_msg_decode(buf, len, NULL, &m, &err), SR_ETOOBIG);
    assert_string_equal(err.where, "field 'messages'");
    assert_null(m);
    free(buf);
    // And `messages` is required.
    buf = sr_test_wire(SR_PROTO_MAJOR, SR_PROTO_MINOR, "BATCH",
                       sr_value_new_map(0), &len);
    assert_int_equal(sr_msg_decode(buf, len, NULL, &m, &err), SR_EPROTO);
    assert_string_equal(err.where, "field 'messages'");
    free(buf);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_batch_round_trips_through_the_codec),
        cmocka_unit_test(one_message_goes_alone_and_several_as_one_batch),
        cmocka_unit_test(a_peer_without_batch_gets_messages_one_by_one),
        cmocka_unit_test(batches_split_at_the_count_and_byte_limits),
        cmocka_unit_test(bad_items_are_refused_alone_naming_the_field),
        cmocka_unit_test(too_many_items_are_refused_naming_the_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
