// Protocol helpers shared by the engine node tests (eng_test_util.h):
// bounded receive of one message type, and send.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "eng_test_util.h"
#include "sr_wire.h"

sr_msg_t *
et_expect(zsock_t *sock, sr_msg_type_t type)
{
    for (int i = 0; i < 100; i++) {
        sr_wire_in_t in;
        sr_error_t err;
        sr_err_t rc = sr_wire_recv(sock, 5000, NULL, &in, &err);
        if (rc == SR_ETIMEDOUT)
            fail_msg("no %s within 5 s", sr_msg_type_name(type));
        assert_int_equal(rc, SR_OK);
        if (in.type == type) {
            sr_msg_t *m = in.msg;
            in.msg = NULL;
            sr_wire_in_fini(&in);
            return m;
        }
        if (in.type == SR_MSG_ERROR && type != SR_MSG_ERROR) {
            sr_msg_to_error(in.msg, &err);
            fail_msg("ERROR instead of %s: %s", sr_msg_type_name(type),
                     err.msg);
        }
        sr_wire_in_fini(&in);
    }
    fail_msg("too many other messages");
    return NULL;
}

void
et_send(zsock_t *sock, sr_msg_t *m)
{
    sr_error_t err;
    assert_non_null(m);
    assert_int_equal(sr_wire_send(sock, NULL, m, &err), SR_OK);
    sr_msg_destroy(&m);
}
