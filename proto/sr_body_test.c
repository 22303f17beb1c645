// Tests of the REPLY body table: every request answered with REPLY
// declares its body, shapes and fields are well formed, the builder puts
// fields by their table names and refuses what the table does not allow,
// and the check finds every way a body can differ from its shape.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "sr_body.h"

// --- the table ------------------------------------------------------------

static void
shapes_and_their_fields_are_well_formed(void **state)
{
    (void)state;
    size_t total = 0;
    assert_true(sr_shape_count() >= 10);
    for (sr_shape_t s = 1; s <= sr_shape_count(); s++) {
        assert_true(sr_shape_is_valid(s));
        assert_true(sr_shape_doc(s)[0] != '\0');
        for (size_t k = 0; k < sr_shape_field_count(s); k++) {
            const sr_bfield_desc_t *fd =
                sr_bfield_desc(sr_shape_field_at(s, k));
            assert_non_null(fd);
            assert_int_equal(fd->shape, s); // fields follow their shape
            assert_int_equal(fd->name_len, strlen(fd->name));
            assert_int_equal(sr_shape_field_find(s, fd->name, fd->name_len),
                             fd->id);
            assert_true(fd->doc[0] != '\0');
            bool nested = fd->type == SR_FT_OBJ || fd->type == SR_FT_OBJS;
            assert_int_equal(nested, sr_shape_is_valid(fd->item));
        }
        total += sr_shape_field_count(s);
    }
    assert_int_equal(total, SR_B_COUNT);
    assert_false(sr_shape_is_valid(SR_SHAPE_NONE));
    assert_string_equal(sr_shape_name(SR_SHAPE_NONE), "NONE");
    assert_string_equal(sr_shape_name(SR_SHAPE_EXECUTION), "EXECUTION");
    assert_int_equal(sr_shape_field_count(SR_SHAPE_EMPTY), 0);
    assert_null(sr_bfield_desc(SR_B_COUNT));
    assert_int_equal(sr_shape_field_find(SR_SHAPE_EXECUTION, "nope", 4),
                     SR_B_COUNT);
}

// Every client request answered with REPLY (it has a req_id) declares its
// body, and only those; every shape is some reply's or nested in one.
static void
every_request_declares_its_reply_body(void **state)
{
    (void)state;
    bool used[SR_SHAPE_END] = {false};
    for (size_t i = 0; i < sr_msg_type_count(); i++) {
        sr_msg_type_t t = sr_msg_type_at(i);
        bool is_request = sr_msg_type_dir(t) == SR_DIR_CLIENT_TO_ENGINE &&
                          sr_msg_field_find(t, "req_id", 6) != SR_F_COUNT;
        sr_shape_t shape = SR_SHAPE_NONE;
        const char *doc = NULL;
        sr_reply_kind_t kind = sr_reply_of(t, &shape, &doc);
        if (is_request != (kind != SR_REPLY_NONE))
            fail_msg("%s: %s", sr_msg_type_name(t),
                     is_request ? "no SR_REPLY" : "an SR_REPLY, no request");
        if (kind == SR_REPLY_NONE)
            continue;
        assert_true(sr_shape_is_valid(shape));
        assert_true(doc && doc[0]);
        used[shape] = true;
    }
    for (sr_shape_t s = 1; s <= sr_shape_count(); s++)
        for (size_t k = 0; k < sr_shape_field_count(s); k++)
            used[sr_bfield_desc(sr_shape_field_at(s, k))->item] = true;
    for (sr_shape_t s = 1; s <= sr_shape_count(); s++)
        if (!used[s])
            fail_msg("shape %s is used by no reply", sr_shape_name(s));
    assert_int_equal(sr_reply_of(SR_MSG_TASK, NULL, NULL), SR_REPLY_NONE);
    assert_int_equal(sr_reply_of(SR_MSG_EX_LIST, NULL, NULL), SR_REPLY_LIST);
}

// --- building and reading -------------------------------------------------

static sr_value_t *
s_deleted(const char *state)
{
    sr_body_t b;
    sr_id_t id;
    sr_id_make(3, 1763900000000, &id);
    sr_body_init(&b, SR_SHAPE_DELETED);
    sr_body_put_id(&b, SR_B_DELETED_id, &id);
    sr_body_put_str(&b, SR_B_DELETED_state, state);
    return sr_body_take(&b);
}

