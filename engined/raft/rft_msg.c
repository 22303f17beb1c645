// The codec of C-Raft messages: one msgpack array per message, written and
// read through proto's sr_pack / sr_unpack, the fields of each type named
// once in a table that both directions walk. Decoding allocates with
// raft_malloc exactly what C-Raft's recv path takes over (see rft_msg.h);
// an AppendEntries is checked whole before anything is allocated. It knows
// nothing of peers, partitions or sockets. C-Raft 0.15's message structs
// carry no version fields; the encoding's own version is its first item.
// No state; any thread.
#include "rft_msg.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "sr_pack.h"
#include "sr_unpack.h"

#define S_VERSION     1          // of the encoding
#define S_HEAD        2          // items before the fields: version, type
#define S_MAX_ENTRIES (1u << 20) // per AppendEntries
// Per configuration: C-Raft checks each server added against all the
// others, so a configuration costs n^2 / 2 comparisons; Raft groups are
// a handful of servers.
#define S_MAX_SERVERS 1024
#define S_MAX_ADDRESS 255 // bytes, without the NUL
// The fewest bytes an entry [term, type, data] and a server [id,
// address, role] take: a fixarray, two fixints and an empty bin8 (2
// bytes) or fixstr (1 byte). A count is checked against them before
// anything is allocated for it.
#define S_ENTRY_MIN  5
#define S_SERVER_MIN 4
// Each entry's data starts on 8 bytes in the batch, as C-Raft's own
// transport and disk loader lay them out.
#define S_ALIGN 8
#define S_NONE  SIZE_MAX // no item index

_Static_assert(sizeof(raft_term) == sizeof(uint64_t) &&
                   sizeof(raft_index) == sizeof(uint64_t) &&
                   sizeof(raft_id) == sizeof(uint64_t),
               "C-Raft's ids, terms and indexes are 64 bits");

// The layout: [S_VERSION, type, the type's fields in the order of its
// table below], each field encoded as its kind says.
typedef enum {
    S_NUM,     // raft_term, raft_index or raft_id: an unsigned integer
    S_FLAG,    // bool: 0 or 1
    S_TRIBOOL, // raft_tribool: 0 unknown, 1 true, 2 false (its values)
    S_ENTRIES, // entries, n_entries: [[term, type, data (binary)], ...]
    S_CONF,    // struct raft_configuration: [[id, address, role], ...]
    S_DATA,    // struct raft_buffer: a binary
} s_kind_t;

typedef struct {
    const char *name;
    s_kind_t kind;
    size_t offset; // in struct raft_message
} s_field_t;

typedef struct {
    const char *name; // C-Raft's name of the RPC
    const s_field_t *fields;
    size_t nfields;
} s_type_t;

#define S_AT(member) offsetof(struct raft_message, member)
#define S_FIELDS(a)  a, sizeof a / sizeof *a

static const s_field_t s_append_entries[] = {
    {"term", S_NUM, S_AT(append_entries.term)},
    {"prev_log_index", S_NUM, S_AT(append_entries.prev_log_index)},
    {"prev_log_term", S_NUM, S_AT(append_entries.prev_log_term)},
    {"leader_commit", S_NUM, S_AT(append_entries.leader_commit)},
    {"entries", S_ENTRIES, S_AT(append_entries)},
};

static const s_field_t s_append_entries_result[] = {
    {"term", S_NUM, S_AT(append_entries_result.term)},
    {"rejected", S_NUM, S_AT(append_entries_result.rejected)},
    {"last_log_index", S_NUM, S_AT(append_entries_result.last_log_index)},
};

static const s_field_t s_request_vote[] = {
    {"term", S_NUM, S_AT(request_vote.term)},
    {"candidate_id", S_NUM, S_AT(request_vote.candidate_id)},
    {"last_log_index", S_NUM, S_AT(request_vote.last_log_index)},
    {"last_log_term", S_NUM, S_AT(request_vote.last_log_term)},
    {"disrupt_leader", S_FLAG, S_AT(request_vote.disrupt_leader)},
    {"pre_vote", S_FLAG, S_AT(request_vote.pre_vote)},
};

static const s_field_t s_request_vote_result[] = {
    {"term", S_NUM, S_AT(request_vote_result.term)},
    {"vote_granted", S_FLAG, S_AT(request_vote_result.vote_granted)},
    {"pre_vote", S_TRIBOOL, S_AT(request_vote_result.pre_vote)},
};

