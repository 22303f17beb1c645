// The config reader: the command line (the specials --config, --help and
// --version, then flags found by name or unique prefix), files read
// through sr_cfg_file.c leaving out what flags give, the keys' marks
// (given, held by a flag), required keys, the table's finish, and the
// problems, collected in order. A daemon's main calls sr_cfg_main(). Owns
// its marks and problems; the values belong to the caller. One thread.
#include "sr_cfg.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sirocco/version.h"
#include "sr_cfg_file.h"
#include "sr_cfg_value.h"
#include "sr_log.h"

struct sr_cfg {
    const sr_cfg_table_t *table;
    void *values;         // the caller's
    unsigned char *marks; // per key of the table: SR_CFG_MARK_*
    char **problems;      // owned, one line each
    size_t nproblems;
    bool is_nomem; // a problem could not be recorded
    bool is_help, is_version;
};

const sr_cfg_choice_t sr_cfg_log_levels[] = {
    {"debug", SR_LOG_DEBUG},
    {"info", SR_LOG_INFO},
    {"warn", SR_LOG_WARN},
    {"warning", SR_LOG_WARN},
    {"error", SR_LOG_ERROR},
    {"off", SR_LOG_OFF},
    {NULL, 0},
};

// What a command-line word names.
typedef enum {
    S_UNKNOWN,
    S_AMBIGUOUS,
    S_KEY,
    S_CONFIG,
    S_HELP,
    S_VERSION
} s_word_t;

// One flag of the command line, applied after the files.
typedef struct {
    const sr_cfg_key_t *key;
    const char *text; // NULL: a bare boolean flag
} s_flag_t;

sr_err_t
sr_cfg_new(const sr_cfg_table_t *table, void *values, sr_cfg_t **out)
{
    sr_cfg_t *self = calloc(1, sizeof *self);
    if (self)
        self->marks = calloc(table->nkeys ? table->nkeys : 1, 1);
    if (!self || !self->marks) {
        free(self);
        memset(values, 0, table->size);
        return SR_ENOMEM;
    }
    self->table = table;
    self->values = values;
    char why[300];
    if (!sr_cfg_value_defaults(table->keys, table->nkeys, values, table->size,
                               why, sizeof why))
        sr_cfg_problem(self, "%s", why);
    *out = self;
    return SR_OK;
}

void
sr_cfg_destroy(sr_cfg_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sr_cfg_t *self = *self_p;
    for (size_t i = 0; i < self->nproblems; i++)
        free(self->problems[i]);
    free(self->problems);
    free(self->marks);
    free(self);
    *self_p = NULL;
}

void
sr_cfg_problem(sr_cfg_t *self, const char *fmt, ...)
{
    char *line = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&line, fmt, ap);
    va_end(ap);
    char **grown =
        n >= 0 ? realloc(self->problems, (self->nproblems + 1) * sizeof *grown)
               : NULL;
    if (!grown) {
        free(n >= 0 ? line : NULL);
        self->is_nomem = true;
        return;
    }
    grown[self->nproblems++] = line;
    self->problems = grown;
}

size_t
sr_cfg_nproblems(const sr_cfg_t *self)
{
    return self->nproblems + self->is_nomem;
}

const char *
sr_cfg_problem_at(const sr_cfg_t *self, size_t i)
{
    return i < self->nproblems ? self->problems[i] : "out of memory";
}

static sr_err_t
s_status(const sr_cfg_t *self)
{
    return sr_cfg_nproblems(self) ? SR_EINVAL : SR_OK;
}

bool
sr_cfg_is_help(const sr_cfg_t *self)
{
    return self->is_help;
}

bool
sr_cfg_is_version(const sr_cfg_t *self)
{
    return self->is_version;
}

bool
sr_cfg_is_given(const sr_cfg_t *self, const char *name)
{
    const sr_cfg_key_t *key =
        sr_cfg_value_find(self->table->keys, self->table->nkeys, name);
    return key && (self->marks[key - self->table->keys] & SR_CFG_MARK_GIVEN);
}

// True when `word` (len bytes) begins `name`, '-' and '_' alike.
static bool
s_is_prefix(const char *word, size_t len, const char *name)
{
    if (strlen(name) < len)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((word[i] == '_' ? '-' : word[i]) !=
            (name[i] == '_' ? '-' : name[i]))
            return false;
    return true;
}