static void
fields_are_put_and_read_by_their_table_names(void **state)
{
    (void)state;
    sr_value_t *d = s_deleted("DELETED");
    assert_non_null(d);
    assert_string_equal(sr_value_map_str(d, "state"), "DELETED");
    assert_string_equal(sr_body_str(d, SR_B_DELETED_state), "DELETED");
    sr_id_t id;
    assert_true(sr_body_id(d, SR_B_DELETED_id, &id));
    assert_int_equal(sr_id_partition(&id), 3);
    assert_int_equal(sr_value_len(sr_body_get(d, SR_B_DELETED_id)), 36);
    assert_null(sr_body_get(d, SR_B_EXECUTION_state_info));
    assert_null(sr_body_str(NULL, SR_B_DELETED_state));
    sr_value_destroy(&d);

    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_EXECUTION);
    assert_int_equal(
        sr_body_put_time(&b, SR_B_EXECUTION_created_at, 1700000000123), SR_OK);
    assert_int_equal(sr_body_put_time(&b, SR_B_EXECUTION_updated_at, 0), SR_OK);
    assert_int_equal(sr_body_put_int(&b, SR_B_EXECUTION_task_count, 4), SR_OK);
    assert_int_equal(sr_body_put_str(&b, SR_B_EXECUTION_state_info, NULL),
                     SR_OK);
    assert_int_equal(sr_body_put_ref(&b, SR_B_EXECUTION_input, NULL), SR_OK);
    sr_value_t *e = sr_body_take(&b);
    assert_string_equal(sr_body_str(e, SR_B_EXECUTION_created_at),
                        "2023-11-14 22:13:20");
    assert_true(
        sr_value_is(sr_body_get(e, SR_B_EXECUTION_updated_at), SR_T_NIL));
    assert_int_equal(sr_body_int(e, SR_B_EXECUTION_task_count, -1), 4);
    assert_int_equal(sr_body_int(e, SR_B_EXECUTION_created_ms, -1), -1);
    assert_true(sr_body_float(e, SR_B_EXECUTION_task_count, 0) == 4.0);
    sr_value_destroy(&e);
}

static void
the_builder_refuses_what_the_table_does_not_allow(void **state)
{
    (void)state;
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_DELETED);
    assert_int_equal(sr_body_put_int(&b, SR_B_DELETED_state, 1), SR_EINVAL);
    // sticky: the next puts do nothing, take gives nothing
    assert_int_equal(sr_body_put_str(&b, SR_B_DELETED_state, "x"), SR_EINVAL);
    assert_null(sr_body_take(&b));
    assert_int_equal(b.rc, SR_EINVAL);

    sr_body_init(&b, SR_SHAPE_DELETED);
    assert_int_equal(sr_body_put_str(&b, SR_B_EXECUTION_state, "x"),
                     SR_EINVAL); // a field of another shape
    sr_body_fini(&b);
    sr_body_init(&b, SR_SHAPE_DELETED);
    assert_int_equal(sr_body_put_str(&b, SR_B_DELETED_id, "not-an-id"),
                     SR_EINVAL);
    sr_body_fini(&b);
    sr_body_init(&b, SR_SHAPE_DELETED);
    assert_int_equal(sr_body_put(&b, SR_B_DELETED_state, NULL), SR_ENOMEM);
    assert_null(sr_body_take(&b));
    sr_body_init(&b, SR_SHAPE_EXECUTION);
    assert_int_equal(sr_body_put_str(&b, SR_B_EXECUTION_created_at, "today"),
                     SR_EINVAL);
    sr_body_fini(&b);
    sr_body_init(&b, SR_SHAPE_WORKFLOW);
    sr_value_t *tags = sr_value_new_array(1);
    sr_value_array_append(tags, sr_value_new_int(1));
    assert_int_equal(sr_body_put(&b, SR_B_WORKFLOW_definition, tags),
                     SR_EINVAL);
    sr_body_fini(&b);
}

// --- the check ------------------------------------------------------------

static void
s_refused(sr_msg_type_t req, const sr_value_t *body, const char *needle)
{
    sr_error_t err;
    sr_error_clear(&err);
    assert_int_equal(sr_reply_check(req, body, &err), SR_EPROTO);
    if (!strstr(err.msg, needle))
        fail_msg("'%s' not in '%s'", needle, err.msg);
}

