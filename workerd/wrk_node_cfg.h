// A worker node's configuration made safe to keep: checked, every default
// filled in, every string copied. The node's thread and rooms read the
// resolved wrk_node_config_t it holds.
//
// Thread rule: made by the thread that starts the node; read-only after,
// so the node's threads may read it while the node lives.
#ifndef WRK_NODE_CFG_H
#define WRK_NODE_CFG_H

#include "sr_err.h"
#include "wrk_node.h"

typedef struct wrk_node_cfg wrk_node_cfg_t;

// Check `config` and copy it with the defaults filled in. Errors:
// SR_EINVAL with err->where naming the field ("field 'slots'") and the
// message saying what is wrong: no registry; slots over
// WRK_NODE_SLOTS_MAX; no engine, too many, or an empty or overlong
// endpoint; an empty or overlong name, target or action; a negative
// time; an expiry not above the heartbeat. SR_ENOMEM. Caller owns *out.
sr_err_t wrk_node_cfg_new(const wrk_node_config_t *config, wrk_node_cfg_t **out,
                          sr_error_t *err);

// NULL-safe; sets *self_p to NULL.
void wrk_node_cfg_destroy(wrk_node_cfg_t **self_p);

// The complete configuration. Borrowed; valid until destroy.
const wrk_node_config_t *wrk_node_cfg_get(const wrk_node_cfg_t *self);

#endif
