// The options of sirocco-workerd: one table of keys, each settable in the
// YAML config file (`slots: 8`) and by a flag (`--slots 8`), a flag
// winning over the file. Parsing collects every problem, each naming the
// flag or the FILE:LINE:COL and key, so that a person fixes them all at
// once. The daemon turns the options into a registry configuration and a
// node configuration (wrk_node.h).
//
// Thread rule: one thread (the daemon's main).
#ifndef WRK_OPTS_H
#define WRK_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sr_err.h"
#include "sr_log.h"
#include "wrk_config.h"
#include "wrk_node.h"

typedef enum {
    WRK_OPT_STR,   // text
    WRK_OPT_LIST,  // texts; a flag appends, the file gives a sequence
    WRK_OPT_INT,   // integer within [min, max]
    WRK_OPT_BOOL,  // true / false; the flag takes no argument
    WRK_OPT_LEVEL, // log level: debug, info, warn, error, off
} wrk_opt_type_t;

// One key of the table. Static; never freed.
typedef struct {
    const char *key;  // in the file, e.g. "actions_dir"
    const char *flag; // without "--", e.g. "actions-dir"
    wrk_opt_type_t type;
    int64_t min, max; // WRK_OPT_INT only
    size_t offset;    // of the field in wrk_opts_t
    const char *arg;  // argument name in --help, e.g. "DIR"
    const char *dflt; // the default, for people
    const char *doc;
} wrk_opt_def_t;

typedef struct {
    char **items; // owned, NULL-terminated
    size_t n;
} wrk_opt_list_t;

typedef struct {
    char *config_path; // --config FILE; owned
    bool is_help;      // --help: print usage and exit
    bool is_version;   // --version
    char *name;
    wrk_opt_list_t engines;
    int64_t slots;
    wrk_opt_list_t offer;
    char *target;
    char *actions_dir;
    bool enable_shell;
    int64_t heartbeat_ms, expiry_ms, resend_ms, grace_ms;
    int64_t max_message_bytes;
    int64_t action_timeout_ms, output_limit_bytes, http_limit_bytes;
    int64_t kill_grace_ms;
    char *curve_secret;     // this worker's secret certificate
    char *curve_server_key; // the engines' public certificate
    int64_t log_level;      // an sr_log_level_t
    // bookkeeping
    bool *is_set;          // per key of the table: given by a flag
    wrk_opt_list_t errors; // every problem found, one line each
} wrk_opts_t;

// The table of keys, in --help order.
const wrk_opt_def_t *wrk_opts_defs(size_t *count);

// Parse the command line, then the config file it names (keys given by
// flags are skipped in the file). On SR_OK `out` is complete and checked;
// free it with wrk_opts_fini. On SR_EINVAL every problem is in
// out->errors (err has the first) and `out` must still be finalised;
// SR_ENOMEM otherwise.
sr_err_t wrk_opts_parse(int argc, char **argv, wrk_opts_t *out,
                        sr_error_t *err);

void wrk_opts_fini(wrk_opts_t *self);

// Record one problem (printf-style) in self->errors.
void wrk_opts_error(wrk_opts_t *self, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

// Set the key of `def` from text (a flag's argument or a scalar of the
// file; lists append). `where` prefixes the error ("--slots" or
// "f.yaml:3:8: key 'slots'"). False, with the problem recorded, when the
// text does not fit the key.
bool wrk_opts_set(wrk_opts_t *self, const wrk_opt_def_t *def, const char *text,
                  const char *where);

// Read the YAML file at `path` into `self` (keys given by flags are kept).
// Problems are recorded; false when there were any.
bool wrk_opts_load_file(wrk_opts_t *self, const char *path);

// The configurations the options describe. Strings stay borrowed from
// `self`; node->registry is left NULL for the caller.
void wrk_opts_worker_config(const wrk_opts_t *self, wrk_config_t *out);
void wrk_opts_node_config(const wrk_opts_t *self, wrk_node_config_t *out);

// Print the usage text, from the table.
void wrk_opts_usage(FILE *out, const char *program);

#endif
