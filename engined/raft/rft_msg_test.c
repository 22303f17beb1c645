// C-Raft messages as bytes: every type comes back field by field; what
// decoding allocates is freed the way C-Raft's recv path frees it (one
// batch and the entries array; the configuration and the snapshot data),
// with raft_malloc counted through a heap of our own so that nothing is
// left; and hostile bytes (cut short, another version, counts larger
// than the bytes, types, roles and ids C-Raft does not take) are refused
// with a reason, allocate nothing or free what they did, and never make a
// large allocation.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "rft_msg.h"

// --- a counting heap for raft_malloc --------------------------------------

typedef struct {
    size_t live;    // blocks allocated and not freed
    size_t calls;   // allocations asked for
    size_t largest; // bytes of the largest
    size_t fail_at; // the allocation (1-based) that fails; 0: none
} s_heap_t;

static s_heap_t s_h;

// Count an allocation of `size` bytes; false when it is to fail.
static bool
s_allow(size_t size)
{
    s_h.calls++;
    if (size > s_h.largest)
        s_h.largest = size;
    return s_h.calls != s_h.fail_at;
}

static void *
s_malloc(void *data, size_t size)
{
    void *p = s_allow(size) ? malloc(size) : NULL;
    s_h.live += p != NULL;
    return p;
}

static void
s_free(void *data, void *ptr)
{
    s_h.live -= ptr != NULL;
    free(ptr);
}

static void *
s_calloc(void *data, size_t nmemb, size_t size)
{
    void *p = s_allow(nmemb * size) ? calloc(nmemb, size) : NULL;
    s_h.live += p != NULL;
    return p;
}

static void *
s_realloc(void *data, void *ptr, size_t size)
{
    void *p = s_allow(size) ? realloc(ptr, size) : NULL;
    s_h.live += p != NULL && ptr == NULL;
    return p;
}

static void *
s_aligned_alloc(void *data, size_t alignment, size_t size)
{
    void *p = s_allow(size) ? aligned_alloc(alignment, size) : NULL;
    s_h.live += p != NULL;
    return p;
}

static void
s_aligned_free(void *data, size_t alignment, void *ptr)
{
    s_free(data, ptr);
}

static struct raft_heap s_heap = {
    .malloc = s_malloc,
    .free = s_free,
    .calloc = s_calloc,
    .realloc = s_realloc,
    .aligned_alloc = s_aligned_alloc,
    .aligned_free = s_aligned_free,
};

static int
s_setup(void **state)
{
    s_h = (s_heap_t){0};
    raft_heap_set(&s_heap);
    return 0;
}

// Every test leaves no raft_malloc block behind.
static int
s_teardown(void **state)
{
    raft_heap_set_default();
    assert_int_equal(s_h.live, 0);
    return 0;
}

// --- messages -------------------------------------------------------------

#define S_B(lit) lit, sizeof lit - 1

// Bytes of `len` numbered 0, 1, 2, ... from `seed`.
static void
s_fill(void *buf, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        ((uint8_t *)buf)[i] = (uint8_t)(seed + i);
}

static struct raft_configuration
s_conf(void)
{
    struct raft_configuration c;
    raft_configuration_init(&c);
    assert_int_equal(raft_configuration_add(&c, 1, "e1", RAFT_VOTER), 0);
    assert_int_equal(raft_configuration_add(
                         &c, UINT64_MAX, "tcp://10.0.0.2:7100", RAFT_STANDBY),
                     0);
    assert_int_equal(raft_configuration_add(&c, 3, "", RAFT_SPARE), 0);
    return c;
}

