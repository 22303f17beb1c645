// STATUS's process figures and message counters, over real sockets: the
// CPU time and resident memory of the process are there, and the
// messages of each socket move as messages flow, by exactly what a test
// client and worker sent and were answered on one engine; a request
// forwarded between two engines shows on the peer links.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eng_test_util.h"
#include "sr_body.h"

static const char *s_wf = "version: '2.0'\n"
                          "two:\n"
                          "  tasks:\n"
                          "    a: {action: std.noop, on-success: b}\n"
                          "    b: {action: std.noop}\n";

typedef struct {
    int64_t cpu_us, rss_bytes;
    int64_t client_in, client_out, worker_in, worker_out, peers_in, peers_out;
} s_figures_t;

// STATUS of the fixture's engine, its body checked against the table.
static s_figures_t
s_figures(et_fix_t *f)
{
    sr_error_t err;
    sr_value_t *st = et_call(f, sr_msg_new(SR_MSG_STATUS), &err);
    if (!st)
        fail_msg("STATUS: %s", err.msg);
    const sr_value_t *m = sr_body_get(st, SR_B_STATUS_messages);
    assert_non_null(m);
    s_figures_t r = {
        .cpu_us = sr_body_int(st, SR_B_STATUS_cpu_us, -1),
        .rss_bytes = sr_body_int(st, SR_B_STATUS_rss_bytes, -1),
        .client_in = sr_body_int(m, SR_B_MESSAGES_client_received, -1),
        .client_out = sr_body_int(m, SR_B_MESSAGES_client_sent, -1),
        .worker_in = sr_body_int(m, SR_B_MESSAGES_worker_received, -1),
        .worker_out = sr_body_int(m, SR_B_MESSAGES_worker_sent, -1),
        .peers_in = sr_body_int(m, SR_B_MESSAGES_peers_received, -1),
        .peers_out = sr_body_int(m, SR_B_MESSAGES_peers_sent, -1)};
    sr_value_destroy(&st);
    return r;
}

static void
test_counters_move_by_the_messages_that_flow(void **state)
{
    et_fix_t *f = *state;
    s_figures_t a = s_figures(f);
    assert_true(a.cpu_us > 0);
    assert_true(a.rss_bytes > 1024 * 1024); // the process holds at least 1 MB
    assert_int_equal(a.client_in, 1);       // this STATUS
    assert_int_equal(a.client_out, 0);      // its REPLY leaves after
    assert_int_equal(a.peers_in, 0);        // no peers
    assert_int_equal(a.peers_out, 0);
    et_create(f, s_wf);
    et_ready(f, 1);
    sr_id_t id = et_start(f, "two", "{}");
    et_serve(f);
    et_serve(f);
    et_assert_state(f, &id, "SUCCESS"); // an EX_GET
    // Some CPU for the engine's work (getrusage counts in ticks of the
    // scheduler, so a little work may take a while to show).
    int64_t cpu_before = a.cpu_us;
    for (int i = 0; i < 10000; i++) {
        sr_value_t *b = et_get(f, &id);
        sr_value_destroy(&b);
        if (i % 100 == 99 && s_figures(f).cpu_us > cpu_before)
            break;
    }
    s_figures_t b = s_figures(f);
    assert_true(b.cpu_us > a.cpu_us);
    assert_true(b.rss_bytes > 0);
    // Each request and each answer counted once on the client endpoint.
    int64_t requests = b.client_in - a.client_in;
    assert_true(requests >= 5); // WF_CREATE, EX_START, EX_GET, STATUS...
    assert_int_equal(b.client_out - a.client_out, requests);
    // The worker sent READY, two CONFIRMs and two RESULTs, one frame
    // each, and no HEARTBEAT. The engine sends what a turn has for a
    // worker as one frame (a BATCH): at least TASK, GO, the ACK with the
    // next TASK, GO, ACK; and maybe heartbeats.
    assert_int_equal(b.worker_in - a.worker_in, 5);
    assert_true(b.worker_out - a.worker_out >= 5);
    assert_int_equal(b.peers_in, 0);
    assert_int_equal(b.peers_out, 0);
}

// Two engines, one partition each, single copies: a request about the
// other's partition goes over the peer link and its answer comes back.
static void
test_a_forwarded_request_shows_on_the_peer_links(void **state)
{
    (void)state;
    char dir[] = "/tmp/sr-status-XXXXXX";
    assert_non_null(mkdtemp(dir));
    static const char *names[2] = {"e1", "e2"};
    char data[2][96], client[2][128], worker[2][128];
    uint16_t parts[2][1] = {{0}, {1}};
    et_fix_t f[2];
    memset(f, 0, sizeof f);
    for (int i = 0; i < 2; i++) {
        snprintf(data[i], sizeof data[i], "%s/%s", dir, names[i]);
        snprintf(client[i], sizeof client[i], "ipc://%s/%s.c", dir, names[i]);
        snprintf(worker[i], sizeof worker[i], "ipc://%s/%s.w", dir, names[i]);
    }
    for (int i = 0; i < 2; i++) {
        eng_config_t cfg = {.name = names[i],
                            .client_endpoint = client[i],
                            .worker_endpoint = worker[i],
                            .data_dir = data[i],
                            .partitions = {parts[i][0]},
                            .npartitions = 1,
                            .durability = STORE_NOSYNC,
                            .heartbeat_ms = 200,
                            .npeers = 1};
        int j = 1 - i;
        cfg.peers[0] = (eng_peer_config_t){.name = names[j],
                                           .client = client[j],
                                           .worker = worker[j],
                                           .partitions = parts[j],
                                           .npartitions = 1};
        sr_error_t err;
        if (eng_start(&cfg, &f[i].eng, &err))
            fail_msg("%s: %s", names[i], err.msg);
        f[i].client = zsock_new_dealer(client[i]);
        assert_non_null(f[i].client);
    }
    s_figures_t a1 = s_figures(&f[0]), a2 = s_figures(&f[1]);
    // An execution of partition 1, asked of e1: e1 forwards the request
    // to e2 and relays its answer (no such execution).
    sr_id_t id;
    sr_id_make(1, 1000, &id);
    sr_msg_t *m = sr_msg_new(SR_MSG_EX_GET);
    sr_msg_set_id(m, SR_F_EX_GET_execution_id, &id);
    sr_error_t err;
    sr_value_t *body = et_call(&f[0], m, &err);
    assert_null(body);
    assert_int_equal(err.code, SR_ENOTFOUND);
    s_figures_t b1 = s_figures(&f[0]), b2 = s_figures(&f[1]);
    assert_true(b1.peers_out - a1.peers_out >= 1);   // the forward
    assert_true(b1.peers_in - a1.peers_in >= 1);     // e2's answer
    assert_true(b2.client_in - a2.client_in >= 2);   // the forward, STATUS
    assert_true(b2.client_out - a2.client_out >= 2); // answer, STATUS
    for (int i = 0; i < 2; i++) {
        zsock_destroy(&f[i].client);
        eng_stop(&f[i].eng);
    }
    et_rmtree(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_counters_move_by_the_messages_that_flow, et_setup,
            et_teardown),
        cmocka_unit_test(test_a_forwarded_request_shows_on_the_peer_links),
    };
    zsys_init();
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    zsys_shutdown();
    return rc;
}