static const s_field_t s_install_snapshot[] = {
    {"term", S_NUM, S_AT(install_snapshot.term)},
    {"last_index", S_NUM, S_AT(install_snapshot.last_index)},
    {"last_term", S_NUM, S_AT(install_snapshot.last_term)},
    {"conf", S_CONF, S_AT(install_snapshot.conf)},
    {"conf_index", S_NUM, S_AT(install_snapshot.conf_index)},
    {"data", S_DATA, S_AT(install_snapshot.data)},
};

static const s_field_t s_timeout_now[] = {
    {"term", S_NUM, S_AT(timeout_now.term)},
    {"last_log_index", S_NUM, S_AT(timeout_now.last_log_index)},
    {"last_log_term", S_NUM, S_AT(timeout_now.last_log_term)},
};

// By C-Raft's type code, which is the one on the wire.
static const s_type_t s_types[] = {
    [RAFT_IO_APPEND_ENTRIES] = {"AppendEntries", S_FIELDS(s_append_entries)},
    [RAFT_IO_APPEND_ENTRIES_RESULT] = {"AppendEntriesResult",
                                       S_FIELDS(s_append_entries_result)},
    [RAFT_IO_REQUEST_VOTE] = {"RequestVote", S_FIELDS(s_request_vote)},
    [RAFT_IO_REQUEST_VOTE_RESULT] = {"RequestVoteResult",
                                     S_FIELDS(s_request_vote_result)},
    [RAFT_IO_INSTALL_SNAPSHOT] = {"InstallSnapshot",
                                  S_FIELDS(s_install_snapshot)},
    [RAFT_IO_TIMEOUT_NOW] = {"TimeoutNow", S_FIELDS(s_timeout_now)},
};

#define S_TYPES_DOC                                                            \
    "1 (AppendEntries), 2 (AppendEntriesResult), 3 (RequestVote), "            \
    "4 (RequestVoteResult), 5 (InstallSnapshot), 6 (TimeoutNow)"
#define S_ENTRY_TYPES_DOC "1 (command), 2 (barrier), 3 (change)"
#define S_ROLES_DOC       "0 (standby), 1 (voter), 2 (spare)"

// The description of a message type; NULL for one C-Raft does not have.
static const s_type_t *
s_type(uint64_t type)
{
    if (type >= sizeof s_types / sizeof *s_types || !s_types[type].name)
        return NULL;
    return &s_types[type];
}

static bool
s_entry_type_ok(uint64_t type)
{
    return type == RAFT_COMMAND || type == RAFT_BARRIER || type == RAFT_CHANGE;
}

static bool
s_role_ok(uint64_t role)
{
    return role == RAFT_STANDBY || role == RAFT_VOTER || role == RAFT_SPARE;
}

static bool
s_flag_ok(uint64_t v)
{
    return v <= 1;
}

static bool
s_tribool_ok(uint64_t v)
{
    return v == raft_tribool_unknown || v == raft_tribool_true ||
           v == raft_tribool_false;
}

static size_t
s_padded(size_t len)
{
    return (len + S_ALIGN - 1) / S_ALIGN * S_ALIGN;
}

// --- encoding -------------------------------------------------------------

// A guess of the encoded size, to reserve once (the writer grows past
// it if need be); nothing is read of counts over the limits.
static size_t
s_size(const struct raft_message *m)
{
    size_t size = 128; // the header and the fixed fields
    const struct raft_append_entries *ae = &m->append_entries;
    if (m->type == RAFT_IO_APPEND_ENTRIES && ae->entries &&
        ae->n_entries <= S_MAX_ENTRIES)
        for (unsigned i = 0; i < ae->n_entries; i++)
            size += ae->entries[i].buf.len + 24;
    if (m->type == RAFT_IO_INSTALL_SNAPSHOT) {
        const struct raft_configuration *c = &m->install_snapshot.conf;
        size += m->install_snapshot.data.len;
        size += (c->n <= S_MAX_SERVERS ? c->n : 0) * 48;
    }
    return size;
}

static sr_err_t
s_write_entries(sr_pack_t *pk, const struct raft_append_entries *ae)
{
    if (ae->n_entries > S_MAX_ENTRIES || (ae->n_entries && !ae->entries))
        return SR_EINVAL;
    sr_err_t rc = sr_pack_array(pk, ae->n_entries);
    for (unsigned i = 0; !rc && i < ae->n_entries; i++) {
        const struct raft_entry *e = &ae->entries[i];
        if (!s_entry_type_ok(e->type) || (e->buf.len && !e->buf.base))
            return SR_EINVAL;
        rc = sr_pack_array(pk, 3);
        if (!rc)
            rc = sr_pack_uint(pk, e->term);
        if (!rc)
            rc = sr_pack_uint(pk, e->type);
        if (!rc)
            rc = sr_pack_bin(pk, e->buf.base, e->buf.len);
    }
    return rc;
}

