// Tests of the message table and its codec: every message round trips,
// and every kind of bad input gets its exact code and the field's name.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sr_msg.h"

#define S_STR2(x) #x
#define S_STR(x)  S_STR2(x)
// "MAJOR.MINOR" of this build, as ERROR messages print it.
#define S_NODE_VERSION S_STR(SR_PROTO_MAJOR) "." S_STR(SR_PROTO_MINOR)
#include "sr_msg_codec.h"
#include "sr_test_util.h"
#include "sr_value_msgpack.h"

// --- helpers --------------------------------------------------------------

// A sample value of the field's type that satisfies its limit.
static sr_value_t *
s_sample(const sr_field_desc_t *fd, int salt)
{
    sr_id_t id;
    sr_value_t *v;
    switch (fd->type) {
    case SR_FT_UUID:
        sr_id_make((uint16_t)salt, 1763900000000 + salt, &id);
        return sr_id_to_value(&id);
    case SR_FT_STR:
        return sr_value_new_strf("%s-%d", fd->name, salt);
    case SR_FT_INT:
    case SR_FT_MS:
        return sr_value_new_int(fd->limit + 1000 + salt);
    case SR_FT_BOOL:
        return sr_value_new_bool(salt % 2);
    case SR_FT_FLOAT:
        return sr_value_new_float(0.25 + salt);
    case SR_FT_MAP:
        v = sr_value_new_map(2);
        sr_value_map_put(v, "k", sr_value_new_int(salt));
        sr_value_map_put(v, "s", sr_value_new_str("text"));
        return v;
    case SR_FT_ARRAY:
    case SR_FT_STRS:
        v = sr_value_new_array(2);
        sr_value_array_append(v, sr_value_new_str("std.*"));
        sr_value_array_append(v, sr_value_new_strf("a%d", salt));
        return v;
    case SR_FT_VALUE:
        v = sr_value_new_array(3);
        sr_value_array_append(v, sr_value_new_nil());
        sr_value_array_append(v, sr_value_new_float(2.5));
        sr_value_array_append(v, sr_value_new_str("three"));
        return v;
    case SR_FT_TIME: // body types: no message field has them
    case SR_FT_OBJ:
    case SR_FT_OBJS:
        return NULL;
    }
    return NULL;
}

// A message of `type` with every field (or only the required ones) set.
static sr_msg_t *
s_filled(sr_msg_type_t type, bool all)
{
    sr_msg_t *m = sr_msg_new(type);
    assert_non_null(m);
    for (size_t i = 0; i < sr_msg_field_count(type); i++) {
        const sr_field_desc_t *fd = sr_field_desc(sr_msg_field_at(type, i));
        if (all || fd->is_required)
            assert_int_equal(sr_msg_set(m, fd->id, s_sample(fd, (int)i)),
                             SR_OK);
    }
    return m;
}

// Valid CONFIRM fields, to be spoiled by a test.
static sr_value_t *
s_confirm_fields(void)
{
    sr_id_t id;
    sr_id_make(1, 0, &id);
    sr_value_t *f = sr_value_new_map(3);
    sr_value_map_put(f, "action_id", sr_id_to_value(&id));
    sr_value_map_put(f, "attempt", sr_value_new_int(1));
    sr_value_map_put(f, "epoch", sr_value_new_int(7));
    return f;
}

// Decode bytes that must fail with `code` at `where`; return the message.
static void
s_expect(const char *buf, size_t len, const sr_limits_t *lim, sr_err_t code,
         const char *where, const char *needle)
{
    sr_msg_t *m = NULL;
    sr_error_t err;
    sr_error_clear(&err);
    sr_err_t rc = sr_msg_decode(buf, len, lim, &m, &err);
    if (rc != code)
        fail_msg("expected %s, got %s (%s: %s)", sr_strerror(code),
                 sr_strerror(rc), err.where, err.msg);
    assert_null(m);
    assert_string_equal(err.where, where);
    if (needle && !strstr(err.msg, needle))
        fail_msg("'%s' not in '%s'", needle, err.msg);
}

static void
s_expect_fields(const char *type, sr_value_t *fields, sr_err_t code,
                const char *where, const char *needle)
{
    size_t len;
    char *buf =
        sr_test_wire(SR_PROTO_MAJOR, SR_PROTO_MINOR, type, fields, &len);
    s_expect(buf, len, NULL, code, where, needle);
    free(buf);
}

// --- the table ------------------------------------------------------------

