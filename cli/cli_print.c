/* Printing for the cluster commands: tables whose columns fit their
 * widest cell (cut at CLI_CELL_MAX), key/value blocks, UTC times and
 * JSON. Knows no command; commands choose the columns.
 * Thread rule: the main thread.
 */
#include "cli_print.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sr_value_json.h"

const char *
cli_print_time(int64_t ms, char *buf, size_t size)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    if (ms < 0 || !gmtime_r(&secs, &tm)) {
        snprintf(buf, size, "%lld", (long long)ms);
        return buf;
    }
    char day[32];
    strftime(day, sizeof day, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf, size, "%s.%03dZ", day, (int)(ms % 1000));
    return buf;
}

static bool
s_is_time_key(const char *key)
{
    size_t len = key ? strlen(key) : 0;
    return len > 3 && strcmp(key + len - 3, "_ms") == 0;
}

// Copy `s` into buf on one line, cut to fit.
static const char *
s_fit(const char *s, char *buf, size_t size)
{
    size_t len = strlen(s), n = 0;
    for (; n < len && n + 1 < size; n++)
        buf[n] = s[n] == '\n' || s[n] == '\r' || s[n] == '\t' ? ' ' : s[n];
    buf[n] = '\0';
    if (n < len && size > 4)
        memcpy(buf + size - 4, "...", 4);
    return buf;
}

const char *
cli_print_text(const char *key, const sr_value_t *v, char *buf, size_t size)
{
    if (!v || sr_value_is(v, SR_T_NIL))
        return s_fit("-", buf, size);
    if (sr_value_is(v, SR_T_STR))
        return s_fit(sr_value_str(v), buf, size);
    if (sr_value_is(v, SR_T_INT) && s_is_time_key(key)) {
        char t[64];
        return s_fit(cli_print_time(sr_value_int(v), t, sizeof t), buf, size);
    }
    char *json = sr_value_to_json(v, SR_JSON_SPACED);
    s_fit(json ? json : "?", buf, size);
    free(json);
    return buf;
}

// One cell, padded to `width` unless it ends the line.
static void
s_cell(FILE *out, const char *text, size_t width, bool is_last)
{
    if (is_last)
        fprintf(out, "%s\n", text);
    else
        fprintf(out, "%-*s  ", (int)width, text);
}

void
cli_print_table(FILE *out, const cli_col_t *cols, size_t ncols,
                const sr_value_t *items)
{
    size_t width[16] = {0};
    char cell[CLI_CELL_MAX + 1];
    ncols = ncols < 16 ? ncols : 16;
    for (size_t c = 0; c < ncols; c++)
        width[c] = strlen(cols[c].title);
    for (size_t r = 0; r < sr_value_len(items); r++)
        for (size_t c = 0; c < ncols; c++) {
            const sr_value_t *row = sr_value_array_at(items, r);
            size_t w = strlen(cli_print_text(cols[c].key,
                                             sr_value_map_get(row, cols[c].key),
                                             cell, sizeof cell));
            width[c] = w > width[c] ? w : width[c];
        }
    for (size_t c = 0; c < ncols; c++)
        s_cell(out, cols[c].title, width[c], c + 1 == ncols);
    for (size_t r = 0; r < sr_value_len(items); r++)
        for (size_t c = 0; c < ncols; c++) {
            const sr_value_t *row = sr_value_array_at(items, r);
            cli_print_text(cols[c].key, sr_value_map_get(row, cols[c].key),
                           cell, sizeof cell);
            s_cell(out, cell, width[c], c + 1 == ncols);
        }
}

void
cli_print_fields(FILE *out, const sr_value_t *map)
{
    size_t width = 0;
    for (size_t i = 0; i < sr_value_len(map); i++) {
        size_t w = sr_value_len(sr_value_map_key(map, i));
        width = w > width ? w : width;
    }
    char text[1024];
    for (size_t i = 0; i < sr_value_len(map); i++) {
        const char *key = sr_value_str(sr_value_map_key(map, i));
        cli_print_text(key, sr_value_map_val(map, i), text, sizeof text);
        fprintf(out, "%s:%*s %s\n", key, (int)(width - strlen(key)), "", text);
    }
}

void
cli_print_json(FILE *out, const sr_value_t *v, bool is_line)
{
    char *json =
        sr_value_to_json(v, is_line ? SR_JSON_COMPACT : SR_JSON_PRETTY);
    if (json) {
        fprintf(out, "%s\n", json);
        free(json);
    } else {
        fprintf(stderr, "sirocco: out of memory printing JSON\n");
    }
}