// What `word` (len bytes, without the dashes) names: a key's flag or a
// special, exactly, else as the prefix of only one.
static s_word_t
s_find_word(const sr_cfg_t *self, const char *word, size_t len,
            const sr_cfg_key_t **key)
{
    static const struct {
        const char *name;
        s_word_t what;
    } specials[] = {
        {"config", S_CONFIG}, {"help", S_HELP}, {"version", S_VERSION}};
    const sr_cfg_table_t *t = self->table;
    size_t n = t->nkeys + sizeof specials / sizeof *specials;
    for (int is_prefix = 0; is_prefix < 2; is_prefix++) {
        size_t matches = 0;
        s_word_t found = S_UNKNOWN;
        for (size_t i = 0; i < n; i++) {
            const char *name = i < t->nkeys ? sr_cfg_value_flag(&t->keys[i])
                                            : specials[i - t->nkeys].name;
            if (is_prefix ? !s_is_prefix(word, len, name)
                          : !sr_cfg_value_same(word, len, name))
                continue;
            matches++;
            found = i < t->nkeys ? S_KEY : specials[i - t->nkeys].what;
            if (i < t->nkeys)
                *key = &t->keys[i];
        }
        if (matches)
            return matches > 1 ? S_AMBIGUOUS : found;
    }
    return S_UNKNOWN;
}

// Apply one flag; `where` is "--FLAG".
static void
s_set_key(sr_cfg_t *self, const sr_cfg_key_t *key, const char *text)
{
    char where[80], why[300];
    sr_cfg_value_dashed(key, where, sizeof where);
    unsigned char *mark = &self->marks[key - self->table->keys];
    if (!text && key->type != SR_CFG_BOOL) {
        sr_cfg_problem(self, "%s: needs an argument", where);
        return;
    }
    // The first flag of a list replaces what a file gave, unless it adds.
    if (sr_cfg_value_is_list(key) && !(*mark & SR_CFG_MARK_FLAGGED) &&
        !(key->flags & SR_CFG_ADD))
        sr_cfg_value_clear(key, self->values);
    *mark |= SR_CFG_MARK_FLAGGED | SR_CFG_MARK_GIVEN;
    if (!sr_cfg_value_set(key, self->values, text ? text : "true", why,
                          sizeof why))
        sr_cfg_problem(self, "%s: %s", where, why);
}

sr_err_t
sr_cfg_set(sr_cfg_t *self, const char *flag, const char *text)
{
    const sr_cfg_key_t *key = NULL;
    if (s_find_word(self, flag, strlen(flag), &key) != S_KEY)
        sr_cfg_problem(self, "--%s: unknown flag (see --help)", flag);
    else
        s_set_key(self, key, text);
    return s_status(self);
}

sr_err_t
sr_cfg_load(sr_cfg_t *self, const char *path)
{
    sr_cfg_file_read(self, self->table->keys, self->table->nkeys, self->values,
                     self->marks, path);
    return s_status(self);
}

sr_err_t
sr_cfg_finish(sr_cfg_t *self)
{
    const sr_cfg_table_t *t = self->table;
    for (size_t i = 0; i < t->nkeys; i++) {
        const sr_cfg_key_t *key = &t->keys[i];
        if ((key->flags & SR_CFG_REQUIRED) &&
            sr_cfg_value_is_empty(key, self->values))
            sr_cfg_problem(self,
                           "no %s: give --%s %s, or '%s' in the config "
                           "file",
                           key->name, sr_cfg_value_flag(key),
                           key->arg ? key->arg : "VALUE", key->name);
    }
    if (!sr_cfg_nproblems(self) && t->finish)
        t->finish(self, self->values);
    return s_status(self);
}

// One word that starts with a single dash: -h, -V, -c FILE, -cFILE.
static int
s_short(sr_cfg_t *self, int argc, char **argv, int i, const char **config)
{
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0)
        self->is_help = true;
    else if (strcmp(a, "-V") == 0)
        self->is_version = true;
    else if (strncmp(a, "-c", 2) == 0 && (a[2] || i + 1 < argc))
        *config = a[2] ? a + 2 : argv[++i];
    else if (strcmp(a, "-c") == 0)
        sr_cfg_problem(self, "-c: needs an argument");
    else
        sr_cfg_problem(self, "%s: unknown flag (see --help)", a);
    return i;
}