static sr_err_t
s_write_conf(sr_pack_t *pk, const struct raft_configuration *c)
{
    if (c->n > S_MAX_SERVERS || (c->n && !c->servers))
        return SR_EINVAL;
    sr_err_t rc = sr_pack_array(pk, c->n);
    for (unsigned i = 0; !rc && i < c->n; i++) {
        const struct raft_server *s = &c->servers[i];
        size_t len = s->address ? strnlen(s->address, S_MAX_ADDRESS + 1) : 0;
        if (!s->id || !s->address || len > S_MAX_ADDRESS ||
            !s_role_ok((uint64_t)s->role)) // a negative role too
            return SR_EINVAL;
        rc = sr_pack_array(pk, 3);
        if (!rc)
            rc = sr_pack_uint(pk, s->id);
        if (!rc)
            rc = sr_pack_str(pk, s->address, len);
        if (!rc)
            rc = sr_pack_uint(pk, (uint64_t)s->role);
    }
    return rc;
}

static sr_err_t
s_write_field(sr_pack_t *pk, const s_field_t *f, const struct raft_message *m)
{
    const void *at = (const char *)m + f->offset;
    switch (f->kind) {
    case S_NUM:
        return sr_pack_uint(pk, *(const unsigned long long *)at);
    case S_FLAG:
        return sr_pack_uint(pk, *(const bool *)at ? 1 : 0);
    case S_TRIBOOL: {
        raft_tribool t = *(const raft_tribool *)at;
        return s_tribool_ok((uint64_t)t) ? sr_pack_uint(pk, (uint64_t)t)
                                         : SR_EINVAL;
    }
    case S_ENTRIES:
        return s_write_entries(pk, at);
    case S_CONF:
        return s_write_conf(pk, at);
    case S_DATA: {
        const struct raft_buffer *b = at;
        return b->len && !b->base ? SR_EINVAL
                                  : sr_pack_bin(pk, b->base, b->len);
    }
    }
    return SR_EINVAL;
}

// --- decoding -------------------------------------------------------------

typedef struct {
    sr_unpack_t u;
    sr_error_t *err;
    const char *type;  // the message type's name; NULL until read
    const char *field; // the field being read; NULL for the header
    size_t index;      // the entry or server being read; S_NONE
} s_reader_t;

