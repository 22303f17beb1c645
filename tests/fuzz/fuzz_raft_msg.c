// Fuzz target: decoding C-Raft messages must never crash or leak; a
// refusal says why; a message that decodes has the memory layout C-Raft
// takes over, encodes again and decodes to the same fields (its two
// encodings are the same bytes), and frees the way C-Raft frees it.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rft_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

// The entries share one batch holding their data; an empty entry has no
// data pointer; no entries, no array.
static void
s_layout_or_abort(const struct raft_message *m)
{
    if (m->type != RAFT_IO_APPEND_ENTRIES)
        return;
    const struct raft_append_entries *ae = &m->append_entries;
    if ((ae->entries == NULL) != (ae->n_entries == 0))
        abort();
    for (unsigned i = 0; i < ae->n_entries; i++) {
        const struct raft_entry *e = &ae->entries[i];
        if (!e->batch || e->batch != ae->entries[0].batch ||
            (e->buf.base == NULL) != (e->buf.len == 0) ||
            (e->buf.base && (uint8_t *)e->buf.base < (uint8_t *)e->batch))
            abort();
    }
}

// Free `m` as C-Raft's recv path does (recv.c, recv_append_entries.c,
// recv_install_snapshot.c).
static void
s_free_as_c_raft(struct raft_message *m)
{
    if (m->type == RAFT_IO_APPEND_ENTRIES && m->append_entries.n_entries) {
        raft_free(m->append_entries.entries[0].batch);
        raft_free(m->append_entries.entries);
    } else if (m->type == RAFT_IO_INSTALL_SNAPSHOT) {
        raft_configuration_close(&m->install_snapshot.conf);
        raft_free(m->install_snapshot.data.base);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct raft_message m, back;
    sr_error_t err = {0};
    sr_err_t rc = rft_msg_decode(data, size, &m, &err);
    if (rc != SR_OK) {
        if ((rc != SR_EPROTO && rc != SR_EVERSION) || err.code != rc ||
            !err.where[0] || !err.msg[0])
            abort();
        return 0;
    }
    s_layout_or_abort(&m);
    char *buf = NULL, *again = NULL;
    size_t len = 0, again_len = 0;
    if (rft_msg_encode(&m, &buf, &len) != SR_OK)
        abort(); // what decodes is valid
    if (rft_msg_decode(buf, len, &back, &err) != SR_OK)
        abort();
    s_layout_or_abort(&back);
    if (rft_msg_encode(&back, &again, &again_len) != SR_OK ||
        again_len != len || memcmp(buf, again, len) != 0)
        abort();
    free(again);
    free(buf);
    rft_msg_release(&back);
    s_free_as_c_raft(&m);
    return 0;
}
