// How the cluster commands print results: tables of maps, "key: value"
// blocks, times, and JSON for --json. Values are borrowed.
//
// Thread rule: the main thread.
#ifndef CLI_PRINT_H
#define CLI_PRINT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sr_value.h"

#define CLI_CELL_MAX 64 // widest table cell before it is cut with "..."

// A table column: its title and the map key it shows.
typedef struct {
    const char *title;
    const char *key;
} cli_col_t;

// Print `items` (an array of maps) as a table with a header line; a
// missing or null entry shows "-".
void cli_print_table(FILE *out, const cli_col_t *cols, size_t ncols,
                     const sr_value_t *items);

// Print a map as aligned "key: value" lines.
void cli_print_fields(FILE *out, const sr_value_t *map);

// Print `v` as JSON and a newline: indented, or on one line when
// `is_line` (for streams of JSON lines).
void cli_print_json(FILE *out, const sr_value_t *v, bool is_line);

// The text of one value for people: strings as they are, null as "-",
// an integer under a key ending in "_ms" as a UTC time, anything else as
// one line of JSON. Writes at most `size` bytes (cut with "..."); returns
// buf.
const char *cli_print_text(const char *key, const sr_value_t *v, char *buf,
                           size_t size);

// "2023-11-14 22:13:20.123Z" for unix ms.
const char *cli_print_time(int64_t ms, char *buf, size_t size);

#endif
