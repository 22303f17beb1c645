// A C-Raft message (struct raft_message, all six RPC types) as bytes, for
// the RAFT message engines send each other over their peer links: the
// transport of a partition's Raft group. Encoding (msgpack, through
// proto's sr_pack / sr_unpack; version 1):
//
//   [1, type, fields of the type in a fixed order ...]
//
// where the type is C-Raft's RAFT_IO_* code and the fields are unsigned
// integers, except an AppendEntries' entries ([[term, type, data], ...]),
// an InstallSnapshot's configuration ([[id, address, role], ...]) and its
// data (a binary); the exact layout is in the field tables of rft_msg.c
// and in docs/protocol.md.
//
// Input is hostile: decoding checks every length against the bytes left
// and every count against what the bytes can hold before allocating, so a
// message costs no more memory or time than its size.
//
// Thread rule: no state; any thread.
#ifndef RFT_MSG_H
#define RFT_MSG_H

#include <raft.h>
#include <stddef.h>

#include "sr_err.h"
#include "sr_pack.h"
#include "sr_unpack.h"

// Encode `m` (its server_id and server_address are not encoded: the
// transport knows who sends). Caller owns *buf (free()). SR_ENOMEM;
// SR_EINVAL for a type C-Raft does not have, or for what the decoder
// would refuse: an entry type, role or raft_tribool C-Raft does not have,
// server id 0, a NULL or longer than 255 bytes address, more than 2^20
// entries or 1,024 servers, a NULL buffer of non-zero length.
sr_err_t rft_msg_encode(const struct raft_message *m, char **buf, size_t *len);

// Decode bytes into *m, with memory allocated as C-Raft's recv callback
// takes it over: an AppendEntries' entries array and one batch holding
// all their data (raft_malloc; every entry's `batch` points at it, its
// data on 8 bytes in it, an empty entry's buf.base is NULL; the batch
// exists even when all entries are empty; no entries: entries NULL), an
// InstallSnapshot's configuration (raft_configuration_*) and data
// (raft_malloc; NULL when empty). server_id and server_address are left
// 0 / NULL. SR_EPROTO (malformed: truncated, a wrong type, a count larger
// than the bytes or than the limits above, an unknown message or entry
// type or role, server id 0 or twice, an address twice, too long or with
// a NUL, trailing bytes), SR_EVERSION (another encoding version),
// SR_ENOMEM; err names the field ("raft AppendEntries.entries[3].type")
// and says what was wrong. *m is written only on success; on an error
// nothing is left allocated.
sr_err_t rft_msg_decode(const void *buf, size_t len, struct raft_message *m,
                        sr_error_t *err);

// Free what rft_msg_decode allocated in *m, for a message not handed to
// C-Raft (C-Raft frees the ones it is given); the pointers are reset, so a
// second call frees nothing.
void rft_msg_release(struct raft_message *m);

// A configuration alone, as the messages carry it ([[id, address,
// role], ...]), for other records that keep one (the log's snapshot
// record). Unpack: *c is initialized here; on an error nothing is left
// in it; the cursor moves past it on success only.
sr_err_t rft_msg_conf_pack(sr_pack_t *pk, const struct raft_configuration *c);
sr_err_t rft_msg_conf_unpack(sr_unpack_t *u, struct raft_configuration *c,
                             sr_error_t *err);

#endif