// Report an error at the place being read, which becomes err->where:
// "raft AppendEntries.entries[3].type"; `item` is NULL for the field (or
// the item) itself.
static sr_err_t s_fail(s_reader_t *r, const char *item, sr_err_t code,
                       const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static sr_err_t
s_fail(s_reader_t *r, const char *item, sr_err_t code, const char *fmt, ...)
{
    char where[sizeof r->err->where], at[32] = "";
    if (r->index != S_NONE)
        snprintf(at, sizeof at, "[%zu]", r->index);
    snprintf(where, sizeof where, "raft %s%s%s%s%s%s",
             r->type ? r->type : "message", r->field ? "." : "",
             r->field ? r->field : "", at, item ? "." : "", item ? item : "");
    va_list ap;
    va_start(ap, fmt);
    sr_error_vset(r->err, code, fmt, ap);
    va_end(ap);
    if (r->err)
        snprintf(r->err->where, sizeof r->err->where, "%s", where);
    return code;
}

// Report the error the cursor has just set, at the place being read.
static sr_err_t
s_passed(s_reader_t *r, const char *item, sr_err_t rc)
{
    char msg[sizeof r->err->msg];
    snprintf(msg, sizeof msg, "%s", r->err ? r->err->msg : "");
    return s_fail(r, item, rc, "%s", msg);
}

static sr_err_t
s_uint(s_reader_t *r, const char *item, uint64_t *v)
{
    sr_err_t rc = sr_unpack_uint(&r->u, v, r->err);
    return rc ? s_passed(r, item, rc) : SR_OK;
}

// An unsigned integer that must be `ok`; `doc` lists the values taken.
static sr_err_t
s_code(s_reader_t *r, const char *item, bool (*ok)(uint64_t), const char *doc,
       uint64_t *v)
{
    sr_err_t rc = s_uint(r, item, v);
    if (!rc && !ok(*v))
        rc = s_fail(r, item, SR_EPROTO, "%llu is not one of %s",
                    (unsigned long long)*v, doc);
    return rc;
}

// The header of an item [a, b, c]: an array of `n` items.
static sr_err_t
s_tuple(s_reader_t *r, size_t n, const char *names)
{
    size_t got = 0;
    sr_err_t rc = sr_unpack_array(&r->u, &got, r->err);
    if (rc)
        return s_passed(r, NULL, rc);
    if (got != n)
        return s_fail(r, NULL, SR_EPROTO, "an array of %zu items, not %zu (%s)",
                      got, n, names);
    return SR_OK;
}

// A container's count: at most `max`, and no more than the bytes left
// hold items of `min_size` bytes.
static sr_err_t
s_count(s_reader_t *r, size_t max, size_t min_size, const char *what, size_t *n)
{
    sr_err_t rc = sr_unpack_array(&r->u, n, r->err);
    if (rc)
        return s_passed(r, NULL, rc);
    size_t left = sr_unpack_left(&r->u);
    if (*n > max)
        return s_fail(r, NULL, SR_EPROTO, "%zu %s; at most %zu are taken", *n,
                      what, max);
    if (*n > left / min_size)
        return s_fail(r, NULL, SR_EPROTO,
                      "%zu %s cannot fit in the %zu bytes after them (%zu "
                      "bytes each at least)",
                      *n, what, left, min_size);
    return SR_OK;
}

// Entry [term, type, data] into `e` (term, type, buf.len) and `data`, a
// view of its bytes.
static sr_err_t
s_read_entry(s_reader_t *r, struct raft_entry *e, const void **data)
{
    uint64_t term = 0, type = 0;
    size_t len = 0;
    sr_err_t rc = s_tuple(r, 3, "term, type, data");
    if (!rc)
        rc = s_uint(r, "term", &term);
    if (!rc)
        rc = s_code(r, "type", s_entry_type_ok, S_ENTRY_TYPES_DOC, &type);
    if (!rc && (rc = sr_unpack_bin(&r->u, data, &len, r->err)))
        rc = s_passed(r, "data", rc);
    if (rc)
        return rc;
    *e = (struct raft_entry){
        .term = term, .type = (unsigned short)type, .buf.len = len};
    return SR_OK;
}

// The entries, read twice: once to check them all and size the batch,
// once to copy their data into it. Nothing is allocated for entries that
// are not all well formed.
static sr_err_t
s_read_entries(s_reader_t *r, struct raft_append_entries *ae)
{
    size_t n = 0, size = 0;
    sr_err_t rc = s_count(r, S_MAX_ENTRIES, S_ENTRY_MIN, "entries", &n);
    const sr_unpack_t first = r->u;
    for (size_t i = 0; !rc && i < n; i++) {
        struct raft_entry e;
        const void *data = NULL;
        r->index = i;
        if (!(rc = s_read_entry(r, &e, &data)))
            size += s_padded(e.buf.len);
    }
    r->index = S_NONE;
    if (rc || !n)
        return rc; // no entries: NULL, as C-Raft wants them
    struct raft_entry *entries = raft_malloc(n * sizeof *entries);
    uint8_t *batch = raft_malloc(size ? size : 1); // never NULL for C-Raft
    if (!entries || !batch)
        rc = s_fail(r, NULL, SR_ENOMEM,
                    "no memory for %zu entries of %zu bytes", n, size);
    r->u = first;
    size_t at = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        struct raft_entry *e = &entries[i];
        const void *data = NULL;
        if ((rc = s_read_entry(r, e, &data))) // read before: cannot fail
            break;
        e->batch = batch;
        e->buf.base = e->buf.len ? batch + at : NULL;
        if (e->buf.len)
            memcpy(e->buf.base, data, e->buf.len);
        at += s_padded(e->buf.len);
    }
    if (rc) {
        raft_free(entries);
        raft_free(batch);
        return rc;
    }
    ae->entries = entries;
    ae->n_entries = (unsigned)n;
    return SR_OK;
}