// An AppendEntries of five entries: a command, an empty command, a
// barrier, a configuration change (C-Raft's own encoding) and a long
// command. Entry data is raft_malloc'ed, one block each; free with
// s_entries_free.
static struct raft_message
s_append_entries(void)
{
    static const size_t lens[] = {13, 0, 8, 0, 1000};
    static const unsigned short types[] = {
        RAFT_COMMAND, RAFT_COMMAND, RAFT_BARRIER, RAFT_CHANGE, RAFT_COMMAND};
    struct raft_entry *e = raft_malloc(5 * sizeof *e);
    assert_non_null(e);
    for (unsigned i = 0; i < 5; i++) {
        e[i] = (struct raft_entry){.term = 7 + i / 2, .type = types[i]};
        e[i].buf.len = lens[i];
        e[i].buf.base = lens[i] ? raft_malloc(lens[i]) : NULL;
        s_fill(e[i].buf.base, lens[i], i);
    }
    struct raft_configuration c = s_conf();
    assert_int_equal(raft_configuration_encode(&c, &e[3].buf), 0);
    raft_configuration_close(&c);
    return (struct raft_message){
        .type = RAFT_IO_APPEND_ENTRIES,
        .append_entries = {.term = 9,
                           .prev_log_index = (1ULL << 63) + 5,
                           .prev_log_term = 6,
                           .leader_commit = 4,
                           .entries = e,
                           .n_entries = 5}};
}

static void
s_entries_free(struct raft_message *m)
{
    for (unsigned i = 0; i < m->append_entries.n_entries; i++)
        raft_free(m->append_entries.entries[i].buf.base);
    raft_free(m->append_entries.entries);
}

static struct raft_message
s_install_snapshot(size_t data_len)
{
    struct raft_message m = {.type = RAFT_IO_INSTALL_SNAPSHOT,
                             .install_snapshot = {.term = 12,
                                                  .last_index = 4096,
                                                  .last_term = 11,
                                                  .conf = s_conf(),
                                                  .conf_index = 4000,
                                                  .data.len = data_len}};
    m.install_snapshot.data.base = data_len ? raft_malloc(data_len) : NULL;
    s_fill(m.install_snapshot.data.base, data_len, 3);
    return m;
}

static void
s_snapshot_free(struct raft_message *m)
{
    raft_configuration_close(&m->install_snapshot.conf);
    raft_free(m->install_snapshot.data.base);
}

// Encode `in` and decode the bytes into *out. Returns the encoding
// (caller frees it).
static char *
s_round_trip(const struct raft_message *in, struct raft_message *out,
             size_t *len)
{
    char *buf = NULL;
    sr_error_t err = {0};
    assert_int_equal(rft_msg_encode(in, &buf, len), SR_OK);
    if (rft_msg_decode(buf, *len, out, &err) != SR_OK)
        fail_msg("%s: %s", err.where, err.msg);
    assert_int_equal(out->type, in->type);
    assert_int_equal(out->server_id, 0);
    assert_null(out->server_address);
    return buf;
}

static void
s_same_conf(const struct raft_configuration *a,
            const struct raft_configuration *b)
{
    assert_int_equal(a->n, b->n);
    for (unsigned i = 0; i < a->n; i++) {
        assert_true(a->servers[i].id == b->servers[i].id);
        assert_string_equal(a->servers[i].address, b->servers[i].address);
        assert_int_equal(a->servers[i].role, b->servers[i].role);
    }
}

// --- round trips -----------------------------------------------------------