// Sort the command line into files and flags; returns the number of flags.
static size_t
s_scan(sr_cfg_t *self, int argc, char **argv, const char **configs,
       size_t *nconfigs, s_flag_t *flags)
{
    size_t nflags = 0;
    bool is_rest = false; // after "--"
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *config = NULL;
        if (is_rest || a[0] != '-' || !a[1]) {
            sr_cfg_problem(self, "'%s': unexpected argument (see --help)", a);
            continue;
        }
        if (strcmp(a, "--") == 0) {
            is_rest = true;
            continue;
        }
        if (a[1] != '-') {
            i = s_short(self, argc, argv, i, &config);
            if (config)
                configs[(*nconfigs)++] = config;
            continue;
        }
        const char *eq = strchr(a + 2, '=');
        size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        const sr_cfg_key_t *key = NULL;
        s_word_t what = s_find_word(self, a + 2, len, &key);
        const char *text = eq ? eq + 1 : NULL;
        bool is_bare = what == S_HELP || what == S_VERSION ||
                       (what == S_KEY && key->type == SR_CFG_BOOL);
        if ((what == S_KEY || what == S_CONFIG) && !text && i + 1 < argc)
            text = is_bare ? NULL : argv[++i];
        if (what == S_UNKNOWN || what == S_AMBIGUOUS)
            sr_cfg_problem(self, "--%.*s: %s flag (see --help)", (int)len,
                           a + 2, what == S_UNKNOWN ? "unknown" : "ambiguous");
        else if (what == S_HELP || what == S_VERSION)
            *(what == S_HELP ? &self->is_help : &self->is_version) = true;
        else if (what == S_CONFIG && !text)
            sr_cfg_problem(self, "--config: needs an argument");
        else if (what == S_CONFIG)
            configs[(*nconfigs)++] = text;
        else {
            flags[nflags++] = (s_flag_t){key, text};
            self->marks[key - self->table->keys] |= SR_CFG_MARK_HELD;
        }
    }
    return nflags;
}

sr_err_t
sr_cfg_args(sr_cfg_t *self, int argc, char **argv)
{
    size_t n = argc > 0 ? (size_t)argc : 1, nconfigs = 0;
    const char **configs = calloc(n, sizeof *configs);
    s_flag_t *flags = calloc(n, sizeof *flags);
    if (!configs || !flags) {
        free(configs);
        free(flags);
        sr_cfg_problem(self, "out of memory");
        return s_status(self);
    }
    size_t nflags = s_scan(self, argc, argv, configs, &nconfigs, flags);
    if (!self->is_help && !self->is_version) {
        for (size_t i = 0; i < nconfigs; i++)
            sr_cfg_load(self, configs[i]);
        for (size_t i = 0; i < nflags; i++)
            s_set_key(self, flags[i].key, flags[i].text);
        if (!sr_cfg_nproblems(self))
            sr_cfg_finish(self);
    }
    free(configs);
    free(flags);
    return self->is_help || self->is_version ? SR_OK : s_status(self);
}

sr_err_t
sr_cfg_read(const sr_cfg_table_t *table, void *values, int argc, char **argv,
            sr_error_t *err)
{
    sr_cfg_t *cfg = NULL;
    sr_err_t rc = sr_cfg_new(table, values, &cfg);
    if (rc)
        return sr_error_set(err, rc, "out of memory");
    if ((rc = sr_cfg_args(cfg, argc, argv)) != SR_OK) {
        size_t n = sr_cfg_nproblems(cfg);
        sr_error_set(err, rc, "%s%s", sr_cfg_problem_at(cfg, 0),
                     n > 1 ? " (and more)" : "");
    }
    sr_cfg_destroy(&cfg);
    return rc;
}

int
sr_cfg_main(const sr_cfg_table_t *table, void *values, int argc, char **argv)
{
    sr_cfg_t *cfg = NULL;
    if (sr_cfg_new(table, values, &cfg) != SR_OK) {
        fprintf(stderr, "%s: out of memory\n", table->program);
        return 1;
    }
    int status = -1;
    if (sr_cfg_args(cfg, argc, argv) != SR_OK) {
        for (size_t i = 0; i < sr_cfg_nproblems(cfg); i++)
            fprintf(stderr, "%s: %s\n", table->program,
                    sr_cfg_problem_at(cfg, i));
        status = 2;
    } else if (sr_cfg_is_help(cfg)) {
        sr_cfg_usage(table, stdout);
        status = 0;
    } else if (sr_cfg_is_version(cfg)) {
        printf("%s %s\n", table->program, SIROCCO_VERSION);
        status = 0;
    }
    sr_cfg_destroy(&cfg);
    return status;
}

void
sr_cfg_free(const sr_cfg_table_t *table, void *values)
{
    if (!values)
        return;
    sr_cfg_value_free(table->keys, table->nkeys, values);
    memset(values, 0, table->size);
}