// C-Raft's refusal of a server as an error.
static sr_err_t
s_refused(s_reader_t *r, int rv, uint64_t id, const char *address)
{
    switch (rv) {
    case RAFT_NOMEM:
        return s_fail(r, NULL, SR_ENOMEM, "no memory for server %llu",
                      (unsigned long long)id);
    case RAFT_DUPLICATEID:
        return s_fail(r, "id", SR_EPROTO, "server id %llu is there twice",
                      (unsigned long long)id);
    case RAFT_DUPLICATEADDRESS:
        return s_fail(r, "address", SR_EPROTO, "address '%s' is there twice",
                      address);
    default:
        return s_fail(r, NULL, SR_EPROTO, "raft_configuration_add: %s",
                      raft_strerror(rv));
    }
}

// Server [id, address, role], added to `c`.
static sr_err_t
s_read_server(s_reader_t *r, struct raft_configuration *c)
{
    uint64_t id = 0, role = 0;
    const char *s = NULL;
    size_t len = 0;
    sr_err_t rc = s_tuple(r, 3, "id, address, role");
    if (!rc)
        rc = s_uint(r, "id", &id);
    if (!rc && !id)
        rc = s_fail(r, "id", SR_EPROTO, "0; server ids start at 1");
    if (!rc && (rc = sr_unpack_str(&r->u, &s, &len, r->err)))
        rc = s_passed(r, "address", rc);
    if (!rc && len > S_MAX_ADDRESS)
        rc = s_fail(r, "address", SR_EPROTO, "%zu bytes; at most %d", len,
                    S_MAX_ADDRESS);
    const char *nul = rc ? NULL : memchr(s, '\0', len);
    if (nul)
        rc = s_fail(r, "address", SR_EPROTO, "a NUL byte at %zu",
                    (size_t)(nul - s));
    if (!rc)
        rc = s_code(r, "role", s_role_ok, S_ROLES_DOC, &role);
    if (rc)
        return rc;
    char address[S_MAX_ADDRESS + 1];
    memcpy(address, s, len);
    address[len] = '\0';
    int rv = raft_configuration_add(c, id, address, (int)role);
    return rv ? s_refused(r, rv, id, address) : SR_OK;
}

static sr_err_t
s_read_conf(s_reader_t *r, struct raft_configuration *c)
{
    size_t n = 0;
    raft_configuration_init(c);
    sr_err_t rc = s_count(r, S_MAX_SERVERS, S_SERVER_MIN, "servers", &n);
    for (size_t i = 0; !rc && i < n; i++) {
        r->index = i;
        rc = s_read_server(r, c);
    }
    r->index = S_NONE;
    return rc; // on an error the caller closes c
}

static sr_err_t
s_read_data(s_reader_t *r, struct raft_buffer *b)
{
    const void *data = NULL;
    size_t len = 0;
    sr_err_t rc = sr_unpack_bin(&r->u, &data, &len, r->err);
    if (rc)
        return s_passed(r, NULL, rc);
    if (!len)
        return SR_OK;
    if (!(b->base = raft_malloc(len)))
        return s_fail(r, NULL, SR_ENOMEM, "no memory for %zu bytes", len);
    memcpy(b->base, data, len);
    b->len = len;
    return SR_OK;
}

static sr_err_t
s_read_field(s_reader_t *r, const s_field_t *f, struct raft_message *m)
{
    void *at = (char *)m + f->offset;
    uint64_t v = 0;
    sr_err_t rc = SR_OK;
    r->field = f->name;
    switch (f->kind) {
    case S_NUM:
        if (!(rc = s_uint(r, NULL, &v)))
            *(unsigned long long *)at = v;
        return rc;
    case S_FLAG:
        if (!(rc = s_code(r, NULL, s_flag_ok, "0 (false), 1 (true)", &v)))
            *(bool *)at = v;
        return rc;
    case S_TRIBOOL:
        rc = s_code(r, NULL, s_tribool_ok, "0 (unknown), 1 (true), 2 (false)",
                    &v);
        if (!rc)
            *(raft_tribool *)at = (raft_tribool)v;
        return rc;
    case S_ENTRIES:
        return s_read_entries(r, at);
    case S_CONF:
        return s_read_conf(r, at);
    case S_DATA:
        return s_read_data(r, at);
    }
    return s_fail(r, NULL, SR_EINTERNAL, "field kind %d", (int)f->kind);
}

