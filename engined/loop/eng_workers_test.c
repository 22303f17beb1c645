// The worker sessions (eng_workers.c) alone, over a ROUTER this test
// binds and DEALERs playing workers: when the partitions the engine
// serves change, every worker gets a HEARTBEAT listing them with their
// epochs at once, without waiting for the heartbeat interval.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eng_part.h"
#include "eng_test_util.h"
#include "eng_workers.h"
#include "sr_wire.h"

typedef struct {
    char dir[64];
    char endpoint[128];
    eng_config_t cfg;
    eng_parts_t *parts;
    zsock_t *router;
    eng_workers_t *workers;
} s_fix_t;

static int
s_setup(void **state)
{
    s_fix_t *f = calloc(1, sizeof *f);
    assert_non_null(f);
    strcpy(f->dir, "/tmp/sr-engw-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->endpoint, sizeof f->endpoint, "ipc://%s/w", f->dir);
    // Heartbeats a minute apart: any HEARTBEAT seen is the one asked for.
    f->cfg = (eng_config_t){.name = "e1",
                            .data_dir = f->dir,
                            .partitions = {3, 5},
                            .npartitions = 2,
                            .durability = STORE_NOSYNC,
                            .heartbeat_ms = 60000,
                            .expiry_ms = 300000};
    sr_error_t err;
    if (eng_parts_open(&f->cfg, NULL, &f->parts, &err))
        fail_msg("partitions: %s", err.msg);
    f->router = zsock_new_router(f->endpoint);
    assert_non_null(f->router);
    f->workers = eng_workers_new(&f->cfg, f->router, f->parts, NULL);
    assert_non_null(f->workers);
    *state = f;
    return 0;
}

static int
s_teardown(void **state)
{
    s_fix_t *f = *state;
    eng_workers_destroy(&f->workers);
    zsock_destroy(&f->router);
    eng_parts_close(&f->parts);
    et_rmtree(f->dir);
    free(f);
    return 0;
}

// A worker named `name` connects and says READY; the sessions take it.
static zsock_t *
s_worker(s_fix_t *f, const char *name)
{
    zsock_t *w = zsock_new_dealer(f->endpoint);
    assert_non_null(w);
    sr_msg_t *m = sr_msg_new(SR_MSG_READY);
    sr_msg_set_str(m, SR_F_READY_worker, name);
    sr_msg_set_int(m, SR_F_READY_slots, 1);
    et_send(w, m);
    sr_wire_in_t in;
    sr_error_t err;
    assert_int_equal(sr_wire_recv(f->router, 5000, NULL, &in, &err), SR_OK);
    assert_int_equal(in.type, SR_MSG_READY);
    eng_workers_recv(f->workers, &in);
    sr_wire_in_fini(&in);
    return w;
}

// Nothing waits on `w` for 100 ms.
static void
s_assert_silent(zsock_t *w)
{
    sr_wire_in_t in;
    sr_error_t err;
    sr_err_t rc = sr_wire_recv(w, 100, NULL, &in, &err);
    if (rc != SR_ETIMEDOUT)
        fail_msg("unexpected %s", sr_msg_type_name(in.type));
    sr_wire_in_fini(&in);
}

// The next message on `w` is a HEARTBEAT whose partitions are those the
// engine serves, in order, with their epochs, and nothing else.
static void
s_expect_partitions(s_fix_t *f, zsock_t *w)
{
    sr_msg_t *hb = et_expect(w, SR_MSG_HEARTBEAT);
    const sr_value_t *list = sr_msg_get(hb, SR_F_HEARTBEAT_partitions);
    assert_non_null(list);
    assert_int_equal(sr_value_len(list), 2);
    for (size_t i = 0; i < 2; i++) {
        const sr_value_t *p = sr_value_array_at(list, i);
        int64_t number = -1, epoch = -1;
        assert_true(sr_value_map_int(p, "partition", &number));
        assert_true(sr_value_map_int(p, "epoch", &epoch));
        assert_int_equal(number, f->cfg.partitions[i]);
        assert_int_equal(epoch, (int64_t)eng_parts_epoch(f->parts, i));
        assert_true(epoch >= 1);
    }
    assert_string_equal(sr_msg_str(hb, SR_F_HEARTBEAT_name), "e1");
    sr_msg_destroy(&hb);
}

static void
a_change_of_partitions_reaches_every_worker_at_once(void **state)
{
    s_fix_t *f = *state;
    zsock_t *w1 = s_worker(f, "w1");
    zsock_t *w2 = s_worker(f, "w2");
    assert_int_equal(eng_workers_count(f->workers), 2);
    s_assert_silent(w1); // no heartbeat is due for a minute
    eng_workers_partitions_changed(f->workers);
    eng_workers_flush(f->workers); // what the loop does at a turn's end
    s_expect_partitions(f, w1);
    s_expect_partitions(f, w2);
    s_assert_silent(w1); // one each
    s_assert_silent(w2);
    zsock_destroy(&w1);
    zsock_destroy(&w2);
}

static void
no_worker_no_message(void **state)
{
    s_fix_t *f = *state;
    eng_workers_partitions_changed(f->workers); // nobody to tell
    eng_workers_flush(f->workers);
    zsock_t *w1 = s_worker(f, "w1");
    s_assert_silent(w1);
    zsock_destroy(&w1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            a_change_of_partitions_reaches_every_worker_at_once, s_setup,
            s_teardown),
        cmocka_unit_test_setup_teardown(no_worker_no_message, s_setup,
                                        s_teardown),
    };
    zsys_init();
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    zsys_shutdown();
    return rc;
}
