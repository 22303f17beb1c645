// sirocco-engined's settings: its table of keys for the config reader
// (sr_cfg.h), each a key of the YAML file and a flag (the flags win), and
// the finish that reads the cluster file and makes an eng_config_t.
// Strings are owned by the settings; free with eng_settings_fini().
#ifndef ENG_CONFIG_H
#define ENG_CONFIG_H

#include <stdint.h>

#include "eng.h"
#include "eng_cluster.h"
#include "sr_cfg.h"

typedef struct {
    eng_config_t cfg; // made by the finish; its strings point into the
                      // fields below and the cluster
    char *name, *client, *worker, *data, *callback_url, *cluster_path;
    char *curve_secret, *curve_allow;
    char **partitions; // as given: "0-3", "5"
    size_t npartitions;
    int durability; // a store_durability_t
    int64_t max_batch, max_payload, heartbeat_ms, expiry_ms, expire_after_s;
    int64_t election_ms;
    int log_level;         // an sr_log_level_t
    eng_cluster_t cluster; // read by the finish
} eng_settings_t;

// The table of keys, in --help order; values go into an eng_settings_t.
// Its finish reads the cluster file (this engine's entry fills what the
// file and flags left unset; the others become peers) and fills `cfg`.
const sr_cfg_table_t *eng_settings_table(void);

void eng_settings_fini(eng_settings_t *s);

// Partition lists: "0,1,5" and ranges "0-3" (the cluster file's).
sr_err_t eng_parse_partitions(const char *text, eng_config_t *cfg,
                              sr_error_t *err);

#endif