// [version, type, ...]: the type, once its field count is checked.
static sr_err_t
s_read_header(s_reader_t *r, const s_type_t **type, unsigned short *code)
{
    size_t n = 0;
    uint64_t version = 0, t = 0;
    sr_err_t rc = sr_unpack_array(&r->u, &n, r->err);
    if (rc)
        return s_passed(r, NULL, rc);
    if (!n)
        return s_fail(r, NULL, SR_EPROTO, "an empty array");
    if ((rc = s_uint(r, "version", &version)))
        return rc;
    if (version != S_VERSION)
        return s_fail(r, "version", SR_EVERSION,
                      "encoding version %llu; this build reads %d",
                      (unsigned long long)version, S_VERSION);
    if (n < S_HEAD)
        return s_fail(r, NULL, SR_EPROTO, "an array of %zu item, no type", n);
    if ((rc = s_uint(r, "type", &t)))
        return rc;
    const s_type_t *st = s_type(t);
    if (!st)
        return s_fail(r, "type", SR_EPROTO, "%llu is not one of " S_TYPES_DOC,
                      (unsigned long long)t);
    r->type = st->name;
    if (n != S_HEAD + st->nfields)
        return s_fail(r, NULL, SR_EPROTO,
                      "an array of %zu items, not %zu (version, type and "
                      "%zu fields)",
                      n, S_HEAD + st->nfields, st->nfields);
    *type = st;
    *code = (unsigned short)t;
    return SR_OK;
}

// --- public ---------------------------------------------------------------

sr_err_t
rft_msg_encode(const struct raft_message *m, char **buf, size_t *len)
{
    const s_type_t *t = s_type(m->type);
    if (!t)
        return SR_EINVAL;
    sr_pack_t *pk = sr_pack_new();
    sr_err_t rc = pk ? sr_pack_reserve(pk, s_size(m)) : SR_ENOMEM;
    if (!rc)
        rc = sr_pack_array(pk, S_HEAD + t->nfields);
    if (!rc)
        rc = sr_pack_uint(pk, S_VERSION);
    if (!rc)
        rc = sr_pack_uint(pk, m->type);
    for (size_t i = 0; !rc && i < t->nfields; i++)
        rc = s_write_field(pk, &t->fields[i], m);
    if (!rc)
        sr_pack_take(pk, buf, len);
    sr_pack_destroy(&pk);
    return rc;
}

sr_err_t
rft_msg_decode(const void *buf, size_t len, struct raft_message *m,
               sr_error_t *err)
{
    s_reader_t r = {.err = err, .index = S_NONE};
    sr_unpack_init(&r.u, buf, len);
    struct raft_message out = {0};
    const s_type_t *t = NULL;
    sr_err_t rc = s_read_header(&r, &t, &out.type);
    for (size_t i = 0; !rc && i < t->nfields; i++)
        rc = s_read_field(&r, &t->fields[i], &out);
    r.field = NULL;
    if (!rc && sr_unpack_left(&r.u))
        rc = s_fail(&r, NULL, SR_EPROTO, "%zu bytes after the message",
                    sr_unpack_left(&r.u));
    if (rc) {
        rft_msg_release(&out);
        return rc;
    }
    *m = out;
    return SR_OK;
}

void
rft_msg_release(struct raft_message *m)
{
    if (m->type == RAFT_IO_APPEND_ENTRIES) {
        struct raft_append_entries *ae = &m->append_entries;
        // Each batch once, as C-Raft's entryBatchesDestroy does: ours
        // have one.
        void *batch = NULL;
        for (unsigned i = 0; ae->entries && i < ae->n_entries; i++)
            if (ae->entries[i].batch != batch)
                raft_free(batch = ae->entries[i].batch);
        raft_free(ae->entries);
        ae->entries = NULL;
        ae->n_entries = 0;
    } else if (m->type == RAFT_IO_INSTALL_SNAPSHOT) {
        raft_configuration_close(&m->install_snapshot.conf);
        raft_configuration_init(&m->install_snapshot.conf);
        raft_free(m->install_snapshot.data.base);
        m->install_snapshot.data = (struct raft_buffer){0};
    }
}

sr_err_t
rft_msg_conf_pack(sr_pack_t *pk, const struct raft_configuration *c)
{
    return s_write_conf(pk, c);
}

sr_err_t
rft_msg_conf_unpack(sr_unpack_t *u, struct raft_configuration *c,
                    sr_error_t *err)
{
    s_reader_t r = {
        .u = *u, .err = err, .type = "configuration", .index = S_NONE};
    sr_err_t rc = s_read_conf(&r, c);
    if (rc) {
        raft_configuration_close(c);
        raft_configuration_init(c);
        return rc;
    }
    *u = r.u;
    return SR_OK;
}
