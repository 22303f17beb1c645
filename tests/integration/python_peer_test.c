// A worker written in Python with pyzmq and msgpack, as docs/protocol.md
// teaches, talks to this test playing the engine over TCP on loopback:
// READY, TASK, CONFIRM (with a text id), GO, RESULT, ACK, then a bad field
// and another major version answered with ERROR, then BYE. A python3
// without pyzmq or msgpack fails the test (deploy/setup.sh installs both):
// a cmocka skip() would show as passed in ctest.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "sr_wire.h"

#define S_WAIT_MS 10000 // bounded wait for each message from Python

extern char **environ;

static pid_t s_child; // the Python peer while it runs

static const char *
s_python(void)
{
    const char *py = getenv("SR_PYTHON");
    return py && py[0] ? py : "python3";
}

// Run argv and return its exit status, or -1 when it could not start.
static int
s_run(char *const argv[], pid_t *pid_out)
{
    pid_t pid;
    if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0)
        return -1;
    if (pid_out) {
        *pid_out = pid;
        return 0;
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

static int
s_teardown(void **state)
{
    (void)state;
    if (s_child > 0) {
        kill(s_child, SIGTERM);
        waitpid(s_child, NULL, 0);
        s_child = 0;
    }
    return 0;
}

static void
s_expect(zsock_t *sock, sr_wire_in_t *in, sr_msg_type_t type)
{
    sr_error_t err;
    sr_err_t rc = sr_wire_recv(sock, S_WAIT_MS, NULL, in, &err);
    if (rc)
        fail_msg("waiting for %s: %s: %s %s", sr_msg_type_name(type),
                 sr_strerror(rc), err.where, err.msg);
    if (in->type != type)
        fail_msg("expected %s, got %s", sr_msg_type_name(type),
                 sr_msg_type_name(in->type));
}

static void
s_send(zsock_t *sock, const sr_wire_peer_t *peer, sr_msg_t *m)
{
    sr_error_t err;
    sr_err_t rc = sr_wire_send(sock, peer, m, &err);
    if (rc)
        fail_msg("send: %s: %s %s", sr_strerror(rc), err.where, err.msg);
    sr_msg_destroy(&m);
}

// Receive a message that must fail with `code`, and answer it.
static void
s_expect_bad(zsock_t *sock, sr_err_t code)
{
    sr_wire_in_t in;
    sr_error_t cause, err;
    assert_int_equal(sr_wire_recv(sock, S_WAIT_MS, NULL, &in, &cause), code);
    assert_int_equal(sr_wire_reply_error(sock, &in, &cause, &err), SR_OK);
    sr_wire_in_fini(&in);
}

static sr_msg_t *
s_task(const sr_id_t *id)
{
    sr_msg_t *m = sr_msg_new(SR_MSG_TASK);
    sr_msg_set_id(m, SR_F_TASK_action_id, id);
    sr_msg_set_id(m, SR_F_TASK_execution_id, id);
    sr_msg_set_id(m, SR_F_TASK_task_id, id);
    sr_msg_set_str(m, SR_F_TASK_task_name, "add");
    sr_msg_set_str(m, SR_F_TASK_action, "py.add");
    sr_value_t *input = sr_value_new_map(2);
    sr_value_map_put(input, "a", sr_value_new_int(2));
    sr_value_map_put(input, "b", sr_value_new_int(3));
    sr_msg_set(m, SR_F_TASK_input, input);
    sr_msg_set_int(m, SR_F_TASK_attempt, 1);
    sr_msg_set_int(m, SR_F_TASK_epoch, 4);
    return m;
}

static void
a_python_worker_speaks_the_protocol(void **state)
{
    (void)state;
    char *probe[] = {(char *)s_python(), "-c", "import msgpack, zmq", NULL};
    if (s_run(probe, NULL) != 0)
        fail_msg("%s cannot import msgpack and zmq: install python3-msgpack "
                 "and python3-zmq (deploy/setup.sh)",
                 s_python());
    const char *src = getenv("SR_SOURCE_DIR");
    assert_non_null(src);
    zsock_t *router = zsock_new(ZMQ_ROUTER);
    int port = zsock_bind(router, "tcp://127.0.0.1:*");
    assert_true(port > 0);
    char endpoint[64], script[4096];
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    snprintf(script, sizeof script, "%s/tests/integration/python_peer.py", src);
    char *argv[] = {(char *)s_python(), script, endpoint, NULL};
    assert_int_equal(s_run(argv, &s_child), 0);

    sr_wire_in_t in;
    s_expect(router, &in, SR_MSG_READY);
    assert_string_equal(sr_msg_str(in.msg, SR_F_READY_worker), "py-1");
    assert_int_equal(sr_msg_int(in.msg, SR_F_READY_slots, 0), 2);
    sr_value_t *actions = sr_msg_get(in.msg, SR_F_READY_actions);
    assert_string_equal(sr_value_str(sr_value_array_at(actions, 0)), "py.*");
    sr_wire_peer_t worker = in.peer;
    sr_wire_in_fini(&in);

    sr_id_t id, got;
    sr_id_make(6, 0, &id);
    s_send(router, &worker, s_task(&id));
    s_expect(router, &in, SR_MSG_CONFIRM); // action_id sent as text
    assert_true(sr_msg_id(in.msg, SR_F_CONFIRM_action_id, &got));
    assert_true(sr_id_equal(&id, &got));
    assert_int_equal(sr_msg_int(in.msg, SR_F_CONFIRM_epoch, 0), 4);
    sr_wire_in_fini(&in);
    sr_msg_t *go = sr_msg_new(SR_MSG_GO);
    sr_msg_set_id(go, SR_F_GO_action_id, &id);
    sr_msg_set_int(go, SR_F_GO_attempt, 1);
    s_send(router, &worker, go);

    s_expect(router, &in, SR_MSG_RESULT);
    assert_string_equal(sr_msg_str(in.msg, SR_F_RESULT_status), "success");
    sr_value_t *out = sr_msg_get(in.msg, SR_F_RESULT_output);
    assert_int_equal(sr_value_int(sr_value_map_get(out, "sum")), 5);
    assert_true(sr_value_is(sr_value_map_get(out, "note"), SR_T_NIL));
    sr_wire_in_fini(&in);
    sr_msg_t *ack = sr_msg_new(SR_MSG_ACK);
    sr_msg_set_id(ack, SR_F_ACK_action_id, &id);
    sr_msg_set_int(ack, SR_F_ACK_attempt, 1);
    s_send(router, &worker, ack);

    s_expect_bad(router, SR_EPROTO);   // CREDIT with slots "many"
    s_expect_bad(router, SR_EVERSION); // STATUS in protocol 2.0
    s_expect(router, &in, SR_MSG_BYE);
    sr_wire_in_fini(&in);

    int status;
    assert_int_equal(waitpid(s_child, &status, 0), s_child);
    s_child = 0;
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    zsock_destroy(&router);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(a_python_worker_speaks_the_protocol,
                                  s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