static void
the_small_messages_come_back_field_by_field(void **state)
{
    struct raft_message in[] = {
        {.type = RAFT_IO_REQUEST_VOTE,
         .request_vote = {.term = 3,
                          .candidate_id = UINT64_MAX,
                          .last_log_index = 1ULL << 40,
                          .last_log_term = 2,
                          .disrupt_leader = true,
                          .pre_vote = false}},
        {.type = RAFT_IO_REQUEST_VOTE,
         .request_vote = {.term = 0, .candidate_id = 1, .pre_vote = true}},
        {.type = RAFT_IO_REQUEST_VOTE_RESULT,
         .request_vote_result = {.term = 4,
                                 .vote_granted = true,
                                 .pre_vote = raft_tribool_unknown}},
        {.type = RAFT_IO_REQUEST_VOTE_RESULT,
         .request_vote_result = {.term = 5, .pre_vote = raft_tribool_true}},
        {.type = RAFT_IO_REQUEST_VOTE_RESULT,
         .request_vote_result = {.term = 6, .pre_vote = raft_tribool_false}},
        {.type = RAFT_IO_APPEND_ENTRIES_RESULT,
         .append_entries_result = {.term = 7,
                                   .rejected = 300,
                                   .last_log_index = UINT64_MAX - 1}},
        {.type = RAFT_IO_TIMEOUT_NOW,
         .timeout_now = {.term = 8,
                         .last_log_index = 1ULL << 63,
                         .last_log_term = 7}},
    };
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        struct raft_message out;
        size_t len = 0;
        free(s_round_trip(&in[i], &out, &len));
        switch (in[i].type) {
        case RAFT_IO_REQUEST_VOTE: {
            const struct raft_request_vote *a = &in[i].request_vote,
                                           *b = &out.request_vote;
            assert_true(a->term == b->term);
            assert_true(a->candidate_id == b->candidate_id);
            assert_true(a->last_log_index == b->last_log_index);
            assert_true(a->last_log_term == b->last_log_term);
            assert_int_equal(a->disrupt_leader, b->disrupt_leader);
            assert_int_equal(a->pre_vote, b->pre_vote);
            break;
        }
        case RAFT_IO_REQUEST_VOTE_RESULT: {
            const struct raft_request_vote_result *a =
                                                      &in[i]
                                                           .request_vote_result,
                                                  *b = &out.request_vote_result;
            assert_true(a->term == b->term);
            assert_int_equal(a->vote_granted, b->vote_granted);
            assert_int_equal(a->pre_vote, b->pre_vote);
            break;
        }
        case RAFT_IO_APPEND_ENTRIES_RESULT: {
            const struct raft_append_entries_result
                *a = &in[i].append_entries_result,
                *b = &out.append_entries_result;
            assert_true(a->term == b->term);
            assert_true(a->rejected == b->rejected);
            assert_true(a->last_log_index == b->last_log_index);
            break;
        }
        case RAFT_IO_TIMEOUT_NOW: {
            const struct raft_timeout_now *a = &in[i].timeout_now,
                                          *b = &out.timeout_now;
            assert_true(a->term == b->term);
            assert_true(a->last_log_index == b->last_log_index);
            assert_true(a->last_log_term == b->last_log_term);
            break;
        }
        }
        rft_msg_release(&out); // nothing to free: a no-op
    }
    assert_int_equal(s_h.calls, 0);
}

// The example of docs/protocol.md, byte for byte.
static void
a_timeout_now_is_the_bytes_the_protocol_doc_shows(void **state)
{
    struct raft_message m = {
        .type = RAFT_IO_TIMEOUT_NOW,
        .timeout_now = {.term = 1, .last_log_index = 2, .last_log_term = 3}};
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(rft_msg_encode(&m, &buf, &len), SR_OK);
    assert_int_equal(len, 6);
    assert_memory_equal(buf, "\x95\x01\x06\x01\x02\x03", 6);
    free(buf);
}

static void
entries_come_back_in_one_batch_freed_the_way_c_raft_frees_it(void **state)
{
    struct raft_message in = s_append_entries(), out;
    size_t len = 0;
    free(s_round_trip(&in, &out, &len));
    const struct raft_append_entries *a = &in.append_entries,
                                     *b = &out.append_entries;
    assert_true(a->term == b->term);
    assert_true(a->prev_log_index == b->prev_log_index);
    assert_true(a->prev_log_term == b->prev_log_term);
    assert_true(a->leader_commit == b->leader_commit);
    assert_int_equal(a->n_entries, b->n_entries);
    const uint8_t *batch = b->entries[0].batch;
    assert_non_null(batch);
    for (unsigned i = 0; i < a->n_entries; i++) {
        const struct raft_entry *x = &a->entries[i], *y = &b->entries[i];
        assert_true(x->term == y->term);
        assert_int_equal(x->type, y->type);
        assert_int_equal(x->buf.len, y->buf.len);
        assert_ptr_equal(y->batch, batch);
        if (!y->buf.len) {
            assert_null(y->buf.base); // as C-Raft's own transport gives it
            continue;
        }
        // Inside the batch, on 8 bytes, after the previous entry's data.
        const uint8_t *at = y->buf.base;
        assert_true(at >= batch && (size_t)(at - batch) % 8 == 0);
        assert_memory_equal(x->buf.base, y->buf.base, x->buf.len);
    }
    // recv_append_entries.c, after its reply: the first entry's batch,
    // then the array; nothing else is left (the teardown counts).
    raft_free(b->entries[0].batch);
    raft_free(b->entries);
    s_entries_free(&in);
}

