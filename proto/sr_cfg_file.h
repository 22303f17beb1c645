// The YAML config file of a daemon, read into its settings struct by the
// table of keys (sr_cfg.h): a mapping of keys to values, sections as maps,
// lists as sequences. Every problem is reported with FILE:LINE:COL and the
// key (`hooks[1].secret` inside sections); reading goes on to find the
// others. The YAML is read with the YAML reader of proto/yaml/, so values
// are typed as PyYAML's safe_load types them.
//
// Thread rule: one thread (that of the reader).
#ifndef SR_CFG_FILE_H
#define SR_CFG_FILE_H

#include <stddef.h>

#include "sr_cfg.h"

// The most a config file may hold.
#define SR_CFG_FILE_MAX_BYTES ((size_t)1 << 20)

// Marks of a table's keys while files and flags are read.
enum {
    SR_CFG_MARK_GIVEN = 1 << 0,   // a file or a flag gave the key
    SR_CFG_MARK_HELD = 1 << 1,    // flags give it: files leave it out
    SR_CFG_MARK_FLAGGED = 1 << 2, // a flag set it already
};

// Read the file at `path` into `values` by `keys`; marks[i] belongs to
// keys[i] (HELD is read, GIVEN set). Problems go to `cfg`. SR_EINVAL when
// this file had any, else SR_OK.
sr_err_t sr_cfg_file_read(sr_cfg_t *cfg, const sr_cfg_key_t *keys, size_t n,
                          void *values, unsigned char *marks, const char *path);

#endif
