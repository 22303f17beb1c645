// The reads of protocol 1.2 (TASK_GET, ACTION_LIST, ACTION_GET) through
// the client library against real engine nodes: two engines in this
// process (partitions 0 and 1) over ipc:// in a temporary folder, and a
// test worker per engine written against the protocol. Also a delegate
// completed by its token through a client that knows both engines.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "eng.h"
#include "eng_test_util.h"
#include "sirocco/client.h"
#include "sr_wire.h"

#define T 5000 // ms, every wait

typedef struct {
    char dir[64];
    char client_ep[2][128], worker_ep[2][128], data[2][128];
    eng_t *eng[2];
    zsock_t *worker[2];
    sr_client_t *c;
} s_fix_t;

static const char *s_wf = "version: '2.0'\n"
                          "wd:\n"
                          "  tasks:\n"
                          "    a:\n"
                          "      action: std.echo output=first\n"
                          "      on-success: b\n"
                          "    b:\n"
                          "      action: std.async_noop\n";

static int
s_setup(void **state)
{
    s_fix_t *f = calloc(1, sizeof *f);
    strcpy(f->dir, "/tmp/sr-eva-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char eps[300] = "";
    for (int i = 0; i < 2; i++) {
        snprintf(f->client_ep[i], 128, "ipc://%s/c%d", f->dir, i);
        snprintf(f->worker_ep[i], 128, "ipc://%s/w%d", f->dir, i);
        snprintf(f->data[i], 128, "%s/d%d", f->dir, i);
        eng_config_t cfg = {.name = i ? "e1" : "e0",
                            .client_endpoint = f->client_ep[i],
                            .worker_endpoint = f->worker_ep[i],
                            .data_dir = f->data[i],
                            .partitions = {(uint16_t)i},
                            .npartitions = 1,
                            .durability = STORE_NOSYNC,
                            .heartbeat_ms = 200};
        sr_error_t err;
        if (eng_start(&cfg, &f->eng[i], &err))
            fail_msg("engine start: %s", err.msg);
        f->worker[i] = zsock_new_dealer(f->worker_ep[i]);
        assert_non_null(f->worker[i]);
        sr_msg_t *m = sr_msg_new(SR_MSG_READY);
        sr_msg_set_str(m, SR_F_READY_worker, i ? "tw1" : "tw0");
        sr_msg_set_int(m, SR_F_READY_slots, 4);
        assert_int_equal(sr_wire_send(f->worker[i], NULL, m, &err), SR_OK);
        sr_msg_destroy(&m);
        size_t n = strlen(eps);
        snprintf(eps + n, sizeof eps - n, "%s%s", i ? "," : "",
                 f->client_ep[i]);
    }
    sr_error_t err;
    assert_int_equal(sr_client_open(eps, NULL, &f->c, &err), SR_OK);
    sr_value_t *wfs = NULL;
    if (sr_client_wf_create(f->c, s_wf, T, &wfs, &err))
        fail_msg("wf_create: %s", err.msg);
    sr_value_destroy(&wfs);
    *state = f;
    return 0;
}

static int
s_teardown(void **state)
{
    s_fix_t *f = *state;
    sr_client_close(&f->c);
    for (int i = 0; i < 2; i++) {
        et_recv_forget(f->worker[i]);
        zsock_destroy(&f->worker[i]);
        eng_stop(&f->eng[i]);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

// Serve one TASK on worker `w`: std.echo succeeds with its output, the
// rest stay pending. Returns the TASK (owned) for its token.
static sr_msg_t *
s_serve(s_fix_t *f, int w)
{
    return et_serve_on(f->worker[w]);
}

// Start `wd` in partition `part` and serve it to its pending action;
// *ex gets the execution id, returns the pending action's TASK.
static sr_msg_t *
s_run_to_pending(s_fix_t *f, int part, char ex[SR_ID_TEXT_SIZE])
{
    sr_client_start_t st = {
        .workflow = "wd", .has_partition = true, .partition = (uint16_t)part};
    sr_value_t *e = NULL;
    sr_error_t err;
    if (sr_client_ex_start(f->c, &st, T, &e, &err))
        fail_msg("ex_start: %s", err.msg);
    snprintf(ex, SR_ID_TEXT_SIZE, "%s", sr_value_map_str(e, "id"));
    sr_value_destroy(&e);
    sr_msg_t *t = s_serve(f, part);
    sr_msg_destroy(&t);
    return s_serve(f, part);
}

static const char *
s_str(const sr_value_t *m, const char *key)
{
    const char *s = sr_value_map_str(m, key);
    if (!s)
        fail_msg("no string '%s'", key);
    return s;
}

static void
tasks_are_read_by_id_with_or_without_their_execution(void **state)
{
    s_fix_t *f = *state;
    char ex[SR_ID_TEXT_SIZE];
    sr_msg_t *t = s_run_to_pending(f, 1, ex);
    sr_msg_destroy(&t);
    sr_value_t *tasks = NULL, *one = NULL;
    sr_error_t err;
    assert_int_equal(sr_client_task_list(f->c, ex, T, &tasks, &err), SR_OK);
    assert_int_equal(sr_value_len(tasks), 2);
    const sr_value_t *b = sr_value_array_at(tasks, 1);
    assert_int_equal(
        sr_client_task_get(f->c, s_str(b, "id"), NULL, T, &one, &err), SR_OK);
    assert_string_equal(s_str(one, "name"), "b");
    assert_string_equal(s_str(one, "state"), "RUNNING");
    assert_string_equal(s_str(one, "execution_id"), ex);
    assert_non_null(sr_value_map_get(one, "started_at"));
    assert_true(sr_value_is(sr_value_map_get(one, "finished_at"), SR_T_NIL));
    sr_value_destroy(&one);
    assert_int_equal(
        sr_client_task_get(f->c, s_str(b, "id"), ex, T, &one, &err), SR_OK);
    assert_string_equal(s_str(one, "name"), "b");
    sr_value_destroy(&one);
    // Task a finished: both times are there.
    const sr_value_t *a = sr_value_array_at(tasks, 0);
    assert_int_equal(
        sr_client_task_get(f->c, s_str(a, "id"), NULL, T, &one, &err), SR_OK);
    assert_string_equal(s_str(one, "state"), "SUCCESS");
    assert_non_null(sr_value_map_str(one, "finished_at"));
    sr_value_destroy(&one);
    // Under another execution it is not found.
    char other[SR_ID_TEXT_SIZE];
    t = s_run_to_pending(f, 1, other);
    sr_msg_destroy(&t);
    assert_int_equal(
        sr_client_task_get(f->c, s_str(b, "id"), other, T, &one, &err),
        SR_ENOTFOUND);
    assert_non_null(strstr(err.msg, "not found"));
    sr_value_destroy(&tasks);
}

static void
actions_are_listed_by_execution_task_and_page(void **state)
{
    s_fix_t *f = *state;
    char ex0[SR_ID_TEXT_SIZE], ex1[SR_ID_TEXT_SIZE];
    sr_msg_t *t0 = s_run_to_pending(f, 0, ex0);
    sr_msg_t *t1 = s_run_to_pending(f, 1, ex1);
    sr_value_t *list = NULL, *tasks = NULL;
    sr_error_t err;
    sr_client_action_filter_t by_ex = {.execution_id = ex1};
    assert_int_equal(sr_client_action_list(f->c, &by_ex, T, &list, &err),
                     SR_OK);
    assert_int_equal(sr_value_len(list), 2);
    const sr_value_t *a = sr_value_array_at(list, 0);
    const sr_value_t *b = sr_value_array_at(list, 1);
    assert_string_equal(s_str(a, "name"), "std.echo");
    assert_string_equal(s_str(a, "task_name"), "a");
    assert_string_equal(s_str(a, "state"), "SUCCESS");
    assert_string_equal(sr_value_str(sr_value_map_get(a, "result")), "first");
    assert_string_equal(s_str(b, "name"), "std.async_noop");
    assert_string_equal(s_str(b, "state"), "PENDING");
    assert_string_equal(s_str(b, "execution_id"), ex1);
    sr_id_t want;
    sr_msg_id(t1, SR_F_TASK_action_id, &want);
    char want_text[SR_ID_TEXT_SIZE];
    assert_string_equal(s_str(b, "id"), sr_id_format(&want, want_text));
    // By task: only b's action.
    assert_int_equal(sr_client_task_list(f->c, ex1, T, &tasks, &err), SR_OK);
    sr_client_action_filter_t by_task = {
        .task_id = s_str(sr_value_array_at(tasks, 1), "id")};
    sr_value_t *only = NULL;
    assert_int_equal(sr_client_action_list(f->c, &by_task, T, &only, &err),
                     SR_OK);
    assert_int_equal(sr_value_len(only), 1);
    assert_string_equal(s_str(sr_value_array_at(only, 0), "id"), want_text);
    assert_string_equal(s_str(sr_value_array_at(only, 0), "task_id"),
                        by_task.task_id);
    sr_value_destroy(&only);
    // Everything, from both engines; then pages of one.
    sr_value_t *all = NULL, *page = NULL;
    assert_int_equal(sr_client_action_list(f->c, NULL, T, &all, &err), SR_OK);
    assert_int_equal(sr_value_len(all), 4);
    sr_client_action_filter_t first = {.limit = 1};
    assert_int_equal(sr_client_action_list(f->c, &first, T, &page, &err),
                     SR_OK);
    assert_int_equal(sr_value_len(page), 1);
    assert_string_equal(s_str(sr_value_array_at(page, 0), "id"),
                        s_str(sr_value_array_at(all, 0), "id"));
    sr_value_destroy(&page);
    sr_client_action_filter_t next = {
        .limit = 2, .execution_id = ex1, .after = s_str(a, "id")};
    assert_int_equal(sr_client_action_list(f->c, &next, T, &page, &err), SR_OK);
    assert_int_equal(sr_value_len(page), 1);
    assert_string_equal(s_str(sr_value_array_at(page, 0), "id"), want_text);
    sr_value_destroy(&page);
    sr_value_destroy(&all);
    sr_value_destroy(&tasks);
    sr_value_destroy(&list);
    sr_msg_destroy(&t0);
    sr_msg_destroy(&t1);
}

static void
an_action_is_read_and_completed_by_its_token_on_any_engine(void **state)
{
    s_fix_t *f = *state;
    char ex[SR_ID_TEXT_SIZE];
    sr_msg_t *t = s_run_to_pending(f, 1, ex); // owned by the second engine
    sr_id_t id;
    sr_msg_id(t, SR_F_TASK_action_id, &id);
    char text[SR_ID_TEXT_SIZE];
    sr_id_format(&id, text);
    sr_value_t *one = NULL, *out = sr_value_new_str("late");
    sr_error_t err;
    assert_int_equal(sr_client_action_get(f->c, text, T, &one, &err), SR_OK);
    assert_string_equal(s_str(one, "state"), "PENDING");
    assert_string_equal(s_str(one, "task_name"), "b");
    sr_value_destroy(&one);
    sr_client_completion_t cp = {.token = sr_msg_str(t, SR_F_TASK_token),
                                 .output = out};
    assert_int_equal(sr_client_complete(f->c, &cp, T, NULL, &err), SR_OK);
    assert_int_equal(sr_client_action_get(f->c, text, T, &one, &err), SR_OK);
    assert_string_equal(s_str(one, "state"), "SUCCESS");
    assert_string_equal(sr_value_str(sr_value_map_get(one, "result")), "late");
    assert_non_null(sr_value_map_str(one, "finished_at"));
    sr_value_destroy(&one);
    // The token was single use: every engine says so.
    assert_int_equal(sr_client_complete(f->c, &cp, T, NULL, &err),
                     SR_ENOTFOUND);
    sr_value_t *e = NULL;
    assert_int_equal(sr_client_ex_get(f->c, ex, T, &e, &err), SR_OK);
    assert_string_equal(s_str(e, "state"), "SUCCESS");
    sr_value_destroy(&e);
    sr_value_destroy(&out);
    sr_msg_destroy(&t);
}

static void
unknown_or_malformed_ids_are_refused(void **state)
{
    s_fix_t *f = *state;
    sr_id_t id;
    sr_id_make(1, 0, &id);
    char text[SR_ID_TEXT_SIZE];
    sr_id_format(&id, text);
    sr_value_t *v = NULL;
    sr_error_t err;
    assert_int_equal(sr_client_task_get(f->c, text, NULL, T, &v, &err),
                     SR_ENOTFOUND);
    assert_string_equal(err.where, "field 'task_id'");
    assert_int_equal(sr_client_action_get(f->c, text, T, &v, &err),
                     SR_ENOTFOUND);
    sr_client_action_filter_t by_ex = {.execution_id = text};
    assert_int_equal(sr_client_action_list(f->c, &by_ex, T, &v, &err),
                     SR_ENOTFOUND);
    assert_non_null(strstr(err.msg, "execution"));
    sr_client_action_filter_t by_task = {.task_id = text};
    assert_int_equal(sr_client_action_list(f->c, &by_task, T, &v, &err),
                     SR_ENOTFOUND);
    assert_int_equal(sr_client_action_get(f->c, "nope", T, &v, &err),
                     SR_EINVAL);
    assert_int_equal(sr_client_task_get(f->c, text, "nope", T, &v, &err),
                     SR_EINVAL);
    sr_client_action_filter_t neg = {.limit = -1};
    assert_int_equal(sr_client_action_list(f->c, &neg, T, &v, &err), SR_EINVAL);
    assert_null(v);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            tasks_are_read_by_id_with_or_without_their_execution, s_setup,
            s_teardown),
        cmocka_unit_test_setup_teardown(
            actions_are_listed_by_execution_task_and_page, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(
            an_action_is_read_and_completed_by_its_token_on_any_engine, s_setup,
            s_teardown),
        cmocka_unit_test_setup_teardown(unknown_or_malformed_ids_are_refused,
                                        s_setup, s_teardown),
    };
    zsys_init();
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    zsys_shutdown();
    return rc;
}