static void
a_snapshot_comes_back_and_is_freed_the_way_c_raft_frees_it(void **state)
{
    struct raft_message in = s_install_snapshot(4096), out;
    size_t len = 0;
    free(s_round_trip(&in, &out, &len));
    const struct raft_install_snapshot *a = &in.install_snapshot,
                                       *b = &out.install_snapshot;
    assert_true(a->term == b->term);
    assert_true(a->last_index == b->last_index);
    assert_true(a->last_term == b->last_term);
    assert_true(a->conf_index == b->conf_index);
    s_same_conf(&a->conf, &b->conf);
    assert_int_equal(a->data.len, b->data.len);
    assert_memory_equal(a->data.base, b->data.base, a->data.len);
    // recv.c and recv_install_snapshot.c: close the configuration, free
    // the data.
    raft_configuration_close(&out.install_snapshot.conf);
    raft_free(out.install_snapshot.data.base);
    s_snapshot_free(&in);
}

static void
no_entries_and_an_empty_snapshot_come_back_empty(void **state)
{
    struct raft_message in = {.type = RAFT_IO_APPEND_ENTRIES,
                              .append_entries.term = 2},
                        out;
    size_t len = 0;
    free(s_round_trip(&in, &out, &len));
    assert_null(out.append_entries.entries);
    assert_int_equal(out.append_entries.n_entries, 0);

    in = (struct raft_message){.type = RAFT_IO_INSTALL_SNAPSHOT};
    raft_configuration_init(&in.install_snapshot.conf);
    free(s_round_trip(&in, &out, &len));
    assert_int_equal(out.install_snapshot.conf.n, 0);
    assert_null(out.install_snapshot.data.base);
    assert_int_equal(out.install_snapshot.data.len, 0);
    assert_int_equal(s_h.calls, 0);

    // Entries that are all empty still have a batch to free.
    struct raft_entry e[2] = {{.term = 1, .type = RAFT_BARRIER},
                              {.term = 1, .type = RAFT_COMMAND}};
    in =
        (struct raft_message){.type = RAFT_IO_APPEND_ENTRIES,
                              .append_entries = {.entries = e, .n_entries = 2}};
    free(s_round_trip(&in, &out, &len));
    assert_non_null(out.append_entries.entries[0].batch);
    assert_ptr_equal(out.append_entries.entries[1].batch,
                     out.append_entries.entries[0].batch);
    rft_msg_release(&out);
    assert_null(out.append_entries.entries);
}

// --- hostile bytes ---------------------------------------------------------

// Decoding `buf` fails with `code`, naming `where` (NULL: any place) and
// saying `says`; *m is untouched and no raft_malloc block is left.
static void
s_refused(const void *buf, size_t len, sr_err_t code, const char *where,
          const char *says)
{
    size_t live = s_h.live;
    struct raft_message m;
    memset(&m, 0xa5, sizeof m);
    sr_error_t err = {0};
    sr_err_t rc = rft_msg_decode(buf, len, &m, &err);
    if (rc != code || (where && strcmp(err.where, where)) ||
        !strstr(err.msg, says))
        fail_msg("%s, '%s: %s' (wanted %s, '%s: %s')", sr_strerror(rc),
                 err.where, err.msg, sr_strerror(code), where ? where : "",
                 says);
    assert_true(err.where[0] && err.msg[0]);
    for (size_t i = 0; i < sizeof m; i++)
        assert_int_equal(((uint8_t *)&m)[i], 0xa5);
    assert_int_equal(s_h.live, live);
}

