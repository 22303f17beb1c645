// Logging: one line per event, "TIME LEVEL component: message key=value".
//
// Lines go to stderr (or a file given to sr_log_open). The level and the
// process name are process-wide settings made once at start-up; logging
// itself is thread-safe (one fprintf per line).
#ifndef SR_LOG_H
#define SR_LOG_H

#include <stdbool.h>

typedef enum {
    SR_LOG_DEBUG = 0,
    SR_LOG_INFO,
    SR_LOG_WARN,
    SR_LOG_ERROR,
    SR_LOG_OFF
} sr_log_level_t;

// Set the lowest level written (default INFO, or $SIROCCO_LOG_LEVEL).
void sr_log_set_level(sr_log_level_t level);
sr_log_level_t sr_log_level(void);

// Parse "debug", "info", "warn", "error", "off"; false when unknown.
bool sr_log_parse_level(const char *text, sr_log_level_t *level);

// Name shown on every line (e.g. "engined:node1"). Copied.
void sr_log_set_name(const char *name);

void sr_log(sr_log_level_t level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define sr_debug(...)  sr_log(SR_LOG_DEBUG, __VA_ARGS__)
#define sr_info(...)   sr_log(SR_LOG_INFO, __VA_ARGS__)
#define sr_warn(...)   sr_log(SR_LOG_WARN, __VA_ARGS__)
#define sr_errorf(...) sr_log(SR_LOG_ERROR, __VA_ARGS__)

#endif