static void
table_fields_follow_their_message_and_ids_are_unique(void **state)
{
    (void)state;
    bool ids[256] = {false};
    size_t total = 0;
    assert_true(sr_msg_type_count() >= 29);
    for (size_t i = 0; i < sr_msg_type_count(); i++) {
        sr_msg_type_t t = sr_msg_type_at(i);
        assert_true(t > 0 && t < 256);
        assert_false(ids[t]);
        ids[t] = true;
        assert_int_equal(sr_msg_type_parse(sr_msg_type_name(t)), t);
        assert_true(sr_msg_type_doc(t)[0] != '\0');
        assert_true(sr_msg_type_dir(t) != 0);
        size_t n = sr_msg_field_count(t);
        assert_true(n >= 1 && n <= 64); // decode keeps a 64-bit "seen" set
        for (size_t k = 0; k < n; k++) {
            const sr_field_desc_t *fd = sr_field_desc(sr_msg_field_at(t, k));
            assert_non_null(fd);
            assert_int_equal(fd->msg, t);
            assert_int_equal(fd->name_len, strlen(fd->name));
            assert_int_equal(sr_msg_field_find(t, fd->name, fd->name_len),
                             fd->id);
            assert_true(fd->doc[0] != '\0');
            assert_true(fd->limit >= 0);
        }
        total += n;
    }
    assert_int_equal(total, SR_F_COUNT);
    assert_int_equal(sr_msg_type_parse("task"), SR_MSG_NONE);
    assert_string_equal(sr_msg_type_name(SR_MSG_NONE), "NONE");
    assert_int_equal(sr_msg_field_count(SR_MSG_NONE), 0);
    assert_null(sr_field_desc(SR_F_COUNT));
}

static void
directions_say_who_sends_what(void **state)
{
    (void)state;
    assert_true(sr_msg_flows(SR_MSG_TASK, SR_DIR_ENGINE_TO_WORKER));
    assert_false(sr_msg_flows(SR_MSG_TASK, SR_DIR_WORKER_TO_ENGINE));
    assert_true(sr_msg_flows(SR_MSG_HEARTBEAT, SR_DIR_WORKER_TO_ENGINE));
    assert_true(sr_msg_flows(SR_MSG_HEARTBEAT, SR_DIR_ENGINE_TO_WORKER));
    assert_true(sr_msg_flows(SR_MSG_HEARTBEAT, SR_DIR_CLIENT_TO_ENGINE));
    assert_false(sr_msg_flows(SR_MSG_GO, SR_DIR_ENGINE_TO_CLIENT));
    assert_true(sr_msg_flows(SR_MSG_ERROR, SR_DIR_CLIENT_TO_ENGINE));
    assert_true(sr_msg_flows(SR_MSG_EX_START, SR_DIR_CLIENT_TO_ENGINE));
    assert_false(sr_msg_flows(SR_MSG_NONE, SR_DIR_ANY));
}

// --- round trips ----------------------------------------------------------

static void
every_message_round_trips_with_all_fields(void **state)
{
    (void)state;
    for (size_t i = 0; i < sr_msg_type_count(); i++) {
        sr_msg_type_t t = sr_msg_type_at(i);
        sr_msg_t *m = s_filled(t, true);
        sr_msg_t *back = sr_test_round_trip(m);
        assert_int_equal(sr_msg_type(back), t);
        for (size_t k = 0; k < sr_msg_field_count(t); k++) {
            sr_field_t f = sr_msg_field_at(t, k);
            assert_non_null(sr_msg_get(back, f));
            if (!sr_value_equal(sr_msg_get(m, f), sr_msg_get(back, f)))
                fail_msg("%s.%s differs", sr_msg_type_name(t),
                         sr_field_desc(f)->name);
        }
        sr_msg_destroy(&m);
        sr_msg_destroy(&back);
        assert_null(back);
    }
}

static void
optional_fields_may_be_absent(void **state)
{
    (void)state;
    for (size_t i = 0; i < sr_msg_type_count(); i++) {
        sr_msg_type_t t = sr_msg_type_at(i);
        sr_msg_t *m = s_filled(t, false);
        sr_msg_t *back = sr_test_round_trip(m);
        for (size_t k = 0; k < sr_msg_field_count(t); k++) {
            const sr_field_desc_t *fd = sr_field_desc(sr_msg_field_at(t, k));
            assert_int_equal(sr_msg_has(back, fd->id), fd->is_required);
        }
        sr_msg_destroy(&m);
        sr_msg_destroy(&back);
    }
}