static void
every_cut_of_a_valid_encoding_is_refused(void **state)
{
    struct raft_message in[] = {
        s_append_entries(),
        s_install_snapshot(100),
        {.type = RAFT_IO_REQUEST_VOTE, .request_vote.term = 1},
        {.type = RAFT_IO_REQUEST_VOTE_RESULT, .request_vote_result.term = 1},
        {.type = RAFT_IO_APPEND_ENTRIES_RESULT,
         .append_entries_result.term = 1},
        {.type = RAFT_IO_TIMEOUT_NOW, .timeout_now.term = 1},
    };
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        char *buf = NULL;
        size_t len = 0;
        assert_int_equal(rft_msg_encode(&in[i], &buf, &len), SR_OK);
        for (size_t cut = 0; cut < len; cut++)
            s_refused(buf, cut, SR_EPROTO, NULL, "");
        // ... and so is one byte more.
        char *longer = malloc(len + 1);
        memcpy(longer, buf, len);
        longer[len] = 0;
        s_refused(longer, len + 1, SR_EPROTO, NULL,
                  "1 bytes after the message");
        free(longer);
        free(buf);
    }
    s_entries_free(&in[0]);
    s_snapshot_free(&in[1]);
}

static void
another_encoding_version_is_refused(void **state)
{
    s_refused(S_B("\x95\x02\x06\x01\x02\x03"), SR_EVERSION,
              "raft message.version", "encoding version 2; this build reads 1");
    s_refused(S_B("\x95\x00\x06\x01\x02\x03"), SR_EVERSION,
              "raft message.version", "encoding version 0");
    // A version 2 may lay out its array otherwise.
    s_refused(S_B("\x91\x02"), SR_EVERSION, "raft message.version",
              "version 2");
}

// The header and fields of an AppendEntries and of an InstallSnapshot,
// before their entries and their configuration.
#define S_AE "\x97\x01\x01\x01\x02\x03\x04"
#define S_IS "\x98\x01\x05\x01\x02\x03"