static sr_value_t *
s_status(void)
{
    sr_body_t b, m, w;
    sr_value_t *parts = sr_value_new_array(1);
    sr_value_array_append(parts, sr_value_new_int(0));
    sr_body_init(&m, SR_SHAPE_MEMBER);
    sr_body_put_str(&m, SR_B_MEMBER_name, "e1");
    sr_body_put_str(&m, SR_B_MEMBER_client, "ipc://c");
    sr_body_put_str(&m, SR_B_MEMBER_worker, "ipc://w");
    sr_body_put_ref(&m, SR_B_MEMBER_partitions, parts);
    sr_value_t *cluster = sr_value_new_array(1);
    sr_value_array_append(cluster, sr_body_take(&m));
    sr_body_init(&w, SR_SHAPE_LATENCY);
    sr_body_put_float(&w, SR_B_LATENCY_p50, 0.5);
    sr_body_put_float(&w, SR_B_LATENCY_p99, 2);
    sr_body_put_int(&w, SR_B_LATENCY_samples, 7);
    sr_body_init(&b, SR_SHAPE_STATUS);
    sr_body_put_str(&b, SR_B_STATUS_node, "e1");
    sr_body_put_str(&b, SR_B_STATUS_client_endpoint, "ipc://c");
    sr_body_put_ref(&b, SR_B_STATUS_partitions, parts);
    sr_body_put(&b, SR_B_STATUS_epochs, sr_value_new_array(0));
    sr_body_put_str(&b, SR_B_STATUS_name, "e1");
    sr_body_put(&b, SR_B_STATUS_cluster, cluster);
    sr_body_put(&b, SR_B_STATUS_workers, sr_value_new_array(0));
    sr_body_put_int(&b, SR_B_STATUS_queued, 0);
    sr_body_put_int(&b, SR_B_STATUS_batches, 1);
    sr_body_put_int(&b, SR_B_STATUS_events, 2);
    sr_body_put_int(&b, SR_B_STATUS_reoffered, 0);
    sr_body_put_int(&b, SR_B_STATUS_expired, 0);
    sr_body_put(&b, SR_B_STATUS_dispatch_ms, sr_body_take(&w));
    sr_value_destroy(&parts);
    sr_value_t *st = sr_body_take(&b);
    assert_non_null(st);
    return st;
}

static void
the_check_finds_every_difference_from_the_shape(void **state)
{
    (void)state;
    sr_error_t err;
    sr_value_t *d = s_deleted("DELETED");
    assert_int_equal(sr_reply_check(SR_MSG_EX_DELETE, d, &err), SR_OK);
    s_refused(SR_MSG_EX_GET, d,
              "EX_GET reply: workflow_name: required, missing");
    sr_value_map_put(d, "extra", sr_value_new_int(1));
    s_refused(SR_MSG_EX_DELETE, d,
              "EX_DELETE reply: extra: not a field of "
              "DELETED");
    sr_value_map_del(d, "extra");
    sr_value_map_put(d, "state", sr_value_new_nil());
    s_refused(SR_MSG_EX_DELETE, d, "state: required, got null");
    sr_value_map_del(d, "state");
    s_refused(SR_MSG_EX_DELETE, d, "state: required, missing");
    sr_value_map_put(d, "state", sr_value_new_int(3));
    s_refused(SR_MSG_EX_DELETE, d, "state: expected string, got int");
    s_refused(SR_MSG_WF_LIST, d, "expected an array of WORKFLOW, got map");
    sr_value_destroy(&d);
    assert_int_equal(sr_reply_check(SR_MSG_TASK, NULL, &err), SR_EINVAL);

    sr_value_t *empty = sr_value_new_map(0);
    assert_int_equal(sr_reply_check(SR_MSG_SUBSCRIBE, empty, &err), SR_OK);
    sr_value_t *list = sr_value_new_array(2);
    assert_int_equal(sr_reply_check(SR_MSG_WF_LIST, list, &err), SR_OK);
    sr_value_array_append(list, sr_value_ref(empty));
    s_refused(SR_MSG_WF_LIST, list, "WF_LIST reply: [0].name: required");
    sr_value_destroy(&list);
    sr_value_destroy(&empty);

    sr_value_t *st = s_status();
    assert_int_equal(sr_reply_check(SR_MSG_STATUS, st, &err), SR_OK);
    sr_value_t *member = sr_value_array_at(sr_value_map_get(st, "cluster"), 0);
    sr_value_map_put(member, "silent_ms", sr_value_new_str("long"));
    s_refused(SR_MSG_STATUS, st, "cluster[0].silent_ms: expected ms");
    sr_value_map_put(member, "silent_ms", sr_value_new_nil()); // optional
    assert_int_equal(sr_reply_check(SR_MSG_STATUS, st, &err), SR_OK);
    sr_value_map_put(sr_value_map_get(st, "dispatch_ms"), "p50",
                     sr_value_new_str("x"));
    s_refused(SR_MSG_STATUS, st, "dispatch_ms.p50: expected float");
    sr_value_destroy(&st);

    // a required VALUE may be null; an optional VALUE too
    sr_body_t b;
    sr_body_init(&b, SR_SHAPE_TASK_EXECUTION);
    sr_body_put_str(&b, SR_B_TASK_EXECUTION_result, NULL);
    sr_value_t *t = sr_body_take(&b);
    s_refused(SR_MSG_TASK_GET, t, "TASK_GET reply: id: required, missing");
    sr_value_destroy(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shapes_and_their_fields_are_well_formed),
        cmocka_unit_test(every_request_declares_its_reply_body),
        cmocka_unit_test(fields_are_put_and_read_by_their_table_names),
        cmocka_unit_test(the_builder_refuses_what_the_table_does_not_allow),
        cmocka_unit_test(the_check_finds_every_difference_from_the_shape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
