// The daemons' settings, read one way: a static table of keys (name, flag,
// type, range, default, doc) drives the YAML config file, the command-line
// flags, --help and the error messages. A daemon declares its table and a
// struct the values go into; the reader fills the struct:
//
//   static const sr_cfg_key_t s_keys[] = {
//       {.name = "slots", .type = SR_CFG_INT, .offset = S_OFF(slots),
//        .min = 1, .max = 1024, .arg = "N", .dflt = "4",
//        .doc = "actions run at once"},
//       ...
//   };
//
// Names: '-' and '_' are the same, in the file and in flags. A key is a
// flag `--NAME` (or `--FLAG` when the table gives one: `--engine` for
// `engines`); the file takes either. A flag wins over the file; for a list
// the flags replace the file's items (or add to them: SR_CFG_ADD), and a
// key that flags give is not read from the file at all.
// Problems are collected, all of them, one line each, naming where:
//
//   FILE:LINE:COL: key 'slots': expected an integer from 1 to 1024, got '0'
//   --slots: expected an integer from 1 to 1024, got '0'
//
// Ownership: the struct owns what the reader stores in it (strings, lists,
// items); free them with sr_cfg_free(). Thread rule: one thread.
#ifndef SR_CFG_H
#define SR_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sr_err.h"

typedef enum {
    SR_CFG_STR,      // text, not empty (char *); min..max: its length
    SR_CFG_INT,      // integer in min..max (int64_t)
    SR_CFG_BOOL,     // true/false, yes/no, on/off, 1/0 (bool); the flag
                     // takes no argument
    SR_CFG_ENUM,     // one of `choices` (int)
    SR_CFG_LIST,     // texts (char **, NULL-terminated, count at
                     // count_offset): the flag repeats, one item each; the
                     // file gives a sequence or one text
    SR_CFG_COMMAS,   // texts as SR_CFG_LIST, given whole: a flag (the last
                     // wins) or a text of the file separated by commas, or
                     // a sequence
    SR_CFG_FILE,     // the text of the file the value names, its trailing
                     // newlines cut (char *); min..max: its length
    SR_CFG_SECTIONS, // maps read with `section` (an array of its items at
                     // offset, count at count_offset); a text gives the
                     // section's `inline_keys` split at ':'
} sr_cfg_type_t;

// Key flags.
enum {
    SR_CFG_REQUIRED = 1 << 0, // must be given (file, flag or section)
    SR_CFG_SECRET = 1 << 1,   // never echoed in messages; wiped when freed
    SR_CFG_ADD = 1 << 2,      // lists: flags add to the file's items
};

// A value of an SR_CFG_ENUM key, matched without case. An alias (another
// name of the value before it) follows that name and is not shown.
typedef struct {
    const char *name;
    int value;
} sr_cfg_choice_t;

// The log levels of sr_log.h (debug, info, warn, error, off; warning as an
// alias), ended by {NULL}: the choices of every daemon's log level.
extern const sr_cfg_choice_t sr_cfg_log_levels[];

// More checks of a text (STR, FILE, an item of a list): false with the
// reason in `why` ("expected ..."), which must not repeat the text.
typedef bool (*sr_cfg_check_fn)(const char *text, char *why, size_t size);
// Checks of a section's item once its keys are read; it may also settle
// values made of several keys (a secret from `secret` or `secret_file`).
typedef bool (*sr_cfg_item_fn)(void *item, char *why, size_t size);

typedef struct sr_cfg_section sr_cfg_section_t;

// One key of a table. Static; never freed.
typedef struct {
    const char *name;    // in the file, and the flag unless `flag` is set
    const char *flag;    // the flag without "--" when it differs, or NULL
    sr_cfg_type_t type;  //
    unsigned flags;      // SR_CFG_REQUIRED | SR_CFG_SECRET | SR_CFG_ADD
    size_t offset;       // of the value in the struct
    size_t count_offset; // LIST, COMMAS, SECTIONS: of the size_t count
    int64_t min, max;    // INT: range; STR, FILE: bytes (max 0: any)
    size_t max_items;    // LIST, COMMAS, SECTIONS: 0 = any
    const sr_cfg_choice_t *choices;  // ENUM, ended by {NULL}
    const sr_cfg_section_t *section; // SECTIONS
    sr_cfg_check_fn check;           // STR, FILE, LIST, COMMAS: or NULL
    const char *arg;   // the flag's argument in --help ("N", "DIR")
    const char *dflt;  // the default, read as a flag's text before anything
                       // else; NULL: none (zero)
    const char *shown; // the default for people when dflt does not say it
                       // ("5 x heartbeat-ms", "HOST:PID"), or NULL
    const char *doc;   // one sentence or two; `backticks` for the docs
} sr_cfg_key_t;