static const struct {
    const char *bytes;
    size_t len;
    sr_err_t code;
    const char *where;
    const char *says;
} s_bad[] = {
    {S_B("\xc0"), SR_EPROTO, "raft message", "expected an array, found nil"},
    {S_B("\x90"), SR_EPROTO, "raft message", "an empty array"},
    {S_B("\x91\x01"), SR_EPROTO, "raft message", "of 1 item, no type"},
    {S_B("\x92\x01\x00"), SR_EPROTO, "raft message.type",
     "0 is not one of 1 (AppendEntries)"},
    {S_B("\x92\x01\x07"), SR_EPROTO, "raft message.type", "7 is not one of"},
    {S_B("\x92\x01\xff"), SR_EPROTO, "raft message.type",
     "expected an unsigned integer, found -1"},
    {S_B("\x94\x01\x06\x01\x02"), SR_EPROTO, "raft TimeoutNow",
     "an array of 4 items, not 5 (version, type and 3 fields)"},
    {S_B("\x95\x01\x06\xff\x02\x03"), SR_EPROTO, "raft TimeoutNow.term",
     "found -1"},
    {S_B("\x95\x01\x06\x01\xca\x00\x00\x00\x00\x03"), SR_EPROTO,
     "raft TimeoutNow.last_log_index", "found a float"},
    {S_B("\x95\x01\x06\x01\x02\x03\xc0"), SR_EPROTO, "raft TimeoutNow",
     "1 bytes after the message"},
    {S_B("\x98\x01\x03\x01\x02\x03\x04\x02\x00"), SR_EPROTO,
     "raft RequestVote.disrupt_leader", "2 is not one of 0 (false), 1 (true)"},
    {S_B("\x98\x01\x03\x01\x02\x03\x04\x00\xc3"), SR_EPROTO,
     "raft RequestVote.pre_vote", "found a boolean"},
    {S_B("\x95\x01\x04\x01\x01\x03"), SR_EPROTO,
     "raft RequestVoteResult.pre_vote", "3 is not one of 0 (unknown)"},
    {S_B(S_AE "\x91\x93\x01\x04\xc4\x00"), SR_EPROTO,
     "raft AppendEntries.entries[0].type",
     "4 is not one of 1 (command), 2 (barrier), 3 (change)"},
    {S_B(S_AE "\x92\x93\x01\x01\xc4\x00\x93\x01\x00\xc4\x00"), SR_EPROTO,
     "raft AppendEntries.entries[1].type", "0 is not one of"},
    {S_B(S_AE "\x91\x92\x01\x01\x00\x00"), SR_EPROTO,
     "raft AppendEntries.entries[0]",
     "an array of 2 items, not 3 (term, type, data)"},
    {S_B(S_AE "\x91\x93\x01\x01\xa0\x00"), SR_EPROTO,
     "raft AppendEntries.entries[0].data", "expected binary, found a string"},
    {S_B(S_AE "\x91\x93\xff\x01\xc4\x00"), SR_EPROTO,
     "raft AppendEntries.entries[0].term", "found -1"},
    {S_B(S_AE "\xdc\x00\x03\x93\x01\x01\xc4\x00\x00\x00\x00\x00"), SR_EPROTO,
     "raft AppendEntries.entries",
     "3 entries cannot fit in the 9 bytes after them (5 bytes each"},
    {S_B(S_AE "\xdd\xff\xff\xff\xff\x00"), SR_EPROTO,
     "raft AppendEntries.entries", "4294967295 items larger than the 1 bytes"},
    {S_B(S_AE "\xc0"), SR_EPROTO, "raft AppendEntries.entries",
     "expected an array, found nil"},
    {S_B(S_IS "\x91\x93\x00\xa1"
              "a\x01\x04\xc4\x00"),
     SR_EPROTO, "raft InstallSnapshot.conf[0].id", "0; server ids start at 1"},
    {S_B(S_IS "\x91\x93\x01\xa1"
              "a\x03\x04\xc4\x00"),
     SR_EPROTO, "raft InstallSnapshot.conf[0].role",
     "3 is not one of 0 (standby), 1 (voter), 2 (spare)"},
    {S_B(S_IS "\x91\x93\x01\xa3"
              "a\x00"
              "b\x01\x04\xc4\x00"),
     SR_EPROTO, "raft InstallSnapshot.conf[0].address", "a NUL byte at 1"},
    {S_B(S_IS "\x91\x93\x01\xc4\x01"
              "a\x01\x04\xc4\x00"),
     SR_EPROTO, "raft InstallSnapshot.conf[0].address",
     "expected a string, found binary"},
    {S_B(S_IS "\x92\x93\x01\xa1"
              "a\x01\x93\x01\xa1"
              "b\x01\x04\xc4\x00"),
     SR_EPROTO, "raft InstallSnapshot.conf[1].id",
     "server id 1 is there twice"},
    {S_B(S_IS "\x92\x93\x01\xa1"
              "a\x01\x93\x02\xa1"
              "a\x01\x04\xc4\x00"),
     SR_EPROTO, "raft InstallSnapshot.conf[1].address",
     "address 'a' is there twice"},
    {S_B(S_IS "\x92\x93\x01\xa1"
              "a\x01\x93\x02\xa1"
              "b\x01\x04\xc0"),
     SR_EPROTO, "raft InstallSnapshot.data", "expected binary, found nil"},
    {S_B(S_IS "\x91\x93\x01\xa1"
              "a\x01\x04\xc4\x01"
              "x\x00"),
     SR_EPROTO, "raft InstallSnapshot", "1 bytes after the message"},
};

