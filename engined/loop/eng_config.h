// sirocco-engined's configuration: a YAML file and command-line flags (the
// flags win), into an eng_config_t. Strings are owned by the holder.
#ifndef ENG_CONFIG_H
#define ENG_CONFIG_H

#include "eng.h"
#include "eng_cluster.h"
#include "sr_log.h"

typedef struct {
    eng_config_t cfg; // its strings point into the fields below
    char *name, *client, *worker, *data, *callback_url, *cluster_path;
    char *curve_secret, *curve_allow;
    sr_log_level_t log_level;
    eng_cluster_t cluster; // read by eng_settings_finish
} eng_settings_t;

void eng_settings_init(eng_settings_t *s);
void eng_settings_fini(eng_settings_t *s);
// Apply one setting by key (a YAML key or a flag without its dashes;
// '-' and '_' are the same). SR_EINVAL names the key and the problem.
sr_err_t eng_settings_set(eng_settings_t *s, const char *key, const char *value,
                          sr_error_t *err);
// Read a YAML mapping of settings; errors read "FILE: key 'k': ...".
sr_err_t eng_settings_load(eng_settings_t *s, const char *path,
                           sr_error_t *err);
// After the file and the flags: read the cluster file (this engine's
// entry fills what the flags left unset; the others become peers), then
// defaults for the rest.
sr_err_t eng_settings_finish(eng_settings_t *s, sr_error_t *err);
// Partition lists: "0,1,5" and ranges "0-3".
sr_err_t eng_parse_partitions(const char *text, eng_config_t *cfg,
                              sr_error_t *err);

#endif
