// A C-Raft message (struct raft_message, all six RPC types) as bytes, for
// the RAFT message engines send each other over their peer links: the
// transport of a partition's Raft group. Encoding (msgpack, through
// proto's sr_pack / sr_unpack; version 1):
//
//   [1, type, fields of the type in a fixed order ...]
//
// where entries, configurations and snapshot data are binaries and
// integers; the exact layout is written beside rft_msg_encode in
// rft_msg.c and in docs/protocol.md.
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

// Encode `m` (its server_id and server_address are not encoded: the
// transport knows who sends). Caller owns *buf (free()). SR_ENOMEM;
// SR_EINVAL for a type C-Raft does not have.
sr_err_t rft_msg_encode(const struct raft_message *m, char **buf, size_t *len);

// Decode bytes into *m, with memory allocated as C-Raft's recv callback
// takes it over: an AppendEntries' entries array and one batch holding
// all their data (raft_malloc, every entry's `batch` pointing at it, or
// NULL entries when there are none), an InstallSnapshot's configuration
// (raft_configuration_*) and data (raft_malloc). server_id and
// server_address are left 0 / NULL. SR_EPROTO (malformed: truncated, a
// wrong type, a count larger than the bytes, an unknown message or entry
// type, trailing bytes), SR_EVERSION (another encoding version), SR_ENOMEM;
// on an error nothing is left allocated.
sr_err_t rft_msg_decode(const void *buf, size_t len, struct raft_message *m,
                        sr_error_t *err);

// Free what rft_msg_decode allocated in *m, for a message not handed to
// C-Raft.
void rft_msg_release(struct raft_message *m);

#endif