static void
hostile_messages_are_refused_with_a_reason(void **state)
{
    for (size_t i = 0; i < sizeof s_bad / sizeof *s_bad; i++) {
        s_h.calls = 0;
        s_refused(s_bad[i].bytes, s_bad[i].len, s_bad[i].code, s_bad[i].where,
                  s_bad[i].says);
        // Bad entries are found before anything is allocated for them.
        if (strstr(s_bad[i].where, "AppendEntries"))
            assert_int_equal(s_h.calls, 0);
    }
    // An address of 256 bytes.
    char buf[300] = S_IS "\x91\x93\x01\xd9\xff";
    size_t len = sizeof S_IS - 1 + 5;
    memset(buf + len, 'a', 255);
    len += 255;
    memcpy(buf + len, "\x01\x04\xc4\x00", 4);
    struct raft_message m;
    sr_error_t err;
    assert_int_equal(rft_msg_decode(buf, len + 4, &m, &err), SR_OK);
    assert_int_equal(strlen(m.install_snapshot.conf.servers[0].address), 255);
    rft_msg_release(&m);
    len = sizeof S_IS - 1 + 3;
    memcpy(buf + len, "\xda\x01\x00", 3); // str16 of 256 bytes
    memset(buf + len + 3, 'a', 256);
    len += 3 + 256;
    memcpy(buf + len, "\x01\x04\xc4\x00", 4);
    s_refused(buf, len + 4, SR_EPROTO, "raft InstallSnapshot.conf[0].address",
              "256 bytes; at most 255");
}

static void
a_huge_count_in_few_bytes_allocates_nothing(void **state)
{
    // 2^20 + 1 entries, and as many bytes after the count: more entries
    // than a message may carry.
    size_t n = (1u << 20) + 1, head = sizeof S_AE - 1;
    uint8_t *buf = calloc(1, head + 5 + n);
    memcpy(buf, S_AE "\xdd\x00\x10\x00\x01", head + 5);
    s_refused(buf, head + 5 + n, SR_EPROTO, "raft AppendEntries.entries",
              "1048577 entries; at most 1048576 are taken");
    free(buf);
    // 65535 servers in a few bytes.
    s_refused(S_B(S_IS "\xdc\xff\xff\x93\x01\xa0\x01"), SR_EPROTO,
              "raft InstallSnapshot.conf", "65535 items larger than the 4");
    // 2000 servers: more than a configuration may hold.
    buf = calloc(1, 4000);
    memcpy(buf, S_IS "\xdc\x07\xd0", sizeof S_IS + 2);
    s_refused(buf, 4000, SR_EPROTO, "raft InstallSnapshot.conf",
              "2000 servers; at most 1024 are taken");
    free(buf);
    assert_int_equal(s_h.calls, 0);
}

static void
a_decoded_message_costs_memory_in_proportion_to_its_size(void **state)
{
    // 10,000 empty entries: the worst case, an entry struct for every
    // 5 bytes.
    struct raft_entry *e = calloc(10000, sizeof *e);
    for (size_t i = 0; i < 10000; i++)
        e[i] = (struct raft_entry){.term = 1, .type = RAFT_COMMAND};
    struct raft_message in = {.type = RAFT_IO_APPEND_ENTRIES,
                              .append_entries = {.entries = e,
                                                 .n_entries = 10000}},
                        out;
    size_t len = 0;
    free(s_round_trip(&in, &out, &len));
    assert_true(s_h.largest <= len / 5 * sizeof *e);
    assert_int_equal(s_h.calls, 2); // the array and the batch
    rft_msg_release(&out);
    free(e);
}

static void
running_out_of_memory_at_any_allocation_leaks_nothing(void **state)
{
    struct raft_message in[] = {s_append_entries(), s_install_snapshot(64)};
    for (size_t i = 0; i < 2; i++) {
        char *buf = NULL;
        size_t len = 0;
        assert_int_equal(rft_msg_encode(&in[i], &buf, &len), SR_OK);
        size_t live = s_h.live, k = 1;
        for (;; k++) {
            s_h.calls = 0;
            s_h.fail_at = k;
            struct raft_message m;
            sr_error_t err;
            sr_err_t rc = rft_msg_decode(buf, len, &m, &err);
            if (rc == SR_OK) {
                rft_msg_release(&m);
                break;
            }
            assert_int_equal(rc, SR_ENOMEM);
            assert_int_equal(s_h.live, live);
        }
        assert_true(k > 2); // every allocation failed once
        s_h.fail_at = 0;
        free(buf);
    }
    s_entries_free(&in[0]);
    s_snapshot_free(&in[1]);
}

