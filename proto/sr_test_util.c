// Helpers of the protocol tests (sr_test_util.h).
#include "sr_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sr_msg_codec.h"
#include "sr_value_msgpack.h"
#include "sr_wire.h"

char *
sr_test_wire(int64_t major, int64_t minor, const char *type, sr_value_t *fields,
             size_t *len)
{
    sr_value_t *env = sr_value_new_array(4);
    sr_value_array_append(env, sr_value_new_int(major));
    sr_value_array_append(env, sr_value_new_int(minor));
    sr_value_array_append(env, sr_value_new_str(type));
    sr_value_array_append(env, fields);
    char *buf = NULL;
    assert_int_equal(sr_value_encode(env, &buf, len), SR_OK);
    sr_value_destroy(&env);
    return buf;
}

sr_msg_t *
sr_test_round_trip(const sr_msg_t *m)
{
    char *buf = NULL;
    size_t len = 0;
    sr_error_t err;
    assert_int_equal(sr_msg_encode(m, &buf, &len, &err), SR_OK);
    sr_msg_t *back = NULL;
    sr_err_t rc = sr_msg_decode(buf, len, NULL, &back, &err);
    if (rc)
        fail_msg("%s: %s: %s", sr_msg_type_name(sr_msg_type(m)), err.where,
                 err.msg);
    free(buf);
    return back;
}

void
sr_test_recv(zsock_t *sock, sr_wire_in_t *in, sr_msg_type_t type)
{
    sr_error_t err;
    sr_err_t rc = sr_wire_recv(sock, SR_TEST_WAIT_MS, NULL, in, &err);
    if (rc)
        fail_msg("recv %s: %s: %s", sr_strerror(rc), err.where, err.msg);
    assert_int_equal(sr_msg_type(in->msg), type);
    assert_int_equal(in->type, type);
}

void
sr_test_send_as(zsock_t *sock, const sr_wire_peer_t *peer, const sr_msg_t *m,
                uint32_t minor)
{
    char *buf = NULL;
    size_t len = 0;
    sr_error_t err;
    assert_int_equal(sr_msg_encode(m, &buf, &len, &err), SR_OK);
    // [major, minor, ...]: a fixarray, then two positive fixints.
    assert_true(len > 3 && (uint8_t)buf[2] == SR_PROTO_MINOR && minor < 128);
    buf[2] = (char)minor;
    sr_err_t rc = sr_wire_send_encoded(sock, peer, &buf, len,
                                       sr_msg_type_name(sr_msg_type(m)), &err);
    free(buf);
    if (rc)
        fail_msg("send %s: %s", sr_strerror(rc), err.msg);
}

sr_msg_t *
sr_test_batch_new(const char *bad, sr_msg_t **msgs, size_t n)
{
    sr_value_t *list = sr_value_new_array(n + 1);
    if (bad)
        sr_value_array_append(list, sr_value_new_bin(bad, strlen(bad)));
    for (size_t i = 0; i < n; i++) {
        char *buf = NULL;
        size_t len = 0;
        sr_error_t err;
        assert_int_equal(sr_msg_encode(msgs[i], &buf, &len, &err), SR_OK);
        sr_value_array_append(list, sr_value_new_bin(buf, len));
        free(buf);
        sr_msg_destroy(&msgs[i]);
    }
    sr_msg_t *m = sr_msg_new(SR_MSG_BATCH);
    assert_int_equal(sr_msg_set(m, SR_F_BATCH_messages, list), SR_OK);
    return m;
}