static void
typed_getters_read_what_setters_wrote(void **state)
{
    (void)state;
    sr_msg_t *m = sr_msg_new(SR_MSG_TASK);
    sr_id_t id, got;
    sr_id_make(42, 0, &id);
    assert_int_equal(sr_msg_set_id(m, SR_F_TASK_action_id, &id), SR_OK);
    assert_int_equal(sr_msg_set_str(m, SR_F_TASK_action, "std.echo"), SR_OK);
    assert_int_equal(sr_msg_set_int(m, SR_F_TASK_attempt, 3), SR_OK);
    assert_int_equal(sr_msg_set_bool(m, SR_F_TASK_safe_rerun, true), SR_OK);
    assert_true(sr_msg_id(m, SR_F_TASK_action_id, &got));
    assert_true(sr_id_equal(&id, &got));
    assert_int_equal(sr_id_partition(&got), 42);
    assert_string_equal(sr_msg_str(m, SR_F_TASK_action), "std.echo");
    assert_int_equal(sr_msg_int(m, SR_F_TASK_attempt, -1), 3);
    assert_int_equal(sr_msg_int(m, SR_F_TASK_epoch, -1), -1);
    assert_true(sr_msg_bool(m, SR_F_TASK_safe_rerun, false));
    assert_null(sr_msg_str(m, SR_F_TASK_token));
    assert_false(sr_msg_id(m, SR_F_TASK_task_id, &got));
    // A UUID field takes the text form and stores binary.
    char text[SR_ID_TEXT_SIZE];
    assert_int_equal(
        sr_msg_set_str(m, SR_F_TASK_task_id, sr_id_format(&id, text)), SR_OK);
    assert_true(sr_value_is(sr_msg_get(m, SR_F_TASK_task_id), SR_T_BIN));
    // take transfers the value out.
    sr_value_t *v = sr_msg_take(m, SR_F_TASK_action);
    assert_string_equal(sr_value_str(v), "std.echo");
    assert_false(sr_msg_has(m, SR_F_TASK_action));
    sr_value_destroy(&v);
    assert_int_equal(sr_msg_req_id(m), -1);
    sr_msg_destroy(&m);

    m = sr_msg_new(SR_MSG_EX_GET);
    sr_msg_set_int(m, SR_F_EX_GET_req_id, 99);
    assert_int_equal(sr_msg_req_id(m), 99);
    sr_msg_destroy(&m);
    sr_msg_destroy(&m); // NULL-safe
}

static void
setters_refuse_foreign_fields_and_wrong_types(void **state)
{
    (void)state;
    sr_msg_t *m = sr_msg_new(SR_MSG_RESULT);
    assert_null(sr_msg_new(SR_MSG_NONE));
    assert_null(sr_msg_new((sr_msg_type_t)0xff));
    // A field of another message, and values of the wrong type.
    assert_int_equal(sr_msg_set_str(m, SR_F_TASK_action, "x"), SR_EINVAL);
    assert_null(sr_msg_get(m, SR_F_TASK_action));
    assert_int_equal(sr_msg_set_int(m, SR_F_RESULT_status, 1), SR_EINVAL);
    assert_int_equal(sr_msg_set_str(m, SR_F_RESULT_attempt, "1"), SR_EINVAL);
    assert_int_equal(sr_msg_set_str(m, SR_F_RESULT_action_id, "nope"),
                     SR_EINVAL);
    assert_int_equal(sr_msg_set(m, SR_F_RESULT_status, NULL), SR_ENOMEM);
    // nil clears a field, except a VALUE field, where nil is a value.
    assert_int_equal(sr_msg_set_str(m, SR_F_RESULT_error, "boom"), SR_OK);
    assert_int_equal(sr_msg_set(m, SR_F_RESULT_error, sr_value_new_nil()),
                     SR_OK);
    assert_false(sr_msg_has(m, SR_F_RESULT_error));
    assert_int_equal(sr_msg_set(m, SR_F_RESULT_output, sr_value_new_nil()),
                     SR_OK);
    assert_true(sr_value_is(sr_msg_get(m, SR_F_RESULT_output), SR_T_NIL));
    // STRS wants strings only; FLOAT takes an int.
    sr_msg_t *r = sr_msg_new(SR_MSG_READY);
    sr_value_t *a = sr_value_new_array(1);
    sr_value_array_append(a, sr_value_new_int(1));
    assert_int_equal(sr_msg_set(r, SR_F_READY_actions, a), SR_EINVAL);
    sr_msg_t *h = sr_msg_new(SR_MSG_HEARTBEAT);
    assert_int_equal(sr_msg_set_int(h, SR_F_HEARTBEAT_load, 2), SR_OK);
    assert_true(sr_value_is(sr_msg_get(h, SR_F_HEARTBEAT_load), SR_T_FLOAT));
    sr_msg_destroy(&h);
    sr_msg_destroy(&r);
    sr_msg_destroy(&m);
}