static void
messages_c_raft_does_not_make_are_not_encoded(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    struct raft_message m = {.type = 0};
    assert_int_equal(rft_msg_encode(&m, &buf, &len), SR_EINVAL);
    m.type = RAFT_IO_TIMEOUT_NOW + 1;
    assert_int_equal(rft_msg_encode(&m, &buf, &len), SR_EINVAL);
    m = (struct raft_message){.type = RAFT_IO_REQUEST_VOTE_RESULT,
                              .request_vote_result.pre_vote = 3};
    assert_int_equal(rft_msg_encode(&m, &buf, &len), SR_EINVAL);

    struct raft_entry e = {.term = 1, .type = 4};
    m = (struct raft_message){
        .type = RAFT_IO_APPEND_ENTRIES,
        .append_entries = {.entries = &e, .n_entries = 1}};
    assert_int_equal(rft_msg_encode(&m, &buf, &len), SR_EINVAL);
    e = (struct raft_entry){.type = RAFT_COMMAND, .buf.len = 1};
    assert_int_equal(rft_msg_encode(&m, &buf, &len), SR_EINVAL);
    m.append_entries.entries = NULL;
    assert_int_equal(rft_msg_encode(&m, &buf, &len), SR_EINVAL);
    e.buf.len = 0;
    m.append_entries = (struct raft_append_entries){
        .entries = &e, .n_entries = (1u << 20) + 1}; // not read
    assert_int_equal(rft_msg_encode(&m, &buf, &len), SR_EINVAL);
    m = (struct raft_message){
        .type = RAFT_IO_INSTALL_SNAPSHOT,
        .install_snapshot.data = {.base = NULL, .len = 1}};
    assert_int_equal(rft_msg_encode(&m, &buf, &len), SR_EINVAL);

    struct raft_server *many = calloc(1025, sizeof *many);
    for (size_t i = 0; i < 1025; i++)
        many[i] = (struct raft_server){
            .id = i + 1, .address = "", .role = RAFT_SPARE};
    m = (struct raft_message){
        .type = RAFT_IO_INSTALL_SNAPSHOT,
        .install_snapshot.conf = {.servers = many, .n = 1025}};
    assert_int_equal(rft_msg_encode(&m, &buf, &len), SR_EINVAL);
    free(many);

    char address[300];
    memset(address, 'a', sizeof address - 1);
    address[sizeof address - 1] = '\0';
    struct raft_server bad[] = {
        {.id = 0, .address = "e1", .role = RAFT_VOTER},
        {.id = 1, .address = NULL, .role = RAFT_VOTER},
        {.id = 1, .address = address, .role = RAFT_VOTER},
        {.id = 1, .address = "e1", .role = 3},
        {.id = 1, .address = "e1", .role = -1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        m = (struct raft_message){
            .type = RAFT_IO_INSTALL_SNAPSHOT,
            .install_snapshot.conf = {.servers = &bad[i], .n = 1}};
        assert_int_equal(rft_msg_encode(&m, &buf, &len), SR_EINVAL);
    }
    assert_null(buf);
}

#define S_TEST(f) cmocka_unit_test_setup_teardown(f, s_setup, s_teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        S_TEST(the_small_messages_come_back_field_by_field),
        S_TEST(a_timeout_now_is_the_bytes_the_protocol_doc_shows),
        S_TEST(entries_come_back_in_one_batch_freed_the_way_c_raft_frees_it),
        S_TEST(a_snapshot_comes_back_and_is_freed_the_way_c_raft_frees_it),
        S_TEST(no_entries_and_an_empty_snapshot_come_back_empty),
        S_TEST(every_cut_of_a_valid_encoding_is_refused),
        S_TEST(another_encoding_version_is_refused),
        S_TEST(hostile_messages_are_refused_with_a_reason),
        S_TEST(a_huge_count_in_few_bytes_allocates_nothing),
        S_TEST(a_decoded_message_costs_memory_in_proportion_to_its_size),
        S_TEST(running_out_of_memory_at_any_allocation_leaks_nothing),
        S_TEST(messages_c_raft_does_not_make_are_not_encoded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
