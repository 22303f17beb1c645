// A Raft configuration (struct raft_configuration: the servers of a
// group, each an id, an address and a role) as msgpack, written and read
// through proto's sr_pack / sr_unpack:
//
//   [[id, address, role], ...]
//
// Read input is hostile: ids are non-zero and distinct, addresses are
// strings of 1 to RFT_ADDRESS_MAX bytes without NUL, roles are C-Raft's
// (RAFT_STANDBY, RAFT_VOTER, RAFT_SPARE), at most RFT_CONF_MAX servers.
//
// Thread rule: no state; any thread.
#ifndef RFT_CONF_H
#define RFT_CONF_H

#include <raft.h>

#include "sr_err.h"
#include "sr_pack.h"
#include "sr_unpack.h"

#define RFT_ADDRESS_MAX 255
#define RFT_CONF_MAX    64

sr_err_t rft_conf_pack(sr_pack_t *pk, const struct raft_configuration *c);
// Read one configuration into *c (initialized here; on an error nothing
// is left allocated). SR_EPROTO naming what was wrong, SR_ENOMEM.
sr_err_t rft_conf_unpack(sr_unpack_t *u, struct raft_configuration *c,
                         sr_error_t *err);

#endif