// --- encode validation ----------------------------------------------------

static void
encode_names_the_missing_or_oversized_field(void **state)
{
    (void)state;
    sr_msg_t *m = s_filled(SR_MSG_TASK, false);
    sr_value_destroy(&(sr_value_t *){sr_msg_take(m, SR_F_TASK_input)});
    char *buf = NULL;
    size_t len = 0;
    sr_error_t err;
    assert_int_equal(sr_msg_encode(m, &buf, &len, &err), SR_EINVAL);
    assert_null(buf);
    assert_string_equal(err.where, "field 'input'");
    assert_string_equal(err.msg, "TASK: required map is missing");
    sr_msg_destroy(&m);

    m = s_filled(SR_MSG_READY, false);
    char big[300];
    memset(big, 'w', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sr_msg_set_str(m, SR_F_READY_worker, big);
    assert_int_equal(sr_msg_encode(m, &buf, &len, &err), SR_ETOOBIG);
    assert_string_equal(err.where, "field 'worker'");
    assert_string_equal(
        err.msg, "READY: string of 299 bytes exceeds the limit of 256 bytes");
    sr_msg_set_str(m, SR_F_READY_worker, "w1");
    sr_msg_set_int(m, SR_F_READY_slots, 0);
    assert_int_equal(sr_msg_validate(m, &err), SR_EINVAL);
    assert_string_equal(err.where, "field 'slots'");
    assert_string_equal(err.msg, "READY: 0 is below the minimum 1");
    sr_msg_destroy(&m);

    m = s_filled(SR_MSG_TASK, false);
    sr_value_t *ctx = sr_value_new_map(1);
    sr_value_map_put(ctx, "blob", sr_value_new_strf("%70000d", 1));
    sr_msg_set(m, SR_F_TASK_context, ctx);
    assert_int_equal(sr_msg_encode(m, &buf, &len, &err), SR_ETOOBIG);
    assert_string_equal(err.where, "field 'context'");
    sr_msg_destroy(&m);
    assert_int_equal(sr_msg_validate(NULL, &err), SR_EINVAL);
}

// --- decode errors --------------------------------------------------------

static void
decode_refuses_missing_and_mistyped_fields(void **state)
{
    (void)state;
    sr_value_t *f = s_confirm_fields();
    sr_value_map_del(f, "epoch");
    s_expect_fields("CONFIRM", f, SR_EPROTO, "field 'epoch'",
                    "CONFIRM: required int is missing");

    f = s_confirm_fields();
    sr_value_map_put(f, "attempt", sr_value_new_str("1"));
    s_expect_fields("CONFIRM", f, SR_EPROTO, "field 'attempt'",
                    "CONFIRM: expected int, got string");

    f = s_confirm_fields();
    sr_value_map_put(f, "action_id", sr_value_new_bin("short", 5));
    s_expect_fields("CONFIRM", f, SR_EPROTO, "field 'action_id'",
                    "expected a 16-byte binary or a 36-character UUID");

    f = s_confirm_fields();
    sr_value_map_put(f, "action_id",
                     sr_value_new_str("zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"));
    s_expect_fields("CONFIRM", f, SR_EPROTO, "field 'action_id'",
                    "malformed UUID");

    f = s_confirm_fields();
    sr_value_map_put(f, "attempt", sr_value_new_int(0));
    s_expect_fields("CONFIRM", f, SR_EPROTO, "field 'attempt'",
                    "CONFIRM: 0 is below the minimum 1");

    f = s_confirm_fields();
    sr_value_map_put(f, "epoch", sr_value_new_int(-5));
    s_expect_fields("CONFIRM", f, SR_EPROTO, "field 'epoch'",
                    "-5 is below the minimum 0");

    f = sr_value_new_map(2);
    sr_value_map_put(f, "worker", sr_value_new_strn("w\0x", 3));
    sr_value_map_put(f, "slots", sr_value_new_int(2));
    s_expect_fields("READY", f, SR_EPROTO, "field 'worker'", "NUL byte");

    f = sr_value_new_map(3);
    sr_value_map_put(f, "worker", sr_value_new_str("w"));
    sr_value_map_put(f, "slots", sr_value_new_int(2));
    sr_value_t *acts = sr_value_new_array(2);
    sr_value_array_append(acts, sr_value_new_str("std.echo"));
    sr_value_array_append(acts, sr_value_new_int(3));
    sr_value_map_put(f, "actions", acts);
    s_expect_fields("READY", f, SR_EPROTO, "field 'actions'",
                    "item 1 is not a string");

    // {"req_id": 1, "body": {1: 2}}: a map key that is not a string.
    static const char body[] = "\x94\x01\x00\xa5REPLY\x82\xa6req_id\x01"
                               "\xa4"
                               "body\x81\x01\x02";
    s_expect(body, sizeof body - 1, NULL, SR_EPROTO, "field 'body'",
             "map key is not a string");
}

static void
decode_refuses_values_over_their_limits(void **state)
{
    (void)state;
    sr_value_t *f = sr_value_new_map(2);
    sr_value_map_put(f, "worker", sr_value_new_strf("%300d", 7));
    sr_value_map_put(f, "slots", sr_value_new_int(2));
    s_expect_fields("READY", f, SR_ETOOBIG, "field 'worker'",
                    "READY: string of 300 bytes exceeds the limit of 256");

    f = sr_value_new_map(3);
    sr_value_map_put(f, "worker", sr_value_new_str("w"));
    sr_value_map_put(f, "slots", sr_value_new_int(2));
    sr_value_t *acts = sr_value_new_array(5000);
    for (int i = 0; i < 5000; i++)
        sr_value_array_append(acts, sr_value_new_str("a"));
    sr_value_map_put(f, "actions", acts);
    s_expect_fields("READY", f, SR_ETOOBIG, "field 'actions'",
                    "5000 items exceed the limit of 4096");

    f = sr_value_new_map(2);
    sr_value_map_put(f, "req_id", sr_value_new_int(1));
    sr_value_map_put(f, "workflow", sr_value_new_str("wf"));
    sr_value_t *params = sr_value_new_map(1);
    sr_value_map_put(params, "p", sr_value_new_strf("%65536d", 1));
    sr_value_map_put(f, "params", params);
    s_expect_fields("EX_START", f, SR_ETOOBIG, "field 'params'",
                    "map of 65544 bytes exceeds the limit of 65536 bytes");

    // The whole payload over the configured limit.
    sr_msg_t *m = s_filled(SR_MSG_TASK, true);
    char *buf;
    size_t len;
    assert_int_equal(sr_msg_encode(m, &buf, &len, NULL), SR_OK);
    sr_limits_t lim = {.max_bytes = len - 1};
    s_expect(buf, len, &lim, SR_ETOOBIG, "", "exceeds the limit");
    lim.max_bytes = len;
    sr_msg_t *back = NULL;
    assert_int_equal(sr_msg_decode(buf, len, &lim, &back, NULL), SR_OK);
    sr_msg_destroy(&back);
    free(buf);
    sr_msg_destroy(&m);
}

static void
deep_values_are_too_big_not_out_of_memory(void **state)
{
    (void)state;
    sr_value_t *deep = sr_value_new_array(1);
    for (int i = 0; i < 40; i++) {
        sr_value_t *outer = sr_value_new_array(1);
        sr_value_array_append(outer, deep);
        deep = outer;
    }
    sr_value_t *f = sr_value_new_map(2);
    sr_value_map_put(f, "req_id", sr_value_new_int(1));
    sr_value_map_put(f, "body", deep);
    s_expect_fields("REPLY", f, SR_ETOOBIG, "", "nesting");
}

static void
decode_refuses_other_major_versions_and_unknown_types(void **state)
{
    (void)state;
    size_t len;
    char *buf = sr_test_wire(2, 0, "CONFIRM", s_confirm_fields(), &len);
    s_expect(buf, len, NULL, SR_EVERSION, "",
             "peer speaks protocol 2.0, this node speaks " S_NODE_VERSION);
    free(buf);
    // A newer minor version decodes, and its new fields are ignored.
    sr_value_t *f = s_confirm_fields();
    sr_value_map_put(f, "priority", sr_value_new_int(9));
    sr_value_map_put(f, "trace", sr_value_new_map(0));
    buf = sr_test_wire(SR_PROTO_MAJOR, SR_PROTO_MINOR + 3, "CONFIRM", f, &len);
    sr_msg_t *m = NULL;
    assert_int_equal(sr_msg_decode(buf, len, NULL, &m, NULL), SR_OK);
    assert_int_equal(sr_msg_type(m), SR_MSG_CONFIRM);
    assert_int_equal(sr_msg_int(m, SR_F_CONFIRM_epoch, 0), 7);
    sr_msg_destroy(&m);
    free(buf);

    s_expect_fields("FROBNICATE", s_confirm_fields(), SR_EPROTO, "",
                    "unknown message type 'FROBNICATE' (peer speaks "
                    "protocol " S_NODE_VERSION
                    ", this node speaks " S_NODE_VERSION ")");
    s_expect_fields("con\x01"
                    "firm",
                    s_confirm_fields(), SR_EPROTO, "", "'con?firm'");
}

static void
decode_refuses_malformed_envelopes(void **state)
{
    (void)state;
    struct {
        const char *bytes;
        size_t len;
        const char *where;
        const char *needle;
    } cases[] = {
        {"", 0, "", "truncated"},
        {"\xc1", 1, "", "unsupported type byte"},
        {"\x80", 1, "", "not a Sirocco message"},
        {"\x92\x01\x00", 3, "", "got an array of 2 items"},
        {"\x92\x01\xa1x", 4, "", "not a Sirocco message"},
        {"\x93\x01\x00\xa2GO", 6, "", "array of 3 items"},
        {"\x94\x01\x00\x05\x80", 5, "", "type must be a string, got int"},
        {"\x94\x01\x00\xa2GO\x90", 7, "",
         "GO: fields must be a map, got array"},
        {"\x94\x01\x00\xa2GO\x81\x01\x02", 9, "",
         "GO: field names must be strings, got int"},
        {"\x94\x01\x00\xa2GO\x80\x00", 8, "", "trailing bytes"},
        {"\x94\x01\x00\xa2GO\x81\xa4"
         "xy",
         10, "", "truncated"},
        {"\x94\x01\x00\xa2GO\xdf\xff\xff\xff\xff", 11, "", "larger than"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        s_expect(cases[i].bytes, cases[i].len, NULL, SR_EPROTO, cases[i].where,
                 cases[i].needle);
}

static void
decode_refuses_repeated_fields_and_reads_nil_as_absent(void **state)
{
    (void)state;
    // {"action_id": .., "attempt": 1, "epoch": 7, "attempt": 2}
    sr_msg_t *m = s_filled(SR_MSG_CONFIRM, true);
    char *buf;
    size_t len;
    assert_int_equal(sr_msg_encode(m, &buf, &len, NULL), SR_OK);
    sr_msg_destroy(&m);
    char *dup = malloc(len + 10);
    memcpy(dup, buf, len);
    size_t map_at = 1 + 1 + 1 + 8; // array hdr, major, minor, "CONFIRM"
    assert_int_equal((uint8_t)dup[map_at], 0x83);
    dup[map_at] = (char)0x84;
    memcpy(dup + len,
           "\xa7"
           "attempt"
           "\x02",
           9);
    s_expect(dup, len + 9, NULL, SR_EPROTO, "field 'attempt'",
             "field given twice");
    free(dup);
    free(buf);

    // nil in an optional field is absent; in a required one it is missing.
    sr_value_t *f = s_confirm_fields();
    sr_value_map_put(f, "epoch", sr_value_new_nil());
    s_expect_fields("CONFIRM", f, SR_EPROTO, "field 'epoch'", "missing");
    f = sr_value_new_map(3);
    sr_value_map_put(f, "req_id", sr_value_new_int(5));
    sr_value_map_put(f, "workflow", sr_value_new_str("wf"));
    sr_value_map_put(f, "version", sr_value_new_nil());
    buf = sr_test_wire(1, 0, "EX_START", f, &len);
    assert_int_equal(sr_msg_decode(buf, len, NULL, &m, NULL), SR_OK);
    assert_false(sr_msg_has(m, SR_F_EX_START_version));
    assert_int_equal(sr_msg_req_id(m), 5);
    sr_msg_destroy(&m);
    free(buf);
}

static void
ex_delete_round_trips_with_and_without_force(void **state)
{
    (void)state;
    sr_id_t id, got;
    sr_id_make(3, 0, &id);
    char text[SR_ID_TEXT_SIZE];
    sr_msg_t *m = sr_msg_new(SR_MSG_EX_DELETE);
    assert_non_null(m);
    assert_int_equal(sr_msg_set_int(m, SR_F_EX_DELETE_req_id, 12), SR_OK);
    assert_int_equal(
        sr_msg_set_str(m, SR_F_EX_DELETE_execution_id, sr_id_format(&id, text)),
        SR_OK);
    assert_int_equal(sr_msg_set_bool(m, SR_F_EX_DELETE_force, true), SR_OK);
    sr_msg_t *back = sr_test_round_trip(m);
    assert_int_equal(sr_msg_type(back), SR_MSG_EX_DELETE);
    assert_string_equal(sr_msg_type_name(SR_MSG_EX_DELETE), "EX_DELETE");
    assert_true(sr_msg_flows(SR_MSG_EX_DELETE, SR_DIR_CLIENT_TO_ENGINE));
    assert_int_equal(sr_msg_req_id(back), 12);
    assert_true(sr_msg_id(back, SR_F_EX_DELETE_execution_id, &got));
    assert_true(sr_id_equal(&id, &got));
    assert_int_equal(sr_id_partition(&got), 3);
    assert_true(sr_msg_bool(back, SR_F_EX_DELETE_force, false));
    sr_msg_destroy(&back);
    // force is optional and reads as false when absent.
    sr_value_destroy(&(sr_value_t *){sr_msg_take(m, SR_F_EX_DELETE_force)});
    back = sr_test_round_trip(m);
    assert_false(sr_msg_has(back, SR_F_EX_DELETE_force));
    assert_false(sr_msg_bool(back, SR_F_EX_DELETE_force, false));
    sr_msg_destroy(&back);
    sr_msg_destroy(&m);
    // The execution id is required.
    sr_value_t *f = sr_value_new_map(2);
    sr_value_map_put(f, "req_id", sr_value_new_int(1));
    sr_value_map_put(f, "force", sr_value_new_bool(true));
    s_expect_fields("EX_DELETE", f, SR_EPROTO, "field 'execution_id'", NULL);
}

static void
uuid_fields_accept_the_text_form(void **state)
{
    (void)state;
    sr_id_t id, got;
    sr_id_make(9, 0, &id);
    char text[SR_ID_TEXT_SIZE];
    sr_value_t *f = s_confirm_fields();
    sr_value_map_put(f, "action_id", sr_value_new_str(sr_id_format(&id, text)));
    size_t len;
    char *buf = sr_test_wire(1, 0, "CONFIRM", f, &len);
    sr_msg_t *m = NULL;
    assert_int_equal(sr_msg_decode(buf, len, NULL, &m, NULL), SR_OK);
    assert_true(sr_msg_id(m, SR_F_CONFIRM_action_id, &got));
    assert_true(sr_id_equal(&id, &got));
    assert_true(sr_value_is(sr_msg_get(m, SR_F_CONFIRM_action_id), SR_T_BIN));
    sr_msg_destroy(&m);
    free(buf);
}

static void
every_truncation_of_a_valid_message_fails_cleanly(void **state)
{
    (void)state;
    sr_msg_t *m = s_filled(SR_MSG_TASK, true);
    char *buf;
    size_t len;
    assert_int_equal(sr_msg_encode(m, &buf, &len, NULL), SR_OK);
    for (size_t n = 0; n < len; n++) {
        sr_msg_t *out = NULL;
        assert_int_not_equal(sr_msg_decode(buf, n, NULL, &out, NULL), SR_OK);
        assert_null(out);
    }
    // Flip each byte: anything may happen but a crash or a leak.
    for (size_t i = 0; i < len; i++) {
        buf[i] = (char)~buf[i];
        sr_msg_t *out = NULL;
        if (sr_msg_decode(buf, len, NULL, &out, NULL) == SR_OK)
            sr_msg_destroy(&out);
        buf[i] = (char)~buf[i];
    }
    free(buf);
    sr_msg_destroy(&m);
}

// --- ERROR messages and salvage ------------------------------------------

static void
error_messages_carry_code_field_and_req_id(void **state)
{
    (void)state;
    sr_error_t err, back;
    sr_error_at(&err, SR_ETOOBIG, "field 'input'", "map too big");
    sr_msg_t *m = sr_msg_error_new(&err, 17);
    assert_string_equal(sr_msg_str(m, SR_F_ERROR_code), "ETOOBIG");
    assert_string_equal(sr_msg_str(m, SR_F_ERROR_field), "input");
    assert_string_equal(sr_msg_str(m, SR_F_ERROR_message), "map too big");
    assert_int_equal(sr_msg_req_id(m), 17);
    sr_msg_t *rt = sr_test_round_trip(m);
    assert_int_equal(sr_msg_to_error(rt, &back), SR_ETOOBIG);
    assert_int_equal(back.code, SR_ETOOBIG);
    assert_string_equal(back.where, "field 'input'");
    assert_string_equal(back.msg, "map too big");
    sr_msg_destroy(&rt);
    sr_msg_destroy(&m);

    // A location that is not a field goes into the text; no req_id.
    sr_error_at(&err, SR_EINVAL, "wf.yaml:3:7", "bad indent");
    m = sr_msg_error_new(&err, -1);
    assert_string_equal(sr_msg_str(m, SR_F_ERROR_message),
                        "wf.yaml:3:7: bad indent");
    assert_false(sr_msg_has(m, SR_F_ERROR_field));
    assert_false(sr_msg_has(m, SR_F_ERROR_req_id));
    sr_msg_destroy(&m);

    // A code this node does not know, and a message that is no ERROR.
    m = sr_msg_new(SR_MSG_ERROR);
    sr_msg_set_str(m, SR_F_ERROR_code, "ENEWTHING");
    sr_msg_set_str(m, SR_F_ERROR_message, "from the future");
    assert_int_equal(sr_msg_to_error(m, &back), SR_EPROTO);
    assert_string_equal(back.msg, "ENEWTHING: from the future");
    assert_string_equal(back.where, "");
    sr_msg_destroy(&m);
    m = sr_msg_new(SR_MSG_ACK);
    assert_int_equal(sr_msg_to_error(m, &back), SR_EINVAL);
    sr_msg_destroy(&m);
    m = sr_msg_error_new(NULL, 3);
    assert_string_equal(sr_msg_str(m, SR_F_ERROR_code), "EINTERNAL");
    sr_msg_destroy(&m);
}

static void
peek_salvages_type_and_req_id_of_a_bad_message(void **state)
{
    (void)state;
    sr_value_t *f = sr_value_new_map(2);
    sr_value_map_put(f, "req_id", sr_value_new_int(41));
    sr_value_map_put(f, "execution_id", sr_value_new_str("not an id"));
    size_t len;
    char *buf = sr_test_wire(1, 0, "EX_GET", f, &len);
    sr_msg_t *m = NULL;
    assert_int_equal(sr_msg_decode(buf, len, NULL, &m, NULL), SR_EPROTO);
    sr_msg_type_t type;
    int64_t req_id;
    sr_msg_peek(buf, len, NULL, &type, &req_id);
    assert_int_equal(type, SR_MSG_EX_GET);
    assert_int_equal(req_id, 41);
    free(buf);
    sr_msg_peek("\x01\x02", 2, NULL, &type, &req_id);
    assert_int_equal(type, SR_MSG_NONE);
    assert_int_equal(req_id, -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_fields_follow_their_message_and_ids_are_unique),
        cmocka_unit_test(directions_say_who_sends_what),
        cmocka_unit_test(every_message_round_trips_with_all_fields),
        cmocka_unit_test(optional_fields_may_be_absent),
        cmocka_unit_test(typed_getters_read_what_setters_wrote),
        cmocka_unit_test(setters_refuse_foreign_fields_and_wrong_types),
        cmocka_unit_test(encode_names_the_missing_or_oversized_field),
        cmocka_unit_test(decode_refuses_missing_and_mistyped_fields),
        cmocka_unit_test(decode_refuses_values_over_their_limits),
        cmocka_unit_test(deep_values_are_too_big_not_out_of_memory),
        cmocka_unit_test(decode_refuses_other_major_versions_and_unknown_types),
        cmocka_unit_test(decode_refuses_malformed_envelopes),
        cmocka_unit_test(
            decode_refuses_repeated_fields_and_reads_nil_as_absent),
        cmocka_unit_test(ex_delete_round_trips_with_and_without_force),
        cmocka_unit_test(uuid_fields_accept_the_text_form),
        cmocka_unit_test(every_truncation_of_a_valid_message_fails_cleanly),
        cmocka_unit_test(error_messages_carry_code_field_and_req_id),
        cmocka_unit_test(peek_salvages_type_and_req_id_of_a_bad_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