// The keys of each item of an SR_CFG_SECTIONS key.
struct sr_cfg_section {
    const sr_cfg_key_t *keys;
    size_t nkeys;
    size_t item_size;        // bytes of one item
    const char *inline_keys; // "name:workflow:secret": the keys a text
                             // gives, the last one taking the rest
    sr_cfg_item_fn check;    // or NULL
};

typedef struct sr_cfg sr_cfg_t;

// A daemon's settings.
typedef struct {
    const char *program; // "sirocco-workerd"
    const char *about;   // what it does, for --help
    const sr_cfg_key_t *keys;
    size_t nkeys;
    size_t size; // of the struct the values go into
    // After the files and flags, when they had no problem: checks that span
    // keys and values made of several (sr_cfg_problem() reports), or NULL.
    void (*finish)(sr_cfg_t *cfg, void *values);
} sr_cfg_table_t;

// A reader of `table` into `values` (table->size bytes, owned by the
// caller), which it zeroes and gives the defaults. Caller owns *out; free
// with sr_cfg_destroy(). SR_ENOMEM (values then hold nothing to free).
sr_err_t sr_cfg_new(const sr_cfg_table_t *table, void *values, sr_cfg_t **out);
// The reader only: the values keep what was read.
void sr_cfg_destroy(sr_cfg_t **self_p);

// The whole command line (argv[0] is the program): --config FILE (-c; may
// repeat, read in order), --help (-h), --version (-V), then `--FLAG VALUE`
// or `--FLAG=VALUE`; a flag's unique prefix is taken for it. The files are
// read first, leaving out the keys that flags give (save SR_CFG_ADD
// lists); then the flags; then sr_cfg_finish() when there was no problem. With
// --help or --version nothing else is read. SR_OK, or SR_EINVAL with the
// problems recorded (SR_ENOMEM as a problem too).
sr_err_t sr_cfg_args(sr_cfg_t *self, int argc, char **argv);
bool sr_cfg_is_help(const sr_cfg_t *self);
bool sr_cfg_is_version(const sr_cfg_t *self);

// Steps of sr_cfg_args, for tests and programs that read settings
// themselves. Each returns SR_EINVAL when it recorded a problem.
// Read one YAML file (a mapping of keys; empty sets nothing; a null value
// keeps the default).
sr_err_t sr_cfg_load(sr_cfg_t *self, const char *path);
// Set a key as the flag --FLAG TEXT would (TEXT NULL: a BOOL's bare flag).
sr_err_t sr_cfg_set(sr_cfg_t *self, const char *flag, const char *text);
// Required keys, then the table's finish.
sr_err_t sr_cfg_finish(sr_cfg_t *self);

// sr_cfg_new(), sr_cfg_args() and sr_cfg_destroy() in one, for tests and
// tools: `values` are read from the command line (argv[0] the program);
// SR_EINVAL with the first problem in `err` (and how many more). The
// values are the caller's to free in every case.
sr_err_t sr_cfg_read(const sr_cfg_table_t *table, void *values, int argc,
                     char **argv, sr_error_t *err);

// True when the file or a flag gave the key `name` (not its default).
bool sr_cfg_is_given(const sr_cfg_t *self, const char *name);
// Record one problem (printf-style), e.g. from a table's finish.
void sr_cfg_problem(sr_cfg_t *self, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
// The problems recorded, in order; borrowed, valid until the next call.
size_t sr_cfg_nproblems(const sr_cfg_t *self);
const char *sr_cfg_problem_at(const sr_cfg_t *self, size_t i);

// Free what the reader stored in `values` and zero them. NULL-safe.
void sr_cfg_free(const sr_cfg_table_t *table, void *values);

// A daemon's main: read the command line into `values`; --help prints the
// usage on stdout, --version the version; problems go to stderr, each line
// "PROGRAM: PROBLEM". Returns -1 when the daemon is to run, else the exit
// status (0 after --help or --version, 2 after problems). The values are
// the caller's to free in every case.
int sr_cfg_main(const sr_cfg_table_t *table, void *values, int argc,
                char **argv);

// --help: the usage, every key with its flag, doc, file key, range and
// default.
void sr_cfg_usage(const sr_cfg_table_t *table, FILE *out);
// The table of keys as a Markdown table (| key | flag | default | meaning
// |, the range after the doc), for docs/ (tests/cfgdoc checks them).
void sr_cfg_markdown(const sr_cfg_table_t *table, FILE *out);

#endif
