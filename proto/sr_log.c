// Process-wide logger. Owns the level and the name; writes whole lines with
// one fprintf so concurrent threads never interleave within a line.
#include "sr_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static sr_log_level_t s_level = SR_LOG_INFO;
static bool s_level_from_env;
static char s_name[64] = "sirocco";

static const char *const s_level_names[] = {"DEBUG", "INFO", "WARN", "ERROR",
                                            "OFF"};

static void
s_env_level(void)
{
    if (s_level_from_env)
        return;
    s_level_from_env = true;
    const char *env = getenv("SIROCCO_LOG_LEVEL");
    sr_log_level_t level;
    if (env && sr_log_parse_level(env, &level))
        s_level = level;
}

bool
sr_log_parse_level(const char *text, sr_log_level_t *level)
{
    for (int i = SR_LOG_DEBUG; i <= SR_LOG_OFF; i++) {
        if (strcasecmp(text, s_level_names[i]) == 0) {
            *level = (sr_log_level_t)i;
            return true;
        }
    }
    if (strcasecmp(text, "warning") == 0) {
        *level = SR_LOG_WARN;
        return true;
    }
    return false;
}

void
sr_log_set_level(sr_log_level_t level)
{
    s_level_from_env = true;
    s_level = level;
}

sr_log_level_t
sr_log_level(void)
{
    s_env_level();
    return s_level;
}

void
sr_log_set_name(const char *name)
{
    snprintf(s_name, sizeof s_name, "%s", name);
}

void
sr_log(sr_log_level_t level, const char *fmt, ...)
{
    s_env_level();
    if (level < s_level || level >= SR_LOG_OFF)
        return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);

    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s %s: %s\n",
            tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
            tm.tm_sec, ts.tv_nsec / 1000000, s_level_names[level], s_name,
            text);
}
